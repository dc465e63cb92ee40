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
    from heelcoach.services import runner
    from heelcoach.web.app import create_app

    folder = Path(tempfile.mkdtemp(prefix="heelcoach-schemathesis-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    ctx = AppContext.from_settings(Settings(data_dir=folder, database_url=None))
    atexit.register(ctx.close)
    person = runner.create_person(ctx, "Schema")
    runner.save_intake(ctx, person.id, TYPICAL)
    runner.make_plan(ctx, person.id)
    return create_app(ctx)


schema = schemathesis.openapi.from_asgi("/api/openapi.json", _app())


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_server_errors(case: Any) -> None:
    case.call_and_validate(checks=[schemathesis.checks.not_a_server_error])
