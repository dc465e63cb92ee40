"""Tables for imported activities (one row per activity) and the other copies of each.

The same run imported as FIT, GPX and TCX is one ``activities`` row (the richest format wins);
the other copies are ``activity_copies`` rows, so that re-importing any of them is recognised.
Each (person, source hash, session) is unique across both tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from heelcoach.store.base import Base
from heelcoach.store.models import Person  # noqa: F401 - the people table our foreign keys point at


class ActivityRow(Base):
    """One activity as imported (summary only; samples are not stored)."""

    __tablename__ = "activities"
    __table_args__ = (
        UniqueConstraint("person_id", "source_sha256", "session_index", name="uq_activities_source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    sport: Mapped[str] = mapped_column(String(20), nullable=False)
    sport_detail: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    start_utc: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    utc_offset_s: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    distance_m: Mapped[float] = mapped_column(Float, nullable=False)
    elapsed_s: Mapped[float] = mapped_column(Float, nullable=False)
    timer_s: Mapped[float] = mapped_column(Float, nullable=False)
    moving_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    ascent_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    avg_cadence_spm: Mapped[float | None] = mapped_column(Float, nullable=True)
    max_cadence_spm: Mapped[float | None] = mapped_column(Float, nullable=True)
    avg_hr_bpm: Mapped[float | None] = mapped_column(Float, nullable=True)
    max_hr_bpm: Mapped[float | None] = mapped_column(Float, nullable=True)
    source_path: Mapped[str] = mapped_column(String(1000), nullable=False)
    source_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    source_format: Mapped[str] = mapped_column(String(8), nullable=False)
    session_index: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class ActivityCopyRow(Base):
    """Another file holding an activity already stored (the same run as GPX after its FIT)."""

    __tablename__ = "activity_copies"
    __table_args__ = (
        UniqueConstraint("person_id", "source_sha256", "session_index", name="uq_activity_copies_source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), nullable=False, index=True
    )
    source_path: Mapped[str] = mapped_column(String(1000), nullable=False)
    source_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    source_format: Mapped[str] = mapped_column(String(8), nullable=False)
    session_index: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    """An activity summary as stored (the store's own shape; services convert at the edge)."""

    sport: str
    start: datetime
    distance_m: float
    elapsed_s: float
    timer_s: float
    moving_s: float | None
    ascent_m: float | None
    avg_cadence_spm: float | None
    max_cadence_spm: float | None
    avg_hr_bpm: float | None
    max_hr_bpm: float | None
    source_path: str
    source_sha256: str
    source_format: str
    session_index: int = 0
    sport_detail: str = ""
    id: int | None = None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _to_record(row: ActivityRow) -> ActivityRecord:
    zone = timezone(timedelta(seconds=row.utc_offset_s)) if row.utc_offset_s else UTC
    return ActivityRecord(
        id=row.id,
        sport=row.sport,
        start=_aware(row.start_utc).astimezone(zone),
        distance_m=row.distance_m,
        elapsed_s=row.elapsed_s,
        timer_s=row.timer_s,
        moving_s=row.moving_s,
        ascent_m=row.ascent_m,
        avg_cadence_spm=row.avg_cadence_spm,
        max_cadence_spm=row.max_cadence_spm,
        avg_hr_bpm=row.avg_hr_bpm,
        max_hr_bpm=row.max_hr_bpm,
        source_path=row.source_path,
        source_sha256=row.source_sha256,
        source_format=row.source_format,
        session_index=row.session_index,
        sport_detail=row.sport_detail,
    )


def _fill(row: ActivityRow, act: ActivityRecord) -> None:
    offset = act.start.utcoffset()
    row.sport = act.sport
    row.sport_detail = act.sport_detail[:60]
    row.start_utc = act.start.astimezone(UTC)
    row.utc_offset_s = int(offset.total_seconds()) if offset else 0
    row.distance_m = act.distance_m
    row.elapsed_s = act.elapsed_s
    row.timer_s = act.timer_s
    row.moving_s = act.moving_s
    row.ascent_m = act.ascent_m
    row.avg_cadence_spm = act.avg_cadence_spm
    row.max_cadence_spm = act.max_cadence_spm
    row.avg_hr_bpm = act.avg_hr_bpm
    row.max_hr_bpm = act.max_hr_bpm
    row.source_path = act.source_path[-1000:]
    row.source_sha256 = act.source_sha256
    row.source_format = act.source_format
    row.session_index = act.session_index


class Activities:
    """Repository of a person's activities inside a session the service opened (never commits)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def known_source(self, person_id: int, sha256: str, session_index: int) -> bool:
        """True when this file's session is already stored, as the activity or as a copy."""
        for table in (ActivityRow, ActivityCopyRow):
            found = self.session.scalar(
                select(table.id).where(
                    table.person_id == person_id,
                    table.source_sha256 == sha256,
                    table.session_index == session_index,
                )
            )
            if found is not None:
                return True
        return False

    def overlapping(self, person_id: int, start: datetime, end: datetime) -> list[ActivityRecord]:
        """Stored activities that start within a day before ``end`` and could overlap [start, end]."""
        rows = self.session.scalars(
            select(ActivityRow).where(
                ActivityRow.person_id == person_id,
                ActivityRow.start_utc >= start.astimezone(UTC) - timedelta(days=1),
                ActivityRow.start_utc <= end.astimezone(UTC),
            )
        ).all()
        return [_to_record(r) for r in rows]

    def add(self, person_id: int, act: ActivityRecord, now: datetime) -> int:
        """Store a new activity; returns its id."""
        row = ActivityRow(person_id=person_id, imported_at=now)
        _fill(row, act)
        self.session.add(row)
        self.session.flush()
        return row.id

    def add_copy(self, person_id: int, activity_id: int, act: ActivityRecord) -> None:
        """Remember another file holding the stored activity ``activity_id``."""
        self.session.add(
            ActivityCopyRow(
                person_id=person_id,
                activity_id=activity_id,
                source_path=act.source_path[-1000:],
                source_sha256=act.source_sha256,
                source_format=act.source_format,
                session_index=act.session_index,
            )
        )
        self.session.flush()

    def replace(self, person_id: int, activity_id: int, act: ActivityRecord) -> None:
        """Replace a stored activity by a richer copy; the old file becomes a copy."""
        row = self.session.get(ActivityRow, activity_id)
        if row is None or row.person_id != person_id:
            raise KeyError(activity_id)
        old = _to_record(row)
        _fill(row, act)
        self.session.flush()
        self.add_copy(person_id, activity_id, old)

    def between(
        self, person_id: int, start: datetime | None = None, end: datetime | None = None
    ) -> list[ActivityRecord]:
        """A person's activities starting in [start, end), oldest first."""
        query = select(ActivityRow).where(ActivityRow.person_id == person_id)
        if start is not None:
            query = query.where(ActivityRow.start_utc >= start.astimezone(UTC))
        if end is not None:
            query = query.where(ActivityRow.start_utc < end.astimezone(UTC))
        rows = self.session.scalars(query.order_by(ActivityRow.start_utc, ActivityRow.id)).all()
        return [_to_record(r) for r in rows]

    def span(self, person_id: int) -> tuple[int, datetime | None, datetime | None]:
        """How many activities a person has, and the start of the first and of the last (UTC)."""
        start = ActivityRow.start_utc
        query = select(func.count(ActivityRow.id), func.min(start), func.max(start))
        count, first, last = self.session.execute(query.where(ActivityRow.person_id == person_id)).one()
        return int(count), _aware(first) if first else None, _aware(last) if last else None

    def count(self, person_id: int) -> int:
        """How many activities a person has."""
        return len(
            self.session.scalars(select(ActivityRow.id).where(ActivityRow.person_id == person_id)).all()
        )
