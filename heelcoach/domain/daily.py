"""The same-day answer to the morning check-in: green, amber or red, and the rule that decided it.

Usage::

    answer = daily_answer(todays_checkin, earlier_checkins, catalogue.plan)
    answer.colour, answer.rule_id, answer.because

Pure: takes check-ins and the plan rules, returns a value. Each rule of the pain-monitoring model is a
small named function; the first that fires (red rules before amber ones) decides the day.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from heelcoach.domain.progression import CheckIn
from heelcoach.knowledge.schema_plan import PlanRules

Colour = Literal["green", "amber", "red"]


class DailyRuleId(StrEnum):
    """The named rules of the same-day answer (the first that fires decides the day)."""

    WARNING_SIGN = "warning_sign"
    SEVERE_MORNING_PAIN = "severe_morning_pain"
    RUN_TOO_MUCH_NOT_SETTLED = "run_too_much_not_settled"
    RUN_PAIN_ABOVE_ACCEPTABLE = "run_pain_above_acceptable"
    NOT_SETTLED_BY_MORNING = "not_settled_by_morning"
    MORNING_PAIN_RISING = "morning_pain_rising"
    MORNING_PAIN_ABOVE_ACCEPTABLE = "morning_pain_above_acceptable"
    WITHIN_ACCEPTABLE = "within_acceptable"


@dataclass(frozen=True, slots=True, kw_only=True)
class DailyAnswer:
    """What to do today, in a colour, with the rule that decided it (``rule_id`` for tests and logs)."""

    colour: Colour
    title: str
    rule_id: DailyRuleId
    because: str
    do: tuple[str, ...]
    watch_for: tuple[str, ...] = ()
    run_share_pct: float = 100.0
    #: the top of the acceptable pain band (0-10), for the sentence that explains the model
    band_max: int = 5


@dataclass(frozen=True, slots=True)
class _Fired:
    colour: Colour
    rule_id: DailyRuleId
    because: str


_Rule = Callable[[CheckIn, CheckIn | None, PlanRules], _Fired | None]


def _symptom_words(ids: Sequence[str]) -> str:
    return ", ".join(i.replace("_", " ") for i in ids)


def warning_sign(today: CheckIn, _before: CheckIn | None, _rules: PlanRules) -> _Fired | None:
    """Any warning sign in the check-in stops training the same day (the plan pauses too)."""
    if not today.red_flag_symptoms:
        return None
    return _Fired(
        "red",
        DailyRuleId.WARNING_SIGN,
        f"You reported {_symptom_words(today.red_flag_symptoms)}: a warning sign that needs a clinician "
        "before you train on.",
    )


def severe_morning_pain(today: CheckIn, _before: CheckIn | None, rules: PlanRules) -> _Fired | None:
    """First-step pain at the 'highly irritable' cut-off: no running, gentle items only."""
    cut = rules.irritability.high_first_step_pain_min
    if today.first_step_pain < cut:
        return None
    return _Fired(
        "red",
        DailyRuleId.SEVERE_MORNING_PAIN,
        f"Your first steps hurt {today.first_step_pain}/10 ({cut}/10 or more means the heel is very "
        "irritable today).",
    )


def run_too_much_not_settled(today: CheckIn, _before: CheckIn | None, rules: PlanRules) -> _Fired | None:
    """Yesterday's run hurt above the acceptable band AND the heel had not settled by this morning."""
    pm = rules.pain_monitoring
    during = today.run_pain_during or 0
    after = today.run_pain_after or 0
    too_much = during > pm.during_acceptable_max or after > pm.after_max
    if not (too_much and today.next_morning_worse):
        return None
    return _Fired(
        "red",
        DailyRuleId.RUN_TOO_MUCH_NOT_SETTLED,
        f"Yesterday's run hurt more than {pm.during_acceptable_max}/10 and this morning is worse: "
        "the pain did not settle overnight.",
    )


def run_too_much(today: CheckIn, _before: CheckIn | None, rules: PlanRules) -> _Fired | None:
    """Pain during or after yesterday's run above the acceptable band."""
    pm = rules.pain_monitoring
    during = today.run_pain_during or 0
    after = today.run_pain_after or 0
    if during <= pm.during_acceptable_max and after <= pm.after_max:
        return None
    worst = max(during, after)
    return _Fired(
        "amber",
        DailyRuleId.RUN_PAIN_ABOVE_ACCEPTABLE,
        f"Yesterday's run hurt {worst}/10; up to {pm.during_acceptable_max}/10 is acceptable, more "
        "means it was too much.",
    )


def not_settled(today: CheckIn, _before: CheckIn | None, _rules: PlanRules) -> _Fired | None:
    """The heel has not settled by the next morning."""
    if not today.next_morning_worse:
        return None
    return _Fired(
        "amber",
        DailyRuleId.NOT_SETTLED_BY_MORNING,
        "This morning is worse than the morning before your run: pain should settle by the next morning.",
    )


def morning_rise(today: CheckIn, before: CheckIn | None, rules: PlanRules) -> _Fired | None:
    """First-step pain up by the model's next-morning rise since the last check-in."""
    if before is None:
        return None
    rise = today.first_step_pain - before.first_step_pain
    if rise < rules.pain_monitoring.next_morning_rise_points:
        return None
    return _Fired(
        "amber",
        DailyRuleId.MORNING_PAIN_RISING,
        f"Your first-step pain rose from {before.first_step_pain} to {today.first_step_pain}/10 since "
        f"{before.day:%A}.",
    )


def morning_pain_high(today: CheckIn, _before: CheckIn | None, rules: PlanRules) -> _Fired | None:
    """First-step pain above the acceptable band."""
    top = rules.pain_monitoring.during_acceptable_max
    if today.first_step_pain <= top:
        return None
    return _Fired(
        "amber",
        DailyRuleId.MORNING_PAIN_ABOVE_ACCEPTABLE,
        f"Your first steps hurt {today.first_step_pain}/10, above the acceptable {top}/10.",
    )


#: The rules in the order they are asked; the first that fires decides (red before amber).
RULES: tuple[_Rule, ...] = (
    warning_sign,
    severe_morning_pain,
    run_too_much_not_settled,
    run_too_much,
    not_settled,
    morning_rise,
    morning_pain_high,
)


def daily_answer(today: CheckIn, earlier: Sequence[CheckIn], rules: PlanRules) -> DailyAnswer:
    """Green, amber or red for ``today``'s check-in; ``earlier`` are check-ins before it (any order)."""
    before = max((c for c in earlier if c.day < today.day), key=lambda c: c.day, default=None)
    fired = next((f for rule in RULES if (f := rule(today, before, rules)) is not None), None)
    cfg = rules.daily_answer
    pm = rules.pain_monitoring
    if fired is None:
        fired = _Fired(
            "green",
            DailyRuleId.WITHIN_ACCEPTABLE,
            f"Your pain is within the acceptable band (up to {pm.during_acceptable_max}/10) and settling "
            "overnight.",
        )
    colour = cfg.warning_sign if fired.rule_id == DailyRuleId.WARNING_SIGN else getattr(cfg, fired.colour)
    share = {"green": 100.0, "amber": cfg.amber_run_share_pct, "red": 0.0}[fired.colour]
    return DailyAnswer(
        colour=fired.colour,
        title=colour.title,
        rule_id=fired.rule_id,
        because=fired.because,
        do=tuple(colour.do),
        watch_for=tuple(cfg.watch_for) if fired.colour == "red" else (),
        run_share_pct=share,
        band_max=pm.during_acceptable_max,
    )
