"""New evidence (self-tests, a gait report, watch files) merged into the current plan: the items
the evidence calls for are added or swapped in, while the phase, the week and the levels reached
stay; each change is said in plain words.

A fresh plan built from all the evidence (``build_plan``) says which exercises the evidence calls
for and why; the current plan says where the runner is. Exercises in both keep their current
level, days and ``level_since`` with the fresh reason; new ones start at their first level;
ones the fresh plan no longer has leave, named.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from heelcoach.domain.phases import adapt_items
from heelcoach.domain.plan import ExcludedItem, Plan, PlanItem
from heelcoach.domain.planning.clinician import keep_terms
from heelcoach.domain.planning.model import ClinicianTerms
from heelcoach.knowledge import Catalogue

__all__ = ["Merged", "merge_new_evidence"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Merged:
    """The next plan version and what changed (plain sentences for the runner)."""

    plan: Plan
    changes: tuple[str, ...]


def _first_sentence(text: str) -> str:
    head = text.split(". ")[0].strip().rstrip(".")
    return head + "."


@dataclass(frozen=True, slots=True)
class _MergedExercises:
    """The exercises of the merged plan and what changed among them (plain sentences)."""

    items: list[PlanItem]
    changes: list[str]


def _merge_exercises(current: Plan, fresh: Plan, today: date) -> _MergedExercises:
    have = {i.ref_id: i for i in current.items if i.kind == "exercise"}
    # a clinician's held item never comes in (``keep_terms``), so it is never said to
    wanted = [i for i in fresh.items if i.kind == "exercise" and i.ref_id not in current.clinician.held]
    out: list[PlanItem] = []
    changes: list[str] = []
    for item in wanted:
        old = have.get(item.ref_id)
        if old is not None:
            out.append(replace(old, why=item.why, drivers=item.drivers, evidence=item.evidence))
        else:
            out.append(replace(item, level_since=today))
            changes.append(f"Added {item.title}: {_first_sentence(item.why)}")
    kept = {i.ref_id for i in wanted}
    for ref_id, old in have.items():
        if ref_id not in kept and ref_id not in current.clinician.prescribed:  # a clinician's item stays
            changes.append(f"{old.title} leaves the plan: the new results point to other work first.")
    return _MergedExercises(out, changes)


def merge_new_evidence(current: Plan, fresh: Plan, catalogue: Catalogue, today: date, source: str) -> Merged:
    """The next version of ``current`` with the exercises and running cue ``fresh`` calls for.

    Phase, week, irritability, levels reached and the running caps stay; a plan that stops
    loading (a referral) is returned unchanged apart from the version (nothing to merge into).
    """
    rules = catalogue.plan
    if current.stops_loading:
        return Merged(plan=replace(current, version=current.version + 1, created=today), changes=())
    merged = _merge_exercises(current, fresh, today)
    exercises, changes = merged.items, merged.changes
    others = [i for i in current.items if i.kind != "exercise"]
    have_ids = {i.id for i in others}
    others += [i for i in fresh.items if i.kind in ("education", "adjunct") and i.id not in have_ids]
    fresh_excluded = [e for e in fresh.excluded if e.ref_id not in {i.ref_id for i in exercises}]
    fitted = adapt_items(
        exercises, fresh_excluded, current.phase, current.irritability, rules, catalogue, False, today
    )
    run = current.run
    if fresh.run.cadence_cue_pct != run.cadence_cue_pct and fresh.run.cadence_cue_pct is not None:
        run = replace(run, cadence_cue_pct=fresh.run.cadence_cue_pct)
        changes.append(f"Running: raise your step rate by about {fresh.run.cadence_cue_pct:g}% on easy runs.")
    if not changes:
        changes.append("Nothing in the plan needed to change: it already covers what the new results show.")
    text = f"Updated with your {source}, keeping your phase, week and levels. " + " ".join(changes)
    if current.clinician != ClinicianTerms():
        text += " Your physiotherapist's changes are kept."
    plan = replace(
        current,
        version=current.version + 1,
        created=today,
        items=(*fitted.items, *others),
        excluded=tuple(_unique(fitted.excluded)),
        run=run,
        driver_priority=fresh.driver_priority,
        rationale=text,
    )
    return Merged(plan=keep_terms(current, plan), changes=tuple(changes))


def _unique(entries: list[ExcludedItem]) -> list[ExcludedItem]:
    return list({e.ref_id: e for e in entries}.values())
