"""Issue 12, item 6: the plan respects the runner's equipment and fits each day into the minutes
they give a session (estimated from the doses), saying what was left out and why."""

from __future__ import annotations

from datetime import timedelta

import pytest

from heelcoach.domain.plan import WEEKDAYS, Plan, levels_within_equipment
from heelcoach.domain.progression import CheckIn, weekly_review
from heelcoach.domain.screen import SelfTestResult
from heelcoach.domain.session_time import day_minutes, item_minutes
from tests.domain.plan_helpers import START, excluded, make_plan

STEP_ONLY = ["step"]
KIT = ["massage_ball", "foam_roller", "frozen_bottle", "tape", "night_splint", "step"]
HIP_WEAK = (SelfTestResult("side_plank_hold_test", 20, "left"),)


def _good_week(plan: Plan, end) -> list[CheckIn]:  # type: ignore[no-untyped-def]
    done = tuple(i.id for i in plan.items if i.kind == "exercise")
    return [
        CheckIn(
            day=end - timedelta(days=6 - k),
            first_step_pain=0,
            worst_pain=0,
            next_morning_worse=False,
            done_items=done,
        )
        for k in range(7)
    ]


def _levels_ok(plan: Plan, catalogue, owned: set[str]) -> list[str]:  # type: ignore[no-untyped-def]
    bad = []
    for item in plan.items:
        ex = catalogue.exercises.get(item.ref_id) if item.kind == "exercise" else None
        if ex is not None and not set(ex.levels[(item.level or 1) - 1].needs) <= owned:
            bad.append(f"{item.ref_id} level {item.level} needs {ex.levels[(item.level or 1) - 1].needs}")
    return bad


def _twelve_good_weeks(catalogue, equipment: list[str]) -> tuple[list[Plan], list[str]]:  # type: ignore[no-untyped-def]
    plan = make_plan(catalogue, equipment=equipment, minutes_per_session=90, tests=HIP_WEAK)
    plans, reasons = [plan], []
    for week in range(1, 13):
        end = START + timedelta(days=7 * week - 1)
        review = weekly_review(plan, _good_week(plan, end), catalogue, end + timedelta(days=1))
        plan = review.new_plan
        plans.append(plan)
        reasons += [d.reason for d in review.decisions]
    return plans, reasons


def test_a_runner_with_only_a_step_never_gets_a_band_level(catalogue) -> None:  # type: ignore[no-untyped-def]
    plans, reasons = _twelve_good_weeks(catalogue, STEP_ONLY)
    first = plans[0]
    hip = next(i for i in first.items if i.ref_id == "side_lying_hip_abduction")
    hip_ex = catalogue.exercises["side_lying_hip_abduction"]
    assert hip.max_level == levels_within_equipment(hip_ex, STEP_ONLY) == 1
    assert "stays at level 1 without a resistance band" in hip.why
    for plan in plans:
        assert _levels_ok(plan, catalogue, set(STEP_ONLY)) == [], plan.version
    assert any("Top level with the equipment you have" in r for r in reasons)
    # ankle work with a band: only ever with the towel standing in for it
    for plan in plans:
        for item in plan.items:
            if item.ref_id == "ankle_4way_band":
                assert "towel" in item.dose.get("note", "")


def test_with_a_band_the_same_runner_moves_up(catalogue) -> None:  # type: ignore[no-untyped-def]
    plans, _ = _twelve_good_weeks(catalogue, [*STEP_ONLY, "resistance_band"])
    levels = {i.level for p in plans for i in p.items if i.ref_id == "side_lying_hip_abduction"}
    assert max(levels) >= 2  # the cap above is the equipment's, not the review's pace
    assert all(i.max_level is None for p in plans for i in p.items if i.ref_id == "side_lying_hip_abduction")


def test_an_exercise_whose_first_level_needs_what_is_missing_is_left_out(catalogue) -> None:  # type: ignore[no-untyped-def]
    clamshell = catalogue.exercises["clamshell"]
    assert levels_within_equipment(clamshell, []) == 1
    assert levels_within_equipment(clamshell, ["resistance_band"]) == len(clamshell.levels)


def test_the_estimate_follows_the_dose_and_the_knowledge_numbers(catalogue) -> None:  # type: ignore[no-untyped-def]
    timing = catalogue.plan.selection.session_time
    tempo = {"sets": 3, "reps": 12, "tempo": "3-2-3", "per_side": True}
    plain = {"sets": 3, "reps": 12, "per_side": True}
    assert item_minutes(tempo, timing) > item_minutes(plain, timing)
    expected = (3 * 12 * 8 * 2 + 2 * timing.rest_between_sets_s + timing.setup_s) / 60
    assert item_minutes(tempo, timing) == pytest.approx(expected)
    hold = {"reps": 10, "hold_s": 10, "per_side": True, "times_per_day": 3}
    assert item_minutes(hold, timing) == pytest.approx(
        (10 * (timing.seconds_per_rep + 10) * 2 + timing.setup_s) / 60
    )
    assert item_minutes({"minutes": 1.5, "per_side": True}, timing) == pytest.approx(
        (180 + timing.setup_s) / 60
    )
    assert item_minutes({"days_per_week": 7}, timing) == 0.0  # worn overnight, no session time


@pytest.mark.parametrize("budget", [10, 15, 20, 25, 30, 45, 60, 90])
@pytest.mark.parametrize(
    "profile",
    [
        {},
        {"equipment": STEP_ONLY},
        {"equipment": KIT, "tried": ["massage", "ice"], "first_step_pain": 6},
        {"first_step_pain": 8, "worst_pain": 8},
        {"first_step_pain": 2, "worst_pain": 2, "symptom_duration_weeks": 20},
    ],
)
def test_every_day_fits_the_session_length(catalogue, budget: int, profile: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    plan = make_plan(catalogue, minutes_per_session=budget, tests=HIP_WEAK, **profile)
    timing = catalogue.plan.selection.session_time
    stretches = catalogue.plan.selection.stretches  # daily, across the day: not in the session
    per_day = {d: day_minutes(plan.items, d, timing, stretches) for d in WEEKDAYS}
    assert all(m <= budget for m in per_day.values()), per_day
    roomy = make_plan(catalogue, minutes_per_session=180, tests=HIP_WEAK, **profile)
    timed = ("exercise", "adjunct")
    left_out = {i.ref_id for i in roomy.items if i.kind in timed} - {i.ref_id for i in plan.items}
    reasons = excluded(plan)
    for ref in left_out:  # whatever the shorter session dropped, the plan says so and why
        assert f"{budget}-minute sessions" in reasons[ref] or "passive tools" in reasons[ref], ref


def test_a_short_session_keeps_the_heel_raise_and_the_drivers_work_first(catalogue) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(catalogue, minutes_per_session=25, tests=HIP_WEAK, equipment=STEP_ONLY)
    kept = {i.ref_id for i in plan.items if i.kind == "exercise"}
    assert "rathleff_high_load_heel_raise" in kept
    assert set(catalogue.plan.selection.stretches) <= kept  # grade A, daily: right after the heel raise
    assert "side_lying_hip_abduction" in kept  # the weak hip (side plank) is a driver: before the rest
    reasons = excluded(plan)
    assert "25-minute sessions" in reasons["short_foot"]  # no active driver: after the hip work
    dropped = [r for r in reasons.values() if "25-minute sessions" in r]
    assert all("come first" in r for r in dropped)
    short = make_plan(catalogue, minutes_per_session=10)
    assert "core of the plan" in excluded(short)["rathleff_high_load_heel_raise"]
