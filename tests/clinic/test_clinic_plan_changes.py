"""A clinician's plan changes through the service (SQLite and PostgreSQL): add, remove, swap, set a
level and dose, cap and lift the running, record in-clinic tests; each refusal says why and stores
nothing; the weekly review keeps the clinician's decisions over several simulated weeks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from heelcoach.domain.plan import Plan
from heelcoach.errors import ConflictError
from heelcoach.services import checkins, clearance, clinic_care, intake, planning
from heelcoach.services.clinic_care import ClinicTest, PlanChange
from heelcoach.services.context import AppContext
from heelcoach.services.demo import demo_answers
from heelcoach.services.policy import Actor
from heelcoach.store.accounts import AuditRow
from heelcoach.store.base import transaction
from heelcoach.store.repositories import Repos
from tests.services.test_simulated_runners import START, Sim, Week

PT = Actor(role="clinician")
AT = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # the day after the plan starts


def _change(ctx: AppContext, pid: int, change: PlanChange) -> str:
    return clinic_care.change_plan(ctx, PT, pid, change, now=AT).reason


def _refused(ctx: AppContext, pid: int, change: PlanChange) -> str:
    """The refusal's message; nothing stored, nothing audited."""
    with transaction(ctx.sessions) as s:
        before = Repos(s).plans.count(pid)
    with pytest.raises(clinic_care.CareError) as caught:
        clinic_care.change_plan(ctx, PT, pid, change, now=AT)
    with transaction(ctx.sessions) as s:
        assert Repos(s).plans.count(pid) == before
        assert not s.scalars(select(AuditRow).where(AuditRow.detail.contains("Refused"))).all()
    return str(caught.value)


def _item(plan: Plan, ref_id: str) -> object:
    return next((i for i in plan.items if i.ref_id == ref_id), None)


def test_add_swap_remove_and_set_level_within_the_bounds(ctx: AppContext) -> None:
    sim = Sim.begin(ctx)
    pid = sim.person_id
    level2 = ctx.catalogue.exercises["toe_yoga"].levels[1].dose
    assert level2.reps_max is not None
    told = _change(ctx, pid, PlanChange("add", "Toe control for the arch.", new_id="toe_yoga", level=2))
    assert told == "Your physiotherapist added Toe yoga at level 2: Toe control for the arch."
    added = next(i for i in sim.plan().items if i.ref_id == "toe_yoga")
    assert added.level == 2
    assert added.why.startswith("Added by your physiotherapist: Toe control for the arch.")
    session = {d for i in sim.plans[0].items if i.kind == "exercise" and len(i.days) < 7 for d in i.days}
    assert set(added.days) <= session  # on the runner's strength days, never a new day
    # level and dose set within the level's bounds (numbers from the knowledge data)
    reps = level2.reps_max
    told = _change(
        ctx, pid, PlanChange("set_level", "More reps.", item_id="toe_yoga", level=2, dose={"reps": reps})
    )
    assert f"set Toe yoga to level 2 ({reps:g} repetitions)" in told
    assert next(i for i in sim.plan().items if i.ref_id == "toe_yoga").dose["reps"] == reps
    swap = PlanChange("swap", "Easier to do at home.", item_id="side_lying_hip_abduction", new_id="clamshell")
    assert "swapped Side-lying hip abduction for Clamshell at level 1" in _change(ctx, pid, swap)
    up = _change(ctx, pid, PlanChange("set_level", "Ready for more.", item_id="short_foot", level=2))
    assert "set Short foot (arch doming) to level 2" in up
    # every item left is the clinician's or the core: the session runs over, and the note says so
    budget = sim.plans[0].session_minutes
    assert f"run over your {budget:g} minutes" in up, up
    assert "short_foot" in sim.plan().clinician.levels_set
    plan = sim.plan()
    assert _item(plan, "side_lying_hip_abduction") is None
    assert "side_lying_hip_abduction" in plan.clinician.held
    assert "clamshell" in plan.clinician.added
    assert "took Clamshell out of your plan" in _change(
        ctx, pid, PlanChange("remove", "Not needed now.", item_id="clamshell")
    )
    plan = sim.plan()
    assert _item(plan, "clamshell") is None
    assert any(
        e.ref_id == "clamshell" and "taken out, by your physiotherapist" in e.reason for e in plan.excluded
    )
    with transaction(ctx.sessions) as s:
        rows = s.scalars(select(AuditRow).where(AuditRow.person_id == pid)).all()
        latest = Repos(s).plans.latest(pid)
    assert len([r for r in rows if r.action == "change_plan"]) == 5
    assert latest is not None
    assert latest.decision["kind"] == "clinician_change"
    assert latest.decision["change"] == "remove"


def test_refusals_name_the_reason(ctx: AppContext) -> None:
    sim = Sim.begin(ctx)
    pid = sim.person_id
    # a contraindication from the screening answers: blood thinners rule out the massage ball
    intake.save_intake(ctx, pid, {**demo_answers(), "anticoagulants_or_bleeding_disorder": True})
    why = _refused(ctx, pid, PlanChange("add", "For the morning pain.", new_id="massage_ball_rolling"))
    assert why.startswith("Refused: Massage ball (lacrosse ball) rolling is contraindicated for this runner")
    assert "anticoagulant or bleeding" in why
    assert "Blood thinners or a bleeding disorder" in why  # the knowledge base's safety note
    # the level and the dose outside the knowledge base's bounds, saying the bounds
    top = len(ctx.catalogue.exercises["short_foot"].levels)
    why = _refused(ctx, pid, PlanChange("set_level", "More.", item_id="short_foot", level=top + 1))
    assert (
        why
        == f"Refused: Short foot (arch doming) has levels 1 to {top} in the knowledge base, not {top + 1}."
    )
    dose = ctx.catalogue.exercises["rathleff_high_load_heel_raise"].levels[0].dose
    assert dose.sets_min is not None
    assert dose.sets_max is not None
    change = PlanChange(
        "set_level",
        "More.",
        item_id="rathleff_high_load_heel_raise",
        level=1,
        dose={"sets": dose.sets_max + 1},
    )
    assert _refused(ctx, pid, change).endswith(f"({dose.sets_min:g} to {dose.sets_max:g}).")
    # an exercise the builder would not prescribe yet, an unknown item, one not in the plan
    assert "starts in the return phase (the runner is in build)" in _refused(
        ctx, pid, PlanChange("add", "Springy work.", new_id="jump_squat")
    )
    assert "knowledge base's list" in _refused(
        ctx, pid, PlanChange("add", "Something.", new_id="nordic_walk")
    )
    assert "in the current plan" in _refused(ctx, pid, PlanChange("remove", "Gone.", item_id="nordic_walk"))
    assert "given in the clinic, not done at home" in _refused(
        ctx, pid, PlanChange("add", "Hands-on.", new_id="deep_tissue_massage")
    )


def test_a_paused_plan_refuses_changes(ctx: AppContext) -> None:
    """A warning sign in a check-in pauses the plan the same day: no change until the visit is recorded."""
    sim = Sim.begin(ctx)
    sign = checkins.CheckInInput(
        day=AT.date(), first_step_pain=5, red_flag_symptoms=("numbness_or_tingling",)
    )
    checkins.record_checkin(ctx, sim.person_id, sign, today=AT.date())
    assert sim.plan().stops_loading
    for change in (
        PlanChange("add", "Toe control.", new_id="toe_yoga"),
        PlanChange("set_level", "More.", item_id="short_foot", level=2),
        PlanChange("run_cap", "Less.", weekly_km=5),
    ):
        why = _refused(ctx, sim.person_id, change)
        assert why.startswith("Refused: the plan is paused until a clinician has seen the runner")


def test_in_clinic_tests_are_marked_and_merged_into_the_plan(ctx: AppContext) -> None:
    sim = Sim.begin(ctx)
    pid = sim.person_id
    test = ctx.catalogue.self_tests["single_leg_heel_raise_test"]
    low = test.value_min + 1
    with pytest.raises(clinic_care.CareError, match="outside"):
        clinic_care.record_clinic_tests(
            ctx, PT, pid, [ClinicTest(test.id, test.value_max + 1, "left")], now=AT
        )
    record = clinic_care.record_clinic_tests(
        ctx,
        PT,
        pid,
        [ClinicTest(test.id, low, "left"), ClinicTest(test.id, 25, "right")],
        "Measured today.",
        now=AT,
    )
    assert record is not None
    assert record.reason.startswith(
        f"Your physiotherapist measured in the clinic: {test.name} (left) {low:g} {test.unit}"
    )
    assert "Measured today." in record.reason
    assert record.decision["kind"] == "clinic_tests"
    with transaction(ctx.sessions) as s:
        screen = Repos(s).screens.latest(pid)
        audit = s.scalars(select(AuditRow).where(AuditRow.action == "clinic_tests")).all()
    assert screen is not None
    assert all(r["measured"] == "clinic" and r["at"] == AT.isoformat() for r in screen.results)
    assert len(audit) == 1
    # they count like the runner's own: the weak calf is evidence the plan now names
    evidence = " ".join(str(e) for e in record.decision["evidence"])
    assert "single_leg_heel_raise_test" in evidence


def _level(plan: Plan, ref_id: str) -> int:
    return next((i.level or 0 for i in plan.items if i.ref_id == ref_id), 0)


def test_the_weekly_review_keeps_the_clinicians_decisions(ctx: AppContext) -> None:
    sim = Sim.begin(ctx)
    pid = sim.person_id
    at = datetime.combine(START + timedelta(days=1), datetime.min.time(), UTC)
    for change in (
        PlanChange("hold", "Hip is sore.", item_id="side_lying_hip_abduction"),
        PlanChange("add", "Toe control.", new_id="toe_yoga"),
        PlanChange("run_cap", "Keep the running small for now.", weekly_km=6),
    ):
        clinic_care.change_plan(ctx, PT, pid, change, now=at)
    good = Week(first=2, worst=1, runs={1: 2.0, 3: 2.0, 5: 2.0}, run_pain=0)
    start_level = _level(sim.plan(), "toe_yoga")
    levels = []
    for n in range(5):
        plan = sim.live(n, good).review.new_plan
        assert _item(plan, "side_lying_hip_abduction") is None, n  # a held item never comes back
        assert any(e.ref_id == "side_lying_hip_abduction" for e in plan.excluded)
        # an added one stays every week: the runner's session minutes leave out an engine item instead
        assert _item(plan, "toe_yoga") is not None, n
        assert not any(e.ref_id == "toe_yoga" for e in plan.excluded), n
        levels.append(_level(plan, "toe_yoga"))
        assert plan.run.weekly_km_cap is not None
        assert plan.run.weekly_km_cap <= 6, n  # the cap stays a ceiling
    assert levels[0] > start_level  # progressed like the others, at the first review
    lifted = datetime.combine(START + timedelta(days=36), datetime.min.time(), UTC)
    clinic_care.change_plan(ctx, PT, pid, PlanChange("lift_cap", "Running well."), now=lifted)
    assert sim.plan().clinician.weekly_km_cap is None
    more = Week(first=1, worst=1, runs={1: 2.0, 3: 2.0, 5: 2.0}, run_pain=0)
    plan = sim.live(5, more).review.new_plan
    assert (plan.run.weekly_km_cap or 0) > 6  # the review sets the running again


def test_a_plan_built_again_keeps_the_clinicians_terms(ctx: AppContext) -> None:
    """A re-assessment two weeks in (new answers, the plan built again from scratch, as `heelcoach
    plan --new` and the web's start flow do): the stored new version keeps the held item out, the
    added one in at its level and dose, the cap as a ceiling, and says so; the weekly review then
    keeps running on it."""
    sim = Sim.begin(ctx)
    pid = sim.person_id
    at = datetime.combine(START + timedelta(days=1), datetime.min.time(), UTC)
    for change in (
        PlanChange("hold", "Hip is sore.", item_id="side_lying_hip_abduction"),
        PlanChange("add", "Toe control.", new_id="toe_yoga", level=2),
        PlanChange("run_cap", "Keep the running small for now.", weekly_km=6),
    ):
        clinic_care.change_plan(ctx, PT, pid, change, now=at)
    good = Week(first=2, worst=1, runs={1: 2.0, 3: 2.0, 5: 2.0}, run_pain=0)
    for n in range(2):
        sim.live(n, good)
    before_record, before = planning.current_plan(ctx, pid)
    toe = next(i for i in before.items if i.ref_id == "toe_yoga")
    rebuilt_on = START + timedelta(days=14)
    moment = datetime.combine(rebuilt_on, datetime.min.time(), UTC)
    intake.save_intake(ctx, pid, {**demo_answers(), "first_step_pain": 3, "worst_pain": 3}, now=moment)
    planning.make_plan(ctx, pid, start=rebuilt_on, now=moment)
    record, plan = planning.current_plan(ctx, pid)  # read back from the store
    assert record.version == before_record.version + 1
    assert record.decision["kind"] == "rebuilt"
    assert "starts again from its first week" in record.reason
    assert f"Your physiotherapist's changes are kept: Toe yoga stays in at level {toe.level}" in record.reason
    assert "Side-lying hip abduction stays out" in record.reason
    assert "running stays capped at 6 km a week" in record.reason
    terms = record.decision["clinician_terms"]
    assert terms["kept_from_version"] == before_record.version
    assert (terms["held"], terms["added"], terms["weekly_km_cap"], terms["set_aside"]) == (
        ["side_lying_hip_abduction"],
        ["toe_yoga"],
        6,
        [],
    )
    assert plan.clinician == before.clinician
    kept = next(i for i in plan.items if i.ref_id == "toe_yoga")
    assert (kept.level, kept.dose) == (toe.level, toe.dose)
    assert _item(plan, "side_lying_hip_abduction") is None
    assert plan.run.weekly_km_cap is not None
    assert plan.run.weekly_km_cap <= 6
    # the weekly review keeps running on the rebuilt plan, with the terms
    for n in range(2, 6):
        reviewed = sim.live(n, good).review.new_plan
        assert _item(reviewed, "toe_yoga") is not None, n
        assert _item(reviewed, "side_lying_hip_abduction") is None, n
        assert (reviewed.run.weekly_km_cap or 0) <= 6, n


def test_a_plan_built_again_sets_a_now_unsafe_term_aside_and_says_why(ctx: AppContext) -> None:
    sim = Sim.begin(ctx)
    pid = sim.person_id
    clinic_care.change_plan(
        ctx, PT, pid, PlanChange("add", "For the morning pain.", new_id="massage_ball_rolling"), now=AT
    )
    assert _item(sim.plan(), "massage_ball_rolling") is not None
    # the runner now takes blood thinners: the new answers make the clinician's tool unsafe
    intake.save_intake(ctx, pid, {**demo_answers(), "anticoagulants_or_bleeding_disorder": True}, now=AT)
    planning.make_plan(ctx, pid, start=AT.date(), now=AT)
    record, plan = planning.current_plan(ctx, pid)
    assert _item(plan, "massage_ball_rolling") is None  # the safety rule wins
    assert "massage_ball_rolling" not in plan.clinician.added
    (aside,) = record.decision["clinician_terms"]["set_aside"]
    assert aside["ref_id"] == "massage_ball_rolling"
    assert (
        "For your safety: Massage ball (lacrosse ball) rolling, which your physiotherapist added or set"
        in (record.reason)
    )
    assert "anticoagulant or bleeding" in record.reason
    assert "Blood thinners or a bleeding disorder" in record.reason  # the knowledge base's safety note


def test_a_stop_then_a_clearance_keep_the_clinicians_held_item_and_cap(ctx: AppContext) -> None:
    """New answers that point to a heel stress fracture stop the plan: the safety rule sets the
    clinician's added exercise aside (said), the held item and the cap stay terms; the clearance's
    graded return (a plan built again) keeps them and says so."""
    from tests.services.test_triage_clearance_return import FRACTURE

    sim = Sim.begin(ctx)
    pid = sim.person_id
    for change in (
        PlanChange("hold", "Hip is sore.", item_id="side_lying_hip_abduction"),
        PlanChange("add", "Toe control.", new_id="toe_yoga"),
        PlanChange("run_cap", "Keep the running small for now.", weekly_km=6),
    ):
        clinic_care.change_plan(ctx, PT, pid, change, now=AT)
    intake.save_intake(ctx, pid, {**demo_answers(), **FRACTURE}, now=AT)
    planning.make_plan(ctx, pid, start=AT.date(), now=AT)
    stopped_record, stopped = planning.current_plan(ctx, pid)
    assert stopped.stops_loading
    assert "For your safety: Toe yoga, which your physiotherapist added or set, is set aside" in (
        stopped_record.reason
    )
    assert "stop training until a clinician has seen you" in stopped_record.reason
    assert stopped.clinician.held == ("side_lying_hip_abduction",)
    assert stopped.clinician.weekly_km_cap == 6
    assert stopped.clinician.added == ()
    record = clearance.record_clinician_seen(ctx, pid, AT.date() + timedelta(days=42))
    assert record.decision["kind"] == "cleared_return"
    assert "Your physiotherapist's changes are kept: Side-lying hip abduction stays out" in record.reason
    assert "running stays capped at 6 km a week" in record.reason
    plan = planning.current_plan(ctx, pid)[1]
    assert _item(plan, "side_lying_hip_abduction") is None
    assert plan.run.weekly_km_cap is None or plan.run.weekly_km_cap <= 6


def test_update_my_plan_with_new_results_keeps_the_terms_and_says_so_truly(ctx: AppContext) -> None:
    """'Update my plan with this' (self-tests, a gait report) merges into the current plan: the
    version note no longer says a held item was added, nor that an added one leaves."""
    sim = Sim.begin(ctx)
    pid = sim.person_id
    for change in (
        PlanChange("hold", "Hip is sore.", item_id="side_lying_hip_abduction"),
        PlanChange("add", "Toe control.", new_id="toe_yoga", level=2),
    ):
        clinic_care.change_plan(ctx, PT, pid, change, now=AT)
    record = planning.update_plan_with_new_evidence(ctx, pid, "self-tests", today=AT.date(), now=AT)
    plan = planning.current_plan(ctx, pid)[1]
    assert _item(plan, "toe_yoga") is not None
    assert _item(plan, "side_lying_hip_abduction") is None
    assert "Side-lying hip abduction" not in record.reason
    assert "Toe yoga leaves the plan" not in record.reason
    assert record.reason.endswith("Your physiotherapist's changes are kept.")


def test_a_plan_is_not_built_again_while_a_warning_sign_pauses_it(ctx: AppContext) -> None:
    """Building the plan again (new answers) while a check-in's warning sign pauses it would lift the
    pause without a clinician, and lose the clinician's items: refused, with what to do; after the
    recorded visit the plan is built again with the clinician's terms."""
    sim = Sim.begin(ctx)
    pid = sim.person_id
    clinic_care.change_plan(
        ctx, PT, pid, PlanChange("add", "Toe control.", new_id="toe_yoga", level=2), now=AT
    )
    sign = checkins.CheckInInput(
        day=AT.date(), first_step_pain=5, red_flag_symptoms=("numbness_or_tingling",)
    )
    checkins.record_checkin(ctx, pid, sign, today=AT.date())
    paused_record, paused = planning.current_plan(ctx, pid)
    assert paused.stops_loading
    with pytest.raises(ConflictError, match="Record the visit first"):
        planning.make_plan(ctx, pid, start=AT.date(), now=AT)
    assert planning.current_plan(ctx, pid)[0].version == paused_record.version  # nothing stored
    seen = AT.date() + timedelta(days=2)
    clearance.record_clinician_seen(ctx, pid, seen)
    record = planning.make_plan(ctx, pid, start=seen, now=AT + timedelta(days=2))
    assert "Toe yoga stays in at level 2" in record.reason
    assert _item(planning.current_plan(ctx, pid)[1], "toe_yoga") is not None
