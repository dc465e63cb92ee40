"""The running cap over random but plausible check-in histories (Hypothesis, issue 12):

- it never exceeds the phase's share of the runner's usual week;
- it never falls below half of what the runner ran the week before, unless pain went above the
  acceptable level that week (then the phase share still bounds it);
- a single flare costs one step, and two pain-free weeks bring the load back.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heelcoach.domain.checkin import week_facts
from heelcoach.domain.plan import Plan
from heelcoach.domain.progression import CheckIn, weekly_review
from heelcoach.knowledge import load_catalogue
from tests.domain.plan_helpers import START, make_plan

CAT = load_catalogue()
RULES = CAT.plan
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

day_st = st.fixed_dictionaries(
    {
        "first": st.integers(0, 7),
        "worst": st.integers(0, 7),
        "km": st.one_of(st.none(), st.floats(1.0, 25.0)),
        "during": st.integers(0, 7),
        "after": st.integers(0, 7),
        "worse": st.booleans(),
        "done": st.booleans(),
    }
)
week_st = st.lists(day_st, min_size=4, max_size=7)


def _checkins(plan: Plan, week_no: int, days: list[dict[str, Any]]) -> list[CheckIn]:
    out = []
    ids = tuple(i.id for i in plan.items if i.kind == "exercise")
    for k, d in enumerate(days):
        ran = d["km"] is not None
        out.append(
            CheckIn(
                day=START + timedelta(days=7 * week_no + k),
                first_step_pain=d["first"],
                worst_pain=d["worst"],
                run_pain_during=d["during"] if ran else None,
                run_pain_after=d["after"] if ran else None,
                next_morning_worse=d["worse"],
                done_items=ids if d["done"] else (),
                run_km=round(d["km"], 1) if ran else None,
                run_minutes=None,
            )
        )
    return out


def _ceiling(plan: Plan) -> float | None:
    usual = plan.run.usual_weekly_km
    if plan.run.mode != "continuous" or not usual:
        return None
    return round(usual * RULES.phase(plan.phase).run_volume_pct / 100, 1)


@SETTINGS
@given(st.lists(week_st, min_size=2, max_size=8))
def test_the_cap_stays_within_the_phase_share_and_follows_what_was_run(
    weeks: list[list[dict[str, Any]]],
) -> None:
    plan = make_plan(CAT)
    assert plan.run.mode == "continuous"
    history: list[CheckIn] = []
    for n, days in enumerate(weeks):
        history += _checkins(plan, n, days)
        today = START + timedelta(days=7 * n + 6)
        new = weekly_review(plan, history, CAT, today).new_plan
        cap = new.run.weekly_km_cap
        ceiling = _ceiling(new)
        if ceiling is not None and cap is not None:
            assert cap <= ceiling + 0.05, (cap, ceiling, new.phase)
        week = week_facts(history, today - timedelta(days=6), today, RULES)
        if new.run.mode == "continuous" and plan.run.mode == "continuous" and not week.over_acceptable():
            assert cap is not None
            floor = 0.5 * week.run_km
            assert cap >= min(ceiling if ceiling is not None else floor, floor) - 0.05, (cap, week.run_km)
        assert (new.run.max_single_run_km or 0) <= (cap or 0) + 0.05 or new.run.mode != "continuous"
        plan = new


@SETTINGS
@given(st.floats(8.0, 24.0), st.integers(6, 8))
def test_one_flare_costs_one_step_and_two_pain_free_weeks_bring_it_back(
    ran_km: float, after_pain: int
) -> None:
    plan = make_plan(CAT)
    ran_km = round(ran_km, 1)
    history: list[CheckIn] = []

    def week(n: int, km: float, during: int, after: int, first: int) -> list[CheckIn]:
        per_run = round(km / 3, 1)
        ids = tuple(i.id for i in plan.items if i.kind == "exercise")
        return [
            CheckIn(
                day=START + timedelta(days=7 * n + k),
                first_step_pain=first,
                worst_pain=min(during, 2),
                run_pain_during=during if k in (1, 3, 5) else None,
                run_pain_after=after if k in (1, 3, 5) else None,
                next_morning_worse=False,
                done_items=ids,
                run_km=per_run if k in (1, 3, 5) else None,
                run_minutes=None,
            )
            for k in range(7)
        ]

    plans = [plan]
    for n, (km, during, after) in enumerate(
        [(ran_km, 1, 1), (ran_km, 4, after_pain), (ran_km * 0.7, 0, 0), (ran_km * 0.7, 0, 0)]
    ):
        history += week(n, km, during, after, 1)
        plan = weekly_review(plan, history, CAT, START + timedelta(days=7 * n + 6)).new_plan
        plans.append(plan)
    tolerated = plans[1].run.tolerated_weekly_km
    assert tolerated is not None
    stepped = plans[2].run.weekly_km_cap or 0
    share = RULES.flare_response.step_back_pct / 100
    assert stepped >= round(tolerated * (1 - share), 1) - 0.05  # at most one step
    assert stepped < tolerated
    assert plans[2].phase == plans[1].phase
    ceiling = _ceiling(plans[4])
    back = plans[4].run.weekly_km_cap or 0
    assert back >= min(tolerated, ceiling or tolerated) - 0.05  # back within two pain-free weeks
