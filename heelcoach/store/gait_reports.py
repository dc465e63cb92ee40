"""Table and repository for stored gait reports: one row per analysed clip, the report as JSON.

The few columns that queries filter or sort on (view, activity, cadence, cadence cue) sit next to
the full report document, so the plan can read the latest findings without re-running the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from heelcoach.store.base import Base
from heelcoach.store.models import Person  # noqa: F401 - the people table our foreign key points at


class GaitReportRow(Base):
    """One gait analysis of a person's clip (video or keypoint file)."""

    __tablename__ = "gait_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    source: Mapped[str] = mapped_column(String(1000), nullable=False)
    view: Mapped[str] = mapped_column(String(10), nullable=False)
    activity: Mapped[str] = mapped_column(String(20), nullable=False)
    cadence_spm: Mapped[float | None] = mapped_column(Float, nullable=True)
    cadence_cue_pct: Mapped[float | None] = mapped_column(Float, nullable=True)
    report_json: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    key_frames_dir: Mapped[str | None] = mapped_column(String(1000), nullable=True)


@dataclass(frozen=True, slots=True)
class GaitReportRecord:
    """A stored gait report (the store's own shape; ``report`` is the report's JSON document)."""

    person_id: int
    created_at: datetime
    source: str
    view: str
    activity: str
    cadence_spm: float | None
    cadence_cue_pct: float | None
    report: dict[str, Any]
    key_frames_dir: str | None = None
    id: int | None = None


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything is stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _to_record(row: GaitReportRow) -> GaitReportRecord:
    return GaitReportRecord(
        id=row.id,
        person_id=row.person_id,
        created_at=_aware(row.created_at),
        source=row.source,
        view=row.view,
        activity=row.activity,
        cadence_spm=row.cadence_spm,
        cadence_cue_pct=row.cadence_cue_pct,
        report=dict(row.report_json),
        key_frames_dir=row.key_frames_dir,
    )


class GaitReports:
    """Repository of a person's gait reports inside a session the service opened (never commits)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, record: GaitReportRecord) -> int:
        """Store a report; returns its id."""
        row = GaitReportRow(
            person_id=record.person_id,
            created_at=record.created_at.astimezone(UTC),
            source=record.source[-1000:],
            view=record.view,
            activity=record.activity,
            cadence_spm=record.cadence_spm,
            cadence_cue_pct=record.cadence_cue_pct,
            report_json=record.report,
            key_frames_dir=None if record.key_frames_dir is None else record.key_frames_dir[-1000:],
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def get(self, report_id: int) -> GaitReportRecord | None:
        """One report by id, or None."""
        row = self.session.get(GaitReportRow, report_id)
        return None if row is None else _to_record(row)

    def history(
        self,
        person_id: int,
        *,
        until: datetime | None = None,
        view: str | None = None,
        activity: str | None = None,
        limit: int | None = None,
    ) -> list[GaitReportRecord]:
        """A person's reports created up to ``until`` (inclusive), newest first."""
        query = select(GaitReportRow).where(GaitReportRow.person_id == person_id)
        if until is not None:
            query = query.where(GaitReportRow.created_at <= until.astimezone(UTC))
        if view is not None:
            query = query.where(GaitReportRow.view == view)
        if activity is not None:
            query = query.where(GaitReportRow.activity == activity)
        query = query.order_by(GaitReportRow.created_at.desc(), GaitReportRow.id.desc())
        if limit is not None:
            query = query.limit(limit)
        rows = self.session.scalars(query).all()
        return [_to_record(r) for r in rows]

    def latest(
        self, person_id: int, *, view: str | None = None, activity: str | None = None
    ) -> GaitReportRecord | None:
        """The newest report of a person (optionally of one view / activity), or None."""
        found = self.history(person_id, view=view, activity=activity, limit=1)
        return found[0] if found else None

    def count(self, person_id: int) -> int:
        """How many reports a person has."""
        return len(
            self.session.scalars(select(GaitReportRow.id).where(GaitReportRow.person_id == person_id)).all()
        )
