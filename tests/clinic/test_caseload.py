"""The caseload orders runners by who needs attention first, and shows only those who share."""

from __future__ import annotations

import re
from datetime import date, timedelta

from heelcoach.services import accounts, checkins, planning
from heelcoach.services.caseload import caseload
from tests.clinic.clinic_world import PASSWORD, World, _login

TODAY = date.today()


def _days(world: World, pid: int, pains: list[int], flags_on: int | None = None) -> None:
    start = TODAY - timedelta(days=len(pains) - 1)
    for i, pain in enumerate(pains):
        flags = ("numbness_or_tingling",) if i == flags_on else ()
        entry = checkins.CheckInInput(
            day=start + timedelta(days=i), first_step_pain=pain, red_flag_symptoms=flags
        )
        checkins.record_checkin(world.ctx, pid, entry, today=TODAY)


def _setup(world: World) -> dict[str, int]:
    dan = accounts.add_user(world.ctx, "dan@example.org", "runner", "Northside", PASSWORD)
    assert dan.person_id is not None
    people = {**world.people, "dan": dan.person_id}
    _days(world, people["dan"], [3] * 14)  # steady: on track
    _days(world, people["other_runner"], [2] * 7 + [5] * 7)  # rising week on week
    _days(world, people["runner"], [3, 2], flags_on=1)  # a warning sign yesterday... and few check-ins
    _days(world, people["stopped"], [9] * 14, flags_on=13)  # stopped sharing: never listed
    return people


def test_caseload_order_and_reasons(world: World) -> None:
    people = _setup(world)
    token = accounts.login(world.ctx, "pt@example.org", PASSWORD, _code(world)).token
    actor = accounts.actor_for_token(world.ctx, token)
    assert actor is not None
    rows = caseload(world.ctx, actor, TODAY)
    assert [r.person_id for r in rows] == [people["runner"], people["other_runner"], people["dan"]]
    first, second, third = rows
    assert first.reasons[0] == "warning sign reported: numbness or tingling"
    assert any(r.startswith("check-ins missed: 2 of the last 14") for r in first.reasons)
    assert second.reasons == ("first-step pain rising: 2.0 to 5.0 a week",)
    assert third.reasons == ()
    assert third.first_step_pain == (3,) * 14
    assert first.first_step_pain[:12] == (None,) * 12
    record, _plan = planning.current_plan(world.ctx, people["runner"])
    assert (first.phase, first.week) == (record.phase, record.week)
    assert (third.phase, third.week) == (None, None)  # dan has no plan yet
    assert third.last_checkin == TODAY


def _code(world: World) -> str:
    import pyotp

    secret = world.users["clinician"].totp_secret
    assert secret is not None
    return pyotp.TOTP(secret).now()


def test_caseload_page_per_role(world: World) -> None:
    people = _setup(world)
    page = _login(world.app, world.users["clinician"]).get("/clinic")
    assert page.status_code == 200
    order = [int(x) for x in re.findall(r'data-person="(\d+)"', page.text)]
    assert order == [people["runner"], people["other_runner"], people["dan"]]
    assert "warning sign reported" in page.text
    elsewhere = _login(world.app, world.users["other_clinician"]).get("/clinic")
    assert elsewhere.status_code == 200
    assert re.findall(r'data-person="(\d+)"', elsewhere.text) == []
    assert _login(world.app, world.users["runner"]).get("/clinic").status_code == 403
    assert _login(world.app, world.users["admin"]).get("/clinic").status_code == 403
    anonymous = _login(world.app, None).get("/clinic", follow_redirects=False)
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/login")


def test_no_meaningful_progress_after_six_good_weeks(catalogue: object) -> None:
    from types import SimpleNamespace

    from heelcoach.services.caseload import CaseloadRow, _reasons

    ctx = SimpleNamespace(catalogue=catalogue)
    row = CaseloadRow(1, "eve", "build", 7, 7, (4,) * 14, 14, 0.9, TODAY)
    rank, reasons = _reasons(ctx, row, [], early_pain=5.0)  # type: ignore[arg-type]
    assert (rank, reasons) == (3, ["no meaningful progress after 7 weeks of good adherence"])
    better = _reasons(ctx, row, [], early_pain=6.0)  # type: ignore[arg-type]
    assert better == (99, [])  # a 2-point drop is meaningful
    poor = CaseloadRow(1, "eve", "build", 7, 7, (4,) * 14, 14, 0.5, TODAY)
    assert _reasons(ctx, poor, [], early_pain=5.0) == (99, [])  # poor adherence: not this reason  # type: ignore[arg-type]
    early = CaseloadRow(1, "eve", "build", 3, 3, (4,) * 14, 14, 0.9, TODAY)
    assert _reasons(ctx, early, [], early_pain=5.0) == (99, [])  # type: ignore[arg-type]


def test_runner_view_for_the_clinician(world: World) -> None:
    people = _setup(world)
    pid = people["other_runner"]
    page = _login(world.app, world.users["clinician"]).get(f"/clinic/people/{pid}")
    assert page.status_code == 200
    assert "The answers behind it" in page.text
    assert "Plantar fasciitis" in page.text
    assert "2026-" in page.text or str(TODAY.year) in page.text  # the check-ins table
    assert "_" not in re.sub(r"<[^>]+>", "", page.text.split("<main", 1)[1].split("</main>", 1)[0])
    trail = _login(world.app, world.users["other_runner"]).get(f"/api/people/{pid}/audit").json()
    assert any(t["who"] == "pt@example.org" and t["action"] == "view_runner" for t in trail)


def test_visit_request_accepted_with_calendar(world: World) -> None:
    people = _setup(world)
    dan = _login(world.app, None)
    form = {"email": "dan@example.org", "password": PASSWORD, "csrf_token": dan.headers["x-csrf-token"]}
    assert dan.post("/login", data=form, follow_redirects=False).status_code == 303
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', dan.get("/login").text)
    assert fresh
    dan.headers["x-csrf-token"] = fresh.group(1)
    pid = people["dan"]
    asked = dan.post(f"/api/people/{pid}/visits", json={"reason": "first visit", "preferred_times": "Tue am"})
    assert asked.status_code == 200, asked.text
    vid = asked.json()["id"]
    pt = _login(world.app, world.users["clinician"])
    rows = pt.get("/clinic").text
    assert "visit requested" in rows
    bad = pt.post(f"/api/people/{pid}/visits/{vid}/accept", json={"starts_at": "2026-12-10T09:30:00"})
    assert bad.status_code == 422
    ok = pt.post(f"/api/people/{pid}/visits/{vid}/accept", json={"starts_at": "2026-12-10T09:30:00+01:00"})
    assert ok.status_code == 200
    assert ok.json()["accepted_by"] == "pt@example.org"
    seen = dan.get(f"/api/people/{pid}/visits").json()
    assert [(v["state"], v["starts_at"]) for v in seen] == [("accepted", "2026-12-10T08:30:00+00:00")]
    ics = dan.get(f"/api/people/{pid}/visits/{vid}/calendar.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "DTSTART" in ics.text
    assert "Visit at Northside" in ics.text
    # a visit id of another person never works under this person's id
    other = world.visit_ids["runner"]
    assert (
        pt.post(
            f"/api/people/{pid}/visits/{other}/accept", json={"starts_at": "2026-12-10T09:30:00+01:00"}
        ).status_code
        == 404
    )
    assert dan.get(f"/api/people/{pid}/visits/{other}/calendar.ics").status_code == 404
    assert (
        "visit requested"
        not in pt.get("/clinic").text.split(f'data-person="{pid}"', 1)[1].split("</tr>", 1)[0]
    )


def test_checkin_facts_read_the_first_week_and_the_window(world: World) -> None:
    """The aggregates the caseload reads instead of every check-in: first plan week's mean, last day."""
    from heelcoach.services.caseload import _checkin_facts
    from heelcoach.store.base import transaction

    pid = world.people["other_runner"]
    first = TODAY - timedelta(days=20)
    for back, pain in ((20, 6), (18, 8), (12, 1), (2, 3)):  # days 0 and 2 of the plan week count
        entry = checkins.CheckInInput(day=TODAY - timedelta(days=back), first_step_pain=pain)
        checkins.record_checkin(world.ctx, pid, entry, today=TODAY)
    start = TODAY - timedelta(days=13)
    with transaction(world.ctx.sessions) as s:
        window, early, last = _checkin_facts(s, [pid], {pid: first}, start, TODAY)
    assert early[pid] == 7.0
    assert last[pid] == TODAY - timedelta(days=2)
    assert window[pid] == {TODAY - timedelta(days=12): (1, []), TODAY - timedelta(days=2): (3, [])}
