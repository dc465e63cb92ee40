"""Every page a runner sees, rendered for real, is free of internal ids and seed mentions."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from heelcoach.services.context import AppContext
from tests.knowledge.test_readable_texts import all_ids, leaks
from tests.web.answers import RED_FLAG
from tests.web.conftest import _test_client_class, answer_all, csrf_of

PAGES = [
    "/",
    "/start/result",
    "/start/summary",
    "/start/tests",
    "/start/extras",
    "/today",
    "/plan",
    "/progress",
    "/progress/outcome",
    "/runs",
    "/gait",
    "/learn",
    "/learn/massage",
    "/learn/habits",
    "/settings",
    "/see-a-clinician",
]


def visible_text(page: str) -> str:
    """What a person reads or hears: the text outside tags, plus title and alt attributes."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    shown = re.findall(r'\s(?:title|alt|aria-label)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    return html_lib.unescape(" ".join([text, *shown]))


def _pages(web_ctx: AppContext) -> list[str]:
    topics = [f"/learn/{t}" for t in web_ctx.catalogue.education]
    return PAGES + topics


def _check(client: Any, web_ctx: AppContext) -> list[str]:
    ids = all_ids(web_ctx.catalogue)
    bad = []
    for path in _pages(web_ctx):
        response = client.get(path)
        assert response.status_code == 200, path
        found = leaks(visible_text(response.text), ids)
        if found:
            bad.append(f"{path}: {sorted(set(found))}")
    return bad


def test_no_ids_on_any_page_of_a_runner_a_week_in(
    onboarded: Any, clock: Callable[[date], None], web_ctx: AppContext
) -> None:
    today = date.today()
    done = [i["id"] for i in onboarded.get("/api/plan").json()["plan"]["items"] if i["kind"] == "exercise"]
    for back in range(6, -1, -1):
        day = (today - timedelta(days=back)).isoformat()
        entry = {"day": day, "first_step_pain": 2, "worst_pain": 2, "done_items": done}
        saved = onboarded.post("/api/checkins", json=entry)
        assert saved.status_code in (200, 201), saved.text
    clock(today + timedelta(days=7))
    review = onboarded.post("/plan/review", data={"csrf_token": csrf_of(onboarded)})
    assert "Your week was reviewed" in review.text
    bad = _check(onboarded, web_ctx)
    assert not bad, "\n".join(bad)


@pytest.fixture
def red_flag_client(app: Any, web_ctx: AppContext) -> Any:
    with _test_client_class()(app, raise_server_exceptions=False) as c:
        answer_all(c, web_ctx.catalogue, {**RED_FLAG, "tried": ["rolling", "massage"], "past_episodes": 2})
        yield c


def test_no_ids_on_any_page_of_a_runner_told_to_see_a_clinician(
    red_flag_client: Any, web_ctx: AppContext
) -> None:
    bad = _check(red_flag_client, web_ctx)
    assert not bad, "\n".join(bad)


def test_the_check_catches_an_id(web_ctx: AppContext) -> None:
    page = '<p title="seed_000_momentum">Clinical reasoning (seed 000) <em>side_plank</em></p>'
    found = leaks(visible_text(page), all_ids(web_ctx.catalogue))
    assert "side_plank" in found
    assert "seed" in [f.lower() for f in found]
