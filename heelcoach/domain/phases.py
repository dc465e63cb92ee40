"""The weekly review's phase rules: when the plan moves a phase on or back, and how the exercises
fit the (new) phase and irritability (pause what is not allowed yet, bring back what waited, add
power work where the phase has it, maintenance days).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from heelcoach.domain.checkin import CheckIn, RuleId, WeekFacts, week_facts
from heelcoach.domain.exercise_rules import RANK as _RANK
from heelcoach.domain.plan import (
    DEFERRED_NOTE,
    WEEKDAYS,
    ExcludedItem,
    Plan,
    PlanItem,
    RunPrescription,
    exercise_dose,
    session_days,
)
from heelcoach.domain.types import PHASES, Irritability, Phase
from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.schema import Exercise
from heelcoach.knowledge.schema_plan import PlanRules

__all__ = ["adapt_items", "phase_step"]


def _flare_weeks_in_a_row(checkins: Sequence[CheckIn], today: date, rules: PlanRules) -> int:
    """How many weeks ending ``today`` in a row were flare weeks (up to the rule's count)."""
    n = 0
    for back in range(rules.flare_response.phase_back_after_flare_weeks):
        end = today - timedelta(days=7 * back)
        if not week_facts(checkins, end - timedelta(days=6), end, rules).flare(rules):
            break
        n += 1
    return n


def phase_step(
    plan: Plan,
    week: WeekFacts,
    checkins: Sequence[CheckIn],
    today: date,
    rules: PlanRules,
    adherence: float,
    run: RunPrescription,
) -> tuple[Phase, RuleId | None]:
    """PHASE_BACK_FLARE (flare weeks in a row: one phase back) or PHASE_EXIT_CRITERIA_MET."""
    idx = PHASES.index(plan.phase)
    if (
        idx > 0
        and week.flare(rules)
        and _flare_weeks_in_a_row(checkins, today, rules) >= rules.flare_response.phase_back_after_flare_weeks
    ):
        return PHASES[idx - 1], RuleId.PHASE_BACK_FLARE
    pr = rules.phase(plan.phase)
    if pr.exit_to is None or week.flare(rules) or plan.week < pr.min_weeks:
        return plan.phase, None
    window = [c for c in checkins if today - timedelta(days=pr.exit_sustained_days) < c.day <= today]
    needed = math.ceil(rules.min_checkins_per_week.value * pr.exit_sustained_days / 7)
    if len(window) < needed:
        return plan.phase, None
    if pr.exit_first_step_pain_max is not None and any(
        c.first_step_pain > pr.exit_first_step_pain_max for c in window
    ):
        return plan.phase, None
    if pr.exit_activity_pain_max is not None and any(
        c.activity_pain > pr.exit_activity_pain_max for c in window
    ):
        return plan.phase, None
    if pr.exit_min_adherence is not None and adherence < pr.exit_min_adherence:
        return plan.phase, None
    if pr.exit_no_next_morning_worse and any(c.next_morning_worse for c in window):
        return plan.phase, None
    if pr.exit_requires_run_mode and run.mode != pr.exit_requires_run_mode:
        return plan.phase, None
    return pr.exit_to, RuleId.PHASE_EXIT_CRITERIA_MET


def _session(items: Sequence[PlanItem]) -> tuple[str, ...]:
    days = {d for i in items if i.kind == "exercise" and i.days != WEEKDAYS for d in i.days}
    return tuple(d for d in WEEKDAYS if d in days) or ("mon", "wed", "fri")


def _allowed(ex: Exercise, phase: Phase, irritability: Irritability, rules: PlanRules) -> bool:
    if PHASES.index(ex.earliest_phase) > PHASES.index(phase):
        return False
    if _RANK[irritability] > _RANK[ex.max_irritability]:
        return False
    return not (
        ex.id in rules.high_load.exercise_ids and irritability not in rules.high_load.allowed_irritability
    )


def _new_item(
    ex: Exercise, session: tuple[str, ...], irritability: Irritability, why: str, today: date | None
) -> PlanItem:
    level_no = 1 if irritability != "low" else ex.start_level
    dose = ex.levels[level_no - 1].dose
    days = session_days(session, dose.days_per_week)
    return PlanItem(
        id=ex.id,
        kind="exercise",
        ref_id=ex.id,
        title=ex.name,
        level=level_no,
        dose=exercise_dose(dose, irritability, len(days)),
        days=days,
        why=f"{why} {ex.plain}",
        drivers=tuple(ex.drivers),
        evidence=ex.evidence,
        sources=tuple(ex.sources),
        optional=False,
        until=None,
        level_since=today,
    )


def _fit_to_phase(
    items: list[PlanItem], excluded: list[ExcludedItem], phase: Phase, rules: PlanRules, catalogue: Catalogue
) -> tuple[list[PlanItem], list[ExcludedItem]]:
    """Pause exercises the phase does not allow yet; set maintenance days in the maintain phase."""
    out: list[PlanItem] = []
    waiting = list(excluded)
    for item in items:
        ex = catalogue.exercises.get(item.ref_id) if item.kind == "exercise" else None
        if ex is not None and PHASES.index(ex.earliest_phase) > PHASES.index(phase):
            waiting.append(ExcludedItem(ex.id, f"{ex.name}: paused in the {phase} phase. {DEFERRED_NOTE}"))
            continue
        if ex is not None and phase == "maintain" and item.days != WEEKDAYS:
            days = session_days(item.days, rules.selection.maintenance_strength_days)
            item = replace(item, days=days, dose={**item.dose, "days_per_week": len(days)})
        out.append(item)
    return out, waiting


def adapt_items(
    items: list[PlanItem],
    excluded: list[ExcludedItem],
    phase: Phase,
    irritability: Irritability,
    rules: PlanRules,
    catalogue: Catalogue,
    allow_new: bool,
    today: date | None = None,
) -> tuple[list[PlanItem], list[ExcludedItem]]:
    """Fit the exercises to the (new) phase and irritability: pause what is not allowed, bring back
    what was waiting, add power work where the phase has it, and set maintenance days."""
    # a condition plan's avoid rules (left out on purpose) bar some exercises for good, e.g. jumping
    # while a heel fat pad is sore: a later phase never brings them in
    barred = catalogue.triage.barred_exercises({e.ref_id for e in excluded})
    out, waiting = _fit_to_phase(items, excluded, phase, rules, catalogue)
    session = _session(out)
    if phase == "maintain":
        session = session_days(session, rules.selection.maintenance_strength_days)
    have = {i.ref_id for i in out}
    calf = set(rules.selection.calf)
    kept: list[ExcludedItem] = []
    for entry in waiting:
        ex = catalogue.exercises.get(entry.ref_id)
        if (
            ex is None
            or not entry.reason.endswith(DEFERRED_NOTE)
            or ex.id in have
            or not _allowed(ex, phase, irritability, rules)
            or not allow_new
        ):
            if ex is None or ex.id not in have:
                kept.append(entry)
            continue
        if ex.id in calf and calf & have:
            order = rules.selection.calf
            current = next(i for i in out if i.ref_id in calf)
            if order.index(ex.id) > order.index(current.ref_id):
                kept.append(entry)
                continue
            # the preferred heel raise (Rathleff) replaces the interim one once the heel allows it
            out.remove(current)
            have.discard(current.ref_id)
            kept.append(ExcludedItem(current.ref_id, f"{current.title}: replaced by {ex.name}."))
        out.append(_new_item(ex, session, irritability, f"The heel now allows it ({phase} phase).", today))
        have.add(ex.id)
    if rules.phase(phase).power_exercises and allow_new:
        for ex_id in rules.selection.power[:2]:
            ex = catalogue.exercises.get(ex_id)
            if ex is None or ex_id in have or ex_id in barred or not _allowed(ex, phase, irritability, rules):
                continue
            out.append(
                _new_item(ex, session, irritability, "Springy, running-like work for full running.", today)
            )
            have.add(ex_id)
    kept = [e for e in kept if e.ref_id not in have]
    return out, list({e.ref_id: e for e in kept}.values())
