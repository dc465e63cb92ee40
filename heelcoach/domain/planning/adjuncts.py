"""Optional, time-limited symptom relief (adjuncts): passive tools screened against the runner's
contraindications, never more of them than strength exercises, never the whole plan.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from heelcoach.domain.planning.answers import answer_number, answer_set
from heelcoach.domain.planning.builder import Builder, merged_sources
from heelcoach.domain.planning.dose import exercise_dose, session_days
from heelcoach.domain.planning.model import WEEKDAYS, PlanItem
from heelcoach.knowledge.schema import PassiveTherapy
from heelcoach.knowledge.schema_plan import PlanRules

__all__ = ["exclude_unsafe_tools", "symptom_relief"]

_GRADE_ORDER = "ABCDEF"


def _flag_reason(therapy: PassiveTherapy, flags: frozenset[str], rules: PlanRules) -> str | None:
    hits: list[str] = [f for f in therapy.contraindications if f in flags]
    for flag in sorted(flags):
        if therapy.kind in rules.adjuncts.safety_excludes_kinds.get(flag, []):  # type: ignore[call-overload]
            hits.append(flag)
    if not hits:
        return None
    names = ", ".join(sorted({h.replace("_", " ") for h in hits}))
    return f"{therapy.name}: not for you because of {names} (ask a clinician first)."


def exclude_unsafe_tools(b: Builder) -> None:
    """Leave out every self-administered tool the runner's safety flags rule out, with the reason."""
    for therapy in b.catalogue.passive.values():
        if therapy.self_administered:
            reason = _flag_reason(therapy, b.flags, b.rules)
            if reason:
                b.exclude(therapy.id, reason)


def _candidates(b: Builder) -> list[PassiveTherapy]:
    """The tools the runner owns or has tried, strongest evidence first."""
    rules = b.rules.adjuncts
    owned, tried = answer_set(b.answers, "equipment"), answer_set(b.answers, "tried")
    candidates = [t for e, t in rules.equipment_to_therapy.items() if e in owned]
    candidates += [t for k, t in rules.tried_to_therapy.items() if k in tried]
    therapies = [b.catalogue.passive[c] for c in dict.fromkeys(candidates) if c in b.catalogue.passive]
    therapies.sort(key=lambda t: _GRADE_ORDER.find(t.evidence) if t.evidence in _GRADE_ORDER else 9)
    return therapies


def _left_out(b: Builder, therapy: PassiveTherapy, first: float, added: int, cap: int) -> str | None:
    """Why a candidate tool stays out (a night splint for mild mornings, the cap reached), or None."""
    rules = b.rules.adjuncts
    if therapy.kind == "night_splint" and first < rules.night_splint_min_first_step_pain:
        return (
            f"{therapy.name}: only worth it when first-step pain is "
            f"{rules.night_splint_min_first_step_pain}/10 or more most mornings."
        )
    if added >= cap:
        return (
            f"{therapy.name}: at most {cap} passive tool{'s' if cap != 1 else ''} at a time, never "
            "more than the strength exercises."
        )
    return None


def _adjunct_item(b: Builder, therapy: PassiveTherapy, strength_days: tuple[str, ...]) -> PlanItem:
    """One optional tool on the strength days (a night splint every night), stopping by a date."""
    rules = b.rules.adjuncts
    weeks = min(rules.max_weeks, therapy.time_limit_weeks or rules.max_weeks)
    until = b.start + timedelta(weeks=weeks)
    days = strength_days if rules.never_more_days_than_strength else WEEKDAYS
    if therapy.kind == "night_splint":
        days = WEEKDAYS  # worn overnight, every night (grade A for 1-3 months), not on session days
    if therapy.dose is not None:
        days = session_days(days, therapy.dose.days_per_week)
    dose: dict[str, Any] = (
        exercise_dose(therapy.dose, b.irritability, len(days))
        if therapy.dose
        else {"days_per_week": len(days)}
    )
    if therapy.kind == "night_splint":
        dose["note"] = "Wear it overnight; take it off if it keeps you awake or causes numbness."
    why = (
        f"{therapy.purpose} Optional, for symptoms only, while the strength work builds the fix;"
        f" stop by {until.isoformat()} or when first-step pain is below "
        f"{rules.min_first_step_pain}/10. {therapy.evidence_note}"
    )
    return PlanItem(
        id=therapy.id,
        kind="adjunct",
        ref_id=therapy.id,
        title=therapy.name,
        level=None,
        dose=dose,
        days=days,
        why=why,
        drivers=(),
        evidence=therapy.evidence,
        sources=merged_sources(therapy.sources, rules.sources),
        optional=True,
        until=until,
    )


def symptom_relief(b: Builder) -> None:
    """Unsafe tools out; then, when first-step pain is high enough, up to the cap of tools."""
    rules = b.rules.adjuncts
    exclude_unsafe_tools(b)
    first = answer_number(b.answers, "first_step_pain")
    if first < rules.min_first_step_pain:
        return
    strength_days: tuple[str, ...] = max(
        (i.days for i in b.items if i.kind == "exercise" and i.days != WEEKDAYS), key=len, default=("wed",)
    )
    # passive care never outnumbers the strength work (seed 000: an adjunct, never the whole plan)
    n_strength = sum(
        1 for i in b.items if i.kind == "exercise" and i.ref_id not in b.rules.selection.stretches
    )
    cap = min(rules.max_items, n_strength)
    added = 0
    for therapy in _candidates(b):
        if any(e.ref_id == therapy.id for e in b.excluded):
            continue
        reason = _left_out(b, therapy, first, added, cap)
        if reason:
            b.exclude(therapy.id, reason)
            continue
        b.items.append(_adjunct_item(b, therapy, strength_days))
        added += 1
