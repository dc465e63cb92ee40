"""The audit log as pages, on SQLite and PostgreSQL: every read a clinician makes of a runner's data
leaves a trace; the clinic admin sees their clinic's runners' log (paged, filtered by runner), the
runner their own in plain words; every page shows who is logged in with a log-out button."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from heelcoach.services import accounts
from heelcoach.services.policy import CLINIC_POLICY, ROLES, clinic_policy_markdown
from heelcoach.store.accounts import AuditRow
from heelcoach.store.base import transaction
from tests.clinic.clinic_world import World, _login

#: Every way a clinician reads a runner's data, and the action its trace must name.
CLINICIAN_READS = (
    ("/clinic/people/{pid}", "view_runner"),
    ("/clinic/people/{pid}/handover.pdf", "handover_report"),
    ("/api/people/{pid}/export", "export"),
    ("/api/people/{pid}/progress", "view_progress"),
    ("/api/people/{pid}/plan", "view_plan"),
    ("/api/people/{pid}/visits", "view_visits"),
    ("/api/people/{pid}/visits/{visit}/calendar.ics", "visit_calendar"),
)


def _actions(world: World, owner: str) -> list[str]:
    return [str(e["action"]) for e in accounts.audit_trail(world.ctx, world.people[owner])]


def test_every_clinician_read_is_audited_and_the_runners_own_are_not(world: World) -> None:
    clinician = _login(world.app, world.users["clinician"])
    runner = _login(world.app, world.users["runner"])
    names = {"pid": world.people["runner"], "visit": world.visit_ids["runner"]}
    for template, action in CLINICIAN_READS:
        before = _actions(world, "runner")
        assert runner.get(template.format(**names)).status_code == 200
        assert _actions(world, "runner") == before, f"the runner's own read of {template} was logged"
        got = clinician.get(template.format(**names))
        assert got.status_code == 200, (template, got.text[:200])
        after = accounts.audit_trail(world.ctx, world.people["runner"])
        assert len(after) == len(before) + 1, template
        assert (after[0]["action"], after[0]["who"], after[0]["clinic"]) == (
            action,
            "pt@example.org",
            "Northside",
        )


def _seed_entries(world: World, owner: str, count: int) -> None:
    start = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    clinician = world.users["clinician"].account_id
    with transaction(world.ctx.sessions) as s:
        for i in range(count):
            s.add(
                AuditRow(
                    at=start + timedelta(hours=i),
                    actor_account_id=clinician,
                    person_id=world.people[owner],
                    action="view_plan",
                    detail=f"seeded {i}",
                )
            )


def test_admin_sees_the_clinics_log_newest_first_paged_and_by_runner(world: World) -> None:
    _seed_entries(world, "runner", 30)
    _seed_entries(world, "other_runner", 2)
    _seed_entries(world, "stopped", 3)  # cat stopped sharing with Northside: not Northside's to see
    admin = _login(world.app, world.users["admin"])
    first = admin.get("/clinic/audit")
    assert first.status_code == 200
    people = re.findall(r'<tr data-person="(\d+)">', first.text)
    details = re.findall(r"<td>seeded (\d+)</td>", first.text)
    assert len(people) == accounts.AUDIT_PAGE_SIZE
    assert str(world.people["stopped"]) not in people
    assert details[:3] == ["29", "28", "27"], details  # newest first
    # the 32 seeded and the runners' two visit requests of the world
    assert "34 entries, page 1 of 2" in first.text
    second = admin.get("/clinic/audit?page=2")
    rest = re.findall(r'<tr data-person="(\d+)">', second.text)
    assert len(people) + len(rest) == 34
    assert "Newer</a>" in second.text
    assert "Older</a>" not in second.text
    only_bob = admin.get(f"/clinic/audit?person={world.people['other_runner']}")
    assert set(re.findall(r'<tr data-person="(\d+)">', only_bob.text)) == {str(world.people["other_runner"])}
    assert "3 entries" in only_bob.text
    assert admin.get(f"/clinic/audit?person={world.people['stopped']}").status_code == 404
    assert admin.get("/clinic/audit?page=0").status_code == 422


@pytest.mark.parametrize("role", ["runner", "clinician", "other_clinician"])
def test_only_admins_see_the_clinics_log(world: World, role: str) -> None:
    client = _login(world.app, world.users[role])
    assert client.get("/clinic/audit").status_code == 403
    assert client.get(f"/clinic/audit?person={world.people['runner']}").status_code == 403
    anonymous = _login(world.app, None)
    assert anonymous.get("/clinic/audit", follow_redirects=False).headers["location"] == "/login"


def test_admin_of_another_clinic_sees_none_of_it(world: World) -> None:
    _seed_entries(world, "runner", 2)
    other = accounts.add_user(world.ctx, "admin@elsewhere.org", "admin", "Elsewhere", "x" * 12 + "long")
    assert accounts.audit_page(world.ctx, clinic_id=other.clinic_id).total == 0
    assert accounts.audit_page(world.ctx, clinic_id=world.users["admin"].clinic_id).total >= 2


def test_runner_reads_their_own_log_in_plain_words(world: World) -> None:
    clinician = _login(world.app, world.users["clinician"])
    assert clinician.get(f"/api/people/{world.people['runner']}/plan").status_code == 200
    assert clinician.get(f"/api/people/{world.people['other_runner']}/plan").status_code == 200
    runner = _login(world.app, world.users["runner"])
    page = runner.get("/audit")
    assert page.status_code == 200
    assert re.search(
        r"pt@example\.org at Northside looked at your plan on \w+day \d{1,2} \w+ 20\d\d at \d\d:\d\d\.",
        page.text,
    ), page.text
    assert "Times are UTC: set your time zone in" in page.text  # no zone set yet
    assert "You asked for a visit on" in page.text  # the world's visit request, in the runner's words
    assert page.text.count("looked at your plan") == 1  # Bob's trail is not Ann's
    assert 'href="/audit"' in runner.get("/today").text  # in the navigation
    for role in ("clinician", "admin"):
        assert _login(world.app, world.users[role]).get("/audit").status_code == 403


def test_a_runner_reads_who_looked_in_their_own_time_zone(world: World) -> None:
    """Times on /audit and Sharing are in the zone the runner set in Reminders (UTC until then)."""
    from heelcoach.services import calendar

    _seed_entries(world, "runner", 1)  # 1 November 2026 at 08:00 UTC: 09:00 in Madrid, 03:00 in New York
    runner = _login(world.app, world.users["runner"])
    assert "Sunday 1 November 2026 at 08:00." in runner.get("/audit").text
    assert "Sunday 1 November 2026 at 08:00: pt@example.org at Northside" in runner.get("/sharing").text
    for zone, hour in (("Europe/Madrid", "09:00"), ("America/New_York", "03:00")):
        calendar.save_reminders(world.ctx, world.people["runner"], calendar.Reminders(timezone=zone))
        mine, sharing = runner.get("/audit").text, runner.get("/sharing").text
        assert f"looked at your plan on Sunday 1 November 2026 at {hour}." in mine, zone
        assert f"Times are {zone} time." in mine
        assert f"Sunday 1 November 2026 at {hour}: pt@example.org at Northside" in sharing
        assert f"Times are {zone} time." in sharing


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("runner", "/today"),
        ("runner", "/sharing"),
        ("runner", "/learn"),
        ("clinician", "/clinic"),
        ("clinician", "/clinic/people/{pid}"),
        ("admin", "/clinic/audit"),
    ],
)
def test_every_page_says_who_is_logged_in_with_a_log_out_button(world: World, role: str, path: str) -> None:
    client = _login(world.app, world.users[role])
    page = client.get(path.format(pid=world.people["runner"]))
    assert page.status_code == 200, page.text[:300]
    assert f"Logged in as <strong>{world.users[role].email}</strong>" in page.text
    assert re.search(r'<form method="post" action="/logout">.*?Log out</button></form>', page.text, re.S)
    client.post("/logout")
    assert client.get(path.format(pid=world.people["runner"]), follow_redirects=False).status_code in (
        200,
        303,
    )
    assert "Logged in as" not in _login(world.app, None).get("/login").text


def test_clinic_policy_table_is_in_the_readme() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert clinic_policy_markdown() in readme
    assert set(CLINIC_POLICY) <= set(ROLES)
