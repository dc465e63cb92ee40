"""Import every table module so that ``Base.metadata`` knows the whole schema (for Alembic)."""

from __future__ import annotations

from heelcoach.store import (
    accounts,
    activities,
    blobs,
    gait_reports,
    models,
    preferences,
    reminder_mail,
    reminders,
)
from heelcoach.store.base import Base

#: The table modules registered on :data:`Base.metadata`.
TABLE_MODULES = (models, activities, gait_reports, reminders, accounts, preferences, blobs, reminder_mail)

metadata = Base.metadata

__all__ = ["TABLE_MODULES", "metadata"]
