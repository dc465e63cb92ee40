"""A plan as a JSON-safe dict and back (how plan versions are stored)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from heelcoach.domain.planning.model import (
    STOP_AND_REFER,
    ClinicianTerms,
    ExcludedItem,
    Plan,
    PlanItem,
    RunPrescription,
)

__all__ = ["plan_from_dict", "plan_to_dict"]


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """A JSON-safe dict; :func:`plan_from_dict` restores the identical plan."""
    return {
        "version": plan.version,
        "created": plan.created.isoformat(),
        "phase": plan.phase,
        "week": plan.week,
        "irritability": plan.irritability,
        "items": [
            {
                "id": i.id,
                "kind": i.kind,
                "ref_id": i.ref_id,
                "title": i.title,
                "level": i.level,
                "dose": dict(i.dose),
                "days": list(i.days),
                "why": i.why,
                "drivers": list(i.drivers),
                "evidence": i.evidence,
                "sources": list(i.sources),
                "optional": i.optional,
                "until": i.until.isoformat() if i.until else None,
                "level_since": i.level_since.isoformat() if i.level_since else None,
                "max_level": i.max_level,
            }
            for i in plan.items
        ],
        "excluded": [{"ref_id": e.ref_id, "reason": e.reason} for e in plan.excluded],
        "run": {
            "mode": plan.run.mode,
            "stage": plan.run.stage,
            "runs_per_week": plan.run.runs_per_week,
            "max_single_run_km": plan.run.max_single_run_km,
            "weekly_km_cap": plan.run.weekly_km_cap,
            "effort": plan.run.effort,
            "surface": plan.run.surface,
            "stop_rules": list(plan.run.stop_rules),
            "cadence_cue_pct": plan.run.cadence_cue_pct,
            "why": plan.run.why,
            "sources": list(plan.run.sources),
            "usual_weekly_km": plan.run.usual_weekly_km,
            "tolerated_weekly_km": plan.run.tolerated_weekly_km,
            "recover_to_km": plan.run.recover_to_km,
            "recover_step_km": plan.run.recover_step_km,
        },
        "escalation_rules": list(plan.escalation_rules),
        "referral": plan.referral,
        "referral_action": plan.referral_action,
        "rationale": plan.rationale,
        "driver_priority": list(plan.driver_priority),
        "warnings_cleared_on": plan.warnings_cleared_on.isoformat() if plan.warnings_cleared_on else None,
        "session_minutes": plan.session_minutes,
        **_terms_to_dict(plan.clinician),
    }


def _terms_to_dict(terms: ClinicianTerms) -> dict[str, Any]:
    """Only a plan a clinician changed carries the key (older plans and the local mode stay as they were)."""
    if terms == ClinicianTerms():
        return {}
    return {
        "clinician": {
            "held": list(terms.held),
            "added": list(terms.added),
            "weekly_km_cap": terms.weekly_km_cap,
            "levels_set": list(terms.levels_set),
        }
    }


def _terms_from_dict(d: Mapping[str, Any] | None) -> ClinicianTerms:
    if not d:
        return ClinicianTerms()
    return ClinicianTerms(
        held=tuple(d.get("held") or ()),
        added=tuple(d.get("added") or ()),
        weekly_km_cap=d.get("weekly_km_cap"),
        levels_set=tuple(d.get("levels_set") or ()),  # absent from plans stored before it existed
    )


def _optional_date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _item_from_dict(i: Mapping[str, Any]) -> PlanItem:
    return PlanItem(
        id=i["id"],
        kind=i["kind"],
        ref_id=i["ref_id"],
        title=i["title"],
        level=i["level"],
        dose=dict(i["dose"]),
        days=tuple(i["days"]),
        why=i["why"],
        drivers=tuple(i["drivers"]),
        evidence=i["evidence"],
        sources=tuple(i["sources"]),
        optional=bool(i["optional"]),
        until=_optional_date(i["until"]),
        level_since=_optional_date(i.get("level_since")),
        max_level=i.get("max_level"),  # absent from plans stored before it existed
    )


def _run_from_dict(r: Mapping[str, Any]) -> RunPrescription:
    return RunPrescription(
        mode=r["mode"],
        stage=r["stage"],
        runs_per_week=r["runs_per_week"],
        max_single_run_km=r["max_single_run_km"],
        weekly_km_cap=r["weekly_km_cap"],
        effort=r["effort"],
        surface=r["surface"],
        stop_rules=tuple(r["stop_rules"]),
        cadence_cue_pct=r["cadence_cue_pct"],
        why=r["why"],
        sources=tuple(r["sources"]),
        usual_weekly_km=r.get("usual_weekly_km"),  # absent from plans stored before it existed
        tolerated_weekly_km=r.get("tolerated_weekly_km"),
        recover_to_km=r.get("recover_to_km"),
        recover_step_km=r.get("recover_step_km"),
    )


def plan_from_dict(d: Mapping[str, Any]) -> Plan:
    """The inverse of :func:`plan_to_dict`; raises ValueError naming the missing field."""
    try:
        items = tuple(_item_from_dict(i) for i in d["items"])
        run = _run_from_dict(d["run"])
        return Plan(
            version=int(d["version"]),
            created=date.fromisoformat(d["created"]),
            phase=d["phase"],
            week=int(d["week"]),
            irritability=d["irritability"],
            items=items,
            excluded=tuple(ExcludedItem(e["ref_id"], e["reason"]) for e in d["excluded"]),
            run=run,
            escalation_rules=tuple(d["escalation_rules"]),
            referral=d["referral"],
            rationale=d["rationale"],
            # plans stored before referral_action existed: every referral stopped loading
            referral_action=d.get("referral_action", STOP_AND_REFER if d["referral"] else None),
            driver_priority=tuple(d.get("driver_priority") or ()),
            warnings_cleared_on=_optional_date(d.get("warnings_cleared_on")),
            session_minutes=d.get("session_minutes"),  # absent from plans stored before it existed
            clinician=_terms_from_dict(d.get("clinician")),
        )
    except KeyError as exc:
        raise ValueError(f"plan data: missing field {exc}; expected the output of plan_to_dict") from exc
