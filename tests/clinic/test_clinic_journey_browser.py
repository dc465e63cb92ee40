"""In a real Chromium, a clinic from its first invitation: the admin invites a clinician, who joins
(password, then the authenticator code from the join page), invites a runner, who joins (and so
shares with the clinic) and checks in with a warning sign; she comes first in the caseload, ahead of
a runner on track. She asks for a visit, the clinician accepts it with a time and both see it. Each
page shows who is logged in; each person logs out with the header's button. The admin and the
runner read the audit log. Screenshots at phone and desktop widths.

Invitations and visits go through their forms: the admin's and the clinician's invitation form
(the page shows the one-time link), the runner's visit request on Sharing, the clinician's time on
the runner view. The runner's answers and first plan are stored through the services (the
questionnaire has its own browser tests); a few reads check the API's side of the same data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect

from heelcoach.services import accounts, checkins, intake, planning
from heelcoach.services.context import AppContext
from tests.clinic.clinic_world import PASSWORD
from tests.web.answers import TYPICAL
from tests.web.browser import DESKTOP, PHONE, chromium, serve, shots_dir

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TODAY = date.today()

#: A visit accepted at 09:30 Berlin time, as both sides read it (the zone the clinician gave).
ACCEPTED_BERLIN = "Accepted: Tuesday 15 January 2030 at 09:30, Europe/Berlin time (CET, UTC+01:00)"


@dataclass
class Clinic:
    url: str
    ctx: AppContext
    admin: accounts.AddedUser
    bob: int


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Clinic]:
    from heelcoach.config import Settings
    from heelcoach.web.app import create_app

    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None, clinic=True))
    admin = accounts.add_user(ctx, "admin@northside.example", "admin", "Northside", PASSWORD)
    bob = accounts.add_user(ctx, "bob@example.org", "runner", "Northside", PASSWORD)
    assert bob.person_id is not None
    intake.save_intake(ctx, bob.person_id, TYPICAL)
    planning.make_plan(ctx, bob.person_id, start=TODAY - timedelta(days=10))
    for back in range(7, -1, -1):
        entry = checkins.CheckInInput(day=TODAY - timedelta(days=back), first_step_pain=3)
        checkins.record_checkin(ctx, bob.person_id, entry, today=TODAY)
    with serve(create_app(ctx)) as url:
        yield Clinic(url, ctx, admin, bob.person_id)
    ctx.close()


def _shoot(page: Any, out: Path, name: str) -> None:
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(out / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(out / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)


def _login(page: Any, url: str, email: str, secret: str | None = None) -> None:
    page.goto(url + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    if secret:
        page.fill("#code", pyotp.TOTP(secret).now())
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert f"Logged in as {email}" in page.inner_text(".who")


def _log_out(page: Any, url: str) -> None:
    page.click(".who-bar form[action='/logout'] button")
    page.wait_for_url(url + "/login")
    assert page.locator(".who-bar").count() == 0


def _api(page: Any, url: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """An API call from the logged-in browser: its cookies and the page's form token, as htmx sends."""
    token = json.loads(page.get_attribute("body", "hx-headers") or "{}").get("X-CSRF-Token", "")
    sent = page.request.fetch(url + path, method=method, data=body, headers={"X-CSRF-Token": token})
    assert sent.ok, (path, sent.status, sent.text()[:300])
    return sent.json()


def _invite(page: Any, out: Path, email: str, role: str | None, shot: str) -> str:
    """Make an invitation from the form (the nav's Invite page or the caseload's); the link shown."""
    if role is not None:
        page.click("nav a[href='/clinic/invite']")
        page.wait_for_url("**/clinic/invite")
        _shoot(page, out, f"{shot}-form")
        page.select_option("#invite-role", role)
    page.fill("#invite-email", email)
    page.click("form.invite-form button[type=submit]")
    made = page.locator("#invite-made")
    expect(made).to_be_visible()
    assert "works once and expires on" in made.inner_text()
    _shoot(page, out, shot)
    link = page.input_value("#join-link")
    return link[link.index("/join/") :]


def _join(page: Any, url: str, link: str) -> str | None:
    """Join from an invitation link with a password; the authenticator secret for staff."""
    page.goto(url + link)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("text=You have joined Northside")
    if page.locator("code.enrol").count() == 0:
        return None
    return str(pyotp.parse_uri(page.inner_text("code.enrol")).secret)


def test_a_clinic_from_its_first_invitation(clinic: Clinic, tmp_path: Path) -> None:
    url, out = clinic.url, shots_dir(tmp_path / "shots")
    assert clinic.admin.totp_secret is not None
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        _login(page, url, clinic.admin.email, clinic.admin.totp_secret)
        page.wait_for_url(url + "/clinic/audit")
        link = _invite(page, out, "pt@northside.example", "clinician", "journey-invite-clinician")
        _log_out(page, url)

        pt_secret = _join(page, url, link)
        assert pt_secret is not None
        _login(page, url, "pt@northside.example", pt_secret)
        page.wait_for_url(url + "/clinic")
        link = _invite(page, out, "ann@example.org", None, "journey-invite-runner")  # on the caseload
        _log_out(page, url)

        assert _join(page, url, link) is None  # a runner has no second factor
        _login(page, url, "ann@example.org")
        ann = int(_api(page, url, "GET", "/api/me")["person_id"])
        shares = _api(page, url, "GET", f"/api/people/{ann}/shares")
        assert [(s["clinic"], s["active"]) for s in shares] == [("Northside", True)]
        intake.save_intake(clinic.ctx, ann, TYPICAL)
        planning.make_plan(clinic.ctx, ann, start=TODAY - timedelta(days=3))
        page.goto(url + "/today")
        page.locator("#checkin summary").first.click()
        page.check('input[name="first_step_pain"][value="4"]', force=True)
        page.check('input[name="red_flag_symptoms"][value="numbness_tingling"]')
        page.locator("#checkin button[type=submit]").first.click()
        page.wait_for_selector(".flash")
        assert "paused from today" in page.inner_text(".flash")
        page.goto(url + "/sharing")
        page.fill("#visit-reason", "Numb heel")
        page.fill("#visit-times", "mornings")
        _shoot(page, out, "journey-visit-ask")
        page.click("form.visit-request button[type=submit]")
        page.wait_for_url(url + "/sharing#visits")
        asked = page.locator("#visits article.visit")
        assert asked.get_attribute("data-state") == "pending"
        assert "Asked, waiting for Northside" in asked.inner_text()
        visit_id = asked.get_attribute("data-visit")
        _shoot(page, out, "journey-visit-asked")
        _log_out(page, url)

        _login(page, url, "pt@northside.example", pt_secret)
        rows = page.locator("table.caseload tbody tr")
        assert [rows.nth(i).get_attribute("data-person") for i in range(rows.count())] == [
            str(ann),
            str(clinic.bob),
        ]
        assert "warning sign reported" in rows.first.inner_text()
        assert "visit requested" in rows.first.inner_text()
        assert rows.first.locator("svg circle").count() == 1  # one check-in: a dot, not an empty line
        _shoot(page, out, "journey-caseload")
        rows.first.locator("a").click()
        page.wait_for_url(f"{url}/clinic/people/{ann}")
        assert "Logged in as pt@northside.example" in page.inner_text(".who")
        pause = page.inner_text("#checkin-pause")
        said = "numbness, tingling or burning in the foot"
        assert f"warning sign reported in the check-in of {TODAY.isoformat()} ({said})" in pause
        _shoot(page, out, "journey-runner-view")
        accept = page.locator(f"form[action='/clinic/people/{ann}/visits/{visit_id}/accept']")
        accept.locator("input[name=starts_at]").fill("2030-01-15T09:30")
        accept.locator("input[name=tz]").fill("Europe/Berlin")
        accept.locator("button[type=submit]").click()
        page.wait_for_url(f"{url}/clinic/people/{ann}#visits")
        shown = page.locator(f"#visits article.visit[data-visit='{visit_id}']")
        assert shown.get_attribute("data-state") == "accepted"
        assert ACCEPTED_BERLIN in shown.inner_text()
        _shoot(page, out, "journey-visit-accepted-staff")
        assert [v["starts_at"] for v in _api(page, url, "GET", f"/api/people/{ann}/visits")] == [
            "2030-01-15T08:30:00+00:00"
        ]
        _log_out(page, url)

        _login(page, url, "ann@example.org")
        page.goto(url + "/sharing")
        mine = page.locator(f"#visits article.visit[data-visit='{visit_id}']")
        assert ACCEPTED_BERLIN in mine.inner_text()
        ics = mine.locator("a[href$='calendar.ics']").get_attribute("href")
        got = page.request.get(url + str(ics))
        assert got.ok
        assert "BEGIN:VEVENT" in got.text()
        _shoot(page, out, "journey-visit-accepted-runner")
        page.click("nav a[href='/audit']")
        page.wait_for_url(url + "/audit")
        said = page.inner_text("#audit")
        assert "pt@northside.example at Northside looked at your record on" in said
        assert "pt@northside.example at Northside accepted your visit request on" in said
        _shoot(page, out, "journey-runner-audit")
        _log_out(page, url)

        _login(page, url, clinic.admin.email, clinic.admin.totp_secret)
        table = page.inner_text("table.audit")
        assert "viewed the runner view" in table
        assert "accepted a visit request" in table
        page.select_option("#person", str(clinic.bob))
        page.click("form.audit-filter button")
        page.wait_for_url(f"{url}/clinic/audit?person={clinic.bob}")
        assert "0 entries." in page.inner_text("main")  # what Ann's record got is not Bob's
        page.goto(url + "/clinic/audit")
        _shoot(page, out, "journey-admin-audit")
