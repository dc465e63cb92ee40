"""Every concrete item of the three seed articles is carried by a knowledge id, with its exact dose.

The TABLE maps (seed file, item as the seed words it, knowledge id). Symptoms, causes and warnings
that triage handles map to condition or intake-question ids in triage.yaml; everything else maps to
content items, instruction steps or references. Rows with a ``dose`` restate the seed's numbers in a
tiny grammar ("hold 60+ s", "2-3 times each side", "10-15 reps", "2-3 sets", "3-5 min", "daily",
"3 times a day", "12RM", "tempo 3-2-3") that is checked against the Dose of the given level.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import pytest

from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.schema import Dose

S000 = "000_053cd51470db9f5f.txt"
S001 = "001_c88ffc6ce3019281.txt"
S002 = "002_30ee24981d7ad049.txt"


class Row(NamedTuple):
    """One concrete seed item and the knowledge id that carries it."""

    seed: str
    item: str
    knowledge_id: str
    dose: str | None = None
    level: int = 1


TABLE: list[Row] = [
    # ------------------------------------------------------------ seed 000 (sports clinic)
    Row(
        S000,
        "passive care loop: pain, passive treatment, relief, run, pain again",
        "why_it_keeps_coming_back",
    ),
    Row(S000, "lacrosse ball rolling", "massage_ball_rolling"),
    Row(S000, "stretch your calf against the wall", "standing_calf_stretch"),
    Row(S000, "tape the arch", "taping"),
    Row(S000, "switch to better shoes", "shoewear_adjustment"),
    Row(S000, "a pair of orthotics", "prefabricated_orthoses"),
    Row(
        S000,
        "massage, rolling, deep tissue work, taping take the edge off: a place early on",
        "passive_care_has_a_place",
    ),
    Row(S000, "deep tissue work", "deep_tissue_massage"),
    Row(S000, "cause: the hip (glutes controlling rotation and side-to-side motion)", "poor_hip_control"),
    Row(S000, "cause: the knee (tracking, impact control)", "poor_knee_control"),
    Row(S000, "cause: the small intrinsic muscles of the foot", "weak_foot_intrinsics"),
    Row(S000, "assess how hip, knee and foot work together", "hip_knee_running_assessment"),
    Row(S000, "why 'just rest' does not solve it", "keep_running_not_rest"),
    Row(S000, "you don't need to stop running", "keep_running_safely"),
    Row(S000, "plan: assessment of hip and knee in a running pattern", "hip_knee_running_assessment"),
    Row(S000, "plan: strengthen the small stabilising muscles of the foot", "foot_intrinsic_strengthening"),
    Row(S000, "foot intrinsic exercise", "short_foot"),
    Row(S000, "foot intrinsic exercise", "toe_yoga"),
    Row(S000, "plan: address hip and knee control", "hip_knee_control_training"),
    Row(S000, "hip control exercise", "side_lying_hip_abduction"),
    Row(S000, "hip control exercise", "clamshell"),
    Row(S000, "hip control exercise", "side_plank"),
    Row(S000, "hip control exercise", "single_leg_bridge"),
    Row(S000, "knee control exercise", "step_down"),
    Row(S000, "knee control exercise", "split_squat"),
    Row(S000, "hip control and balance exercise", "single_leg_deadlift"),
    Row(S000, "plan: passive therapy strategically, not the whole plan", "strategic_passive_therapy"),
    Row(S000, "book a visit: look at how you move", "running_mechanics_assessment"),
    # ------------------------------------------------------------ seed 001 (physical therapist)
    Row(S001, "plantar fascia: thick band from heel to toes", "what_is_the_plantar_fascia"),
    Row(S001, "cause: plantar fasciitis (runner's heel)", "plantar_fasciitis"),
    Row(S001, "cause: Achilles tendinitis", "achilles_insertional"),
    Row(S001, "cause: stress fractures", "calcaneal_stress_fracture"),
    Row(S001, "cause: heel spurs", "heel_spur"),
    Row(S001, "cause: structural issues", "structural_foot_type"),
    Row(S001, "cause: overall tissue health", "tissue_health"),
    Row(S001, "symptom: first-step pain in the morning or after rest", "first_step_pain"),
    Row(S001, "symptom: difficulty pushing off the toes", "windlass_self_check"),
    Row(S001, "symptom: difficulty lifting the toes off the floor", "short_foot_toe_control_test"),
    Row(S001, "symptom: reduced pain with activity and stretching", "first_steps_worst_then_eases"),
    Row(S001, "other symptom: tenderness in calves, Achilles or feet", "pain_location"),
    Row(S001, "other symptom: pain radiating to the toes", "numbness_tingling_burning"),
    Row(S001, "other symptom: swelling in the feet or ankles", "swelling_warmth_redness"),
    Row(S001, "other symptom: reduced range of motion in toes or ankles", "knee_to_wall_test"),
    Row(S001, "other symptom: stiffness in the feet or ankles", "morning_stiffness_over_30_min"),
    Row(S001, "risk: not warming up properly", "no_warm_up"),
    Row(S001, "risk: running too far or too fast without breaks", "too_far_too_fast"),
    Row(S001, "risk: increasing volume or intensity too quickly", "rapid_training_increase"),
    Row(S001, "risk: increasing volume too quickly (intake)", "recent_load_increase"),
    Row(S001, "risk: running on hard surfaces", "hard_running_surfaces"),
    Row(S001, "risk: wrong footwear for your feet and running style", "wrong_footwear"),
    Row(S001, "risk: structural foot issue (flat feet, high arches)", "structural_foot_type"),
    Row(S001, "risk: structural foot issue (intake)", "foot_type"),
    Row(S001, "risk: not enough rest or cross-training days", "no_rest_or_cross_training_days"),
    Row(S001, "risk: aging", "ageing"),
    Row(S001, "risk: a heavier body", "high_bmi_non_athletes"),
    Row(S001, "risk: prolonged weight-bearing and standing occupations", "standing_work_hard_surfaces"),
    Row(S001, "manage: reduce your training load", "reduce_training_load"),
    Row(S001, "manage: pain-relieving modalities", "pain_relieving_modalities"),
    Row(S001, "modality: foam roller", "foam_roller_rolling"),
    Row(S001, "modality: lacrosse ball", "massage_ball_rolling"),
    Row(S001, "modality: frozen water bottle", "frozen_bottle_rolling"),
    Row(S001, "manage: cryotherapy (ice bath or cold pack) after running", "cryotherapy"),
    Row(S001, "cryotherapy as a passive item", "ice"),
    Row(S001, "manage: get your running mechanics assessed", "running_mechanics_assessment"),
    Row(S001, "manage: cross-training", "cross_training_option"),
    Row(S001, "cross-training: swimming", "swimming"),
    Row(S001, "cross-training: cycling", "cycling"),
    Row(S001, "manage: strength training (bodyweight, yoga, weights, bands)", "strength_training"),
    Row(S001, "manage: stretching and exercise", "stretching_and_exercise"),
    Row(S001, "manage: adjust your shoewear", "shoewear_adjustment"),
    Row(S001, "shoewear: flat foot, stiffer and more supportive orthotic", "flat_foot_support"),
    Row(S001, "shoewear: high arch, softer orthotic support", "high_arch_cushioning"),
    Row(
        S001, "shoewear: terrain, landing, pronation; ask a podiatrist or shoe expert", "shoe_fitting_advice"
    ),
    Row(S001, "manage: night splints", "night_splints_option"),
    Row(S001, "night splint as a passive item", "night_splint"),
    Row(S001, "manage: additional care (medication, injections, surgery)", "additional_medical_care"),
    Row(S001, "warning: if an exercise causes pain, modify or stop", "pain_monitoring"),
    Row(
        S001,
        "standing calf stretch: 60+ s, 2-3 times each side",
        "standing_calf_stretch",
        "hold 60+ s, 2-3 times each side",
    ),
    Row(
        S001,
        "seated Achilles/plantar stretch: 60+ s, 2-3 times each side",
        "seated_achilles_plantar_stretch",
        "hold 60+ s, 2-3 times each side",
    ),
    Row(
        S001,
        "intrinsic: scrunching and lifting the toes, 3-5 min daily",
        "intrinsic_foot_control",
        "3-5 min daily",
    ),
    Row(S001, "intrinsic: marbles and alphabet, 3-5 min daily", "intrinsic_foot_control", "3-5 min daily", 2),
    Row(S001, "4-way ankle band: 10-15 reps, 2-3 sets", "ankle_4way_band", "10-15 reps, 2-3 sets each side"),
    Row(S001, "eccentric heel raise: 10-15 reps, 2-3 sets", "eccentric_heel_raise", "10-15 reps, 2-3 sets"),
    Row(S001, "eccentric heel raise: progress to a step", "eccentric_heel_raise", "10-15 reps, 2-3 sets", 2),
    Row(
        S001,
        "eccentric heel raise: up with two, down with one",
        "eccentric_heel_raise",
        "10-15 reps, 2-3 sets each side",
        3,
    ),
    Row(
        S001,
        "eccentric heel raise: full single leg",
        "eccentric_heel_raise",
        "10-15 reps, 2-3 sets each side",
        4,
    ),
    Row(
        S001,
        "single-leg balance: 30+ s, 2-3 sets each leg",
        "single_leg_balance",
        "hold 30+ s, 2-3 sets each side",
    ),
    Row(S001, "balance: softer surface", "single_leg_balance", "hold 30+ s, 2-3 sets each side", 2),
    Row(S001, "balance: closing your eyes", "single_leg_balance", "hold 30+ s, 2-3 sets each side", 3),
    Row(S001, "balance: moving arms and legs", "single_leg_balance", "hold 30+ s, 2-3 sets each side", 4),
    Row(S001, "functional: lunges", "lunge"),
    Row(S001, "functional: jump lunges", "jump_lunge"),
    Row(S001, "functional: jump squats", "jump_squat"),
    Row(S001, "functional: skater hops", "skater_hop"),
    Row(S001, "functional: high knees", "high_knees"),
    Row(S001, "prevent: proper shoes, replace old shoes", "proper_shoes_replace"),
    Row(S001, "prevent: stretch and warm up 5-10 minutes", "warm_up_before_running"),
    Row(S001, "prevent: don't always run on hard surfaces", "vary_running_surfaces"),
    Row(S001, "prevent: increase gradually (no more than 10%)", "increase_training_gradually"),
    Row(S001, "prevent: weight management", "weight_management"),
    Row(S001, "prevent: listen to your body", "listen_to_your_body"),
    Row(S001, "prevent: experiment with your foot strike", "experiment_with_foot_strike"),
    Row(S001, "prevent: exercise regularly, cross-training and strength", "exercise_regularly"),
    Row(S001, "prevent: healthy lifestyle choices", "healthy_lifestyle"),
    Row(S001, "comment: surgery is sometimes necessary, no failure", "surgery_is_no_failure"),
    Row(S001, "comment: sometimes it doesn't get better in spite of what you do", "prognosis"),
    # ------------------------------------------------------------ seed 002 (massage-tool maker)
    Row(S002, "what the plantar fascia is and does", "what_is_the_plantar_fascia"),
    Row(S002, "symptom: intense heel pain on the first steps in the morning", "first_step_pain"),
    Row(S002, "symptom: morning stiffness that subsides as you move", "first_steps_worst_then_eases"),
    Row(S002, "symptom: returns after prolonged standing, walking or exercise", "pain_builds_with_activity"),
    Row(S002, "symptom: dull ache or burning sensation", "numbness_tingling_burning"),
    Row(S002, "symptom: tenderness, especially on hard surfaces", "pain_location"),
    Row(S002, "claim: left untreated, it worsens over time", "prognosis"),
    Row(S002, "cause: overuse or overloading", "overuse_overloading"),
    Row(S002, "cause: improper footwear (flip-flops, high heels)", "wrong_footwear"),
    Row(S002, "cause: improper footwear, cushioning and support", "cushioning_and_support"),
    Row(S002, "cause: biomechanical issues (flat feet, high arches, gait)", "faulty_biomechanics"),
    Row(S002, "cause: obesity", "high_bmi_non_athletes"),
    Row(S002, "cause: aging reduces elasticity", "ageing"),
    Row(S002, "cause: tight calf muscles", "tight_calves"),
    Row(
        S002,
        "claims: circulation, adhesions, tension, lymphatic drainage, recurrence",
        "home_fascia_massage_routine",
    ),
    Row(S002, "claims weighed against the evidence", "massage_what_the_evidence_says"),
    Row(S002, "massage type: fascia blasting", "fascia_blasting"),
    Row(S002, "massage type: deep tissue massage", "deep_tissue_massage"),
    Row(S002, "massage type: trigger point therapy", "trigger_point_therapy"),
    Row(S002, "massage type: myofascial release", "myofascial_release"),
    Row(S002, "massage type: reflexology", "reflexology"),
    Row(S002, "massage type: gua sha", "gua_sha"),
    Row(S002, "home: soak feet in warm water 5-10 min, or stretch and warm up", "massage_prepare_soak"),
    Row(S002, "home: oil to lubricate feet and tools", "massage_lubricate"),
    Row(S002, "home: long strokes heel to toes, arches and heels, rising pressure", "massage_long_strokes"),
    Row(S002, "home: calf muscles and Achilles tendon too", "massage_calf_achilles"),
    Row(S002, "warning: consult a professional (conditions, pregnancy, new to it)", "massage_safety_check"),
    Row(S002, "warning: discontinue on pain or adverse reactions", "massage_stop_on_pain"),
    Row(S002, "FAQ: extra caution with arthritis or diabetes", "massage_safety_check"),
    Row(S002, "warm soak as heat", "heat"),
    Row(S002, "traditional treatments: rest, ice, orthotics", "ice"),
    Row(S002, "recovery isn't a quick fix", "prognosis"),
    Row(S002, "reference: Juchli 2021 case report", "juchli_2021"),
    Row(S002, "reference: Ajimsha 2014 RCT", "ajimsha_2014"),
    Row(S002, "reference: Alfuth 2024 case report", "alfuth_2024"),
]

#: Ids that the triage engineer owns (conditions and intake questions in triage.yaml).
TRIAGE_IDS = {
    "plantar_fasciitis",
    "achilles_insertional",
    "calcaneal_stress_fracture",
    "heel_spur",
    "first_step_pain",
    "first_steps_worst_then_eases",
    "pain_location",
    "numbness_tingling_burning",
    "swelling_warmth_redness",
    "morning_stiffness_over_30_min",
    "recent_load_increase",
    "foot_type",
    "pain_builds_with_activity",
}

# ------------------------------------------------------------------ the dose grammar

_RANGE = r"(\d+)(?:-(\d+))?"
_PATTERNS: list[tuple[str, tuple[str, str | None]]] = [
    (rf"hold {_RANGE}(\+)? s\b", ("hold_s_min", "hold_s_max")),
    (rf"{_RANGE} times each side", ("reps_min", "reps_max")),
    (rf"{_RANGE} reps\b", ("reps_min", "reps_max")),
    (rf"{_RANGE} sets\b", ("sets_min", "sets_max")),
    (rf"{_RANGE} min\b", ("minutes_min", "minutes_max")),
    (r"(\d+)RM\b", ("rm", None)),
]


def parse_dose(text: str) -> dict[str, Any]:
    """Turn '10-15 reps, 2-3 sets each side' into the Dose fields it states."""
    out: dict[str, Any] = {}
    for pattern, (low, high) in _PATTERNS:
        match = re.search(pattern, text)
        if not match:
            continue
        first = float(match.group(1))
        out[low] = first
        if high is None:
            continue
        second = match.group(2)
        open_ended = match.lastindex is not None and match.lastindex >= 3 and match.group(3) == "+"
        out[high] = None if open_ended else float(second) if second else first
    times = re.search(r"(\d+) times a day", text)
    if times:
        out["times_per_day"] = int(times.group(1))
    if "daily" in text:
        out["days_per_week"] = 7
    tempo = re.search(r"tempo (\d-\d-\d)", text)
    if tempo:
        out["tempo"] = tempo.group(1)
    if "each side" in text:
        out["per_side"] = True
    if not out:
        raise ValueError(f"no dose found in {text!r}")
    return out


def _matches(dose: Dose, expected: dict[str, Any]) -> list[str]:
    wrong = []
    for field, value in expected.items():
        actual = getattr(dose, field)
        if actual != value:
            wrong.append(f"{field}: expected {value!r}, found {actual!r}")
    return wrong


# ------------------------------------------------------------------ the tests


@pytest.mark.parametrize(
    "row", TABLE, ids=[f"{r.seed[:3]}-{r.knowledge_id}-{i}" for i, r in enumerate(TABLE)]
)
def test_seed_item_is_carried(catalogue: Catalogue, row: Row) -> None:
    owner = "triage.yaml (triage engineer)" if row.knowledge_id in TRIAGE_IDS else "the content files"
    assert row.knowledge_id in catalogue.every_id(), (
        f"{row.seed}: '{row.item}' should be carried by '{row.knowledge_id}' in {owner}"
    )


DOSE_ROWS = [r for r in TABLE if r.dose is not None]


@pytest.mark.parametrize("row", DOSE_ROWS, ids=[f"{r.knowledge_id}-L{r.level}" for r in DOSE_ROWS])
def test_seed_dose_matches_the_exercise(catalogue: Catalogue, row: Row) -> None:
    assert row.dose is not None
    exercise = catalogue.exercises[row.knowledge_id]
    assert row.level <= len(exercise.levels)
    dose = exercise.levels[row.level - 1].dose
    assert _matches(dose, parse_dose(row.dose)) == []


def test_every_content_row_is_content_owned(catalogue: Catalogue) -> None:
    """Rows not owned by triage must resolve now, whatever the state of triage.yaml."""
    content_ids = (
        catalogue.all_ids()
        | {step.id for t in catalogue.self_tests.values() for step in t.instructions}
        | {step.id for p in catalogue.passive.values() for step in p.how}
    )
    missing = [r for r in TABLE if r.knowledge_id not in TRIAGE_IDS and r.knowledge_id not in content_ids]
    assert missing == []


def test_every_seed_is_covered() -> None:
    seeds = {r.seed for r in TABLE}
    assert seeds == {S000, S001, S002}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "hold 60+ s, 2-3 times each side",
            {"hold_s_min": 60, "hold_s_max": None, "reps_min": 2, "reps_max": 3, "per_side": True},
        ),
        (
            "hold 10 s, 10 reps, 3 times a day",
            {"hold_s_min": 10, "hold_s_max": 10, "reps_min": 10, "reps_max": 10, "times_per_day": 3},
        ),
        ("3-5 min daily", {"minutes_min": 3, "minutes_max": 5, "days_per_week": 7}),
        ("3 sets, 12RM, tempo 3-2-3", {"sets_min": 3, "sets_max": 3, "rm": 12, "tempo": "3-2-3"}),
    ],
)
def test_dose_grammar(text: str, expected: dict[str, Any]) -> None:
    assert parse_dose(text) == expected


def test_dose_grammar_refuses_prose() -> None:
    with pytest.raises(ValueError, match="no dose"):
        parse_dose("as tolerated")


# Doses from docs/EVIDENCE.md that extend seed 001 (DiGiovanni, Rathleff), in the same grammar.
EVIDENCE_DOSES = [
    ("plantar_fascia_specific_stretch", 1, "hold 10 s, 10 reps, 3 times a day, daily"),
    ("rathleff_high_load_heel_raise", 2, "3 sets, 12 reps, 12RM, tempo 3-2-3"),
    ("rathleff_high_load_heel_raise", 3, "4 sets, 10 reps, 10RM, tempo 3-2-3"),
    ("rathleff_high_load_heel_raise", 4, "5 sets, 8 reps, 8RM, tempo 3-2-3"),
]


@pytest.mark.parametrize(("exercise_id", "level", "text"), EVIDENCE_DOSES)
def test_evidence_doses(catalogue: Catalogue, exercise_id: str, level: int, text: str) -> None:
    dose = catalogue.exercises[exercise_id].levels[level - 1].dose
    assert _matches(dose, parse_dose(text)) == []
