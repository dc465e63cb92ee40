"""Issue 12, item 6: a session fits the minutes the runner gives it, the daily grade-A stretches
included (they used to come on top: a 30-minute runner's Monday took about 33 minutes), and the
plan says how long each day's session is."""

from __future__ import annotations

from datetime import timedelta

import pytest

from heelcoach.domain.plan import WEEKDAYS
from heelcoach.domain.session_time import day_minutes, item_minutes
from tests.domain.plan_helpers import START, excluded, make_plan
from tests.domain.test_equipment_and_time import HIP_WEAK, STEP_ONLY


@pytest.mark.parametrize("budget", [5, 10, 20, 30, 45])
@pytest.mark.parametrize("profile", [{}, {"tests": HIP_WEAK, "equipment": STEP_ONLY}])
def test_the_daily_stretches_count_against_the_session_time(catalogue, budget: int, profile: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    plan = make_plan(catalogue, minutes_per_session=budget, **profile)
    timing = catalogue.plan.selection.session_time
    per_day = {d: day_minutes(plan.items, d, timing) for d in WEEKDAYS}  # nothing left outside
    assert all(m <= budget for m in per_day.values()), per_day


def test_a_stretch_that_does_not_fit_is_left_out_with_the_reason(catalogue) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(catalogue, minutes_per_session=5)
    stretches = catalogue.plan.selection.stretches
    kept = {i.ref_id for i in plan.items}
    reasons = excluded(plan)
    assert set(stretches) - kept, "5 minutes do not hold both stretches"
    for ref in set(stretches) - kept:
        assert "5-minute sessions" in reasons[ref]
        assert "heel raise comes first" in reasons[ref]


def test_a_roomy_session_still_has_both_stretches_every_day(catalogue) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(catalogue, minutes_per_session=45)
    for ref in catalogue.plan.selection.stretches:
        item = next(i for i in plan.items if i.ref_id == ref)
        assert item.days == WEEKDAYS


def test_session_minutes_of_a_day_of_the_plan(catalogue) -> None:  # type: ignore[no-untyped-def]
    from heelcoach.domain.session_time import session_minutes

    plan = make_plan(catalogue, minutes_per_session=30)
    rules = catalogue.plan
    timing = rules.selection.session_time
    for k in range(7):
        day = START + timedelta(days=k)
        weekday = WEEKDAYS[day.weekday()]
        expected = sum(
            item_minutes(i.dose, timing)
            for i in plan.items
            if i.kind in ("exercise", "adjunct") and weekday in i.days
        )
        assert session_minutes(plan, day, rules) == max(1, round(expected))
        assert session_minutes(plan, weekday, rules) == session_minutes(plan, day, rules)
        assert session_minutes(plan, day, rules) <= 30
    monday = session_minutes(plan, "mon", rules)
    tuesday = session_minutes(plan, "tue", rules)
    assert monday > tuesday > 0  # strength days are longer; the daily stretches take a few minutes


def test_a_paused_plan_has_no_session_minutes(catalogue) -> None:  # type: ignore[no-untyped-def]
    from heelcoach.domain.session_time import session_minutes

    plan = make_plan(catalogue, can_bear_weight=False)
    assert plan.stops_loading
    assert all(session_minutes(plan, d, catalogue.plan) == 0 for d in WEEKDAYS)


def test_session_minutes_names_a_wrong_day(catalogue) -> None:  # type: ignore[no-untyped-def]
    from heelcoach.domain.session_time import session_minutes
    from heelcoach.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="mon, tue"):
        session_minutes(make_plan(catalogue), "monday", catalogue.plan)
