"""Plan text on the daily pages (issue 12, "Plan text"): no 'Why did my plan change?' on the first
version."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import main_text


def test_the_first_version_does_not_ask_why_the_plan_changed(client: Any, onboarded: Any) -> None:
    page = main_text(client.get("/progress").text)
    assert "Why did my plan change?" not in page
    assert "Your plan changes after each weekly review" in page


def test_the_plan_page_of_the_first_version_does_not_ask_either(client: Any, onboarded: Any) -> None:
    page = main_text(client.get("/plan").text)
    assert "Plan version 1" in page
    assert "Why did my plan change?" not in page
