"""Clinical vignettes for questionnaire version 3 (issue 14): the new warning signs, the dangerous
look-alikes ranked first, the numbness location, the high-pain rule, the self-manageable
look-alikes, and answers files written for the version-2 questionnaire.

Each vignette is a case in free text, the answers that case gives (changes to a clean plantar
fasciitis runner), the expected level and the expected top condition (docs/EVIDENCE.md section 2b).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from heelcoach.domain.intake import validate_answers
from heelcoach.domain.triage import triage, unanswered_questions
from heelcoach.domain.types import TriageLevel
from heelcoach.services.assess import assess, load_answers_file
from tests.domain.test_triage_vignettes import BASE, SINGLE_CHANGE

E, R, C, S = TriageLevel.EMERGENCY, TriageLevel.REFER, TriageLevel.CAUTION, TriageLevel.SELF_MANAGE
PF = "plantar_fasciitis"
SF = "calcaneal_stress_fracture"
INFECTION = "heel_infection"
DVT = "deep_vein_thrombosis"
TUMOUR = "serious_bone_disease"
ROOT = "lumbar_radiculopathy"
NEUROPATHY = "peripheral_neuropathy"
DATA = Path(__file__).parent / "data"

#: Classic insertional Achilles and fat pad presentations without any warning sign.
ACHILLES = {
    "pain_location": ["back_of_heel"],
    "worse_on_stairs_or_hills": True,
    "windlass_test": "negative",
    "first_steps_worst_then_eases": False,
}
FAT_PAD = {
    "pain_location": ["centre_heel_pad"],
    "worse_barefoot_hard_floor": True,
    "first_steps_worst_then_eases": False,
    "windlass_test": "negative",
    "onset": "gradual",
    "recent_load_increase": False,
}

#: (name, the case in words, answers, expected level, expected top condition, flags that must fire)
NEW_VIGNETTES: list[tuple[str, str, dict[str, Any], TriageLevel, str, set[str]]] = [
    (
        "past_cancer_night_pain_weight_loss",
        (
            "A 52-year-old runner, treated for breast cancer 6 years ago, has constant heel pain that wakes "
            "her at night and has lost 6 kg without trying."
        ),
        {
            "age_years": 52,
            "cancer_history": True,
            "pain_at_rest_or_night": True,
            "unexplained_weight_loss": True,
            "pain_constant_not_eased": True,
        },
        R,
        TUMOUR,
        {"cancer_history_with_rest_pain", "unexplained_weight_loss", "constant_pain_not_eased"},
    ),
    (
        "past_cancer_weight_loss_no_night_pain",
        (
            "The same runner without the night pain: past cancer and 6 kg lost without trying; the heel "
            "otherwise behaves like plantar fasciitis."
        ),
        {"age_years": 52, "cancer_history": True, "unexplained_weight_loss": True},
        R,
        TUMOUR,
        {"unexplained_weight_loss", "cancer_history"},
    ),
    (
        "constant_pain_nothing_eases",
        (
            "A 45-year-old says the heel aches all the time, lying still too, and neither rest nor "
            "painkillers change it."
        ),
        {"age_years": 45, "pain_constant_not_eased": True},
        R,
        TUMOUR,
        {"constant_pain_not_eased"},
    ),
    (
        "nail_through_trail_shoe",
        (
            "A trail runner stepped on a nail through the sole of his shoe three weeks ago; the wound "
            "closed, and now the heel aches."
        ),
        {"puncture_wound": True},
        E,
        INFECTION,
        {"puncture_wound"},
    ),
    (
        "diabetic_hot_red_heel_fever",
        "A runner with type 2 diabetes has a hot, red, swollen heel and a temperature.",
        {"diabetes": True, "swelling_warmth_redness": True, "fever_or_unwell": True},
        E,
        INFECTION,
        {"hot_red_heel_with_fever", "diabetic_hot_swollen_foot"},
    ),
    (
        "methotrexate_swollen_heel_no_fever",
        "A runner on methotrexate for psoriasis has a swollen, warm heel but no fever.",
        {"immune_suppression": True, "swelling_warmth_redness": True},
        E,
        INFECTION,
        {"swollen_heel_immune_suppressed"},
    ),
    (
        "swollen_heel_after_throat_infection",
        "Two weeks after a throat infection treated with antibiotics, a runner's heel is swollen and warm.",
        {"recent_infection": True, "swelling_warmth_redness": True},
        E,
        INFECTION,
        {"swollen_heel_after_infection"},
    ),
    (
        "fat_pad_pattern_with_nail_wound",
        (
            "A bruise-like centre-of-heel pain that barefoot floors make worse, in a runner who trod on a "
            "nail a month ago."
        ),
        {**FAT_PAD, "puncture_wound": True},
        E,
        INFECTION,
        {"puncture_wound"},
    ),
    (
        "swollen_calf_after_long_flight",
        "After a 10-hour flight, a runner's calf is swollen, warm and tender; the heel also hurts.",
        {"calf_swelling_or_warmth": True, "clot_risk_factors": ["long_travel"]},
        E,
        DVT,
        {"clot_signs_with_risk_factors", "possible_clot"},
    ),
    (
        "swollen_calf_on_the_pill",
        "A 30-year-old on the contraceptive pill has a swollen, warm calf.",
        {"age_years": 30, "calf_swelling_or_warmth": True, "clot_risk_factors": ["hormones"]},
        E,
        DVT,
        {"clot_signs_with_risk_factors"},
    ),
    (
        "sciatica_into_the_heel",
        (
            "A runner has low back pain with pain and tingling running down the back of the leg into the "
            "heel and the outer foot."
        ),
        {
            "back_pain_down_leg": True,
            "numbness_tingling_burning": True,
            "numbness_where": ["down_the_leg"],
        },
        R,
        ROOT,
        {"back_pain_down_leg", "numbness_down_leg"},
    ),
    (
        "numb_strip_down_the_leg",
        "No back pain, but a numb strip down the back of the calf into the heel.",
        {"numbness_tingling_burning": True, "numbness_where": ["down_the_leg"]},
        R,
        ROOT,
        {"numbness_down_leg"},
    ),
    (
        "diabetic_classic_pf_burning_both_soles",
        (
            "A runner with diabetes has classic first-step heel pain and, separately, burning and numbness "
            "in both soles like walking on cotton wool."
        ),
        {
            "diabetes": True,
            "reduced_foot_sensation": True,
            "numbness_tingling_burning": True,
            "numbness_where": ["both_feet"],
        },
        R,
        NEUROPATHY,
        {"numbness_both_feet", "reduced_foot_sensation"},
    ),
    (
        "numb_spot_inner_heel",
        "Tingling and a numb spot at the inner heel, spreading from the inner ankle.",
        {
            "numbness_tingling_burning": True,
            "numbness_where": ["one_spot_inner_heel"],
            "pain_location": ["inner_ankle_radiating", "inner_heel_bottom"],
        },
        R,
        "baxter_nerve_tarsal_tunnel",
        {"numbness_tingling_burning"},
    ),
    (
        "kick_at_back_of_heel_during_sprint",
        "During a sprint a runner felt as if someone kicked the back of his heel; pushing off is now weak.",
        {"achilles_snap": True, "pain_location": ["back_of_heel"], "limping": True},
        E,
        "achilles_rupture",
        {"achilles_snap"},
    ),
    (
        "missed_periods_heavy_training",
        (
            "A 24-year-old training for a marathon has had no period for 6 months; the heel aches deep "
            "in the bone."
        ),
        {"age_years": 24, "missed_periods": "yes", "weekly_distance_km": 80},
        R,
        SF,
        {"reds_missed_periods"},
    ),
    (
        "low_energy_past_stress_fracture",
        "A runner who keeps food low to stay light, with a metatarsal stress fracture last year.",
        {"low_energy_intake": True, "past_bone_stress_injury": True},
        R,
        SF,
        {"reds_low_energy_bone_stress"},
    ),
    (
        "insertional_achilles_classic",
        (
            "Pain where the Achilles meets the heel bone, worse running uphill and on stairs, stiff in the "
            "morning; no snap, no swelling, no other warning sign."
        ),
        ACHILLES,
        S,
        "achilles_insertional",
        set(),
    ),
    (
        "fat_pad_classic",
        (
            "A deep bruise in the middle of the heel, worse barefoot on tiles, no first-step peak, no "
            "warning sign."
        ),
        FAT_PAD,
        S,
        "fat_pad_syndrome",
        set(),
    ),
    (
        "classic_pf_first_steps_8",
        "Classic plantar fasciitis with 8/10 first-step pain and nothing else.",
        {"first_step_pain": 8},
        S,
        PF,
        set(),
    ),
    (
        "immune_suppressed_classic_pf",
        "Classic plantar fasciitis in a runner on biologics for Crohn's disease, with no local sign.",
        {"immune_suppression": True},
        R,
        PF,
        {"immune_suppression"},
    ),
    (
        "recent_infection_classic_pf",
        "Classic plantar fasciitis two weeks after a chest infection, no swelling, no fever.",
        {"recent_infection": True},
        R,
        PF,
        {"recent_infection"},
    ),
    (
        "past_cancer_classic_pf",
        "Classic mechanical plantar fasciitis in a runner treated for cancer ten years ago.",
        {"cancer_history": True},
        R,
        PF,
        {"cancer_history"},
    ),
    (
        "insertional_achilles_with_diabetes",
        "Insertional Achilles pain in a runner with diabetes and normal feeling in the feet.",
        {**ACHILLES, "diabetes": True},
        R,
        "achilles_insertional",
        {"diabetes"},
    ),
]


def _result(overrides: dict[str, Any]):  # type: ignore[no-untyped-def]
    from heelcoach.knowledge import load_catalogue

    catalogue = load_catalogue()
    return triage(validate_answers({**BASE, **overrides}, catalogue.triage), catalogue)


@pytest.mark.parametrize(
    ("case", "overrides", "level", "top", "flags"),
    [pytest.param(c, o, lv, t, f, id=n) for n, c, o, lv, t, f in NEW_VIGNETTES],
)
def test_new_vignette(
    case: str, overrides: dict[str, Any], level: TriageLevel, top: str, flags: set[str]
) -> None:
    result = _result(overrides)
    fired = {f.id for f in result.red_flags}
    assert result.level is level, (case, result.explain())
    assert result.top is not None
    assert result.top.condition_id == top, (case, [(c.condition_id, c.score) for c in result.differential])
    assert flags <= fired, (case, fired)
    if level in (S, C):
        assert not fired
        assert result.treats == top  # a self-manageable condition gets its own plan
    if any(f.stops_loading for f in result.red_flags):
        assert result.treats is None


def test_at_least_twenty_new_vignettes() -> None:
    assert len(NEW_VIGNETTES) >= 20
    assert all(len(case) > 30 for _, case, *_ in NEW_VIGNETTES)


NEW_FLAGS = {
    "puncture_wound",
    "swollen_heel_immune_suppressed",
    "swollen_heel_after_infection",
    "diabetic_hot_swollen_foot",
    "immune_suppression",
    "recent_infection",
    "cancer_history",
    "cancer_history_with_rest_pain",
    "unexplained_weight_loss",
    "constant_pain_not_eased",
    "back_pain_down_leg",
    "numbness_down_leg",
    "numbness_both_feet",
    "clot_signs_with_risk_factors",
    "achilles_snap",
    "reds_missed_periods",
    "reds_low_energy_bone_stress",
}


@pytest.mark.parametrize("flag_id", sorted(NEW_FLAGS))
def test_each_new_warning_sign_alone_flips_the_level(flag_id: str) -> None:
    """The one-change test: the clean runner self-manages; this one change refers at the flag's level."""
    from heelcoach.knowledge import load_catalogue

    flag = next(f for f in load_catalogue().triage.red_flags if f.id == flag_id)
    assert _result({}).level is S
    result = _result(SINGLE_CHANGE[flag_id])
    assert flag_id in {f.id for f in result.red_flags}
    assert result.level is TriageLevel(flag.level), result.explain()
    hit = next(f for f in result.red_flags if f.id == flag_id)
    assert hit.reason
    assert hit.what_to_do
    assert hit.answers
    assert flag.sources
    if flag.suggests and flag.stops_loading:
        assert result.top is not None
        assert result.top.condition_id == flag.suggests, [
            (c.condition_id, c.score) for c in result.differential
        ]


def test_new_conditions_rank_first_when_their_sign_is_present() -> None:
    infection = _result({"swelling_warmth_redness": True, "fever_or_unwell": True})
    assert infection.differential[0].condition_id == INFECTION
    assert all(c.likelihood != "most likely" for c in infection.differential[1:])
    clot = _result({"calf_swelling_or_warmth": True})
    assert clot.differential[0].condition_id == DVT
    # and stay out of the way when their signs are absent
    clean = _result({})
    for cid in (INFECTION, DVT, TUMOUR, ROOT, NEUROPATHY, "achilles_rupture"):
        entry = next(c for c in clean.differential if c.condition_id == cid)
        assert entry.likelihood == "unlikely"


def test_numbness_location_separates_the_nerve_causes() -> None:
    where = {
        "one_spot_inner_heel": "baxter_nerve_tarsal_tunnel",
        "both_feet": NEUROPATHY,
        "down_the_leg": ROOT,
    }
    for place, expected in where.items():
        result = _result({"numbness_tingling_burning": True, "numbness_where": [place]})
        assert result.top is not None
        assert result.top.condition_id == expected, place
    both = _result({"numbness_tingling_burning": True, "numbness_where": ["both_feet"]})
    baxter = next(c for c in both.differential if c.condition_id == "baxter_nerve_tarsal_tunnel")
    assert baxter.likelihood in ("less likely", "unlikely")


def test_high_first_step_pain_changes_where_the_plan_starts_not_who_manages() -> None:
    from heelcoach.domain.plan import assess_irritability
    from heelcoach.knowledge import load_catalogue

    catalogue = load_catalogue()
    result = _result({"first_step_pain": 8})
    assert result.level is S
    assert not result.cautions
    assert result.notes
    assert "where your plan starts" in result.notes[0]
    answers = {**BASE, "first_step_pain": 8}
    assert assess_irritability(answers, catalogue.plan) == "high"
    assert catalogue.plan.irritability.start_phase["high"] == "settle"
    assert _result({"first_step_pain": 5}).notes == ()


@pytest.mark.parametrize("name", ["answers_v2_typical_runner", "answers_v2_red_flag_runner"])
def test_an_answers_file_for_the_version_2_questionnaire_still_loads(name: str) -> None:
    """A saved answers file of the earlier questionnaire: it loads, the new questions are listed as
    not answered, and the safer assumption applies (never below caution; red flags still fire)."""
    from heelcoach.knowledge import load_catalogue

    catalogue = load_catalogue()
    raw = load_answers_file(DATA / f"{name}.yaml")
    assert "puncture_wound" not in raw
    result = assess(raw, catalogue)
    missing = unanswered_questions(raw, catalogue)
    assert set(result.unanswered) == set(missing)
    assert {"puncture_wound", "achilles_snap", "cancer_history", "painful_side"} <= set(missing)
    assert result.level.rank <= C.rank
    if name == "answers_v2_typical_runner":
        assert result.level is C
        caution = next(c for c in result.cautions if c.id == "not_answered")
        assert "wound" in caution.reason  # names the questions
        assert result.next_steps[0].startswith("Answer the questions")
        # answering the new questions "no" brings it back to what it was
        complete = {**raw, **{q: SINGLE_CLEAN[q] for q in missing}}
        assert assess(complete, catalogue).level is S
    else:
        assert result.level is R
        assert result.stops_loading


#: The clean v3 answers (what BASE says for the new questions).
SINGLE_CLEAN = dict(BASE)


def test_questions_are_only_ever_added() -> None:
    """Every question of the version-2 questionnaire keeps its id, type and choices; new ones carry
    the version that added them."""
    from heelcoach.knowledge import load_catalogue

    tk = load_catalogue().triage
    frozen = load_answers_file(DATA / "questionnaire_v2.yaml")
    assert frozen["version"] == 2
    assert tk.version > 2
    for qid, shape in frozen["questions"].items():
        q = tk.question(qid)
        assert q.type == shape["type"], qid
        assert set(shape.get("choices", [])) <= set(q.choice_ids()), qid
        assert q.added_in <= 2, qid
    for q in tk.questions:
        if q.id not in frozen["questions"]:
            assert 2 < q.added_in <= tk.version, q.id  # a new question says when it came
