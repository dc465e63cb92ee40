"""Table and repository for a runner's reminder settings: when to be reminded, in which time zone.

One row per person (absent until the runner sets a time in Settings; defaults apply meanwhile).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from heelcoach.store.base import Base
from heelcoach.store.models import Person  # noqa: F401 - the people table our foreign key points at


class ReminderRow(Base):
    """A person's reminder times ("HH:MM", local) and IANA time zone name."""

    __tablename__ = "reminder_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, unique=True, index=True
    )
    checkin_time: Mapped[str] = mapped_column(String(5), nullable=False)
    session_time: Mapped[str] = mapped_column(String(5), nullable=False)
    run_time: Mapped[str] = mapped_column(String(5), nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


@dataclass(frozen=True, slots=True)
class ReminderRecord:
    """Stored reminder settings (text as typed and validated by the service)."""

    person_id: int
    checkin_time: str
    session_time: str
    run_time: str
    timezone: str


class ReminderSettings:
    """The reminder_settings table."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, person_id: int) -> ReminderRecord | None:
        """The person's settings, or None when never set."""
        row = self.session.scalars(select(ReminderRow).where(ReminderRow.person_id == person_id)).first()
        if row is None:
            return None
        return ReminderRecord(row.person_id, row.checkin_time, row.session_time, row.run_time, row.timezone)

    def put(self, record: ReminderRecord, now: datetime) -> None:
        """Insert or replace the person's settings."""
        row = self.session.scalars(
            select(ReminderRow).where(ReminderRow.person_id == record.person_id)
        ).first()
        if row is None:
            row = ReminderRow(person_id=record.person_id)
            self.session.add(row)
        row.checkin_time = record.checkin_time
        row.session_time = record.session_time
        row.run_time = record.run_time
        row.timezone = record.timezone
        row.updated_at = now
        self.session.flush()
