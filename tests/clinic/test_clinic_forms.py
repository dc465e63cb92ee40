"""The clinic's everyday forms through real HTTP with real logins, on SQLite and PostgreSQL: an
invitation made from ``/clinic/invite`` (or the caseload) shows its one-time link, which works; a
runner asks for a visit on Sharing and a clinician accepts it with a time on the runner view. Each
refused as the policy says, and bad input answered on the page with the form kept."""

from __future__ import annotations

import re
from typing import Any

from heelcoach.services import visits
from tests.clinic.clinic_world import CSRF_RE, World, _login

LINK_RE = re.compile(r'id="join-link"[^>]*>([^<]+)</textarea>')

#: A visit accepted at 09:30 Berlin time, as both sides read it (the zone the clinician gave).
ACCEPTED_BERLIN = "Accepted: Tuesday 15 January 2030 at 09:30, Europe/Berlin time (CET, UTC+01:00)"


def _post(client: Any, path: str, form: dict[str, str]) -> Any:
    token = CSRF_RE.search(client.get("/login").text) if "csrf_token" not in form else None
    data = {**form, "csrf_token": token.group(1)} if token else form
    return client.post(path, data=data, headers={"x-csrf-token": ""}, follow_redirects=False)


def test_admin_invites_a_clinician_and_the_link_works_once(world: World) -> None:
    admin = _login(world.app, world.users["admin"])
    page = admin.get("/clinic/invite")
    assert page.status_code == 200
    assert '<option value="clinician"' in page.text
    assert '<option value="admin"' in page.text
    assert 'value="runner"' not in page.text  # an admin does not invite runners
    made = _post(admin, "/clinic/invite", {"email": "New.PT@example.org", "role": "clinician"})
    assert made.status_code == 200, made.text[:300]
    assert made.headers["cache-control"] == "no-store"
    assert "works <strong>once</strong> and expires on" in made.text
    link = LINK_RE.search(made.text)
    assert link, made.text[:2000]
    path = "/join/" + link.group(1).rsplit("/join/", 1)[1]
    anonymous = _login(world.app, None)
    joining = anonymous.get(path)
    assert joining.status_code == 200
    assert "new.pt@example.org" in joining.text
    assert "Northside" in joining.text
    joined = _post(anonymous, path, {"password": "a long enough passphrase"})
    assert joined.status_code == 200, joined.text[:300]
    assert anonymous.get(path).status_code == 404  # once only


def test_who_may_invite_whom(world: World) -> None:
    admin = _login(world.app, world.users["admin"])
    refused = _post(admin, "/clinic/invite", {"email": "kid@example.org", "role": "runner"})
    assert refused.status_code == 403
    assert "As a clinic admin you can invite a clinician or a clinic admin." in refused.text
    assert 'value="kid@example.org"' in refused.text  # the form kept
    clinician = _login(world.app, world.users["clinician"])
    caseload = clinician.get("/clinic")
    assert 'action="/clinic/invite"' in caseload.text
    assert _post(clinician, "/clinic/invite", {"email": "x@example.org", "role": "admin"}).status_code == 403
    made = _post(clinician, "/clinic/invite", {"email": "dan@example.org", "role": "runner"})
    assert made.status_code == 200
    assert "Invitation for dan@example.org (runner)" in made.text
    other = _login(world.app, world.users["other_clinician"])  # into their own clinic only
    theirs = LINK_RE.search(_post(other, "/clinic/invite", {"email": "e@example.org", "role": "runner"}).text)
    assert theirs
    assert "Elsewhere" in _login(world.app, None).get("/join/" + theirs.group(1).rsplit("/", 1)[1]).text
    runner = _login(world.app, world.users["runner"])
    assert runner.get("/clinic/invite").status_code == 403
    assert _post(runner, "/clinic/invite", {"email": "f@example.org", "role": "runner"}).status_code == 403
    anonymous = _login(world.app, None)
    away = _post(anonymous, "/clinic/invite", {"email": "g@example.org", "role": "runner"})
    assert (away.status_code, away.headers["location"]) == (303, "/login")
    form = {"email": "h@example.org", "role": "runner"}
    no_token = clinician.post("/clinic/invite", data=form, headers={"x-csrf-token": ""})
    assert no_token.status_code == 403  # the form token is required
    assert "This form has expired" in no_token.text


def test_bad_invitation_input_is_answered_on_the_page(world: World) -> None:
    admin = _login(world.app, world.users["admin"])
    bad = _post(admin, "/clinic/invite", {"email": "not an address", "role": "clinician"})
    assert bad.status_code == 422
    assert "expected an address like name@example.org" in bad.text
    assert 'value="not an address"' in bad.text
    odd = _post(admin, "/clinic/invite", {"email": "a@example.org", "role": "owner"})
    assert odd.status_code == 422
    assert "Choose whom you invite" in odd.text
    empty = _post(admin, "/clinic/invite", {})
    assert empty.status_code == 422


def test_runner_asks_for_a_visit_and_the_clinician_accepts_it(world: World) -> None:
    pid = world.people["runner"]
    ann = _login(world.app, world.users["runner"])
    northside = world.visit_clinic["runner"]
    asked = _post(
        ann,
        "/sharing/visits",
        {"reason": "Numb heel", "preferred_times": "Tuesdays", "clinic_id": str(northside)},
    )
    assert (asked.status_code, asked.headers["location"]) == (303, "/sharing#visits")
    pending = [v for v in visits.visits(world.ctx, pid) if v["state"] == "pending"]
    assert [(v["reason"], v["preferred_times"], v["clinic_id"]) for v in pending] == [
        ("Numb heel", "Tuesdays", northside)
    ]
    vid = int(str(pending[0]["id"]))
    sharing = ann.get("/sharing").text
    assert f'data-visit="{vid}" data-state="pending"' in sharing
    assert "Asked, waiting for Northside" in sharing
    pt = _login(world.app, world.users["clinician"])
    view = pt.get(f"/clinic/people/{pid}").text
    assert f'action="/clinic/people/{pid}/visits/{vid}/accept"' in view
    form = {"starts_at": "2030-01-15T09:30", "tz": "Europe/Berlin"}
    done = _post(pt, f"/clinic/people/{pid}/visits/{vid}/accept", form)
    assert (done.status_code, done.headers["location"]) == (303, f"/clinic/people/{pid}#visits")
    accepted = next(v for v in visits.visits(world.ctx, pid) if v["id"] == vid)
    assert accepted["starts_at"] == "2030-01-15T08:30:00+00:00"  # 09:30 in Berlin in winter
    sharing = ann.get("/sharing").text
    assert ACCEPTED_BERLIN in sharing
    ics = f"/api/people/{pid}/visits/{vid}/calendar.ics"
    assert f'href="{ics}"' in sharing
    assert "BEGIN:VEVENT" in ann.get(ics).text


def test_visit_forms_refused_as_the_policy_says(world: World) -> None:
    pid, vid = world.people["runner"], world.visit_ids["runner"]
    path = f"/clinic/people/{pid}/visits/{vid}/accept"
    form = {"starts_at": "2030-01-15T09:30", "tz": "UTC"}
    for role, status in (("other_clinician", 404), ("admin", 403), ("runner", 403), ("other_runner", 404)):
        assert _post(_login(world.app, world.users[role]), path, form).status_code == status, role
    away = _post(_login(world.app, None), path, form)
    assert (away.status_code, away.headers["location"]) == (303, "/login")
    pt = _login(world.app, world.users["clinician"])  # another runner's visit id under this runner
    other_visit = world.visit_ids["other_runner"]
    assert _post(pt, f"/clinic/people/{pid}/visits/{other_visit}/accept", form).status_code == 404
    for staff in ("clinician", "admin"):
        refused = _post(_login(world.app, world.users[staff]), "/sharing/visits", {"reason": "x visit"})
        assert refused.status_code == 403, staff
    away = _post(_login(world.app, None), "/sharing/visits", {"reason": "a visit"})
    assert (away.status_code, away.headers["location"]) == (303, "/login")


def test_bad_visit_input_is_answered_on_the_page(world: World) -> None:
    pid, vid = world.people["runner"], world.visit_ids["runner"]
    ann = _login(world.app, world.users["runner"])
    short = _post(ann, "/sharing/visits", {"reason": " ", "preferred_times": "after 6pm"})
    assert short.status_code == 422
    assert "why you would like a visit" in short.text
    assert 'value="after 6pm"' in short.text
    elsewhere = _post(
        ann, "/sharing/visits", {"reason": "heel", "clinic_id": str(world.visit_clinic["stopped"])}
    )
    assert elsewhere.status_code == 422
    assert "Choose a clinic you share your data with" in elsewhere.text
    assert ">heel</textarea>" in elsewhere.text
    pt = _login(world.app, world.users["clinician"])
    path = f"/clinic/people/{pid}/visits/{vid}/accept"
    for form, said in (
        ({"starts_at": "2030-01-15T09:30", "tz": "Mars/Olympus"}, "is not one we know"),
        ({"starts_at": "2030-01-15T09:30", "tz": "Europe"}, "is not one we know"),
        ({"starts_at": "next tuesday", "tz": "UTC"}, "Give the date and time of the visit"),
        ({"starts_at": "2001-01-15T09:30", "tz": "UTC"}, "That time has passed"),
    ):
        bad = _post(pt, path, form)
        assert bad.status_code == 422, (form, bad.text[:300])
        assert said in bad.text
        assert f'value="{form["starts_at"]}"' in bad.text or form["starts_at"] == "next tuesday"
    assert next(v for v in visits.visits(world.ctx, pid) if v["id"] == vid)["starts_at"].startswith(
        "2026-12-10"
    )
