"""A clinician's changes to a plan, screened by the same planning steps that build a plan, and kept
by every later version (the weekly review, new evidence merged in).

- :func:`new_exercise` and :func:`new_adjunct` add an item the way the plan builder would (the
  equipment, phase and irritability screening of :func:`~heelcoach.domain.planning.exercises.add_exercise`,
  the contraindication screening of :func:`~heelcoach.domain.planning.adjuncts.exclude_unsafe_tools`);
  a refusal names the reason in a clinician's words.
- :func:`at_level` sets an exercise's level and dose within the knowledge base's bounds for that level.
- :func:`keep_terms` keeps a clinician's decisions in the next version: held items stay out,
  added items stay in, a clinician's running cap stays a ceiling.

Pure: values in, values out; every number comes from the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from heelcoach.domain.planning.adjuncts import _adjunct_item as adjunct_item
from heelcoach.domain.planning.adjuncts import exclude_unsafe_tools
from heelcoach.domain.planning.builder import Builder
from heelcoach.domain.planning.dose import exercise_dose
from heelcoach.domain.planning.exercises import EQUIPMENT_LABELS, add_exercise
from heelcoach.domain.planning.model import (
    DEFERRED_NOTE,
    WEEKDAYS,
    ClinicianTerms,
    ExcludedItem,
    Plan,
    PlanItem,
)
from heelcoach.domain.planning.session_fit import CLINICIAN, fit_clinician_items
from heelcoach.errors import InvalidInputError
from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.schema import Dose, Exercise, PassiveTherapy

__all__ = [
    "DOSE_FIELDS",
    "Carried",
    "ChangeRefusedError",
    "at_level",
    "carry_terms",
    "keep_terms",
    "new_adjunct",
    "new_exercise",
]

#: The dose values a clinician may set: (dose key, the level's bounds, the word for it).
DOSE_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("sets", "sets", "sets"),
    ("reps", "reps", "repetitions"),
    ("hold_s", "hold_s", "seconds of hold"),
    ("minutes", "minutes", "minutes"),
)


class ChangeRefusedError(InvalidInputError):
    """A clinician's change the engine refuses; the message says why (in a clinician's words)."""


def _builder(
    catalogue: Catalogue, plan: Plan, answers: Mapping[str, Any], flags: frozenset[str], today: date
) -> Builder:
    return Builder(
        catalogue=catalogue,
        answers=answers,
        phase=plan.phase,
        irritability=plan.irritability,
        flags=flags,
        drivers=(),
        start=today,
    )


def _strength_days(plan: Plan) -> tuple[str, ...]:
    return max(
        (i.days for i in plan.items if i.kind == "exercise" and i.days != WEEKDAYS),
        key=len,
        default=("mon", "wed", "fri"),
    )


def new_exercise(
    catalogue: Catalogue,
    plan: Plan,
    answers: Mapping[str, Any],
    ex_id: str,
    today: date,
    why: str,
) -> PlanItem:
    """The exercise as the plan builder would add it (its equipment, phase and irritability checks),
    on the plan's strength days (daily for the stretches); ChangeRefusedError with the builder's reason."""
    ex = catalogue.exercises.get(ex_id)
    if ex is None:
        raise ChangeRefusedError(
            f"{ex_id!r} is not an exercise of the knowledge base: choose one from the list."
        )
    if any(i.ref_id == ex_id for i in plan.items):
        raise ChangeRefusedError(f"{ex.name} is in the plan already: set its level instead.")
    barred = catalogue.triage.barred_exercises({e.ref_id for e in plan.excluded})
    if ex_id in barred:  # the condition plan leaves it out on purpose, as the builder does
        raise ChangeRefusedError(
            f"Refused: {ex.name}: the plan for this runner's condition avoids it. {barred[ex_id]}"
        )
    item, reason = _screen_exercise(catalogue, plan, answers, ex, today, why)
    if item is None:
        raise ChangeRefusedError(f"Refused: {_clinician_words(reason)}")
    return item


def _screen_exercise(
    catalogue: Catalogue, plan: Plan, answers: Mapping[str, Any], ex: Exercise, today: date, why: str
) -> tuple[PlanItem | None, str]:
    """The exercise as the builder would add it to ``plan`` and "", or None and the builder's reason
    (in the runner's words, ending with ``DEFERRED_NOTE`` when it only waits for the heel)."""
    b = _builder(catalogue, plan, answers, frozenset(), today)
    days_n = 7 if ex.id in catalogue.plan.selection.stretches else len(_strength_days(plan))
    if add_exercise(b, ex.id, why, tuple(ex.drivers), days_n):
        return b.items[0], ""
    return None, next((e.reason for e in b.excluded if e.ref_id == ex.id), f"{ex.name}: not possible now.")


def _clinician_words(reason: str) -> str:
    """The builder's reason (written to the runner) for the clinician: 'the runner', not 'you'."""
    out = reason.replace(" which you do not have", " which the runner does not have")
    return out.replace("(you are in ", "(the runner is in ").replace(" It comes in when the heel allows.", "")


def _safety_words(catalogue: Catalogue, flags: frozenset[str]) -> str:
    notes = [r.note for r in catalogue.triage.safety_rules if r.flag in flags]
    return " ".join(dict.fromkeys(notes))


def _hits(catalogue: Catalogue, therapy: PassiveTherapy, flags: frozenset[str]) -> list[str]:
    """The runner's safety flags that rule the tool out (by name, or by its kind)."""
    kinds = {str(k): v for k, v in catalogue.plan.adjuncts.safety_excludes_kinds.items()}
    return sorted(f for f in flags if f in therapy.contraindications or therapy.kind in kinds.get(f, []))


def new_adjunct(
    catalogue: Catalogue,
    plan: Plan,
    answers: Mapping[str, Any],
    flags: frozenset[str],
    therapy_id: str,
    today: date,
) -> PlanItem:
    """The passive tool as an optional, time-limited item on the strength days, screened against the
    runner's contraindications exactly as the plan builder screens it; ChangeRefusedError naming them."""
    therapy = catalogue.passive.get(therapy_id)
    if therapy is None:
        raise ChangeRefusedError(f"{therapy_id!r} is not in the knowledge base: choose one from the list.")
    if any(i.ref_id == therapy_id for i in plan.items):
        raise ChangeRefusedError(f"{therapy.name} is in the plan already.")
    if not therapy.self_administered:
        raise ChangeRefusedError(f"{therapy.name} is given in the clinic, not done at home: not a plan item.")
    b = _builder(catalogue, plan, answers, flags, today)
    exclude_unsafe_tools(b)
    if any(e.ref_id == therapy_id for e in b.excluded):
        hits = _hits(catalogue, therapy, flags)
        named = ", ".join(h.replace("_", " ") for h in hits)
        raise ChangeRefusedError(
            f"Refused: {therapy.name} is contraindicated for this runner ({named}, from their screening "
            f"answers). {_safety_words(catalogue, frozenset(hits))}"
        )
    return adjunct_item(b, therapy, _strength_days(plan))


def _bounds(dose: Dose, key: str) -> tuple[float | None, float | None]:
    return getattr(dose, f"{key}_min"), getattr(dose, f"{key}_max")


def _check_dose(ex: Exercise, level_no: int, values: Mapping[str, float]) -> None:
    dose = ex.levels[level_no - 1].dose
    for key, bound, word in DOSE_FIELDS:
        if key not in values:
            continue
        lo, hi = _bounds(dose, bound)
        if lo is None and hi is None:
            raise ChangeRefusedError(f"Level {level_no} of {ex.name} has no {word} to set.")
        low, high = lo if lo is not None else hi, hi if hi is not None else lo
        assert low is not None
        assert high is not None
        if not low <= values[key] <= high:
            raise ChangeRefusedError(
                f"Refused: {values[key]:g} {word} is outside the knowledge base's range for level "
                f"{level_no} of {ex.name} ({low:g} to {high:g})."
            )


def at_level(
    catalogue: Catalogue, plan: Plan, item: PlanItem, level_no: int, values: Mapping[str, float], today: date
) -> PlanItem:
    """The exercise at ``level_no`` (up or down) with its dose for that level, the clinician's values
    in place of the engine's where given; ChangeRefusedError outside the level's bounds or the equipment."""
    ex = catalogue.exercises.get(item.ref_id)
    if ex is None or item.kind != "exercise":
        raise ChangeRefusedError(f"{item.title} has no levels to set.")
    if not 1 <= level_no <= len(ex.levels):
        raise ChangeRefusedError(
            f"Refused: {ex.name} has levels 1 to {len(ex.levels)} in the knowledge base, not {level_no}."
        )
    if item.max_level is not None and level_no > item.max_level:
        needs = " and ".join(EQUIPMENT_LABELS.get(e, e) for e in ex.levels[item.max_level].needs)
        raise ChangeRefusedError(
            f"Refused: level {item.max_level + 1} of {ex.name} needs {needs}, which the runner does not have "
            f"(highest possible: level {item.max_level})."
        )
    _check_dose(ex, level_no, values)
    dose = exercise_dose(
        ex.levels[level_no - 1].dose, plan.irritability, len(item.days), item.dose.get("note")
    )
    dose.update({k: (int(v) if k in ("sets", "reps") else v) for k, v in values.items()})
    since = item.level_since if level_no == item.level else today
    return replace(item, level=level_no, dose=dose, level_since=since)


def _held_entries(previous: Plan, nxt: Plan) -> list[ExcludedItem]:
    held = set(nxt.clinician.held)
    have = {e.ref_id for e in nxt.excluded}
    return [e for e in previous.excluded if e.ref_id in held and e.ref_id not in have]


def _capped_run(nxt: Plan) -> Plan:
    cap, run = nxt.clinician.weekly_km_cap, nxt.run
    if cap is None or not run.runs_per_week or (run.weekly_km_cap is not None and run.weekly_km_cap <= cap):
        return nxt
    single = run.max_single_run_km
    note = f"Capped at {cap:g} km a week by your physiotherapist."
    why = run.why if note in run.why else f"{run.why} {note}".strip()
    capped = replace(
        run, weekly_km_cap=cap, max_single_run_km=min(single, cap) if single is not None else cap, why=why
    )
    return replace(nxt, run=capped)


def keep_terms(previous: Plan, nxt: Plan) -> Plan:
    """``nxt`` (a review's or a merge's next version) with the clinician's decisions kept: held items
    stay out, added items that the engine did not pause stay in, the clinician's cap stays a ceiling."""
    terms: ClinicianTerms = previous.clinician
    if terms == ClinicianTerms():
        return nxt
    nxt = replace(nxt, clinician=terms)
    held = set(terms.held)
    items = [i for i in nxt.items if i.ref_id not in held]
    present = {i.ref_id for i in items} | {e.ref_id for e in nxt.excluded}
    items += [i for i in previous.items if i.ref_id in terms.added and i.ref_id not in present]
    excluded = [
        *[e for e in nxt.excluded if not any(i.ref_id == e.ref_id for i in items)],
        *_held_entries(previous, nxt),
    ]
    return _capped_run(replace(nxt, items=tuple(items), excluded=tuple(excluded)))


# --------------------------------------------------------------------------------------------
# A plan built again from scratch (new answers, a clearance's graded return, ``heelcoach plan --new``)


@dataclass(frozen=True, slots=True)
class Carried:
    """A plan built again, with the previous version's clinician terms carried over.

    ``words``: what the version note says about the terms (empty when there were none);
    ``set_aside``: the clinician's items the new plan's safety rules set aside, each with why."""

    plan: Plan
    words: str = ""
    set_aside: tuple[ExcludedItem, ...] = ()


@dataclass(frozen=True, slots=True)
class _Rescreened:
    """One of the clinician's items after the new plan's screening: kept (maybe a level lower for
    the equipment), or set aside with why (``waits``: only until the heel allows; the term stays)."""

    item: PlanItem | None
    aside: ExcludedItem | None = None
    waits: bool = False
    note: str = ""


def _aside(item: PlanItem, why: str) -> ExcludedItem:
    return ExcludedItem(item.ref_id, f"{item.title}, which {CLINICIAN} added or set, is set aside: {why}")


def _rescreen_exercise(
    catalogue: Catalogue, base: Plan, answers: Mapping[str, Any], prev: PlanItem, today: date
) -> _Rescreened:
    ex = catalogue.exercises[prev.ref_id]
    screened, reason = _screen_exercise(catalogue, base, answers, ex, today, prev.why)
    if screened is None:
        why = reason.removeprefix(f"{ex.name}: ").removesuffix(DEFERRED_NOTE).strip()
        if reason.endswith(DEFERRED_NOTE):  # the engine's pause: reviews bring it back when the heel allows
            entry = ExcludedItem(prev.ref_id, f"{_aside(prev, why).reason} {DEFERRED_NOTE}")
            return _Rescreened(None, entry, waits=True)
        return _Rescreened(None, _aside(prev, why))
    top = screened.max_level
    if top is not None and prev.level is not None and prev.level > top:
        lower = at_level(catalogue, base, replace(prev, max_level=top), top, {}, today)
        note = f"{prev.title} is at level {top}, the highest the equipment in your answers allows."
        return _Rescreened(lower, note=note)
    return _Rescreened(replace(prev, max_level=top))


def _rescreen(
    catalogue: Catalogue,
    base: Plan,
    answers: Mapping[str, Any],
    flags: frozenset[str],
    prev: PlanItem,
    today: date,
) -> _Rescreened:
    """The clinician's item ``prev`` screened again against the new plan ``base`` (its phase,
    irritability, the runner's equipment and contraindications, the avoid rules of the condition it
    treats now): kept at its level and dose, or set aside."""
    # a condition plan's avoid rule (left out on purpose: no step drops for an insertional Achilles)
    barred = catalogue.triage.barred_exercises({e.ref_id for e in base.excluded})
    if prev.ref_id in barred:
        return _Rescreened(None, _aside(prev, f"the plan for your heel now avoids it: {barred[prev.ref_id]}"))
    if prev.kind == "exercise" and prev.ref_id in catalogue.exercises:
        return _rescreen_exercise(catalogue, base, answers, prev, today)
    therapy = catalogue.passive.get(prev.ref_id)
    hits = _hits(catalogue, therapy, flags) if therapy is not None else []
    if hits:
        named = ", ".join(h.replace("_", " ") for h in hits)
        why = f"it is not safe for you now ({named}, from your answers)."
        return _Rescreened(None, _aside(prev, f"{why} {_safety_words(catalogue, frozenset(hits))}".strip()))
    return _Rescreened(prev)


def _stopped(terms: ClinicianTerms, previous: Plan, fresh: Plan) -> Carried:
    """A new plan that stops loading (a warning sign in the answers): the safety rule wins over every
    item the clinician added or set; held items and a running cap stay terms."""
    mine = [i for i in previous.items if i.ref_id in terms.prescribed]
    aside = tuple(_aside(i, "the new answers stop training until a clinician has seen you.") for i in mine)
    kept = replace(terms, added=(), levels_set=())
    items = tuple(i for i in fresh.items if i.ref_id not in terms.held)
    others = tuple(e for e in fresh.excluded if e.ref_id not in {a.ref_id for a in aside})
    excluded = (*_held_entries(previous, replace(fresh, excluded=others, clinician=kept)), *aside)
    plan = replace(fresh, items=items, excluded=(*others, *excluded), clinician=kept)
    return Carried(plan, _carried_words(plan, [], aside, ()), aside)


def _replace_items(items: tuple[PlanItem, ...], carried: list[PlanItem]) -> tuple[PlanItem, ...]:
    """``items`` with each carried item in place of the engine's one of the same ref id (else added)."""
    mine = {i.ref_id: i for i in carried}
    out = [mine.pop(i.ref_id, i) for i in items]
    return (*out, *mine.values())


def carry_terms(
    previous: Plan,
    fresh: Plan,
    catalogue: Catalogue,
    answers: Mapping[str, Any],
    flags: frozenset[str],
    today: date,
) -> Carried:
    """``fresh`` (a plan built from scratch) with ``previous``'s clinician terms carried over: held
    items stay out, the items the clinician added or set stay in at their level and dose, a running
    cap stays a ceiling, and the clinician's items are fitted first into the session minutes.

    The safety rules of the new build win: a plan that stops loading, a contraindication from the
    answers (``flags``), or the builder's phase, irritability and equipment screening sets a
    clinician's item aside, said in :attr:`Carried.words` and in the plan's excluded list."""
    terms = previous.clinician
    if terms == ClinicianTerms():
        return Carried(fresh)
    if fresh.stops_loading:
        return _stopped(terms, previous, fresh)
    base = replace(fresh, items=tuple(i for i in fresh.items if i.ref_id not in terms.held), clinician=terms)
    carried: list[PlanItem] = []
    aside: list[ExcludedItem] = []
    gone: set[str] = set()
    notes: list[str] = []
    for prev in (i for i in previous.items if i.ref_id in terms.prescribed):
        without = replace(base, items=tuple(i for i in base.items if i.ref_id != prev.ref_id))
        done = _rescreen(catalogue, without, answers, flags, prev, today)
        carried += [done.item] if done.item is not None else []
        aside += [done.aside] if done.aside is not None else []
        gone |= {prev.ref_id} if done.item is None and not done.waits else set()
        notes += [done.note] if done.note else []
    kept = replace(
        terms,
        added=tuple(r for r in terms.added if r not in gone),
        levels_set=tuple(r for r in terms.levels_set if r not in gone),
    )
    plan = _carried_plan(previous, base, carried, aside, kept)
    plan, fitted = fit_clinician_items(fresh, plan, catalogue.plan)
    return Carried(plan, _carried_words(plan, carried, tuple(aside), (*notes, *fitted)), tuple(aside))


def _carried_plan(
    previous: Plan, base: Plan, carried: list[PlanItem], aside: list[ExcludedItem], kept: ClinicianTerms
) -> Plan:
    mine = {i.ref_id for i in carried} | {e.ref_id for e in aside} | set(kept.held)
    excluded = [e for e in base.excluded if e.ref_id not in mine]
    held = _held_entries(previous, replace(base, excluded=tuple(excluded), clinician=kept))
    plan = replace(
        base,
        items=_replace_items(base.items, carried),
        excluded=(*excluded, *held, *aside),
        clinician=kept,
    )
    return _capped_run(plan)


def _carried_words(
    plan: Plan, carried: list[PlanItem], aside: tuple[ExcludedItem, ...], notes: tuple[str, ...]
) -> str:
    """The version note on the clinician's terms: what stays, what gives way for time, what the
    safety rules set aside."""
    terms = plan.clinician
    parts = [f"{i.title} stays in{f' at level {i.level}' if i.level else ''}" for i in carried]
    held = [e.reason.split(":", 1)[0] for e in plan.excluded if e.ref_id in terms.held]
    parts += [f"{name} stays out" for name in held]
    if terms.weekly_km_cap is not None:
        parts.append(f"running stays capped at {terms.weekly_km_cap:g} km a week")
    said = [f"Your physiotherapist's changes are kept: {'; '.join(parts)}."] if parts else []
    said += [*notes, *(f"For your safety: {e.reason}" for e in aside)]
    return " ".join(w.strip() for w in said)
