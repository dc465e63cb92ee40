"""The plan as text (``heelcoach plan``) names its sources by author and year, never by id."""

from __future__ import annotations

from heelcoach.knowledge import Catalogue
from heelcoach.text.plan_text import format_plan_text
from tests.domain.plan_helpers import make_plan
from tests.knowledge.test_readable_texts import all_ids, leaks


def test_plan_text_shows_authors_not_ids(catalogue: Catalogue) -> None:
    plan = make_plan(catalogue, tried=["rolling", "massage"], past_episodes=2)
    text = format_plan_text(plan, catalogue)
    assert not leaks(text, all_ids(catalogue))
    assert "Rathleff et al. 2015" in text or "Koc et al. 2023" in text
