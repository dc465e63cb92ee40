"""The reminder e-mails sent: one row per person, day and kind, so a reminder goes out once.

Two workers (or two beats) looking for due reminders at the same moment both try to add the row;
the unique key lets one of them through and the other finds the reminder already sent.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from heelcoach.store.base import Base
from heelcoach.store.models import Person  # noqa: F401 - the people table our foreign key points at


class ReminderMailRow(Base):
    """A reminder e-mail sent to a person for one local day."""

    __tablename__ = "reminder_mail"
    __table_args__ = (
        UniqueConstraint("person_id", "day", "kind", name="uq_reminder_mail_person_id_day_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
