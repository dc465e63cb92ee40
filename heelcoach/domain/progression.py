"""Daily check-ins and the weekly review that progresses, holds or regresses each plan item.

Rules (``plan_rules.yaml``): pain above the acceptable level (5/10) steps back; pain in the
acceptable band (3-5/10) holds; an exercise moves up only from the safe band (0-2/10), with mild,
non-rising morning pain and most of its days done, and at most ``progression.max_items_per_review``
exercises move up per review (heel raises and strength first). Items move at most one level (the run
one stage) per review; phases move at most one step; a red-flag symptom stops everything and refers.
The runner reads the review in plain English (:func:`review_summary`); rule ids stay in
:class:`Decision` for the clinician and the store.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from statistics import mean
from typing import Literal

from heelcoach.domain.plan import (
    DEFERRED_NOTE,
    WEEKDAYS,
    ExcludedItem,
    Plan,
    PlanItem,
    RunPrescription,
    education_item,
    exercise_dose,
    no_running,
    run_for_stage,
    see_a_clinician_first,
    session_days,
)
from heelcoach.domain.recurrence import RecurrenceFinding, detect_recurrence, strength_item_ids
from heelcoach.domain.types import PHASES, Irritability, LoadSnapshot, Phase
from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.schema import Exercise
from heelcoach.knowledge.schema_plan import PlanRules

__all__ = ["CheckIn", "Decision", "Review", "review_summary", "weekly_review"]

Action = Literal["progress", "hold", "regress", "refer"]
_RANK: dict[str, int] = {"low": 0, "moderate": 1, "high": 2}


@dataclass(frozen=True, slots=True)
class CheckIn:
    """One day's check-in: morning pain, activity pain, what was done, any red-flag symptom."""

    day: date
    first_step_pain: int
    worst_pain: int | None = None
    run_pain_during: int | None = None
    run_pain_after: int | None = None
    next_morning_worse: bool | None = None
    done_items: tuple[str, ...] = ()
    run_km: float | None = None
    run_minutes: float | None = None
    passive_used: tuple[str, ...] = ()
    red_flag_symptoms: tuple[str, ...] = ()
    notes: str = ""

    def __post_init__(self) -> None:
        for name in ("first_step_pain", "worst_pain", "run_pain_during", "run_pain_after"):
            value = getattr(self, name)
            if value is None and name != "first_step_pain":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
                raise ValueError(f"check-in {self.day}: {name} must be a whole number 0-10, got {value!r}")
        for name in ("run_km", "run_minutes"):
            value = getattr(self, name)
            if value is not None and (value < 0 or math.isnan(value)):
                raise ValueError(f"check-in {self.day}: {name} must be 0 or more, got {value!r}")


@dataclass(frozen=True, slots=True)
class Decision:
    """What happens to one item, and the rule that decided it."""

    item_id: str
    action: Action
    rule_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Review:
    """The outcome of a weekly review: decisions, the next plan version and messages."""

    week_start: date
    decisions: tuple[Decision, ...]
    new_plan: Plan
    phase_change: tuple[Phase, Phase] | None
    referral: str | None
    messages: tuple[str, ...]
    recurrence: RecurrenceFinding | None
    adherence: float


@dataclass(frozen=True)
class _Week:
    """Pain and adherence facts of the review window."""

    checkins: tuple[CheckIn, ...]
    first_step_mean: float | None
    previous_mean: float | None
    max_activity: int
    max_run_during: int
    max_after: int
    next_morning_worse_days: int
    over_acceptable_days: int
    runs: int

    def morning_rising(self, rules: PlanRules) -> bool:
        if self.first_step_mean is None or self.previous_mean is None:
            return False
        return self.first_step_mean - self.previous_mean >= rules.pain_monitoring.morning_rise_points

    def over_acceptable(self) -> bool:
        return self.over_acceptable_days > 0

    def activity_pain_max(self) -> int:
        """The highest pain during or after activity (exercise, daily life or running) this week."""
        return max(self.max_activity, self.max_after)

    def morning_rise(self) -> float:
        """Mean first-step pain this week minus last week's (0 when either week has no check-ins)."""
        if self.first_step_mean is None or self.previous_mean is None:
            return 0.0
        return self.first_step_mean - self.previous_mean

    def progress_blocker(self, rules: PlanRules) -> tuple[str, str] | None:
        """Why nothing may move up this week (rule id, plain reason), or None when the week allows it.

        Progress needs pain during and after activity in the safe band, mild morning pain and
        morning pain that does not rise (``plan_rules.yaml: progression``).
        """
        pr = rules.progression
        pain = self.activity_pain_max()
        if pain > rules.pain_monitoring.during_safe_max:
            return (
                "pain_in_acceptable_band",
                (
                    f"Pain during or after activity reached {pain}/10 this week; that is acceptable, but "
                    f"moving up waits until it stays at {rules.pain_monitoring.during_safe_max}/10 or less: "
                    "stay at this level."
                ),
            )
        if self.first_step_mean is not None and self.first_step_mean > pr.progress_first_step_pain_mean_max:
            return (
                "morning_pain_not_settled",
                (
                    f"Morning first-step pain averaged {self.first_step_mean:.1f}/10; moving up waits until "
                    f"it settles to {pr.progress_first_step_pain_mean_max:g}/10 or less: stay at this level."
                ),
            )
        if self.morning_rise() > pr.progress_morning_rise_max_points:
            return (
                "morning_pain_not_falling",
                "Morning first-step pain was a little higher than last week: stay at this level.",
            )
        return None

    def flare(self, rules: PlanRules) -> bool:
        return self.over_acceptable() or self.morning_rising(rules) or self.next_morning_worse_days >= 2


def _facts(checkins: Sequence[CheckIn], week_start: date, today: date, rules: PlanRules) -> _Week:
    pm = rules.pain_monitoring
    week = tuple(sorted((c for c in checkins if week_start <= c.day <= today), key=lambda c: c.day))
    prev = [c for c in checkins if week_start - timedelta(days=7) <= c.day < week_start]

    def activity(c: CheckIn) -> int:
        return max(c.worst_pain or 0, c.run_pain_during or 0)

    over = sum(
        1 for c in week if activity(c) > pm.during_acceptable_max or (c.run_pain_after or 0) > pm.after_max
    )
    return _Week(
        week,
        mean(c.first_step_pain for c in week) if week else None,
        mean(c.first_step_pain for c in prev) if prev else None,
        max((activity(c) for c in week), default=0),
        max((c.run_pain_during or 0 for c in week), default=0),
        max((c.run_pain_after or 0 for c in week), default=0),
        sum(1 for c in week if c.next_morning_worse),
        over,
        sum(1 for c in week if (c.run_km or 0) > 0 or (c.run_minutes or 0) > 0),
    )


def _item_adherence(item: PlanItem, week: _Week) -> float:
    expected = len(item.days)
    if expected == 0:
        return 1.0
    done = sum(1 for c in week.checkins if item.id in c.done_items)
    return min(1.0, done / expected)


def _adherence(plan: Plan, week: _Week) -> float:
    items = [i for i in plan.items if i.kind == "exercise" and not i.optional and i.days]
    expected = sum(len(i.days) for i in items)
    if expected == 0:
        return 0.0
    done = sum(min(len(i.days), sum(1 for c in week.checkins if i.id in c.done_items)) for i in items)
    return round(done / expected, 3)


def _irritability(week: _Week, rules: PlanRules, current: Irritability) -> Irritability:
    r = rules.irritability
    if week.first_step_mean is None:
        return current
    if week.first_step_mean >= r.high_first_step_pain_min or week.max_activity >= r.high_worst_pain_min:
        return "high"
    if (
        week.first_step_mean <= r.low_first_step_pain_max
        and week.max_activity <= r.low_worst_pain_max
        and week.max_run_during <= r.low_run_pain_max
    ):
        return "low"
    return "moderate"


def _referral_review(
    plan: Plan, week_start: date, today: date, symptoms: Sequence[str], catalogue: Catalogue, adherence: float
) -> Review:
    rules = catalogue.plan
    what = ", ".join(sorted(set(symptoms))) if symptoms else "a red-flag symptom"
    referral = (
        f"Stop the plan and see a clinician before you run or exercise the heel again: you reported "
        f"{what}. If you cannot bear weight or have a hot, red, swollen heel with fever, go today."
    )
    decisions = [
        Decision(i.id, "refer", "red_flag", f"Stopped: {what}.")
        for i in plan.items
        if i.kind in ("exercise", "adjunct", "cross_training")
    ]
    decisions.append(Decision("run", "refer", "red_flag", f"No running: {what}."))
    keep = [i for i in plan.items if i.kind in ("education", "escalation") and i.id != "see_a_clinician"]
    see = see_a_clinician_first(rules)
    run = no_running(rules, plan.run.surface, plan.run.stop_rules)
    new_plan = replace(
        plan,
        version=plan.version + 1,
        created=today,
        week=plan.week + 1,
        items=(see, *keep),
        run=run,
        referral=referral,
        rationale=referral,
        referral_action="stop_and_refer",
    )
    return Review(week_start, tuple(decisions), new_plan, None, referral, (referral,), None, adherence)


def _weeks_at_level(item: PlanItem, today: date) -> int | None:
    """Whole (started) weeks the item has been at its level by ``today``; None when unknown."""
    if item.level_since is None:
        return None
    return max(0, math.ceil((today - item.level_since).days / 7))


def _exercise_decision(
    item: PlanItem,
    week: _Week,
    rules: PlanRules,
    catalogue: Catalogue,
    irritability: Irritability,
    today: date,
) -> tuple[Decision, PlanItem | None]:
    ex = catalogue.exercises.get(item.ref_id)
    level = item.level or 1
    top = len(ex.levels) if ex else level
    pm = rules.pain_monitoring

    def at(new_level: int) -> PlanItem:
        if ex is None or new_level == level:
            return item
        new_dose = ex.levels[new_level - 1].dose
        days = item.days if item.days == WEEKDAYS else session_days(item.days, new_dose.days_per_week)
        dose = exercise_dose(new_dose, irritability, len(days), item.dose.get("note"))
        return replace(item, level=new_level, dose=dose, days=days, level_since=today)

    if (
        ex is not None
        and ex.id in rules.high_load.exercise_ids
        and irritability not in (rules.high_load.allowed_irritability)
    ):
        return Decision(
            item.id,
            "regress",
            "high_load_irritability",
            "The heel is irritable again: heavy heel raises pause until it settles.",
        ), None
    if ex is not None and _RANK[irritability] > _RANK[ex.max_irritability]:
        return Decision(
            item.id,
            "regress",
            "irritability_too_high",
            f"{ex.name} pauses while the heel is this irritable; it comes back when it settles.",
        ), None
    back: Action = "regress" if level > 1 else "hold"
    step = "one level back." if level > 1 else "stay at this level."
    flares = (
        (
            week.over_acceptable(),
            "pain_above_acceptable",
            f"Pain went above {pm.during_acceptable_max}/10 (or above {pm.after_max}/10 afterwards): {step}",
        ),
        (
            week.morning_rising(rules),
            "morning_pain_rising",
            f"Morning pain rose compared with last week: {step}",
        ),
        (
            week.next_morning_worse_days >= 2,
            "next_morning_worse",
            f"The next morning was worse more than once: {step}",
        ),
    )
    for fired, rule_id, reason in flares:
        if fired:
            return Decision(item.id, back, rule_id, reason), at(max(1, level - 1))
    if week.next_morning_worse_days == 1:
        return Decision(
            item.id,
            "hold",
            "next_morning_worse",
            "One morning was worse after activity: hold this level another week.",
        ), item
    if level >= top:
        return Decision(item.id, "hold", "top_level", "Top level reached: keep it up."), item
    blocker = week.progress_blocker(rules)
    if blocker is not None:
        return Decision(item.id, "hold", blocker[0], blocker[1]), item
    adherence_min = rules.progression.item_adherence_min
    if _item_adherence(item, week) < adherence_min:
        return Decision(
            item.id,
            "hold",
            "low_adherence",
            f"Done on fewer than {adherence_min:.0%} of its days: hold this level.",
        ), item
    min_weeks = rules.progression.min_weeks_at_level.get(item.ref_id, 1)
    weeks_at = _weeks_at_level(item, today)
    if weeks_at is not None and weeks_at < min_weeks:
        return Decision(
            item.id,
            "hold",
            "level_too_recent",
            f"{item.title} stays at least {min_weeks} weeks at each level: stay at this level one more week.",
        ), item
    return Decision(
        item.id,
        "progress",
        "progress_criteria_met",
        f"Done on most of its days with pain at {rules.pain_monitoring.during_safe_max}/10 or "
        f"less and steady morning pain: up to level {level + 1}.",
    ), at(level + 1)


def _priority(
    item: PlanItem, plan: Plan, catalogue: Catalogue, rules: PlanRules
) -> tuple[int, int, int, int]:
    """Sort key of an exercise ready to move up: core loading first, then strength before foot
    control, balance and power (stretches last), then the strongest driver, then plan order."""
    pr = rules.progression
    first = (
        pr.priority_first.index(item.ref_id) if item.ref_id in pr.priority_first else len(pr.priority_first)
    )
    ex = catalogue.exercises.get(item.ref_id)
    category = ex.category if ex is not None else ""
    cat = pr.category_order.index(category) if category in pr.category_order else len(pr.category_order)
    ranks = [plan.driver_priority.index(d) for d in item.drivers if d in plan.driver_priority]
    driver = min(ranks, default=len(plan.driver_priority))
    order = next((n for n, i in enumerate(plan.items) if i.id == item.id), len(plan.items))
    return first, cat, driver, order


def _cap_progress(
    plan: Plan, outcomes: list[tuple[PlanItem, Decision, PlanItem | None]], catalogue: Catalogue
) -> list[tuple[PlanItem, Decision, PlanItem | None]]:
    """Let at most ``max_items_per_review`` exercises move up, by priority; the others hold."""
    rules = catalogue.plan
    cap = rules.progression.max_items_per_review
    ready = sorted(
        (o for o in outcomes if o[1].action == "progress"),
        key=lambda o: _priority(o[0], plan, catalogue, rules),
    )
    chosen = {o[0].id for o in ready[:cap]}
    out: list[tuple[PlanItem, Decision, PlanItem | None]] = []
    for item, decision, new_item in outcomes:
        if decision.action == "progress" and item.id not in chosen:
            decision = Decision(
                item.id,
                "hold",
                "progress_cap",
                f"Ready to move up, but at most {cap} exercises move up in one week so you can tell "
                "what the heel tolerates: it moves up at a later review.",
            )
            new_item = item
        out.append((item, decision, new_item))
    return out


def _run_hold_reason(rule_id: str, week: _Week, rules: PlanRules) -> str:
    """Why the running stays as it is this week (plain English)."""
    pr = rules.progression
    if rule_id == "pain_in_acceptable_band":
        return (
            f"Running or daily activity hurt up to {week.activity_pain_max()}/10: keep the same running "
            f"this week; it grows again when pain stays at {rules.pain_monitoring.during_safe_max}/10 "
            "or less."
        )
    if rule_id == "morning_pain_not_settled":
        return (
            f"Morning first-step pain is still above {pr.progress_first_step_pain_mean_max:g}/10: keep the "
            "same running this week."
        )
    return "Morning pain was a little higher than last week: keep the same running this week."


def _run_decision(
    plan: Plan, week: _Week, rules: PlanRules, catalogue: Catalogue, load: LoadSnapshot | None
) -> tuple[Decision, RunPrescription]:
    run = plan.run
    rtr, caps = rules.return_to_run, rules.load_caps
    stages = len(rtr.stages)
    if run.mode == "none":
        return Decision("run", "hold", "no_running", "Running stays paused."), run
    flare = week.flare(rules)
    if run.mode == "walk_run":
        stage = run.stage or 1
        if flare and stage > 1:
            dist, text = run_for_stage(stage - 1, catalogue)
            new = replace(
                run,
                stage=stage - 1,
                max_single_run_km=dist,
                weekly_km_cap=round(dist * run.runs_per_week, 1),
                why=f"One stage back after too much pain: {text}.",
            )
            return Decision("run", "regress", "pain_above_acceptable", "Too much pain: one stage back."), new
        if flare or week.next_morning_worse_days:
            return Decision(
                "run",
                "hold",
                "pain_above_acceptable" if flare else "next_morning_worse",
                "Pain or next-morning stiffness: repeat this stage.",
            ), run
        blocker = week.progress_blocker(rules)
        if blocker is not None:
            return Decision("run", "hold", blocker[0], _run_hold_reason(blocker[0], week, rules)), run
        if week.runs < rtr.repeats_per_stage_min:
            return Decision(
                "run",
                "hold",
                "stage_repeats",
                f"Each stage at least {rtr.repeats_per_stage_min} times before moving on.",
            ), run
        if stage < stages:
            dist, text = run_for_stage(stage + 1, catalogue)
            new = replace(
                run,
                stage=stage + 1,
                max_single_run_km=dist,
                weekly_km_cap=round(dist * run.runs_per_week, 1),
                why=f"Stage {stage + 1}: {text}. Effort {rtr.effort}, a rest day between runs.",
            )
            return Decision(
                "run", "progress", "stage_complete", f"Stage {stage} went well: stage {stage + 1}."
            ), new
        dist = round(rtr.stages[-1].distance_km * (1 + caps.single_run_increase_pct.value / 100), 1)
        new = replace(
            run,
            mode="continuous",
            stage=None,
            max_single_run_km=dist,
            weekly_km_cap=round(dist * run.runs_per_week, 1),
            effort="easy to moderate; you can talk",
            why=f"Walk/run table complete: continuous easy running. {caps.single_run_increase_pct.plain}",
        )
        return Decision("run", "progress", "stage_complete", "Walk/run complete: continuous running."), new
    # continuous
    if flare:
        dist, text = run_for_stage(stages, catalogue)
        new = replace(
            run,
            mode="walk_run",
            stage=stages,
            max_single_run_km=dist,
            weekly_km_cap=round(dist * run.runs_per_week, 1),
            why=f"Too much pain: one step back to the last walk/run stage ({text}).",
        )
        return Decision("run", "regress", "pain_above_acceptable", "Too much pain: one step back."), new
    blocker = week.progress_blocker(rules)
    if blocker is not None:
        return Decision("run", "hold", blocker[0], _run_hold_reason(blocker[0], week, rules)), run
    if week.next_morning_worse_days or week.runs < rtr.repeats_per_stage_min:
        return Decision(
            "run",
            "hold",
            "next_morning_worse" if week.next_morning_worse_days else "stage_repeats",
            "Hold the running load this week.",
        ), run
    longest = run.max_single_run_km or caps.continuous_min_km.value
    single = round(longest * (1 + caps.single_run_increase_pct.value / 100), 1)
    why = f"{caps.single_run_increase_pct.plain} {caps.weekly_increase_pct.plain}"
    if load is not None:
        pct = caps.after_spike_increase_pct if load.spike_band != "none" else caps.single_run_increase_pct
        single = min(single, round(load.longest_run_30d_km * (1 + pct.value / 100), 1) or single)
        if load.spike_band != "none":
            why = f"Your watch shows a spike: {caps.after_spike_increase_pct.plain}"
    current = run.weekly_km_cap or single * run.runs_per_week
    weekly = round(current * (1 + caps.weekly_increase_pct.value / 100), 1)
    # grow from what was actually run (the watch, else the check-ins' own km), never from an unused
    # cap: a cap that grows while the runner stays below it invites a spike in a later week
    reported = sum(c.run_km or 0.0 for c in week.checkins)
    actual = max(load.weekly_run_km, load.chronic_weekly_run_km) if load is not None else reported
    if load is not None or reported > 0:
        weekly = max(
            round(current, 1), min(weekly, round(actual * (1 + caps.weekly_increase_pct.value / 100), 1))
        )
        if weekly <= round(current, 1):
            why += (
                f" The week's cap stays at {weekly:g} km: you ran about {actual:.0f} km of it, and it grows "
                "from what you actually run."
            )
    share = rules.phase(plan.phase).run_volume_pct
    if run.usual_weekly_km and weekly > (ceiling := round(run.usual_weekly_km * share / 100, 1)):
        # each phase runs at most its share of the runner's usual week; the next phase allows more
        weekly = max(round(current, 1), ceiling)
        why += (
            f" This phase keeps your week at about {share:g}% of your usual {run.usual_weekly_km:g} km "
            f"({weekly:g} km); the next phase allows more."
        )
    new = replace(run, max_single_run_km=min(single, weekly), weekly_km_cap=weekly, why=why)
    return Decision("run", "progress", "load_increase", "Running went well: a little more this week."), new


def _phase_step(
    plan: Plan,
    week: _Week,
    checkins: Sequence[CheckIn],
    today: date,
    rules: PlanRules,
    adherence: float,
    run: RunPrescription,
) -> tuple[Phase, str | None]:
    idx = PHASES.index(plan.phase)
    if week.flare(rules) and (week.over_acceptable_days >= 2 or week.morning_rising(rules)) and idx > 0:
        return PHASES[idx - 1], "phase_back_flare"
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
        max(c.worst_pain or 0, c.run_pain_during or 0) > pr.exit_activity_pain_max for c in window
    ):
        return plan.phase, None
    if pr.exit_min_adherence is not None and adherence < pr.exit_min_adherence:
        return plan.phase, None
    if pr.exit_no_next_morning_worse and any(c.next_morning_worse for c in window):
        return plan.phase, None
    if pr.exit_requires_run_mode and run.mode != pr.exit_requires_run_mode:
        return plan.phase, None
    return pr.exit_to, "phase_exit_criteria_met"


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
        ex.id,
        "exercise",
        ex.id,
        ex.name,
        level_no,
        exercise_dose(dose, irritability, len(days)),
        days,
        f"{why} {ex.plain}",
        tuple(ex.drivers),
        ex.evidence,
        tuple(ex.sources),
        False,
        None,
        today,
    )


def _adapt_items(
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
            if ex is None or ex_id in have or not _allowed(ex, phase, irritability, rules):
                continue
            out.append(
                _new_item(ex, session, irritability, "Springy, running-like work for full running.", today)
            )
            have.add(ex_id)
    kept = [e for e in kept if e.ref_id not in have]
    return out, list({e.ref_id: e for e in kept}.values())


def _names(titles: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c' or 'N exercises' (short titles, lower case)."""
    short = [re.sub(r"\s*\(.*?\)", "", t).strip() for t in titles]
    short = [t[:1].lower() + t[1:] for t in short]
    if len(short) > 3:
        return f"{len(short)} exercises"
    return short[0] if len(short) == 1 else f"{', '.join(short[:-1])} and {short[-1]}"


def review_summary(
    decisions: Sequence[Decision],
    plan: Plan,
    catalogue: Catalogue,
    phase_change: tuple[Phase, Phase] | None = None,
    paused: Sequence[str] = (),
    added: Sequence[str] = (),
) -> str:
    """The decisions of a weekly review in plain English for the runner (no rule ids).

    E.g. 'This week: high-load heel raise moves up a level because your pain stayed low and you
    did it on most days; the rest stay the same until your morning pain settles.' The rule ids stay
    in each :class:`Decision` for the clinician. ``paused`` and ``added`` are the titles of
    exercises the new phase pauses or brings in.
    """
    rules = catalogue.plan
    pr = rules.progression
    titles = {i.id: i.title for i in plan.items}
    exercise_ids = {i.id for i in plan.items if i.kind == "exercise"}
    ex = [d for d in decisions if d.item_id in exercise_ids]
    verb = {
        True: ("moves", "steps", "stays", "is", "it", "leaves"),
        False: ("move", "step", "stay", "are", "them", "leave"),
    }

    def group(action: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for d in ex:
            if d.action == action:
                out.setdefault(d.rule_id, []).append(titles.get(d.item_id, d.item_id))
        return out

    hold_why = {
        "pain_in_acceptable_band": f"until the pain during and after activity stays at "
        f"{rules.pain_monitoring.during_safe_max}/10 or less",
        "morning_pain_not_settled": "until your morning pain settles",
        "morning_pain_not_falling": "until your morning pain stops creeping up",
        "low_adherence": "until you do {it} on most of {its} days",
        "next_morning_worse": "because a morning after activity was worse",
        "level_too_recent": "for one more week (each of {its} levels lasts at least two weeks)",
        "pain_above_acceptable": f"because pain went above {rules.pain_monitoring.during_acceptable_max}/10",
        "morning_pain_rising": "because your morning pain rose",
    }
    back_why = {
        "pain_above_acceptable": f"because pain went above {rules.pain_monitoring.during_acceptable_max}/10",
        "morning_pain_rising": "because your morning pain rose",
        "next_morning_worse": "because the next morning was worse more than once",
    }
    clauses: list[str] = []
    progressed = [titles.get(d.item_id, d.item_id) for d in ex if d.action == "progress"]
    if progressed:
        one = len(progressed) == 1
        clauses.append(
            f"{_names(progressed)} {verb[one][0]} up a level because your pain stayed low and you did "
            f"{verb[one][4]} on most days"
        )
    for rule_id, names in group("regress").items():
        one = len(names) == 1
        if rule_id in ("high_load_irritability", "irritability_too_high"):
            clauses.append(f"{_names(names)} {verb[one][3]} paused until the heel is less irritable")
        else:
            why = back_why.get(rule_id, "to let the heel settle")
            clauses.append(f"{_names(names)} {verb[one][1]} back a level {why}")
    holds = group("hold")
    cap = holds.pop("progress_cap", [])
    if cap:
        one = len(cap) == 1
        clauses.append(
            f"{_names(cap)} {verb[one][3]} ready too but {'waits' if one else 'wait'} a week "
            f"(at most {pr.max_items_per_review} exercises move up at a time)"
        )
    top = holds.pop("top_level", [])
    if top:
        clauses.append(f"{_names(top)} {verb[len(top) == 1][3]} at the top level: keep going")
    paused_titles = [
        t for t in paused if t not in {titles.get(d.item_id) for d in ex if d.action == "regress"}
    ]
    holds = {
        rule_id: [n for n in names if n not in paused_titles]
        for rule_id, names in holds.items()
        if [n for n in names if n not in paused_titles]
    }
    if paused_titles:
        one = len(paused_titles) == 1
        clauses.append(f"{_names(paused_titles)} {verb[one][3]} paused for this phase")
    if added:
        clauses.append(f"{_names(list(added))} {verb[len(added) == 1][3]} added to the plan")
    only_one_group = len(holds) == 1
    for rule_id, names in holds.items():
        one = len(names) == 1
        why = hold_why.get(rule_id, "for now").format(
            it="it" if one else "them", its="its" if one else "their"
        )
        if only_one_group and not one:
            who, stay = ("the rest", "stay") if (progressed or clauses) else ("all exercises", "stay")
        else:
            who, stay = _names(names), verb[one][2]
        clauses.append(f"{who} {stay} the same {why}")
    for d in decisions:
        if d.item_id in exercise_ids:
            continue
        if d.item_id == "run":
            run_text = {
                "progress": "running moves to the next step"
                if d.rule_id == "stage_complete"
                else "running grows a little",
                "hold": "running stays as it is",
                "regress": "running steps back a little",
                "refer": "no running for now",
            }
            clauses.append(run_text[d.action])
        elif d.item_id in titles and d.rule_id.startswith("adjunct_"):
            clauses.append(f"{_names([titles[d.item_id]])} leaves the plan for now")
        elif d.item_id == "escalation":
            clauses.append("progress is slower than expected, so see a clinician (see the top of your plan)")
    text = "This week: " + ("; ".join(clauses) if clauses else "nothing changes") + "."
    if phase_change is not None:
        old, new = phase_change
        forward = PHASES.index(new) > PHASES.index(old)
        text += (
            f" You move on from the {old} phase to the {new} phase."
            if forward
            else f" You go back from the {old} phase to the {new} phase for a while; that is normal."
        )
    return text


def weekly_review(
    plan: Plan,
    checkins: Sequence[CheckIn],
    catalogue: Catalogue,
    today: date,
    load: LoadSnapshot | None = None,
) -> Review:
    """Review the 7 days ending ``today`` and return the next plan version.

    Pass every check-in since the plan started (at least the last 14 days): the previous week is
    needed to see whether morning pain is rising, the whole history to judge escalation.
    """
    rules = catalogue.plan
    week_start = today - timedelta(days=6)
    week = _facts(checkins, week_start, today, rules)
    adherence = _adherence(plan, week)
    recent = [c for c in checkins if min(week_start, plan.created) <= c.day <= today]
    symptoms = [s for c in recent for s in c.red_flag_symptoms]
    # A continue-safely referral (not improving, diabetes) keeps the plan going, banner on top.
    stops = (
        plan.referral is not None and getattr(plan, "referral_action", None) != "refer_and_continue_safely"
    )
    if symptoms or stops:
        if symptoms or plan.run.mode != "none" or any(i.kind == "exercise" for i in plan.items):
            return _referral_review(plan, week_start, today, symptoms, catalogue, adherence)
        pending = (Decision("run", "refer", "referral_pending", "Still waiting for a clinician's review."),)
        new = replace(plan, version=plan.version + 1, created=today, week=plan.week + 1)
        return Review(week_start, pending, new, None, plan.referral, (plan.referral or "",), None, adherence)

    messages: list[str] = []
    decisions: list[Decision] = []
    excluded = list(plan.excluded)
    if not week.checkins:
        decisions.append(Decision("run", "hold", "no_checkins", "No check-ins this week: nothing changes."))
        new_items = list(plan.items)
        run = plan.run
        messages.append(
            "No check-ins this week, so the plan stays the same. A daily 20-second check-in lets "
            "the plan adapt."
        )
        irritability = plan.irritability
    else:
        irritability = _irritability(week, rules, plan.irritability)
        new_items = []
        exercise_outcomes = _cap_progress(
            plan,
            [
                (item, *_exercise_decision(item, week, rules, catalogue, irritability, today))
                for item in plan.items
                if item.kind == "exercise"
            ],
            catalogue,
        )
        outcome_of = {o[0].id: o for o in exercise_outcomes}
        for item in plan.items:
            if item.kind == "exercise":
                _item, decision, new_item = outcome_of[item.id]
                decisions.append(decision)
                if new_item is not None:
                    new_items.append(new_item)
                else:
                    excluded.append(
                        ExcludedItem(item.ref_id, f"{item.title}: {decision.reason} {DEFERRED_NOTE}")
                    )
            elif item.kind == "adjunct":
                fs = week.first_step_mean or 0
                if item.until is not None and item.until <= today:
                    decisions.append(
                        Decision(
                            item.id,
                            "hold",
                            "adjunct_time_limit",
                            f"{item.title}: its time limit is reached; it leaves the plan.",
                        )
                    )
                elif fs < rules.adjuncts.min_first_step_pain:
                    decisions.append(
                        Decision(
                            item.id,
                            "hold",
                            "adjunct_not_needed",
                            f"{item.title}: morning pain is low now; it leaves the plan.",
                        )
                    )
                else:
                    new_items.append(item)
            else:
                new_items.append(item)
        run_decision, run = _run_decision(plan, week, rules, catalogue, load)
        decisions.append(run_decision)
        if week.over_acceptable():
            messages.append(
                f"Pain went above {rules.pain_monitoring.during_acceptable_max}/10 this week: "
                "nothing moves up, and the plan steps back where needed."
            )
        if week.morning_rising(rules):
            messages.append("Your morning pain is creeping up: the load steps back a little.")

    phase, phase_rule = _phase_step(plan, week, checkins, today, rules, adherence, run)
    phase_change = (plan.phase, phase) if phase != plan.phase else None
    calm = bool(week.checkins) and not week.flare(rules) and not week.next_morning_worse_days
    new_items, new_excluded = _adapt_items(
        new_items, excluded, phase, irritability, rules, catalogue, calm, today
    )
    if phase_change:
        decisions.append(
            Decision(
                "phase",
                "progress" if PHASES.index(phase) > PHASES.index(plan.phase) else "regress",
                phase_rule or "phase",
                f"Phase {plan.phase} -> {phase}.",
            )
        )
        messages.append(f"New phase: {phase}. {rules.phase(phase).goal}")

    referral: str | None = None
    esc = next((e for e in rules.escalation if e.after_weeks), None)
    if esc is not None and esc.after_weeks is not None and checkins and week.checkins:
        first_day = min(c.day for c in checkins)
        if (today - first_day).days >= esc.after_weeks * 7 - 1 and adherence >= (esc.min_adherence or 0):
            first_week = [c.first_step_pain for c in checkins if c.day < first_day + timedelta(days=7)]
            drop = mean(first_week) - (week.first_step_mean or 0)
            if drop < (esc.meaningful_first_step_drop or 0):
                referral = esc.plain
                messages.append(esc.plain)
                decisions.append(
                    Decision(
                        "escalation",
                        "refer",
                        esc.id,
                        f"First-step pain fell only {drop:.1f} points in {esc.after_weeks} weeks "
                        "of good adherence.",
                    )
                )

    if referral is None and plan.referral is not None:
        referral = plan.referral  # the continue-safely referral stays until a clinician has seen them
    recurrence = detect_recurrence(checkins, plan, catalogue)
    if recurrence is not None and recurrence.detected:
        messages.append(recurrence.message)
        topic = catalogue.education.get("why_it_keeps_coming_back")
        if topic is not None and not any(i.id == topic.id for i in new_items):
            new_items.append(education_item(topic, "Your check-ins show the passive-care loop."))
    if (
        strength_item_ids(plan, catalogue)
        and week.checkins
        and adherence < rules.review_adherence_to_progress.value
    ):
        messages.append(
            f"You did {adherence:.0%} of the strength sessions. They are what changes the load on "
            "the fascia; even two short sessions a week count."
        )

    old_exercises = {i.id for i in plan.items if i.kind == "exercise"}
    new_exercises = {i.id for i in new_items if i.kind == "exercise"}
    summary = review_summary(
        decisions,
        plan,
        catalogue,
        phase_change,
        paused=[i.title for i in plan.items if i.id in old_exercises - new_exercises],
        added=[i.title for i in new_items if i.kind == "exercise" and i.id not in old_exercises],
    )
    new_plan = replace(
        plan,
        version=plan.version + 1,
        created=today,
        phase=phase,
        week=1 if phase_change else plan.week + 1,
        irritability=irritability,
        items=tuple(new_items),
        excluded=tuple(new_excluded),
        run=run,
        rationale=f"{summary} {phase.capitalize()} phase: {rules.phase(phase).goal}",
    )
    return Review(
        week_start, tuple(decisions), new_plan, phase_change, referral, tuple(messages), recurrence, adherence
    )
