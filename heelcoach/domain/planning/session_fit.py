"""Fitting each day's session into the minutes the runner gives it, saying what was left out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from heelcoach.domain.planning.answers import answer_number
from heelcoach.domain.planning.builder import Builder
from heelcoach.domain.planning.model import WEEKDAYS, ExcludedItem, PlanItem
from heelcoach.domain.session_time import SESSION_KINDS, item_minutes
from heelcoach.knowledge.schema_plan import PlanRules, SessionTime

__all__ = ["fit_session", "refit_week"]


def _fit_rank(b: Builder, item: PlanItem) -> tuple[int, float]:
    """Which items a short session keeps first: the heel raise (the core strength work), then the
    daily grade-A stretches, then the exercises for the runner's drivers (strongest first), then
    the other exercises, optional care last."""
    if item.kind != "exercise":
        return 4, 0.0
    if item.ref_id in b.rules.selection.calf:
        return 0, 0.0
    if item.ref_id in b.rules.selection.stretches:
        return 1, 0.0
    driven = [b.strength_of(d) for d in item.drivers if d in {a.id for a in b.active()}]
    return (2, -max(driven)) if driven else (3, 0.0)


def _fit_reason(item: PlanItem, minutes: float, budget: float, rank: int) -> str:
    first = (
        "optional care comes after the exercises"
        if rank == 4
        else "the heel raise and the exercises for your main drivers come first"
    )
    if rank == 0:
        first = "it is the core of the plan: give it the time if you can"
    elif rank == 1:
        first = "the heel raise comes first; the stretch is still worth a few minutes across the day"
    return (
        f"{item.title}: left out to fit your {budget:g}-minute sessions "
        f"(it takes about {minutes:.0f} minutes; {first})."
    )


def _fit_greedily(
    items: list[PlanItem],
    rank: Callable[[PlanItem], Any],
    budget: float,
    timing: SessionTime,
    always: Callable[[PlanItem], bool] = lambda _item: False,
) -> list[PlanItem]:
    """The one fitting rule: session items in the order of ``rank`` join while every day they are
    on stays within ``budget`` minutes (``always`` ones join regardless); returns those left out,
    in that order."""
    used = dict.fromkeys(WEEKDAYS, 0.0)
    dropped: list[PlanItem] = []
    for item in sorted((i for i in items if i.kind in SESSION_KINDS), key=rank):  # stable sort
        minutes = item_minutes(item.dose, timing)
        if always(item) or all(used[d] + minutes <= budget for d in item.days):
            for d in item.days:
                used[d] += minutes
        else:
            dropped.append(item)
    return dropped


def fit_session(b: Builder) -> None:
    """Fit each day's session into the minutes the runner gives it (intake ``minutes_per_session``).

    Items are kept in the order of :func:`_fit_rank` while every day they are on still fits
    (estimated from the doses, ``domain.session_time``); the rest are left out with the reason.
    The daily grade-A stretches count like every other item (one time of each a day: the others
    are done across the day, the plantar-fascia stretch before the first steps).
    """
    budget = answer_number(b.answers, "minutes_per_session", 0)
    if budget <= 0:
        return
    timing = b.rules.selection.session_time
    sel = b.rules.selection
    for item in _fit_greedily(b.items, lambda i: _fit_rank(b, i), budget, timing):
        b.items.remove(item)
        b.exclude(
            item.ref_id, _fit_reason(item, item_minutes(item.dose, timing), budget, _fit_rank(b, item)[0])
        )
    # passive care never outnumbers the strength work, also after a short session left some out
    n_strength = sum(1 for i in b.items if i.kind == "exercise" and i.ref_id not in sel.stretches)
    for extra in [i for i in b.items if i.kind == "adjunct"][n_strength:]:
        b.items.remove(extra)
        b.exclude(
            extra.ref_id,
            f"{extra.title}: never more passive tools than strength exercises, and your "
            f"{budget:g}-minute sessions leave room for {n_strength} of those.",
        )


def _refit_rank(item: PlanItem, before: frozenset[str], rules: PlanRules) -> int:
    """At a weekly review, as when the plan was made: the heel raise (whichever level of it the
    review chose) and the daily stretches always stay; then the exercises the runner already does,
    then the ones the review brings in, optional care last (each group in plan order)."""
    sel = rules.selection
    if item.ref_id in sel.calf or item.ref_id in sel.stretches:
        return 0
    if item.kind == "exercise":
        return 1 if item.id in before else 2
    return 3


def refit_week(
    items: list[PlanItem],
    excluded: list[ExcludedItem],
    budget: float | None,
    rules: PlanRules,
    before: frozenset[str],
) -> tuple[list[PlanItem], list[ExcludedItem], list[PlanItem]]:
    """Fit a reviewed week into the runner's session minutes (a new phase brings exercises in, the
    heel raise's next level takes longer). Items are kept in the order of :func:`_refit_rank` while
    every day they are on still fits; the rest are left out with the reason. ``before`` holds the
    ids of the previous week's items. Returns the items, the excluded list and the exercises the
    runner did last week that are left out for time."""
    if not budget or budget <= 0:
        return items, excluded, []
    timing = rules.selection.session_time
    dropped = _fit_greedily(
        items,
        lambda i: _refit_rank(i, before, rules),
        budget,
        timing,
        always=lambda i: _refit_rank(i, before, rules) == 0,
    )
    out_excluded = list(excluded)
    for item in dropped:
        if not any(e.ref_id == item.ref_id for e in out_excluded):
            out_excluded.append(ExcludedItem(item.ref_id, _refit_reason(item, budget, timing)))
    gone = {i.id for i in dropped}
    left_out = [i for i in dropped if i.id in before and i.kind == "exercise"]
    return [i for i in items if i.id not in gone], out_excluded, left_out


def _refit_reason(item: PlanItem, budget: float, timing: SessionTime) -> str:
    first = "the heel raise and the exercises you already do come first"
    if item.kind != "exercise":
        first = "optional care comes after the exercises"
    return (
        f"{item.title}: left out for now to fit your {budget:g}-minute sessions "
        f"(it takes about {item_minutes(item.dose, timing):.0f} minutes; {first})."
    )
