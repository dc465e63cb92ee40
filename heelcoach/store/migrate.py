"""Bring a database's schema up to date with Alembic (``upgrade head``), run from Python.

The Alembic configuration is built in code (no ini file to find at run time): the scripts live in
``heelcoach/store/migrations`` inside the package. ``python -m heelcoach.store.migrate revision``
regenerates the initial revision from the models (see ``scripts/make_migration.sh``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from heelcoach.errors import HeelcoachError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class SchemaError(HeelcoachError, RuntimeError):
    """The database cannot be brought up to date; the message says why and what to do."""


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration pointing at the bundled migration scripts."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str | None:
    """The newest revision id of the bundled scripts."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision`` in one transaction."""
    current = current_revision(engine)
    if revision == "head" and current == head_revision():
        _check_tables(engine)
        return
    if current is None:
        existing = set(inspect(engine).get_table_names()) - {"alembic_version"}
        if existing:
            raise SchemaError(
                f"the database {engine.url.render_as_string(hide_password=True)} has tables "
                f"({', '.join(sorted(existing)[:5])}...) but no migration history: it was made by an early "
                "development build. Move the file away (or drop its tables) and start again."
            )
    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def _check_tables(engine: Engine) -> None:
    """A database at the newest revision must have every table of the models (one quick query)."""
    from heelcoach.store.all_tables import metadata

    missing = set(metadata.tables) - set(inspect(engine).get_table_names())
    if missing:
        raise SchemaError(
            f"the database {engine.url.render_as_string(hide_password=True)} says it is up to date but "
            f"has no {', '.join(sorted(missing))} table: it was made by an early development build. "
            "Move the file away (or point HEELCOACH_DATABASE_URL at another database) and start again."
        )


def make_initial_revision(url: str) -> None:
    """Autogenerate revision 0001 from the models against the empty database at ``url``."""
    cfg = alembic_config(url)
    command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")


def main(argv: list[str]) -> int:
    """``python -m heelcoach.store.migrate revision URL`` or ``upgrade URL``."""
    if len(argv) != 2 or argv[0] not in {"revision", "upgrade"}:
        sys.stderr.write("usage: python -m heelcoach.store.migrate (revision|upgrade) DATABASE_URL\n")
        return 2
    action, url = argv
    if action == "revision":
        make_initial_revision(url)
    else:
        from heelcoach.store.base import make_engine

        engine = make_engine(url)
        try:
            upgrade(engine)
        finally:
            engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
