"""End-to-end in a real Chromium: a runner's journey from the first question to week-one check-ins,
a watch file and the running clip; a red-flag runner stopped; screenshots of every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from heelcoach.config import Settings
from heelcoach.services.context import AppContext
from tests.web.answers import RED_FLAG, TYPICAL
from tests.web.browser import DESKTOP, PHONE, chromium, serve, shots_dir

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, AppContext]]:
    """The app on a fresh SQLite store, served on a free port."""
    from heelcoach.web.app import create_app

    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None))
    with serve(create_app(ctx)) as url:
        yield url, ctx
    ctx.close()


def fill_group(page: Any, questions: list[Any], answers: dict[str, Any]) -> None:
    """Answer one page of the questionnaire the way a person would."""
    for q in questions:
        value = answers.get(q.id)
        if value is None:
            continue
        name = f"q_{q.id}"
        if q.type in ("int", "number", "date", "text"):
            page.fill(f'input[name="{name}"]', str(value))
        elif q.type == "bool":
            page.check(f'input[name="{name}"][value="{"yes" if value else "no"}"]')
        elif q.type == "multi":
            for v in value:
                page.check(f'input[name="{name}"][value="{v}"]')
        else:
            page.check(f'input[name="{name}"][value="{value}"]', force=q.type == "scale")


def answer_questions(page: Any, url: str, ctx: AppContext, answers: dict[str, Any]) -> None:
    from heelcoach.web.questions import group_ids

    page.goto(url + "/")
    page.get_by_role("link", name="Start the questions").click()
    for group in group_ids(ctx.catalogue):
        page.wait_for_url(f"**/start/q/{group}")
        fill_group(page, [q for q in ctx.catalogue.triage.questions if q.group == group], answers)
        page.locator("form button[type=submit]").click()
    page.wait_for_url("**/start/result")


def test_new_runner_from_first_question_to_checkins_runs_and_gait(
    browser: Any, live: tuple[str, AppContext], shared_data: Path, tmp_path: Path
) -> None:
    url, ctx = live
    out = shots_dir(tmp_path / "shots")
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(20_000)
    answer_questions(page, url, ctx, TYPICAL)
    assert page.locator("#triage-stop").count() == 0
    assert "Plantar fasciitis" in page.inner_text("main")

    # self-tests, with the how-to and a timer on the timed ones
    page.get_by_role("link", name="Continue to the self-tests").click()
    page.fill("#single_leg_heel_raise_test__left", "14")
    page.fill("#single_leg_heel_raise_test__right", "24")
    balance = page.locator("#test-single_leg_balance_eyes_open_test")
    balance.get_by_role("button", name="Start timer").click()
    page.wait_for_timeout(1300)
    balance.get_by_role("button", name="Stop").click()
    balance.get_by_role("button", name=re.compile(r"^Use [1-9]\d* s for left side$")).click()
    balance.screenshot(path=str(out / "start-tests-timer-phone.png"))
    timed = int(page.input_value("#single_leg_balance_eyes_open_test__left"))
    assert timed >= 1  # the timer's seconds, put into the field it was offered for
    assert page.input_value("#single_leg_balance_eyes_open_test__right") == ""
    page.fill("#single_leg_balance_eyes_open_test__left", "")  # the rest of the journey as before
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/start/extras")
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_url("**/plan")
    plan_text = page.inner_text("main")
    assert "week 1" in plan_text
    assert "What moves you forward" in plan_text

    # a real watch file
    page.goto(url + "/runs")
    fit = shared_data / "activities" / "fit" / "activity-small-fenix2-run.fit"
    page.set_input_files("#files", str(fit))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url("**/runs/import/*")  # the import runs in the background; this page follows it
    page.wait_for_selector("#import-result")
    assert "activity-small-fenix2-run.fit" in page.inner_text("main")
    page.get_by_role("link", name="See your runs").click()
    page.wait_for_url("**/runs")
    assert "9.01" in page.inner_text("main")

    # the real running clip, analysed in the background while the page shows progress
    page.goto(url + "/gait")
    clip = shared_data / "video" / "running_side_480p30.mp4"
    page.set_input_files("#video", str(clip))
    page.check('input[name="view"][value="side"]')
    page.get_by_role("button", name="Upload and analyse").click()
    page.wait_for_url("**/gait/job/*")
    page.wait_for_selector("#gait-report, .notice.danger", timeout=180_000)
    report = page.inner_text("main")
    assert "Report" in report, report
    assert page.locator(".keyframes img").count() >= 1
    page.locator(".keyframes img").first.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('.keyframes img').naturalWidth > 0")
    page.evaluate("window.scrollTo(0, 0)")  # else the sticky menu lands mid-picture
    page.screenshot(path=str(out / "gait-report-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(out / "gait-report-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)

    # check in on several days: first-step pain first
    today = date.today()
    for back, pain in ((2, 6), (1, 5), (0, 4)):
        page.goto(url + "/today")
        labels = page.locator("#checkin .qlabel").all_inner_texts()
        assert "first steps" in labels[0]
        page.locator("#checkin summary").first.click()
        page.fill("#day", (today - timedelta(days=back)).isoformat())
        page.check(f'input[name="first_step_pain"][value="{pain}"]', force=True)
        page.check(f'input[name="worst_pain"][value="{pain + 1}"]', force=True)
        page.locator('input[name="done_items"]').first.check()
        page.get_by_role("button", name="Save today's check-in").click()
        page.wait_for_selector(".flash")
        assert "Check-in saved" in page.inner_text(".flash")
    page.goto(url + "/progress")
    assert page.locator("svg.chart").count() >= 2
    assert "3 check-ins" in " ".join(page.inner_text(".kpis").split())
    page.close()


def test_red_flag_runner_is_stopped_and_told_why(
    browser: Any, live: tuple[str, AppContext], tmp_path: Path
) -> None:
    url, ctx = live
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(20_000)
    answer_questions(page, url, ctx, RED_FLAG)
    page.screenshot(
        path=str(shots_dir(tmp_path / "shots") / "start-result-red-flag-phone.png"), full_page=True
    )
    stop = page.inner_text("#triage-stop")
    assert "will not build a running plan" in stop
    assert page.get_by_role("link", name="Continue to the self-tests").count() == 0
    page.goto(url + "/start/tests")
    assert page.url.endswith("/start/result")
    page.close()


def test_keyboard_can_answer_a_question(browser: Any, live: tuple[str, AppContext]) -> None:
    url, _ctx = live
    page = browser.new_page(viewport=DESKTOP)
    page.goto(url + "/start/q/about_you")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.focus("#q_age_years")
    page.keyboard.type("39")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q_height_cm"
    page.close()


PAGES = [
    "/",
    "/start",
    "/start/result",
    "/start/tests",
    "/start/extras",
    "/today",
    "/plan",
    "/progress",
    "/runs",
    "/gait",
    "/learn",
    "/learn/why_it_keeps_coming_back",
    "/learn/massage",
    "/learn/habits",
    "/settings",
    "/see-a-clinician",
    "/no-such-page",
]


def test_screenshots_of_every_page(
    browser: Any, live: tuple[str, AppContext], tmp_path: Path, shared_data: Path
) -> None:
    """Phone and desktop screenshots of every page with a runner a few days in (looked at by a person)."""
    url, ctx = live
    out = shots_dir(tmp_path / "shots")
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(20_000)
    for width_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.goto(url + "/")
        page.screenshot(path=str(out / f"welcome-{width_name}.png"), full_page=True)
    page.set_viewport_size(PHONE)
    answer_questions(page, url, ctx, TYPICAL)
    page.goto(url + "/start/extras")
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_url("**/plan")
    page.goto(url + "/runs")
    page.set_input_files("#files", str(shared_data / "activities" / "fit" / "6782987395.fit"))
    page.get_by_role("button", name="Import").click()
    page.wait_for_selector("#import-result")
    page.screenshot(path=str(out / "runs-import-phone.png"), full_page=True)
    today = date.today()
    for back, pain in ((3, 6), (2, 5), (1, 5), (0, 4)):
        page.request.post(
            url + "/api/checkins",
            headers={"Origin": url},  # as a page's own script would send it
            data={
                "day": (today - timedelta(days=back)).isoformat(),
                "first_step_pain": pain,
                "worst_pain": pain + 1,
            },
        )
    for width_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        for path in PAGES:
            page.goto(url + path)
            name = path.strip("/").replace("/", "-") or "home"
            page.screenshot(path=str(out / f"{name}-{width_name}.png"), full_page=True)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} scrolls sideways at {width_name} width by {overflow}px"
            hidden = page.evaluate(
                "() => [...document.querySelectorAll('.table-wrap')].map(w => w.scrollWidth - w.clientWidth)"
            )
            assert max(hidden, default=0) <= 1, f"{path}: a table hides columns at {width_name} ({hidden}px)"
    page.close()
    assert len(list(out.glob("*.png"))) >= 2 * len(PAGES)
