"""Doses and days: an exercise's dose within its level's bounds, and which session days it takes."""

from __future__ import annotations

from itertools import combinations, pairwise
from typing import Any

from heelcoach.domain.planning.model import WEEKDAYS
from heelcoach.domain.types import Irritability
from heelcoach.knowledge.schema import Dose

__all__ = ["exercise_dose", "session_days", "week_pattern"]

#: Spread sessions over the week so that strength days have a day between them where possible.
_DAY_PATTERNS: dict[int, tuple[str, ...]] = {
    1: ("wed",),
    2: ("mon", "thu"),
    3: ("mon", "wed", "fri"),
    4: ("mon", "wed", "fri", "sun"),
    5: ("mon", "tue", "wed", "fri", "sat"),
    6: ("mon", "tue", "wed", "thu", "fri", "sat"),
    7: WEEKDAYS,
}


def _pick(lo: float | None, hi: float | None, irritability: Irritability) -> float | None:
    if lo is None and hi is None:
        return None
    if lo is None or hi is None:
        return lo if lo is not None else hi
    if irritability == "high":
        return lo
    if irritability == "low":
        return hi
    return lo + (hi - lo) / 2


def _as_int(value: float | None) -> int | None:
    return None if value is None else int(value)


def exercise_dose(
    dose: Dose, irritability: Irritability, days: int, note: str | None = None
) -> dict[str, Any]:
    """A JSON-safe dose within the level's bounds: low end when irritable, high end when calm."""
    out: dict[str, Any] = {}
    sets = _as_int(_pick(dose.sets_min, dose.sets_max, irritability))
    reps = _as_int(_pick(dose.reps_min, dose.reps_max, irritability))
    hold = _pick(dose.hold_s_min, dose.hold_s_max, irritability)
    minutes = _pick(dose.minutes_min, dose.minutes_max, irritability)
    for key, value in (("sets", sets), ("reps", reps), ("hold_s", hold), ("minutes", minutes)):
        if value is not None:
            out[key] = value
    if dose.tempo:
        out["tempo"] = dose.tempo
    if dose.load:
        out["load"] = dose.load
    if dose.rm is not None:
        out["rm"] = dose.rm
    out["times_per_day"] = dose.times_per_day
    out["days_per_week"] = max(1, min(days, dose.days_per_week))
    out["per_side"] = dose.per_side
    if note:
        out["note"] = note
    return out


def week_pattern(n: int) -> tuple[str, ...]:
    """The session days of a week with ``n`` sessions (1-7)."""
    return _DAY_PATTERNS[max(1, min(7, n))]


def session_days(session: tuple[str, ...], k: int) -> tuple[str, ...]:
    """``k`` of the session days, as evenly spread as possible (rest days between where they fit).

    An item never adds a day to the runner's week: it always uses a subset of the session days.
    """
    if k >= len(session):
        return session

    def spread(combo: tuple[str, ...]) -> tuple[int, int, list[int]]:
        idx = [WEEKDAYS.index(d) for d in combo]
        gaps = [b - a for a, b in pairwise(idx)] + [idx[0] + 7 - idx[-1]]
        return min(gaps), -gaps.count(1), [-i for i in idx]

    best = max(combinations(session, max(1, k)), key=spread)
    return tuple(best)


# --------------------------------------------------------------------------------------------
# building blocks
