"""The weekly review's exercise rules: each a small named step (``RuleId``) that either decides
what happens to one exercise or passes to the next, in the order a clinician would check them.

Order: safety (irritability pauses), the pain-monitoring flares (step back), one worse morning
(hold), top level, the progress blockers (pain band, morning pain), adherence counted in whole
sessions, time at level, then progress; at most ``max_items_per_review`` move up, by priority.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from heelcoach.domain.checkin import Action, Decision, RuleId, WeekFacts, item_sessions
from heelcoach.domain.plan import WEEKDAYS, Plan, PlanItem, exercise_dose, session_days
from heelcoach.domain.session_time import day_minutes, item_minutes
from heelcoach.domain.types import Irritability
from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.schema import Exercise
from heelcoach.knowledge.schema_plan import PlanRules

__all__ = [
    "HOLD_RULES",
    "RANK",
    "REGRESS_RULES",
    "ExerciseOutcome",
    "cap_progress",
    "exercise_decision",
    "review_irritability",
]

RANK: dict[str, int] = {"low": 0, "moderate": 1, "high": 2}
#: The rules that can keep an exercise at its level this week (the review says why for each).
HOLD_RULES: frozenset[RuleId] = frozenset(
    {
        RuleId.PAIN_ABOVE_ACCEPTABLE,  # a flare at level 1: nothing lower to step back to
        RuleId.MORNING_PAIN_RISING,
        RuleId.NEXT_MORNING_WORSE,
        RuleId.TOP_LEVEL,
        RuleId.PAIN_IN_ACCEPTABLE_BAND,  # the three progress blockers (``WeekFacts.progress_blocker``)
        RuleId.MORNING_PAIN_NOT_SETTLED,
        RuleId.MORNING_PAIN_NOT_FALLING,
        RuleId.LOW_ADHERENCE,
        RuleId.LEVEL_TOO_RECENT,
        RuleId.PROGRESS_CAP,
        RuleId.SESSION_TIME_FULL,
    }
)
#: The rules that step an exercise back a level or pause it (the review says why for each).
REGRESS_RULES: frozenset[RuleId] = frozenset(
    {
        RuleId.PAIN_ABOVE_ACCEPTABLE,
        RuleId.MORNING_PAIN_RISING,
        RuleId.NEXT_MORNING_WORSE,
        RuleId.HIGH_LOAD_IRRITABILITY,
        RuleId.IRRITABILITY_TOO_HIGH,
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExerciseOutcome:
    """What a weekly review does to one exercise: the rule's decision and the item in the next plan.

    ``paused``: the exercise leaves the plan for now (it waits in the excluded list and comes back
    when the heel allows it); ``next_item`` is then the item as it was.
    """

    item: PlanItem
    decision: Decision
    next_item: PlanItem
    paused: bool = False


def review_irritability(week: WeekFacts, rules: PlanRules, current: Irritability) -> Irritability:
    """The heel's irritability from this week's pain (``plan_rules.yaml: irritability``)."""
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


@dataclass(frozen=True)
class _Ctx:
    """What every exercise rule may read."""

    item: PlanItem
    ex: Exercise | None
    week: WeekFacts
    rules: PlanRules
    irritability: Irritability
    today: date

    @property
    def level(self) -> int:
        return self.item.level or 1

    def keep(self, decision: Decision) -> ExerciseOutcome:
        """The exercise stays at its level."""
        return ExerciseOutcome(item=self.item, decision=decision, next_item=self.item)

    def pause(self, decision: Decision) -> ExerciseOutcome:
        """The exercise leaves the plan for now."""
        return ExerciseOutcome(item=self.item, decision=decision, next_item=self.item, paused=True)

    def move_to(self, new_level: int, decision: Decision) -> ExerciseOutcome:
        """The exercise moves to ``new_level`` (up or back)."""
        return ExerciseOutcome(item=self.item, decision=decision, next_item=self.at(new_level))

    def at(self, new_level: int) -> PlanItem:
        """The item at ``new_level`` (dose and days of that level; level_since today)."""
        if self.ex is None or new_level == self.level:
            return self.item
        item = self.item
        new_dose = self.ex.levels[new_level - 1].dose
        days = item.days if item.days == WEEKDAYS else session_days(item.days, new_dose.days_per_week)
        dose = exercise_dose(new_dose, self.irritability, len(days), item.dose.get("note"))
        return replace(item, level=new_level, dose=dose, days=days, level_since=self.today)


Rule = Callable[[_Ctx], "ExerciseOutcome | None"]


def high_load_paused(c: _Ctx) -> ExerciseOutcome | None:
    """HIGH_LOAD_IRRITABILITY: heavy heel raises pause while the heel is irritable."""
    hl = c.rules.high_load
    if c.ex is not None and c.ex.id in hl.exercise_ids and c.irritability not in hl.allowed_irritability:
        return c.pause(
            Decision(
                item_id=c.item.id,
                action="regress",
                rule_id=RuleId.HIGH_LOAD_IRRITABILITY,
                reason="The heel is irritable again: heavy heel raises pause until it settles.",
            )
        )
    return None


def too_irritable(c: _Ctx) -> ExerciseOutcome | None:
    """IRRITABILITY_TOO_HIGH: an exercise pauses above its irritability limit."""
    if c.ex is not None and RANK[c.irritability] > RANK[c.ex.max_irritability]:
        return c.pause(
            Decision(
                item_id=c.item.id,
                action="regress",
                rule_id=RuleId.IRRITABILITY_TOO_HIGH,
                reason=f"{c.ex.name} pauses while the heel is this irritable; it comes back when it settles.",
            )
        )
    return None


def flare_step_back(c: _Ctx) -> ExerciseOutcome | None:
    """PAIN_ABOVE_ACCEPTABLE, MORNING_PAIN_RISING, NEXT_MORNING_WORSE (twice): one level back."""
    pm = c.rules.pain_monitoring
    back: Action = "regress" if c.level > 1 else "hold"
    step = "one level back." if c.level > 1 else "stay at this level."
    flares = (
        (
            c.week.over_acceptable(),
            RuleId.PAIN_ABOVE_ACCEPTABLE,
            f"Pain went above {pm.during_acceptable_max}/10 (or above {pm.after_max}/10 afterwards): {step}",
        ),
        (
            c.week.morning_rising(c.rules),
            RuleId.MORNING_PAIN_RISING,
            f"Morning pain rose compared with last week: {step}",
        ),
        (
            c.week.next_morning_worse_days >= 2,
            RuleId.NEXT_MORNING_WORSE,
            f"The next morning was worse more than once: {step}",
        ),
    )
    for fired, rule_id, reason in flares:
        if fired:
            return c.move_to(
                max(1, c.level - 1), Decision(item_id=c.item.id, action=back, rule_id=rule_id, reason=reason)
            )
    return None


def one_worse_morning(c: _Ctx) -> ExerciseOutcome | None:
    """NEXT_MORNING_WORSE (once): hold the level another week."""
    if c.week.next_morning_worse_days == 1:
        return c.keep(
            Decision(
                item_id=c.item.id,
                action="hold",
                rule_id=RuleId.NEXT_MORNING_WORSE,
                reason="One morning was worse after activity: hold this level another week.",
            )
        )
    return None


def top_level(c: _Ctx) -> ExerciseOutcome | None:
    """TOP_LEVEL: nothing above (or nothing above that the runner's equipment allows)."""
    top = len(c.ex.levels) if c.ex else c.level
    if c.item.max_level is not None and c.item.max_level < top:
        if c.level >= c.item.max_level:
            why = "Top level with the equipment you have: keep it up (the next level needs more)."
            return c.keep(Decision(item_id=c.item.id, action="hold", rule_id=RuleId.TOP_LEVEL, reason=why))
        return None
    if c.level >= top:
        return c.keep(
            Decision(
                item_id=c.item.id,
                action="hold",
                rule_id=RuleId.TOP_LEVEL,
                reason="Top level reached: keep it up.",
            )
        )
    return None


def pain_blocks(c: _Ctx) -> ExerciseOutcome | None:
    """PAIN_IN_ACCEPTABLE_BAND, MORNING_PAIN_NOT_SETTLED, MORNING_PAIN_NOT_FALLING: hold."""
    blocker = c.week.progress_blocker(c.rules)
    if blocker is not None:
        return c.keep(
            Decision(item_id=c.item.id, action="hold", rule_id=blocker.rule_id, reason=blocker.reason)
        )
    return None


def low_adherence(c: _Ctx) -> ExerciseOutcome | None:
    """LOW_ADHERENCE: fewer than 'most' of its sessions done this week (whole sessions, rounded)."""
    s = item_sessions(c.item, c.week.checkins, c.rules.progression.item_adherence_min)
    if not s.enough:
        return c.keep(
            Decision(
                item_id=c.item.id,
                action="hold",
                rule_id=RuleId.LOW_ADHERENCE,
                reason=f"Done {s.text()} this week: hold this level.",
            )
        )
    return None


def level_too_recent(c: _Ctx) -> ExerciseOutcome | None:
    """LEVEL_TOO_RECENT: some exercises stay at least N weeks at a level (Rathleff 2015)."""
    min_weeks = c.rules.progression.min_weeks_at_level.get(c.item.ref_id, 1)
    since = c.item.level_since
    weeks_at = None if since is None else max(0, math.ceil((c.today - since).days / 7))
    if weeks_at is not None and weeks_at < min_weeks:
        return c.keep(
            Decision(
                item_id=c.item.id,
                action="hold",
                rule_id=RuleId.LEVEL_TOO_RECENT,
                reason=f"{c.item.title} stays at least {min_weeks} weeks at each level: "
                "stay at this level one more week.",
            )
        )
    return None


def progress(c: _Ctx) -> ExerciseOutcome:
    """PROGRESS_CRITERIA_MET: up one level."""
    s = item_sessions(c.item, c.week.checkins, c.rules.progression.item_adherence_min)
    return c.move_to(
        c.level + 1,
        Decision(
            item_id=c.item.id,
            action="progress",
            rule_id=RuleId.PROGRESS_CRITERIA_MET,
            reason=f"Done {s.text()} with pain at {c.rules.pain_monitoring.during_safe_max}/10 or less and "
            f"steady morning pain: up to level {c.level + 1}.",
        ),
    )


#: The exercise rules in the order they are checked; the first that decides wins.
EXERCISE_RULES: tuple[Rule, ...] = (
    high_load_paused,
    too_irritable,
    flare_step_back,
    one_worse_morning,
    top_level,
    pain_blocks,
    low_adherence,
    level_too_recent,
)


def exercise_decision(
    item: PlanItem,
    week: WeekFacts,
    rules: PlanRules,
    catalogue: Catalogue,
    irritability: Irritability,
    today: date,
) -> ExerciseOutcome:
    """What happens to one exercise this week: the first of :data:`EXERCISE_RULES` that fires."""
    c = _Ctx(item, catalogue.exercises.get(item.ref_id), week, rules, irritability, today)
    for rule in EXERCISE_RULES:
        decided = rule(c)
        if decided is not None:
            return decided
    return progress(c)


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


def cap_progress(
    plan: Plan, outcomes: Sequence[ExerciseOutcome], catalogue: Catalogue
) -> list[ExerciseOutcome]:
    """PROGRESS_CAP: at most ``max_items_per_review`` exercises move up, by priority; the others hold."""
    rules = catalogue.plan
    cap = rules.progression.max_items_per_review
    ready = sorted(
        (o for o in outcomes if o.decision.action == "progress"),
        key=lambda o: _priority(o.item, plan, catalogue, rules),
    )
    chosen = {o.item.id for o in ready[:cap]}
    why = (
        f"Ready to move up, but at most {cap} exercises move up in one week so you can tell "
        "what the heel tolerates: it moves up at a later review."
    )
    return [
        ExerciseOutcome(
            item=o.item,
            decision=Decision(item_id=o.item.id, action="hold", rule_id=RuleId.PROGRESS_CAP, reason=why),
            next_item=o.item,
        )
        if o.decision.action == "progress" and o.item.id not in chosen
        else o
        for o in outcomes
    ]


def cap_session_time(
    plan: Plan, outcomes: Sequence[ExerciseOutcome], catalogue: Catalogue
) -> list[ExerciseOutcome]:
    """SESSION_TIME_FULL: an exercise moves up only if its next level still fits every day it is on
    into the runner's session minutes (``Plan.session_minutes``); the core heel raise always may.
    Exercises are taken in the order of :func:`_priority`."""
    budget = plan.session_minutes
    if not budget:
        return list(outcomes)
    rules = catalogue.plan
    timing = rules.selection.session_time
    used = {d: day_minutes(plan.items, d, timing) for d in WEEKDAYS}
    held: set[str] = set()
    ready = sorted(
        (o for o in outcomes if o.decision.action == "progress"),
        key=lambda o: _priority(o.item, plan, catalogue, rules),
    )
    moving = 0
    for o in ready:
        if moving == rules.progression.max_items_per_review:
            break  # the rest wait for the cap anyway (cap_progress, same order)
        extra = item_minutes(o.next_item.dose, timing) - item_minutes(o.item.dose, timing)
        fits = all(used[d] + extra <= budget for d in o.next_item.days)
        if extra > 0 and not fits and o.item.ref_id not in rules.selection.calf:
            held.add(o.item.id)
            continue
        moving += 1
        for d in o.next_item.days:
            used[d] += extra
    why = (
        f"Ready to move up, but the next level would take your sessions past {budget:g} minutes: "
        "it stays at this level (give the session more time in your answers to let it move up)."
    )
    return [
        ExerciseOutcome(
            item=o.item,
            decision=Decision(item_id=o.item.id, action="hold", rule_id=RuleId.SESSION_TIME_FULL, reason=why),
            next_item=o.item,
        )
        if o.item.id in held
        else o
        for o in outcomes
    ]
