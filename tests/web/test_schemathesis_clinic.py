"""Property-based API tests in clinic mode: schemathesis generates requests from the OpenAPI schema
and sends them as each role (runner, clinician, clinic admin, anonymous) of two clinics. None may
produce a server error (5xx), and no response may carry data of a person the role may not see:
every ``person_id`` in a JSON body, and every runner's name and email in any body, must belong to
someone the policy lets that role see.

Two clinics on a throwaway SQLite store: Northside (clinician, admin, runners Ann and Bob, who share
with it) and Elsewhere (clinician, runner Cat). Each runner has answers, a plan and a visit request.
Requests authenticate with API tokens (``Authorization: Bearer``), the way scripts do (the route
that revokes a token is left out: it would log the role out for the rest of the run). A sweep over
every person-scoped GET route with every person's id goes with it, since generated ids rarely hit
the few people stored. ``max_examples`` is small to keep the run short (10 per operation and
role: about 20 s here).
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from heelcoach.config import Settings
from heelcoach.services.context import AppContext
from heelcoach.store.base import transaction
from heelcoach.store.models import Person
from tests.web.answers import TYPICAL

PASSWORD = "correct horse battery staple"
#: Each runner: (key, email, clinic, a name that cannot occur by chance in a body).
RUNNERS = (
    ("ann", "ann.q7x@example.org", "Northside", "Annq Seventyx"),
    ("bob", "bob.k2z@example.org", "Northside", "Bobk Twozed"),
    ("cat", "cat.w9v@example.org", "Elsewhere", "Catw Ninevee"),
)
#: Each role: the runners whose data it may see.
MAY_SEE = {
    "ann": {"ann"},
    "north_clinician": {"ann", "bob"},
    "north_admin": {"ann", "bob"},
    "else_clinician": {"cat"},
    "anonymous": set(),
}


@dataclass
class Clinics:
    app: Any
    people: dict[str, int]
    tokens: dict[str, str]


def _token(ctx: AppContext, email: str) -> str:
    from heelcoach.services import accounts

    found = accounts.login(ctx, email, PASSWORD)
    if found.token is None:  # staff: the second factor too
        raise AssertionError(found.problem)
    actor = accounts.actor_for_token(ctx, found.token)
    assert actor is not None
    return accounts.create_api_token(ctx, actor, "schemathesis")[1]


def _clinics() -> Clinics:
    """Two clinics on a throwaway SQLite store (removed at exit); built once, at collection."""
    import pyotp

    from heelcoach.services import accounts, intake, planning, visits
    from heelcoach.web.app import create_app

    folder = Path(tempfile.mkdtemp(prefix="heelcoach-schemathesis-clinic-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    ctx = AppContext.from_settings(Settings(data_dir=folder, database_url=None, clinic=True))
    atexit.register(ctx.close)
    people: dict[str, int] = {}
    tokens: dict[str, str] = {}
    for key, email, clinic, name in RUNNERS:
        added = accounts.add_user(ctx, email, "runner", clinic, PASSWORD)
        assert added.person_id is not None
        people[key] = added.person_id
        with transaction(ctx.sessions) as s:
            row = s.get(Person, added.person_id)
            assert row is not None
            row.name = name
        intake.save_intake(ctx, added.person_id, TYPICAL)
        planning.make_plan(ctx, added.person_id)
        actor = accounts.actor_for_token(ctx, accounts.login(ctx, email, PASSWORD).token)
        assert actor is not None
        visits.request_visit(ctx, actor, added.person_id, "heel check", "mornings", added.clinic_id)
    tokens["ann"] = _token(ctx, "ann.q7x@example.org")
    for key, email, role, clinic in (
        ("north_clinician", "pt.north@example.org", "clinician", "Northside"),
        ("north_admin", "admin.north@example.org", "admin", "Northside"),
        ("else_clinician", "pt.else@example.org", "clinician", "Elsewhere"),
    ):
        staff = accounts.add_user(ctx, email, role, clinic, PASSWORD)
        assert staff.totp_secret is not None
        logged = accounts.login(ctx, email, PASSWORD, pyotp.TOTP(staff.totp_secret).now())
        actor = accounts.actor_for_token(ctx, logged.token)
        assert actor is not None
        tokens[key] = accounts.create_api_token(ctx, actor, "schemathesis")[1]
    return Clinics(create_app(ctx, hosts=("testserver",)), people, tokens)


CLINICS = _clinics()
schema = schemathesis.openapi.from_asgi("/api/openapi.json", CLINICS.app)


def _headers(role: str) -> dict[str, str]:
    if role == "anonymous":
        return {}
    return {"Authorization": f"Bearer {CLINICS.tokens[role]}"}


def _person_ids(value: Any) -> set[int]:
    """Every ``person_id`` (and the ``id`` of a ``person`` object) in a JSON body."""
    found: set[int] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("person_id", "subject_person_id") and isinstance(item, int):
                found.add(item)
            if key == "person" and isinstance(item, dict) and isinstance(item.get("id"), int):
                found.add(item["id"])
            found |= _person_ids(item)
    elif isinstance(value, list):
        for item in value:
            found |= _person_ids(item)
    return found


def assert_only_what_the_role_may_see(role: str, status: int, body: bytes, where: str) -> None:
    """No 5xx, and nothing of a runner ``role`` may not see (ids in JSON, names and emails anywhere)."""
    assert status < 500, (role, where, status, body[:300])
    allowed = {CLINICS.people[k] for k in MAY_SEE[role]}
    text = body.decode("utf-8", errors="replace")
    for key, email, _clinic, name in RUNNERS:
        if key not in MAY_SEE[role]:
            assert email not in text, (role, where, email)
            assert name not in text, (role, where, name)
    try:
        parsed = json.loads(text)
    except ValueError:
        return
    strangers = _person_ids(parsed) - allowed
    assert not strangers, (role, where, strangers, text[:300])


#: Revoking a token would log the role out for the rest of the run (every later call a 401).
GENERATED = schema.exclude(path_regex=r"/me/tokens/\{token_id\}/revoke$")


@pytest.mark.slow
@pytest.mark.parametrize("role", sorted(MAY_SEE))
@GENERATED.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_server_errors_and_no_one_elses_data(role: str, case: Any) -> None:
    response = case.call(headers=_headers(role))
    assert_only_what_the_role_may_see(role, response.status_code, response.content, case.path)


def _person_routes() -> list[str]:
    paths = schema.raw_schema["paths"]
    return sorted(p for p, ops in paths.items() if "{person_id}" in p and "get" in ops)


@pytest.mark.parametrize("role", sorted(MAY_SEE))
def test_every_person_route_with_every_persons_id(role: str) -> None:
    from tests.clinic.clinic_world import _client

    client = _client(CLINICS.app)
    seen_ok = 0
    for template in _person_routes():
        for key, pid in CLINICS.people.items():
            path = template.replace("{person_id}", str(pid)).replace("{visit_id}", "1")
            path = path.replace("{clinic_id}", "1")
            got = client.get(path, headers=_headers(role))
            assert_only_what_the_role_may_see(role, got.status_code, got.content, path)
            if got.status_code == 200:
                assert key in MAY_SEE[role], (role, path)
                seen_ok += 1
    assert (seen_ok > 0) == (role != "anonymous")  # the sweep reached real data
