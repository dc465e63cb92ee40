"""What a clinician does for a runner who shares with their clinic: change the plan (a new version
with the clinician's reason, shown to the runner) and keep notes private to the clinic's staff.

The web layer checks the policy (``change_plan``, ``clinic_notes``) before calling these; every
change and note is audited here, in the same transaction as the write.

Usage::

    change_plan(ctx, actor, person_id, PlanChange("step_back", "Pain after the last session.",
                item_id="calf_raise_bent_knee"))
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from sqlalchemy import select

from heelcoach.domain import plan as plan_mod
from heelcoach.domain.plan import Plan, PlanItem
from heelcoach.errors import InvalidInputError
from heelcoach.services.common import json_object
from heelcoach.services.context import AppContext
from heelcoach.services.policy import Actor
from heelcoach.store.accounts import AccountRow, AuditRow, ClinicNoteRow, ClinicRow
from heelcoach.store.base import transaction
from heelcoach.store.repositories import PlanVersionRecord, Repos

ChangeKind = Literal["hold", "step_back", "run_cap", "note"]
CHANGE_KINDS: tuple[ChangeKind, ...] = ("hold", "step_back", "run_cap", "note")
#: Who the runner reads as having changed their plan.
WHO = "Your physiotherapist"
MAX_NOTE_CHARS = 2000


class CareError(InvalidInputError):
    """A change the engine refuses; the message says why and what to do instead."""


@dataclass(frozen=True, slots=True)
class PlanChange:
    """One change: hold an exercise, step it back a level, cap weekly running km, or a note only."""

    kind: ChangeKind
    reason: str
    item_id: str | None = None
    weekly_km: float | None = None


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _exercise(plan: Plan, item_id: str | None) -> PlanItem:
    item = next((i for i in plan.items if i.id == item_id and i.kind == "exercise"), None)
    if item is None:
        raise CareError("Choose an exercise that is in the current plan.")
    return item


def _hold(plan: Plan, change: PlanChange) -> tuple[Plan, str]:
    item = _exercise(plan, change.item_id)
    items = tuple(i for i in plan.items if i.id != item.id)
    held = plan_mod.ExcludedItem(item.ref_id, f"{item.title}: on hold, by your physiotherapist.")
    return dataclasses.replace(
        plan, items=items, excluded=(*plan.excluded, held)
    ), f"put {item.title} on hold"


def _step_back(ctx: AppContext, plan: Plan, change: PlanChange, today: date) -> tuple[Plan, str]:
    item = _exercise(plan, change.item_id)
    exercise = ctx.catalogue.exercises.get(item.ref_id)
    if exercise is None or item.level is None or item.level <= 1:
        raise CareError(f"{item.title} is at its first level already: put it on hold instead.")
    level = exercise.levels[item.level - 2]
    dose = plan_mod.exercise_dose(level.dose, plan.irritability, len(item.days))
    stepped = dataclasses.replace(item, level=item.level - 1, dose=dose, level_since=today)
    items = tuple(stepped if i.id == item.id else i for i in plan.items)
    return dataclasses.replace(plan, items=items), f"stepped {item.title} back to level {item.level - 1}"


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
    return dataclasses.replace(plan, run=capped), f"capped running at {km:g} km a week"


def _apply(ctx: AppContext, plan: Plan, change: PlanChange, today: date) -> tuple[Plan, str]:
    if change.kind == "note":
        return plan, "added a note"
    if plan.stops_loading:
        raise CareError(
            "The plan is paused until a clinician has seen the runner: record the visit first "
            "(the runner's Today page), then change the plan."
        )
    if change.kind == "hold":
        return _hold(plan, change)
    if change.kind == "step_back":
        return _step_back(ctx, plan, change, today)
    return _run_cap(plan, change)


def _check(change: PlanChange) -> str:
    reason = " ".join(change.reason.split())
    if change.kind not in CHANGE_KINDS:
        raise CareError(f"Unknown change {change.kind!r}: choose one of {', '.join(CHANGE_KINDS)}.")
    if not 3 <= len(reason) <= 500:
        raise CareError("Give the runner a reason for the change (3 to 500 characters).")
    return reason


def change_plan(
    ctx: AppContext, actor: Actor, person_id: int, change: PlanChange, *, now: datetime | None = None
) -> PlanVersionRecord:
    """Store the changed plan as a new version whose reason tells the runner who changed what, and why."""
    reason = _check(change)
    moment = _now(now)
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        latest = repos.plans.latest(person_id)
        if latest is None:
            raise CareError("This runner has no plan yet: they make one by answering the questions.")
        current = plan_mod.plan_from_dict(latest.plan)
        changed, what = _apply(ctx, current, change, moment.date())
        clinic = s.get(ClinicRow, actor.clinic_id) if actor.clinic_id else None
        told = f"{WHO}{f' at {clinic.name}' if clinic else ''} {what}: {reason}"
        changed = dataclasses.replace(changed, version=latest.version + 1, rationale=told)
        record = repos.plans.add(
            person_id,
            plan=json_object(plan_mod.plan_to_dict(changed)),
            starts_on=latest.starts_on,
            phase=str(changed.phase),
            week=int(changed.week),
            decision={
                "kind": "clinician_change",
                "change": change.kind,
                "item_id": change.item_id,
                "weekly_km": change.weekly_km,
                "by_account_id": actor.account_id,
                "clinic_id": actor.clinic_id,
                "replaces_version": latest.version,
                "reason": reason,
            },
            reason=told,
            now=moment,
        )
        s.add(
            AuditRow(
                at=moment,
                actor_account_id=actor.account_id,
                person_id=person_id,
                action="change_plan",
                detail=f"version {record.version}: {what}",
            )
        )
        return record


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
