"""Recurrence detection: the passive-care loop of seed 000 (relief from passive care, pain back
with running, strength work skipped), found in the daily check-ins."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from heelcoach.domain.checkin import CheckIn
from heelcoach.knowledge import Catalogue

if TYPE_CHECKING:
    from heelcoach.domain.plan import Plan

__all__ = ["RecurrenceFinding", "detect_recurrence", "strength_item_ids"]

#: Fewer check-ins than this in the window say nothing either way.
_MIN_CHECKINS = 7


@dataclass(frozen=True, slots=True, kw_only=True)
class RecurrenceFinding:
    """Whether the loop is there, the observations behind it and a plain message."""

    detected: bool
    evidence: tuple[str, ...]
    message: str


def strength_item_ids(plan: Plan, catalogue: Catalogue) -> frozenset[str]:
    """Ids of the plan's strength and control exercises (not stretches)."""
    out = set()
    for item in plan.items:
        if item.kind != "exercise":
            continue
        ex = catalogue.exercises.get(item.ref_id)
        if ex is None or ex.category != "stretch":
            out.add(item.id)
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class _Relief:
    """Relief from passive care: the lowest first-step pain it reached on a passive-only day that
    eased the pain (None: no such day), that day, and the worst first-step pain before."""

    low: int | None
    day: date | None
    peak_before: int


def _relief(
    window: Sequence[CheckIn], did_strength: Callable[[CheckIn], bool], relief_points: float
) -> _Relief:
    """The passive-only day that eased first-step pain the most (by at least ``relief_points``)."""
    relief_low: int | None = None
    relief_day: date | None = None
    peak_before = window[0].first_step_pain
    for c in window:
        peak_before = max(peak_before, c.first_step_pain)
        eased = peak_before - c.first_step_pain >= relief_points
        lower = relief_low is None or c.first_step_pain < relief_low
        if c.passive_used and not did_strength(c) and eased and lower:
            relief_low, relief_day = c.first_step_pain, c.day
    return _Relief(relief_low, relief_day, peak_before)


def _pain_back(window: Sequence[CheckIn], relief: _Relief, back_points: float) -> str | None:
    """After the relief, a run and then pain back up by ``back_points`` (first steps or during a
    run): the observation, or None."""
    if relief.day is None or relief.low is None:
        return None
    ran = False
    for c in window:
        if c.day <= relief.day:
            continue
        ran = ran or bool(c.run_km or c.run_minutes)
        during = c.run_pain_during or 0
        if ran and (c.first_step_pain - relief.low >= back_points or during - relief.low >= back_points):
            return f"after running, pain came back to {max(c.first_step_pain, during)}/10 on {c.day}"
    return None


def detect_recurrence(
    checkins: Sequence[CheckIn], plan: Plan, catalogue: Catalogue
) -> RecurrenceFinding | None:
    """Look for the loop in the last ``window_days`` of check-ins; None when there is too little data."""
    rule = catalogue.plan.recurrence
    if not checkins:
        return None
    last = max(c.day for c in checkins)
    window = sorted(
        (c for c in checkins if c.day > last - timedelta(days=rule.window_days)), key=lambda c: c.day
    )
    if len(window) < _MIN_CHECKINS:
        return None
    strength = strength_item_ids(plan, catalogue)

    def did_strength(c: CheckIn) -> bool:
        return bool(strength & set(c.done_items)) if strength else bool(c.done_items)

    passive_only = [c for c in window if c.passive_used and not did_strength(c)]
    strength_share = sum(1 for c in window if did_strength(c)) / len(window)
    evidence: list[str] = []
    if len(passive_only) >= rule.passive_only_days_min:
        evidence.append(f"{len(passive_only)} days with passive care only (no strength work)")

    # relief: first-step pain falls during passive-only days; pain back: a run followed by a rise
    relief = _relief(window, did_strength, rule.relief_points)
    if relief.low is not None:
        evidence.append(
            f"first-step pain eased to {relief.low}/10 with passive care "
            f"(from {relief.peak_before}/10 at worst)"
        )
    back = _pain_back(window, relief, rule.pain_back_points)
    if back is not None:
        evidence.append(back)
    skipped = strength_share <= rule.strength_done_share_max
    if skipped:
        strength_days = sum(1 for c in window if did_strength(c))
        evidence.append(f"strength or control exercises on {strength_days} of {len(window)} check-in days")
    detected = (
        len(passive_only) >= rule.passive_only_days_min
        and relief.low is not None
        and back is not None
        and skipped
    )
    message = (
        rule.message.strip() if detected else "No sign of the passive-care loop in your recent check-ins."
    )
    return RecurrenceFinding(detected=detected, evidence=tuple(evidence), message=message)
