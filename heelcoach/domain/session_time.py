"""How long a plan item takes, estimated from its dose, and how long each day's session is.

Pure: the numbers (seconds per repetition without a tempo, rest between sets, setting up) come
from ``plan_rules.yaml: selection.session_time``. One *time* of an item is counted: an item done
several times a day puts one of its times in the session, the others elsewhere in the day.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date
from typing import Any, Protocol

from heelcoach.errors import InvalidInputError
from heelcoach.knowledge.schema_plan import PlanRules, SessionTime

__all__ = ["Timed", "day_minutes", "item_minutes", "rep_seconds", "session_minutes"]

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Timed(Protocol):
    """What the estimate needs from a plan item."""

    @property
    def kind(self) -> str: ...

    @property
    def dose(self) -> dict[str, Any]: ...

    @property
    def days(self) -> tuple[str, ...]: ...


#: Kinds of items that take time in a session (reading, shoes and runs do not).
SESSION_KINDS = frozenset({"exercise", "adjunct"})


def rep_seconds(dose: Mapping[str, Any], timing: SessionTime) -> float:
    """Seconds of one repetition: its tempo (up-hold-down) when given, else the default."""
    tempo = str(dose.get("tempo") or "")
    parts = [p for p in tempo.replace(" ", "").split("-") if p]
    try:
        return sum(float(p) for p in parts) if parts else timing.seconds_per_rep
    except ValueError:
        return timing.seconds_per_rep


def item_minutes(dose: Mapping[str, Any], timing: SessionTime) -> float:
    """Minutes of one time of an item: sets x reps x (rep + hold), rests, both sides, setting up.

    A dose in minutes counts as given (per side when it is per side). A dose with neither
    repetitions nor minutes (worn overnight, a splint) takes no session time.
    """
    sides = 2 if dose.get("per_side") else 1
    sets = int(dose.get("sets") or 1)
    if "minutes" in dose:
        work = float(dose["minutes"]) * 60 * sides
    elif "reps" in dose or "hold_s" in dose:
        reps = int(dose.get("reps") or 1)
        hold = float(dose.get("hold_s") or 0)
        work = sets * reps * (rep_seconds(dose, timing) + hold) * sides
    else:
        return 0.0
    rests = (sets - 1) * timing.rest_between_sets_s
    return (work + rests + timing.setup_s) / 60


def day_minutes(
    items: Iterable[Timed], day: str, timing: SessionTime, outside: Collection[str] = ()
) -> float:
    """Minutes of the session on ``day`` ('mon'...): one time of every item scheduled that day.

    ``outside``: ids to leave out of the count (none by default: the plan counts every item,
    the daily grade-A stretches included).
    """
    return sum(
        item_minutes(i.dose, timing)
        for i in items
        if i.kind in SESSION_KINDS and day in i.days and getattr(i, "ref_id", "") not in outside
    )


class HasItems(Protocol):
    """What :func:`session_minutes` needs from a plan (``domain.plan.Plan``)."""

    @property
    def items(self) -> Iterable[Timed]: ...


def session_minutes(plan: HasItems, day: date | str, rules: PlanRules) -> int:
    """About how many minutes the plan's session takes on ``day`` (a date or 'mon'...'sun'), in
    whole minutes: 0 on a day with nothing to do in a session, else at least 1.

    The same estimate the plan fits sessions with (``plan_rules.yaml: selection.session_time``),
    so a page can say "about N minutes today".
    """
    weekday = _WEEKDAYS[day.weekday()] if isinstance(day, date) else day
    if weekday not in _WEEKDAYS:
        raise InvalidInputError(f"day must be a date or one of {', '.join(_WEEKDAYS)}, got {day!r}")
    minutes = day_minutes(plan.items, weekday, rules.selection.session_time)
    return max(1, round(minutes)) if minutes > 0 else 0
