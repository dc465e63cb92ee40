"""Table and repository for a runner's display preferences (distance unit).

One row per person (absent until the runner chooses; kilometres meanwhile).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from heelcoach.domain.units import DistanceUnit
from heelcoach.store.base import Base
from heelcoach.store.models import Person  # noqa: F401 - the people table our foreign key points at


class PreferenceRow(Base):
    """A person's display preferences."""

    __tablename__ = "display_preferences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, unique=True, index=True
    )
    distance_unit: Mapped[str] = mapped_column(String(2), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class Preferences:
    """The display_preferences table."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _row(self, person_id: int) -> PreferenceRow | None:
        return self.session.scalars(select(PreferenceRow).where(PreferenceRow.person_id == person_id)).first()

    def distance_unit(self, person_id: int) -> DistanceUnit | None:
        """The person's unit, or None when never chosen."""
        row = self._row(person_id)
        return None if row is None else DistanceUnit(row.distance_unit)

    def put_distance_unit(self, person_id: int, unit: DistanceUnit, now: datetime) -> None:
        """Insert or replace the person's unit."""
        row = self._row(person_id)
        if row is None:
            row = PreferenceRow(person_id=person_id)
            self.session.add(row)
        row.distance_unit = unit.value
        row.updated_at = now
        self.session.flush()
