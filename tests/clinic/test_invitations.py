"""Invitations: admin invites a clinician, the clinician invites a runner, the runner joins and shares."""

from __future__ import annotations

import html
import re
from typing import Any

import pyotp

from tests.clinic.clinic_world import CSRF_RE, PASSWORD, World, _login

ENROL_RE = re.compile(r"otpauth://totp/[^<\s]+")


def _join(app: Any, link: str, password: str) -> Any:
    client = _login(app, None)
    page = client.get(link)
    assert page.status_code == 200, page.text[:300]
    token = CSRF_RE.search(page.text)
    assert token
    return client.post(link, data={"password": password, "csrf_token": token.group(1)})


def test_invitation_chain(world: World) -> None:
    admin = _login(world.app, world.users["admin"])
    made = admin.post("/api/invitations", json={"email": "New.PT@example.org", "role": "clinician"})
    assert made.status_code == 200, made.text
    link = made.json()["link"]
    assert _join(world.app, link, "short").status_code == 422  # the link survives a bad password
    joined = _join(world.app, link, PASSWORD)
    assert joined.status_code == 200
    enrol = ENROL_RE.search(joined.text)
    assert enrol, "staff get their authenticator link once"
    secret = re.search(r"secret=([A-Z2-7]+)", html.unescape(enrol.group(0)))
    assert secret
    assert _login(world.app, None).get(link).status_code == 404  # one time only

    pt = _login(world.app, None)
    form = {"email": "new.pt@example.org", "password": PASSWORD, "csrf_token": pt.headers["x-csrf-token"]}
    form["code"] = pyotp.TOTP(secret.group(1)).now()
    assert pt.post("/login", data=form, follow_redirects=False).status_code == 303
    fresh = CSRF_RE.search(pt.get("/login").text)
    assert fresh
    pt.headers["x-csrf-token"] = fresh.group(1)
    assert pt.get("/api/me").json()["role"] == "clinician"
    assert (
        pt.post("/api/invitations", json={"email": "x@example.org", "role": "clinician"}).status_code == 403
    )
    runner_link = pt.post("/api/invitations", json={"email": "dan@example.org", "role": "runner"}).json()[
        "link"
    ]
    page = _join(world.app, runner_link, PASSWORD)
    assert page.status_code == 200
    assert "You have joined Northside" in page.text
    assert "otpauth" not in page.text

    dan = _login(world.app, None)
    form = {"email": "dan@example.org", "password": PASSWORD, "csrf_token": dan.headers["x-csrf-token"]}
    assert dan.post("/login", data=form, follow_redirects=False).status_code == 303
    dan_id = dan.get("/api/me").json()["person_id"]
    shares = dan.get(f"/api/people/{dan_id}/shares").json()
    assert [(s["clinic"], s["active"]) for s in shares] == [("Northside", True)]
    assert "new.pt@example.org" in shares[0]["clinicians"]
    assert pt.get(f"/api/people/{dan_id}/export").status_code == 200
    other = _login(world.app, world.users["other_clinician"])
    assert other.get(f"/api/people/{dan_id}/export").status_code == 404


def test_who_may_invite(world: World) -> None:
    anonymous = _login(world.app, None)
    body = {"email": "x@example.org", "role": "runner"}
    assert anonymous.post("/api/invitations", json=body).status_code == 401
    ann = _login(world.app, world.users["runner"])
    assert ann.post("/api/invitations", json=body).status_code == 403
    admin = _login(world.app, world.users["admin"])
    assert admin.post("/api/invitations", json=body).status_code == 403  # admins invite staff only
    without_token = _login(world.app, world.users["clinician"])
    del without_token.headers["x-csrf-token"]
    assert without_token.post("/api/invitations", json=body).status_code == 403
