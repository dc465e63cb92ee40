"""Issue 16, item 5: a clinician's terms survive a plan built again from scratch (new answers, a
re-assessment), unless the new plan's safety rules set one aside (said, with why); and the items a
clinician added or set are fitted first into the runner's session minutes (an engine item gives
way, or the session runs over and the note says so)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from heelcoach.domain.plan import DEFERRED_NOTE, WEEKDAYS, ExcludedItem, Plan, PlanItem
from heelcoach.domain.planning.clinician import at_level, carry_terms, new_adjunct, new_exercise
from heelcoach.domain.planning.model import ClinicianTerms
from heelcoach.domain.planning.session_fit import fit_clinician_items, refit_week
from heelcoach.domain.session_time import day_minutes, item_minutes
from heelcoach.domain.triage import triage
from heelcoach.knowledge import Catalogue
from tests.domain.plan_helpers import START, answers, make_plan

WHY = "Added by your physiotherapist: for the arch."


def _with_clinician(
    catalogue: Catalogue,
    plan: Plan,
    add: tuple[PlanItem, ...] = (),
    hold: str | None = None,
    cap: float | None = None,
) -> Plan:
    """``plan`` as a clinician changed it (the way ``services.clinic_care`` stores it)."""
    items = [i for i in plan.items if i.ref_id != hold] + list(add)
    held = next((i for i in plan.items if i.ref_id == hold), None)
    excluded = list(plan.excluded)
    if held is not None:
        excluded.append(ExcludedItem(held.ref_id, f"{held.title}: on hold, by your physiotherapist."))
    terms = ClinicianTerms(
        held=(hold,) if hold else (), added=tuple(i.ref_id for i in add), weekly_km_cap=cap
    )
    return replace(plan, items=tuple(items), excluded=tuple(excluded), clinician=terms)


def _toe_yoga_at_2(catalogue: Catalogue, plan: Plan) -> PlanItem:
    item = new_exercise(catalogue, plan, answers(), "toe_yoga", START, WHY)
    reps = catalogue.exercises["toe_yoga"].levels[1].dose.reps_max
    assert reps is not None
    return at_level(catalogue, plan, item, 2, {"reps": reps}, START)


def _flags(a: dict[str, Any], catalogue: Catalogue) -> frozenset[str]:
    return frozenset(str(f) for f in triage(a, catalogue).safety_flags)


def _item(plan: Plan, ref_id: str) -> PlanItem | None:
    return next((i for i in plan.items if i.ref_id == ref_id), None)


def test_a_plan_built_again_keeps_held_added_and_the_cap(catalogue) -> None:  # type: ignore[no-untyped-def]
    first = make_plan(catalogue, minutes_per_session=60)
    toe = _toe_yoga_at_2(catalogue, first)
    assert _item(first, "side_lying_hip_abduction") is not None
    previous = _with_clinician(catalogue, first, add=(toe,), hold="side_lying_hip_abduction", cap=6)
    # new answers: the heel is calmer, the runner runs more; the engine would bring the hip work back
    new_answers = answers(minutes_per_session=60, first_step_pain=3, worst_pain=3, weekly_distance_km=45)
    fresh = make_plan(
        catalogue, minutes_per_session=60, first_step_pain=3, worst_pain=3, weekly_distance_km=45
    )
    assert _item(fresh, "side_lying_hip_abduction") is not None
    assert fresh.run.weekly_km_cap is not None
    assert fresh.run.weekly_km_cap > 6
    carried = carry_terms(previous, fresh, catalogue, new_answers, _flags(new_answers, catalogue), START)
    plan = carried.plan
    assert plan.clinician == previous.clinician
    assert _item(plan, "side_lying_hip_abduction") is None  # held stays out, with the clinician's reason
    assert any(
        e.ref_id == "side_lying_hip_abduction" and "on hold, by your physiotherapist" in e.reason
        for e in plan.excluded
    )
    kept = _item(plan, "toe_yoga")
    assert kept is not None
    assert (kept.level, kept.dose) == (toe.level, toe.dose)  # at its level and dose
    assert plan.run.weekly_km_cap == 6  # a ceiling until lifted
    assert carried.set_aside == ()
    assert carried.words.startswith("Your physiotherapist's changes are kept: Toe yoga stays in at level 2")
    assert "Side-lying hip abduction stays out" in carried.words
    assert "running stays capped at 6 km a week" in carried.words


def test_without_clinician_terms_a_plan_built_again_is_the_engines(catalogue) -> None:  # type: ignore[no-untyped-def]
    previous, fresh = make_plan(catalogue), make_plan(catalogue, first_step_pain=3)
    carried = carry_terms(previous, fresh, catalogue, answers(first_step_pain=3), frozenset(), START)
    assert carried.plan is fresh
    assert carried.words == ""


def test_a_new_contraindication_sets_the_clinicians_tool_aside_and_says_why(catalogue) -> None:  # type: ignore[no-untyped-def]
    first = make_plan(catalogue)
    first = replace(first, items=tuple(i for i in first.items if i.ref_id != "massage_ball_rolling"))
    ball = new_adjunct(catalogue, first, answers(), frozenset(), "massage_ball_rolling", START)
    previous = _with_clinician(catalogue, first, add=(ball,))
    bleeding = answers(anticoagulants_or_bleeding_disorder=True)
    flags = _flags(bleeding, catalogue)
    assert flags, "blood thinners are a safety flag of the knowledge base"
    fresh = make_plan(catalogue, anticoagulants_or_bleeding_disorder=True)
    carried = carry_terms(previous, fresh, catalogue, bleeding, flags, START)
    assert _item(carried.plan, "massage_ball_rolling") is None  # the safety rule wins
    assert "massage_ball_rolling" not in carried.plan.clinician.added
    (aside,) = carried.set_aside
    assert aside.ref_id == "massage_ball_rolling"
    assert "which your physiotherapist added or set, is set aside: it is not safe for you now" in aside.reason
    note = next(r.note for r in catalogue.triage.safety_rules if r.flag in flags)
    assert note in aside.reason  # the knowledge base's safety note, in the runner's and the clinician's words
    assert f"For your safety: {aside.reason}" in carried.words
    assert any(e.ref_id == "massage_ball_rolling" and e.reason == aside.reason for e in carried.plan.excluded)


def test_a_plan_that_now_stops_loading_sets_every_added_item_aside(catalogue) -> None:  # type: ignore[no-untyped-def]
    first = make_plan(catalogue)
    previous = _with_clinician(
        catalogue, first, add=(_toe_yoga_at_2(catalogue, first),), hold="clamshell", cap=6
    )
    fresh = make_plan(catalogue, can_bear_weight=False)
    assert fresh.stops_loading
    carried = carry_terms(previous, fresh, catalogue, answers(can_bear_weight=False), frozenset(), START)
    assert _item(carried.plan, "toe_yoga") is None
    assert carried.plan.stops_loading
    assert [e.ref_id for e in carried.set_aside] == ["toe_yoga"]
    assert "stop training until a clinician has seen you" in carried.words
    terms = carried.plan.clinician
    assert (terms.added, terms.held, terms.weekly_km_cap) == ((), ("clamshell",), 6)


def test_an_item_that_only_waits_for_the_heel_keeps_its_term(catalogue) -> None:  # type: ignore[no-untyped-def]
    first = make_plan(catalogue)
    assert first.phase == "build"
    step = new_exercise(catalogue, first, answers(), "step_down", START, WHY)
    previous = _with_clinician(catalogue, first, add=(step,))
    sore: dict[str, Any] = {"first_step_pain": 8, "worst_pain": 8, "pain_during_run": 6}
    fresh = make_plan(catalogue, **sore)
    assert fresh.phase == "settle"
    carried = carry_terms(previous, fresh, catalogue, answers(**sore), frozenset(), START)
    assert _item(carried.plan, "step_down") is None
    assert carried.plan.clinician.added == ("step_down",)  # the reviews bring it back when the heel allows
    entry = next(e for e in carried.plan.excluded if e.ref_id == "step_down")
    assert entry.reason.endswith(DEFERRED_NOTE)
    assert "starts in the build phase (you are in settle)" in entry.reason


def _monday(plan: Plan, catalogue: Catalogue) -> float:
    return day_minutes(plan.items, "mon", catalogue.plan.selection.session_time)


def test_the_clinicians_item_is_fitted_first_and_an_engine_item_gives_way(catalogue) -> None:  # type: ignore[no-untyped-def]
    budget = 30
    plan = make_plan(catalogue, minutes_per_session=budget)
    timing = catalogue.plan.selection.session_time
    before = {i.ref_id for i in plan.items}
    # an exercise the clinician adds that overfills Monday
    clam = new_exercise(catalogue, plan, answers(), "clamshell", START, WHY)
    assert _monday(plan, catalogue) + item_minutes(clam.dose, timing) > budget
    changed = _with_clinician(catalogue, plan, add=(clam,))
    fitted, notes = fit_clinician_items(plan, changed, catalogue.plan)
    assert _item(fitted, "clamshell") is not None
    assert all(day_minutes(fitted.items, d, timing) <= budget for d in WEEKDAYS)
    gone = before - {i.ref_id for i in fitted.items}
    assert gone, "an engine item gives way"
    sel = catalogue.plan.selection
    assert not gone & {*sel.calf, *sel.stretches}  # the lowest-priority ones, never the core first
    titles = [i.title for i in plan.items if i.ref_id in gone]
    assert notes[0].startswith(f"To fit your {budget}-minute sessions, {titles[0]}")
    assert notes[0].endswith("what your physiotherapist added or set comes first.")
    for ref in gone:
        reason = next(e.reason for e in fitted.excluded if e.ref_id == ref)
        assert "what your physiotherapist added or set comes first" in reason


def test_the_clinicians_items_alone_past_the_minutes_stay_and_the_session_runs_over(catalogue) -> None:  # type: ignore[no-untyped-def]
    budget = 2  # fewer minutes than the exercise alone takes (estimated from the knowledge data)
    plan = make_plan(catalogue, minutes_per_session=budget)
    heavy = at_level(
        catalogue, plan, new_exercise(catalogue, plan, answers(), "clamshell", START, WHY), 1, {}, START
    )
    timing = catalogue.plan.selection.session_time
    assert item_minutes(heavy.dose, timing) > budget
    fitted, notes = fit_clinician_items(plan, _with_clinician(catalogue, plan, add=(heavy,)), catalogue.plan)
    assert _item(fitted, "clamshell") is not None  # never dropped silently
    assert any("they all stay, so those sessions run over" in n for n in notes), notes
    assert any(f"past your {budget}-minute sessions" in n for n in notes)


def test_a_review_keeps_the_clinicians_item_and_lets_an_engine_item_give_way(catalogue) -> None:  # type: ignore[no-untyped-def]
    from heelcoach.domain.progression import weekly_review
    from tests.domain.test_progression import _week

    budget = 30
    plan = make_plan(catalogue, minutes_per_session=budget)
    clam = new_exercise(catalogue, plan, answers(), "clamshell", START, WHY)
    plan, _notes = fit_clinician_items(plan, _with_clinician(catalogue, plan, add=(clam,)), catalogue.plan)
    for week in range(1, 7):
        today = START + timedelta(days=7 * week - 1)
        review = weekly_review(plan, _week(plan, today, first=1, worst=1, run_pain=0), catalogue, today)
        plan = review.new_plan
        assert _item(plan, "clamshell") is not None, week
        assert not any(e.ref_id == "clamshell" for e in plan.excluded), week
        for message in review.messages:
            if message.startswith("Left out for now"):
                assert "what your physiotherapist added or set comes first" in message


def test_refit_week_puts_the_clinicians_items_first(catalogue) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(catalogue, minutes_per_session=30)
    clam = new_exercise(catalogue, plan, answers(), "clamshell", START, WHY)
    items = [*plan.items, clam]
    before = frozenset(i.id for i in plan.items)
    kept, _excluded, _left = refit_week(items, list(plan.excluded), 30, catalogue.plan, before)
    assert clam not in kept  # without the clinician: the newcomer waits
    kept, excluded, left = refit_week(
        items, list(plan.excluded), 30, catalogue.plan, before, frozenset({"clamshell"})
    )
    assert clam in kept
    assert left, "an exercise the runner did gives way instead"
    assert all(any(e.ref_id == i.ref_id for e in excluded) for i in left)


def test_a_condition_plans_avoid_rule_sets_the_clinicians_exercise_aside(catalogue) -> None:  # type: ignore[no-untyped-def]
    """New answers point to an insertional Achilles tendinopathy, whose plan avoids step drops: the
    step-down a clinician added for the plantar fascia is set aside, with the avoid rule's words."""
    from tests.domain.test_triage_condition_plans import _plan
    from tests.domain.test_triage_vignettes_v3 import ACHILLES

    first = make_plan(catalogue)
    step = new_exercise(catalogue, first, answers(), "step_down", START, WHY)
    previous = _with_clinician(catalogue, first, add=(step,))
    achilles = answers(**ACHILLES)
    fresh = _plan(ACHILLES)[1]  # the condition plans' one dispatch point, as the services build it
    assert fresh.phase == "build"
    barred = catalogue.triage.barred_exercises({e.ref_id for e in fresh.excluded})
    assert "step_down" in barred
    carried = carry_terms(previous, fresh, catalogue, achilles, _flags(achilles, catalogue), START)
    assert _item(carried.plan, "step_down") is None
    (aside,) = carried.set_aside
    assert aside.ref_id == "step_down"
    assert barred["step_down"] in aside.reason
    assert "step_down" not in carried.plan.clinician.added


def test_a_clinician_cannot_add_an_exercise_the_condition_plan_avoids(catalogue) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from heelcoach.domain.planning.clinician import ChangeRefusedError
    from tests.domain.test_triage_condition_plans import _plan
    from tests.domain.test_triage_vignettes_v3 import ACHILLES

    plan = _plan(ACHILLES)[1]
    barred = catalogue.triage.barred_exercises({e.ref_id for e in plan.excluded})
    with pytest.raises(ChangeRefusedError) as caught:
        new_exercise(catalogue, plan, answers(**ACHILLES), "step_down", START, WHY)
    assert str(caught.value).startswith("Refused: Step-down")
    assert barred["step_down"] in str(caught.value)
