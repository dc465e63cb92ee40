"""In a real Chromium: the red-flag result, its summary printed for a clinician, and Today after it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from heelcoach.config import Settings
from heelcoach.services.context import AppContext
from tests.web.answers import RED_FLAG
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


def test_red_flag_summary_prints_without_the_menu(
    browser: Any, live: tuple[str, AppContext], tmp_path: Path
) -> None:
    url, ctx = live
    out = shots_dir(tmp_path / "shots")
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(20_000)
    answer_questions(page, url, ctx, {**RED_FLAG, "first_step_pain": 8, "worst_pain": 9})
    for name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(out / f"start-result-red-flag-{name}.png"), full_page=True)
    page.get_by_role("link", name="Print or save this summary for a clinician").click()
    page.wait_for_url("**/start/summary")
    assert page.get_by_role("button", name="Print or save as PDF").is_visible()
    for name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(out / f"start-summary-{name}.png"), full_page=True)
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert not page.get_by_role("button", name="Print or save as PDF").is_visible()
    assert page.locator("#summary").is_visible()
    pdf = out / "start-summary.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.read_bytes().startswith(b"%PDF")
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    for path in ("/today", "/plan"):
        page.goto(url + path)
        assert "See a clinician first" in page.inner_text("main"), path
        page.screenshot(path=str(out / f"{path.strip('/')}-red-flag-phone.png"), full_page=True)
    page.close()
