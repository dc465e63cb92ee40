"""A race date already past is refused where new answers come in (issue 12), not silently kept."""

from __future__ import annotations

from datetime import date

import pytest

from heelcoach.domain.intake import IntakeError, validate_answers
from tests.domain.test_triage_vignettes import BASE


def test_a_past_race_date_is_refused_with_today(catalogue) -> None:  # type: ignore[no-untyped-def]
    answers = {**BASE, "running_goal": "race", "race_date": "2026-04-19"}
    with pytest.raises(IntakeError) as info:
        validate_answers(answers, catalogue.triage, date(2026, 12, 5))
    (problem,) = info.value.problems
    assert problem.question_id == "race_date"
    assert "2026-04-19 has already passed" in problem.message()


def test_a_coming_race_or_stored_answers_are_accepted(catalogue) -> None:  # type: ignore[no-untyped-def]
    answers = {**BASE, "running_goal": "race", "race_date": "2026-12-05"}
    assert validate_answers(answers, catalogue.triage, date(2026, 12, 5))["race_date"] == date(2026, 12, 5)
    # stored answers are re-read without a day: a race that has passed since does not break them
    old = {**answers, "race_date": "2020-01-01"}
    assert validate_answers(old, catalogue.triage)["race_date"] == date(2020, 1, 1)
