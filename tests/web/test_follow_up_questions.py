"""Where the numbness is: asked on the web form only when numbness is reported (shown and hidden
in a real Chromium as the answer changes; without scripts the server drops the answer when the
question it follows says no)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from heelcoach.config import Settings
from heelcoach.services import people
from heelcoach.services.context import AppContext
from heelcoach.services.intake import latest_intake
from tests.web.answers import TYPICAL
from tests.web.browser import DESKTOP, PHONE, chromium, serve, shots_dir
from tests.web.conftest import answer_all


def test_the_location_is_marked_as_a_follow_up_and_dropped_when_there_is_no_numbness(
    client: Any, web_ctx: AppContext
) -> None:
    page = client.get("/start/q/warning_signs").text
    field = page.split('id="field-numbness_where"', 1)[1].split(">", 1)[0]
    assert 'data-ask-if="q_numbness_tingling_burning"' in field
    assert 'data-ask-if-value="yes"' in field
    answer_all(
        client,
        web_ctx.catalogue,
        {**TYPICAL, "numbness_tingling_burning": False, "numbness_where": ["both_feet"]},
    )
    person = people.resolve_person(web_ctx, None)
    intake = latest_intake(web_ctx, person.id)
    assert intake is not None
    assert intake.answers.get("numbness_where") in (None, [])


def test_the_location_is_kept_when_numbness_is_reported(client: Any, web_ctx: AppContext) -> None:
    answer_all(
        client,
        web_ctx.catalogue,
        {**TYPICAL, "numbness_tingling_burning": True, "numbness_where": ["both_feet"]},
    )
    person = people.resolve_person(web_ctx, None)
    intake = latest_intake(web_ctx, person.id)
    assert intake is not None
    assert intake.answers["numbness_where"] == ["both_feet"]


@pytest.fixture
def live(tmp_path: Path) -> Iterator[str]:
    from heelcoach.web.app import create_app

    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None))
    with serve(create_app(ctx)) as url:
        yield url
    ctx.close()


@pytest.mark.browser
@pytest.mark.slow
def test_the_location_appears_only_after_a_yes(live: str, tmp_path: Path) -> None:
    folder = shots_dir(tmp_path / "shots")
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        page.set_default_timeout(20_000)
        page.goto(live + "/start/q/warning_signs")
        where = page.locator("#field-numbness_where")
        assert where.is_hidden()
        page.check('input[name="q_numbness_tingling_burning"][value="yes"]')
        assert where.is_visible()
        page.locator("#field-numbness_where").scroll_into_view_if_needed()
        for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            page.locator("#field-numbness_tingling_burning").screenshot(
                path=str(folder / f"numbness-yes-{label}-a.png")
            )
            where.screenshot(path=str(folder / f"numbness-yes-{label}-b.png"))
        page.check('input[name="q_numbness_tingling_burning"][value="no"]')
        assert where.is_hidden()
        page.close()
