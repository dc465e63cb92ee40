"""Referral: when a red flag (or an unclear diagnosis) sends the runner to a clinician.

``referral_action`` decides between stopping (no running, no loading, a referral plan) and
continuing safely (a gentle plan with the referral at the top); the texts say what heelcoach
noticed, why it matters and what to do now.
"""

from __future__ import annotations

from dataclasses import dataclass

from heelcoach.domain.planning.adjuncts import exclude_unsafe_tools
from heelcoach.domain.planning.answers import IRRITABILITY_RANK
from heelcoach.domain.planning.builder import Builder
from heelcoach.domain.planning.model import (
    REFER_AND_CONTINUE,
    STOP_AND_REFER,
    Plan,
    PlanInput,
    PlanItem,
    RunPrescription,
    TriageLike,
)
from heelcoach.domain.planning.run_prescription import stop_rules
from heelcoach.domain.planning.words import sentence
from heelcoach.domain.types import PHASES, Irritability, Phase, TriageLevel
from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.schema_plan import EscalationRule, PlanRules

__all__ = [
    "continue_floor",
    "continue_referral",
    "effective_level",
    "no_running",
    "red_flag_rule",
    "referral_action",
    "referral_plan",
    "see_a_clinician_first",
]


def _describe(obj: object) -> str:
    """Why a fired red flag matters, as a sentence (its reason, else its best description)."""
    for attr in ("reason", "plain", "text", "summary", "name", "label", "id"):
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return sentence(value)
    return sentence(str(obj))


@dataclass(frozen=True, slots=True)
class _Referral:
    """Why a person is referred, in parts: the red flags' names, their reasons and what to do."""

    names: str  # 'Poor circulation; Diabetes' ('' when no red flag fired)
    reasons: str  # one sentence per red flag
    todo: str  # the red flags' own advice, each sentence once
    ids: str  # the red flag ids, for the clinician

    @classmethod
    def of(cls, triage: TriageLike) -> _Referral:
        flags = list(triage.red_flags)
        names = "; ".join(str(getattr(f, "name", "") or "").strip() for f in flags)
        ids = ", ".join(str(getattr(f, "id", "") or "") for f in flags if getattr(f, "id", None))
        reasons = " ".join(dict.fromkeys(_describe(f) for f in flags))
        if not flags:  # an unclear diagnosis: triage's own reasons say why
            reasons = " ".join(sentence(str(r)) for r in getattr(triage, "level_reasons", ()) or ())
        return cls(names.strip("; "), reasons, _what_to_do(triage), ids)

    def text(self, lead: str, fallback: str) -> str:
        """``lead``, then what heelcoach noticed, why it matters and what to do now."""
        parts = [sentence(lead)]
        if self.names:
            parts.append(f"What heelcoach noticed: {sentence(self.names)}")
            if self.reasons:
                parts.append(f"Why it matters: {self.reasons}")
        else:
            parts.append(f"What heelcoach noticed: {self.reasons or sentence(fallback)}")
        if self.todo:
            parts.append(f"What to do now: {self.todo}")
        return " ".join(parts)


def red_flag_rule(rules: PlanRules) -> EscalationRule:
    """The escalation rule of a red flag (``red_flag_now``): its advice, grade and sources."""
    return next((r for r in rules.escalation if r.id == "red_flag_now"), rules.escalation[0])


def see_a_clinician_first(rules: PlanRules) -> PlanItem:
    """The 'See a clinician first' item of a plan stopped by a red flag (first plan or a review)."""
    red = red_flag_rule(rules)
    return PlanItem(
        id="see_a_clinician",
        kind="escalation",
        ref_id=red.id,
        title="See a clinician first",
        level=None,
        dose={},
        days=(),
        why=f"The reason is at the top of your plan. {sentence(red.plain)}",
        drivers=(),
        evidence=red.grade,
        sources=tuple(red.sources),
        optional=False,
        until=None,
    )


def no_running(rules: PlanRules, surface: str, stop_rules: tuple[str, ...]) -> RunPrescription:
    """The running part of a plan stopped by a red flag: no running until a clinician has seen you."""
    return RunPrescription(
        mode="none",
        stage=None,
        runs_per_week=0,
        max_single_run_km=None,
        weekly_km_cap=None,
        effort="no running",
        surface=surface,
        stop_rules=stop_rules,
        cadence_cue_pct=None,
        why="No running until a clinician has seen you.",
        sources=tuple(red_flag_rule(rules).sources),
    )


def _stop_rationale(level: TriageLevel, why: _Referral) -> str:
    """Why the plan stops, in plain English, with the precise triage result for a clinician."""
    names = why.names or "your answers do not clearly fit plantar fasciitis"
    if level == TriageLevel.EMERGENCY:
        noticed = f"heelcoach noticed a warning sign in your answers that needs medical care today: {names}."
        what = "Get medical care today (urgent care, an emergency department or your doctor the same day)."
    else:
        noticed = f"heelcoach noticed something in your answers that a clinician should check first: {names}."
        what = "Book a doctor, physical therapist or podiatrist, and show them this plan."
    clinical = f"For your clinician: triage level '{level.value}'"
    clinical += f", red flags {why.ids}." if why.ids else ", no red flag; the diagnosis is unclear."
    stops = (
        "Heel exercises and running could make it worse or hide what is going on, so heelcoach stops "
        "here and does not build a training plan yet."
    )
    back = "When a clinician says the heel is safe to load, come back and heelcoach will build your plan."
    return f"{sentence(noticed)} {stops} What to do now: {what} {back} {clinical}"


def referral_plan(inp: PlanInput, catalogue: Catalogue, b: Builder) -> Plan:
    """The plan of a runner who must see a clinician first: no running, no loading, why and what to do."""
    rules = catalogue.plan
    level = effective_level(inp.triage)
    why = _Referral.of(inp.triage)
    if level == TriageLevel.EMERGENCY:
        lead = "Get urgent medical care today."
    else:
        lead = "See a clinician (doctor, physical therapist or podiatrist) before you run or load this heel."
    referral = why.text(lead, "your answers need a clinician's look first")
    exclude_unsafe_tools(b)
    b.items.append(see_a_clinician_first(rules))
    b.exclude("running", "Running is paused until a clinician has seen you.")
    b.exclude("strength_work", "Loading exercises wait until a clinician has seen you.")
    run = no_running(rules, rules.return_to_run.surface, stop_rules(rules))
    return b.first_plan(run, referral, _stop_rationale(level, why), STOP_AND_REFER)


def _what_to_do(triage: TriageLike) -> str:
    """The red flags' own advice, each sentence once."""
    todo = (sentence(str(getattr(r, "what_to_do", "") or "")) for r in triage.red_flags)
    return " ".join(dict.fromkeys(t for t in todo if t))


def effective_level(triage: TriageLike) -> TriageLevel:
    """The triage level, made at least as urgent as every red flag that fired (a red flag always wins)."""
    levels = [TriageLevel(str(triage.level))]
    for flag in triage.red_flags:
        flag_level = getattr(flag, "level", TriageLevel.REFER)
        try:
            levels.append(TriageLevel(str(flag_level)))
        except ValueError:
            levels.append(TriageLevel.REFER)
    return TriageLevel.most_urgent(*levels)


def referral_action(triage: TriageLike) -> str | None:
    """What a referral means for the plan: None (no referral), ``'stop_and_refer'`` or
    ``'refer_and_continue_safely'``.

    The plan continues only when every red flag that fired says so and nothing else (an emergency,
    an unclear diagnosis) asks for a stop. Anything unknown counts as a stop: err toward safety.
    """
    level = effective_level(triage)
    if level not in (TriageLevel.EMERGENCY, TriageLevel.REFER):
        return None
    flags = list(triage.red_flags)
    if level is TriageLevel.EMERGENCY or any(getattr(f, "stops_loading", True) for f in flags):
        return STOP_AND_REFER
    told = getattr(triage, "referral_action", None)
    if told is not None:
        return STOP_AND_REFER if told != REFER_AND_CONTINUE else REFER_AND_CONTINUE
    return REFER_AND_CONTINUE if flags else STOP_AND_REFER


def continue_floor(
    triage: TriageLike, irritability: Irritability, phase: Phase
) -> tuple[Irritability, Phase]:
    """Irritability at least, and phase at most, what the continue-safely red flags ask for."""
    for flag in triage.red_flags:
        floor = getattr(flag, "continue_irritability_min", None)
        if floor in IRRITABILITY_RANK and IRRITABILITY_RANK[floor] > IRRITABILITY_RANK[irritability]:
            irritability = floor
        cap = getattr(flag, "continue_phase", None) or "settle"
        if cap in PHASES and PHASES.index(cap) < PHASES.index(phase):
            phase = cap
    return irritability, phase


def continue_referral(inp: PlanInput, catalogue: Catalogue) -> tuple[str, PlanItem]:
    """The referral text and the 'see a clinician soon' item of a continue-safely plan."""
    rules = catalogue.plan
    referral = _Referral.of(inp.triage).text(
        "See a physical therapist, podiatrist or doctor soon (within a week or two), and keep this "
        "gentle plan until then; none of these is a danger sign.",
        "your answers",
    )
    esc = next((r for r in rules.escalation if r.id == "no_progress_physio"), rules.escalation[0])
    see = PlanItem(
        id="see_a_clinician",
        kind="escalation",
        ref_id=esc.id,
        title="See a clinician soon, and keep going gently",
        level=None,
        dose={},
        days=(),
        why="The reason is at the top of your plan. The plan stays gentle until then: lowest levels, no "
        "heavy heel raises, reduced running. Stop and get seen at once if a warning sign appears.",
        drivers=(),
        evidence=esc.grade,
        sources=tuple(esc.sources),
        optional=False,
        until=None,
    )
    return referral, see


# --------------------------------------------------------------------------------------------
# serialisation
