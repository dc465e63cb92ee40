"""Eight good weeks of an insertional Achilles plan through the same services the CLI uses: the
weekly reviews progress its floor-level exercises, the plan keeps saying what it treats, and no
review ever brings in an exercise that drops the heel below a step (real SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from heelcoach.services import checkins, intake, people, planning, weekly_review
from tests.domain.test_triage_condition_plans import DROP
from tests.domain.test_triage_vignettes_v3 import ACHILLES, FAT_PAD
from tests.web.answers import TYPICAL

START = date(2026, 11, 23)


def _no_step_drops(ctx: Any, plan: Any) -> None:
    for item in plan.items:
        if item.kind != "exercise":
            continue
        ex = ctx.catalogue.exercises[item.ref_id]
        assert "step" not in ex.equipment, ex.id
        for line in ex.levels[(item.level or 1) - 1].instructions:
            assert not DROP.search(line), (ex.id, line)


def test_eight_good_weeks_of_the_insertional_achilles_plan(ctx: Any) -> None:
    person = people.resolve_person(ctx, None, create=True)
    intake.save_intake(ctx, person.id, {**TYPICAL, **ACHILLES})
    planning.make_plan(ctx, person.id, start=START)
    first = planning.current_plan(ctx, person.id)[1]
    _no_step_drops(ctx, first)
    levels = []
    for week in range(8):
        plan = planning.current_plan(ctx, person.id)[1]
        done = tuple(i.ref_id for i in plan.items if i.kind == "exercise")
        for k in range(7):
            day = START + timedelta(days=7 * week + k)
            ran = k % 2 == 1
            checkins.record_checkin(
                ctx,
                person.id,
                checkins.CheckInInput(
                    day=day,
                    first_step_pain=1,
                    worst_pain=1,
                    run_pain_during=0 if ran else None,
                    run_pain_after=0 if ran else None,
                    next_morning_worse=False,
                    done_items=done,
                    run_km=4.0 if ran else None,
                ),
                today=day,
            )
        weekly_review.run_weekly_review(ctx, person.id, today=START + timedelta(days=7 * (week + 1)))
        plan = planning.current_plan(ctx, person.id)[1]
        _no_step_drops(ctx, plan)
        assert any(i.ref_id == "achilles_insertional" for i in plan.items)  # still says what it treats
        assert "no_step_drops" in {e.ref_id for e in plan.excluded}
        levels.append(next(i.level for i in plan.items if i.ref_id == "floor_level_heel_raise"))
    assert levels[-1] > 1  # the floor-level heel raise progressed
    assert levels == sorted(levels)  # never more than forward on good weeks


def _good_weeks(ctx: Any, person_id: int, weeks: int) -> list[Any]:
    plans = []
    for week in range(weeks):
        plan = planning.current_plan(ctx, person_id)[1]
        done = tuple(i.ref_id for i in plan.items if i.kind == "exercise")
        for k in range(7):
            day = START + timedelta(days=7 * week + k)
            ran = k % 2 == 1
            checkins.record_checkin(
                ctx,
                person_id,
                checkins.CheckInInput(
                    day=day,
                    first_step_pain=1,
                    worst_pain=1,
                    run_pain_during=0 if ran else None,
                    run_pain_after=0 if ran else None,
                    next_morning_worse=False,
                    done_items=done,
                    run_km=4.0 if ran else None,
                ),
                today=day,
            )
        weekly_review.run_weekly_review(ctx, person_id, today=START + timedelta(days=7 * (week + 1)))
        plans.append(planning.current_plan(ctx, person_id)[1])
    return plans


def test_a_fat_pad_plan_keeps_its_taping_and_never_jumps_through_the_return(ctx: Any) -> None:
    person = people.resolve_person(ctx, None, create=True)
    intake.save_intake(ctx, person.id, {**TYPICAL, **FAT_PAD})
    planning.make_plan(ctx, person.id, start=START)
    plans = _good_weeks(ctx, person.id, 6)
    assert "return" in {p.phase for p in plans}  # the good weeks reach the return phase
    power = set(ctx.catalogue.plan.selection.power)
    for plan in plans:
        ids = {i.ref_id for i in plan.items}
        assert "fat_pad_taping" in ids, plan.phase  # it holds the pad together for runs
        assert not ids & power, plan.phase  # no jumping while the pad may still be sore
        assert "no_hard_landings" in {e.ref_id for e in plan.excluded}
