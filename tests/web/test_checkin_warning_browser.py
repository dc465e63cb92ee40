"""In a real Chromium: a check-in that reports a warning sign pauses running and loading the same
day, shows the referral on every page, and resumes only when the runner records a clinician's visit
(issue 12, item 5). Screenshots at phone and desktop widths."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from heelcoach.config import Settings
from heelcoach.services import intake, people, planning
from heelcoach.services.context import AppContext
from heelcoach.services.demo import demo_answers
from tests.web.browser import DESKTOP, PHONE, chromium, serve, shots_dir

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, AppContext]]:
    """The app on a fresh SQLite store with a runner three days into her plan."""
    from heelcoach.web.app import create_app

    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None))
    now = datetime.now(UTC)
    person = people.create_person(ctx, "Ana", now=now)
    intake.save_intake(ctx, person.id, demo_answers(), now=now)
    planning.make_plan(ctx, person.id, start=date.today() - timedelta(days=3), now=now)
    with serve(create_app(ctx)) as url:
        yield url, ctx
    ctx.close()


def test_a_checkin_warning_sign_pauses_training_until_a_clinician_has_seen_them(
    live: tuple[str, AppContext], tmp_path: Path
) -> None:
    url, _ctx = live
    out = shots_dir(tmp_path / "shots")
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        page.goto(url + "/today")
        assert page.locator("#referral-stop").count() == 0
        assert page.locator('input[name="done_items"]').count() > 0 or "rest day" in page.inner_text("main")
        page.locator("#checkin summary").first.click()
        page.check('input[name="first_step_pain"][value="3"]', force=True)
        page.check('input[name="red_flag_symptoms"][value="numbness_tingling"]')
        page.check('input[name="red_flag_symptoms"][value="night_pain"]')
        page.locator("#checkin button[type=submit]").first.click()
        page.wait_for_selector(".flash")
        flash = page.inner_text(".flash")
        assert "paused from today" in flash
        # Today: the referral, no exercises, no running, the form to record the visit
        stop = page.inner_text("#referral-stop")
        assert "numbness, tingling or burning in the foot" in stop
        assert "pain at night or at rest" in stop
        assert page.locator('input[name="done_items"]').count() == 0
        assert "No exercises until a clinician has seen your heel" in page.inner_text("main")
        assert page.locator("#clinician-seen").count() == 1
        page.screenshot(path=str(out / "today-warning-sign-phone.png"), full_page=True)
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=str(out / "today-warning-sign-desktop.png"), full_page=True)
        # every other page carries the referral
        for path in ("/progress", "/runs", "/learn", "/settings", "/gait"):
            page.goto(url + path)
            banner = page.locator("#stop-banner")
            assert banner.count() == 1, path
            assert "Running and the exercises are paused" in banner.inner_text()
        page.set_viewport_size(PHONE)
        page.goto(url + "/progress")
        page.screenshot(path=str(out / "progress-warning-banner-phone.png"), full_page=True)
        page.goto(url + "/plan")
        assert "Until a clinician has seen you" in page.inner_text("main")
        assert "numbness" in page.inner_text("#referral-stop")
        assert "record the visit on Today" in page.inner_text("main")
        assert page.inner_text("main").count("you reported numbness") == 1  # the referral once
        # the visit is recorded: the plan picks up where it stopped
        page.goto(url + "/today")
        page.check('#clinician-seen input[name="confirm"]')
        page.locator("#clinician-seen button[type=submit]").click()
        page.wait_for_selector(".flash")
        assert "a clinician has seen you" in page.inner_text(".flash")
        assert page.locator("#referral-stop").count() == 0
        assert page.locator("#clinician-seen").count() == 0
        page.goto(url + "/progress")
        assert page.locator("#stop-banner").count() == 0
        page.goto(url + "/plan")
        assert "Until a clinician has seen you" not in page.inner_text("main")
        page.close()
