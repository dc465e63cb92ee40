"""A clinician's caseload: every runner who shares with the clinic, who needs attention first.

Reasons, most urgent first: a warning sign reported in a check-in (last 14 days), first-step pain
rising week on week (pain-monitoring rule), check-ins missed (fewer days checked in over 14 days
than the escalation rule's adherence), no meaningful progress after the escalation rule's weeks,
a pending visit request.
The numbers come from ``plan_rules.yaml`` (``pain_monitoring``, ``escalation: no_progress_physio``).
A fixed number of queries for the whole clinic, whatever its size; of the check-ins only the 14-day
window and two aggregates are read, never the whole history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from statistics import mean
from typing import Any

from sqlalchemy import Date, Integer, Row, column, func, select, values
from sqlalchemy.orm import Session

from heelcoach.errors import KnowledgeError
from heelcoach.services.context import AppContext
from heelcoach.services.policy import Actor, PersonResource, can
from heelcoach.store.accounts import AccountRow, ShareRow, VisitRequestRow
from heelcoach.store.base import transaction
from heelcoach.store.models import CheckInRow, Person, PlanVersionRow

WINDOW_DAYS = 14  # two weeks of check-ins: this week against the one before


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    """One runner in the caseload, with why they are where they are."""

    person_id: int
    name: str
    phase: str | None
    week: int | None
    plan_weeks: int
    first_step_pain: tuple[int | None, ...]  # the last 14 days, oldest first; None: no check-in
    checkin_days: int
    adherence: float | None  # the last weekly review's, None before the first review
    last_checkin: date | None
    reasons: tuple[str, ...] = field(default_factory=tuple)
    rank: int = 99


def _rules(ctx: AppContext) -> tuple[float, int, float, float]:
    plan = ctx.catalogue.plan
    rule = next(e for e in plan.escalation if e.id == "no_progress_physio")
    if rule.after_weeks is None or rule.min_adherence is None or rule.meaningful_first_step_drop is None:
        raise KnowledgeError(
            "plan_rules.yaml: no_progress_physio needs after_weeks, min_adherence, meaningful_first_step_drop"
        )
    rise = float(plan.pain_monitoring.morning_rise_points)
    return (rise, rule.after_weeks, rule.min_adherence, rule.meaningful_first_step_drop)


def _reasons(
    ctx: AppContext, row: CaseloadRow, flags: list[str], early_pain: float | None
) -> tuple[int, list[str]]:
    rise, after_weeks, min_adherence, drop = _rules(ctx)
    reasons: list[tuple[int, str]] = []
    if flags:
        signs = sorted({f.replace("_", " ") for f in flags})
        reasons.append((0, "warning sign reported: " + ", ".join(signs)))
    days = row.first_step_pain
    last, before = [p for p in days[7:] if p is not None], [p for p in days[:7] if p is not None]
    if last and before and mean(last) - mean(before) >= rise:
        reasons.append((1, f"first-step pain rising: {mean(before):.1f} to {mean(last):.1f} a week"))
    if row.checkin_days < min_adherence * WINDOW_DAYS:
        reasons.append((2, f"check-ins missed: {row.checkin_days} of the last {WINDOW_DAYS} days"))
    good = row.adherence is not None and row.adherence >= min_adherence
    if (
        row.plan_weeks >= after_weeks
        and good
        and early_pain is not None
        and last
        and early_pain - mean(last) < drop
    ):
        reasons.append((3, f"no meaningful progress after {row.plan_weeks} weeks of good adherence"))
    return (min((r for r, _ in reasons), default=99), [text for _, text in reasons])


def _latest_plans(s: Session, ids: list[int]) -> dict[int, Row[Any]]:
    """Each person's latest plan version: its phase, week and decision, not the plan itself."""
    latest = (
        select(PlanVersionRow.person_id, func.max(PlanVersionRow.version).label("v"))
        .where(PlanVersionRow.person_id.in_(ids))
        .group_by(PlanVersionRow.person_id)
        .subquery()
    )
    return {
        r.person_id: r
        for r in s.execute(
            select(
                PlanVersionRow.person_id,
                PlanVersionRow.phase,
                PlanVersionRow.week,
                PlanVersionRow.decision,
            ).join(
                latest,
                (PlanVersionRow.person_id == latest.c.person_id) & (PlanVersionRow.version == latest.c.v),
            )
        )
    }


def caseload(ctx: AppContext, actor: Actor, today: date) -> list[CaseloadRow]:
    """The runners the actor (a clinician) may read, most urgent first, then by name."""
    if actor.role != "clinician" or actor.clinic_id is None:
        return []
    start = today - timedelta(days=WINDOW_DAYS - 1)
    with transaction(ctx.sessions) as s:
        people = s.execute(
            select(Person.id, Person.name, AccountRow.email)
            .join(ShareRow, ShareRow.person_id == Person.id)
            .outerjoin(AccountRow, AccountRow.person_id == Person.id)
            .where(ShareRow.clinic_id == actor.clinic_id, ShareRow.stopped_at.is_(None))
        ).all()
        ids = [p.id for p in people]
        plans = _latest_plans(s, ids)
        firsts: dict[int, date] = dict(
            s.execute(  # type: ignore[arg-type]  # rows of (person id, first day)
                select(PlanVersionRow.person_id, func.min(PlanVersionRow.starts_on))
                .where(PlanVersionRow.person_id.in_(ids))
                .group_by(PlanVersionRow.person_id)
            ).all()
        )
        asked = set(
            s.scalars(
                select(VisitRequestRow.person_id).where(
                    VisitRequestRow.clinic_id == actor.clinic_id, VisitRequestRow.starts_at.is_(None)
                )
            )
        )
        window, early, last = _checkin_facts(s, ids, firsts, start, today)
    rows = [
        _row(
            ctx,
            pid,
            name or (email or ""),
            plans.get(pid),
            firsts.get(pid),
            _Facts(window.get(pid, {}), early.get(pid), last.get(pid)),
            start,
            today,
        )
        for pid, name, email in people
        if can(actor, "read", PersonResource(pid, frozenset({actor.clinic_id})))
    ]
    rows = [_with_visit(r) if r.person_id in asked else r for r in rows]
    return sorted(rows, key=lambda r: (r.rank, r.name.lower(), r.person_id))


def _with_visit(row: CaseloadRow) -> CaseloadRow:
    return replace(row, reasons=(*row.reasons, "visit requested"), rank=min(row.rank, 4))


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the caseload needs of one runner's check-ins (never the whole history)."""

    window: dict[date, tuple[int, list[str]]]  # day -> (first-step pain, warning signs), last 14 days
    early_pain: float | None  # mean first-step pain of the plan's first week
    last_checkin: date | None


def _checkin_facts(
    s: Session, ids: list[int], firsts: dict[int, date], start: date, today: date
) -> tuple[dict[int, dict[date, tuple[int, list[str]]]], dict[int, float], dict[int, date]]:
    """Three aggregate queries over the clinic's check-ins: the 14-day window's rows, the first
    plan week's mean first-step pain, and the last check-in day, per runner."""
    window: dict[int, dict[date, tuple[int, list[str]]]] = defaultdict(dict)
    for pid, day, pain, flags in s.execute(
        select(
            CheckInRow.person_id, CheckInRow.day, CheckInRow.first_step_pain, CheckInRow.red_flag_symptoms
        ).where(CheckInRow.person_id.in_(ids), CheckInRow.day >= start, CheckInRow.day <= today)
    ):
        window[pid][day] = (pain, list(flags or []))
    early: dict[int, float] = {}
    if firsts:
        bounds = (
            values(column("pid", Integer), column("until", Date), name="first_weeks")
            .data([(pid, first + timedelta(days=7)) for pid, first in firsts.items()])
            .cte("first_weeks")  # WITH first_weeks(pid, until) AS (VALUES ...): SQLite and PostgreSQL
        )
        for pid, avg in s.execute(
            select(CheckInRow.person_id, func.avg(CheckInRow.first_step_pain))
            .join(bounds, (CheckInRow.person_id == bounds.c.pid) & (CheckInRow.day < bounds.c.until))
            .group_by(CheckInRow.person_id)
        ):
            early[pid] = float(avg)
    last: dict[int, date] = dict(
        s.execute(  # type: ignore[arg-type]  # rows of (person id, last day)
            select(CheckInRow.person_id, func.max(CheckInRow.day))
            .where(CheckInRow.person_id.in_(ids))
            .group_by(CheckInRow.person_id)
        ).all()
    )
    return window, early, last


def _row(
    ctx: AppContext,
    pid: int,
    name: str,
    plan: Any,
    first_day: date | None,
    facts: _Facts,
    start: date,
    today: date,
) -> CaseloadRow:
    window = [facts.window.get(start + timedelta(days=i)) for i in range(WINDOW_DAYS)]
    flags = [f for c in window if c is not None for f in c[1]]
    adherence = (
        plan.decision.get("adherence") if plan is not None and isinstance(plan.decision, dict) else None
    )
    row = CaseloadRow(
        person_id=pid,
        name=name,
        phase=plan.phase if plan else None,
        week=plan.week if plan else None,
        plan_weeks=((today - first_day).days // 7) if first_day else 0,
        first_step_pain=tuple(c[0] if c else None for c in window),
        checkin_days=sum(1 for c in window if c is not None),
        adherence=float(adherence) if isinstance(adherence, int | float) else None,
        last_checkin=facts.last_checkin,
    )
    rank, reasons = _reasons(ctx, row, flags, facts.early_pain)
    return replace(row, reasons=tuple(reasons), rank=rank)
