"""Local mode keeps working without login; its actor is its one runner, through the same policy."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from heelcoach.config import Settings
from heelcoach.services import people
from heelcoach.services.context import AppContext


@pytest.fixture
def local(tmp_path: Path) -> Iterator[tuple[AppContext, Any]]:
    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None))
    people.create_person(ctx, "Runner")  # the runner who has started on this machine
    from heelcoach.web.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
    from tests.web.conftest import _test_client_class

    with _test_client_class()(create_app(ctx), raise_server_exceptions=False) as client:
        yield ctx, client
    ctx.close()


def test_local_runner_is_the_actor(local: tuple[AppContext, Any]) -> None:
    ctx, client = local
    me = client.get("/api/me").json()
    assert (me["mode"], me["role"], me["account_id"]) == ("local", "runner", None)
    own = me["person_id"]
    assert client.get(f"/api/people/{own}/export").json()["person"]["id"] == own
    other = people.create_person(ctx, "someone else").id
    assert client.get(f"/api/people/{other}/export").status_code == 404
    assert client.get(f"/api/people/{own + 1000}/export").status_code == 404
    login = client.get("/login", follow_redirects=False)  # no accounts in local mode
    assert (login.status_code, login.headers["location"]) == (303, "/")


def test_readme_prints_the_policy_table() -> None:
    from heelcoach.services.policy import policy_table_markdown

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Clinic mode", 1)[1]
    assert policy_table_markdown() in section


def test_ids_beyond_the_tables_are_a_clear_422(local: tuple[AppContext, Any]) -> None:
    # found by schemathesis: 2**63 reached SQLite and came back as a server error
    _ctx, client = local
    for path in (
        "/api/people/9223372036854775808/export",
        "/api/people/0/visits",
        "/api/people/1/visits/-1/calendar.ics",
    ):
        got = client.get(path)
        assert got.status_code == 422, (path, got.status_code)
