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


@pytest.mark.parametrize("budget", [15, 20, 25, 30])
@pytest.mark.parametrize("settle", [False, True])
def test_each_weekly_review_keeps_the_week_in_the_session_time(catalogue, budget: int, settle: bool) -> None:  # type: ignore[no-untyped-def]
    """Eleven good weeks: levels go up and a new phase swaps in the heavy heel raise, yet each
    reviewed week stays within the runner's minutes (only the core heel raise and the daily
    stretches may take a day past them), and what is held or left out says why."""
    from heelcoach.domain.progression import weekly_review
    from tests.domain.test_progression import _week

    pain = {"first_step_pain": 8, "worst_pain": 8, "pain_during_run": 6} if settle else {}
    plan = make_plan(catalogue, minutes_per_session=budget, **pain)
    assert plan.session_minutes == budget
    sel = catalogue.plan.selection
    core = {*sel.calf, *sel.stretches}
    timing = sel.session_time
    held = 0
    for week in range(1, 12):
        today = START + timedelta(days=7 * week - 1)
        review = weekly_review(plan, _week(plan, today, first=1, worst=1, run_pain=0), catalogue, today)
        new = review.new_plan
        for d in WEEKDAYS:
            if day_minutes(new.items, d, timing) > budget:
                on_day = [i.ref_id for i in new.items if i.kind in ("exercise", "adjunct") and d in i.days]
                assert set(on_day) <= core, (week, d, on_day)
        held += sum(1 for x in review.decisions if x.rule_id == "session_time_full")
        for x in review.decisions:
            if x.rule_id == "session_time_full":
                assert f"past {budget} minutes" in x.reason
        plan = new
    if budget <= 25:
        assert held, "a short session must hold some exercise at its level"


def test_without_a_time_limit_nothing_is_held_for_time(catalogue) -> None:  # type: ignore[no-untyped-def]
    from heelcoach.domain.progression import weekly_review
    from tests.domain.test_progression import _week

    plan = make_plan(catalogue, minutes_per_session=0)
    assert plan.session_minutes is None
    for week in range(1, 6):
        today = START + timedelta(days=7 * week - 1)
        review = weekly_review(plan, _week(plan, today, first=1, worst=1, run_pain=0), catalogue, today)
        assert all(x.rule_id != "session_time_full" for x in review.decisions)
        plan = review.new_plan


def test_a_plan_stored_before_the_session_minutes_keeps_working(catalogue) -> None:  # type: ignore[no-untyped-def]
    from heelcoach.domain.plan import plan_from_dict, plan_to_dict

    stored = plan_to_dict(make_plan(catalogue, minutes_per_session=20))
    assert plan_from_dict(stored).session_minutes == 20
    del stored["session_minutes"]
    assert plan_from_dict(stored).session_minutes is None
