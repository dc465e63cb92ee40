"""Database fixtures over both backends (SQLite and PostgreSQL): see tests/db_fixtures.py."""

from tests.clinic.clinic_world import world  # noqa: F401 - a fixture found by name
from tests.db_fixtures import (  # noqa: F401 - fixtures are found by name
    backend,
    ctx,
    db_url,
    empty_db_url,
    postgres_server_url,
    postgres_url,
    sqlite_template,
)
