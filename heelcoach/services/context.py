"""The application context every service receives: settings, database sessions, knowledge."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from heelcoach.config import Settings, get_settings
from heelcoach.knowledge import Catalogue, load_catalogue
from heelcoach.store.base import make_engine, make_session_factory


@dataclass
class AppContext:
    """Settings, an engine with its session factory, and the validated knowledge catalogue."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    catalogue: Catalogue

    @classmethod
    def from_settings(cls, settings: Settings | None = None, *, migrate: bool = True) -> AppContext:
        """Open the configured database (creating or upgrading its schema when ``migrate``)."""
        settings = settings or get_settings()
        engine = make_engine(settings.resolved_database_url())
        if migrate:
            from heelcoach.store.migrate import upgrade

            upgrade(engine)
        return cls(settings, engine, make_session_factory(engine), load_catalogue())

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
