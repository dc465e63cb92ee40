"""In a real Chromium, a clinic from its first invitation: the admin invites a clinician, who joins
(password, then the authenticator code from the join page), invites a runner, who joins (and so
shares with the clinic) and checks in with a warning sign; she comes first in the caseload, ahead of
a runner on track. She asks for a visit, the clinician accepts it with a time and both see it. Each
page shows who is logged in; each person logs out with the header's button. The admin and the
runner read the audit log. Screenshots at phone and desktop widths.

Invitations and visits have no form yet: they go through the API from the logged-in browser
(its cookies, the page's form token), as the README documents. The runner's answers and first plan are
stored through the services (the questionnaire has its own browser tests).
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

from heelcoach.services import accounts, checkins, intake, planning
from heelcoach.services.context import AppContext
from tests.clinic.clinic_world import PASSWORD
from tests.web.answers import TYPICAL
from tests.web.browser import DESKTOP, PHONE, chromium, serve, shots_dir

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TODAY = date.today()


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
        made = _api(
            page, url, "POST", "/api/invitations", {"email": "pt@northside.example", "role": "clinician"}
        )
        _log_out(page, url)

        pt_secret = _join(page, url, made["link"])
        assert pt_secret is not None
        _login(page, url, "pt@northside.example", pt_secret)
        page.wait_for_url(url + "/clinic")
        made = _api(page, url, "POST", "/api/invitations", {"email": "ann@example.org", "role": "runner"})
        _log_out(page, url)

        assert _join(page, url, made["link"]) is None  # a runner has no second factor
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
        asked = _api(
            page,
            url,
            "POST",
            f"/api/people/{ann}/visits",
            {"reason": "Numb heel", "preferred_times": "mornings"},
        )
        _log_out(page, url)

        _login(page, url, "pt@northside.example", pt_secret)
        rows = page.locator("table.caseload tbody tr")
        assert [rows.nth(i).get_attribute("data-person") for i in range(rows.count())] == [
            str(ann),
            str(clinic.bob),
        ]
        assert "warning sign reported" in rows.first.inner_text()
        assert rows.first.locator("svg circle").count() == 1  # one check-in: a dot, not an empty line
        _shoot(page, out, "journey-caseload")
        rows.first.locator("a").click()
        page.wait_for_url(f"{url}/clinic/people/{ann}")
        assert "Logged in as pt@northside.example" in page.inner_text(".who")
        pause = page.inner_text("#checkin-pause")
        said = "numbness, tingling or burning in the foot"
        assert f"warning sign reported in the check-in of {TODAY.isoformat()} ({said})" in pause
        _shoot(page, out, "journey-runner-view")
        accepted = _api(
            page,
            url,
            "POST",
            f"/api/people/{ann}/visits/{asked['id']}/accept",
            {"starts_at": "2030-01-15T09:30:00+01:00"},
        )
        assert accepted["starts_at"].startswith("2030-01-15T")
        assert [v["starts_at"] for v in _api(page, url, "GET", f"/api/people/{ann}/visits")] == [
            accepted["starts_at"]
        ]
        _log_out(page, url)

        _login(page, url, "ann@example.org")
        assert [v["starts_at"] for v in _api(page, url, "GET", f"/api/people/{ann}/visits")] == [
            accepted["starts_at"]
        ]
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
