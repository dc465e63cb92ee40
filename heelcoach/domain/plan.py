"""The plan generator: from intake, triage, drivers and running load to a phased, explained plan.

Pure: every number comes from the catalogue (``plan_rules.yaml`` and the exercise levels), and
``start`` is passed in. A red flag that stops loading (or an emergency, or an unclear diagnosis)
gives a referral plan with no running and no loading; a red flag that only needs a clinician's
review (not improving, diabetes) gives a gentle, conservative plan with the referral at the top.

Each step is a named function in ``heelcoach.domain.planning`` (see its docstring); this module
puts them together and keeps the names callers import. The plan as text for people is in
``heelcoach.text.plan_text``.
"""

from __future__ import annotations

from datetime import date

from heelcoach.domain.planning.adjuncts import exclude_unsafe_tools, symptom_relief
from heelcoach.domain.planning.answers import assess_irritability
from heelcoach.domain.planning.builder import Builder
from heelcoach.domain.planning.cross_training import cross_training
from heelcoach.domain.planning.dose import exercise_dose, session_days
from heelcoach.domain.planning.education import education, education_item
from heelcoach.domain.planning.escalation import escalation_items
from heelcoach.domain.planning.exercises import INTAKE_EQUIPMENT, choose_exercises, levels_within_equipment
from heelcoach.domain.planning.footwear import footwear
from heelcoach.domain.planning.model import (
    DEFERRED_NOTE,
    REFER_AND_CONTINUE,
    STOP_AND_REFER,
    WEEKDAYS,
    ExcludedItem,
    ItemKind,
    Plan,
    PlanInput,
    PlanItem,
    RunMode,
    RunPrescription,
    TriageLike,
    with_items,
)
from heelcoach.domain.planning.rationale import plan_rationale
from heelcoach.domain.planning.referral import (
    continue_floor,
    continue_referral,
    effective_level,
    no_running,
    red_flag_rule,
    referral_action,
    referral_plan,
    see_a_clinician_first,
)
from heelcoach.domain.planning.run_prescription import prescribe_running, run_for_stage, stop_rules
from heelcoach.domain.planning.serial import plan_from_dict, plan_to_dict
from heelcoach.domain.planning.session_fit import fit_session
from heelcoach.domain.planning.words import sentence
from heelcoach.domain.types import PHASES, Irritability, Phase
from heelcoach.knowledge import Catalogue

__all__ = [
    "DEFERRED_NOTE",
    "INTAKE_EQUIPMENT",
    "REFER_AND_CONTINUE",
    "STOP_AND_REFER",
    "WEEKDAYS",
    "ExcludedItem",
    "ItemKind",
    "Plan",
    "PlanInput",
    "PlanItem",
    "RunMode",
    "RunPrescription",
    "TriageLike",
    "assess_irritability",
    "build_plan",
    "education_item",
    "effective_level",
    "engine_exercises",
    "exercise_dose",
    "levels_within_equipment",
    "no_running",
    "plan_from_dict",
    "plan_to_dict",
    "red_flag_rule",
    "referral_action",
    "run_for_stage",
    "see_a_clinician_first",
    "sentence",
    "session_days",
    "settle_strength",
    "with_items",
]


def _start_point(inp: PlanInput, catalogue: Catalogue, action: str | None) -> tuple[Irritability, Phase]:
    """Irritability and starting phase; a continue-safely referral keeps both gentle."""
    rules = catalogue.plan
    irritability = assess_irritability(inp.answers, rules)
    phase: Phase = rules.irritability.start_phase[irritability]
    if action == REFER_AND_CONTINUE:
        irritability, phase = continue_floor(inp.triage, irritability, phase)
        phase = min(phase, rules.irritability.start_phase[irritability], key=PHASES.index)
    return irritability, phase


def _builder(inp: PlanInput, catalogue: Catalogue, phase: Phase, irritability: Irritability) -> Builder:
    flags = frozenset(str(f) for f in inp.triage.safety_flags)
    return Builder(catalogue, inp.answers, phase, irritability, flags, inp.drivers, inp.start, unit=inp.unit)


def build_plan(inp: PlanInput, catalogue: Catalogue) -> Plan:
    """Build version 1 of a person's plan (pure; ``inp.start`` is the first day)."""
    level = effective_level(inp.triage)
    action = referral_action(inp.triage)
    if action == STOP_AND_REFER:
        # a stopped plan waits in the settle phase whatever the pain (nothing loads until then)
        irritability = assess_irritability(inp.answers, catalogue.plan)
        return referral_plan(inp, catalogue, _builder(inp, catalogue, "settle", irritability))
    irritability, phase = _start_point(inp, catalogue, action)
    b = _builder(inp, catalogue, phase, irritability)
    choose_exercises(b)
    symptom_relief(b)
    fit_session(b)
    spike = inp.load is not None and inp.load.spike_band != "none"
    run = prescribe_running(b, inp.load, inp.cadence_cue_pct)
    cross_training(b, run, spike)
    footwear(b)
    education(b, run, spike)
    escalation_items(b)
    referral: str | None = None
    if action == REFER_AND_CONTINUE:
        referral, see = continue_referral(inp, catalogue)
        b.items.insert(0, see)
    priority = tuple(d.id for d in sorted(b.active(), key=lambda d: -d.strength))
    return b.first_plan(run, referral, plan_rationale(b, level, action), action, priority)


def engine_exercises(
    inp: PlanInput, catalogue: Catalogue, phase: Phase, irritability: Irritability
) -> tuple[tuple[PlanItem, ...], tuple[ExcludedItem, ...]]:
    """The exercises the engine picks for the runner's drivers in ``phase`` (stretches, calf, foot,
    hip and knee control, power where the phase has it), with what it left out and why: a condition
    plan takes the driver-targeted ones it allows (``condition_plans``)."""
    flags = frozenset(str(f) for f in inp.triage.safety_flags)
    b = Builder(catalogue, inp.answers, phase, irritability, flags, inp.drivers, inp.start)
    choose_exercises(b)
    return tuple(b.items), tuple(b.excluded)


def settle_strength(inp: PlanInput, catalogue: Catalogue, start: date) -> Plan:
    """The engine's exercises for the runner's drivers in the settle phase (lowest doses), with no
    running: the base of the graded return a clinician's clearance starts (``condition_plans``)."""
    rules = catalogue.plan
    irritability = assess_irritability(inp.answers, rules)
    flags = frozenset(str(f) for f in inp.triage.safety_flags)
    b = Builder(catalogue, inp.answers, "settle", irritability, flags, inp.drivers, start)
    choose_exercises(b)
    exclude_unsafe_tools(b)
    run = no_running(rules, rules.return_to_run.surface, stop_rules(rules))
    priority = tuple(d.id for d in sorted(b.active(), key=lambda d: -d.strength))
    return b.first_plan(run, None, "", None, priority)
