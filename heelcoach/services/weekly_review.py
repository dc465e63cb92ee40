"""The weekly review: read the week's check-ins against the plan and store the next plan version."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from heelcoach.domain import progression
from heelcoach.domain.progression import Review
from heelcoach.domain.types import LoadSnapshot
from heelcoach.domain.units import DistanceUnit
from heelcoach.errors import ConflictError
from heelcoach.services import imports as imports_mod
from heelcoach.services.checkins import domain_checkin
from heelcoach.services.common import WEEK_DAYS, NoPlanError, plan_of, require_person, resolve_today
from heelcoach.services.context import AppContext
from heelcoach.services.planning import load_snapshot, store_plan
from heelcoach.store.base import transaction
from heelcoach.store.preferences import Preferences
from heelcoach.store.repositories import CheckInRecord, PlanVersionRecord, Repos


@dataclass(frozen=True, slots=True)
class ReviewSaved:
    """The review the core made and the plan version stored from it."""

    review: Review
    previous: PlanVersionRecord
    record: PlanVersionRecord


def _review_reason(review: Review) -> str:
    parts: list[str] = []
    if review.referral:
        parts.append("See a clinician: " + str(review.referral))
    if review.phase_change:
        before, after = review.phase_change
        parts.append(f"Phase change: {before} -> {after}")
    summary = str(review.new_plan.rationale or "")
    if summary.startswith("This week: "):
        parts.append(summary.split(". ")[0].rstrip("."))
    counts: dict[str, int] = {}
    for d in review.decisions:
        counts[str(d.action)] = counts.get(str(d.action), 0) + 1
    if counts:
        parts.append("; ".join(f"{n} item(s) {a}" for a, n in sorted(counts.items())))
    messages = [str(m) for m in review.messages]
    if messages:
        parts.append(messages[0])
    return ". ".join(parts) or "Weekly review: no change."


@dataclass(frozen=True, slots=True)
class _Week:
    """What a review reads from the store: the version under review and the check-ins so far."""

    previous: PlanVersionRecord
    checkins: tuple[CheckInRecord, ...]
    this_week_count: int
    unit: DistanceUnit


def _read_week(ctx: AppContext, person_id: int, today: date, force: bool) -> _Week:
    """The plan version to review and the check-ins (ConflictError when a full week has not passed)."""
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        require_person(repos, person_id)
        previous = repos.plans.latest(person_id)
        if previous is None:
            raise NoPlanError("No plan to review yet: make a plan first.")
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
    return _Week(previous, tuple(checkins), this_week_count, unit)


def _decision(
    ctx: AppContext, person_id: int, week: _Week, review: Review, load: LoadSnapshot | None, today: date
) -> dict[str, Any]:
    """The decision document stored with the new version: what was reviewed and what was decided."""
    previous = week.previous
    return {
        "kind": "weekly_review",
        "reviewed_from": previous.starts_on,
        "reviewed_to": today,
        "previous_version": previous.version,
        "checkins": week.this_week_count,
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
    today = resolve_today(today)
    week = _read_week(ctx, person_id, today, force)
    previous = week.previous
    plan = plan_of(previous)
    load = load_snapshot(ctx, person_id, today)
    review = progression.weekly_review(
        plan, tuple(domain_checkin(c) for c in week.checkins), ctx.catalogue, today, load=load, unit=week.unit
    )
    new_plan = review.new_plan if review.new_plan is not None else plan
    record = store_plan(
        ctx,
        person_id,
        new_plan,
        today + timedelta(days=1) if today >= previous.starts_on else previous.starts_on,
        _decision(ctx, person_id, week, review, load, today),
        _review_reason(review),
        now,
        after_insert=after_insert,
        expect_latest=previous.version,
    )
    return ReviewSaved(review, previous, record)
