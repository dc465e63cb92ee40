"""Intake validation: every bad answer is reported with its question id, the value and what is expected."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest

from heelcoach.domain.intake import (
    MISSING,
    IntakeError,
    expected_text,
    format_answer,
    parse_text_answer,
    validate_answers,
)
from tests.domain.test_triage_vignettes import BASE


def _problems(catalogue, answers: dict[str, Any]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(IntakeError) as info:
        validate_answers(answers, catalogue.triage)
    return {p.question_id: p.message() for p in info.value.problems}


def test_base_answers_are_valid(catalogue) -> None:  # type: ignore[no-untyped-def]
    clean = validate_answers(BASE, catalogue.triage)
    assert clean["age_years"] == 38
    assert "race_date" not in clean


def test_every_question_id_of_the_contract_exists(catalogue) -> None:  # type: ignore[no-untyped-def]
    ids = {q.id for q in catalogue.triage.questions}
    assert set(BASE) <= ids
    # beyond the shared contract: only optional questions (v2 added the same-day numbness question,
    # v3 the place of the numbness)
    extra = ids - set(BASE)
    assert extra == {"race_date", "numbness_or_weakness_worsening_fast", "numbness_where"}
    assert not any(catalogue.triage.question(q).required for q in extra)
    assert catalogue.triage.version == 3  # v3 added the issue-14 warning signs and painful_side
    added = {q.id for q in catalogue.triage.questions if q.added_in == 3}
    assert "painful_side" in added
    assert "puncture_wound" in added
    assert all(catalogue.triage.question(q).added_in <= catalogue.triage.version for q in ids)


def test_unknown_id_is_named_with_a_suggestion(catalogue) -> None:  # type: ignore[no-untyped-def]
    problems = _problems(catalogue, {**BASE, "age_year": 40})
    assert "age_year" in problems
    assert "not a question" in problems["age_year"]
    assert "did you mean 'age_years'?" in problems["age_year"]
    assert "40" in problems["age_year"]


@pytest.mark.parametrize(
    ("qid", "value", "expected_words"),
    [
        ("age_years", "thirty", "whole number from 6 to 100"),
        ("age_years", True, "whole number"),
        ("age_years", 38.5, "whole number"),
        ("age_years", 200, "from 6 to 100"),
        ("days_available_per_week", 0, "from 1 to 7"),
        ("weight_kg", math.nan, "a number from 25 to 250"),
        ("first_step_pain", 11, "0 to 10"),
        ("first_step_pain", -1, "0 to 10"),
        ("first_step_pain", "6", "0 to 10"),
        ("limping", "yes", "yes or no"),
        ("limping", 1, "yes or no"),
        ("onset", "slowly", "gradual"),
        ("onset", ["gradual"], "one of"),
        ("pain_location", "inner_heel_bottom", "a list"),
        ("pain_location", ["inner_heel_bottom", "toes"], "a list"),
        ("race_date", "next spring", "YYYY-MM-DD"),
        ("race_date", 2026, "YYYY-MM-DD"),
    ],
)
def test_wrong_type_or_range_names_field_value_and_expectation(catalogue, qid, value, expected_words) -> None:  # type: ignore[no-untyped-def]
    problems = _problems(catalogue, {**BASE, qid: value})
    assert list(problems) == [qid]
    message = problems[qid]
    assert message.startswith(f"{qid}: got ")
    assert repr(value)[:20] in message or str(value) in message
    assert expected_words in message


def test_missing_required_is_reported(catalogue) -> None:  # type: ignore[no-untyped-def]
    answers = {k: v for k, v in BASE.items() if k not in ("onset", "tried")}
    problems = _problems(catalogue, answers)
    assert set(problems) == {"onset", "tried"}
    assert MISSING in problems["onset"]
    assert "required" in problems["onset"]
    assert "after_training_increase" in problems["onset"]


def test_every_problem_is_listed_at_once(catalogue) -> None:  # type: ignore[no-untyped-def]
    answers = {**BASE, "age_years": -3, "limping": "no", "favourite_colour": "red"}
    del answers["windlass_test"]
    with pytest.raises(IntakeError) as info:
        validate_answers(answers, catalogue.triage)
    ids = [p.question_id for p in info.value.problems]
    assert sorted(ids) == sorted(["age_years", "limping", "favourite_colour", "windlass_test"])
    text = str(info.value)
    assert all(i in text for i in ids)


def test_yaml_yes_no_for_a_yes_no_choice(catalogue) -> None:  # type: ignore[no-untyped-def]
    # YAML 1.1 reads "pregnant: no" as false: accepted as the choice "no".
    assert validate_answers({**BASE, "pregnant": False}, catalogue.triage)["pregnant"] == "no"
    assert validate_answers({**BASE, "pregnant": True}, catalogue.triage)["pregnant"] == "yes"
    assert "windlass_test" in _problems(catalogue, {**BASE, "windlass_test": True})


def test_normalisation(catalogue) -> None:  # type: ignore[no-untyped-def]
    clean = validate_answers(
        {
            **BASE,
            "age_years": 38.0,
            "race_date": "2026-05-01",
            "pain_location": ["arch", "inner_heel_bottom", "arch"],
            "shoe_age_km": None,
            "weight_kg": 70.0,
        },
        catalogue.triage,
    )
    assert clean["age_years"] == 38
    assert isinstance(clean["age_years"], int)
    assert clean["race_date"] == date(2026, 5, 1)
    assert clean["pain_location"] == ["inner_heel_bottom", "arch"]  # questionnaire order, no repeats
    assert "shoe_age_km" not in clean
    assert validate_answers({**BASE, "race_date": date(2026, 5, 1)}, catalogue.triage)["race_date"] == date(
        2026, 5, 1
    )


@pytest.mark.parametrize(
    ("qid", "text", "expected"),
    [
        ("limping", "y", True),
        ("limping", " No ", False),
        ("age_years", "41", 41),
        ("weight_kg", "70.5", 70.5),
        ("first_step_pain", "7", 7),
        ("onset", "2", "after_training_increase"),
        ("onset", "sudden_pop", "sudden_pop"),
        ("pain_location", "1, 4", ["inner_heel_bottom", "arch"]),
        ("pain_location", "arch back_of_heel", ["back_of_heel", "arch"]),
        ("tried", "none", []),
        ("race_date", "2026-04-19", date(2026, 4, 19)),
    ],
)
def test_parse_text_answer(catalogue, qid, text, expected) -> None:  # type: ignore[no-untyped-def]
    assert parse_text_answer(catalogue.triage.question(qid), text) == expected


@pytest.mark.parametrize(
    ("qid", "text"),
    [
        ("limping", "maybe"),
        ("age_years", "4O"),
        ("age_years", "3"),
        ("first_step_pain", "12"),
        ("onset", "9"),
        ("onset", "sudden"),
        ("pain_location", "1, toes"),
        ("pain_location", " , "),
        ("race_date", "19/04/2026"),
    ],
)
def test_parse_text_answer_rejects(catalogue, qid, text) -> None:  # type: ignore[no-untyped-def]
    question = catalogue.triage.question(qid)
    with pytest.raises(IntakeError) as info:
        parse_text_answer(question, text)
    (problem,) = info.value.problems
    assert problem.question_id == qid
    assert problem.expected == expected_text(question)


def test_format_answer() -> None:
    assert format_answer(True) == "yes"
    assert format_answer([]) == "none"
    assert format_answer(["a", "b"]) == "a, b"
    assert format_answer(date(2026, 1, 2)) == "2026-01-02"


def test_check_refs_reports_bad_cross_references(catalogue) -> None:  # type: ignore[no-untyped-def]
    data = catalogue.triage.model_dump()
    assert catalogue.triage.check_refs(set(catalogue.references)) == []
    data["red_flags"][0]["when"] = [
        {"question": "heel_colour", "equals": True},
        {"question": "onset", "equals": "slowly"},
        {"question": "limping", "equals": "yes"},
        {"question": "first_step_pain", "at_least": 12},
        {"question": "pain_location", "includes": "toes"},
    ]
    data["conditions"][0]["toward"][0]["when"] = [{"question": "limping", "includes": "back_of_heel"}]
    problems = "\n".join(type(catalogue.triage).model_validate(data).check_refs(set()))
    for words in (
        "unknown question 'heel_colour'",
        "'onset' has no choice 'slowly'",
        "'limping' is yes/no",
        "at_least 12.0 is outside the range of 'first_step_pain'",
        "'pain_location' has no choice 'toes'",
        "includes needs a multi question; 'limping' is bool",
    ):
        assert words in problems
