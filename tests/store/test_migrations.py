"""Alembic builds the whole schema from an empty database, and it matches the models exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from heelcoach.store.all_tables import metadata
from heelcoach.store.base import make_engine
from heelcoach.store.migrate import SchemaError, current_revision, head_revision, upgrade


def test_upgrade_from_empty_creates_every_table_and_matches_the_models(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) == set()
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        tables = set(inspect(engine).get_table_names())
        assert set(metadata.tables) <= tables
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, metadata)
        assert diff == [], f"the migrations differ from the models; run scripts/make_migration.sh: {diff}"
    finally:
        engine.dispose()


def test_upgrade_twice_is_a_no_op(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        upgrade(engine)
        upgrade(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_every_table_module_is_registered() -> None:
    assert {"people", "intakes", "screens", "plan_versions", "checkins", "outcomes"} <= set(metadata.tables)


def test_a_database_made_without_migrations_gets_a_clear_error(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        metadata.create_all(engine)
        with pytest.raises(SchemaError, match="no migration history"):
            upgrade(engine)
    finally:
        engine.dispose()


def test_a_database_at_head_missing_a_table_gets_a_clear_error(tmp_path: Path) -> None:
    """A development build's database stamped at the newest revision but older than its schema."""
    engine = make_engine(f"sqlite:///{tmp_path / 'dev.db'}")
    try:
        upgrade(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE gait_reports")
        with pytest.raises(SchemaError, match=r"has no gait_reports table.*Move the file away"):
            upgrade(engine)
    finally:
        engine.dispose()
