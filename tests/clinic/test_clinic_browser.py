"""In a real Chromium, clinic mode end to end: a clinician logs in with the 6-digit code, finds the
runner who reported a warning sign first in the caseload, opens her, is refused a change the paused
plan does not allow, changes the plan of the next runner and leaves a note to the first; each runner
logs in and reads the change and its reason on Plan, and the sharing page. Screenshots at phone and
desktop widths of login, caseload, runner view and sharing page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest

from heelcoach.config import Settings
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
    pt: accounts.AddedUser
    ann: int
    bob: int


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Clinic]:
    from heelcoach.web.app import create_app

    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None, clinic=True))
    pt = accounts.add_user(ctx, "pt@example.org", "clinician", "Northside", PASSWORD)
    people = {}
    for name, email in (("Bob", "bob@example.org"), ("Ann", "ann@example.org")):
        added = accounts.add_user(ctx, email, "runner", "Northside", PASSWORD)
        assert added.person_id is not None
        people[name] = added.person_id
        intake.save_intake(ctx, added.person_id, TYPICAL)
        planning.make_plan(ctx, added.person_id, start=TODAY - timedelta(days=10))
        for back in range(7, 0, -1):
            entry = checkins.CheckInInput(day=TODAY - timedelta(days=back), first_step_pain=3)
            checkins.record_checkin(ctx, added.person_id, entry, today=TODAY)
    warning = checkins.CheckInInput(day=TODAY, first_step_pain=6, red_flag_symptoms=("numbness_or_tingling",))
    checkins.record_checkin(ctx, people["Ann"], warning, today=TODAY)
    with serve(create_app(ctx)) as url:
        yield Clinic(url, pt, people["Ann"], people["Bob"])
    ctx.close()


def _shoot(page: Any, out: Path, name: str) -> None:
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(out / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(out / f"{name}-desktop.png"), full_page=True)


def _login(page: Any, url: str, email: str, code: str = "") -> None:
    page.goto(url + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    if code:
        page.fill("#code", code)
    page.click("button[type=submit]")


def test_clinician_changes_the_plan_and_the_runner_reads_why(clinic: Clinic, tmp_path: Path) -> None:
    out = shots_dir(tmp_path / "shots")
    assert clinic.pt.totp_secret is not None
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        page.goto(clinic.url + "/login")
        _shoot(page, out, "login")
        _login(page, clinic.url, clinic.pt.email, pyotp.TOTP(clinic.pt.totp_secret).now())
        page.wait_for_url(clinic.url + "/clinic")
        rows = page.locator("table.caseload tbody tr")
        assert rows.first.get_attribute("data-person") == str(clinic.ann)
        assert "warning sign reported" in rows.first.inner_text()
        assert rows.nth(1).get_attribute("data-person") == str(clinic.bob)
        _shoot(page, out, "caseload")
        rows.first.locator("a").click()
        page.wait_for_url(f"{clinic.url}/clinic/people/{clinic.ann}")
        # Ann's plan is paused by her warning sign: a change to loading is refused, with why
        page.select_option("#kind", "hold")
        page.fill("#reason", "Too sore")
        page.click("#plan button[type=submit]")
        assert "paused until a clinician has seen the runner" in page.inner_text("[role=alert]")
        page.select_option("#kind", "note")
        page.fill("#reason", "Please book a visit this week so we can look at the numbness.")
        page.click("#plan button[type=submit]")
        page.wait_for_url(f"{clinic.url}/clinic/people/{clinic.ann}#plan")
        page.fill("#note-text", "Numbness reported today; check tarsal tunnel at the visit.")
        page.click("#notes button[type=submit]")
        page.wait_for_url(f"{clinic.url}/clinic/people/{clinic.ann}#notes")
        assert "check tarsal tunnel" in page.inner_text("#notes")
        _shoot(page, out, "runner-view")
        page.goto(f"{clinic.url}/clinic/people/{clinic.bob}")
        page.select_option("#kind", "hold")
        page.select_option("#item_id", "side_lying_hip_abduction")
        page.fill("#reason", "Your hip is sore: we work on it in the clinic instead.")
        page.click("#plan button[type=submit]")
        page.wait_for_url(f"{clinic.url}/clinic/people/{clinic.bob}#plan")
        assert "put Side-lying hip abduction on hold" in page.inner_text("#plan")
        page.context.clear_cookies()

        _login(page, clinic.url, "bob@example.org")
        page.goto(clinic.url + "/plan")
        main = page.inner_text("main")
        assert "Your physiotherapist at Northside put Side-lying hip abduction on hold" in main
        assert "we work on it in the clinic instead" in main
        page.context.clear_cookies()

        _login(page, clinic.url, "ann@example.org")
        page.goto(clinic.url + "/plan")
        main = page.inner_text("main")
        assert "Your physiotherapist at Northside added a note: Please book a visit" in main
        assert "tarsal tunnel" not in page.content()
        page.goto(clinic.url + "/sharing")
        assert "pt@example.org" in page.inner_text("main")
        _shoot(page, out, "sharing")
        page.click("form[action$='/stop'] button")
        page.wait_for_url(clinic.url + "/sharing")
        assert "cannot see your data" in page.inner_text("main")
