"""Bring a database's schema up to date (the store work replaces this with Alembic upgrades)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from heelcoach.store import activities, gait_reports  # noqa: F401 - register their tables
from heelcoach.store.base import Base


def upgrade(engine: Engine) -> None:
    """Create any missing tables."""
    Base.metadata.create_all(engine)
