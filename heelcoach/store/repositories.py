"""Repositories: read and write a person's records inside a session the service opened.

Repositories never commit: the service that owns the unit of work does (``store.base.transaction``).
They take and return plain frozen records, so nothing above the store sees an ORM row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from heelcoach.store.models import CheckInRow, IntakeRow, OutcomeRow, Person, PlanVersionRow, ScreenRow


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything is stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person followed by heelcoach."""

    id: int
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class IntakeRecord:
    """Questionnaire answers, their questionnaire version and the triage they produced."""

    id: int
    person_id: int
    created_at: datetime
    questionnaire_version: str
    answers: dict[str, Any]
    triage_level: str
    triage: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ScreenRecord:
    """One session of self-tests and the report computed from it."""

    id: int
    person_id: int
    created_at: datetime
    taken_on: date
    results: list[dict[str, Any]]
    report: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PlanVersionRecord:
    """One stored version of a plan, with the decision that produced it and why."""

    id: int
    person_id: int
    version: int
    created_at: datetime
    starts_on: date
    phase: str
    week: int
    plan: dict[str, Any]
    decision: dict[str, Any]
    reason: str


@dataclass(frozen=True, slots=True)
class CheckInRecord:
    """A day's check-in as stored (the fields of ``domain.progression.CheckIn``)."""

    person_id: int
    day: date
    first_step_pain: int
    worst_pain: int | None = None
    run_pain_during: int | None = None
    run_pain_after: int | None = None
    next_morning_worse: bool | None = None
    run_km: float | None = None
    run_minutes: float | None = None
    done_items: tuple[str, ...] = ()
    passive_used: tuple[str, ...] = ()
    red_flag_symptoms: tuple[str, ...] = ()
    notes: str = ""
    updated_at: datetime | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class OutcomeRecord:
    """One outcome questionnaire with its score."""

    id: int
    person_id: int
    instrument: str
    taken_on: date
    created_at: datetime
    answers: dict[str, Any]
    score: float
    details: dict[str, Any]


class People:
    """The people table."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @staticmethod
    def _record(row: Person) -> PersonRecord:
        return PersonRecord(row.id, row.name, _aware(row.created_at))

    def add(self, name: str, now: datetime) -> PersonRecord:
        """Create a person."""
        row = Person(name=name, created_at=now)
        self.session.add(row)
        self.session.flush()
        return self._record(row)

    def get(self, person_id: int) -> PersonRecord | None:
        """The person with this id, or None."""
        row = self.session.get(Person, person_id)
        return None if row is None else self._record(row)

    def first(self) -> PersonRecord | None:
        """The first person created (the local runner in single-user use)."""
        row = self.session.scalars(select(Person).order_by(Person.id).limit(1)).first()
        return None if row is None else self._record(row)

    def everyone(self) -> list[PersonRecord]:
        """Everyone, oldest first."""
        return [self._record(r) for r in self.session.scalars(select(Person).order_by(Person.id))]

    def delete(self, person_id: int) -> bool:
        """Delete a person and, explicitly, every record that belongs to them."""
        if self.session.get(Person, person_id) is None:
            return False
        # Explicit deletes as well as ON DELETE CASCADE: other engineers' tables may lack the cascade.
        for table in (CheckInRow, OutcomeRow, PlanVersionRow, ScreenRow, IntakeRow):
            self.session.execute(delete(table).where(table.person_id == person_id))
        self.session.execute(delete(Person).where(Person.id == person_id))
        return True


class Intakes:
    """The intakes table."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @staticmethod
    def _record(row: IntakeRow) -> IntakeRecord:
        return IntakeRecord(
            row.id,
            row.person_id,
            _aware(row.created_at),
            row.questionnaire_version,
            dict(row.answers),
            row.triage_level,
            dict(row.triage),
        )

    def add(
        self,
        person_id: int,
        *,
        questionnaire_version: str,
        answers: dict[str, Any],
        triage_level: str,
        triage: dict[str, Any],
        now: datetime,
    ) -> IntakeRecord:
        """Store an intake and its triage."""
        row = IntakeRow(
            person_id=person_id,
            created_at=now,
            questionnaire_version=questionnaire_version,
            answers=answers,
            triage_level=triage_level,
            triage=triage,
        )
        self.session.add(row)
        self.session.flush()
        return self._record(row)

    def latest(self, person_id: int) -> IntakeRecord | None:
        """The most recent intake."""
        row = self.session.scalars(
            select(IntakeRow).where(IntakeRow.person_id == person_id).order_by(IntakeRow.id.desc()).limit(1)
        ).first()
        return None if row is None else self._record(row)

    def history(self, person_id: int) -> list[IntakeRecord]:
        """Every intake, oldest first."""
        rows = self.session.scalars(
            select(IntakeRow).where(IntakeRow.person_id == person_id).order_by(IntakeRow.id)
        )
        return [self._record(r) for r in rows]


class Screens:
    """The screens table."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @staticmethod
    def _record(row: ScreenRow) -> ScreenRecord:
        return ScreenRecord(
            row.id,
            row.person_id,
            _aware(row.created_at),
            row.taken_on,
            [dict(r) for r in row.results],
            dict(row.report),
        )

    def add(
        self,
        person_id: int,
        *,
        taken_on: date,
        results: list[dict[str, Any]],
        report: dict[str, Any],
        now: datetime,
    ) -> ScreenRecord:
        """Store a screen."""
        row = ScreenRow(
            person_id=person_id, created_at=now, taken_on=taken_on, results=results, report=report
        )
        self.session.add(row)
        self.session.flush()
        return self._record(row)

    def latest(self, person_id: int) -> ScreenRecord | None:
        """The most recent screen."""
        row = self.session.scalars(
            select(ScreenRow).where(ScreenRow.person_id == person_id).order_by(ScreenRow.id.desc()).limit(1)
        ).first()
        return None if row is None else self._record(row)

    def history(self, person_id: int) -> list[ScreenRecord]:
        """Every screen, oldest first."""
        rows = self.session.scalars(
            select(ScreenRow).where(ScreenRow.person_id == person_id).order_by(ScreenRow.id)
        )
        return [self._record(r) for r in rows]


class PlanVersions:
    """The plan_versions table: an append-only history of a person's plan."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @staticmethod
    def _record(row: PlanVersionRow) -> PlanVersionRecord:
        return PlanVersionRecord(
            row.id,
            row.person_id,
            row.version,
            _aware(row.created_at),
            row.starts_on,
            row.phase,
            row.week,
            dict(row.plan),
            dict(row.decision),
            row.reason,
        )

    def add(
        self,
        person_id: int,
        *,
        plan: dict[str, Any],
        starts_on: date,
        phase: str,
        week: int,
        decision: dict[str, Any],
        reason: str,
        now: datetime,
    ) -> PlanVersionRecord:
        """Append the next version (1 for the first plan)."""
        latest = self.session.scalar(
            select(func.max(PlanVersionRow.version)).where(PlanVersionRow.person_id == person_id)
        )
        row = PlanVersionRow(
            person_id=person_id,
            version=(latest or 0) + 1,
            created_at=now,
            starts_on=starts_on,
            phase=phase,
            week=week,
            plan=plan,
            decision=decision,
            reason=reason,
        )
        self.session.add(row)
        self.session.flush()
        return self._record(row)

    def latest(self, person_id: int) -> PlanVersionRecord | None:
        """The current plan version."""
        row = self.session.scalars(
            select(PlanVersionRow)
            .where(PlanVersionRow.person_id == person_id)
            .order_by(PlanVersionRow.version.desc())
            .limit(1)
        ).first()
        return None if row is None else self._record(row)

    def get(self, person_id: int, version: int) -> PlanVersionRecord | None:
        """One version."""
        row = self.session.scalars(
            select(PlanVersionRow).where(
                PlanVersionRow.person_id == person_id, PlanVersionRow.version == version
            )
        ).first()
        return None if row is None else self._record(row)

    def history(self, person_id: int) -> list[PlanVersionRecord]:
        """Every version, oldest first."""
        rows = self.session.scalars(
            select(PlanVersionRow)
            .where(PlanVersionRow.person_id == person_id)
            .order_by(PlanVersionRow.version)
        )
        return [self._record(r) for r in rows]

    def count(self, person_id: int) -> int:
        """How many versions a person has."""
        return int(
            self.session.scalar(
                select(func.count()).select_from(PlanVersionRow).where(PlanVersionRow.person_id == person_id)
            )
            or 0
        )


_CHECKIN_FIELDS = (
    "first_step_pain",
    "worst_pain",
    "run_pain_during",
    "run_pain_after",
    "next_morning_worse",
    "run_km",
    "run_minutes",
    "notes",
)


class CheckIns:
    """The checkins table: one row per person per day."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @staticmethod
    def _record(row: CheckInRow) -> CheckInRecord:
        return CheckInRecord(
            person_id=row.person_id,
            day=row.day,
            first_step_pain=row.first_step_pain,
            worst_pain=row.worst_pain,
            run_pain_during=row.run_pain_during,
            run_pain_after=row.run_pain_after,
            next_morning_worse=row.next_morning_worse,
            run_km=row.run_km,
            run_minutes=row.run_minutes,
            done_items=tuple(row.done_items),
            passive_used=tuple(row.passive_used),
            red_flag_symptoms=tuple(row.red_flag_symptoms),
            notes=row.notes,
            updated_at=_aware(row.updated_at),
        )

    def upsert(self, record: CheckInRecord, now: datetime) -> tuple[CheckInRecord, bool]:
        """Insert the day's check-in or replace it; returns (stored record, created)."""
        row = self.session.scalars(
            select(CheckInRow).where(CheckInRow.person_id == record.person_id, CheckInRow.day == record.day)
        ).first()
        created = row is None
        if row is None:
            row = CheckInRow(person_id=record.person_id, day=record.day, created_at=now)
            self.session.add(row)
        for name in _CHECKIN_FIELDS:
            setattr(row, name, getattr(record, name))
        row.done_items = list(record.done_items)
        row.passive_used = list(record.passive_used)
        row.red_flag_symptoms = list(record.red_flag_symptoms)
        row.updated_at = now
        self.session.flush()
        return self._record(row), created

    def get(self, person_id: int, day: date) -> CheckInRecord | None:
        """The check-in of one day."""
        row = self.session.scalars(
            select(CheckInRow).where(CheckInRow.person_id == person_id, CheckInRow.day == day)
        ).first()
        return None if row is None else self._record(row)

    def between(
        self, person_id: int, first: date | None = None, last: date | None = None
    ) -> list[CheckInRecord]:
        """Check-ins from ``first`` to ``last`` inclusive (open ends allowed), by day."""
        query = select(CheckInRow).where(CheckInRow.person_id == person_id)
        if first is not None:
            query = query.where(CheckInRow.day >= first)
        if last is not None:
            query = query.where(CheckInRow.day <= last)
        return [self._record(r) for r in self.session.scalars(query.order_by(CheckInRow.day))]

    def count(self, person_id: int) -> int:
        """How many check-ins a person has."""
        return int(
            self.session.scalar(
                select(func.count()).select_from(CheckInRow).where(CheckInRow.person_id == person_id)
            )
            or 0
        )


class Outcomes:
    """The outcomes table."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @staticmethod
    def _record(row: OutcomeRow) -> OutcomeRecord:
        return OutcomeRecord(
            row.id,
            row.person_id,
            row.instrument,
            row.taken_on,
            _aware(row.created_at),
            dict(row.answers),
            row.score,
            dict(row.details),
        )

    def add(
        self,
        person_id: int,
        *,
        instrument: str,
        taken_on: date,
        answers: dict[str, Any],
        score: float,
        details: dict[str, Any],
        now: datetime,
    ) -> OutcomeRecord:
        """Store one questionnaire and its score."""
        row = OutcomeRow(
            person_id=person_id,
            instrument=instrument,
            taken_on=taken_on,
            created_at=now,
            answers=answers,
            score=score,
            details=details,
        )
        self.session.add(row)
        self.session.flush()
        return self._record(row)

    def history(self, person_id: int, instrument: str | None = None) -> list[OutcomeRecord]:
        """Questionnaires by date (one instrument, or all)."""
        query = select(OutcomeRow).where(OutcomeRow.person_id == person_id)
        if instrument is not None:
            query = query.where(OutcomeRow.instrument == instrument)
        rows = self.session.scalars(query.order_by(OutcomeRow.taken_on, OutcomeRow.id))
        return [self._record(r) for r in rows]


@dataclass
class Repos:
    """Every repository on one session: ``Repos(session).checkins.upsert(...)``."""

    session: Session
    people: People = field(init=False)
    intakes: Intakes = field(init=False)
    screens: Screens = field(init=False)
    plans: PlanVersions = field(init=False)
    checkins: CheckIns = field(init=False)
    outcomes: Outcomes = field(init=False)

    def __post_init__(self) -> None:
        self.people = People(self.session)
        self.intakes = Intakes(self.session)
        self.screens = Screens(self.session)
        self.plans = PlanVersions(self.session)
        self.checkins = CheckIns(self.session)
        self.outcomes = Outcomes(self.session)


__all__ = [
    "CheckInRecord",
    "CheckIns",
    "IntakeRecord",
    "Intakes",
    "OutcomeRecord",
    "Outcomes",
    "People",
    "PersonRecord",
    "PlanVersionRecord",
    "PlanVersions",
    "Repos",
    "ScreenRecord",
    "Screens",
]
