"""Property-based API tests: schemathesis generates requests from the OpenAPI schema; none may
produce a server error (5xx). The app's first runner has answered the questions and has a plan,
so the plan and check-in endpoints do real work."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from heelcoach.config import Settings
from heelcoach.services.context import AppContext
from tests.web.answers import TYPICAL


def _app() -> Any:
    """An app on a throwaway SQLite store (removed at exit); built once, at collection."""
    from heelcoach.services import intake, people, planning
    from heelcoach.web.app import create_app

    folder = Path(tempfile.mkdtemp(prefix="heelcoach-schemathesis-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    ctx = AppContext.from_settings(Settings(data_dir=folder, database_url=None))
    atexit.register(ctx.close)
    person = people.create_person(ctx, "Schema")
    intake.save_intake(ctx, person.id, TYPICAL)
    planning.make_plan(ctx, person.id)
    # the test client calls itself "testserver": the app must answer to that name too
    return create_app(ctx, hosts=("testserver",))


APP = _app()
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)


def _browser_headers() -> dict[str, str]:
    """A session cookie (from a page visit) and the Origin a browser sends: the API then works
    for the first runner instead of answering 401 to a request without a session."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    with TestClient(APP, base_url="http://testserver") as client:
        client.get("/today")
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    return {"Cookie": cookie, "Origin": "http://testserver"}


HEADERS = _browser_headers()


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_server_errors(case: Any) -> None:
    case.call_and_validate(headers=HEADERS, checks=[schemathesis.checks.not_a_server_error])
