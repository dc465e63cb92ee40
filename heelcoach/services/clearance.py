"""After a warning sign: a clinician has seen the runner, so the plan resumes or a graded return starts."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from heelcoach.domain import condition_plans, warning_signs
from heelcoach.domain import plan as plan_mod
from heelcoach.errors import ConflictError
from heelcoach.services import assess as assess_mod
from heelcoach.services.common import (
    NoPlanError,
    json_object,
    plan_of,
    require_person,
    resolve_now,
    resolve_today,
)
from heelcoach.services.context import AppContext
from heelcoach.services.planning import fresh_plan, keep_clinician_terms, store_plan
from heelcoach.store.base import transaction
from heelcoach.store.repositories import PlanVersionRecord, Repos


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
    seen_on = resolve_today(seen_on)
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        require_person(repos, person_id)
        latest = repos.plans.latest(person_id)
        paused = plan_of(latest) if latest is not None else None
        if paused is not None and not paused.stops_loading:
            raise ConflictError("Your plan is not paused, so there is nothing to resume.")
        before = next(
            (r for r in reversed(repos.plans.history(person_id)) if not plan_of(r).stops_loading), None
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
        resumed = warning_signs.resume_after_clinician(plan_of(before), paused, seen_on)
        resumed = dataclasses.replace(resumed, version=latest.version + 1)
        return repos.plans.add(
            person_id,
            plan=json_object(plan_mod.plan_to_dict(resumed)),
            starts_on=seen_on,
            phase=str(resumed.phase),
            week=int(resumed.week),
            decision=json_object(
                {"kind": "clinician_seen", "seen_on": seen_on, "resumes_version": before.version}
            ),
            reason=(
                f"A clinician has seen you (recorded {seen_on:%a %d %b}): the plan picks up where it stopped "
                f"(version {before.version})."
            ),
            now=resolve_now(now),
        )


def clearance_blockers(ctx: AppContext, person_id: int, today: date | None = None) -> tuple[str, ...] | None:
    """Why a clinician's clearance cannot start a graded return for the runner's latest answers
    (empty: it can), or None when there are no answers yet."""
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        require_person(repos, person_id)
        intake = repos.intakes.latest(person_id)
    if intake is None:
        return None
    triage = assess_mod.assess(intake.answers, ctx.catalogue)
    if not triage.stops_loading:
        return ("your answers do not stop the plan",)
    inp = plan_mod.PlanInput(
        answers=intake.answers, triage=triage, drivers=(), load=None, start=resolve_today(today)
    )
    return condition_plans.clearance_blockers(inp, ctx.catalogue)


def _return_after_clearance(
    ctx: AppContext, person_id: int, seen_on: date, stopped: PlanVersionRecord | None, now: datetime | None
) -> PlanVersionRecord:
    """A clinician cleared the runner: the graded return of the stop's condition as a new version,
    or ConflictError naming the stop reasons a clearance does not lift."""
    blockers = clearance_blockers(ctx, person_id, seen_on)
    if blockers is None:
        raise NoPlanError("No plan yet: answer the questions to make one.")
    if blockers:
        raise ConflictError(
            "Your answers to the questionnaire stopped the plan for a reason a clearance here does not "
            f"lift ({'; '.join(blockers)}): after the clinician's visit, answer the questions again to make "
            "a plan."
        )
    fresh = keep_clinician_terms(ctx, fresh_plan(ctx, person_id, seen_on, cleared_on=seen_on), seen_on)
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
    if fresh.terms_words:
        reason = f"{reason} {fresh.terms_words}"
    return store_plan(ctx, person_id, fresh.plan, seen_on, decision, reason, now)


def stop_referral(ctx: AppContext, person_id: int) -> str | None:
    """The referral of a plan that stops running and loading (shown on every page), else None."""
    with transaction(ctx.sessions) as s:
        latest = Repos(s).plans.latest(person_id)
    return None if latest is None else referral_that_stops(plan_of(latest))


def referral_that_stops(plan: plan_mod.Plan) -> str | None:
    """The plan's referral when it stops running and loading, else None."""
    return str(plan.referral) if plan.stops_loading and plan.referral else None
