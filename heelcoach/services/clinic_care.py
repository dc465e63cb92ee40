"""What a clinician does for a runner who shares with their clinic: change the plan (a new version
with the clinician's reason, shown to the runner), record in-clinic test results, and keep notes
private to the clinic's staff.

Plan changes go through the planning steps that build a plan (``domain.planning.clinician``): an
added exercise passes the builder's equipment, phase and irritability checks, an added tool its
contraindication screening, a level and dose stay within the knowledge base's bounds for that
level. The clinician's decisions are kept by every later version (``ClinicianTerms``): the weekly
review never brings back a held item, progresses an added one like the others, and keeps a
clinician's running cap as a ceiling until a clinician lifts it.

The web layer checks the policy (``change_plan``, ``clinic_notes``) before calling these; every
change and note is audited here, in the same transaction as the write.

Usage::

    change_plan(ctx, actor, person_id, PlanChange("step_back", "Pain after the last session.",
                item_id="calf_raise_bent_knee"))
    change_plan(ctx, actor, person_id, PlanChange("add", "Foot strength for the arch.",
                new_id="short_foot", level=2))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from heelcoach.domain import plan as plan_mod
from heelcoach.domain import screen as screen_mod
from heelcoach.domain.plan import Plan, PlanItem
from heelcoach.domain.planning import clinician as rules
from heelcoach.domain.planning.clinician import DOSE_FIELDS, ChangeRefusedError
from heelcoach.domain.planning.model import ClinicianTerms
from heelcoach.domain.planning.session_fit import fit_clinician_items
from heelcoach.domain.warning_signs import open_warning_signs
from heelcoach.errors import InvalidInputError
from heelcoach.services import assess as assess_mod
from heelcoach.services.checkins import domain_checkin
from heelcoach.services.common import WEEK_DAYS, json_object
from heelcoach.services.context import AppContext
from heelcoach.services.policy import Actor
from heelcoach.store.accounts import AccountRow, AuditRow, ClinicNoteRow, ClinicRow
from heelcoach.store.base import transaction
from heelcoach.store.repositories import PlanVersionRecord, Repos

ChangeKind = Literal["add", "remove", "swap", "set_level", "hold", "step_back", "run_cap", "lift_cap", "note"]
CHANGE_KINDS: tuple[ChangeKind, ...] = (
    "add",
    "remove",
    "swap",
    "set_level",
    "hold",
    "step_back",
    "run_cap",
    "lift_cap",
    "note",
)
#: Who the runner reads as having changed their plan.
WHO = "Your physiotherapist"
MAX_NOTE_CHARS = 2000
#: Changes that add load: refused while a warning sign is open, as well as while the plan is paused.
LOADING: frozenset[str] = frozenset({"add", "swap", "set_level"})
#: A result entered by a clinician is marked so in the stored self-test session.
MEASURED_IN_CLINIC = "clinic"

__all__ = [
    "CHANGE_KINDS",
    "DOSE_FIELDS",
    "CareError",
    "ChangeKind",
    "ClinicTest",
    "PlanChange",
    "add_note",
    "change_plan",
    "notes",
    "record_clinic_tests",
]

#: The domain's refusal, under the name the web layer catches.
CareError = ChangeRefusedError


@dataclass(frozen=True, slots=True)
class PlanChange:
    """One change. ``item_id``: the plan item changed (remove, swap, set_level, hold, step_back);
    ``new_id``: the catalogue exercise or tool added (add, swap); ``level`` and ``dose`` (sets,
    reps, hold_s, minutes) for an exercise added or set; ``weekly_km`` for a running cap."""

    kind: ChangeKind
    reason: str
    item_id: str | None = None
    weekly_km: float | None = None
    new_id: str | None = None
    level: int | None = None
    dose: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Runner:
    """What the screening reads about the runner: the answers, their safety flags, recent check-ins."""

    answers: Mapping[str, Any]
    flags: frozenset[str]
    warning_signs: tuple[str, ...]


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _item(plan: Plan, item_id: str | None, kinds: Sequence[str] = ("exercise",)) -> PlanItem:
    item = next((i for i in plan.items if i.id == item_id and i.kind in kinds), None)
    if item is None:
        what = "an exercise" if kinds == ("exercise",) else "an exercise or tool"
        raise CareError(f"Choose {what} that is in the current plan.")
    return item


def _terms(
    plan: Plan, *, hold: str | None = None, add: str | None = None, level: str | None = None
) -> ClinicianTerms:
    t = plan.clinician
    held = [r for r in t.held if r != add] + ([hold] if hold and hold not in t.held else [])
    added = [r for r in t.added if r != hold] + ([add] if add and add not in t.added else [])
    levels = [r for r in t.levels_set if r != hold] + ([level] if level and level not in t.levels_set else [])
    return dataclasses.replace(t, held=tuple(held), added=tuple(added), levels_set=tuple(levels))


def _without(plan: Plan, item: PlanItem, words: str) -> Plan:
    """The plan with ``item`` taken out for good (until a clinician adds it back)."""
    items = tuple(i for i in plan.items if i.id != item.id)
    out = plan_mod.ExcludedItem(item.ref_id, f"{item.title}: {words}, by your physiotherapist.")
    excluded = (*[e for e in plan.excluded if e.ref_id != item.ref_id], out)
    return dataclasses.replace(plan, items=items, excluded=excluded, clinician=_terms(plan, hold=item.ref_id))


def _hold(plan: Plan, change: PlanChange) -> tuple[Plan, str]:
    item = _item(plan, change.item_id)
    return _without(plan, item, "on hold"), f"put {item.title} on hold"


def _remove(plan: Plan, change: PlanChange) -> tuple[Plan, str]:
    item = _item(plan, change.item_id, ("exercise", "adjunct"))
    return _without(plan, item, "taken out"), f"took {item.title} out of your plan"


def _new_item(ctx: AppContext, plan: Plan, runner: _Runner, change: PlanChange, today: date) -> PlanItem:
    """The catalogue item, screened by the planning steps, at the clinician's level and dose."""
    new_id = change.new_id or ""
    why = f"Added by your physiotherapist: {' '.join(change.reason.split())}"
    if new_id in ctx.catalogue.exercises:
        item = rules.new_exercise(ctx.catalogue, plan, runner.answers, new_id, today, why)
        if change.level is not None or change.dose:
            item = rules.at_level(
                ctx.catalogue, plan, item, change.level or item.level or 1, change.dose, today
            )
        return item
    if new_id in ctx.catalogue.passive:
        if change.level is not None or change.dose:
            raise CareError("A tool has no levels: leave the level and dose empty.")
        return rules.new_adjunct(ctx.catalogue, plan, runner.answers, runner.flags, new_id, today)
    raise CareError("Choose an exercise or tool from the knowledge base's list.")


def _with_new(plan: Plan, item: PlanItem) -> Plan:
    excluded = tuple(e for e in plan.excluded if e.ref_id != item.ref_id)
    return dataclasses.replace(
        plan, items=(*plan.items, item), excluded=excluded, clinician=_terms(plan, add=item.ref_id)
    )


def _level_words(item: PlanItem) -> str:
    return f" at level {item.level}" if item.level is not None else ""


def _add(ctx: AppContext, plan: Plan, runner: _Runner, change: PlanChange, today: date) -> tuple[Plan, str]:
    item = _new_item(ctx, plan, runner, change, today)
    return _with_new(plan, item), f"added {item.title}{_level_words(item)}"


def _swap(ctx: AppContext, plan: Plan, runner: _Runner, change: PlanChange, today: date) -> tuple[Plan, str]:
    old = _item(plan, change.item_id, ("exercise", "adjunct"))
    item = _new_item(ctx, _without(plan, old, "swapped"), runner, change, today)
    swapped = _with_new(_without(plan, old, f"swapped for {item.title}"), item)
    return swapped, f"swapped {old.title} for {item.title}{_level_words(item)}"


def _set_level(ctx: AppContext, plan: Plan, change: PlanChange, today: date) -> tuple[Plan, str]:
    item = _item(plan, change.item_id)
    level = change.level if change.level is not None else item.level
    if level is None:
        raise CareError(f"Give the level for {item.title}.")
    moved = rules.at_level(ctx.catalogue, plan, item, level, change.dose, today)
    items = tuple(moved if i.id == item.id else i for i in plan.items)
    dose = ", ".join(f"{moved.dose[k]:g} {w}" for k, _b, w in rules.DOSE_FIELDS if k in change.dose)
    return dataclasses.replace(plan, items=items, clinician=_terms(plan, level=item.ref_id)), (
        f"set {item.title} to level {level}{f' ({dose})' if dose else ''}"
    )


def _step_back(ctx: AppContext, plan: Plan, change: PlanChange, today: date) -> tuple[Plan, str]:
    item = _item(plan, change.item_id)
    if item.level is None or item.level <= 1:
        raise CareError(f"{item.title} is at its first level already: put it on hold instead.")
    moved = rules.at_level(ctx.catalogue, plan, item, item.level - 1, {}, today)
    items = tuple(moved if i.id == item.id else i for i in plan.items)
    stepped = dataclasses.replace(plan, items=items, clinician=_terms(plan, level=item.ref_id))
    return stepped, f"stepped {item.title} back to level {item.level - 1}"


def _run_cap(plan: Plan, change: PlanChange) -> tuple[Plan, str]:
    run = plan.run
    km = change.weekly_km
    if not run.runs_per_week:
        raise CareError("Running is paused in this plan already; there is no running to cap.")
    if km is None or km < 0:
        raise CareError("Give the weekly running cap in km (0 or more).")
    if run.weekly_km_cap is not None and km > run.weekly_km_cap:
        raise CareError(
            f"The plan's own cap is {run.weekly_km_cap:g} km a week: a clinician's cap can lower it, "
            "not raise it."
        )
    single = run.max_single_run_km
    why = f"{run.why} Capped at {km:g} km a week by your physiotherapist.".strip()
    capped = dataclasses.replace(
        run, weekly_km_cap=km, max_single_run_km=min(single, km) if single is not None else km, why=why
    )
    terms = dataclasses.replace(plan.clinician, weekly_km_cap=km)
    return dataclasses.replace(plan, run=capped, clinician=terms), f"capped running at {km:g} km a week"


def _lift_cap(plan: Plan) -> tuple[Plan, str]:
    if plan.clinician.weekly_km_cap is None:
        raise CareError("There is no clinician's running cap to lift.")
    terms = dataclasses.replace(plan.clinician, weekly_km_cap=None)
    return dataclasses.replace(plan, clinician=terms), (
        "lifted the running cap (the weekly review sets the running again)"
    )


def _refuse_paused(plan: Plan, change: PlanChange, runner: _Runner) -> None:
    if plan.stops_loading:
        raise CareError(
            "Refused: the plan is paused until a clinician has seen the runner (a warning sign stops "
            "loading): record the visit first (the runner's Today page), then change the plan."
        )
    if change.kind in LOADING and runner.warning_signs:
        signs = ", ".join(s.replace("_", " ") for s in runner.warning_signs)
        raise CareError(
            f"Refused: the runner reported a warning sign this week ({signs}); training stops until a "
            "clinician has seen them. Record the visit first, then change the plan."
        )


def _apply(ctx: AppContext, plan: Plan, change: PlanChange, runner: _Runner, today: date) -> tuple[Plan, str]:
    if change.kind == "note":
        return plan, "added a note"
    _refuse_paused(plan, change, runner)
    if change.kind in ("add", "swap"):
        return (_add if change.kind == "add" else _swap)(ctx, plan, runner, change, today)
    if change.kind in ("hold", "remove"):
        return (_hold if change.kind == "hold" else _remove)(plan, change)
    if change.kind in ("set_level", "step_back"):
        return (_set_level if change.kind == "set_level" else _step_back)(ctx, plan, change, today)
    return _run_cap(plan, change) if change.kind == "run_cap" else _lift_cap(plan)


def _check(change: PlanChange) -> str:
    reason = " ".join(change.reason.split())
    if change.kind not in CHANGE_KINDS:
        raise CareError(f"Unknown change {change.kind!r}: choose one of {', '.join(CHANGE_KINDS)}.")
    if not 3 <= len(reason) <= 500:
        raise CareError("Give the runner a reason for the change (3 to 500 characters).")
    return reason


def _runner(ctx: AppContext, s: Session, person_id: int, plan: Plan, today: date) -> _Runner:
    """The latest answers and their safety flags (the triage the plan builder screens with), and the
    warning signs of the last week's check-ins not yet seen by a clinician."""
    repos = Repos(s)
    intake = repos.intakes.latest(person_id)
    answers: Mapping[str, Any] = intake.answers if intake else {}
    flags = frozenset(assess_mod.assess(answers, ctx.catalogue).safety_flags) if intake else frozenset()
    since = today - timedelta(days=WEEK_DAYS - 1)  # the review's week
    recent = [domain_checkin(c) for c in repos.checkins.between(person_id, since, today)]
    return _Runner(answers, frozenset(str(f) for f in flags), open_warning_signs(recent, plan))


def _told(s: Session, actor: Actor, what: str, reason: str) -> str:
    """'Dr Ana Ruiz, physiotherapist at Northside added ...: why' (the clinician's display name;
    without one, "Your physiotherapist at ...")."""
    clinic = s.get(ClinicRow, actor.clinic_id) if actor.clinic_id else None
    account = s.get(AccountRow, actor.account_id) if actor.account_id else None
    who = (account.display_name if account else None) or WHO
    return f"{who}{f' at {clinic.name}' if clinic else ''} {what}: {reason}"


def _store_change(
    s: Session,
    actor: Actor,
    person_id: int,
    latest: PlanVersionRecord,
    changed: Plan,
    told: str,
    decision: dict[str, Any],
    moment: datetime,
) -> PlanVersionRecord:
    """The new version and its audit row, in the caller's transaction."""
    changed = dataclasses.replace(changed, version=latest.version + 1, rationale=told)
    record = Repos(s).plans.add(
        person_id,
        plan=json_object(plan_mod.plan_to_dict(changed)),
        starts_on=latest.starts_on,
        phase=str(changed.phase),
        week=int(changed.week),
        decision=json_object(
            {
                **decision,
                "by_account_id": actor.account_id,
                "clinic_id": actor.clinic_id,
                "replaces_version": latest.version,
            }
        ),
        reason=told,
        now=moment,
    )
    s.add(
        AuditRow(
            at=moment,
            actor_account_id=actor.account_id,
            person_id=person_id,
            action="change_plan",
            detail=f"version {record.version}: {told}"[:500],
        )
    )
    return record


def change_plan(
    ctx: AppContext, actor: Actor, person_id: int, change: PlanChange, *, now: datetime | None = None
) -> PlanVersionRecord:
    """Store the changed plan as a new version whose reason tells the runner who changed what, and why.

    CareError (nothing stored) when the engine refuses the change, with the reason."""
    reason = _check(change)
    moment = _now(now)
    with transaction(ctx.sessions) as s:
        latest = Repos(s).plans.latest(person_id)
        if latest is None:
            raise CareError("This runner has no plan yet: they make one by answering the questions.")
        current = plan_mod.plan_from_dict(latest.plan)
        runner = _runner(ctx, s, person_id, current, moment.date())
        changed, what = _apply(ctx, current, change, runner, moment.date())
        fitted: tuple[str, ...] = ()
        if (
            change.kind in LOADING
        ):  # the clinician's items come first in the session: an engine item gives way
            changed, fitted = fit_clinician_items(current, changed, ctx.catalogue.plan)
        decision = {
            "kind": "clinician_change",
            "change": change.kind,
            "item_id": change.item_id,
            "new_id": change.new_id,
            "level": change.level,
            "dose": dict(change.dose),
            "weekly_km": change.weekly_km,
            "reason": reason,
            "fitted": list(fitted),
        }
        told = _told(s, actor, what, reason)
        if fitted:
            told = f"{told.rstrip('.')}. {' '.join(fitted)}"
        return _store_change(s, actor, person_id, latest, changed, told, decision, moment)


@dataclass(frozen=True, slots=True)
class ClinicTest:
    """One self-test measured by the clinician (the knowledge base's test id, value, side)."""

    test_id: str
    value: float
    side: str = "both"


def _clinic_results(
    ctx: AppContext, tests: Sequence[ClinicTest], actor: Actor, email: str, moment: datetime
) -> list[dict[str, Any]]:
    from heelcoach.services.screening import parse_self_test

    if not tests:
        raise CareError("Enter at least one test result.")
    out: list[dict[str, Any]] = []
    for t in tests:
        try:
            parsed = parse_self_test(ctx, t.test_id, t.value, t.side)
        except InvalidInputError as exc:  # an unknown test, the range or the side, in the test's words
            raise CareError(str(exc)) from exc
        out.append(
            {
                **json_object(parsed),
                "measured": MEASURED_IN_CLINIC,
                "by": email,
                "by_account_id": actor.account_id,
                "at": moment.isoformat(),
            }
        )
    return out


def _session_results(clinic: list[dict[str, Any]], earlier: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The clinic's results, and the runner's earlier results of the tests not measured again."""
    measured = {(r["test_id"], r.get("side") or "both") for r in clinic}
    kept = [r for r in earlier if (r["test_id"], r.get("side") or "both") not in measured]
    return [*clinic, *kept]


def _store_tests(
    ctx: AppContext, actor: Actor, person_id: int, tests: Sequence[ClinicTest], moment: datetime
) -> str:
    """Store the session (the clinic's results first) and its audit row; the results in words."""
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        account = s.get(AccountRow, actor.account_id) if actor.account_id else None
        clinic = _clinic_results(ctx, tests, actor, account.email if account else "a clinician", moment)
        earlier = repos.screens.latest(person_id)
        results = _session_results(clinic, list(earlier.results) if earlier else [])
        intake = repos.intakes.latest(person_id)
        painful = intake.answers.get("painful_side") if intake else None
        parsed = tuple(
            screen_mod.SelfTestResult(test_id=r["test_id"], value=r["value"], side=r.get("side") or "both")
            for r in results
        )
        report = screen_mod.screen(parsed, ctx.catalogue, painful_side=painful)
        repos.screens.add(
            person_id, taken_on=moment.date(), results=results, report=json_object(report), now=moment
        )
        words = "; ".join(_result_words(ctx, r) for r in clinic)
        s.add(
            AuditRow(
                at=moment,
                actor_account_id=actor.account_id,
                person_id=person_id,
                action="clinic_tests",
                detail=words[:500],
            )
        )
        return words


def _result_words(ctx: AppContext, r: Mapping[str, Any]) -> str:
    test = ctx.catalogue.self_tests[str(r["test_id"])]
    side = f" ({r['side']})" if r.get("side") not in (None, "both") else ""
    return f"{test.name}{side} {float(r['value']):g} {test.unit}"


def record_clinic_tests(
    ctx: AppContext,
    actor: Actor,
    person_id: int,
    tests: Sequence[ClinicTest],
    reason: str = "",
    *,
    now: datetime | None = None,
) -> PlanVersionRecord | None:
    """Record self-tests measured in the clinic (marked so, with who and when) and merge them into the
    plan as the runner's own self-tests are merged (``merge_new_evidence``): the new version tells the
    runner who measured what. None when there is no plan, or it is paused (the results still count
    once it resumes)."""
    from heelcoach.domain import plan_merge
    from heelcoach.services import planning

    moment = _now(now)
    words = _store_tests(ctx, actor, person_id, tests, moment)
    fresh = planning.fresh_plan(ctx, person_id, moment.date())
    if fresh.previous is None:
        return None
    current = plan_mod.plan_from_dict(fresh.previous.plan)
    if current.stops_loading:
        return None
    merged = plan_merge.merge_new_evidence(
        current, fresh.plan, ctx.catalogue, moment.date(), "in-clinic tests"
    )
    why = " ".join(reason.split()).rstrip(".")
    with transaction(ctx.sessions) as s:
        told = _told(s, actor, f"measured in the clinic: {words}", why or "to set your plan from them")
    told = f"{told}. {' '.join(merged.changes)}"
    decision = {
        **fresh.decision,
        "kind": "clinic_tests",
        "source": "in-clinic tests",
        "changes": list(merged.changes),
    }
    return planning.store_plan(
        ctx,
        person_id,
        dataclasses.replace(merged.plan, rationale=told),  # the Plan page says who measured what
        fresh.previous.starts_on,
        decision,
        told,
        moment,
        expect_latest=fresh.previous.version,
    )


def add_note(ctx: AppContext, actor: Actor, person_id: int, text: str, *, now: datetime | None = None) -> int:
    """Keep a note on the runner for the actor's clinic (the runner never sees it); its id."""
    body = text.strip()
    if not 1 <= len(body) <= MAX_NOTE_CHARS or actor.clinic_id is None:
        raise CareError(f"Write the note (1 to {MAX_NOTE_CHARS} characters).")
    moment = _now(now)
    with transaction(ctx.sessions) as s:
        row = ClinicNoteRow(
            subject_person_id=person_id,
            clinic_id=actor.clinic_id,
            author_account_id=actor.account_id,
            created_at=moment,
            text=body,
        )
        s.add(row)
        s.add(
            AuditRow(
                at=moment,
                actor_account_id=actor.account_id,
                person_id=person_id,
                action="add_note",
                detail="",
            )
        )
        s.flush()
        return int(row.id)


def notes(ctx: AppContext, clinic_id: int, person_id: int) -> list[dict[str, object]]:
    """The clinic's notes on the runner, newest first, with who wrote them."""
    with transaction(ctx.sessions) as s:
        rows = s.execute(
            select(ClinicNoteRow, AccountRow.email)
            .outerjoin(AccountRow, AccountRow.id == ClinicNoteRow.author_account_id)
            .where(ClinicNoteRow.subject_person_id == person_id, ClinicNoteRow.clinic_id == clinic_id)
            .order_by(ClinicNoteRow.id.desc())
        ).all()
        return [
            {"id": n.id, "at": n.created_at, "by": email or "a former colleague", "text": n.text}
            for n, email in rows
        ]
