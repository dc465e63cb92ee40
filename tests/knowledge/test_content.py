"""The content knowledge base: required ids, exact doses, grades, time limits and honest grading."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from heelcoach.knowledge import SAFETY_FLAGS, Catalogue
from heelcoach.knowledge.catalogue import data_dir
from heelcoach.knowledge.schema import (
    Dose,
    EvidenceGrade,
    Exercise,
    Habit,
    ManagementOption,
    PassiveTherapy,
    Step,
)

# The shared vocabularies of docs/ARCHITECTURE.md ("Stable ids"): every one of these must exist.
EXERCISE_IDS = (
    "standing_calf_stretch",
    "seated_achilles_plantar_stretch",
    "plantar_fascia_specific_stretch",
    "intrinsic_foot_control",
    "short_foot",
    "toe_yoga",
    "ankle_4way_band",
    "eccentric_heel_raise",
    "rathleff_high_load_heel_raise",
    "single_leg_balance",
    "lunge",
    "jump_lunge",
    "jump_squat",
    "skater_hop",
    "high_knees",
    "side_lying_hip_abduction",
    "clamshell",
    "side_plank",
    "single_leg_bridge",
    "step_down",
    "split_squat",
    "single_leg_deadlift",
)
SELF_TEST_IDS = (
    "single_leg_heel_raise_test",
    "knee_to_wall_test",
    "single_leg_balance_eyes_open_test",
    "single_leg_balance_eyes_closed_test",
    "single_leg_squat_quality_test",
    "short_foot_toe_control_test",
    "side_plank_hold_test",
    "windlass_self_check",
    "calcaneal_squeeze_self_check",
)
PASSIVE_IDS = (
    "foam_roller_rolling",
    "massage_ball_rolling",
    "frozen_bottle_rolling",
    "ice",
    "heat",
    "taping",
    "night_splint",
    "prefabricated_orthoses",
    "custom_orthoses",
    "fascia_blasting",
    "deep_tissue_massage",
    "trigger_point_therapy",
    "myofascial_release",
    "reflexology",
    "gua_sha",
    "home_fascia_massage_routine",
    "clinician_manual_therapy",
    "dry_needling",
    "low_level_laser",
    "therapeutic_ultrasound",
)
CROSS_TRAINING_IDS = ("swimming", "cycling", "pool_running", "elliptical")
EDUCATION_IDS = (
    "what_is_the_plantar_fascia",
    "why_it_keeps_coming_back",
    "passive_care_has_a_place",
    "prognosis",
    "surgery_is_no_failure",
    "pain_monitoring",
    "load_management",
    "keep_running_safely",
)
CONTENT_REFERENCE_IDS = (
    "jospt_2023_cpg",
    "jospt_2014_cpg",
    "rathleff_2015",
    "digiovanni_2003",
    "silbernagel_2007",
    "taddei_2020",
    "frandsen_2025",
    "nielsen_2014",
    "buist_2008",
    "impellizzeri_2020",
    "hansen_2018",
    "bramah_2018",
    "heiderscheit_2011",
    "van_hooren_2023",
    "ajimsha_2014",
    "juchli_2021",
    "alfuth_2024",
    "ryu_2024",
    "riel_2019",
    "riel_2023",
    "pohl_2009",
    "trials_2023_walk_run",
    "fraser_2018",
    "aafp_2025",
)

RULE_OF_THUMB = re.compile(r"rules? of thumb", re.IGNORECASE)

#: Intake equipment choices (docs/ARCHITECTURE.md, "Stable ids"); exercise equipment uses these names.
INTAKE_EQUIPMENT = {"resistance_band", "step", "backpack_or_weights", "gym"}
#: Equipment that is not an intake choice but is everyday household kit.
HOUSEHOLD_EQUIPMENT = {"towel", "towel_or_strap", "small_objects"}

#: Higher is stronger; everything that is not A-F ranks below F.
GRADE_RANK: dict[EvidenceGrade, int] = {
    "A": 6,
    "B": 5,
    "C": 4,
    "D": 3,
    "E": 2,
    "F": 1,
    "none": 0,
    "against": 0,
    "rule_of_thumb": 0,
    "not_graded": 0,
}

#: Tools and techniques that press hard or scrape: they must exclude bleeding risk and numb feet.
AGGRESSIVE = (
    "foam_roller_rolling",
    "massage_ball_rolling",
    "fascia_blasting",
    "gua_sha",
    "deep_tissue_massage",
    "trigger_point_therapy",
    "home_fascia_massage_routine",
)


def _id_groups() -> list[tuple[str, tuple[str, ...]]]:
    return [
        ("exercises", EXERCISE_IDS),
        ("self_tests", SELF_TEST_IDS),
        ("passive", PASSIVE_IDS),
        ("cross_training", CROSS_TRAINING_IDS),
        ("education", EDUCATION_IDS),
        ("references", CONTENT_REFERENCE_IDS),
    ]


@pytest.mark.parametrize(("attr", "item_id"), [(attr, i) for attr, ids in _id_groups() for i in ids])
def test_required_id_exists(catalogue: Catalogue, attr: str, item_id: str) -> None:
    assert item_id in getattr(catalogue, attr), f"{attr}: missing required id '{item_id}'"


def test_content_references_live_in_the_content_file() -> None:
    import yaml

    raw = yaml.safe_load((data_dir() / "references_content.yaml").read_text(encoding="utf-8"))
    ids = {ref["id"] for ref in raw["references"]}
    assert set(CONTENT_REFERENCE_IDS) <= ids


def test_counts_cover_the_seeds(catalogue: Catalogue) -> None:
    assert len(catalogue.habits) == 9  # seed 001's nine prevention habits
    assert len(catalogue.exercises) >= len(EXERCISE_IDS)
    assert len(catalogue.passive) >= len(PASSIVE_IDS)


# ------------------------------------------------------------------ exact doses from the sources


def _dose(catalogue: Catalogue, exercise_id: str, level: int) -> Dose:
    return catalogue.exercises[exercise_id].levels[level - 1].dose


@pytest.mark.parametrize(
    ("level", "sets", "reps", "rm", "load_word"),
    [(2, 3, 12, 12, "body"), (3, 4, 10, 10, "backpack"), (4, 5, 8, 8, "adding")],
)
def test_rathleff_levels_match_the_protocol(
    catalogue: Catalogue, level: int, sets: int, reps: int, rm: int, load_word: str
) -> None:
    """Rathleff 2015: weeks 1-2 3x12RM, weeks 3-4 4x10RM with a backpack, week 5 on 5x8RM adding load."""
    dose = _dose(catalogue, "rathleff_high_load_heel_raise", level)
    assert (dose.sets_min, dose.sets_max) == (sets, sets)
    assert (dose.reps_min, dose.reps_max) == (reps, reps)
    assert dose.rm == rm
    assert dose.tempo == "3-2-3"
    assert dose.days_per_week in (3, 4)  # every second day
    assert dose.load is not None
    assert load_word in dose.load


def test_rathleff_regression_and_start(catalogue: Catalogue) -> None:
    ex = catalogue.exercises["rathleff_high_load_heel_raise"]
    first = ex.levels[0]
    assert "two" in first.name.lower()
    assert "one" in first.name.lower()
    assert ex.start_level == 2  # the protocol starts at single leg; level 1 is the regression
    assert any("towel" in line for level in ex.levels for line in level.instructions)
    assert ex.max_irritability == "moderate"
    assert "rathleff_2015" in ex.sources


def test_digiovanni_dose(catalogue: Catalogue) -> None:
    ex = catalogue.exercises["plantar_fascia_specific_stretch"]
    dose = ex.levels[0].dose
    assert (dose.hold_s_min, dose.hold_s_max) == (10, 10)
    assert (dose.reps_min, dose.reps_max) == (10, 10)
    assert dose.times_per_day == 3
    assert dose.days_per_week == 7
    assert any("first steps" in line for line in ex.levels[0].instructions)
    assert ex.evidence == "A"


@pytest.mark.parametrize("exercise_id", ["standing_calf_stretch", "seated_achilles_plantar_stretch"])
def test_seed_001_stretch_dose(catalogue: Catalogue, exercise_id: str) -> None:
    dose = _dose(catalogue, exercise_id, 1)
    assert dose.hold_s_min == 60
    assert dose.hold_s_max is None  # '60+ seconds'
    assert (dose.reps_min, dose.reps_max) == (2, 3)
    assert dose.per_side


def test_eccentric_heel_raise_progressions(catalogue: Catalogue) -> None:
    ex = catalogue.exercises["eccentric_heel_raise"]
    names = [lv.name.lower() for lv in ex.levels]
    assert "floor" in names[0]
    assert "step" in names[1]
    assert "two" in names[2]
    assert "one" in names[2]
    assert "single" in names[3]
    for lv in ex.levels:
        assert (lv.dose.reps_min, lv.dose.reps_max, lv.dose.sets_min, lv.dose.sets_max) == (10, 15, 2, 3)


def test_ankle_band_has_four_movements(catalogue: Catalogue) -> None:
    text = " ".join(catalogue.exercises["ankle_4way_band"].levels[0].instructions).lower()
    for movement in ("plantar flexion", "dorsiflexion", "inversion", "eversion"):
        assert movement in text


def test_intrinsic_foot_control_covers_seed_001(catalogue: Catalogue) -> None:
    ex = catalogue.exercises["intrinsic_foot_control"]
    text = " ".join(line for lv in ex.levels for line in lv.instructions).lower()
    for word in ("scrunch", "lift", "marbles", "alphabet"):
        assert word in text
    dose = ex.levels[0].dose
    assert (dose.minutes_min, dose.minutes_max, dose.days_per_week) == (3, 5, 7)


def test_single_leg_balance_progressions(catalogue: Catalogue) -> None:
    ex = catalogue.exercises["single_leg_balance"]
    text = " ".join(lv.name.lower() for lv in ex.levels)
    for word in ("soft", "eyes closed", "dynamic"):
        assert word in text
    for lv in ex.levels:
        assert lv.dose.hold_s_min == 30
        assert (lv.dose.sets_min, lv.dose.sets_max) == (2, 3)


@pytest.mark.parametrize("exercise_id", ["jump_lunge", "jump_squat", "skater_hop", "high_knees"])
def test_jump_work_is_late_and_low_irritability_only(catalogue: Catalogue, exercise_id: str) -> None:
    ex = catalogue.exercises[exercise_id]
    assert ex.earliest_phase == "return"
    assert ex.max_irritability == "low"
    assert ex.evidence == "F"


# ------------------------------------------------------------------ structure of every exercise


def _exercises(catalogue: Catalogue) -> list[Exercise]:
    return list(catalogue.exercises.values())


def test_every_exercise_is_complete(catalogue: Catalogue) -> None:
    problems = []
    for ex in _exercises(catalogue):
        if not ex.drivers:
            problems.append(f"{ex.id}: no drivers")
        if ex.evidence == "not_graded":
            problems.append(f"{ex.id}: an intervention needs a grade")
        for lv in ex.levels:
            d = lv.dose
            if all(v is None for v in (d.sets_min, d.reps_min, d.hold_s_min, d.minutes_min)):
                problems.append(f"{ex.id} level {lv.level}: dose has no amount")
        unknown = set(ex.equipment) - INTAKE_EQUIPMENT - HOUSEHOLD_EQUIPMENT
        if unknown:
            problems.append(f"{ex.id}: equipment {sorted(unknown)} is not an intake choice")
    assert problems == []


def test_hip_and_power_work_are_not_overgraded(catalogue: Catalogue) -> None:
    for ex in _exercises(catalogue):
        if "hip" in ex.targets and ex.category != "power" and ex.id != "lunge":
            assert ex.evidence in ("E", "F"), f"{ex.id}: hip work is clinical reasoning (seed 000)"
    for ex_id in (
        "standing_calf_stretch",
        "seated_achilles_plantar_stretch",
        "plantar_fascia_specific_stretch",
    ):
        assert catalogue.exercises[ex_id].evidence == "A"
    for ex_id in ("eccentric_heel_raise", "rathleff_high_load_heel_raise", "ankle_4way_band"):
        assert catalogue.exercises[ex_id].evidence == "B"


# ------------------------------------------------------------------ self-tests


def test_self_tests_have_norm_or_meaning(catalogue: Catalogue) -> None:
    for test in catalogue.self_tests.values():
        if test.unit == "yes_no":
            assert test.norm is None, test.id
            assert test.positive_means, test.id
            assert test.value_max == 1, test.id
        else:
            assert test.norm is not None, test.id
            assert test.value_min <= test.norm.concern <= test.value_max, test.id
            assert test.value_min <= test.norm.good <= test.value_max, test.id
            if test.norm.grade == "rule_of_thumb":
                assert RULE_OF_THUMB.search(test.norm.note), f"{test.id}: say it is a rule of thumb"
            assert test.measures, test.id


def test_heel_raise_norm(catalogue: Catalogue) -> None:
    test = catalogue.self_tests["single_leg_heel_raise_test"]
    assert test.unit == "reps"
    assert test.norm is not None
    assert test.norm.good == 25
    assert test.norm.concern == 20
    assert test.norm.asymmetry_pct is not None
    assert 10 <= test.norm.asymmetry_pct <= 15
    assert RULE_OF_THUMB.search(test.norm.note), "say which cut-offs are rules of thumb"
    assert test.measures == ["calf_capacity"]


def test_units(catalogue: Catalogue) -> None:
    units = {t.id: t.unit for t in catalogue.self_tests.values()}
    assert units["knee_to_wall_test"] == "cm"
    assert units["single_leg_balance_eyes_open_test"] == "s"
    assert units["single_leg_balance_eyes_closed_test"] == "s"
    assert units["side_plank_hold_test"] == "s"
    assert units["single_leg_squat_quality_test"] == "score"
    squat = catalogue.self_tests["single_leg_squat_quality_test"]
    assert squat.norm is not None
    assert not squat.norm.higher_is_better  # it counts faults


def test_squeeze_check_sends_to_a_clinician(catalogue: Catalogue) -> None:
    text = catalogue.self_tests["calcaneal_squeeze_self_check"].positive_means or ""
    assert "stress fracture" in text
    assert "clinician" in text


# ------------------------------------------------------------------ passive care


def test_passive_items_have_a_limit_or_a_reason(catalogue: Catalogue) -> None:
    for item in catalogue.passive.values():
        assert item.time_limit_weeks is not None or item.evidence == "against", (
            f"{item.id}: passive care needs a time limit (or is not prescribed at all)"
        )
        assert item.evidence != "not_graded", item.id


@pytest.mark.parametrize("item_id", AGGRESSIVE)
def test_aggressive_tools_exclude_bleeding_and_numb_feet(catalogue: Catalogue, item_id: str) -> None:
    flags = set(catalogue.passive[item_id].contraindications)
    assert {"anticoagulant_or_bleeding", "diabetes_reduced_sensation"} <= flags
    assert {"skin_wound_or_infection", "suspected_fracture", "suspected_clot", "pregnancy"} <= flags


def test_cold_excludes_poor_circulation(catalogue: Catalogue) -> None:
    for item_id in ("ice", "frozen_bottle_rolling"):
        flags = set(catalogue.passive[item_id].contraindications)
        assert {"poor_circulation", "diabetes_reduced_sensation"} <= flags


def test_contraindications_are_safety_flags(catalogue: Catalogue) -> None:
    for item in catalogue.passive.values():
        assert set(item.contraindications) <= set(SAFETY_FLAGS)
        assert len(item.contraindications) == len(set(item.contraindications)), item.id


def test_seed_002_marketing_is_not_overgraded(catalogue: Catalogue) -> None:
    p = catalogue.passive
    assert p["fascia_blasting"].evidence == "none"
    assert p["gua_sha"].evidence == "none"
    assert p["reflexology"].evidence == "none"
    assert "ajimsha_2014" in p["myofascial_release"].sources
    assert "juchli_2021" in p["trigger_point_therapy"].sources
    assert p["therapeutic_ultrasound"].evidence == "against"
    for item_id in ("fascia_blasting", "gua_sha", "home_fascia_massage_routine"):
        assert p[item_id].claims_not_supported, f"{item_id}: list the claims the evidence does not back"
    claims = " ".join(p["home_fascia_massage_routine"].claims_not_supported).lower()
    for phrase in ("adhesions", "recurrence", "lymphatic"):
        assert phrase in claims


def test_grades_do_not_exceed_the_best_source(catalogue: Catalogue) -> None:
    """An item backed only by seeds, or at best case reports, cannot claim trial-level evidence."""
    refs = catalogue.references
    items: list[Exercise | PassiveTherapy | ManagementOption | Habit] = [
        *catalogue.exercises.values(),
        *catalogue.passive.values(),
        *catalogue.management.values(),
        *catalogue.habits.values(),
    ]
    for item in items:
        kinds = {refs[s].kind for s in item.sources}
        grade = item.evidence
        if kinds <= {"seed", "expert", "other"}:
            assert GRADE_RANK[grade] <= GRADE_RANK["E"], f"{item.id}: {grade} from seeds alone"
        elif kinds <= {"seed", "expert", "other", "case_report"}:
            assert GRADE_RANK[grade] <= GRADE_RANK["C"], f"{item.id}: {grade} from case reports"


def test_key_passive_grades(catalogue: Catalogue) -> None:
    p = catalogue.passive
    assert p["night_splint"].evidence == "A"
    assert p["night_splint"].time_limit_weeks == 12
    assert p["taping"].evidence == "A"
    assert p["clinician_manual_therapy"].evidence == "A"
    assert p["dry_needling"].evidence == "B"
    assert p["low_level_laser"].evidence == "B"
    assert p["prefabricated_orthoses"].evidence == p["custom_orthoses"].evidence == "B"
    assert not p["clinician_manual_therapy"].self_administered


def test_home_massage_steps_in_seed_order(catalogue: Catalogue) -> None:
    steps = [s.id for s in catalogue.passive["home_fascia_massage_routine"].how]
    order = ["massage_prepare_soak", "massage_lubricate", "massage_long_strokes", "massage_calf_achilles"]
    assert [s for s in steps if s in order] == order
    assert steps[-1] == "massage_stop_on_pain"


# ------------------------------------------------------------------ habits, education, ids


def test_ten_percent_rule_is_a_rule_of_thumb(catalogue: Catalogue) -> None:
    habit = catalogue.habits["increase_training_gradually"]
    assert habit.evidence == "rule_of_thumb"
    assert {"buist_2008", "frandsen_2025"} <= set(habit.sources)


def test_prognosis_numbers(catalogue: Catalogue) -> None:
    topic = catalogue.education["prognosis"]
    text = " ".join(topic.body)
    for fact in ("80%", "12 months", "5 years", "6 weeks", "6-12 weeks", "3 months", "6 months"):
        assert fact in text
    assert "hansen_2018" in topic.sources


def test_step_ids_are_unique(catalogue: Catalogue) -> None:
    steps: list[Step] = [s for t in catalogue.self_tests.values() for s in t.instructions]
    steps += [s for p in catalogue.passive.values() for s in p.how]
    counts = Counter(s.id for s in steps)
    assert [i for i, n in counts.items() if n > 1] == []
    assert not set(counts) & catalogue.all_ids(), "a step id must not shadow an item id"


def test_risk_factors_link_drivers(catalogue: Catalogue) -> None:
    rf = catalogue.risk_factors
    assert rf["limited_dorsiflexion"].driver == "ankle_mobility"
    assert rf["high_bmi_non_athletes"].driver == "body_mass"
    assert rf["rapid_training_increase"].driver == "load_spike"
    covered = {r.driver for r in rf.values() if r.driver}
    assert covered >= {"hip_control", "knee_control", "foot_intrinsics", "calf_capacity", "footwear"}


def test_footwear_by_foot_type(catalogue: Catalogue) -> None:
    types = {f.foot_type for f in catalogue.footwear.values()}
    assert types == {"flat", "high_arch", "neutral", "any"}
    assert "stiffer" in catalogue.footwear["flat_foot_support"].plain
    assert "softer" in catalogue.footwear["high_arch_cushioning"].plain


def test_every_red_flag_decides_stop_or_continue(catalogue) -> None:  # type: ignore[no-untyped-def]
    from pydantic import ValidationError

    from heelcoach.knowledge.schema_triage import RedFlag

    flags = catalogue.triage.red_flags
    for flag in flags:
        assert flag.action in ("stop_and_refer", "refer_and_continue_safely"), flag.id
        assert len(flag.action_reason) >= 40, flag.id  # a real clinical reason, for reviewers
        # plain 'what to do': starts with an instruction a runner can follow
        assert flag.what_to_do.split()[0] in {"See", "Get", "Go", "Book", "Have", "Stop"}, flag.id
        if flag.level == "emergency":
            assert flag.stops_loading, flag.id
            assert "today" in flag.what_to_do, flag.id
    continuing = {f.id for f in flags if not f.stops_loading}
    # only the course of the problem, diabetes with normal feeling, and risk factors without a sign
    # (immune suppression, a recent infection, a history of cancer) let a gentle plan continue
    assert continuing == {
        "no_improvement_with_exercise",
        "diabetes",
        "immune_suppression",
        "recent_infection",
        "cancer_history",
    }
    for flag in flags:
        if flag.id in continuing:
            assert flag.meanwhile
            assert flag.continue_phase == "settle"
    assert catalogue.triage.refer_and_continue is not None
    base = next(f for f in flags if f.id == "possible_clot").model_dump()
    with pytest.raises(ValidationError, match="emergency always has action stop_and_refer"):
        RedFlag.model_validate({**base, "action": "refer_and_continue_safely", "continue_phase": "settle"})
    with pytest.raises(ValidationError, match="needs continue_phase"):
        RedFlag.model_validate({**base, "level": "refer", "action": "refer_and_continue_safely"})
    with pytest.raises(ValidationError, match="only apply"):
        RedFlag.model_validate({**base, "continue_phase": "settle"})
