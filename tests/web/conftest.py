"""Fixtures for the web tests: an app on a temporary SQLite store, a test client, an onboarded runner."""

from __future__ import annotations

import html as html_lib
import re
import warnings
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from heelcoach.config import Settings
from heelcoach.services.context import AppContext
from tests.web.answers import TYPICAL, form_fields

LOCAL = "http://127.0.0.1"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def _test_client_class() -> Any:
    # starlette warns at import that it prefers the httpx2 package; httpx is what we have.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    class LocalTestClient(TestClient):  # type: ignore[misc]
        """At a loopback address (other Host headers are refused), sending the Origin a browser
        sends (API writes need it, or the page's token)."""

        def __init__(self, app: Any, **kwargs: Any) -> None:
            kwargs.setdefault("base_url", LOCAL)
            kwargs.setdefault("headers", {"Origin": LOCAL})
            super().__init__(app, **kwargs)

    return LocalTestClient


@pytest.fixture
def web_ctx(tmp_path: Path) -> Iterator[AppContext]:
    """A context on a fresh SQLite file in a temporary data folder."""
    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None, max_upload_mb=2))
    yield ctx
    ctx.close()


@pytest.fixture
def app(web_ctx: AppContext) -> Any:
    """The web app around ``web_ctx``."""
    from heelcoach.web.app import create_app

    return create_app(web_ctx)


def move_clock(app: Any, day: date) -> None:
    """Set the app's clock: every route's ``Today`` dependency answers ``day`` from now on."""
    from heelcoach.web.deps import get_today

    app.dependency_overrides[get_today] = lambda: day


@pytest.fixture
def clock(app: Any) -> Iterator[Callable[[date], None]]:
    """``clock(day)`` moves the test app's clock to ``day`` (the real clock again after the test)."""
    yield lambda day: move_clock(app, day)
    app.dependency_overrides.clear()


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    """A test client that shows server errors as responses (so tests can assert there are none)."""
    with _test_client_class()(app, raise_server_exceptions=False) as c:
        yield c


def csrf_of(client: Any, path: str = "/settings") -> str:
    """The form token for this client's session."""
    match = CSRF_RE.search(client.get(path).text)
    assert match, "no CSRF token on the page"
    return match.group(1)


def answer_all(client: Any, catalogue: Any, answers: dict[str, Any]) -> Any:
    """Post every question group in order; return the last response."""
    from heelcoach.web.questions import group_ids

    token = csrf_of(client)
    response = None
    for group in group_ids(catalogue):
        ids = [q.id for q in catalogue.triage.questions if q.group == group]
        response = client.post(f"/start/q/{group}", data={"csrf_token": token, **form_fields(answers, ids)})
        assert response.status_code == 200, (group, response.text[-2000:])
    return response


@pytest.fixture
def onboarded(client: Any, web_ctx: AppContext) -> Any:
    """A client whose runner answered the questions and has a plan."""
    answer_all(client, web_ctx.catalogue, TYPICAL)
    token = csrf_of(client)
    response = client.post("/start/plan", data={"csrf_token": token})
    assert response.status_code == 200
    assert str(response.url).endswith("/plan")
    return client


def main_text(html: str) -> str:
    """The visible text of <main>, whitespace collapsed."""
    body = html.split("<main", 1)[-1].split("</main>", 1)[0]
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))
