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

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
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
from heelcoach.domain.types import Irritability, LoadSnapshot, Phase
from heelcoach.domain.units import DistanceUnit
from heelcoach.errors import KnowledgeError
from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.schema import Exercise
from heelcoach.knowledge.schema_triage import Condition, ConditionPlan, PlanExercise

__all__ = [
    "after_clearance_item",
    "build_condition_plan",
    "build_plan",
    "build_return_plan",
    "clearance_blockers",
    "clearance_condition",
    "treated_condition",
]

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


def build_plan(inp: PlanInput, catalogue: Catalogue, cleared_on: date | None = None) -> Plan:
    """The one dispatch point for a first plan: the plan for the condition the heel most likely has.

    A self-manageable look-alike gets its own plan; otherwise the plantar fasciitis engine builds it,
    and a referral plan whose top condition has an after-clearance return carries it as an item.
    ``cleared_on``: the day a clinician cleared the runner; the graded return replaces the referral
    when that condition is the only stop reason (``clearance_condition``).
    """
    cleared = clearance_condition(inp, catalogue) if cleared_on is not None else None
    if cleared is not None and cleared_on is not None:
        return build_return_plan(inp, cleared, catalogue, cleared_on)
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
        raise KnowledgeError(
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


def _driver_items(
    inp: PlanInput,
    knowledge: ConditionPlan,
    catalogue: Catalogue,
    irritability: Irritability,
    phase: Phase,
    have: set[str],
) -> tuple[list[PlanItem], list[ExcludedItem]]:
    """The engine's exercises for the runner's drivers that this condition's plan takes
    (``driver_menus``), minus what its avoid rules bar, with what the engine left out of those."""
    barred = catalogue.triage.barred_exercises({a.id for a in knowledge.avoid})
    menus = set(knowledge.driver_menus)
    picked, left_out = plan_mod.engine_exercises(inp, catalogue, phase, irritability)
    wanted = {
        ex_id
        for driver, ids in catalogue.plan.selection.per_driver.items()
        if driver in menus
        for ex_id in ids
    } | set(catalogue.plan.selection.foot_intrinsics[:1] if "foot_intrinsics" in menus else ())
    items = [
        i
        for i in picked
        if i.ref_id in wanted and set(i.drivers) & menus and i.ref_id not in barred and i.ref_id not in have
    ]
    if knowledge.driver_grade is not None:
        note = f" {knowledge.driver_grade_note}" if knowledge.driver_grade_note else ""
        items = [dataclasses.replace(i, evidence=knowledge.driver_grade, why=f"{i.why}{note}") for i in items]
    taken = {i.ref_id for i in items} | have
    excluded = [
        e for e in left_out if e.ref_id in wanted and e.ref_id not in barred and e.ref_id not in taken
    ]
    return items, excluded


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


def _usual_km(answers: Mapping[str, Any], load: LoadSnapshot | None) -> tuple[float | None, str]:
    """The usual week the running is counted from; a recent jump in load (the load driver, from
    watch files) counts from the chronic week instead, as in the plantar fasciitis plan."""
    usual = _num(answers, "weekly_distance_km")
    chronic = load.chronic_weekly_run_km if load is not None else 0.0
    if load is None or load.spike_band == "none" or chronic <= 0:
        return usual, ""
    return round(min(usual or chronic, chronic), 1), (
        f" Your watch shows a recent jump in running load, so the week is counted from your usual "
        f"{chronic:g} km, not the jump."
    )


def _run(
    knowledge: ConditionPlan,
    irritability: Irritability,
    answers: Mapping[str, Any],
    catalogue: Catalogue,
    load: LoadSnapshot | None = None,
    unit: DistanceUnit = DistanceUnit.KM,
) -> RunPrescription:
    running = knowledge.running
    if running is None:
        raise KnowledgeError(
            f"triage.yaml condition_plans[{knowledge.condition}]: a plan needs running rules"
        )
    rtr = catalogue.plan.return_to_run
    usual, spike_note = _usual_km(answers, load)
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
            f"within the pain rules.{spike_note}"
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
    more, left_out = _driver_items(inp, knowledge, catalogue, irritability, phase, {i.ref_id for i in items})
    items.extend(more)
    excluded.extend(left_out)
    advice, ruled_out = _advice_items(knowledge, frozenset(str(f) for f in inp.triage.safety_flags))
    items.extend(advice)
    excluded.extend(ruled_out)
    items.append(_clinician_item(condition, knowledge))
    run = _run(knowledge, irritability, inp.answers, catalogue, inp.load, inp.unit)
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


def clearance_condition(inp: PlanInput, catalogue: Catalogue) -> ConditionPlan | None:
    """The knowledge of the condition whose graded return a clinician's clearance starts, or None.

    Only when the top condition has an after-clearance return (a heel stress fracture) and every
    warning sign that fired points to that condition; any other stop reason (an infection, a clot,
    a nerve, questions not answered) keeps the referral.
    """
    return None if clearance_blockers(inp, catalogue) else _after_clearance_knowledge(inp, catalogue)


def _after_clearance_knowledge(inp: PlanInput, catalogue: Catalogue) -> ConditionPlan | None:
    top = getattr(inp.triage, "top", None)
    if top is None:
        return None
    knowledge = catalogue.triage.condition_plan(str(top.condition_id))
    return knowledge if knowledge is not None and knowledge.after_clearance else None


def clearance_blockers(inp: PlanInput, catalogue: Catalogue) -> tuple[str, ...]:
    """Why a clinician's clearance cannot start the graded return, in plain words (empty: it can)."""
    knowledge = _after_clearance_knowledge(inp, catalogue)
    if knowledge is None:
        return ("your answers do not point to a condition with a return plan heelcoach can start",)
    others = [
        str(getattr(f, "name", ""))
        for f in inp.triage.red_flags
        if getattr(f, "suggests", None) != knowledge.condition
    ]
    unanswered = tuple(getattr(inp.triage, "unanswered", ()) or ())
    if unanswered:
        others.append("questions about warning signs not answered yet")
    return tuple(others)


def _follows_item(condition: Condition, knowledge: ConditionPlan, cleared_on: date) -> PlanItem:
    return PlanItem(
        id=f"follows_{condition.id}",
        kind="education",
        ref_id=condition.id,
        title=f"What this plan follows: {condition.name}",
        level=None,
        dose={},
        days=(),
        why=(
            f"A clinician cleared you to load the heel again ({cleared_on:%a %d %b %Y}). {knowledge.goal} "
            f"{knowledge.evidence_note}"
        ),
        drivers=(),
        evidence="not_graded",
        sources=tuple(dict.fromkeys([*condition.sources, *knowledge.sources])),
        optional=False,
        until=None,
    )


def _criteria_item(knowledge: ConditionPlan, catalogue: Catalogue) -> PlanItem:
    """The after-clearance steps as the plan's criteria (not optional any more: the runner is cleared)."""
    steps = [
        f"{s.text} {_stages_text(catalogue)}." if s.with_run_stages else s.text
        for s in knowledge.after_clearance
    ]
    numbered = " ".join(f"{n}. {plan_mod.sentence(text)}" for n, text in enumerate(steps, start=1))
    return PlanItem(
        id=f"return_criteria_{knowledge.condition}",
        kind="education",
        ref_id=f"{knowledge.condition}_after_clearance",
        title="Your return to running, step by step",
        level=None,
        dose={},
        days=(),
        why=numbered,
        drivers=(),
        evidence="E",
        sources=tuple(knowledge.sources),
        optional=False,
        until=None,
    )


def _return_run(
    knowledge: ConditionPlan, answers: Mapping[str, Any], catalogue: Catalogue
) -> RunPrescription:
    rtr = catalogue.plan.return_to_run
    stage_km, stage_text = plan_mod.run_for_stage(1, catalogue)
    runs = max(1, min(rtr.runs_per_week_max, int(_num(answers, "runs_per_week") or rtr.runs_per_week_max)))
    first_steps = " ".join(plan_mod.sentence(s.text) for s in knowledge.after_clearance[1:3])
    return RunPrescription(
        mode="walk_run",
        stage=1,
        runs_per_week=runs,
        max_single_run_km=stage_km,
        weekly_km_cap=round(stage_km * runs, 1),
        effort=rtr.effort,
        surface=rtr.surface,
        stop_rules=tuple(s.text for s in knowledge.after_clearance if not s.with_run_stages),
        cadence_cue_pct=None,
        why=(
            f"First: {first_steps} Then walk/run, stage 1: {stage_text}, on alternate days; move up a "
            f"stage after {rtr.repeats_per_stage_min} runs without bone pain."
        ),
        sources=tuple(dict.fromkeys([*knowledge.sources, *rtr.sources])),
        usual_weekly_km=_num(answers, "weekly_distance_km"),
    )


def build_return_plan(
    inp: PlanInput, knowledge: ConditionPlan, catalogue: Catalogue, cleared_on: date
) -> Plan:
    """The graded return a clinician's clearance starts (a heel stress fracture): walk/run stage 1,
    the after-clearance criteria, and the strength work the plan engine allows in the settle phase."""
    condition = catalogue.triage.condition(knowledge.condition)
    engine = plan_mod.settle_strength(inp, catalogue, cleared_on)
    items = [
        _follows_item(condition, knowledge, cleared_on),
        _criteria_item(knowledge, catalogue),
        *engine.items,
    ]
    run = _return_run(knowledge, inp.answers, catalogue)
    rationale = (
        f"This plan follows {plain_name(condition.name)}: a clinician cleared you on "
        f"{cleared_on:%a %d %b %Y}, "
        "so the referral is lifted for this reason only. It starts in the settle phase, with the lowest "
        "doses, and brings running back as walk/run in stages, each one earned by the criteria below. "
        f"{knowledge.evidence_note}"
    )
    return dataclasses.replace(
        engine,
        created=cleared_on,
        items=tuple(items),
        run=run,
        escalation_rules=(knowledge.after_clearance[-1].text, *engine.escalation_rules),
        referral=None,
        referral_action=None,
        rationale=rationale,
    )
