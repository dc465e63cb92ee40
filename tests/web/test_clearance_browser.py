"""A runner whose answers point to a heel stress fracture records on Today that a clinician has
cleared them, in a real Chromium: the graded return to running starts and the plan page says which
condition it follows. A stop for another warning sign (an infection) offers no such form, and a
forged post is refused with the reason (phone and desktop screenshots)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from heelcoach.config import Settings
from heelcoach.errors import NotFoundError
from heelcoach.services import intake, people, planning
from heelcoach.services.context import AppContext
from tests.services.test_triage_clearance_return import FRACTURE, INFECTED
from tests.web.answers import TYPICAL
from tests.web.browser import DESKTOP, PHONE, chromium, serve, shots_dir
from tests.web.conftest import move_clock

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TODAY = date(2027, 1, 4)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, AppContext]]:
    from heelcoach.web.app import create_app

    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None))
    app = create_app(ctx)
    move_clock(app, TODAY)
    with serve(app) as url:
        yield url, ctx
    ctx.close()


def _shoot(page: Any, name: str, tmp_path: Path) -> None:
    folder = shots_dir(tmp_path / "shots")
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(folder / f"clearance-{name}-{label}.png"), full_page=True)


def _runner(ctx: AppContext, answers: dict[str, Any]) -> int:
    person = people.resolve_person(ctx, None, create=True)
    intake.save_intake(ctx, person.id, {**TYPICAL, **answers})
    return person.id


def test_a_clearance_on_today_starts_the_return_after_a_stress_fracture(
    live: tuple[str, AppContext], tmp_path: Path
) -> None:
    url, ctx = live
    pid = _runner(ctx, FRACTURE)
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        page.set_default_timeout(20_000)
        page.goto(url + "/today")
        main = page.inner_text("main")
        assert "See a clinician first" in main
        assert "Has a clinician cleared you to load the heel?" in main
        _shoot(page, "today-offer", tmp_path)
        page.fill("#clinician-seen input[name=seen_on]", "2027-01-02")
        page.check('#clinician-seen input[name="confirm"]')
        page.locator("#clinician-seen button[type=submit]").click()
        page.wait_for_url("**/plan")
        main = page.inner_text("main")
        assert "A clinician has cleared you (recorded Sat 02 Jan)" in main
        assert "What this plan follows: Heel bone fracture" in main
        assert "Walk 2 min, run 3 min" in main
        assert "Hop 10 times" in main
        assert "calcaneal_stress_fracture" not in main  # no internal ids
        _shoot(page, "plan", tmp_path)
        page.close()
    record, plan = planning.current_plan(ctx, pid)
    assert record.starts_on == date(2027, 1, 2)
    assert plan.run.mode == "walk_run"


def test_no_clearance_form_for_an_infection_and_a_forged_post_is_refused(
    live: tuple[str, AppContext], tmp_path: Path
) -> None:
    url, ctx = live
    pid = _runner(ctx, INFECTED)
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        page.set_default_timeout(20_000)
        page.goto(url + "/today")
        assert "See a clinician first" in page.inner_text("main")
        assert page.locator("#clinician-seen").count() == 0
        # the form posted anyway (from a stale page): refused with the reason, nothing stored
        page.goto(url + "/settings")
        token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
        page.evaluate(
            """([token]) => { const f = document.createElement('form'); f.method = 'post';
            f.action = '/clinician-seen';
            for (const [k, v] of [['csrf_token', token], ['seen_on', '2027-01-02'], ['confirm', 'yes']]) {
              const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v;
              f.appendChild(i); }
            document.body.appendChild(f); f.submit(); }""",
            [token],
        )
        page.wait_for_url("**/today")
        main = page.inner_text("main")
        assert "a reason a clearance here does not lift" in main
        assert "Hot, red, swollen heel with fever" in main
        _shoot(page, "refused", tmp_path)
        page.close()
    with pytest.raises(NotFoundError):
        planning.current_plan(ctx, pid)
