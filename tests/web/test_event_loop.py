"""No route reads or writes the database on the web server's event loop.

While one request waits for the database on the loop, every other request of that process waits
too (a check-in that took 40 ms held every page of the process for 40 ms). A listener on the
engine records each connection taken from the pool on a thread running an event loop; the main
pages and forms of a runner's day, and a clinic login, are then driven through the app.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import event

from heelcoach.config import Settings
from heelcoach.services import accounts
from heelcoach.services.context import AppContext
from tests.conftest import DATA
from tests.web.conftest import _test_client_class, answer_all, csrf_of

FIT = DATA / "activities" / "fit" / "6782987395.fit"


class LoopWatch:
    """Records where the database was used on a thread with a running event loop."""

    def __init__(self) -> None:
        self.on_loop: list[str] = []
        self.watching = False

    def __call__(self, *_args: Any) -> None:
        if not self.watching:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # a worker thread: fine
        stack = traceback.extract_stack(limit=25)
        ours = [f"{f.filename.rsplit('/heelcoach/', 1)[-1]}:{f.lineno} {f.name}" for f in stack]
        self.on_loop.append(" <- ".join(x for x in reversed(ours) if "site-packages" not in x)[:600])


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[tuple[AppContext, LoopWatch]]:
    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None))
    watch = LoopWatch()
    event.listen(ctx.engine, "checkout", watch)
    yield ctx, watch
    ctx.close()


def _client(ctx: AppContext) -> Any:
    from heelcoach.web.app import create_app

    return _test_client_class()(create_app(ctx), raise_server_exceptions=False)


def test_a_runners_day_uses_the_database_off_the_event_loop(watched: tuple[AppContext, LoopWatch]) -> None:
    from tests.web.answers import TYPICAL

    ctx, watch = watched
    with _client(ctx) as client:
        watch.watching = True
        answer_all(client, ctx.catalogue, TYPICAL)
        token = csrf_of(client)
        tests = {"single_leg_heel_raise_test__left": "14", "single_leg_heel_raise_test__right": "25"}
        assert client.post("/start/tests", data={"csrf_token": token, **tests}).status_code == 200
        assert client.post("/start/plan", data={"csrf_token": token}).status_code == 200
        for page in ("/today", "/plan", "/progress", "/session", "/runs", "/gait", "/settings"):
            assert client.get(page).status_code == 200, page
        bad = client.post("/checkin", data={"csrf_token": token, "first_step_pain": "eleven"})
        assert bad.status_code == 422
        good = client.post(
            "/checkin", data={"csrf_token": token, "first_step_pain": "3", "worst_pain": "4"}
        )
        assert good.status_code == 200, good.text[-1500:]
        seen = {"csrf_token": token, "confirm": "yes"}
        assert client.post("/clinician-seen", data=seen).status_code == 200
        started = {"csrf_token": token, "first_step_pain": "3"}
        assert client.post("/session/checkin", data=started).status_code == 200
        assert client.post("/settings/units", data={"csrf_token": token, "unit": "mi"}).status_code == 200
        faam = {item.id: "3" for item in ctx.catalogue.outcomes.faam.adl.items}
        assert client.post("/progress/outcome", data={"csrf_token": token, **faam}).status_code == 200
        times = {"checkin_time": "06:45", "session_time": "18:30", "run_time": "07:30", "timezone": "UTC"}
        assert client.post("/settings/reminders", data={"csrf_token": token, **times}).status_code == 200
        with FIT.open("rb") as fh:
            files = {"files": (FIT.name, fh, "application/octet-stream")}
            assert client.post("/runs/import", data={"csrf_token": token}, files=files).status_code == 200
        gone = client.post("/settings/delete", data={"csrf_token": token, "confirm": "DELETE"})
        assert gone.status_code == 200
    assert watch.on_loop == [], "\n".join(watch.on_loop)


def test_a_clinic_login_checks_the_password_off_the_event_loop(tmp_path: Path) -> None:
    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None, clinic=True))
    watch = LoopWatch()
    event.listen(ctx.engine, "checkout", watch)
    try:
        user = accounts.add_user(ctx, "pt@example.org", "clinician", "Northside", "a long enough passphrase")
        with _client(ctx) as client:
            watch.watching = True
            token = csrf_of(client, "/login")
            form = {"email": user.email, "password": "a long enough passphrase", "csrf_token": token}
            form["code"] = pyotp.TOTP(user.totp_secret or "").now()
            assert client.post("/login", data=form, follow_redirects=False).status_code == 303
            assert client.get("/clinic").status_code == 200
    finally:
        ctx.close()
    assert watch.on_loop == [], "\n".join(watch.on_loop)
