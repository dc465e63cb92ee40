"""The same-day answer: each pain-monitoring rule decides the colour it should, red before amber."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from heelcoach.domain.daily import daily_answer
from heelcoach.domain.progression import CheckIn
from heelcoach.knowledge import load_catalogue

RULES = load_catalogue().plan
DAY = date(2026, 12, 7)


def _c(**kw: object) -> CheckIn:
    values: dict[str, object] = {"day": DAY, "first_step_pain": 2, **kw}
    return CheckIn(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("checkin", "before", "colour", "rule"),
    [
        (_c(), None, "green", "within_acceptable"),
        (_c(red_flag_symptoms=("night_pain",)), None, "red", "warning_sign"),
        (_c(first_step_pain=7), None, "red", "severe_morning_pain"),
        (_c(run_km=8.0, run_pain_during=6, next_morning_worse=True), None, "red", "run_too_much_not_settled"),
        (_c(run_km=8.0, run_pain_during=6), None, "amber", "run_pain_above_acceptable"),
        (_c(run_km=8.0, run_pain_after=6), None, "amber", "run_pain_above_acceptable"),
        (_c(run_km=8.0, run_pain_during=5, run_pain_after=5), None, "green", "within_acceptable"),
        (_c(next_morning_worse=True), None, "amber", "not_settled_by_morning"),
        (
            _c(first_step_pain=4),
            _c(day=DAY - timedelta(days=1), first_step_pain=2),
            "amber",
            "morning_pain_rising",
        ),
        (
            _c(first_step_pain=3),
            _c(day=DAY - timedelta(days=1), first_step_pain=2),
            "green",
            "within_acceptable",
        ),
        (_c(first_step_pain=6), None, "amber", "morning_pain_above_acceptable"),
        (_c(first_step_pain=5), None, "green", "within_acceptable"),
    ],
)
def test_each_rule_decides_its_colour(
    checkin: CheckIn, before: CheckIn | None, colour: str, rule: str
) -> None:
    answer = daily_answer(checkin, [before] if before else [], RULES)
    assert (answer.colour, answer.rule_id) == (colour, rule)
    assert answer.because
    assert answer.do
    assert (answer.watch_for != ()) == (colour == "red")


def test_amber_halves_the_run_from_the_data_and_red_stops_it() -> None:
    assert (
        daily_answer(_c(next_morning_worse=True), [], RULES).run_share_pct
        == RULES.daily_answer.amber_run_share_pct
    )
    assert daily_answer(_c(first_step_pain=8), [], RULES).run_share_pct == 0


def test_a_warning_sign_pauses_everything() -> None:
    answer = daily_answer(_c(red_flag_symptoms=("swelling_redness_fever",)), [], RULES)
    assert answer.title == RULES.daily_answer.warning_sign.title
    assert any("clinician" in line for line in answer.do)


def test_only_earlier_checkins_count_as_the_one_before() -> None:
    later = _c(day=DAY + timedelta(days=1), first_step_pain=0)
    assert daily_answer(_c(first_step_pain=3), [later], RULES).colour == "green"


pain = st.integers(0, 10)


@given(
    first=pain,
    during=st.none() | pain,
    after=st.none() | pain,
    worse=st.none() | st.booleans(),
    flags=st.lists(st.sampled_from(["night_pain", "numbness_tingling"]), max_size=2),
)
def test_a_warning_sign_is_always_red_and_green_means_within_the_model(
    first: int, during: int | None, after: int | None, worse: bool | None, flags: list[str]
) -> None:
    ran = 5.0 if during is not None or after is not None else None
    c = _c(
        first_step_pain=first,
        run_pain_during=during,
        run_pain_after=after,
        next_morning_worse=worse,
        run_km=ran,
        red_flag_symptoms=tuple(flags),
    )
    answer = daily_answer(c, [], RULES)
    if flags:
        assert answer.colour == "red"
    if answer.colour == "green":
        pm = RULES.pain_monitoring
        assert first <= pm.during_acceptable_max
        assert (during or 0) <= pm.during_acceptable_max
        assert (after or 0) <= pm.after_max
        assert not worse
