"""Typical intake answers for the web tests and the benchmark: a runner with plantar heel pain."""

from __future__ import annotations

from typing import Any

TYPICAL: dict[str, Any] = {
    "age_years": 41,
    "height_cm": 172,
    "weight_kg": 68,
    "foot_type": "neutral",
    "runs_per_week": 3,
    "weekly_distance_km": 25,
    "longest_run_km": 12,
    "running_goal": "keep_running",
    "days_available_per_week": 5,
    "minutes_per_session": 30,
    "equipment": ["resistance_band", "step", "backpack_or_weights", "massage_ball"],
    "symptom_duration_weeks": 8,
    "onset": "after_training_increase",
    "recent_load_increase": True,
    "pain_location": ["inner_heel_bottom"],
    "both_heels": False,
    "first_step_pain": 6,
    "first_steps_worst_then_eases": True,
    "pain_builds_with_activity": False,
    "pain_at_rest_or_night": False,
    "worst_pain": 5,
    "pain_during_run": 3,
    "worse_on_stairs_or_hills": False,
    "windlass_test": "positive",
    "can_bear_weight": True,
    "limping": False,
    "numbness_tingling_burning": False,
    "swelling_warmth_redness": False,
    "fever_or_unwell": False,
    "squeeze_test": "negative",
    "other_joints_stiff_or_swollen": False,
    "morning_stiffness_over_30_min": False,
    "calf_swelling_or_warmth": False,
    "diabetes": False,
    "reduced_foot_sensation": False,
    "poor_circulation": False,
    "anticoagulants_or_bleeding_disorder": False,
    "pregnant": "not_applicable",
    "skin_wound_or_infection": False,
    "past_episodes": 1,
    "tried": ["rolling", "new_shoes"],
    # added in questionnaire version 3
    "painful_side": "left",
    "worse_barefoot_hard_floor": False,
    "back_pain_down_leg": False,
    "achilles_snap": False,
    "puncture_wound": False,
    "recent_infection": False,
    "unexplained_weight_loss": False,
    "pain_constant_not_eased": False,
    "clot_risk_factors": [],
    "cancer_history": False,
    "immune_suppression": False,
    "missed_periods": "not_applicable",
    "past_bone_stress_injury": False,
    "low_energy_intake": False,
}

#: A runner who fell and cannot bear weight: triage must stop them.
RED_FLAG = {**TYPICAL, "onset": "after_fall_or_injury", "can_bear_weight": False, "limping": True}


def form_fields(answers: dict[str, Any], ids: list[str]) -> dict[str, str | list[str]]:
    """Form fields (``q_<id>``) for the given question ids, as httpx ``data``."""
    out: dict[str, str | list[str]] = {}
    for qid in ids:
        value = answers.get(qid)
        if value is None:
            continue
        if isinstance(value, bool):
            out[f"q_{qid}"] = "yes" if value else "no"
        elif isinstance(value, list):
            out[f"q_{qid}"] = list(value)
        else:
            out[f"q_{qid}"] = str(value)
    return out
