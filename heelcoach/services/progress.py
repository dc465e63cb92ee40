"""Progress: pain week by week, outcome changes, adherence and the plan history with its reasons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from heelcoach.domain import outcomes as outcomes_mod
from heelcoach.services.common import WEEK_DAYS, json_object, require_person, to_jsonable
from heelcoach.services.context import AppContext
from heelcoach.services.outcomes import score_instrument
from heelcoach.store.base import transaction
from heelcoach.store.repositories import CheckInRecord, OutcomeRecord, PersonRecord, PlanVersionRecord, Repos


@dataclass(frozen=True, slots=True)
class Progress:
    """A person's story in numbers: pain series, outcome changes, adherence and plan history."""

    person: PersonRecord
    pain: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    outcome_changes: list[dict[str, Any]] = field(default_factory=list)
    adherence: list[dict[str, Any]] = field(default_factory=list)
    plan_history: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def _weekly_means(checkins: Sequence[CheckInRecord], start: date) -> list[dict[str, Any]]:
    weeks: dict[int, list[CheckInRecord]] = {}
    for c in checkins:
        weeks.setdefault((c.day - start).days // WEEK_DAYS + 1, []).append(c)
    out = []
    for week, rows in sorted(weeks.items()):
        worst = [r.worst_pain for r in rows if r.worst_pain is not None]
        out.append(
            {
                "week": week,
                "checkins": len(rows),
                "first_step_pain_mean": round(sum(r.first_step_pain for r in rows) / len(rows), 1),
                "worst_pain_mean": round(sum(worst) / len(worst), 1) if worst else None,
                "run_km": round(sum(r.run_km or 0.0 for r in rows), 1),
            }
        )
    return out


def _pain_series(checkins: Sequence[CheckInRecord]) -> list[dict[str, Any]]:
    return [
        {
            "day": c.day.isoformat(),
            "first_step_pain": c.first_step_pain,
            "worst_pain": c.worst_pain,
            "run_km": c.run_km,
            "run_pain_during": c.run_pain_during,
            "run_pain_after": c.run_pain_after,
        }
        for c in checkins
    ]


def _outcome_changes(ctx: AppContext, outcome_rows: Sequence[OutcomeRecord]) -> list[dict[str, Any]]:
    """First and last score of each instrument taken twice or more, with the change and its MCID."""
    changes: list[dict[str, Any]] = []
    by_instrument: dict[str, list[OutcomeRecord]] = {}
    for o in outcome_rows:
        by_instrument.setdefault(o.instrument, []).append(o)
    for instrument, rows in by_instrument.items():
        if len(rows) < 2:
            continue
        first, last = rows[0], rows[-1]
        change = outcomes_mod.outcome_change(
            score_instrument(ctx, instrument, first.answers),
            score_instrument(ctx, instrument, last.answers),
            ctx.catalogue,
        )
        doc = to_jsonable(change)
        doc = doc if isinstance(doc, dict) else {"change": doc}
        doc.update(
            {"instrument": instrument, "from": first.taken_on.isoformat(), "to": last.taken_on.isoformat()}
        )
        changes.append(doc)
    return changes


def _adherence(versions: Sequence[PlanVersionRecord]) -> list[dict[str, Any]]:
    return [
        {
            "version": v.version,
            "reviewed_to": v.decision.get("reviewed_to"),
            "adherence": v.decision["adherence"],
        }
        for v in versions
        if v.decision.get("kind") == "weekly_review" and v.decision.get("adherence") is not None
    ]


def _plan_history(versions: Sequence[PlanVersionRecord]) -> list[dict[str, Any]]:
    return [
        {
            "version": v.version,
            "created_at": v.created_at.isoformat(),
            "starts_on": v.starts_on.isoformat(),
            "phase": v.phase,
            "week": v.week,
            "kind": v.decision.get("kind", ""),
            "reason": v.reason,
            "decisions": v.decision.get("decisions", []),
        }
        for v in versions
    ]


def _summary(checkins: Sequence[CheckInRecord], versions: Sequence[PlanVersionRecord]) -> dict[str, Any]:
    summary: dict[str, Any] = {"checkins": len(checkins), "plan_versions": len(versions)}
    if checkins:
        start = versions[0].starts_on if versions else checkins[0].day
        weekly = _weekly_means(checkins, start)
        summary["weeks"] = weekly
        summary["first_step_pain_first_week"] = weekly[0]["first_step_pain_mean"]
        summary["first_step_pain_last_week"] = weekly[-1]["first_step_pain_mean"]
    if versions:
        summary["phase"] = versions[-1].phase
        summary["week"] = versions[-1].week
    return summary


def progress(ctx: AppContext, person_id: int) -> Progress:
    """Series of first-step and worst pain, outcome scores and changes with their MCID,
    adherence per reviewed week, and the plan history with the reason for every change."""
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        person = require_person(repos, person_id)
        checkins = repos.checkins.between(person_id)
        outcome_rows = repos.outcomes.history(person_id)
        versions = repos.plans.history(person_id)
    outcomes_out = [
        {"instrument": o.instrument, "taken_on": o.taken_on.isoformat(), "score": round(o.score, 1)}
        for o in outcome_rows
    ]
    return Progress(
        person,
        _pain_series(checkins),
        outcomes_out,
        _outcome_changes(ctx, outcome_rows),
        _adherence(versions),
        _plan_history(versions),
        _summary(checkins, versions),
    )


def progress_to_dict(p: Progress) -> dict[str, Any]:
    """Progress as JSON-ready data."""
    return json_object(p)
