"""A clinic on the database under test, with one account per role, and logging in through HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
import pytest

from heelcoach.config import Settings
from heelcoach.services import accounts, intake, planning, visits
from heelcoach.services.context import AppContext
from heelcoach.services.policy import Actor
from heelcoach.store.accounts import VisitRequestRow
from heelcoach.store.base import transaction
from tests.web.answers import TYPICAL

PASSWORD = "correct horse battery staple"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def _client(app: Any) -> Any:
    from tests.web.conftest import _test_client_class  # at a loopback address, with a browser's Origin

    return _test_client_class()(app, raise_server_exceptions=False)


@dataclass
class World:
    ctx: AppContext
    app: Any
    people: dict[str, int]
    spare_clinic: dict[str, int]
    users: dict[str, accounts.AddedUser]
    actors: dict[str, Actor | None] = field(default_factory=dict)
    visit_ids: dict[str, int] = field(default_factory=dict)
    visit_clinic: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[World]:
    ctx = AppContext.from_settings(Settings(database_url=db_url, data_dir=tmp_path / "data", clinic=True))
    users = {
        "runner": accounts.add_user(ctx, "ann@example.org", "runner", "Northside", PASSWORD),
        "other_runner": accounts.add_user(ctx, "bob@example.org", "runner", "Northside", PASSWORD),
        "clinician": accounts.add_user(ctx, "pt@example.org", "clinician", "Northside", PASSWORD),
        "other_clinician": accounts.add_user(ctx, "pt@elsewhere.org", "clinician", "Elsewhere", PASSWORD),
        "admin": accounts.add_user(ctx, "admin@example.org", "admin", "Northside", PASSWORD),
        # shares with Elsewhere only, and stopped sharing with Northside
        "stopped": accounts.add_user(ctx, "cat@example.org", "runner", "Northside", PASSWORD),
    }
    people = {k: u.person_id for k, u in users.items() if u.person_id is not None}
    northside = users["clinician"].clinic_id
    assert northside is not None
    accounts.stop_sharing(ctx, accounts.ANONYMOUS_ACTOR, people["stopped"], northside)
    spare: dict[str, int] = {}
    for key, pid in people.items():  # a second share per owner, for the stop-sharing route to stop
        extra = accounts.add_user(ctx, f"spare-{key}@example.org", "admin", f"Spare {key}", PASSWORD)
        assert extra.clinic_id is not None
        accounts.share_with(ctx, pid, extra.clinic_id)
        spare[key] = extra.clinic_id
    visit_clinic = {k: (spare[k] if k == "stopped" else northside) for k in people}
    visit_ids: dict[str, int] = {}
    for key, pid in people.items():
        intake.save_intake(ctx, pid, TYPICAL)
        planning.make_plan(ctx, pid)
        owner = accounts.actor_for_token(ctx, accounts.login(ctx, users[key].email, PASSWORD).token)
        assert owner is not None
        made = visits.request_visit(ctx, owner, pid, "heel check", "mornings", visit_clinic[key])
        visit_ids[key] = int(str(made["id"]))
        with transaction(ctx.sessions) as s:  # accepted, so that its calendar entry exists
            row = s.get(VisitRequestRow, visit_ids[key])
            assert row is not None
            row.starts_at = datetime(2026, 12, 10, 9, 30, tzinfo=UTC)
    from heelcoach.web.app import create_app

    yield World(ctx, create_app(ctx), people, spare, users, visit_ids=visit_ids, visit_clinic=visit_clinic)
    ctx.close()


def _login(app: Any, user: accounts.AddedUser | None) -> Any:
    client = _client(app)
    page = client.get("/login")
    token = CSRF_RE.search(page.text)
    assert token, page.text[:500]
    client.headers["x-csrf-token"] = token.group(1)
    if user is None:
        return client
    form = {"email": user.email, "password": PASSWORD, "csrf_token": token.group(1)}
    if user.totp_secret:
        form["code"] = pyotp.TOTP(user.totp_secret).now()
    done = client.post("/login", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text[:500]
    # the browser session starts afresh at login: the form token too
    fresh = CSRF_RE.search(client.get("/login").text)
    assert fresh
    client.headers["x-csrf-token"] = fresh.group(1)
    return client
