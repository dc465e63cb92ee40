"""A heel stress fracture stays a referral; a clinician's clearance starts its graded return as a
new plan version, through the same services the CLI and web use (real SQLite and PostgreSQL). Any
other stop reason (an infection, a clot) keeps the referral, with a message that says so."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from heelcoach.errors import ConflictError
from heelcoach.services import clearance, intake, people, planning
from tests.web.answers import TYPICAL

START = date(2026, 11, 23)
CLEARED = START + timedelta(days=42)
FRACTURE = {"squeeze_test": "positive", "pain_builds_with_activity": True}
INFECTED = {**FRACTURE, "swelling_warmth_redness": True, "fever_or_unwell": True}


def _stopped_runner(ctx: Any, answers: dict[str, Any]) -> Any:
    person = people.resolve_person(ctx, None, create=True)
    intake.save_intake(ctx, person.id, {**TYPICAL, **answers})
    record = planning.make_plan(ctx, person.id, start=START)
    assert planning.current_plan(ctx, person.id)[1].stops_loading
    return person, record


def test_a_clearance_starts_the_graded_return_after_a_stress_fracture(ctx: Any) -> None:
    person, stopped = _stopped_runner(ctx, FRACTURE)
    record = clearance.record_clinician_seen(ctx, person.id, CLEARED)
    assert record.version == stopped.version + 1
    assert record.starts_on == CLEARED
    assert record.decision["kind"] == "cleared_return"
    assert record.decision["follows"] == "calcaneal_stress_fracture"
    assert "return to running after heel bone fracture (usually a stress fracture)" in record.reason
    plan = planning.current_plan(ctx, person.id)[1]
    assert not plan.stops_loading
    assert plan.referral is None
    assert plan.phase == "settle"
    # which condition it follows, and why
    assert plan.items[0].title == "What this plan follows: Heel bone fracture (usually a stress fracture)"
    assert plan.items[0].ref_id == "calcaneal_stress_fracture"
    assert "cleared you" in plan.rationale
    # the walk/run stages of plan_rules return_to_run, from stage 1
    stage_km = ctx.catalogue.plan.return_to_run.stages[0].distance_km
    assert plan.run.mode == "walk_run"
    assert plan.run.stage == 1
    assert plan.run.max_single_run_km == stage_km
    assert plan.run.runs_per_week <= ctx.catalogue.plan.return_to_run.runs_per_week_max
    # the criteria of the after-clearance steps
    criteria = next(i for i in plan.items if i.id == "return_criteria_calcaneal_stress_fracture")
    assert "Hop 10 times" in criteria.why
    assert "stage 6" in criteria.why
    assert not criteria.optional
    assert any("bone pain" in r for r in plan.run.stop_rules)
    # strength work the engine allows in the settle phase, nothing heavier
    exercises = [i for i in plan.items if i.kind == "exercise"]
    assert exercises
    for item in exercises:
        ex = ctx.catalogue.exercises[item.ref_id]
        assert ex.earliest_phase == "settle", ex.id
        assert item.level == 1
    # nothing left to resume afterwards
    with pytest.raises(ConflictError, match="not paused"):
        clearance.record_clinician_seen(ctx, person.id, CLEARED)


def test_a_clearance_does_not_lift_a_stop_for_another_warning_sign(ctx: Any) -> None:
    person, stopped = _stopped_runner(ctx, INFECTED)
    with pytest.raises(ConflictError) as raised:
        clearance.record_clinician_seen(ctx, person.id, CLEARED)
    message = str(raised.value)
    assert "Hot, red, swollen heel with fever" in message
    assert "answer the questions again" in message
    latest = planning.current_plan(ctx, person.id)
    assert latest[0].version == stopped.version  # nothing stored
    assert latest[1].stops_loading


def test_a_clearance_after_a_stop_with_no_return_plan_keeps_the_referral(ctx: Any) -> None:
    person, stopped = _stopped_runner(ctx, {"calf_swelling_or_warmth": True})
    with pytest.raises(ConflictError, match="answer the questions again"):
        clearance.record_clinician_seen(ctx, person.id, CLEARED)
    assert planning.current_plan(ctx, person.id)[0].version == stopped.version


def test_a_clearance_with_no_plan_stored_yet_makes_the_return_plan(ctx: Any) -> None:
    # the web stores no plan for a runner the questionnaire stops: the clearance makes version 1
    person = people.resolve_person(ctx, None, create=True)
    intake.save_intake(ctx, person.id, {**TYPICAL, **FRACTURE})
    record = clearance.record_clinician_seen(ctx, person.id, CLEARED)
    assert record.version == 1
    assert record.decision["stopped_version"] is None
    assert planning.current_plan(ctx, person.id)[1].run.mode == "walk_run"
