"""In a real Chromium: a runner deletes all her data and starts again, without a server restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from heelcoach.config import Settings
from heelcoach.services.context import AppContext
from tests.web.answers import TYPICAL
from tests.web.browser import DESKTOP, PHONE, chromium, serve, shots_dir
from tests.web.test_browser import answer_questions

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


def _shoot(page: Any, out: Path, name: str) -> None:
    for width_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(out / f"{name}-{width_name}.png"), full_page=True)
    page.set_viewport_size(PHONE)


def _make_plan_and_check_in(page: Any, url: str, ctx: AppContext, pain: int) -> None:
    answer_questions(page, url, ctx, TYPICAL)
    page.goto(url + "/start/extras")
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_url("**/plan")
    page.goto(url + "/today")
    page.check(f'input[name="first_step_pain"][value="{pain}"]', force=True)
    page.get_by_role("button", name="Save today's check-in").click()
    page.wait_for_selector(".flash")


def test_delete_all_my_data_then_start_again(
    browser: Any, live: tuple[str, AppContext], tmp_path: Path
) -> None:
    url, ctx = live
    out = shots_dir(tmp_path / "shots")
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(20_000)
    _make_plan_and_check_in(page, url, ctx, pain=6)
    page.goto(url + "/progress")
    assert "1 check-in" in " ".join(page.inner_text(".kpis").split())

    page.goto(url + "/settings")
    page.fill("#confirm", "DELETE")
    page.get_by_role("button", name="Delete all my data").click()
    page.wait_for_selector(".flash")
    assert "All your data was deleted" in page.inner_text(".flash")
    _shoot(page, out, "after-delete")

    # straight away, same browser, same server: every page works and shows a fresh start
    for path in ("/progress", "/today", "/plan", "/runs", "/settings"):
        response = page.goto(url + path)
        assert response is not None, path
        assert response.status == 200, path
        assert "went wrong" not in page.inner_text("main"), path
    # the questionnaire again, to its last page ("What you have tried") and the result
    answer_questions(page, url, ctx, TYPICAL)
    assert "went wrong" not in page.inner_text("main")
    assert "Plantar fasciitis" in page.inner_text("main")
    page.goto(url + "/start/extras")
    page.get_by_role("button", name="Make my plan").click()
    page.wait_for_url("**/plan")
    assert "week 1" in page.inner_text("main")
    response = page.goto(url + "/progress")
    assert response is not None
    assert response.status == 200
    kpis = " ".join(page.inner_text(".kpis").split())
    assert "0 check-ins" in kpis, kpis
    _shoot(page, out, "progress-after-start-again")
    page.close()
