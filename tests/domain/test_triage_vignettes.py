"""Clinical vignettes: answer overrides on a clean plantar fasciitis runner, each with the expected
triage level and top condition (features from docs/EVIDENCE.md section 2 and seed 001).
"""

from __future__ import annotations

from typing import Any

import pytest

from heelcoach.domain.intake import validate_answers
from heelcoach.domain.triage import passive_loop_history, triage
from heelcoach.domain.types import TriageLevel
from tests.domain import plan_helpers

#: A clean, typical plantar fasciitis runner: no red flag, no caution, no passive-care loop (the
#: plan tests' runner, a little newer to the pain, after a rise in training).
BASE: dict[str, Any] = {
    **plan_helpers.BASE,
    "height_cm": 172,
    "weight_kg": 70,
    "weekly_distance_km": 38,
    "longest_run_km": 16,
    "equipment": ["resistance_band", "step"],
    "symptom_duration_weeks": 5,
    "onset": "after_training_increase",
    "recent_load_increase": True,
    "pain_location": ["inner_heel_bottom", "arch"],
    "first_step_pain": 6,
    "tried": [],
}

E, R, C, S = TriageLevel.EMERGENCY, TriageLevel.REFER, TriageLevel.CAUTION, TriageLevel.SELF_MANAGE
PF = "plantar_fasciitis"
SF = "calcaneal_stress_fracture"
NERVE = "baxter_nerve_tarsal_tunnel"

#: (name, overrides, expected level, expected top condition, red flags that must fire)
VIGNETTES: list[tuple[str, dict[str, Any], TriageLevel, str, set[str]]] = [
    # --- plantar fasciitis, self-managed or with care
    ("classic_pf", {}, S, PF, set()),
    (
        "pf_inner_heel_only_no_windlass",
        {"pain_location": ["inner_heel_bottom"], "windlass_test": "not_done"},
        S,
        PF,
        set(),
    ),
    ("pf_no_training_trigger", {"onset": "gradual", "recent_load_increase": False}, S, PF, set()),
    ("pf_both_heels_no_other_joints", {"both_heels": True}, S, PF, set()),
    ("pf_flat_foot_heavier", {"foot_type": "flat", "weight_kg": 105}, S, PF, set()),
    ("pf_early_strengthening", {"tried": ["strengthening"], "symptom_duration_weeks": 4}, S, PF, set()),
    # high first-step pain alone changes where the plan starts, not who manages it (issue 14)
    ("pf_high_first_step_pain", {"first_step_pain": 8}, S, PF, set()),
    ("pf_very_high_worst_pain", {"first_step_pain": 8, "worst_pain": 9}, C, PF, set()),
    ("pf_running_hurts_too_much", {"pain_during_run": 7}, C, PF, set()),
    ("pf_long_duration", {"symptom_duration_weeks": 20, "tried": ["stretching"]}, C, PF, set()),
    ("pf_pregnant", {"pregnant": "yes"}, C, PF, set()),
    ("pf_blood_thinners", {"anticoagulants_or_bleeding_disorder": True}, C, PF, set()),
    ("pf_skin_wound", {"skin_wound_or_infection": True}, C, PF, set()),
    (
        "pf_recurring_passive_loop",
        {"past_episodes": 4, "tried": ["rolling", "massage", "new_shoes"]},
        C,
        PF,
        set(),
    ),
    (
        "pf_long_morning_stiffness_only",
        {
            "morning_stiffness_over_30_min": True,
            "both_heels": True,
            "onset": "gradual",
            "recent_load_increase": False,
        },
        C,
        PF,
        set(),
    ),
    # --- heel spur: a finding beside plantar fasciitis, never the top condition
    (
        "older_long_standing_spur_likely",
        {"age_years": 58, "symptom_duration_weeks": 40, "tried": ["rolling", "stretching"]},
        C,
        PF,
        set(),
    ),
    # --- heel bone (stress) fracture
    # A warning sign that points to a serious cause puts that cause first (err toward referral).
    ("squeeze_positive_classic_pf", {"squeeze_test": "positive"}, R, SF, {"positive_squeeze"}),
    (
        "stress_fracture_pattern",
        {
            "squeeze_test": "positive",
            "pain_builds_with_activity": True,
            "first_steps_worst_then_eases": False,
            "pain_location": ["whole_heel"],
            "windlass_test": "negative",
        },
        R,
        SF,
        {"positive_squeeze"},
    ),
    (
        "stress_fracture_night_pain_limp",
        {
            "squeeze_test": "positive",
            "pain_at_rest_or_night": True,
            "limping": True,
            "pain_builds_with_activity": True,
            "first_steps_worst_then_eases": False,
        },
        R,
        SF,
        {"positive_squeeze", "night_or_rest_pain", "limping"},
    ),
    (
        "deep_heel_pain_not_easing_no_tests",
        {
            "first_steps_worst_then_eases": False,
            "first_step_pain": 3,
            "pain_location": ["whole_heel"],
            "windlass_test": "not_done",
            "squeeze_test": "not_done",
        },
        R,
        SF,
        set(),
    ),
    (
        "fall_cannot_stand",
        {"onset": "after_fall_or_injury", "can_bear_weight": False},
        E,
        SF,
        {"injury_cannot_bear_weight", "injury_or_fall", "cannot_bear_weight"},
    ),
    (
        "fall_cannot_stand_bone_pattern",
        {
            "onset": "after_fall_or_injury",
            "can_bear_weight": False,
            "first_steps_worst_then_eases": False,
            "pain_location": ["whole_heel"],
            "squeeze_test": "not_done",
        },
        E,
        SF,
        {"injury_cannot_bear_weight"},
    ),
    ("after_injury_can_stand", {"onset": "after_fall_or_injury"}, R, SF, {"injury_or_fall"}),
    # --- fat pad
    (
        "fat_pad_central_bruise",
        {
            "pain_location": ["centre_heel_pad"],
            "first_steps_worst_then_eases": False,
            "first_step_pain": 2,
            "windlass_test": "negative",
            "pain_builds_with_activity": True,
        },
        R,
        "fat_pad_syndrome",
        set(),
    ),
    (
        "fat_pad_both_heels",
        {
            "pain_location": ["centre_heel_pad"],
            "both_heels": True,
            "first_steps_worst_then_eases": False,
            "windlass_test": "not_done",
        },
        S,
        "fat_pad_syndrome",
        set(),
    ),
    # --- nerve
    (
        "numbness_with_classic_pf",
        {"numbness_tingling_burning": True},
        R,
        NERVE,
        {"numbness_tingling_burning"},
    ),
    (
        "tarsal_tunnel_radiating",
        {
            "numbness_tingling_burning": True,
            "pain_location": ["inner_ankle_radiating", "inner_heel_bottom"],
            "first_steps_worst_then_eases": False,
        },
        R,
        "baxter_nerve_tarsal_tunnel",
        {"numbness_tingling_burning"},
    ),
    (
        "baxter_burning_night",
        {
            "numbness_tingling_burning": True,
            "pain_location": ["inner_ankle_radiating"],
            "windlass_test": "negative",
            "pain_at_rest_or_night": True,
        },
        R,
        "baxter_nerve_tarsal_tunnel",
        {"numbness_tingling_burning", "night_or_rest_pain"},
    ),
    # --- Achilles insertion
    (
        "achilles_back_of_heel_hills",
        {"pain_location": ["back_of_heel"], "worse_on_stairs_or_hills": True, "windlass_test": "negative"},
        S,
        "achilles_insertional",
        set(),
    ),
    (
        "achilles_and_plantar_mixed",
        {"pain_location": ["back_of_heel", "inner_heel_bottom"], "worse_on_stairs_or_hills": True},
        R,
        PF,
        set(),
    ),
    (
        "achilles_age_16_not_severs",
        {"age_years": 16, "pain_location": ["back_of_heel"], "worse_on_stairs_or_hills": True},
        R,
        "achilles_insertional",
        set(),
    ),
    # --- inflammatory arthritis
    (
        "inflammatory_both_heels_joints",
        {
            "both_heels": True,
            "other_joints_stiff_or_swollen": True,
            "morning_stiffness_over_30_min": True,
            "onset": "gradual",
            "recent_load_increase": False,
        },
        R,
        "inflammatory_arthritis",
        {"both_heels_and_joints"},
    ),
    (
        "inflammatory_swollen_heel_joints",
        {
            "both_heels": True,
            "other_joints_stiff_or_swollen": True,
            "swelling_warmth_redness": True,
            "recent_load_increase": False,
            "morning_stiffness_over_30_min": True,
        },
        R,
        "inflammatory_arthritis",
        {"both_heels_and_joints", "swelling_warmth_redness"},
    ),
    # --- Sever's disease
    (
        "severs_classic",
        {"age_years": 12, "pain_location": ["back_of_heel"], "squeeze_test": "positive", "limping": True},
        R,
        "severs_disease",
        {"severs_age_back_of_heel", "positive_squeeze", "limping"},
    ),
    (
        "severs_back_of_heel_only",
        {"age_years": 10, "pain_location": ["back_of_heel"]},
        R,
        "severs_disease",
        {"severs_age_back_of_heel"},
    ),
    ("teen_plantar_pain_refer", {"age_years": 14}, R, PF, set()),
    # --- plantar fascia tear
    (
        "rupture_pop_swelling",
        {"onset": "sudden_pop", "swelling_warmth_redness": True},
        R,
        "plantar_fascia_rupture",
        {"sudden_pop", "swelling_warmth_redness"},
    ),
    (
        "rupture_after_injection",
        {"onset": "sudden_pop", "tried": ["injection"], "limping": True},
        R,
        "plantar_fascia_rupture",
        {"sudden_pop", "limping"},
    ),
    ("rupture_pop_only", {"onset": "sudden_pop"}, R, "plantar_fascia_rupture", {"sudden_pop"}),
    # --- urgent the same day
    (
        "hot_red_heel_fever",
        {"swelling_warmth_redness": True, "fever_or_unwell": True},
        E,
        "heel_infection",
        {"hot_red_heel_with_fever", "swelling_warmth_redness", "fever_or_unwell"},
    ),
    ("calf_swelling_clot", {"calf_swelling_or_warmth": True}, E, "deep_vein_thrombosis", {"possible_clot"}),
    (
        "numbness_worsening_fast",
        {"numbness_tingling_burning": True, "numbness_or_weakness_worsening_fast": True},
        E,
        NERVE,
        {"numbness_weakness_worsening", "numbness_tingling_burning"},
    ),
    # --- refer on a single warning sign
    ("cannot_bear_weight", {"can_bear_weight": False}, R, PF, {"cannot_bear_weight"}),
    ("limping", {"limping": True}, R, PF, {"limping"}),
    # the serious cause of a swollen, warm, red heel is listed first (issue 14)
    ("swollen_warm_red", {"swelling_warmth_redness": True}, R, "heel_infection", {"swelling_warmth_redness"}),
    ("fever", {"fever_or_unwell": True}, R, PF, {"fever_or_unwell"}),
    ("night_pain", {"pain_at_rest_or_night": True}, R, SF, {"night_or_rest_pain"}),
    ("diabetes", {"diabetes": True}, R, PF, {"diabetes"}),
    ("reduced_sensation", {"reduced_foot_sensation": True}, R, PF, {"reduced_foot_sensation"}),
    ("poor_circulation", {"poor_circulation": True}, R, PF, {"poor_circulation"}),
    (
        "no_better_after_exercise",
        {"symptom_duration_weeks": 10, "tried": ["strengthening", "stretching"]},
        R,
        PF,
        {"no_improvement_with_exercise"},
    ),
]


def _answers(overrides: dict[str, Any]) -> dict[str, Any]:
    return {**BASE, **overrides}


@pytest.mark.parametrize(
    ("overrides", "level", "top", "flags"),
    [pytest.param(o, lv, t, f, id=name) for name, o, lv, t, f in VIGNETTES],
)
def test_vignette(catalogue, overrides, level, top, flags) -> None:  # type: ignore[no-untyped-def]
    answers = validate_answers(_answers(overrides), catalogue.triage)
    result = triage(answers, catalogue)
    fired = {f.id for f in result.red_flags}
    assert result.level is level, result.explain()
    assert result.top is not None
    assert result.top.condition_id == top, [(c.condition_id, c.score) for c in result.differential]
    assert flags <= fired, fired
    if level in (S, C):
        assert not fired
    assert result.explain()


def test_base_is_clean(catalogue) -> None:  # type: ignore[no-untyped-def]
    result = triage(validate_answers(BASE, catalogue.triage), catalogue)
    assert result.level is S
    assert not result.red_flags
    assert not result.cautions
    assert not result.safety_flags
    assert not result.passive_loop
    top = result.top
    assert top is not None
    assert top.likelihood == "most likely"
    assert top.supporting
    assert all(r.question_ids for r in top.supporting)


def test_vignettes_cover_every_condition_and_red_flag(catalogue) -> None:  # type: ignore[no-untyped-def]
    from tests.domain.test_triage_vignettes_v3 import NEW_VIGNETTES

    every = [*VIGNETTES, *((n, o, lv, t, f) for n, _case, o, lv, t, f in NEW_VIGNETTES)]
    tops = {top for _, _, _, top, _ in every}
    flags: set[str] = set()
    for _, overrides, _, _, _ in every:
        result = triage(validate_answers(_answers(overrides), catalogue.triage), catalogue)
        flags |= {f.id for f in result.red_flags}
    diagnoses = {c.id for c in catalogue.triage.conditions if c.kind == "diagnosis"}
    assert diagnoses <= tops
    assert {f.id for f in catalogue.triage.red_flags} <= flags
    assert len(VIGNETTES) >= 40


#: One answer per red flag that, changed alone on the clean base, fires it.
SINGLE_CHANGE: dict[str, dict[str, Any]] = {
    "injury_or_fall": {"onset": "after_fall_or_injury"},
    "cannot_bear_weight": {"can_bear_weight": False},
    "limping": {"limping": True},
    "numbness_tingling_burning": {"numbness_tingling_burning": True},
    "swelling_warmth_redness": {"swelling_warmth_redness": True},
    "fever_or_unwell": {"fever_or_unwell": True},
    "night_or_rest_pain": {"pain_at_rest_or_night": True},
    "positive_squeeze": {"squeeze_test": "positive"},
    "diabetes": {"diabetes": True},
    "reduced_foot_sensation": {"reduced_foot_sensation": True},
    "poor_circulation": {"poor_circulation": True},
    "sudden_pop": {"onset": "sudden_pop"},
    "possible_clot": {"calf_swelling_or_warmth": True},
    "severs_age_back_of_heel": {"age_years": 11, "pain_location": ["back_of_heel"]},
    "no_improvement_with_exercise": {"symptom_duration_weeks": 8, "tried": ["strengthening"]},
    "both_heels_and_joints": {"both_heels": True, "other_joints_stiff_or_swollen": True},
    "injury_cannot_bear_weight": {"onset": "after_fall_or_injury", "can_bear_weight": False},
    "hot_red_heel_with_fever": {"swelling_warmth_redness": True, "fever_or_unwell": True},
    "numbness_weakness_worsening": {"numbness_or_weakness_worsening_fast": True},
    # added in questionnaire version 3 (issue 14)
    "puncture_wound": {"puncture_wound": True},
    "swollen_heel_immune_suppressed": {"swelling_warmth_redness": True, "immune_suppression": True},
    "swollen_heel_after_infection": {"swelling_warmth_redness": True, "recent_infection": True},
    "diabetic_hot_swollen_foot": {"swelling_warmth_redness": True, "diabetes": True},
    "immune_suppression": {"immune_suppression": True},
    "recent_infection": {"recent_infection": True},
    "cancer_history": {"cancer_history": True},
    "cancer_history_with_rest_pain": {"cancer_history": True, "pain_at_rest_or_night": True},
    "unexplained_weight_loss": {"unexplained_weight_loss": True},
    "constant_pain_not_eased": {"pain_constant_not_eased": True},
    "back_pain_down_leg": {"back_pain_down_leg": True},
    "numbness_down_leg": {"numbness_where": ["down_the_leg"]},
    "numbness_both_feet": {"numbness_where": ["both_feet"]},
    "clot_signs_with_risk_factors": {"calf_swelling_or_warmth": True, "clot_risk_factors": ["long_travel"]},
    "achilles_snap": {"achilles_snap": True},
    "reds_missed_periods": {"missed_periods": "yes"},
    "reds_low_energy_bone_stress": {"low_energy_intake": True, "past_bone_stress_injury": True},
}

#: The red flags that only need a clinician's review: the plan continues gently meanwhile.
CONTINUE_SAFELY = {
    "no_improvement_with_exercise",
    "diabetes",
    "immune_suppression",
    "recent_infection",
    "cancer_history",
}
#: The danger signs of the brief: fracture, nerve, infection, clot, rupture, inflammatory disease,
#: cannot bear weight, trauma (and a limp, reduced sensation, poor circulation, a growing heel).
STOPPING = set(SINGLE_CHANGE) - CONTINUE_SAFELY


def test_every_red_flag_has_a_single_change(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert set(SINGLE_CHANGE) == {f.id for f in catalogue.triage.red_flags}


@pytest.mark.parametrize("flag_id", sorted(SINGLE_CHANGE))
def test_each_red_flag_alone_flips_the_level(catalogue, flag_id: str) -> None:  # type: ignore[no-untyped-def]
    flag = next(f for f in catalogue.triage.red_flags if f.id == flag_id)
    result = triage(validate_answers(_answers(SINGLE_CHANGE[flag_id]), catalogue.triage), catalogue)
    assert flag_id in {f.id for f in result.red_flags}
    assert result.level in (E, R)
    assert result.level.rank <= TriageLevel(flag.level).rank
    hit = next(f for f in result.red_flags if f.id == flag_id)
    assert hit.what_to_do
    assert hit.reason
    assert hit.answers
    assert result.next_steps
    assert hit.action == flag.action
    assert hit.stops_loading is (flag_id in STOPPING)
    assert result.referral_action == (
        "stop_and_refer" if flag_id in STOPPING else "refer_and_continue_safely"
    )
    assert result.stops_loading is (flag_id in STOPPING)
    if not hit.stops_loading:
        # alone, a continue-safely flag says what to keep doing meanwhile, and the level says so
        assert flag.meanwhile
        assert flag.meanwhile in hit.what_to_do
        assert "keep" in result.level_title.lower()
        assert any("gentle plan" in step for step in result.next_steps)
    else:
        assert "gentle plan" not in " ".join(result.next_steps)


def test_the_emergency_list_matches_the_evidence(catalogue) -> None:  # type: ignore[no-untyped-def]
    """docs/EVIDENCE.md section 2: urgent care the same day for a hot red heel with fever, inability
    to bear weight after trauma, rapidly worsening numbness or weakness (plus a possible clot)."""
    emergencies = {f.id for f in catalogue.triage.red_flags if f.level == "emergency"}
    assert emergencies == {
        "hot_red_heel_with_fever",
        "injury_cannot_bear_weight",
        "numbness_weakness_worsening",
        "possible_clot",
        # docs/EVIDENCE.md 2b (issue 14): same day for a wound through the sole, a swollen heel with a
        # risk of infection, a clot with risk factors and a possible Achilles rupture
        "puncture_wound",
        "swollen_heel_immune_suppressed",
        "swollen_heel_after_infection",
        "diabetic_hot_swollen_foot",
        "clot_signs_with_risk_factors",
        "achilles_snap",
    }
    for flag_id in emergencies:
        result = triage(validate_answers(_answers(SINGLE_CHANGE[flag_id]), catalogue.triage), catalogue)
        assert result.level is E
        assert result.stops_loading
        assert "today" in result.next_steps[0].lower()


def test_a_stopping_flag_wins_over_a_continue_safely_flag(catalogue) -> None:  # type: ignore[no-untyped-def]
    both = {**SINGLE_CHANGE["no_improvement_with_exercise"], "numbness_tingling_burning": True}
    result = triage(validate_answers(_answers(both), catalogue.triage), catalogue)
    assert result.referral_action == "stop_and_refer"
    assert result.red_flags[0].stops_loading  # the stop is listed first
    slow = next(f for f in result.red_flags if f.id == "no_improvement_with_exercise")
    assert "keep running" not in slow.what_to_do  # no 'keep going' advice beside a stop
    assert result.level_title == catalogue.triage.levels["refer"].title


def test_an_unclear_diagnosis_stops_loading(catalogue) -> None:  # type: ignore[no-untyped-def]
    # fat pad only 2 points ahead of a stress fracture: too close to call
    fat_pad = {
        "pain_location": ["centre_heel_pad"],
        "first_steps_worst_then_eases": False,
        "first_step_pain": 2,
        "windlass_test": "negative",
        "pain_builds_with_activity": True,
    }
    result = triage(validate_answers(_answers(fat_pad), catalogue.triage), catalogue)
    assert result.level is R
    assert not result.red_flags
    assert result.top is not None
    assert result.top.condition_id == "fat_pad_syndrome"
    # the heel may not be plantar fasciitis at all: no loading plan until a clinician has looked
    assert result.referral_action == "stop_and_refer"


def test_heel_spur_is_a_finding_never_the_top(catalogue) -> None:  # type: ignore[no-untyped-def]
    result = triage(
        validate_answers(_answers({"age_years": 60, "symptom_duration_weeks": 52}), catalogue.triage),
        catalogue,
    )
    spur = next(c for c in result.differential if c.condition_id == "heel_spur")
    assert spur.likelihood == "possible finding"
    assert result.top is not None
    assert result.top.condition_id != "heel_spur"
    assert "without" in spur.plain or "no heel pain" in spur.plain
    # Findings are listed after every diagnosis.
    assert result.differential[-1].kind == "finding"


def test_safety_flags_from_answers(catalogue) -> None:  # type: ignore[no-untyped-def]
    cases = {
        "diabetes_reduced_sensation": {"reduced_foot_sensation": True},
        "anticoagulant_or_bleeding": {"anticoagulants_or_bleeding_disorder": True},
        "pregnancy": {"pregnant": "yes"},
        "skin_wound_or_infection": {"skin_wound_or_infection": True},
        "suspected_fracture": {"squeeze_test": "positive"},
        "suspected_clot": {"calf_swelling_or_warmth": True},
        "poor_circulation": {"poor_circulation": True},
    }
    for flag, overrides in cases.items():
        result = triage(validate_answers(_answers(overrides), catalogue.triage), catalogue)
        assert flag in result.safety_flags, flag
        assert result.safety_notes
    injured = triage(
        validate_answers(_answers({"onset": "after_fall_or_injury"}), catalogue.triage), catalogue
    )
    assert "suspected_fracture" in injured.safety_flags
    assert "pregnancy" not in triage(validate_answers(BASE, catalogue.triage), catalogue).safety_flags


@pytest.mark.parametrize(
    ("tried", "episodes", "expected"),
    [
        (["rolling", "massage", "taping"], 2, True),
        (["new_shoes", "orthotics", "rest", "ice"], 1, True),
        (["rolling", "strengthening"], 3, False),  # strengthening breaks the loop
        (["rolling"], 0, False),  # first episode: no loop yet
        ([], 5, False),  # nothing tried
        (["injection"], 2, False),  # not passive self-care
        (["rolling", "stretching"], 2, False),  # stretching is active work
        (["night_splint", "taping"], 1, True),
    ],
)
def test_passive_loop_history(catalogue, tried, episodes, expected) -> None:  # type: ignore[no-untyped-def]
    answers = validate_answers(_answers({"tried": tried, "past_episodes": episodes}), catalogue.triage)
    assert passive_loop_history(answers, catalogue) is expected
    assert triage(answers, catalogue).passive_loop is expected
