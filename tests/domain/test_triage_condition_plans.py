"""Plans of their own for the self-manageable look-alikes (insertional Achilles tendinopathy, heel
fat pad syndrome), the stress fracture's return after clearance, and the properties that tie triage
to planning: a warning sign alone always refers at its level, and no plan is ever made for a case
whose top condition is not self-manageable.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from heelcoach.domain.condition_plans import build_plan, treated_condition
from heelcoach.domain.drivers import infer_drivers, intake_evidence
from heelcoach.domain.intake import validate_answers
from heelcoach.domain.plan import REFER_AND_CONTINUE, Plan, PlanInput
from heelcoach.domain.plan import build_plan as build_pf_plan
from heelcoach.domain.triage import matches, triage
from heelcoach.domain.types import TriageLevel
from heelcoach.knowledge import load_catalogue
from heelcoach.knowledge.schema_triage import RedFlag
from tests.domain.plan_helpers import START
from tests.domain.test_triage_properties import ANSWERS, _fire
from tests.domain.test_triage_vignettes import BASE
from tests.domain.test_triage_vignettes_v3 import ACHILLES, FAT_PAD

CATALOGUE = load_catalogue()
TK = CATALOGUE.triage
#: Instructions that would let the heel drop below the forefoot (a step, an edge, a heel drop).
DROP = re.compile(r"\b(on a step|off a step|below the step|step edge|edge of|heels? hanging|sink)", re.I)


def _plan(overrides: dict[str, Any]) -> tuple[Any, Plan]:
    answers = validate_answers({**BASE, **overrides}, TK)
    result = triage(answers, CATALOGUE)
    drivers = infer_drivers(intake_evidence(answers, CATALOGUE), CATALOGUE)
    return result, build_plan(PlanInput(answers, result, drivers, None, START), CATALOGUE)


def _exercises(plan: Plan) -> list[Any]:
    return [i for i in plan.items if i.kind == "exercise"]


def test_insertional_achilles_gets_its_own_plan_without_step_drops() -> None:
    result, plan = _plan(ACHILLES)
    assert result.level is TriageLevel.SELF_MANAGE
    assert result.treats == "achilles_insertional"
    assert not plan.stops_loading
    assert plan.referral is None
    # the plan says which condition it treats
    assert plan.items[0].title.startswith("What this plan treats: Insertional Achilles tendinopathy")
    assert "This plan treats insertional Achilles tendinopathy" in plan.rationale
    exercises = _exercises(plan)
    assert {i.ref_id for i in exercises} >= {"floor_level_heel_raise", "floor_level_eccentric_lower"}
    for item in exercises:
        ex = CATALOGUE.exercises[item.ref_id]
        assert "step" not in ex.equipment, ex.id
        for level in ex.levels:  # no level of the ladder ever drops the heel below the floor
            for line in level.instructions:
                assert not DROP.search(line), (ex.id, line)
        assert item.dose.get("sets"), item.ref_id  # a dose
        assert item.dose.get("reps"), item.ref_id
        assert len(ex.levels) >= 2, ex.id  # and a progression
        assert item.evidence in ("A", "B", "C", "D", "E", "F")
    # the plantar fasciitis step exercises are not in it
    assert not {"eccentric_heel_raise", "rathleff_high_load_heel_raise", "standing_calf_stretch"} & {
        i.ref_id for i in plan.items
    }
    avoid = {e.ref_id: e.reason for e in plan.excluded}
    assert "no_step_drops" in avoid
    assert "below the level of the forefoot" in avoid["no_step_drops"]
    titles = " ".join(i.title for i in plan.items)
    assert "heel lift" in titles
    assert plan.run.mode in ("continuous", "walk_run")
    assert "hills" in plan.run.surface
    clinician = next(i for i in plan.items if i.kind == "escalation")
    assert "6-12 weeks" in clinician.why
    assert plan.escalation_rules


def test_heel_fat_pad_plan_has_cushioning_and_taping_all_labelled_expert_opinion() -> None:
    result, plan = _plan(FAT_PAD)
    assert result.treats == "fat_pad_syndrome"
    assert plan.items[0].title == "What this plan treats: Heel fat pad syndrome"
    by_id = {i.ref_id: i for i in plan.items}
    assert "fat_pad_heel_cup" in by_id
    assert "cushion" in by_id["fat_pad_heel_cup"].why.lower()
    assert "fat_pad_taping" in by_id["fat_pad_taping"].ref_id
    assert by_id["fat_pad_taping"].kind == "adjunct"
    assert "barefoot" in by_id["fat_pad_less_barefoot"].why
    # every graded item of the fat pad plan is expert opinion (grade E), the exercises included
    graded = [i for i in plan.items if i.evidence != "not_graded"]
    assert graded
    assert {i.evidence for i in graded} == {"E"}
    for item in _exercises(plan):
        assert "Expert opinion in fat pad syndrome" in item.why
    assert "softer" in plan.run.surface
    assert "no_barefoot_hard_floors" in {e.ref_id for e in plan.excluded}
    assert "expert opinion (grade E)" in plan.rationale


def test_fat_pad_taping_is_screened_against_a_skin_wound() -> None:
    _result, plan = _plan({**FAT_PAD, "skin_wound_or_infection": True})
    assert "fat_pad_taping" not in {i.ref_id for i in plan.items}
    reason = next(e.reason for e in plan.excluded if e.ref_id == "fat_pad_taping")
    assert "skin wound or infection" in reason


def test_an_irritable_insertional_achilles_starts_with_walk_run_and_the_gentlest_doses() -> None:
    _result, plan = _plan({**ACHILLES, "first_step_pain": 8, "worst_pain": 8})
    assert plan.irritability == "high"
    assert plan.phase == "settle"
    assert plan.run.mode == "walk_run"
    assert plan.run.stage == 1
    # the eccentric waits (max_irritability moderate) and says so
    assert "floor_level_eccentric_lower" in {e.ref_id for e in plan.excluded}


def test_a_continue_safely_flag_keeps_the_condition_plan_gentle_with_the_referral_on_top() -> None:
    result, plan = _plan({**ACHILLES, "diabetes": True})
    assert result.referral_action == REFER_AND_CONTINUE
    assert plan.referral_action == REFER_AND_CONTINUE
    assert plan.referral is not None
    assert "Diabetes" in plan.referral
    assert plan.phase == "settle"
    assert plan.irritability == "high"  # the diabetes flag's floor


def test_a_stress_fracture_stays_a_referral_with_a_return_for_after_clearance() -> None:
    result, plan = _plan({"squeeze_test": "positive", "pain_builds_with_activity": True})
    assert result.top is not None
    assert result.top.condition_id == "calcaneal_stress_fracture"
    assert plan.stops_loading
    assert plan.run.mode == "none"
    assert not _exercises(plan)
    item = next(i for i in plan.items if i.id == "after_clearance_calcaneal_stress_fracture")
    assert "only once a clinician has cleared you" in item.title
    assert "stage 1" in item.why
    assert "stage 6" in item.why
    assert item.optional
    assert item.days == ()  # never scheduled before clearance


def test_plantar_fasciitis_plans_are_unchanged_by_the_dispatch() -> None:
    answers = validate_answers(BASE, TK)
    result = triage(answers, CATALOGUE)
    drivers = infer_drivers(intake_evidence(answers, CATALOGUE), CATALOGUE)
    inp = PlanInput(answers, result, drivers, None, START)
    assert treated_condition(inp, CATALOGUE) is None
    assert build_plan(inp, CATALOGUE) == build_pf_plan(inp, CATALOGUE)


def test_every_condition_plan_names_real_exercises_with_doses() -> None:
    for knowledge in TK.condition_plans:
        condition = TK.condition(knowledge.condition)
        assert condition.self_manageable is bool(knowledge.exercises)
        for entry in knowledge.exercises:
            ex = CATALOGUE.exercises[entry.exercise]
            assert all(level.dose for level in ex.levels)


# ------------------------------------------------------------------------------------------------
# properties

#: A clean runner with plausible variation that never fires a flag or points away from the fascia.
CLEAN = st.fixed_dictionaries(
    {
        "age_years": st.integers(18, 70),
        "weight_kg": st.integers(45, 110),
        "weekly_distance_km": st.integers(5, 100),
        "first_step_pain": st.integers(3, 10),
        "worst_pain": st.integers(3, 7),
        "symptom_duration_weeks": st.integers(1, 11),
        "painful_side": st.sampled_from(["left", "right"]),
    }
).map(lambda d: {**BASE, **d})


def _alone(flag: RedFlag, clean: dict[str, Any]) -> dict[str, Any]:
    return _fire(flag, clean)


@settings(max_examples=200, deadline=None)
@given(clean=CLEAN, flag=st.sampled_from(TK.red_flags))
def test_every_warning_sign_alone_on_a_clean_runner_refers_at_its_level(
    clean: dict[str, Any], flag: RedFlag
) -> None:
    answers = validate_answers(_alone(flag, clean), TK)
    result = triage(answers, CATALOGUE)
    fired = {f.id: f for f in result.red_flags}
    assert flag.id in fired
    assert all(matches(p, answers) for p in flag.when)
    # at its level: never below it, and above it only when another flag fired at a higher level
    assert result.level.rank <= TriageLevel(flag.level).rank
    assert result.level == TriageLevel.most_urgent(*(f.level for f in result.red_flags))
    assert result.needs_clinician
    hit = fired[flag.id]
    assert hit.reason
    assert hit.what_to_do
    if flag.stops_loading:
        assert result.stops_loading
        assert result.treats is None


@settings(max_examples=200, deadline=None)
@given(answers=ANSWERS)
def test_no_plan_is_made_when_the_top_condition_is_not_self_manageable(answers: dict[str, Any]) -> None:
    clean = validate_answers(answers, TK)
    result = triage(clean, CATALOGUE)
    drivers = infer_drivers(intake_evidence(clean, CATALOGUE), CATALOGUE)
    plan = build_plan(PlanInput(clean, result, drivers, None, START), CATALOGUE)
    top = result.top
    assert top is not None
    if not top.self_manageable or result.stops_loading:
        assert plan.stops_loading
        assert plan.run.mode == "none"
        assert not _exercises(plan)
    else:
        assert result.treats == top.condition_id
        if top.condition_id != "plantar_fasciitis":
            assert plan.items[0].ref_id == top.condition_id  # the plan says what it treats


def test_a_condition_plan_runs_a_share_of_the_usual_week_and_shortens_the_long_run() -> None:
    _result, plan = _plan({**FAT_PAD, "weekly_distance_km": 40, "longest_run_km": 16})
    knowledge = TK.condition_plan("fat_pad_syndrome")
    assert knowledge is not None
    assert knowledge.running is not None
    pct = knowledge.running.weekly_volume_pct[plan.irritability]
    assert plan.run.weekly_km_cap == round(40 * pct / 100, 1)
    assert plan.run.max_single_run_km is not None
    assert plan.run.max_single_run_km <= 16 * pct / 100 + 1e-9
    assert plan.run.max_single_run_km < plan.run.weekly_km_cap
