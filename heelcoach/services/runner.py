"""Use cases of a runner's journey: intake, screen, plan, daily check-ins, weekly review,
outcomes, progress, export and deletion.

Each function opens exactly one unit of work (``store.base.transaction``): it either saves
everything it was asked to or nothing. The pure core (triage, screen, drivers, plan, progression,
outcomes) is called with values; JSON documents are made here, at the edge.

Usage::

    ctx = AppContext.from_settings()
    person = create_person(ctx, "Ana")
    save_intake(ctx, person.id, answers)
    make_plan(ctx, person.id, start=date.today())
    record_checkin(ctx, person.id, CheckInInput(day=date.today(), first_step_pain=4))
"""

from __future__ import annotations

import base64
import csv
import dataclasses
import enum
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from heelcoach.domain import condition_plans, plan_merge, progression, warning_signs
from heelcoach.domain import drivers as drivers_mod
from heelcoach.domain import outcomes as outcomes_mod
from heelcoach.domain import plan as plan_mod
from heelcoach.domain import screen as screen_mod
from heelcoach.domain.types import DriverEvidence, LoadSnapshot
from heelcoach.domain.units import DistanceUnit
from heelcoach.errors import ConflictError, InvalidInputError, NotFoundError
from heelcoach.services import assess as assess_mod
from heelcoach.services import imports as imports_mod
from heelcoach.services.context import AppContext
from heelcoach.store.all_tables import metadata
from heelcoach.store.base import transaction
from heelcoach.store.preferences import Preferences
from heelcoach.store.repositories import (
    CheckInRecord,
    IntakeRecord,
    OutcomeRecord,
    PersonRecord,
    PlanVersionRecord,
    Repos,
    ScreenRecord,
)
from heelcoach.text.plan_text import format_plan_text

#: The questionnaire version stored with answers when the catalogue does not name one.
DEFAULT_QUESTIONNAIRE_VERSION = "1"
#: Instruments ``record_outcome`` accepts.
INSTRUMENTS = ("faam_adl", "faam_sports", "psfs")
#: Days in one plan week: a weekly review is due once a plan version is this old.
WEEK_DAYS = 7


# --------------------------------------------------------------------------------------------
# JSON at the edge


def to_jsonable(value: Any) -> Any:
    """Turn dataclasses, dates, enums, tuples and sets into JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((to_jsonable(v) for v in value), key=str)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    if hasattr(value, "model_dump"):
        return to_jsonable(value.model_dump())
    return value


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def _today(today: date | None) -> date:
    return today if today is not None else date.today()


# --------------------------------------------------------------------------------------------
# People


def create_person(ctx: AppContext, name: str = "", *, now: datetime | None = None) -> PersonRecord:
    """Create a person (a runner, or a clinic's patient)."""
    name = name.strip()
    if len(name) > 200:
        raise InvalidInputError("name: at most 200 characters, please shorten it")
    with transaction(ctx.sessions) as s:
        return Repos(s).people.add(name, _now(now))


def list_people(ctx: AppContext) -> list[PersonRecord]:
    """Everyone, oldest first."""
    with transaction(ctx.sessions) as s:
        return Repos(s).people.everyone()


def get_person(ctx: AppContext, person_id: int) -> PersonRecord | None:
    """The person with this id, or None."""
    with transaction(ctx.sessions) as s:
        return Repos(s).people.get(person_id)


def first_person(ctx: AppContext) -> PersonRecord | None:
    """The first person created (the local runner), or None when nobody is set up yet."""
    with transaction(ctx.sessions) as s:
        return Repos(s).people.first()


def resolve_person(ctx: AppContext, person_id: int | None = None, *, create: bool = False) -> PersonRecord:
    """The person to work on: ``person_id``, else the first person (single-user default).

    With ``create``, a first person is made when there is nobody yet.
    """
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        if person_id is not None:
            person = repos.people.get(person_id)
            if person is None:
                raise NotFoundError(
                    f"There is no person with id {person_id}. Leave out --person to use the first one."
                )
            return person
        person = repos.people.first()
        if person is not None:
            return person
        if not create:
            raise NotFoundError(
                "Nobody is set up yet: answer the questionnaire first with `heelcoach assess`, "
                "or make a plan from an answers file: `heelcoach plan --answers answers.yaml`."
            )
        return repos.people.add("", datetime.now(UTC))


# --------------------------------------------------------------------------------------------
# Intake and screen


def questionnaire_version(ctx: AppContext) -> str:
    """The version of the intake questionnaire in the catalogue."""
    version = getattr(ctx.catalogue.triage, "version", None) or getattr(
        ctx.catalogue.triage, "questionnaire_version", None
    )
    return str(version) if version else DEFAULT_QUESTIONNAIRE_VERSION


@dataclass(frozen=True, slots=True)
class IntakeSaved:
    """The stored intake and the triage computed from it."""

    intake: IntakeRecord
    triage: Any


def save_intake(
    ctx: AppContext, person_id: int, answers: Mapping[str, Any], *, now: datetime | None = None
) -> IntakeSaved:
    """Triage the answers and store both (the answers exactly as given, plus the triage).

    New answers are checked against the day they are given (``now``): a race date already past
    is refused.
    """
    try:
        result = assess_mod.assess(dict(answers), ctx.catalogue, _now(now).date())
    except ValueError as exc:
        raise InvalidInputError(
            f"questionnaire answers:\n{exc}\nFix these answers and try again.",
            problems=getattr(exc, "problems", ()),
        ) from exc
    triage_doc = to_jsonable(assess_mod.triage_to_dict(result))
    level = str(to_jsonable(getattr(result, "level", triage_doc.get("level", ""))))
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        _require_person(repos, person_id)
        record = repos.intakes.add(
            person_id,
            questionnaire_version=str(triage_doc.get("questionnaire_version") or questionnaire_version(ctx)),
            answers=to_jsonable(dict(answers)),
            triage_level=level,
            triage=triage_doc,
            now=_now(now),
        )
    return IntakeSaved(record, result)


def latest_intake(ctx: AppContext, person_id: int) -> IntakeRecord | None:
    """The most recent stored intake, or None."""
    with transaction(ctx.sessions) as s:
        return Repos(s).intakes.latest(person_id)


def _require_person(repos: Repos, person_id: int) -> PersonRecord:
    person = repos.people.get(person_id)
    if person is None:
        raise NotFoundError(f"There is no person with id {person_id}.")
    return person


_SIDES: dict[str, Literal["left", "right", "both"]] = {"left": "left", "right": "right", "both": "both"}


def parse_self_test(ctx: AppContext, test_id: str, value: float, side: str = "both") -> Any:
    """A validated ``SelfTestResult``: the test must exist and the value lie in its range."""
    test = ctx.catalogue.self_tests.get(test_id)
    if test is None:
        known = ", ".join(sorted(ctx.catalogue.self_tests)) or "none loaded"
        raise InvalidInputError(f"self-test '{test_id}' is not known; known tests: {known}")
    if not test.value_min <= value <= test.value_max:
        raise InvalidInputError(
            f"{test_id}: value {value:g} {test.unit} is outside {test.value_min:g}-{test.value_max:g}"
        )
    if side not in _SIDES:
        raise InvalidInputError(f"{test_id}: side must be left, right or both, not '{side}'")
    return screen_mod.SelfTestResult(test_id=test_id, value=value, side=_SIDES[side])


def save_screen(
    ctx: AppContext,
    person_id: int,
    results: Sequence[Any],
    *,
    taken_on: date | None = None,
    now: datetime | None = None,
) -> tuple[ScreenRecord, Any]:
    """Score the self-tests and store the results with the report."""
    if not results:
        raise InvalidInputError("self-tests: give at least one result")
    intake = latest_intake(ctx, person_id)
    painful = intake.answers.get("painful_side") if intake else None
    report = screen_mod.screen(tuple(results), ctx.catalogue, painful_side=painful)
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        _require_person(repos, person_id)
        record = repos.screens.add(
            person_id,
            taken_on=_today(taken_on),
            results=[to_jsonable(r) for r in results],
            report=to_jsonable(report),
            now=_now(now),
        )
    return record, report


def screen_verdicts(ctx: AppContext, person_id: int) -> tuple[str, ...]:
    """The latest self-tests read against their norms, one sentence a result, the painful side
    compared with the other (empty when no self-tests are stored)."""
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        _require_person(repos, person_id)
        record = repos.screens.latest(person_id)
        intake = repos.intakes.latest(person_id)
    if record is None:
        return ()
    painful = intake.answers.get("painful_side") if intake else None
    report = screen_mod.screen(_screen_results(record), ctx.catalogue, painful_side=painful)
    return tuple(v.explanation for v in report.verdicts)


def _screen_results(record: ScreenRecord) -> tuple[Any, ...]:
    return tuple(
        screen_mod.SelfTestResult(
            test_id=r["test_id"], value=r["value"], side=_SIDES.get(r.get("side") or "both", "both")
        )
        for r in record.results
    )


# --------------------------------------------------------------------------------------------
# Other sources of evidence and load: watch files and gait reports


def unit_for_person(ctx: AppContext, person_id: int) -> DistanceUnit:
    """The runner's distance unit for texts built for them (km until they choose)."""
    with transaction(ctx.sessions) as s:
        return Preferences(s).distance_unit(person_id) or DistanceUnit.KM


def load_snapshot(ctx: AppContext, person_id: int, today: date) -> LoadSnapshot | None:
    """What the imported watch files say about load, or None when there are none."""
    return imports_mod.load_snapshot(ctx, person_id, today)


def _has_rows(ctx: AppContext, table_name: str, person_id: int) -> bool:
    """Whether another engineer's table (when it exists and has ``person_id``) holds rows of this person."""
    table = metadata.tables.get(table_name)
    if table is None or "person_id" not in table.c:
        return False
    with transaction(ctx.sessions) as s:
        return (
            s.execute(select(table.c.person_id).where(table.c.person_id == person_id).limit(1)).first()
            is not None
        )


def extra_evidence(ctx: AppContext, person_id: int, today: date) -> tuple[DriverEvidence, ...]:
    """Driver evidence from imported activities and stored gait reports."""
    found: list[DriverEvidence] = list(imports_mod.load_evidence(ctx, person_id, today))
    if _has_rows(ctx, "gait_reports", person_id):
        # Only then: the gait service pulls in the pose and video stack, seconds to import.
        from heelcoach.services import gait as gait_mod

        found.extend(gait_mod.person_gait_evidence(ctx, person_id, today))
    return tuple(found)


# --------------------------------------------------------------------------------------------
# Plans


def _plan_of(record: PlanVersionRecord) -> Any:
    return plan_mod.plan_from_dict(record.plan)


def _plan_reason_initial(triage_level: str, drivers: Sequence[Any], plan: Any = None) -> str:
    if plan is not None and plan.stops_loading:
        # a plan stopped by a red flag has no drivers to work on: it says what to do instead
        return "First plan from the intake: see a clinician first; no running or loading until then."
    names = [str(getattr(d, "id", d)) for d in drivers if getattr(d, "active", True)]
    labels: dict[str, str] = {str(k): v for k, v in drivers_mod.DRIVER_LABELS.items()}
    shown = ", ".join(labels.get(n, n.replace("_", " ")) for n in names[:4]) or "none stood out"
    return f"First plan from the intake (triage: {triage_level.replace('_', ' ')}); main drivers: {shown}."


@dataclass(frozen=True, slots=True)
class _Fresh:
    """A plan built from all the evidence stored now, with the decision document behind it."""

    plan: Any
    decision: dict[str, Any]
    reason: str
    previous: PlanVersionRecord | None


def _fresh_plan(
    ctx: AppContext,
    person_id: int,
    start: date,
    cadence_cue_pct: float | None = None,
    evidence: Sequence[DriverEvidence] = (),
    cleared_on: date | None = None,
) -> _Fresh:
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        _require_person(repos, person_id)
        intake = repos.intakes.latest(person_id)
        screen_record = repos.screens.latest(person_id)
        previous = repos.plans.latest(person_id)
    if intake is None:
        raise NotFoundError(
            "No questionnaire answers yet: run `heelcoach assess` first, or "
            "`heelcoach plan --answers answers.yaml`."
        )
    triage = assess_mod.assess(intake.answers, ctx.catalogue)
    found: list[DriverEvidence] = list(drivers_mod.intake_evidence(intake.answers, ctx.catalogue))
    sources = ["intake"]
    if screen_record is not None:
        painful = intake.answers.get("painful_side")
        found.extend(screen_mod.screen(_screen_results(screen_record), ctx.catalogue, painful).evidence)
        sources.append(f"self-tests of {screen_record.taken_on.isoformat()}")
    more = extra_evidence(ctx, person_id, start)
    if cadence_cue_pct is None and _has_rows(ctx, "gait_reports", person_id):
        from heelcoach.services import gait as gait_mod

        cadence_cue_pct = gait_mod.person_cadence_cue_pct(ctx, person_id)
    if more:
        sources.append("gait/watch evidence")
    found.extend(more)
    found.extend(evidence)
    load = load_snapshot(ctx, person_id, start)
    if load is not None:
        sources.append(f"watch load as of {load.as_of.isoformat()}")
        if not any(e.source == "activities" for e in found):
            found.extend(drivers_mod.load_evidence(load.spike_band, load.spike_run_km, ctx.catalogue))
    drivers = drivers_mod.infer_drivers(tuple(found), ctx.catalogue)
    # One dispatch point: the plan for the condition the heel most likely has (issue 14).
    plan = condition_plans.build_plan(
        plan_mod.PlanInput(
            answers=intake.answers,
            triage=triage,
            drivers=drivers,
            load=load,
            start=start,
            cadence_cue_pct=cadence_cue_pct,
            unit=unit_for_person(ctx, person_id),
        ),
        ctx.catalogue,
        cleared_on,
    )
    decision = {
        "kind": "initial" if previous is None else "rebuilt",
        "replaces_version": previous.version if previous else None,
        "sources": sources,
        "intake_id": intake.id,
        "screen_id": screen_record.id if screen_record else None,
        "drivers": to_jsonable(drivers),
        "evidence": to_jsonable(found),
        "load": to_jsonable(load),
    }
    return _Fresh(plan, decision, _plan_reason_initial(intake.triage_level, drivers, plan), previous)


def make_plan(
    ctx: AppContext,
    person_id: int,
    *,
    start: date | None = None,
    cadence_cue_pct: float | None = None,
    evidence: Sequence[DriverEvidence] = (),
    now: datetime | None = None,
) -> PlanVersionRecord:
    """Build a plan from the latest intake, screen, gait/activity evidence and load; store it.

    This starts again from week 1; :func:`update_plan_with_new_evidence` merges new evidence into
    the current plan instead.
    """
    start = _today(start)
    fresh = _fresh_plan(ctx, person_id, start, cadence_cue_pct, evidence)
    reason = fresh.reason
    if fresh.previous is not None:
        reason = reason.replace("First plan", "New plan", 1) + (
            f" It replaces version {fresh.previous.version} and starts again from its first week."
        )
    return _store_plan(ctx, person_id, fresh.plan, start, fresh.decision, reason, now)


def update_plan_with_new_evidence(
    ctx: AppContext,
    person_id: int,
    source: str,
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> PlanVersionRecord:
    """Merge new evidence (``source``: 'self-tests', 'gait report', ...) into the current plan.

    The exercises the evidence calls for are added or swapped in; phase, week and levels stay;
    the version's reason says what changed and why. Without a plan yet this makes the first one.
    """
    today = _today(today)
    fresh = _fresh_plan(ctx, person_id, today)
    if fresh.previous is None:
        return _store_plan(ctx, person_id, fresh.plan, today, fresh.decision, fresh.reason, now)
    current = _plan_of(fresh.previous)
    if current.stops_loading:
        raise ConflictError(
            "Your plan is paused until a clinician has seen you: the new results are stored and count "
            "once the plan resumes."
        )
    merged = plan_merge.merge_new_evidence(current, fresh.plan, ctx.catalogue, today, source)
    decision = {
        **fresh.decision,
        "kind": "evidence_update",
        "source": source,
        "changes": list(merged.changes),
    }
    return _store_plan(
        ctx,
        person_id,
        merged.plan,
        fresh.previous.starts_on,
        decision,
        merged.plan.rationale,
        now,
        expect_latest=fresh.previous.version,
    )


def _store_plan(
    ctx: AppContext,
    person_id: int,
    plan: Any,
    starts_on: date,
    decision: Mapping[str, Any],
    reason: str,
    now: datetime | None,
    *,
    after_insert: Callable[[Session], None] | None = None,
    expect_latest: int | None = None,
) -> PlanVersionRecord:
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        latest = repos.plans.latest(person_id)
        # The plan's own version number follows the store's, so "plan v7" means the same everywhere.
        plan = dataclasses.replace(plan, version=(latest.version if latest else 0) + 1)
        if expect_latest is not None and (latest is None or latest.version != expect_latest):
            # Someone else stored a version while this review ran: never review a week twice.
            raise ConflictError("The plan changed while the review ran; run the weekly review again.")
        record = repos.plans.add(
            person_id,
            plan=to_jsonable(plan_mod.plan_to_dict(plan)),
            starts_on=starts_on,
            phase=str(plan.phase),
            week=int(plan.week),
            decision=to_jsonable(dict(decision)),
            reason=reason,
            now=_now(now),
        )
        if after_insert is not None:
            after_insert(s)
        return record


def current_plan(ctx: AppContext, person_id: int) -> tuple[PlanVersionRecord, Any]:
    """The latest stored plan version and the plan itself."""
    with transaction(ctx.sessions) as s:
        record = Repos(s).plans.latest(person_id)
    if record is None:
        raise NotFoundError("No plan yet: run `heelcoach plan` after `heelcoach assess` to make one.")
    return record, _plan_of(record)


def format_plan(ctx: AppContext, plan: Any, unit: DistanceUnit = DistanceUnit.KM) -> str:
    """The plan as plain text for a runner (distances in ``unit``)."""
    return str(format_plan_text(plan, ctx.catalogue, unit))


@dataclass(frozen=True, slots=True)
class WeekView:
    """This week of the plan, as the CLI and the web show it."""

    person: PersonRecord
    record: PlanVersionRecord
    plan: Any
    today: date
    day_of_week: int
    checkins: tuple[CheckInRecord, ...]
    checked_in_today: bool
    review_due: bool
    text: str


def this_week(ctx: AppContext, person_id: int, today: date | None = None) -> WeekView:
    """The current plan version, this week's check-ins and whether a weekly review is due."""
    today = _today(today)
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        person = _require_person(repos, person_id)
        record = repos.plans.latest(person_id)
        if record is None:
            raise NotFoundError("No plan yet: run `heelcoach plan` after `heelcoach assess` to make one.")
        week_checkins = repos.checkins.between(person_id, record.starts_on, today)
        unit = Preferences(s).distance_unit(person_id) or DistanceUnit.KM
    plan = _plan_of(record)
    day_of_week = (today - record.starts_on).days + 1
    return WeekView(
        person=person,
        record=record,
        plan=plan,
        today=today,
        day_of_week=day_of_week,
        checkins=tuple(week_checkins),
        checked_in_today=any(c.day == today for c in week_checkins),
        review_due=day_of_week >= WEEK_DAYS,
        text=format_plan_text(plan, ctx.catalogue, unit),
    )


# --------------------------------------------------------------------------------------------
# Check-ins

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
            problems.append(f"{name}: unknown id(s) {ids}; use the ids shown by `heelcoach plan`")
    return problems


def validate_checkin(ctx: AppContext, entry: CheckInInput, *, today: date | None = None) -> list[str]:
    """Problems with one check-in, each naming the field (empty when valid)."""
    problems = _day_problems(entry.day, _today(today)) + _number_problems(entry) + _item_problems(ctx, entry)
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
    plan = _plan_of(latest)
    cleared = plan.warnings_cleared_on
    if plan.stops_loading or (cleared is not None and entry.day <= cleared):
        return None
    stopped = warning_signs.stop_for_warning_signs(plan, entry.red_flag_symptoms, today, ctx.catalogue.plan)
    stopped = dataclasses.replace(stopped, version=latest.version + 1)
    what = ctx.catalogue.plan.checkin_warning_signs.plain(entry.red_flag_symptoms)
    return repos.plans.add(
        person_id,
        plan=to_jsonable(plan_mod.plan_to_dict(stopped)),
        starts_on=today,
        phase=str(stopped.phase),
        week=int(stopped.week),
        decision=to_jsonable(
            {
                "kind": "warning_sign",
                "symptoms": list(entry.red_flag_symptoms),
                "reported_on": entry.day,
                "paused_version": latest.version,
            }
        ),
        reason=f"Paused the same day: your check-in of {entry.day:%a %d %b} reported {what}. "
        "See a clinician.",
        now=_now(now),
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
        _require_person(repos, person_id)
        for index, entry in enumerate(entries):
            problems = validate_checkin(ctx, entry, today=today)
            if problems:
                where = f"check-in {index + 1} ({entry.day.isoformat()})" if len(entries) > 1 else "check-in"
                raise InvalidInputError(f"{where}: " + "; ".join(problems) + ". Nothing was saved.")
            record, created = repos.checkins.upsert(_record_of(person_id, entry), _now(now))
            # a warning sign stops running and loading the same day, as in the questionnaire
            paused = _pause_for_warning_signs(ctx, repos, person_id, entry, _today(today), now)
            saved.append(CheckInSaved(record, not created, _warning_text(ctx, entry, paused), paused))
    return saved


def record_clinician_seen(
    ctx: AppContext, person_id: int, seen_on: date | None = None, *, now: datetime | None = None
) -> PlanVersionRecord:
    """Record that a clinician has seen the runner after a warning sign; the plan picks up where it
    stopped (the last version before the pause) as a new version.

    When the questionnaire stopped the plan (or the web made none) and its only stop reason is a
    condition with a graded return (a heel stress fracture), the clinician's clearance starts that
    return as a new version (:func:`_return_after_clearance`). Raises ConflictError when the plan is
    not paused, or when the questionnaire stopped it for any other reason (then the runner answers
    the questions again after the visit).
    """
    seen_on = _today(seen_on)
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        _require_person(repos, person_id)
        latest = repos.plans.latest(person_id)
        paused = _plan_of(latest) if latest is not None else None
        if paused is not None and not paused.stops_loading:
            raise ConflictError("Your plan is not paused, so there is nothing to resume.")
        before = next(
            (r for r in reversed(repos.plans.history(person_id)) if not _plan_of(r).stops_loading), None
        )
    if (
        paused is None
        or latest is None
        or before is None
        or latest.decision.get("kind") in ("initial", "rebuilt")
    ):
        return _return_after_clearance(ctx, person_id, seen_on, latest, now)
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        resumed = warning_signs.resume_after_clinician(_plan_of(before), paused, seen_on)
        resumed = dataclasses.replace(resumed, version=latest.version + 1)
        return repos.plans.add(
            person_id,
            plan=to_jsonable(plan_mod.plan_to_dict(resumed)),
            starts_on=seen_on,
            phase=str(resumed.phase),
            week=int(resumed.week),
            decision=to_jsonable(
                {"kind": "clinician_seen", "seen_on": seen_on, "resumes_version": before.version}
            ),
            reason=(
                f"A clinician has seen you (recorded {seen_on:%a %d %b}): the plan picks up where it stopped "
                f"(version {before.version})."
            ),
            now=_now(now),
        )


def clearance_blockers(ctx: AppContext, person_id: int, today: date | None = None) -> tuple[str, ...] | None:
    """Why a clinician's clearance cannot start a graded return for the runner's latest answers
    (empty: it can), or None when there are no answers yet."""
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        _require_person(repos, person_id)
        intake = repos.intakes.latest(person_id)
    if intake is None:
        return None
    triage = assess_mod.assess(intake.answers, ctx.catalogue)
    if not triage.stops_loading:
        return ("your answers do not stop the plan",)
    inp = plan_mod.PlanInput(
        answers=intake.answers, triage=triage, drivers=(), load=None, start=_today(today)
    )
    return condition_plans.clearance_blockers(inp, ctx.catalogue)


def _return_after_clearance(
    ctx: AppContext, person_id: int, seen_on: date, stopped: PlanVersionRecord | None, now: datetime | None
) -> PlanVersionRecord:
    """A clinician cleared the runner: the graded return of the stop's condition as a new version,
    or ConflictError naming the stop reasons a clearance does not lift."""
    blockers = clearance_blockers(ctx, person_id, seen_on)
    if blockers is None:
        raise NotFoundError("No plan yet: run `heelcoach plan` after `heelcoach assess` to make one.")
    if blockers:
        raise ConflictError(
            "Your answers to the questionnaire stopped the plan for a reason a clearance here does not "
            f"lift ({'; '.join(blockers)}): after the clinician's visit, answer the questions again "
            "(`heelcoach assess`, or Start on the web) to make a plan."
        )
    fresh = _fresh_plan(ctx, person_id, seen_on, cleared_on=seen_on)
    follows = next((i for i in fresh.plan.items if i.id.startswith("follows_")), None)
    if follows is None or fresh.plan.stops_loading:  # the answers changed under us: never lift blindly
        raise ConflictError("Your answers changed: answer the questions again to make a plan.")
    name = follows.title.split(": ", 1)[-1]
    replaces = f" It replaces version {stopped.version}, which stopped for it." if stopped else ""
    decision = {
        **fresh.decision,
        "kind": "cleared_return",
        "seen_on": seen_on,
        "follows": follows.ref_id,
        "stopped_version": stopped.version if stopped else None,
    }
    reason = (
        f"A clinician has cleared you (recorded {seen_on:%a %d %b}): the graded return to running after "
        f"{name[:1].lower() + name[1:]} starts, walk/run stage 1 in the settle phase.{replaces}"
    )
    return _store_plan(ctx, person_id, fresh.plan, seen_on, decision, reason, now)


def stop_referral(ctx: AppContext, person_id: int) -> str | None:
    """The referral of a plan that stops running and loading (shown on every page), else None."""
    with transaction(ctx.sessions) as s:
        latest = Repos(s).plans.latest(person_id)
    if latest is None:
        return None
    plan = _plan_of(latest)
    return str(plan.referral) if plan.stops_loading and plan.referral else None


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


def _domain_checkin(record: CheckInRecord) -> Any:
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


# --------------------------------------------------------------------------------------------
# Weekly review


@dataclass(frozen=True, slots=True)
class ReviewSaved:
    """The review the core made and the plan version stored from it."""

    review: Any
    previous: PlanVersionRecord
    record: PlanVersionRecord


def _review_reason(review: Any) -> str:
    parts: list[str] = []
    if getattr(review, "referral", None):
        parts.append("See a clinician: " + str(review.referral))
    if getattr(review, "phase_change", None):
        before, after = review.phase_change
        parts.append(f"Phase change: {before} -> {after}")
    summary = str(getattr(review.new_plan, "rationale", "") or "")
    if summary.startswith("This week: "):
        parts.append(summary.split(". ")[0].rstrip("."))
    counts: dict[str, int] = {}
    for d in review.decisions:
        counts[str(d.action)] = counts.get(str(d.action), 0) + 1
    if counts:
        parts.append("; ".join(f"{n} item(s) {a}" for a, n in sorted(counts.items())))
    messages = [str(m) for m in getattr(review, "messages", ())]
    if messages:
        parts.append(messages[0])
    return ". ".join(parts) or "Weekly review: no change."


def run_weekly_review(
    ctx: AppContext,
    person_id: int,
    today: date | None = None,
    *,
    now: datetime | None = None,
    after_insert: Callable[[Session], None] | None = None,
    force: bool = False,
) -> ReviewSaved:
    """Review the week's check-ins against the plan; store the next plan version with the decision.

    A review needs a full week of the current version (``force`` skips that check, e.g. for a
    clinician). ``after_insert`` is called inside the transaction right after the insert (tests
    inject failures there).
    """
    today = _today(today)
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        _require_person(repos, person_id)
        previous = repos.plans.latest(person_id)
        if previous is None:
            raise NotFoundError("No plan to review yet: run `heelcoach plan` first.")
        due = previous.starts_on + timedelta(days=WEEK_DAYS - 1)
        if today < due and not force:
            # Reviewing the same days twice would progress the plan twice on one week's evidence.
            raise ConflictError(
                f"Too early for the weekly review: plan version {previous.version} started on "
                f"{previous.starts_on.isoformat()}; review it on or after {due.isoformat()}."
            )
        # The core needs the whole history: the week before (is morning pain rising?) and the
        # weeks since the start (should we escalate?).
        checkins = repos.checkins.between(person_id, None, today)
        this_week_count = sum(1 for c in checkins if c.day >= today - timedelta(days=WEEK_DAYS - 1))
        unit = Preferences(s).distance_unit(person_id) or DistanceUnit.KM
    plan = _plan_of(previous)
    load = load_snapshot(ctx, person_id, today)
    review = progression.weekly_review(
        plan, tuple(_domain_checkin(c) for c in checkins), ctx.catalogue, today, load=load, unit=unit
    )
    new_plan = review.new_plan if review.new_plan is not None else plan
    decision = {
        "kind": "weekly_review",
        "reviewed_from": previous.starts_on,
        "reviewed_to": today,
        "previous_version": previous.version,
        "checkins": this_week_count,
        "decisions": review.decisions,
        "phase_change": review.phase_change,
        "referral": review.referral,
        "messages": review.messages,
        "recurrence": review.recurrence,
        "adherence": review.adherence,
        "load": load,
        # Which runs made it worse: each run of the week beside the pain around it.
        "runs_beside_pain": imports_mod.runs_beside_pain(ctx, person_id, previous.starts_on, today),
    }
    record = _store_plan(
        ctx,
        person_id,
        new_plan,
        today + timedelta(days=1) if today >= previous.starts_on else previous.starts_on,
        decision,
        _review_reason(review),
        now,
        after_insert=after_insert,
        expect_latest=previous.version,
    )
    return ReviewSaved(review, previous, record)


# --------------------------------------------------------------------------------------------
# Outcomes


def _score(ctx: AppContext, instrument: str, answers: Mapping[str, Any]) -> Any:
    if instrument == "psfs":
        return outcomes_mod.score_psfs(dict(answers), ctx.catalogue)
    if instrument == "faam_adl":
        return outcomes_mod.score_faam(dict(answers), "adl", ctx.catalogue)
    if instrument == "faam_sports":
        return outcomes_mod.score_faam(dict(answers), "sports", ctx.catalogue)
    raise InvalidInputError(f"instrument: expected one of {', '.join(INSTRUMENTS)}, got '{instrument}'")


def _score_value(score: Any) -> float:
    value = (
        getattr(score, "score_pct", None) if hasattr(score, "score_pct") else getattr(score, "score", None)
    )
    if not getattr(score, "valid", True) or value is None:
        raise InvalidInputError(
            f"{getattr(score, 'message', 'not enough answers for a score')} Nothing was saved."
        )
    return float(value)


def record_outcome(
    ctx: AppContext,
    person_id: int,
    instrument: str,
    answers: Mapping[str, Any],
    *,
    taken_on: date | None = None,
    now: datetime | None = None,
) -> tuple[OutcomeRecord, Any]:
    """Score a FAAM subscale or the PSFS and store answers and score."""
    try:
        score = _score(ctx, instrument, answers)
    except ConflictError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInputError(f"{instrument}: {exc}") from exc
    value = _score_value(score)
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        _require_person(repos, person_id)
        record = repos.outcomes.add(
            person_id,
            instrument=instrument,
            taken_on=_today(taken_on),
            answers=to_jsonable(dict(answers)),
            score=value,
            details=to_jsonable(score),
            now=_now(now),
        )
    return record, score


# --------------------------------------------------------------------------------------------
# Progress


@dataclass(frozen=True, slots=True)
class Progress:
    """A person's story in numbers: pain series, outcome changes, adherence and plan history."""

    person: PersonRecord
    pain: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    outcome_changes: list[dict[str, Any]] = field(default_factory=list)
    adherence: list[dict[str, Any]] = field(default_factory=list)
    plan_history: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def _weekly_means(checkins: Sequence[CheckInRecord], start: date) -> list[dict[str, Any]]:
    weeks: dict[int, list[CheckInRecord]] = {}
    for c in checkins:
        weeks.setdefault((c.day - start).days // WEEK_DAYS + 1, []).append(c)
    out = []
    for week, rows in sorted(weeks.items()):
        worst = [r.worst_pain for r in rows if r.worst_pain is not None]
        out.append(
            {
                "week": week,
                "checkins": len(rows),
                "first_step_pain_mean": round(sum(r.first_step_pain for r in rows) / len(rows), 1),
                "worst_pain_mean": round(sum(worst) / len(worst), 1) if worst else None,
                "run_km": round(sum(r.run_km or 0.0 for r in rows), 1),
            }
        )
    return out


def progress(ctx: AppContext, person_id: int) -> Progress:
    """Series of first-step and worst pain, outcome scores and changes with their MCID,
    adherence per reviewed week, and the plan history with the reason for every change."""
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        person = _require_person(repos, person_id)
        checkins = repos.checkins.between(person_id)
        outcome_rows = repos.outcomes.history(person_id)
        versions = repos.plans.history(person_id)
    pain = [
        {
            "day": c.day.isoformat(),
            "first_step_pain": c.first_step_pain,
            "worst_pain": c.worst_pain,
            "run_km": c.run_km,
            "run_pain_during": c.run_pain_during,
            "run_pain_after": c.run_pain_after,
        }
        for c in checkins
    ]
    outcomes_out = [
        {"instrument": o.instrument, "taken_on": o.taken_on.isoformat(), "score": round(o.score, 1)}
        for o in outcome_rows
    ]
    changes: list[dict[str, Any]] = []
    by_instrument: dict[str, list[OutcomeRecord]] = {}
    for o in outcome_rows:
        by_instrument.setdefault(o.instrument, []).append(o)
    for instrument, rows in by_instrument.items():
        if len(rows) < 2:
            continue
        first, last = rows[0], rows[-1]
        change = outcomes_mod.outcome_change(
            _score(ctx, instrument, first.answers), _score(ctx, instrument, last.answers), ctx.catalogue
        )
        doc = to_jsonable(change)
        doc = doc if isinstance(doc, dict) else {"change": doc}
        doc.update(
            {"instrument": instrument, "from": first.taken_on.isoformat(), "to": last.taken_on.isoformat()}
        )
        changes.append(doc)
    adherence = [
        {
            "version": v.version,
            "reviewed_to": v.decision.get("reviewed_to"),
            "adherence": v.decision["adherence"],
        }
        for v in versions
        if v.decision.get("kind") == "weekly_review" and v.decision.get("adherence") is not None
    ]
    history = [
        {
            "version": v.version,
            "created_at": v.created_at.isoformat(),
            "starts_on": v.starts_on.isoformat(),
            "phase": v.phase,
            "week": v.week,
            "kind": v.decision.get("kind", ""),
            "reason": v.reason,
            "decisions": v.decision.get("decisions", []),
        }
        for v in versions
    ]
    summary: dict[str, Any] = {"checkins": len(checkins), "plan_versions": len(versions)}
    if checkins:
        start = versions[0].starts_on if versions else checkins[0].day
        weekly = _weekly_means(checkins, start)
        summary["weeks"] = weekly
        summary["first_step_pain_first_week"] = weekly[0]["first_step_pain_mean"]
        summary["first_step_pain_last_week"] = weekly[-1]["first_step_pain_mean"]
    if versions:
        summary["phase"] = versions[-1].phase
        summary["week"] = versions[-1].week
    return Progress(person, pain, outcomes_out, changes, adherence, history, summary)


def progress_to_dict(p: Progress) -> dict[str, Any]:
    """Progress as JSON-ready data."""
    return dict(to_jsonable(p))


# --------------------------------------------------------------------------------------------
# Export and deletion (every table with a person_id column, including other engineers' tables)


def _person_tables() -> list[Table]:
    return [t for t in metadata.sorted_tables if "person_id" in t.c]


def export_person_data(ctx: AppContext, person_id: int) -> dict[str, Any]:
    """Everything stored about a person, table by table, as JSON-ready data."""
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        person = _require_person(repos, person_id)
        tables: dict[str, list[dict[str, Any]]] = {}
        for table in _person_tables():
            rows = s.execute(select(table).where(table.c.person_id == person_id).order_by(*table.primary_key))
            tables[table.name] = [to_jsonable(dict(r._mapping)) for r in rows]
    return {
        "format": "heelcoach-export",
        "format_version": 1,
        "exported_at": datetime.now(UTC).isoformat(),
        "person": to_jsonable(person),
        "tables": tables,
    }


def export_person(ctx: AppContext, person_id: int, dest: Path, fmt: str = "json") -> list[Path]:
    """Write a person's data to ``dest``: one JSON file, or a folder with one CSV per table."""
    if fmt not in {"json", "csv"}:
        raise InvalidInputError(f"format: expected json or csv, got '{fmt}'")
    data = export_person_data(ctx, person_id)
    if fmt == "json":
        path = dest if dest.suffix == ".json" else dest / f"heelcoach-person-{person_id}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        return [path]
    dest.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    people_path = dest / "people.csv"
    _write_csv(people_path, [data["person"]])
    written.append(people_path)
    for name, rows in data["tables"].items():
        path = dest / f"{name}.csv"
        _write_csv(path, rows, columns=[c.name for c in metadata.tables[name].columns])
        written.append(path)
    return written


def _write_csv(path: Path, rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None) -> None:
    rows = list(rows)
    header = list(columns) if columns else (list(rows[0]) if rows else [])
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                    for k, v in row.items()
                    if k in header
                }
            )


def delete_person(ctx: AppContext, person_id: int) -> dict[str, int]:
    """Delete a person and everything stored about them; returns rows deleted per table."""
    counts: dict[str, int] = {}
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        _require_person(repos, person_id)
        for table in reversed(_person_tables()):
            result = s.execute(delete(table).where(table.c.person_id == person_id))
            counts[table.name] = int(getattr(result, "rowcount", 0) or 0)
        repos.people.delete(person_id)
        counts["people"] = 1
    return counts
