"""Daily check-ins and the facts a weekly review reads from them: pain bands, flares, adherence.

Every rule the review applies has a name in :class:`RuleId`, so a clinician reading a decision
(or the store) can find the rule here or in ``plan_rules.yaml``. This module imports no other
domain module, so :mod:`progression` and :mod:`recurrence` can both build on it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from statistics import mean
from typing import Literal, Protocol

from heelcoach.knowledge.schema_plan import PlanRules

__all__ = [
    "Action",
    "Adherence",
    "Blocker",
    "CheckIn",
    "Decision",
    "RuleId",
    "Sessions",
    "WeekFacts",
    "overall_adherence",
    "rule_text",
    "sessions_needed",
    "times_done",
    "times_per_day",
    "week_facts",
]

Action = Literal["progress", "hold", "regress", "refer"]


class RuleId(StrEnum):
    """The named rules of the weekly review (stored with each decision)."""

    # safety
    RED_FLAG = "red_flag"
    WARNING_SIGN = "warning_sign"
    REFERRAL_PENDING = "referral_pending"
    # pain monitoring (Silbernagel): step back, hold, or allow progress
    PAIN_ABOVE_ACCEPTABLE = "pain_above_acceptable"
    MORNING_PAIN_RISING = "morning_pain_rising"
    NEXT_MORNING_WORSE = "next_morning_worse"
    PAIN_IN_ACCEPTABLE_BAND = "pain_in_acceptable_band"
    MORNING_PAIN_NOT_SETTLED = "morning_pain_not_settled"
    MORNING_PAIN_NOT_FALLING = "morning_pain_not_falling"
    # exercise pace
    HIGH_LOAD_IRRITABILITY = "high_load_irritability"
    IRRITABILITY_TOO_HIGH = "irritability_too_high"
    TOP_LEVEL = "top_level"
    LOW_ADHERENCE = "low_adherence"
    LEVEL_TOO_RECENT = "level_too_recent"
    PROGRESS_CRITERIA_MET = "progress_criteria_met"
    PROGRESS_CAP = "progress_cap"
    SESSION_TIME_FULL = "session_time_full"
    # running
    NO_RUNNING = "no_running"
    NO_CHECKINS = "no_checkins"
    STAGE_REPEATS = "stage_repeats"
    STAGE_COMPLETE = "stage_complete"
    LOAD_INCREASE = "load_increase"
    FLARE_STEP_BACK = "flare_step_back"
    FLARE_RECOVERY = "flare_recovery"
    FOLLOW_WHAT_WAS_RUN = "follow_what_was_run"
    # phases
    PHASE_BACK_FLARE = "phase_back_flare"
    PHASE_EXIT_CRITERIA_MET = "phase_exit_criteria_met"
    # adjuncts
    ADJUNCT_TIME_LIMIT = "adjunct_time_limit"
    ADJUNCT_NOT_NEEDED = "adjunct_not_needed"
    # escalation (the id of its rule in plan_rules.yaml: escalation)
    NO_PROGRESS_PHYSIO = "no_progress_physio"


def rule_text(rule_id: RuleId, rules: PlanRules) -> str:
    """What a rule of the weekly review means, for a clinician (``plan_rules.yaml: rule_texts``)."""
    return rules.rule_texts.weekly_review[rule_id.value]


@dataclass(frozen=True, slots=True, kw_only=True)
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

    @property
    def activity_pain(self) -> int:
        """The day's highest pain during activity (daily life, exercise or a run)."""
        return max(self.worst_pain or 0, self.run_pain_during or 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """What happens to one item, and the rule that decided it (a :class:`RuleId`, never a bare string)."""

    item_id: str
    action: Action
    rule_id: RuleId
    reason: str

    def __post_init__(self) -> None:
        if not isinstance(self.rule_id, RuleId):
            raise TypeError(f"rule_id must be a RuleId, got {self.rule_id!r}")


@dataclass(frozen=True, slots=True)
class Blocker:
    """Why nothing may move up this week: the rule and its plain reason."""

    rule_id: RuleId
    reason: str


@dataclass(frozen=True, kw_only=True)
class WeekFacts:
    """Pain and running facts of the review window (the 7 days ending on the review day)."""

    checkins: tuple[CheckIn, ...]
    first_step_mean: float | None
    previous_mean: float | None
    max_activity: int
    max_run_during: int
    max_after: int
    next_morning_worse_days: int
    over_acceptable_days: int
    runs: int
    run_km: float

    def morning_rising(self, rules: PlanRules) -> bool:
        """Rule MORNING_PAIN_RISING: mean first-step pain up by ``morning_rise_points`` or more."""
        return (
            self.morning_rise() >= rules.pain_monitoring.morning_rise_points
            and self.previous_mean is not None
        )

    def over_acceptable(self) -> bool:
        """Rule PAIN_ABOVE_ACCEPTABLE: any day above the acceptable band (during or after)."""
        return self.over_acceptable_days > 0

    def activity_pain_max(self) -> int:
        """The highest pain during or after activity (exercise, daily life or running) this week."""
        return max(self.max_activity, self.max_after)

    def morning_rise(self) -> float:
        """Mean first-step pain this week minus last week's (0 when either week has no check-ins)."""
        if self.first_step_mean is None or self.previous_mean is None:
            return 0.0
        return self.first_step_mean - self.previous_mean

    def flare(self, rules: PlanRules) -> bool:
        """A flare: pain above acceptable, morning pain rising, or two worse mornings in a week."""
        return self.over_acceptable() or self.morning_rising(rules) or self.next_morning_worse_days >= 2

    def tolerated(self, rules: PlanRules) -> bool:
        """No flare and no worse morning: a week the heel tolerated (pain up to acceptable)."""
        return bool(self.checkins) and not self.flare(rules) and not self.next_morning_worse_days

    def pain_free(self, rules: PlanRules) -> bool:
        """A tolerated week whose pain during and after activity stayed in the safe band."""
        return self.tolerated(rules) and self.activity_pain_max() <= rules.pain_monitoring.during_safe_max

    def progress_blocker(self, rules: PlanRules) -> Blocker | None:
        """Why nothing may move up this week, or None when the week allows it.

        Progress needs pain during and after activity in the safe band, mild morning pain and
        morning pain that does not rise (``plan_rules.yaml: progression``).
        """
        pr = rules.progression
        pain = self.activity_pain_max()
        if pain > rules.pain_monitoring.during_safe_max:
            return Blocker(
                RuleId.PAIN_IN_ACCEPTABLE_BAND,
                f"Pain during or after activity reached {pain}/10 this week; that is acceptable, but "
                f"moving up waits until it stays at {rules.pain_monitoring.during_safe_max}/10 or less: "
                "stay at this level.",
            )
        if self.first_step_mean is not None and self.first_step_mean > pr.progress_first_step_pain_mean_max:
            return Blocker(
                RuleId.MORNING_PAIN_NOT_SETTLED,
                f"Morning first-step pain averaged {self.first_step_mean:.1f}/10; moving up waits until "
                f"it settles to {pr.progress_first_step_pain_mean_max:g}/10 or less: stay at this level.",
            )
        if self.morning_rise() > pr.progress_morning_rise_max_points:
            return Blocker(
                RuleId.MORNING_PAIN_NOT_FALLING,
                "Morning first-step pain was a little higher than last week: stay at this level.",
            )
        return None


def week_facts(
    checkins: Sequence[CheckIn],
    week_start: date,
    today: date,
    rules: PlanRules,
    watch_km: float | None = None,
) -> WeekFacts:
    """The facts of the days ``week_start`` .. ``today`` (``watch_km``: the watch's km, if any)."""
    pm = rules.pain_monitoring
    week = tuple(sorted((c for c in checkins if week_start <= c.day <= today), key=lambda c: c.day))
    prev = [c for c in checkins if week_start - timedelta(days=7) <= c.day < week_start]
    over = sum(
        1
        for c in week
        if c.activity_pain > pm.during_acceptable_max or (c.run_pain_after or 0) > pm.after_max
    )
    logged_km = sum(c.run_km or 0.0 for c in week)
    return WeekFacts(
        checkins=week,
        first_step_mean=mean(c.first_step_pain for c in week) if week else None,
        previous_mean=mean(c.first_step_pain for c in prev) if prev else None,
        max_activity=max((c.activity_pain for c in week), default=0),
        max_run_during=max((c.run_pain_during or 0 for c in week), default=0),
        max_after=max((c.run_pain_after or 0 for c in week), default=0),
        next_morning_worse_days=sum(1 for c in week if c.next_morning_worse),
        over_acceptable_days=over,
        runs=sum(1 for c in week if (c.run_km or 0) > 0 or (c.run_minutes or 0) > 0),
        run_km=round(max(logged_km, watch_km or 0.0), 1),
    )


class Scheduled(Protocol):
    """An item with an id and the weekdays it is scheduled on (a plan item)."""

    @property
    def id(self) -> str: ...

    @property
    def days(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Sessions:
    """How many of an item's sessions were done, how many were scheduled, how many count as enough."""

    done: int
    expected: int
    needed: int

    @property
    def enough(self) -> bool:
        return self.done >= self.needed

    def text(self) -> str:
        """'2 of 3 sessions (2 needed)'."""
        return f"{self.done} of {self.expected} sessions ({self.needed} needed)"


def sessions_needed(expected: int, share: float) -> int:
    """Whole sessions that make 'most' of ``expected``: the share rounded to the nearest session,
    and always more than half (2 of 2, 2 of 3 heavy sessions, 3 of 4, 5 of 7 daily ones)."""
    if expected <= 0:
        return 0
    return max(math.floor(expected * share + 0.5), expected // 2 + 1)


def times_per_day(item: Scheduled) -> int:
    """How many times a day the item is done (its dose's ``times_per_day``; 1 when not given)."""
    dose = getattr(item, "dose", None) or {}
    try:
        return max(1, int(dose.get("times_per_day", 1)))
    except (TypeError, ValueError):
        return 1


def times_done(item: Scheduled, checkin: CheckIn) -> int:
    """Times ``item`` was ticked in one check-in: one tick per time, at most its times a day."""
    return min(times_per_day(item), checkin.done_items.count(item.id))


def item_sessions(item: Scheduled, checkins: Iterable[CheckIn], share: float) -> Sessions:
    """Rule LOW_ADHERENCE's count for one item over one review week.

    An item done several times a day counts each time (one tick per time); any other item counts
    a day once.
    """
    expected = len(item.days) * times_per_day(item)
    done = min(expected, sum(times_done(item, c) for c in checkins))
    return Sessions(done=done, expected=expected, needed=sessions_needed(expected, share))


_WEEKDAY_IDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True, kw_only=True)
class Adherence:
    """The share of scheduled sessions done over a window, with the counts behind it."""

    share: float
    done: int
    expected: int


_NO_ADHERENCE = Adherence(share=0.0, done=0, expected=0)


def overall_adherence(
    items: Sequence[Scheduled], checkins: Sequence[CheckIn], today: date, window_days: int
) -> Adherence:
    """Sessions of ``items`` done and scheduled over the last ``window_days`` days, and the share.

    The window starts no earlier than the first check-in (a plan a week old is judged on a week);
    days with no check-in count as not done.
    """
    if not checkins or not items:
        return _NO_ADHERENCE
    first = min(c.day for c in checkins)
    start = max(today - timedelta(days=window_days - 1), first)
    days = [start + timedelta(days=n) for n in range((today - start).days + 1)]
    window = [c for c in checkins if start <= c.day <= today]
    expected = done = 0
    for item in items:
        n = sum(1 for d in days if _WEEKDAY_IDS[d.weekday()] in item.days) * times_per_day(item)
        expected += n
        done += min(n, sum(times_done(item, c) for c in window))
    if expected == 0:
        return _NO_ADHERENCE
    return Adherence(share=round(done / expected, 3), done=done, expected=expected)
