"""The condition plans (insertional Achilles, heel fat pad) take the engine's driver-targeted work
(hip and knee control, foot, load) unless the condition's avoid rules bar it: nothing that drops
the heel below the floor for the Achilles, no jumping for a sore fat pad, in the first plan and in
every later phase."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from heelcoach.domain import screen as screen_mod
from heelcoach.domain.condition_plans import build_plan
from heelcoach.domain.drivers import infer_drivers, intake_evidence
from heelcoach.domain.intake import validate_answers
from heelcoach.domain.phases import adapt_items
from heelcoach.domain.plan import Plan, PlanInput
from heelcoach.domain.triage import triage
from heelcoach.domain.types import LoadSnapshot
from heelcoach.knowledge import load_catalogue
from tests.domain.plan_helpers import START
from tests.domain.test_triage_condition_plans import DROP
from tests.domain.test_triage_vignettes import BASE
from tests.domain.test_triage_vignettes_v3 import ACHILLES, FAT_PAD

CATALOGUE = load_catalogue()
POWER = set(CATALOGUE.plan.selection.power)
#: poor single-leg squat (hip and knee control) and a short side plank (hip control)
POOR_CONTROL = [
    screen_mod.SelfTestResult("single_leg_squat_quality_test", 3, "both"),
    screen_mod.SelfTestResult("side_plank_hold_test", 15, "both"),
]


def _plan(condition: dict[str, Any], load: LoadSnapshot | None = None) -> Plan:
    answers = validate_answers({**BASE, **condition}, CATALOGUE.triage)
    result = triage(answers, CATALOGUE)
    evidence = [
        *intake_evidence(answers, CATALOGUE),
        *screen_mod.screen(POOR_CONTROL, CATALOGUE).evidence,
    ]
    drivers = infer_drivers(tuple(evidence), CATALOGUE)
    assert {d.id for d in drivers if d.active} >= {"hip_control", "knee_control"}
    plan = build_plan(PlanInput(answers, result, drivers, load, START), CATALOGUE)
    assert plan.items[0].id.startswith("treats_")
    return plan


def _exercise_ids(plan: Plan) -> set[str]:
    return {i.ref_id for i in plan.items if i.kind == "exercise"}


@pytest.mark.parametrize("condition", [ACHILLES, FAT_PAD], ids=["achilles", "fat_pad"])
def test_the_runners_hip_and_knee_drivers_get_their_exercises(condition: dict[str, Any]) -> None:
    plan = _plan(condition)
    hip = set(CATALOGUE.plan.selection.per_driver["hip_control"])
    ids = _exercise_ids(plan)
    assert ids & hip
    driven = [i for i in plan.items if i.kind == "exercise" and "hip_control" in i.drivers]
    assert driven
    assert all(i.why for i in driven)
    foot = CATALOGUE.plan.selection.foot_intrinsics[0]
    assert foot in ids


def test_no_driver_exercise_drops_the_heel_below_the_floor_for_the_achilles() -> None:
    plan = _plan(ACHILLES)
    ids = _exercise_ids(plan)
    barred = CATALOGUE.triage.barred_exercises({"no_step_drops"})
    assert "step_down" in barred  # a knee-control exercise off a step
    assert not ids & set(barred)
    for ref in ids:
        ex = CATALOGUE.exercises[ref]
        assert "step" not in ex.equipment, ref
        for level in ex.levels:
            for line in level.instructions:
                assert not DROP.search(line), (ref, line)


def test_a_jump_in_load_counts_the_week_from_the_chronic_load() -> None:
    calm = _plan(FAT_PAD)
    spike = LoadSnapshot(
        as_of=START,
        weekly_run_km=60.0,
        chronic_weekly_run_km=20.0,
        longest_run_30d_km=10.0,
        runs_last_7d=4,
        spike_band="30_100",
        spike_run_km=18.0,
    )
    spiked = _plan(FAT_PAD, spike)
    assert calm.run.weekly_km_cap is not None
    assert spiked.run.weekly_km_cap is not None
    assert spiked.run.weekly_km_cap < calm.run.weekly_km_cap
    assert "recent jump in running load" in spiked.run.why


def _return_phase(plan: Plan) -> set[str]:
    fitted = adapt_items(
        list(plan.items),
        list(plan.excluded),
        "return",
        "low",
        CATALOGUE.plan,
        CATALOGUE,
        True,
        date(2027, 1, 4),
    )
    return {i.ref_id for i in fitted.items if i.kind == "exercise"}


def test_the_return_phase_brings_no_jumping_into_a_fat_pad_plan() -> None:
    ids = _return_phase(_plan(FAT_PAD))
    assert not ids & POWER


def test_the_return_phase_brings_floor_level_power_work_into_an_achilles_plan() -> None:
    ids = _return_phase(_plan(ACHILLES))
    assert ids & POWER  # springy work on flat ground, allowed once the heel raise is easy
    for ref in ids:
        assert "step" not in CATALOGUE.exercises[ref].equipment, ref
