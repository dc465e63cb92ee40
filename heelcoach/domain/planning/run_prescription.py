"""This week's running: walk/run for an irritable heel or a return, otherwise continuous easy
running within the phase's share of the usual week, the single-run cap (tighter after a load
spike), the step-rate cue when the video showed overstriding, and the pain-monitoring stop rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from heelcoach.domain.planning.answers import answer_number
from heelcoach.domain.planning.builder import Builder, merged_sources
from heelcoach.domain.planning.model import RunMode, RunPrescription
from heelcoach.domain.types import LoadSnapshot
from heelcoach.domain.units import DistanceUnit, distance
from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.catalogue import largest_study
from heelcoach.knowledge.schema_plan import PlanRules

__all__ = ["prescribe_running", "run_for_stage", "stop_rules"]


def run_for_stage(
    stage: int, catalogue: Catalogue, unit: DistanceUnit = DistanceUnit.KM
) -> tuple[float, str]:
    """(distance_km, text) of a walk/run stage; in miles the text is told from the stage's numbers
    (the table's own words give both units, kilometres in brackets)."""
    st = catalogue.plan.return_to_run.stages[stage - 1]
    if unit is DistanceUnit.KM:
        return st.distance_km, st.text
    far = distance(st.distance_km, unit)
    if st.walk_min <= 0:
        return st.distance_km, f"Run continuously for {far}"
    return st.distance_km, f"Walk {st.walk_min:g} min, run {st.run_min:g} min, repeat for {far}"


def stop_rules(rules: PlanRules) -> tuple[str, ...]:
    pm, rtr = rules.pain_monitoring, rules.return_to_run
    return (
        (
            f"Pain during the run 0-{pm.during_safe_max}/10 is safe and up to {pm.during_acceptable_max}/10 "
            f"acceptable; above {pm.during_acceptable_max}/10 stop and walk home."
        ),
        (
            f"Pain afterwards may reach about {pm.after_max}/10 but must settle by the next morning; "
            "if it has not, the next run goes one step back."
        ),
        f"Do not move up with {', '.join(rtr.no_progress_if)}.",
        "Your morning (first-step) pain must not creep up from week to week.",
    )


@dataclass(frozen=True, slots=True)
class _Running:
    """The runner's usual running and how it feels now (watch data first, else the intake)."""

    usual_runs: int
    weekly: float
    longest: float
    spike: bool
    run_pain: float
    returning: bool


@dataclass(slots=True)
class _Week:
    """The part of the prescription that differs between walk/run and continuous running."""

    mode: RunMode
    stage: int | None
    runs: int
    max_single: float
    weekly_cap: float
    effort: str
    sources: tuple[str, ...]
    why: list[str] = field(default_factory=list)


def _running_now(b: Builder, load: LoadSnapshot | None) -> _Running:
    a = b.answers
    usual_runs = int(answer_number(a, "runs_per_week", 0))
    weekly = load.weekly_run_km if load else answer_number(a, "weekly_distance_km")
    longest = load.longest_run_30d_km if load else answer_number(a, "longest_run_km")
    spike = load is not None and load.spike_band != "none"
    if spike and load is not None and load.chronic_weekly_run_km > 0:
        weekly = min(weekly, load.chronic_weekly_run_km)
    returning = a.get("running_goal") == "return_to_running" or usual_runs == 0 or weekly <= 0
    return _Running(usual_runs, weekly, longest, spike, answer_number(a, "pain_during_run"), returning)


def _needs_walk_run(b: Builder, r: _Running) -> bool:
    """Walk/run for an irritable heel, running that hurts too much, or a return that is not calm."""
    return (
        b.irritability == "high"
        or r.run_pain > b.rules.keep_running.value
        or (r.returning and b.irritability != "low")
    )


def _walk_run(b: Builder, r: _Running, sources: tuple[str, ...]) -> _Week:
    """Stage 1 of the walk/run table, at most the table's runs a week, a rest day between."""
    rules = b.rules
    rtr = rules.return_to_run
    stage = 1
    dist, text = run_for_stage(stage, b.catalogue, b.unit)
    runs = min(rtr.runs_per_week_max, r.usual_runs) if r.usual_runs else rtr.runs_per_week_max
    runs = max(1, runs)
    week = _Week("walk_run", stage, runs, dist, round(dist * runs, 1), rtr.effort, sources)
    if b.irritability == "high":
        week.why.append(
            "Your heel is irritable, so running restarts as walk/run rather than stopping "
            "altogether (modified load, not full rest)."
        )
    elif r.run_pain > rules.keep_running.value:
        week.why.append(
            f"Running hurts more than {rules.keep_running.value:g}/10 now, so it steps down to walk/run."
        )
    else:
        week.why.append("You are coming back to running, so you start with the walk/run table.")
    week.why.append(
        f"Stage {stage}: {text}. Each stage at least {rtr.repeats_per_stage_min} times, a rest "
        f"day between runs, then move up one stage. ({rtr.note.split(';')[0]}.)"
    )
    return week


def _continuous_caps(b: Builder, r: _Running) -> tuple[float, float, int]:
    """(longest single run, week total, runs a week) of continuous running in this phase."""
    caps, phase_rule = b.rules.load_caps, b.rules.phase(b.phase)
    pct = caps.after_spike_increase_pct if r.spike else caps.single_run_increase_pct
    base_long = r.longest if r.longest > 0 else caps.continuous_min_km.value
    max_single = round(base_long * (1 + pct.value / 100), 1)
    if r.longest > 0 and phase_rule.run_volume_pct < 100:
        # a reduced week shrinks the longest run in proportion (never below the walk/run end point)
        max_single = min(
            max_single,
            round(max(caps.continuous_min_km.value, r.longest * phase_rule.run_volume_pct / 100), 1),
        )
    runs = max(1, r.usual_runs or b.rules.return_to_run.runs_per_week_max)
    if r.weekly > 0:
        weekly_cap = round(
            min(
                r.weekly * phase_rule.run_volume_pct / 100,
                r.weekly * (1 + caps.weekly_increase_pct.value / 100),
            ),
            1,
        )
    else:
        weekly_cap = round(max_single * runs, 1)
    return min(max_single, weekly_cap), weekly_cap, runs


def _single_run_why(b: Builder, r: _Running, load: LoadSnapshot | None, week: _Week) -> None:
    """Why the longest run is capped where it is: a load spike, a reduced week, or the +10% rule."""
    caps, phase_rule = b.rules.load_caps, b.rules.phase(b.phase)
    if r.spike and load is not None:
        band = load.spike_band.replace("over_", "over +").replace("_", "-")
        week.why.append(
            f"Your watch data show a load spike: a run {band}% longer than your longest of the month "
            f"before. Spikes like that raised injury risk in "
            f"{largest_study(b.catalogue, caps.single_run_increase_pct.sources)}, so your "
            f"longest run is capped at {distance(week.max_single, b.unit)} this week: "
            f"{caps.after_spike_increase_pct.plain}"
        )
        week.sources = merged_sources(
            week.sources, caps.single_run_increase_pct.sources, caps.after_spike_increase_pct.sources
        )
    elif r.longest > 0 and phase_rule.run_volume_pct < 100:
        week.why.append(
            f"{caps.single_run_increase_pct.plain} In this phase your longest run also shrinks with "
            f"the week (about {phase_rule.run_volume_pct:g}% of your {distance(r.longest, b.unit)}): "
            f"{distance(week.max_single, b.unit)} at most."
        )
    else:
        week.why.append(
            f"{caps.single_run_increase_pct.plain} That means {distance(week.max_single, b.unit)} at most."
        )
        week.sources = merged_sources(week.sources, caps.single_run_increase_pct.sources)


def _continuous(b: Builder, r: _Running, load: LoadSnapshot | None, sources: tuple[str, ...]) -> _Week:
    """Keep running, easy to moderate, within the phase's share of the usual week."""
    rules = b.rules
    caps, phase_rule, keep = rules.load_caps, rules.phase(b.phase), rules.keep_running
    max_single, weekly_cap, runs = _continuous_caps(b, r)
    effort = "easy to moderate; you can talk in sentences"
    week = _Week("continuous", None, runs, max_single, weekly_cap, effort, sources)
    week.why.append(
        f"Keep running: pain during runs is {r.run_pain:g}/10, within the acceptable "
        f"{keep.value:g}/10. {keep.plain} (grade {keep.grade}: "
        "expert opinion.)"
    )
    week.why.append(
        f"This phase runs about {phase_rule.run_volume_pct:g}% of your usual week "
        f"({distance(r.weekly, b.unit)}), capped at {distance(weekly_cap, b.unit)}. "
        f"{caps.weekly_increase_pct.plain}"
    )
    _single_run_why(b, r, load, week)
    week.sources = merged_sources(week.sources, caps.weekly_increase_pct.sources)
    return week


def _cadence_cue(rules: PlanRules, cadence_pct: float | None) -> float | None:
    """The step-rate increase the video asks for, kept within the rule's bounds."""
    if cadence_pct is None:
        return None
    cue = rules.cadence_cue
    return max(cue.increase_pct_min, min(cue.increase_pct_max, cadence_pct))


def _no_running_fracture(b: Builder, sources: tuple[str, ...]) -> RunPrescription:
    return RunPrescription(
        mode="none",
        stage=None,
        runs_per_week=0,
        max_single_run_km=None,
        weekly_km_cap=None,
        effort="no running",
        surface=b.rules.return_to_run.surface,
        stop_rules=stop_rules(b.rules),
        cadence_cue_pct=None,
        why="No running until a clinician has ruled out a stress fracture.",
        sources=sources,
    )


def prescribe_running(b: Builder, load: LoadSnapshot | None, cadence_pct: float | None) -> RunPrescription:
    """This week's running prescription, with why in plain words and its sources."""
    rules = b.rules
    sources = merged_sources(
        rules.return_to_run.sources, rules.pain_monitoring.sources, rules.keep_running.sources
    )
    r = _running_now(b, load)  # reads (and checks) the answers first, whatever the outcome
    if "suspected_fracture" in b.flags:
        return _no_running_fracture(b, sources)
    week = _walk_run(b, r, sources) if _needs_walk_run(b, r) else _continuous(b, r, load, sources)
    cadence = _cadence_cue(rules, cadence_pct)
    if cadence is not None:
        week.why.append(f"Your video showed overstriding: {rules.cadence_cue.plain} (+{cadence:g}%).")
        week.sources = merged_sources(week.sources, rules.cadence_cue.sources)
    return RunPrescription(
        mode=week.mode,
        stage=week.stage,
        runs_per_week=week.runs,
        max_single_run_km=week.max_single,
        weekly_km_cap=week.weekly_cap,
        effort=week.effort,
        surface=rules.return_to_run.surface,
        stop_rules=stop_rules(rules),
        cadence_cue_pct=cadence,
        why=" ".join(week.why),
        sources=week.sources,
        usual_weekly_km=round(r.weekly, 1) if r.weekly > 0 else None,
    )
