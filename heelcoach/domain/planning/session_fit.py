"""Fitting each day's session into the minutes the runner gives it, saying what was left out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from heelcoach.domain.planning.answers import answer_number
from heelcoach.domain.planning.builder import Builder
from heelcoach.domain.planning.model import WEEKDAYS, ExcludedItem, Plan, PlanItem
from heelcoach.domain.session_time import SESSION_KINDS, day_minutes, item_minutes
from heelcoach.knowledge.schema_plan import PlanRules, SessionTime

__all__ = ["fit_clinician_items", "fit_session", "over_run_notes", "refit_week"]

#: Who the runner reads as having added or set an item (``services.clinic_care.WHO``, lower case).
CLINICIAN = "your physiotherapist"


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
    clinician: frozenset[str] = frozenset(),
) -> tuple[list[PlanItem], list[ExcludedItem], list[PlanItem]]:
    """Fit a reviewed week into the runner's session minutes (a new phase brings exercises in, the
    heel raise's next level takes longer). The items a clinician added or set (ref ids in
    ``clinician``) come first and always stay; then items are kept in the order of
    :func:`_refit_rank` while every day they are on still fits; the rest are left out with the
    reason. ``before`` holds the ids of the previous week's items. Returns the items, the excluded
    list and the exercises the runner did last week that are left out for time."""
    if not budget or budget <= 0:
        return items, excluded, []
    timing = rules.selection.session_time

    def rank(i: PlanItem) -> tuple[int, int]:
        return (0 if i.ref_id in clinician else 1), _refit_rank(i, before, rules)

    def always(i: PlanItem) -> bool:  # the clinician's items, the heel raise and the daily stretches
        return i.ref_id in clinician or _refit_rank(i, before, rules) == 0

    dropped = _fit_greedily(items, rank, budget, timing, always)
    out_excluded = list(excluded)
    for item in dropped:
        if not any(e.ref_id == item.ref_id for e in out_excluded):
            first = _clinician_first(item, items, clinician)
            out_excluded.append(ExcludedItem(item.ref_id, _refit_reason(item, budget, timing, first)))
    gone = {i.id for i in dropped}
    left_out = [i for i in dropped if i.id in before and i.kind == "exercise"]
    return [i for i in items if i.id not in gone], out_excluded, left_out


def _clinician_first(item: PlanItem, items: list[PlanItem], clinician: frozenset[str]) -> bool:
    """Whether a clinician's item shares a day with ``item`` (then it is what came first)."""
    return any(i.ref_id in clinician and set(i.days) & set(item.days) for i in items)


def _refit_reason(item: PlanItem, budget: float, timing: SessionTime, clinician_first: bool = False) -> str:
    first = "the heel raise and the exercises you already do come first"
    if item.kind != "exercise":
        first = "optional care comes after the exercises"
    if clinician_first and item.kind == "exercise":
        first = f"what {CLINICIAN} added or set comes first, then {first.removesuffix(' come first')}"
    return (
        f"{item.title}: left out for now to fit your {budget:g}-minute sessions "
        f"(it takes about {item_minutes(item.dose, timing):.0f} minutes; {first})."
    )


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _days_words(days: list[str]) -> str:
    return _and([d.capitalize() for d in days])


def over_run_notes(
    items: list[PlanItem] | tuple[PlanItem, ...],
    budget: float | None,
    rules: PlanRules,
    clinician: frozenset[str],
) -> tuple[str, ...]:
    """What to tell the runner when the items a clinician added or set make a session run over the
    minutes the runner gives it: they stay (never dropped silently). Empty when nothing runs over
    on a day with a clinician's item."""
    if not budget or budget <= 0 or not clinician:
        return ()
    timing = rules.selection.session_time
    theirs = [i for i in items if i.ref_id in clinician]
    alone = {d: day_minutes(theirs, d, timing) for d in WEEKDAYS}
    over_alone = [d for d in WEEKDAYS if alone[d] > budget]
    if over_alone:
        most = max(alone[d] for d in over_alone)
        alone_words = (
            f"The items {CLINICIAN} added or set take about {most:.0f} minutes on "
            f"{_days_words(over_alone)}, past your {budget:g}-minute sessions: they all stay, so those "
            "sessions run over (give the session more time in your answers, or ask which can wait)."
        )
        return (alone_words,)
    total = {d: day_minutes(items, d, timing) for d in WEEKDAYS}
    over = [d for d in WEEKDAYS if total[d] > budget and alone[d] > 0]
    if not over:
        return ()
    words = (
        f"Your sessions on {_days_words(over)} run over your {budget:g} minutes (about "
        f"{max(total[d] for d in over):.0f} minutes): the items {CLINICIAN} added or set stay, "
        "with the heel raise and the daily stretches."
    )
    return (words,)


def fit_clinician_items(before: Plan, plan: Plan, rules: PlanRules) -> tuple[Plan, tuple[str, ...]]:
    """``plan`` (a clinician's change to ``before``, or a plan built again with the clinician's terms)
    fitted into the runner's session minutes with the items the clinician added or set first: the
    lowest-priority engine items give way (as at a weekly review), and the notes say which, or that
    the session runs over when the clinician's items need more than the minutes."""
    clinician = plan.clinician.prescribed
    if not plan.session_minutes or not clinician or plan.stops_loading:
        return plan, ()
    kept, excluded, _left = refit_week(
        list(plan.items),
        list(plan.excluded),
        plan.session_minutes,
        rules,
        frozenset(i.id for i in before.items),
        clinician,
    )
    gone = [i.title for i in plan.items if i not in kept]
    notes = list(over_run_notes(kept, plan.session_minutes, rules, clinician))
    if gone:
        are = "is" if len(gone) == 1 else "are"
        notes.insert(
            0,
            f"To fit your {plan.session_minutes:g}-minute sessions, {_and(gone)} {are} left "
            f"out for now: what {CLINICIAN} added or set comes first.",
        )
    return replace(plan, items=tuple(kept), excluded=tuple(excluded)), tuple(notes)
