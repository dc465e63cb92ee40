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

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Date, Integer, Row, Text, TextClause, bindparam, cast, func, select, text
from sqlalchemy.orm import Session, aliased

from heelcoach.errors import KnowledgeError
from heelcoach.services.context import AppContext
from heelcoach.services.policy import Actor, PersonResource, can
from heelcoach.store.accounts import AccountRow, ShareRow, VisitRequestRow
from heelcoach.store.base import transaction
from heelcoach.store.models import CheckInRow, Person, PlanVersionRow

WINDOW_DAYS = 14  # two weeks of check-ins: this week against the one before


def mean(values: list[int]) -> float:
    """The mean of a non-empty list of ints (``statistics.mean`` gives the same float, 20x slower)."""
    return sum(values) / len(values)


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
    return _reasons_with(_rules(ctx), row, flags, early_pain)


def _reasons_with(
    rules: tuple[float, int, float, float], row: CaseloadRow, flags: list[str], early_pain: float | None
) -> tuple[int, list[str]]:
    rise, after_weeks, min_adherence, drop = rules
    reasons: list[tuple[int, str]] = []
    if flags:
        reasons.append((0, "warning sign reported: " + "; ".join(sorted(set(flags)))))
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


def _people(s: Session, clinic_id: int) -> list[Row[Any]]:
    """One row per runner sharing with the clinic: name, e-mail, the latest plan version's phase,
    week and decision (not the plan itself), the first plan day and whether a visit is pending.
    Correlated subqueries, each an index lookup ((person_id, version) and (person_id, day) are
    unique), so the whole clinic is one statement whatever its size."""
    pv = aliased(PlanVersionRow)
    latest = (
        select(func.max(PlanVersionRow.version))
        .where(PlanVersionRow.person_id == Person.id)
        .correlate(Person)
        .scalar_subquery()
    )
    first = (
        select(func.min(PlanVersionRow.starts_on))
        .where(PlanVersionRow.person_id == Person.id)
        .correlate(Person)
        .scalar_subquery()
    )
    asked = (
        select(VisitRequestRow.id)
        .where(
            VisitRequestRow.person_id == Person.id,
            VisitRequestRow.clinic_id == clinic_id,
            VisitRequestRow.starts_at.is_(None),
        )
        .correlate(Person)
        .exists()
    )
    return list(
        s.execute(
            select(
                Person.id,
                Person.name,
                AccountRow.email,
                pv.phase,
                pv.week,
                pv.decision,
                first.label("first_day"),
                asked.label("asked"),
            )
            .join(ShareRow, ShareRow.person_id == Person.id)
            .outerjoin(AccountRow, AccountRow.person_id == Person.id)
            .outerjoin(pv, (pv.person_id == Person.id) & (pv.version == latest))
            .where(ShareRow.clinic_id == clinic_id, ShareRow.stopped_at.is_(None))
        ).all()
    )


def caseload(ctx: AppContext, actor: Actor, today: date) -> list[CaseloadRow]:
    """The runners the actor (a clinician) may read, most urgent first, then by name."""
    if actor.role != "clinician" or actor.clinic_id is None:
        return []
    start = today - timedelta(days=WINDOW_DAYS - 1)
    with transaction(ctx.sessions) as s:
        people = [
            p
            for p in _people(s, actor.clinic_id)
            if can(actor, "read", PersonResource(p.id, frozenset({actor.clinic_id})))
        ]
        ids = [p.id for p in people]
        firsts = {p.id: p.first_day for p in people if p.first_day is not None}
        window, early, last = _checkin_facts(s, ids, firsts, start, today)
    rules = _rules(ctx)
    signs = {sign.id: sign.plain for sign in ctx.catalogue.plan.checkin_warning_signs.signs}
    rows = [
        _row(
            rules,
            signs,
            p,
            _Facts(window.get(p.id, {}), early.get(p.id), last.get(p.id)),
            start,
            today,
        )
        for p in people
    ]
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
    """Three queries over the clinic's check-ins: the 14-day window's rows, the first plan week's
    mean first-step pain, and the last check-in day, per runner. The aggregates are correlated
    subqueries, each a range of the (person_id, day) index, never a scan of every check-in."""
    window: dict[int, dict[date, tuple[int, list[str]]]] = defaultdict(dict)
    if not ids:
        return window, {}, {}
    # the warning signs as text: most days have none ("[]"), and only the others are parsed
    for pid, day, pain, flags in s.execute(
        select(
            CheckInRow.person_id,
            CheckInRow.day,
            CheckInRow.first_step_pain,
            cast(CheckInRow.red_flag_symptoms, Text),
        ).where(CheckInRow.person_id.in_(ids), CheckInRow.day >= start, CheckInRow.day <= today)
    ):
        window[pid][day] = (pain, _flags(flags))
    early: dict[int, float] = {}
    if firsts:
        params: dict[str, Any] = {}
        for i, (pid, first) in enumerate(firsts.items()):
            params[f"p{i}"], params[f"u{i}"] = pid, first + timedelta(days=7)
        for pid, avg in s.execute(_first_weeks(len(firsts)), params):
            if avg is not None:
                early[pid] = float(avg)
    last_day = (
        select(func.max(CheckInRow.day))
        .where(CheckInRow.person_id == Person.id)
        .correlate(Person)
        .scalar_subquery()
    )
    last: dict[int, date] = {
        pid: day for pid, day in s.execute(select(Person.id, last_day).where(Person.id.in_(ids))) if day
    }
    return window, early, last


@lru_cache(maxsize=32)
def _first_weeks(n: int) -> TextClause:
    """Each of ``n`` runners' mean first-step pain before a day of their own (their first plan
    week's end): ``WITH first_weeks(pid, until) AS (VALUES ...)`` and a correlated average, each a
    range of the (person_id, day) index. Built once per clinic size with bound parameters, so it is
    compiled once (a ``values().data()`` construct was compiled again on every call: ~10 ms of CPU
    for 200 runners); SQLite and PostgreSQL."""
    rows = ", ".join(f"(:p{i}, :u{i})" for i in range(n))
    checkins = CheckInRow.__tablename__
    return text(
        f"WITH first_weeks(pid, until) AS (VALUES {rows}) "
        f"SELECT w.pid, (SELECT avg(c.first_step_pain) FROM {checkins} c "
        "WHERE c.person_id = w.pid AND c.day < w.until) FROM first_weeks w"
    ).bindparams(
        *(bindparam(f"p{i}", type_=Integer) for i in range(n)),
        *(bindparam(f"u{i}", type_=Date) for i in range(n)),
    )


def _flags(raw: str | None) -> list[str]:
    """The warning signs of one check-in from the column's JSON text."""
    if not raw or raw == "[]":
        return []
    flags = json.loads(raw)
    return [str(f) for f in flags] if isinstance(flags, list) else []


def _row(
    rules: tuple[float, int, float, float],
    signs: Mapping[str, str],
    person: Row[Any],
    facts: _Facts,
    start: date,
    today: date,
) -> CaseloadRow:
    window = [facts.window.get(start + timedelta(days=i)) for i in range(WINDOW_DAYS)]
    # the warning signs in the knowledge base's words ("numbness, tingling or burning in the foot")
    flags = [signs.get(f, f.replace("_", " ")) for c in window if c is not None for f in c[1]]
    decision = person.decision
    adherence = decision.get("adherence") if isinstance(decision, dict) else None
    first_day = person.first_day
    row = CaseloadRow(
        person_id=person.id,
        name=person.name or (person.email or ""),
        phase=person.phase,
        week=person.week,
        plan_weeks=((today - first_day).days // 7) if first_day else 0,
        first_step_pain=tuple(c[0] if c else None for c in window),
        checkin_days=sum(1 for c in window if c is not None),
        adherence=float(adherence) if isinstance(adherence, int | float) else None,
        last_checkin=facts.last_checkin,
    )
    rank, reasons = _reasons_with(rules, row, flags, facts.early_pain)
    row = replace(row, reasons=tuple(reasons), rank=rank)
    return _with_visit(row) if person.asked else row
