"""In a real Chromium: a clinician adds an exercise at a chosen level to a runner's plan, is refused a
massage tool the runner's screening answers rule out (the reason shown), and records an in-clinic
test; the runner then reads the change and its reason on Plan. Screenshots at phone and desktop
widths of the plan-change form and of the runner's Plan page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pyotp
import pytest

from heelcoach.config import Settings
from heelcoach.services import accounts, intake, planning
from heelcoach.services.context import AppContext
from tests.clinic.clinic_world import PASSWORD
from tests.clinic.test_clinic_browser import _login, _shoot
from tests.web.answers import TYPICAL
from tests.web.browser import PHONE, chromium, serve, shots_dir

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@dataclass
class Clinic:
    url: str
    pt: accounts.AddedUser
    ann: int


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Clinic]:
    from heelcoach.web.app import create_app

    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None, clinic=True))
    pt = accounts.add_user(ctx, "pt@example.org", "clinician", "Northside", PASSWORD)
    ann = accounts.add_user(ctx, "ann@example.org", "runner", "Northside", PASSWORD)
    assert ann.person_id is not None
    # Ann takes blood thinners: massage tools are contraindicated for her
    intake.save_intake(ctx, ann.person_id, {**TYPICAL, "anticoagulants_or_bleeding_disorder": True})
    planning.make_plan(ctx, ann.person_id, start=date.today() - timedelta(days=3))
    with serve(create_app(ctx)) as url:
        yield Clinic(url, pt, ann.person_id)
    ctx.close()


def test_clinician_adds_an_item_is_refused_a_contraindicated_one_and_the_runner_reads_why(
    clinic: Clinic, tmp_path: Path
) -> None:
    out = shots_dir(tmp_path / "shots")
    assert clinic.pt.totp_secret is not None
    view = f"{clinic.url}/clinic/people/{clinic.ann}"
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        _login(page, clinic.url, clinic.pt.email, pyotp.TOTP(clinic.pt.totp_secret).now())
        page.wait_for_url(clinic.url + "/clinic")
        # an in-clinic test, merged into the plan
        page.goto(view)
        page.fill("input[aria-label^='Single-leg heel-raise test, left']", "12")
        page.fill("#tests-reason", "Measured at today's visit.")
        page.click("form.clinic-tests button[type=submit]")
        page.wait_for_url(view + "#plan")
        assert "measured in the clinic: Single-leg heel-raise test (left) 12" in page.inner_text("#plan")
        page.select_option("#kind", "add")
        page.select_option("#new_id", "toe_yoga")
        page.fill("#level", "2")
        page.fill("#reason", "Toe control helps the arch; start at level 2, you did it well today.")
        page.click("form.plan-change button[type=submit]")
        page.wait_for_url(view + "#plan")
        assert "added Toe yoga at level 2: Toe control helps the arch" in page.inner_text("#plan")
        # a massage ball: refused, with the contraindication from her screening answers
        page.select_option("#kind", "add")
        page.select_option("#new_id", "massage_ball_rolling")
        page.fill("#reason", "For the morning pain.")
        page.click("form.plan-change button[type=submit]")
        alert = page.inner_text("[role=alert]")
        assert "Massage ball (lacrosse ball) rolling is contraindicated for this runner" in alert
        assert "anticoagulant or bleeding" in alert
        assert "Blood thinners or a bleeding disorder" in alert
        page.locator("form.plan-change").scroll_into_view_if_needed()
        _shoot(page, out, "plan-change-refused")
        page.goto(view + "#plan")
        _shoot(page, out, "plan-change-form")
        page.context.clear_cookies()

        _login(page, clinic.url, "ann@example.org")
        page.goto(clinic.url + "/plan")
        main = page.inner_text("main")
        assert (
            "Your physiotherapist at Northside added Toe yoga at level 2: Toe control helps the arch" in main
        )
        page.goto(clinic.url + "/progress")
        assert "Your physiotherapist at Northside measured in the clinic" in page.inner_text("main")
        page.goto(clinic.url + "/plan")
        _shoot(page, out, "runner-plan-after-change")
