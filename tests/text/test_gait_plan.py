"""What the plan does with a gait finding: named exercises, none yet, a step-rate cue, a paused plan,
no plan."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from heelcoach.config import Settings
from heelcoach.domain.plan import Plan
from heelcoach.services import intake, people, planning
from heelcoach.services.context import AppContext
from heelcoach.text.gait_plan import finding_in_plan
from tests.web.answers import TYPICAL


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    folder: Path = tmp_path_factory.mktemp("gait-plan")
    ctx = AppContext.from_settings(Settings(data_dir=folder, database_url=None))
    try:
        person = people.create_person(ctx, "Gait")
        intake.save_intake(ctx, person.id, TYPICAL)
        planning.make_plan(ctx, person.id, start=date(2026, 11, 2))
        return planning.this_week(ctx, person.id, date(2026, 11, 3)).plan
    finally:
        ctx.close()


def _driver_with_items(plan: Plan) -> str:
    counts: dict[str, int] = {}
    for item in plan.items:
        if item.kind == "exercise":
            for d in item.drivers:
                counts[d] = counts.get(d, 0) + 1
    return max(counts, key=lambda d: counts[d])


def test_a_driver_the_plan_works_on_names_its_exercises(plan: Plan) -> None:
    driver = _driver_with_items(plan)
    titles = [i.title for i in plan.items if i.kind == "exercise" and driver in i.drivers]
    said = finding_in_plan(driver, "pelvic_drop", plan, can_update=True)
    assert said.startswith("Your plan works on ")
    assert all(t in said for t in titles)


def test_a_driver_the_plan_has_nothing_for_says_so_and_what_updating_does(plan: Plan) -> None:
    driver = _driver_with_items(plan)
    bare = dataclasses.replace(plan, items=tuple(i for i in plan.items if driver not in i.drivers))
    said = finding_in_plan(driver, "pelvic_drop", bare, can_update=True)
    assert "has no exercise for" in said
    assert "Update my plan with this" in said
    assert "Update my plan" not in finding_in_plan(driver, "pelvic_drop", bare, can_update=False)


def test_overstriding_names_the_step_rate_cue_or_offers_it(plan: Plan) -> None:
    cued = dataclasses.replace(plan, run=dataclasses.replace(plan.run, cadence_cue_pct=7.5, runs_per_week=3))
    assert "about 7.5% more steps per minute" in finding_in_plan(
        "knee_control", "overstride", cued, can_update=True
    )
    plain = dataclasses.replace(
        plan, run=dataclasses.replace(plan.run, cadence_cue_pct=None, runs_per_week=3)
    )
    assert "adds a step-rate cue" in finding_in_plan("knee_control", "overstride", plain, can_update=True)
    # the cue belongs to overstriding only
    assert "step-rate" not in finding_in_plan("knee_control", "knee_fppa", cued, can_update=True)


def test_a_paused_plan_or_no_plan_says_what_to_do_instead(plan: Plan) -> None:
    assert "Answer the questions" in finding_in_plan("hip_control", "pelvic_drop", None, can_update=True)
    assert finding_in_plan("hip_control", "pelvic_drop", None, can_update=False) == ""
    paused = dataclasses.replace(plan, referral="See a clinician first.", referral_action="stop_and_refer")
    assert paused.stops_loading
    assert "paused until a clinician" in finding_in_plan(
        "hip_control", "pelvic_drop", paused, can_update=True
    )
