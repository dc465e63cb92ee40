"""API tokens for scripts: made from a logged-in session, used as a bearer, revocable, policy applies."""

from __future__ import annotations

import json

from heelcoach.services import person_data
from tests.clinic.clinic_world import World, _client, _login


def test_api_token_lifecycle(world: World) -> None:
    pt = _login(world.app, world.users["clinician"])
    made = pt.post("/api/me/tokens", json={"name": "nightly report"})
    assert made.status_code == 200, made.text
    token = made.json()["token"]
    assert token.startswith("hc_")
    script = _client(world.app)  # no cookies, only the bearer token
    script.headers["authorization"] = f"Bearer {token}"
    assert script.get("/api/me").json()["role"] == "clinician"
    ann, stopped = world.people["runner"], world.people["stopped"]
    assert script.get(f"/api/people/{ann}/export").status_code == 200
    assert script.get(f"/api/people/{stopped}/export").status_code == 404  # the same policy
    assert script.post("/api/me/tokens", json={"name": "another"}).status_code == 403  # only from a login
    listed = pt.get("/api/me/tokens").json()
    assert [(t["name"], t["active"]) for t in listed] == [("nightly report", True)]
    assert token not in json.dumps(listed)
    assert token not in json.dumps(person_data.export_person_data(world.ctx, ann))
    other = _login(world.app, world.users["other_clinician"])
    assert other.post(f"/api/me/tokens/{listed[0]['id']}/revoke").status_code == 404  # not theirs
    assert pt.post(f"/api/me/tokens/{listed[0]['id']}/revoke").status_code == 200
    assert script.get("/api/me").status_code == 401
    wrong = _client(world.app)
    wrong.headers["authorization"] = "Bearer hc_not-a-token"
    assert wrong.get(f"/api/people/{ann}/export").status_code == 401
