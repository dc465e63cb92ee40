"""Plans for the heel conditions that are not plantar fasciitis, from their own knowledge entries.

Insertional Achilles tendinopathy and heel fat pad syndrome are self-manageable when no warning sign
fired: they get a plan of their own, built with the plan engine's irritability, doses, days and run
stages from ``triage.yaml: condition_plans``. A condition that stays a referral (a heel stress
fracture) keeps the referral plan, with the graded return the runner starts once a clinician has
cleared them. Pure: ``inp.start`` is the first day; every number comes from the catalogue.

Usage::

    plan = build_plan(PlanInput(answers, triage_result, drivers, load, start), catalogue)
    plan.items[0].title  # 'What this plan treats: ...' for a condition plan
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from heelcoach.domain import plan as plan_mod
from heelcoach.domain.plan import (
    REFER_AND_CONTINUE,
    WEEKDAYS,
    ExcludedItem,
    Plan,
    PlanInput,
    PlanItem,
    RunPrescription,
)
from heelcoach.domain.triage import plain_name
from heelcoach.domain.types import Irritability, Phase
from heelcoach.domain.units import DistanceUnit
from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.schema import Exercise
from heelcoach.knowledge.schema_triage import Condition, ConditionPlan, PlanExercise

__all__ = ["after_clearance_item", "build_condition_plan", "build_plan", "treated_condition"]

_RANK: dict[str, int] = {"low": 0, "moderate": 1, "high": 2}
_IRRITABLE_WORDS = {"high": "highly", "moderate": "moderately", "low": "only mildly"}


def treated_condition(inp: PlanInput, catalogue: Catalogue) -> ConditionPlan | None:
    """The condition plan to build instead of the plantar fasciitis plan, or None.

    Only for a self-manageable top condition that is not plantar fasciitis, when no warning sign
    stops loading (``TriageResult.treats``).
    """
    condition_id = getattr(inp.triage, "treats", None)
    rules = catalogue.triage.differential
    if not condition_id or (rules is not None and condition_id == rules.self_manage_condition):
        return None
    return catalogue.triage.condition_plan(str(condition_id))


def build_plan(inp: PlanInput, catalogue: Catalogue) -> Plan:
    """The one dispatch point for a first plan: the plan for the condition the heel most likely has.

    A self-manageable look-alike gets its own plan; otherwise the plantar fasciitis engine builds it,
    and a referral plan whose top condition has an after-clearance return carries it as an item.
    """
    knowledge = treated_condition(inp, catalogue)
    if knowledge is not None:
        return build_condition_plan(inp, knowledge, catalogue)
    plan = plan_mod.build_plan(inp, catalogue)
    extra = after_clearance_item(inp, catalogue) if plan.stops_loading else None
    return plan_mod.with_items(plan, [*plan.items, extra]) if extra is not None else plan


def _irritability(inp: PlanInput, catalogue: Catalogue) -> tuple[Irritability, Phase]:
    rules = catalogue.plan
    irritability = plan_mod.assess_irritability(inp.answers, rules)
    if plan_mod.referral_action(inp.triage) == REFER_AND_CONTINUE:
        for flag in inp.triage.red_flags:
            floor = getattr(flag, "continue_irritability_min", None)
            if floor in _RANK and _RANK[floor] > _RANK[irritability]:
                irritability = floor
        return irritability, "settle"
    return irritability, rules.irritability.start_phase[irritability]


def _session(answers: Mapping[str, Any]) -> tuple[str, ...]:
    available = answers.get("days_available_per_week")
    n = available if isinstance(available, int) and not isinstance(available, bool) else 3
    return plan_mod.session_days(WEEKDAYS, max(1, min(7, n)))


def _exercise(catalogue: Catalogue, entry: PlanExercise) -> Exercise:
    ex = catalogue.exercises.get(entry.exercise)
    if ex is None:
        raise ValueError(
            f"triage.yaml condition_plans: exercise '{entry.exercise}' is not in exercises.yaml; add it there"
        )
    return ex


def _exercise_item(
    catalogue: Catalogue,
    entry: PlanExercise,
    irritability: Irritability,
    session: tuple[str, ...],
    inp: PlanInput,
) -> PlanItem | ExcludedItem:
    ex = _exercise(catalogue, entry)
    if _RANK[irritability] > _RANK[ex.max_irritability]:
        return ExcludedItem(
            ex.id,
            f"{ex.name}: waits until the heel is less irritable (first-step and worst pain lower). "
            f"{plan_mod.DEFERRED_NOTE}",
        )
    level = ex.levels[0]
    days = (
        WEEKDAYS
        if level.dose.days_per_week == 7
        else plan_mod.session_days(session, level.dose.days_per_week)
    )
    grade = entry.grade or ex.evidence
    note = f" {entry.grade_note}" if entry.grade_note else ""
    return PlanItem(
        id=ex.id,
        kind="exercise",
        ref_id=ex.id,
        title=ex.name,
        level=1,
        dose=plan_mod.exercise_dose(level.dose, irritability, len(days)),
        days=days,
        why=f"{entry.why} {ex.plain}{note}",
        drivers=tuple(ex.drivers),
        evidence=grade,
        sources=tuple(ex.sources),
        optional=False,
        until=None,
        level_since=inp.start,
    )


def _flag_words(flags: Iterable[str]) -> str:
    return ", ".join(sorted(flags)).replace("_", " ")


def _advice_items(
    knowledge: ConditionPlan, flags: frozenset[str]
) -> tuple[list[PlanItem], list[ExcludedItem]]:
    """The advice items, each screened against the runner's safety flags (contraindications)."""
    ruled_out = [
        ExcludedItem(
            a.id,
            f"{a.title}: not for you because of {_flag_words(set(a.not_with) & flags)} "
            "(ask a clinician first).",
        )
        for a in knowledge.advice
        if set(a.not_with) & flags
    ]
    allowed = [a for a in knowledge.advice if not set(a.not_with) & flags]
    return [
        PlanItem(
            id=a.id,
            kind=a.kind,
            ref_id=a.id,
            title=a.title,
            level=None,
            dose={},
            days=(),
            why=a.text,
            drivers=(),
            evidence=a.grade,
            sources=tuple(a.sources),
            optional=a.optional,
            until=None,
        )
        for a in allowed
    ], ruled_out


def _treats_item(condition: Condition, knowledge: ConditionPlan) -> PlanItem:
    return PlanItem(
        id=f"treats_{condition.id}",
        kind="education",
        ref_id=condition.id,
        title=f"What this plan treats: {condition.name}",
        level=None,
        dose={},
        days=(),
        why=f"{condition.plain} {knowledge.goal} {knowledge.evidence_note}",
        drivers=(),
        evidence="not_graded",
        sources=tuple(dict.fromkeys([*condition.sources, *knowledge.sources])),
        optional=False,
        until=None,
    )


def _clinician_item(condition: Condition, knowledge: ConditionPlan) -> PlanItem:
    return PlanItem(
        id=f"see_a_clinician_{condition.id}",
        kind="escalation",
        ref_id=f"{condition.id}_see_a_clinician",
        title="When to see a clinician",
        level=None,
        dose={},
        days=(),
        why=" ".join(knowledge.see_clinician),
        drivers=(),
        evidence="E",
        sources=tuple(knowledge.sources),
        optional=False,
        until=None,
    )


def _num(answers: Mapping[str, Any], key: str) -> float | None:
    value = answers.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _run(
    knowledge: ConditionPlan,
    irritability: Irritability,
    answers: Mapping[str, Any],
    catalogue: Catalogue,
    unit: DistanceUnit = DistanceUnit.KM,
) -> RunPrescription:
    running = knowledge.running
    if running is None:
        raise ValueError(f"triage.yaml condition_plans[{knowledge.condition}]: a plan needs running rules")
    rtr = catalogue.plan.return_to_run
    usual = _num(answers, "weekly_distance_km")
    runs = max(1, min(rtr.runs_per_week_max, int(_num(answers, "runs_per_week") or rtr.runs_per_week_max)))
    pct = running.weekly_volume_pct[irritability]
    if irritability in running.walk_run_when:
        stage_km, stage_text = plan_mod.run_for_stage(1, catalogue, unit)
        return RunPrescription(
            mode="walk_run",
            stage=1,
            runs_per_week=runs,
            max_single_run_km=stage_km,
            weekly_km_cap=round(stage_km * runs, 1),
            effort=rtr.effort,
            surface=running.surface,
            stop_rules=tuple(running.rules),
            cadence_cue_pct=None,
            why=(
                f"The heel is irritable, so running restarts as walk/run, stage 1: {stage_text}, with a rest "
                "day between runs; move up a stage after two runs that stay within the pain rules."
            ),
            sources=tuple(dict.fromkeys([*running.sources, *rtr.sources])),
            usual_weekly_km=usual,
        )
    cap = round(usual * pct / 100, 1) if usual else None
    longest = _num(answers, "longest_run_km")
    single = cap
    if cap is not None and longest:
        # as in the plantar fasciitis plan: a reduced week shrinks the longest run in proportion
        floor_km = catalogue.plan.load_caps.continuous_min_km.value
        single = round(min(cap, max(floor_km, longest * pct / 100)), 1)
    return RunPrescription(
        mode="continuous",
        stage=None,
        runs_per_week=runs,
        max_single_run_km=single,
        weekly_km_cap=cap,
        effort=rtr.effort,
        surface=running.surface,
        stop_rules=tuple(running.rules),
        cadence_cue_pct=None,
        why=(
            f"Keep running at about {pct}% of your usual week while the plan builds strength, "
            "within the pain rules."
        ),
        sources=tuple(running.sources),
        usual_weekly_km=usual,
    )


def _referral(inp: PlanInput) -> str | None:
    if plan_mod.referral_action(inp.triage) != REFER_AND_CONTINUE:
        return None
    names = "; ".join(str(getattr(f, "name", "")) for f in inp.triage.red_flags)
    todo = " ".join(
        dict.fromkeys(plan_mod.sentence(str(getattr(f, "what_to_do", ""))) for f in inp.triage.red_flags)
    )
    return (
        "See a physical therapist, podiatrist or doctor soon (within a week or two), and keep this gentle "
        f"plan until then; none of these is a danger sign. From your answers: {names}. {todo}"
    ).strip()


def build_condition_plan(inp: PlanInput, knowledge: ConditionPlan, catalogue: Catalogue) -> Plan:
    """Version 1 of the plan for a self-manageable condition other than plantar fasciitis."""
    condition = catalogue.triage.condition(knowledge.condition)
    irritability, phase = _irritability(inp, catalogue)
    session = _session(inp.answers)
    items: list[PlanItem] = [_treats_item(condition, knowledge)]
    excluded: list[ExcludedItem] = [ExcludedItem(a.id, a.text) for a in knowledge.avoid]
    for entry in knowledge.exercises:
        made = _exercise_item(catalogue, entry, irritability, session, inp)
        if isinstance(made, PlanItem):
            items.append(made)
        else:
            excluded.append(made)
    advice, ruled_out = _advice_items(knowledge, frozenset(str(f) for f in inp.triage.safety_flags))
    items.extend(advice)
    excluded.extend(ruled_out)
    items.append(_clinician_item(condition, knowledge))
    run = _run(knowledge, irritability, inp.answers, catalogue, inp.unit)
    first = _num(inp.answers, "first_step_pain") or 0
    worst = _num(inp.answers, "worst_pain") or first
    rationale = (
        f"This plan treats {plain_name(condition.name)}, not plantar fasciitis: {knowledge.goal} "
        f"Your heel is {_IRRITABLE_WORDS[irritability]} irritable (first-step pain {first:g}/10, worst "
        f"{worst:g}/10), so you start in the {phase} phase. {knowledge.evidence_note}"
    )
    referral = _referral(inp)
    return Plan(
        version=1,
        created=inp.start,
        phase=phase,
        week=1,
        irritability=irritability,
        items=tuple(items),
        excluded=tuple(excluded),
        run=run,
        escalation_rules=tuple(knowledge.see_clinician),
        referral=referral,
        rationale=rationale,
        referral_action=REFER_AND_CONTINUE if referral else None,
        driver_priority=(),
    )


def _stages_text(catalogue: Catalogue) -> str:
    return "; ".join(f"stage {s.stage}: {s.text}" for s in catalogue.plan.return_to_run.stages)


def after_clearance_item(inp: PlanInput, catalogue: Catalogue) -> PlanItem | None:
    """The graded return of a referral plan's top condition, to start once a clinician has cleared
    the runner (a heel stress fracture), or None when the condition has none."""
    top = getattr(inp.triage, "top", None)
    if top is None:
        return None
    knowledge = catalogue.triage.condition_plan(str(top.condition_id))
    if knowledge is None or not knowledge.after_clearance:
        return None
    steps: Sequence[str] = [
        f"{s.text} {_stages_text(catalogue)}." if s.with_run_stages else s.text
        for s in knowledge.after_clearance
    ]
    numbered = " ".join(f"{n}. {plan_mod.sentence(text)}" for n, text in enumerate(steps, start=1))
    return PlanItem(
        id=f"after_clearance_{knowledge.condition}",
        kind="education",
        ref_id=f"{knowledge.condition}_after_clearance",
        title=f"{knowledge.title}: only once a clinician has cleared you",
        level=None,
        dose={},
        days=(),
        why=f"{knowledge.goal} {numbered} {knowledge.evidence_note}",
        drivers=(),
        evidence="E",
        sources=tuple(knowledge.sources),
        optional=True,
        until=None,
    )
