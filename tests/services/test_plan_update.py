"""New evidence merges into the current plan (issue 12, item 4): new self-tests or a gait report
add or swap the items they call for, keep phase, week and levels, and say what changed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from heelcoach.domain import plan as plan_mod
from heelcoach.errors import ConflictError
from heelcoach.services import checkins, intake, people, planning, screening
from heelcoach.services.context import AppContext
from heelcoach.services.demo import DEMO_SELF_TESTS, demo_answers

START = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def _stored_plan(ctx: AppContext, pid: int, plan: plan_mod.Plan, decision_kind: str = "test") -> None:
    planning.store_plan(ctx, pid, plan, START + timedelta(days=14), {"kind": decision_kind}, "advanced", NOW)


def test_new_self_tests_merge_into_the_current_plan_keeping_phase_week_and_levels(ctx: AppContext) -> None:
    person = people.create_person(ctx, "Ana", now=NOW)
    intake.save_intake(ctx, person.id, demo_answers(), now=NOW)
    first = planning.make_plan(ctx, person.id, start=START, now=NOW)
    plan = planning.current_plan(ctx, person.id)[1]
    # three weeks on: week 3 of build, the first exercise two levels up
    bumped = tuple(
        replace(i, level=2, level_since=START + timedelta(days=7)) if i.kind == "exercise" else i
        for i in plan.items
    )
    _stored_plan(ctx, person.id, replace(plan, week=3, items=bumped))
    before_record, before = planning.current_plan(ctx, person.id)
    before_ex = {i.ref_id for i in before.items if i.kind == "exercise"}

    results = [screening.parse_self_test(ctx, t, v, s) for t, v, s in DEMO_SELF_TESTS]
    screening.save_screen(ctx, person.id, results)
    record = planning.update_plan_with_new_evidence(
        ctx, person.id, "self-tests", today=START + timedelta(days=16), now=NOW
    )
    after = planning.current_plan(ctx, person.id)[1]
    assert record.version == before_record.version + 1 > first.version
    assert (after.phase, after.week) == (before.phase, before.week)
    kept = [i for i in after.items if i.kind == "exercise" and i.ref_id in before_ex]
    assert kept
    assert all(i.level == 2 for i in kept)  # levels reached stay
    added = [i for i in after.items if i.kind == "exercise" and i.ref_id not in before_ex]
    assert added  # the self-tests call for more work (foot, hip, calf)
    assert record.decision["kind"] == "evidence_update"
    assert record.reason.startswith("Updated with your self-tests, keeping your phase, week and levels.")
    for item in added:
        assert f"Added {item.title}" in record.reason
    assert "New plan from the intake" not in record.reason
    assert "starts again" not in record.reason


def test_a_paused_plan_is_not_updated(ctx: AppContext) -> None:
    person = people.create_person(ctx, "Ana", now=NOW)
    intake.save_intake(ctx, person.id, demo_answers(), now=NOW)
    planning.make_plan(ctx, person.id, start=START, now=NOW)
    checkins.record_checkin(
        ctx,
        person.id,
        checkins.CheckInInput(day=START, first_step_pain=3, red_flag_symptoms=("night_pain",)),
        today=START,
    )
    with pytest.raises(ConflictError, match="paused until a clinician has seen you"):
        planning.update_plan_with_new_evidence(ctx, person.id, "gait report", today=START)
