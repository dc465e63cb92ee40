"""Database fixtures: every store/service test runs on SQLite AND on a real PostgreSQL.

PostgreSQL comes from ``HEELCOACH_TEST_POSTGRES_URL`` (``scripts/test.sh`` starts one with
``scripts/pg.sh``). Without it: under CI the tests fail loudly; locally we try ``scripts/pg.sh
start`` and skip the PostgreSQL half with the reason if that is impossible. Each pytest-xdist worker
(and each concurrent pytest run) gets its own database, dropped at the end.

Use from a conftest: ``from tests.db_fixtures import *``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Engine, make_url

from heelcoach.config import Settings
from heelcoach.services.context import AppContext
from heelcoach.store.base import make_engine

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ("sqlite", "postgresql")

__all__ = ["BACKENDS", "backend", "ctx", "db_url", "empty_db_url", "postgres_server_url", "postgres_url"]


def _start_local_postgres() -> tuple[str | None, str]:
    """Try scripts/pg.sh; return (url, reason it failed)."""
    script = ROOT / "scripts" / "pg.sh"
    try:
        done = subprocess.run(
            ["bash", str(script), "start"], capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"scripts/pg.sh start failed: {exc}"
    url = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    if done.returncode != 0 or not url.startswith("postgresql"):
        return None, f"scripts/pg.sh start failed ({done.returncode}): {done.stderr.strip()[-300:]}"
    return url, ""


@pytest.fixture(scope="session")
def postgres_server_url() -> str | None:
    """URL of a PostgreSQL server to create test databases on (None: skip the PostgreSQL half)."""
    url = os.environ.get("HEELCOACH_TEST_POSTGRES_URL")
    if url:
        return url
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(
            "HEELCOACH_TEST_POSTGRES_URL is not set under CI: the store must be tested on a real "
            "PostgreSQL. Run the suite through scripts/test.sh, which starts one with scripts/pg.sh."
        )
    started, reason = _start_local_postgres()
    if started is None:
        pytest.skip(f"no PostgreSQL for the store tests: HEELCOACH_TEST_POSTGRES_URL unset and {reason}")
    os.environ["HEELCOACH_TEST_POSTGRES_URL"] = started
    return started


def _admin_engine(server_url: str) -> Engine:
    return create_engine(server_url, isolation_level="AUTOCOMMIT", future=True)


@pytest.fixture(scope="session")
def postgres_url(postgres_server_url: str, worker_id: str) -> Iterator[str]:
    """A database of its own for this pytest worker: ``test_<worker>_<pid>``, dropped at the end."""
    name = re.sub(r"[^a-z0-9_]", "_", f"test_{worker_id}_{os.getpid()}".lower())
    admin = _admin_engine(postgres_server_url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any connection problem is reported the same way
        admin.dispose()
        message = f"cannot create a test database on {postgres_server_url}: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    url: URL = make_url(postgres_server_url).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend under test."""
    return str(request.param)


def _reset_postgres(url: str) -> None:
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def _truncate_postgres(url: str) -> bool:
    """Empty every table of an already migrated database; False if it is not migrated."""
    engine = make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        if "alembic_version" not in tables:
            return False
        names = ", ".join(f'"{t}"' for t in sorted(tables - {"alembic_version"}))
        if names:
            with engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return True
    finally:
        engine.dispose()


@pytest.fixture
def empty_db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The URL of an empty database (no tables) on the backend under test."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    url = str(request.getfixturevalue("postgres_url"))
    _reset_postgres(url)
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per session; tests get a copy (Alembic runs once, not per test)."""
    path = tmp_path_factory.mktemp("template") / "heelcoach.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        from heelcoach.store.migrate import upgrade

        upgrade(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return path


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The URL of a migrated, empty-of-rows database on the backend under test."""
    if backend == "sqlite":
        target = tmp_path / "heelcoach.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    url = str(request.getfixturevalue("postgres_url"))
    if not _truncate_postgres(url):
        _reset_postgres(url)
    return url


@pytest.fixture
def ctx(db_url: str, tmp_path: Path) -> Iterator[AppContext]:
    """An application context on a migrated database of the backend under test."""
    context = AppContext.from_settings(Settings(database_url=db_url, data_dir=tmp_path / "data"))
    yield context
    context.close()
