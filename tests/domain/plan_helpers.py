"""Shared runner profiles and helpers for the plan-engine tests (not a test module)."""

from __future__ import annotations

from datetime import date
from typing import Any

from heelcoach.domain.drivers import infer_drivers, intake_evidence
from heelcoach.domain.plan import Plan, PlanInput, build_plan
from heelcoach.domain.screen import SelfTestResult, screen
from heelcoach.domain.triage import triage
from heelcoach.domain.types import DriverEvidence, LoadSnapshot
from heelcoach.knowledge import Catalogue

START = date(2026, 11, 23)  # a Monday

#: A typical runner with plantar heel pain and nothing alarming.
BASE: dict[str, Any] = {
    "age_years": 38,
    "height_cm": 175,
    "weight_kg": 72,
    "runs_per_week": 4,
    "weekly_distance_km": 35,
    "longest_run_km": 14,
    "running_goal": "keep_running",
    "days_available_per_week": 4,
    "minutes_per_session": 30,
    "equipment": ["resistance_band", "step", "backpack_or_weights", "massage_ball"],
    "foot_type": "neutral",
    "shoe_age_km": 400,
    "symptom_duration_weeks": 10,
    "onset": "gradual",
    "recent_load_increase": False,
    "pain_location": ["inner_heel_bottom"],
    "both_heels": False,
    "first_step_pain": 5,
    "first_steps_worst_then_eases": True,
    "pain_builds_with_activity": False,
    "pain_at_rest_or_night": False,
    "worst_pain": 5,
    "pain_during_run": 3,
    "can_bear_weight": True,
    "limping": False,
    "numbness_tingling_burning": False,
    "swelling_warmth_redness": False,
    "fever_or_unwell": False,
    "squeeze_test": "negative",
    "windlass_test": "positive",
    "other_joints_stiff_or_swollen": False,
    "morning_stiffness_over_30_min": False,
    "worse_on_stairs_or_hills": False,
    "diabetes": False,
    "reduced_foot_sensation": False,
    "poor_circulation": False,
    "anticoagulants_or_bleeding_disorder": False,
    "pregnant": "not_applicable",
    "skin_wound_or_infection": False,
    "calf_swelling_or_warmth": False,
    "past_episodes": 0,
    "tried": ["stretching"],
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


def answers(**overrides: Any) -> dict[str, Any]:
    """The base runner with some answers changed."""
    return {**BASE, **overrides}


def make_plan(
    catalogue: Catalogue,
    *,
    load: LoadSnapshot | None = None,
    tests: tuple[SelfTestResult, ...] = (),
    extra: tuple[DriverEvidence, ...] = (),
    cadence: float | None = None,
    **overrides: Any,
) -> Plan:
    """Run the real chain: triage, screen, drivers, plan."""
    a = answers(**overrides)
    evidence = [*intake_evidence(a, catalogue), *screen(tests, catalogue).evidence, *extra]
    drivers = infer_drivers(evidence, catalogue)
    return build_plan(PlanInput(a, triage(a, catalogue), drivers, load, START, cadence), catalogue)


def refs(plan: Plan, kind: str | None = None) -> set[str]:
    """The ref ids of a plan's items (of one kind)."""
    return {i.ref_id for i in plan.items if kind is None or i.kind == kind}


def excluded(plan: Plan) -> dict[str, str]:
    """ref id -> reason of the excluded items."""
    return {e.ref_id: e.reason for e in plan.excluded}
