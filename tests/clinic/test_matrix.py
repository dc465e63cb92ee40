"""The authorization matrix over every person-scoped route, on SQLite and PostgreSQL.

Each role (runner, other runner, clinician of the clinic, clinician of another clinic, admin,
anonymous) asks for each owner's data through real HTTP with real logins; the status must be what
the policy table says (200 allowed, 401 anonymous, 404 nothing allowed, 403 seen but not this).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pyotp
import pytest

from heelcoach.services import accounts
from heelcoach.services.policy import ACTIONS, Action, allowed, can
from tests.clinic.clinic_world import PASSWORD, World, _login

#: (method, path template, action the policy must allow, JSON body); the stop-sharing route last
ROUTES: tuple[tuple[str, str, Action, dict[str, str] | None], ...] = (
    ("GET", "/api/people/{pid}/export", "export", None),
    ("GET", "/api/people/{pid}/progress", "read", None),
    ("GET", "/api/people/{pid}/plan", "read", None),
    ("GET", "/api/people/{pid}/shares", "manage_sharing", None),
    ("GET", "/api/people/{pid}/audit", "view_audit", None),
    ("GET", "/clinic/people/{pid}", "read", None),  # the runner view page
    ("GET", "/clinic/people/{pid}/handover.pdf", "export", None),  # the hand-over report
    ("GET", "/clinic/people/{pid}/handover.fhir.json", "export", None),  # the same as a FHIR bundle
    ("GET", "/api/people/{pid}/visits", "read", None),
    ("GET", "/api/people/{pid}/visits/{visit}/calendar.ics", "read", None),
    ("POST", "/api/people/{pid}/visits", "request_visit", {"reason": "heel check", "clinic_id": "{clinic}"}),
    (
        "POST",
        "/api/people/{pid}/visits/{visit}/accept",
        "accept_visit",
        {"starts_at": "2026-12-10T09:30:00+01:00"},
    ),
    ("GET", "/clinic/audit?person={pid}", "view_audit", None),  # the clinic admin's log, one runner
    # the runner view's form (form fields, not JSON; done, it sends the clinician back with 303)
    (
        "POST",
        "/clinic/people/{pid}/visits/{visit}/accept",
        "accept_visit",
        {"starts_at": "2030-12-10T09:30", "tz": "Europe/Berlin"},
    ),
    ("POST", "/api/people/{pid}/shares/{spare}/stop", "manage_sharing", None),
)
#: Routes of one role only (the clinic-wide table, ``can_in_clinic``): any other role gets 403
#: whatever the id, then the person's policy applies.
ONE_ROLE = {"/clinic/audit?person={pid}": "admin"}
ROLES = ("runner", "other_runner", "clinician", "other_clinician", "admin", "anonymous")


def _expected(world: World, role: str, owner: str, action: Action) -> int:
    if role == "anonymous":
        return 401
    if role not in world.actors:
        user = world.users[role]
        token = accounts.login(world.ctx, user.email, PASSWORD, _code(user)).token
        world.actors[role] = accounts.actor_for_token(world.ctx, token)
    actor = world.actors[role]
    resource = accounts.person_resource(world.ctx, world.people[owner])
    assert actor is not None
    assert resource is not None
    if not allowed(actor, resource):
        return 404
    return 200 if can(actor, action, resource) else 403


def _code(user: accounts.AddedUser) -> str | None:
    return pyotp.TOTP(user.totp_secret).now() if user.totp_secret else None


#: What the table must say, written out by hand, so a wrong table fails here too.
MUST: dict[tuple[str, str], dict[Action, int]] = {
    ("runner", "runner"): {
        **dict.fromkeys(ACTIONS, 200),
        "accept_visit": 403,
        "change_plan": 403,
        "clinic_notes": 403,
    },
    ("other_runner", "runner"): dict.fromkeys(ACTIONS, 404),
    ("clinician", "runner"): {
        **dict.fromkeys(ACTIONS, 403),
        **dict.fromkeys(("read", "export", "accept_visit", "change_plan", "clinic_notes"), 200),
    },
    ("other_clinician", "runner"): dict.fromkeys(ACTIONS, 404),
    ("admin", "runner"): {**dict.fromkeys(ACTIONS, 403), "view_audit": 200},
    ("anonymous", "runner"): dict.fromkeys(ACTIONS, 401),
    ("clinician", "stopped"): dict.fromkeys(ACTIONS, 404),
    ("admin", "stopped"): dict.fromkeys(ACTIONS, 404),
}


def test_authorization_matrix(world: World) -> None:
    clients = {role: _login(world.app, world.users.get(role)) for role in ROLES}
    seen: list[str] = []
    # the owner last: its allowed stop-sharing call changes its shares
    for owner in ("runner", "other_runner", "stopped"):
        for role in sorted(ROLES, key=lambda r: r == owner):
            for method, template, action, body in ROUTES:
                names = {"pid": world.people[owner], "spare": world.spare_clinic[owner]}
                names.update(visit=world.visit_ids[owner], clinic=world.visit_clinic[owner])
                path = template.format(**names)
                payload = {
                    k: (int(v.format(**names)) if v == "{clinic}" else v) for k, v in (body or {}).items()
                }
                expected = _expected(world, role, owner, action)
                if (role, owner) in MUST:
                    assert MUST[(role, owner)][action] == expected, (role, owner, action)
                page = not path.startswith("/api/")
                if template in ONE_ROLE and role not in (ONE_ROLE[template], "anonymous"):
                    expected = 403
                if page and expected == 401:
                    expected = 303  # a page sends the anonymous visitor to /login
                form = page and method == "POST"
                if form and expected == 200:
                    expected = 303  # a form, once done, sends the browser on to a page
                sent = {"data": payload} if form else {"json": payload or None}
                got = clients[role].request(method, path, follow_redirects=False, **sent)
                if got.status_code == 303:  # to /login for the anonymous visitor only
                    assert (got.headers["location"] == "/login") == (role == "anonymous"), (role, path)
                seen.append(f"{role:16} {owner:13} {method:4} {path:40} {got.status_code}")
                assert got.status_code == expected, (role, owner, method, path, got.text[:300])
                if expected != 200 and not page:  # a refusal says why and carries nothing else
                    assert list(got.json()) == ["detail"]
                if expected in (403, 404) and page:
                    assert "Plantar fasciitis" not in got.text
    assert len(seen) == 3 * len(ROLES) * len(ROUTES)


def test_clinician_loses_access_when_runner_stops_sharing(world: World) -> None:
    runner_client = _login(world.app, world.users["runner"])
    clinician = _login(world.app, world.users["clinician"])
    pid = world.people["runner"]
    assert clinician.get(f"/api/people/{pid}/export").status_code == 200
    shares = runner_client.get(f"/api/people/{pid}/shares").json()
    assert {s["clinic"] for s in shares} >= {"Northside"}
    northside = next(s for s in shares if s["clinic"] == "Northside")
    assert northside["clinicians"] == ["pt@example.org"]
    stop = runner_client.post(f"/api/people/{pid}/shares/{northside['clinic_id']}/stop")
    assert stop.status_code == 200
    assert clinician.get(f"/api/people/{pid}/export").status_code == 404
    # the runner sees who looked at their data
    trail = runner_client.get(f"/api/people/{pid}/audit").json()
    assert any(t["who"] == "pt@example.org" and t["action"] == "export" for t in trail)


def test_me_and_runner_pages_need_a_login(world: World) -> None:
    anonymous = _login(world.app, None)
    assert anonymous.get("/api/me").status_code == 401
    assert anonymous.get("/api/export").status_code == 401
    page = anonymous.get("/today", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login"
    ann = _login(world.app, world.users["runner"])
    me = ann.get("/api/me").json()
    assert (me["mode"], me["role"], me["person_id"]) == ("clinic", "runner", world.people["runner"])
    exported = ann.get("/api/export")
    assert "person" in exported.json(), exported.text[:300]
    assert exported.json()["person"]["id"] == world.people["runner"]
    assert ann.get("/today").status_code == 200
    staff = _login(world.app, world.users["clinician"])
    assert staff.get("/api/me").json()["role"] == "clinician"
    assert staff.get("/api/export").status_code == 403
    ann.post("/logout")
    assert ann.get("/api/me").status_code == 401


def test_staff_login_without_code_is_refused(world: World) -> None:
    client = _login(world.app, None)
    token = client.headers["x-csrf-token"]
    user = world.users["clinician"]
    done = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert done.status_code == 401
    assert "6-digit code" in done.text
    assert client.get("/api/me").status_code == 401


def test_passwords_and_totp_secrets_never_logged(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    user = world.users["clinician"]
    assert user.totp_secret is not None
    client = _login(world.app, user)
    client.post(
        "/login",
        data={
            "email": user.email,
            "password": "wrong " + PASSWORD,
            "csrf_token": client.headers["x-csrf-token"],
        },
    )
    client.get(f"/api/people/{world.people['runner']}/export")
    assert caplog.records, "nothing was logged: the check would prove nothing"
    for secret in (PASSWORD, user.totp_secret):
        assert secret not in caplog.text


def test_users_add_cli_hides_the_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from heelcoach.cli.main import app

    monkeypatch.setenv("HEELCOACH_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.delenv("HEELCOACH_DATABASE_URL", raising=False)
    cli = CliRunner()
    args = [
        "users",
        "add",
        "pt@example.org",
        "--role",
        "clinician",
        "--clinic",
        "Northside",
        "--password-stdin",
    ]
    done = cli.invoke(app, args, input=PASSWORD + "\n")
    assert done.exit_code == 0, done.output
    assert "otpauth://totp/" in done.output
    assert PASSWORD not in done.output
    again = cli.invoke(app, args, input=PASSWORD + "\n")
    assert again.exit_code == 2
    assert "exists already" in again.output
    short = cli.invoke(
        app, ["users", "add", "x@example.org", "--role", "runner", "--password-stdin"], input="x\n"
    )
    assert short.exit_code == 2
    assert "at least 12 characters" in short.output
