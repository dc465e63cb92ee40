"""Daily check-ins: validate and store them; a warning sign pauses the plan the same day."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from heelcoach.domain import plan as plan_mod
from heelcoach.domain import progression, warning_signs
from heelcoach.errors import InvalidInputError
from heelcoach.services.common import json_object, plan_of, require_person, resolve_now, resolve_today
from heelcoach.services.context import AppContext
from heelcoach.store.base import transaction
from heelcoach.store.repositories import CheckInRecord, PlanVersionRecord, Repos

_PAIN_FIELDS = ("first_step_pain", "worst_pain", "run_pain_during", "run_pain_after")
#: Sanity limits on the running numbers of one day (typos, not clinical thresholds).
_MAX_RUN_KM = 300.0
#: A check-in may be entered for a day up to a year back (a diary caught up), not earlier.
OLDEST_CHECKIN_DAYS = 366
_MAX_RUN_MINUTES = 24 * 60.0


@dataclass(frozen=True, slots=True)
class CheckInInput:
    """A day's check-in as entered by a person, before validation."""

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


def known_item_ids(ctx: AppContext) -> set[str]:
    """Ids a check-in may name as done or used: exercises, passive care, cross-training, habits."""
    return _known_item_ids(ctx)


def _known_item_ids(ctx: AppContext) -> set[str]:
    cat = ctx.catalogue
    return (
        set(cat.exercises)
        | set(cat.passive)
        | set(cat.cross_training)
        | set(cat.habits)
        | set(cat.education)
        | set(cat.footwear)
    )


def _day_problems(day: date, today: date) -> list[str]:
    if day > today:
        return [f"day: {day.isoformat()} is in the future; check in for today or an earlier day"]
    if (today - day).days > OLDEST_CHECKIN_DAYS:
        return [f"day: {day.isoformat()} is more than a year ago; check in for a day in the last year"]
    return []


def _number_problems(entry: CheckInInput) -> list[str]:
    problems: list[str] = []
    for name in _PAIN_FIELDS:
        value = getattr(entry, name)
        whole = isinstance(value, int) and not isinstance(value, bool)
        if value is not None and not (whole and 0 <= value <= 10):
            problems.append(f"{name}: expected a whole number from 0 (no pain) to 10 (worst), got {value!r}")
    for name, limit in (("run_km", _MAX_RUN_KM), ("run_minutes", _MAX_RUN_MINUTES)):
        value = getattr(entry, name)
        if value is not None and (not isinstance(value, int | float) or not 0 <= value <= limit):
            problems.append(f"{name}: expected a number from 0 to {limit:g}, got {value!r}")
    run_pain = entry.run_pain_during is not None or entry.run_pain_after is not None
    if run_pain and not entry.run_km and not entry.run_minutes:
        problems.append("run_km: you gave pain during/after a run; also give the run's distance or minutes")
    return problems


def _item_problems(ctx: AppContext, entry: CheckInInput) -> list[str]:
    known = _known_item_ids(ctx)
    problems: list[str] = []
    for name in ("done_items", "passive_used") if known else ():
        unknown = [i for i in getattr(entry, name) if i not in known]
        if unknown:
            ids = ", ".join(unknown)
            problems.append(f"{name}: unknown id(s) {ids}; use the ids your plan shows")
    return problems


def validate_checkin(ctx: AppContext, entry: CheckInInput, *, today: date | None = None) -> list[str]:
    """Problems with one check-in, each naming the field (empty when valid)."""
    problems = (
        _day_problems(entry.day, resolve_today(today)) + _number_problems(entry) + _item_problems(ctx, entry)
    )
    if len(entry.notes) > 2000:
        problems.append("notes: at most 2000 characters")
    return problems


def _record_of(person_id: int, entry: CheckInInput) -> CheckInRecord:
    return CheckInRecord(
        person_id=person_id,
        day=entry.day,
        first_step_pain=entry.first_step_pain,
        worst_pain=entry.worst_pain,
        run_pain_during=entry.run_pain_during,
        run_pain_after=entry.run_pain_after,
        next_morning_worse=entry.next_morning_worse,
        run_km=None if entry.run_km is None else float(entry.run_km),
        run_minutes=None if entry.run_minutes is None else float(entry.run_minutes),
        done_items=tuple(entry.done_items),
        passive_used=tuple(entry.passive_used),
        red_flag_symptoms=tuple(entry.red_flag_symptoms),
        notes=entry.notes,
    )


@dataclass(frozen=True, slots=True)
class CheckInSaved:
    """The stored check-in, whether it replaced one of the same day, and anything urgent to say.

    ``paused`` is the plan version stored because the check-in reported a warning sign (running
    and loading stop the same day), else None.
    """

    record: CheckInRecord
    replaced: bool
    warnings: tuple[str, ...] = ()
    paused: PlanVersionRecord | None = None


def _pause_for_warning_signs(
    ctx: AppContext, repos: Repos, person_id: int, entry: CheckInInput, today: date, now: datetime | None
) -> PlanVersionRecord | None:
    """Store a stop-and-refer plan version when a check-in reports a warning sign (same transaction).

    Nothing to do when there is no plan yet, the plan already stops loading, or the sign was
    reported on or before the day the runner recorded a clinician's visit.
    """
    if not entry.red_flag_symptoms:
        return None
    latest = repos.plans.latest(person_id)
    if latest is None:
        return None
    plan = plan_of(latest)
    cleared = plan.warnings_cleared_on
    if plan.stops_loading or (cleared is not None and entry.day <= cleared):
        return None
    stopped = warning_signs.stop_for_warning_signs(plan, entry.red_flag_symptoms, today, ctx.catalogue.plan)
    stopped = dataclasses.replace(stopped, version=latest.version + 1)
    what = ctx.catalogue.plan.checkin_warning_signs.plain(entry.red_flag_symptoms)
    return repos.plans.add(
        person_id,
        plan=json_object(plan_mod.plan_to_dict(stopped)),
        starts_on=today,
        phase=str(stopped.phase),
        week=int(stopped.week),
        decision=json_object(
            {
                "kind": "warning_sign",
                "symptoms": list(entry.red_flag_symptoms),
                "reported_on": entry.day,
                "paused_version": latest.version,
            }
        ),
        reason=f"Paused the same day: your check-in of {entry.day:%a %d %b} reported {what}. "
        "See a clinician.",
        now=resolve_now(now),
    )


def _warning_text(ctx: AppContext, entry: CheckInInput, paused: PlanVersionRecord | None) -> tuple[str, ...]:
    if not entry.red_flag_symptoms:
        return ()
    what = ctx.catalogue.plan.checkin_warning_signs.plain(entry.red_flag_symptoms)
    if paused is None:
        return (
            f"You reported {what}: please see a clinician before training on; heelcoach cannot rule it out.",
        )
    return (
        (
            f"You reported {what}: running and the exercises are paused from today. See a clinician; when "
            "one has seen you, record it and the plan picks up where it stopped."
        ),
    )


def record_checkins(
    ctx: AppContext,
    person_id: int,
    entries: Sequence[CheckInInput],
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> list[CheckInSaved]:
    """Validate and store several check-ins in ONE transaction: all of them, or none."""
    saved: list[CheckInSaved] = []
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        require_person(repos, person_id)
        for index, entry in enumerate(entries):
            problems = validate_checkin(ctx, entry, today=today)
            if problems:
                where = f"check-in {index + 1} ({entry.day.isoformat()})" if len(entries) > 1 else "check-in"
                raise InvalidInputError(f"{where}: " + "; ".join(problems) + ". Nothing was saved.")
            record, created = repos.checkins.upsert(_record_of(person_id, entry), resolve_now(now))
            # a warning sign stops running and loading the same day, as in the questionnaire
            paused = _pause_for_warning_signs(ctx, repos, person_id, entry, resolve_today(today), now)
            saved.append(CheckInSaved(record, not created, _warning_text(ctx, entry, paused), paused))
    return saved


def record_checkin(
    ctx: AppContext,
    person_id: int,
    entry: CheckInInput,
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> CheckInSaved:
    """Validate and store one day's check-in (a second one the same day replaces the first)."""
    return record_checkins(ctx, person_id, [entry], today=today, now=now)[0]


def domain_checkin(record: CheckInRecord) -> progression.CheckIn:
    """A stored check-in as the core reads it."""
    return progression.CheckIn(
        day=record.day,
        first_step_pain=record.first_step_pain,
        worst_pain=record.worst_pain,
        run_pain_during=record.run_pain_during,
        run_pain_after=record.run_pain_after,
        next_morning_worse=record.next_morning_worse,
        done_items=record.done_items,
        run_km=record.run_km,
        run_minutes=record.run_minutes,
        passive_used=record.passive_used,
        red_flag_symptoms=record.red_flag_symptoms,
        notes=record.notes,
    )
