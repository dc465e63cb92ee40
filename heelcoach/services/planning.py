"""Plans: build a plan from all the evidence stored (make), merge new evidence into the current one
(update), store a version, and show this week of it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heelcoach.domain import condition_plans, plan_merge
from heelcoach.domain import drivers as drivers_mod
from heelcoach.domain import plan as plan_mod
from heelcoach.domain import screen as screen_mod
from heelcoach.domain.plan import Plan
from heelcoach.domain.planning.clinician import carry_terms
from heelcoach.domain.planning.model import ClinicianTerms
from heelcoach.domain.session_time import session_minutes
from heelcoach.domain.types import DriverEvidence, LoadSnapshot
from heelcoach.domain.units import DistanceUnit
from heelcoach.errors import ConflictError
from heelcoach.knowledge import Catalogue
from heelcoach.services import assess as assess_mod
from heelcoach.services import imports as imports_mod
from heelcoach.services.common import (
    WEEK_DAYS,
    NoAnswersError,
    NoPlanError,
    json_object,
    plan_of,
    require_person,
    resolve_now,
    resolve_today,
    to_jsonable,
)
from heelcoach.services.context import AppContext
from heelcoach.services.screening import screen_results
from heelcoach.services.units import unit_for
from heelcoach.store.all_tables import metadata
from heelcoach.store.base import transaction
from heelcoach.store.preferences import Preferences
from heelcoach.store.repositories import (
    CheckInRecord,
    IntakeRecord,
    PersonRecord,
    PlanVersionRecord,
    Repos,
    ScreenRecord,
)
from heelcoach.text.plan_text import format_plan_text


def load_snapshot(ctx: AppContext, person_id: int, today: date) -> LoadSnapshot | None:
    """What the imported watch files say about load, or None when there are none."""
    return imports_mod.load_snapshot(ctx, person_id, today)


def has_rows(ctx: AppContext, table_name: str, person_id: int) -> bool:
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
    if has_rows(ctx, "gait_reports", person_id):
        # Only then: the gait service pulls in the pose and video stack, seconds to import.
        from heelcoach.services import gait as gait_mod

        found.extend(gait_mod.person_gait_evidence(ctx, person_id, today))
    return tuple(found)


# --------------------------------------------------------------------------------------------
# Plans


def _plan_reason_initial(triage_level: str, drivers: Sequence[Any], plan: Plan | None = None) -> str:
    if plan is not None and plan.stops_loading:
        # a plan stopped by a red flag has no drivers to work on: it says what to do instead
        return "First plan from the intake: see a clinician first; no running or loading until then."
    names = [str(getattr(d, "id", d)) for d in drivers if getattr(d, "active", True)]
    labels: dict[str, str] = {str(k): v for k, v in drivers_mod.DRIVER_LABELS.items()}
    shown = ", ".join(labels.get(n, n.replace("_", " ")) for n in names[:4]) or "none stood out"
    return f"First plan from the intake (triage: {triage_level.replace('_', ' ')}); main drivers: {shown}."


@dataclass(frozen=True, slots=True)
class FreshPlan:
    """A plan built from all the evidence stored now, with the decision document behind it.

    ``answers`` and ``safety_flags`` (the latest intake's) screen a clinician's terms carried over
    (:func:`keep_clinician_terms`); ``terms_words`` says what of them the plan kept."""

    plan: Plan
    decision: dict[str, Any]
    reason: str
    previous: PlanVersionRecord | None
    answers: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    safety_flags: frozenset[str] = frozenset()
    terms_words: str = ""


@dataclass(frozen=True, slots=True)
class _Evidence:
    """Every piece of driver evidence stored now, where it came from, and the watch load."""

    found: list[DriverEvidence]
    sources: list[str]
    load: LoadSnapshot | None


def _gather_evidence(
    ctx: AppContext,
    person_id: int,
    start: date,
    intake: IntakeRecord,
    screen_record: ScreenRecord | None,
    evidence: Sequence[DriverEvidence],
) -> _Evidence:
    """Evidence from the intake, the self-tests, gait reports and watch files, plus ``evidence``."""
    found: list[DriverEvidence] = list(drivers_mod.intake_evidence(intake.answers, ctx.catalogue))
    sources = ["intake"]
    if screen_record is not None:
        painful = intake.answers.get("painful_side")
        found.extend(screen_mod.screen(screen_results(screen_record), ctx.catalogue, painful).evidence)
        sources.append(f"self-tests of {screen_record.taken_on.isoformat()}")
    more = extra_evidence(ctx, person_id, start)
    if more:
        sources.append("gait/watch evidence")
    found.extend(more)
    found.extend(evidence)
    load = load_snapshot(ctx, person_id, start)
    if load is not None:
        sources.append(f"watch load as of {load.as_of.isoformat()}")
        if not any(e.source == "activities" for e in found):
            found.extend(drivers_mod.load_evidence(load.spike_band, load.spike_run_km, ctx.catalogue))
    return _Evidence(found, sources, load)


def _cadence_cue_pct(ctx: AppContext, person_id: int, given: float | None) -> float | None:
    """The cadence cue given, else the one of the stored gait reports (None without them)."""
    if given is None and has_rows(ctx, "gait_reports", person_id):
        from heelcoach.services import gait as gait_mod

        return gait_mod.person_cadence_cue_pct(ctx, person_id)
    return given


def fresh_plan(
    ctx: AppContext,
    person_id: int,
    start: date,
    cadence_cue_pct: float | None = None,
    evidence: Sequence[DriverEvidence] = (),
    cleared_on: date | None = None,
) -> FreshPlan:
    """A plan built from all the evidence stored now (the decision says which), not yet stored."""
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        require_person(repos, person_id)
        intake = repos.intakes.latest(person_id)
        screen_record = repos.screens.latest(person_id)
        previous = repos.plans.latest(person_id)
    if intake is None:
        raise NoAnswersError("No questionnaire answers yet: answer the questions first to make a plan.")
    triage = assess_mod.assess(intake.answers, ctx.catalogue)
    gathered = _gather_evidence(ctx, person_id, start, intake, screen_record, evidence)
    drivers = drivers_mod.infer_drivers(tuple(gathered.found), ctx.catalogue)
    # One dispatch point: the plan for the condition the heel most likely has (issue 14).
    plan = condition_plans.build_plan(
        plan_mod.PlanInput(
            answers=intake.answers,
            triage=triage,
            drivers=drivers,
            load=gathered.load,
            start=start,
            cadence_cue_pct=_cadence_cue_pct(ctx, person_id, cadence_cue_pct),
            unit=unit_for(ctx, person_id),
        ),
        ctx.catalogue,
        cleared_on,
    )
    decision = {
        "kind": "initial" if previous is None else "rebuilt",
        "replaces_version": previous.version if previous else None,
        "sources": gathered.sources,
        "intake_id": intake.id,
        "screen_id": screen_record.id if screen_record else None,
        "drivers": to_jsonable(drivers),
        "evidence": to_jsonable(gathered.found),
        "load": to_jsonable(gathered.load),
    }
    return FreshPlan(
        plan,
        decision,
        _plan_reason_initial(intake.triage_level, drivers, plan),
        previous,
        intake.answers,
        frozenset(str(f) for f in triage.safety_flags),
    )


def keep_clinician_terms(ctx: AppContext, fresh: FreshPlan, today: date) -> FreshPlan:
    """``fresh`` (a plan built again from scratch) with the current version's clinician terms carried
    over (``domain.planning.clinician.carry_terms``): held items stay out, added or set items stay in
    at their level and dose, a cap stays a ceiling, unless the new plan's safety rules set one aside.
    The decision records what was kept and set aside; ``terms_words`` is for the version note."""
    if fresh.previous is None:
        return fresh
    previous = plan_of(fresh.previous)
    if previous.clinician == ClinicianTerms():
        return fresh
    carried = carry_terms(previous, fresh.plan, ctx.catalogue, fresh.answers, fresh.safety_flags, today)
    terms = carried.plan.clinician
    decision = {
        **fresh.decision,
        "clinician_terms": {
            "kept_from_version": fresh.previous.version,
            "held": list(terms.held),
            "added": list(terms.added),
            "levels_set": list(terms.levels_set),
            "weekly_km_cap": terms.weekly_km_cap,
            "set_aside": [{"ref_id": e.ref_id, "reason": e.reason} for e in carried.set_aside],
        },
    }
    words = carried.words or "Your physiotherapist's changes are kept."
    return dataclasses.replace(fresh, plan=carried.plan, decision=decision, terms_words=words)


def _refuse_while_paused(previous: PlanVersionRecord | None) -> None:
    """A warning sign in a check-in stops training until a clinician has seen the runner: a plan
    built again must not lift that pause (nor drop a clinician's items it set aside)."""
    if (
        previous is not None
        and previous.decision.get("kind") == "warning_sign"
        and plan_of(previous).stops_loading
    ):
        raise ConflictError(
            "Your plan is paused: a check-in reported a warning sign, so training stops until a clinician "
            "has seen you. Record the visit first (\"Has a clinician seen you?\" on Today), then make a "
            "new plan."
        )


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
    start = resolve_today(start)
    fresh = fresh_plan(ctx, person_id, start, cadence_cue_pct, evidence)
    _refuse_while_paused(fresh.previous)
    fresh = keep_clinician_terms(ctx, fresh, start)
    reason = fresh.reason
    if fresh.previous is not None:
        reason = reason.replace("First plan", "New plan", 1) + (
            f" It replaces version {fresh.previous.version} and starts again from its first week."
        )
    if fresh.terms_words:
        reason = f"{reason} {fresh.terms_words}"
    return store_plan(ctx, person_id, fresh.plan, start, fresh.decision, reason, now)


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
    today = resolve_today(today)
    fresh = fresh_plan(ctx, person_id, today)
    if fresh.previous is None:
        return store_plan(ctx, person_id, fresh.plan, today, fresh.decision, fresh.reason, now)
    current = plan_of(fresh.previous)
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
    return store_plan(
        ctx,
        person_id,
        merged.plan,
        fresh.previous.starts_on,
        decision,
        merged.plan.rationale,
        now,
        expect_latest=fresh.previous.version,
    )


def store_plan(
    ctx: AppContext,
    person_id: int,
    plan: Plan,
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
            plan=json_object(plan_mod.plan_to_dict(plan)),
            starts_on=starts_on,
            phase=str(plan.phase),
            week=int(plan.week),
            decision=json_object(dict(decision)),
            reason=reason,
            now=resolve_now(now),
        )
        if after_insert is not None:
            after_insert(s)
        return record


def current_plan(ctx: AppContext, person_id: int) -> tuple[PlanVersionRecord, Plan]:
    """The latest stored plan version and the plan itself."""
    with transaction(ctx.sessions) as s:
        record = Repos(s).plans.latest(person_id)
    if record is None:
        raise NoPlanError("No plan yet: answer the questions to make one.")
    return record, plan_of(record)


def format_plan(ctx: AppContext, plan: Plan, unit: DistanceUnit = DistanceUnit.KM) -> str:
    """The plan as plain text for a runner (distances in ``unit``)."""
    return str(format_plan_text(plan, ctx.catalogue, unit))


@dataclass(frozen=True, slots=True)
class WeekView:
    """This week of the plan, as the CLI and the web show it."""

    person: PersonRecord
    record: PlanVersionRecord
    plan: Plan
    today: date
    day_of_week: int
    checkins: tuple[CheckInRecord, ...]
    checked_in_today: bool
    review_due: bool
    #: The runner's distance unit and the knowledge the plan's words come from (for :attr:`text`).
    unit: DistanceUnit
    catalogue: Catalogue = field(repr=False, compare=False)
    #: About how long today's session takes (the estimate the plan is fitted with); 0 when there is
    #: nothing to do in a session today or the plan is paused.
    minutes_today: int = 0

    @property
    def text(self) -> str:
        """The plan in words, as the CLI prints it (made when asked: the web pages do not use it)."""
        return format_plan_text(self.plan, self.catalogue, self.unit)


def this_week(ctx: AppContext, person_id: int, today: date | None = None) -> WeekView:
    """The current plan version, this week's check-ins and whether a weekly review is due."""
    today = resolve_today(today)
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        person = require_person(repos, person_id)
        record = repos.plans.latest(person_id)
        if record is None:
            raise NoPlanError("No plan yet: answer the questions to make one.")
        week_checkins = repos.checkins.between(person_id, record.starts_on, today)
        unit = Preferences(s).distance_unit(person_id) or DistanceUnit.KM
    plan = plan_of(record)
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
        unit=unit,
        catalogue=ctx.catalogue,
        minutes_today=0 if plan.stops_loading else session_minutes(plan, today, ctx.catalogue.plan),
    )
