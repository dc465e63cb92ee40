"""The weekly review's running rules: the walk/run table, then continuous running that follows
what the runner actually ran and tolerated.

Each rule is a small named step (``RuleId``): a flare steps back one step from the last tolerated
week (``flare_response.step_back_pct``) and climbs back to it within ``return_weeks`` pain-free
weeks; a calm week grows the cap from what was run (never from an unused cap); the week's cap
never drops below ``floor_share_of_ran`` of what was run unless pain went above the acceptable
level; each phase runs at most its share of the runner's usual week.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from heelcoach.domain.checkin import CheckIn, Decision, RuleId, WeekFacts
from heelcoach.domain.plan import Plan, RunPrescription, run_for_stage
from heelcoach.domain.types import LoadSnapshot, Phase
from heelcoach.domain.units import DistanceUnit, distance
from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.schema_plan import PlanRules

__all__ = ["RunOutcome", "fit_run_to_phase", "over_cap_notes", "run_decision"]


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """The running decision of a weekly review and the running prescription of the next plan."""

    decision: Decision
    run: RunPrescription


def _r(km: float) -> float:
    return round(km, 1)


def _with_caps(
    run: RunPrescription,
    weekly: float,
    single: float | None,
    why: str,
    *,
    tolerated_weekly_km: float | None,
    recover_to_km: float | None,
    recover_step_km: float | None,
) -> RunPrescription:
    """The running with new caps (the single run never above the week), the load last tolerated
    and the climb back after a flare (``recover_*``; None when there is none)."""
    single_km = _r(min(single, weekly)) if single is not None else _r(weekly)
    return replace(
        run,
        weekly_km_cap=_r(weekly),
        max_single_run_km=single_km,
        why=why,
        tolerated_weekly_km=tolerated_weekly_km,
        recover_to_km=recover_to_km,
        recover_step_km=recover_step_km,
    )


def _hold_reason(rule: RuleId, week: WeekFacts, rules: PlanRules) -> str:
    """Why the running stays as it is this week (plain English)."""
    pr = rules.progression
    if rule == RuleId.PAIN_IN_ACCEPTABLE_BAND:
        return (
            f"Running or daily activity hurt up to {week.activity_pain_max()}/10: keep the same running "
            f"this week; it grows again when pain stays at {rules.pain_monitoring.during_safe_max}/10 "
            "or less."
        )
    if rule == RuleId.MORNING_PAIN_NOT_SETTLED:
        return (
            f"Morning first-step pain is still above {pr.progress_first_step_pain_mean_max:g}/10: keep the "
            "same running this week."
        )
    return "Morning pain was a little higher than last week: keep the same running this week."


def _stage_back(run: RunPrescription, stage: int, catalogue: Catalogue, unit: DistanceUnit) -> RunOutcome:
    """Walk/run PAIN_ABOVE_ACCEPTABLE: a flare goes one stage back."""
    dist, text = run_for_stage(stage - 1, catalogue, unit)
    new = replace(
        run,
        stage=stage - 1,
        max_single_run_km=dist,
        weekly_km_cap=_r(dist * run.runs_per_week),
        why=f"One stage back after too much pain: {text}.",
    )
    return RunOutcome(
        Decision(
            item_id="run",
            action="regress",
            rule_id=RuleId.PAIN_ABOVE_ACCEPTABLE,
            reason="Too much pain: one stage back.",
        ),
        new,
    )


def _next_stage(
    run: RunPrescription, stage: int, rules: PlanRules, catalogue: Catalogue, unit: DistanceUnit
) -> RunOutcome:
    """Walk/run STAGE_COMPLETE: enough good repeats move one stage on."""
    dist, text = run_for_stage(stage + 1, catalogue, unit)
    new = replace(
        run,
        stage=stage + 1,
        max_single_run_km=dist,
        weekly_km_cap=_r(dist * run.runs_per_week),
        why=f"Stage {stage + 1}: {text}. Effort {rules.return_to_run.effort}, a rest day between runs.",
    )
    return RunOutcome(
        Decision(
            item_id="run",
            action="progress",
            rule_id=RuleId.STAGE_COMPLETE,
            reason=f"Stage {stage} went well: stage {stage + 1}.",
        ),
        new,
    )


def _walk_run_complete(run: RunPrescription, week: WeekFacts, rules: PlanRules) -> RunOutcome:
    """Walk/run STAGE_COMPLETE after the last stage: continuous easy running."""
    caps = rules.load_caps
    dist = _r(rules.return_to_run.stages[-1].distance_km * (1 + caps.single_run_increase_pct.value / 100))
    new = replace(
        run,
        mode="continuous",
        stage=None,
        max_single_run_km=dist,
        weekly_km_cap=_r(dist * run.runs_per_week),
        effort="easy to moderate; you can talk",
        why=f"Walk/run table complete: continuous easy running. {caps.single_run_increase_pct.plain}",
        tolerated_weekly_km=week.run_km or None,
    )
    return RunOutcome(
        Decision(
            item_id="run",
            action="progress",
            rule_id=RuleId.STAGE_COMPLETE,
            reason="Walk/run complete: continuous running.",
        ),
        new,
    )


def _walk_run(
    plan: Plan, week: WeekFacts, rules: PlanRules, catalogue: Catalogue, unit: DistanceUnit = DistanceUnit.KM
) -> RunOutcome:
    """The walk/run table: one stage back on a flare, one stage on after enough good repeats."""
    run = plan.run
    rtr = rules.return_to_run
    stage = run.stage or 1
    flare = week.flare(rules)
    if flare and stage > 1:
        return _stage_back(run, stage, catalogue, unit)
    if flare or week.next_morning_worse_days:
        rule = RuleId.PAIN_ABOVE_ACCEPTABLE if flare else RuleId.NEXT_MORNING_WORSE
        return RunOutcome(
            Decision(
                item_id="run",
                action="hold",
                rule_id=rule,
                reason="Pain or next-morning stiffness: repeat this stage.",
            ),
            run,
        )
    blocker = week.progress_blocker(rules)
    if blocker is not None:
        return RunOutcome(
            Decision(
                item_id="run",
                action="hold",
                rule_id=blocker.rule_id,
                reason=_hold_reason(blocker.rule_id, week, rules),
            ),
            run,
        )
    if week.runs < rtr.repeats_per_stage_min:
        why = f"Each stage at least {rtr.repeats_per_stage_min} times before moving on."
        return RunOutcome(
            Decision(item_id="run", action="hold", rule_id=RuleId.STAGE_REPEATS, reason=why), run
        )
    if stage < len(rtr.stages):
        return _next_stage(run, stage, rules, catalogue, unit)
    return _walk_run_complete(run, week, rules)


def _floor(weekly: float, week: WeekFacts, rules: PlanRules) -> float:
    """Rule: unless pain went above the acceptable level, never below a share of what was run."""
    if week.over_acceptable():
        return weekly
    return max(weekly, _r(week.run_km * rules.flare_response.floor_share_of_ran))


def _step_back(run: RunPrescription, week: WeekFacts, rules: PlanRules, unit: DistanceUnit) -> RunOutcome:
    """Rule FLARE_STEP_BACK: one step below the last tolerated week, then climb back to it."""
    fr = rules.flare_response
    cap = run.weekly_km_cap or week.run_km
    tolerated = run.tolerated_weekly_km or cap
    if week.run_km > 0:
        # a flare below the last tolerated week makes this week's load the reference
        tolerated = min(tolerated, week.run_km) if run.tolerated_weekly_km else min(cap, week.run_km)
    weekly = _floor(_r(tolerated * (1 - fr.step_back_pct / 100)), week, rules)
    step = _r(max(0.0, tolerated - weekly) / fr.return_weeks)
    single = (run.max_single_run_km or weekly) * (1 - fr.step_back_pct / 100)
    why = (
        f"After the flare, one step back: up to {distance(weekly, unit)} this week, about "
        f"{fr.step_back_pct:g}% below the {distance(tolerated, unit)} your heel last tolerated. It climbs "
        f"back to {distance(tolerated, unit)} over about {fr.return_weeks} pain-free weeks."
    )
    new = _with_caps(
        run,
        weekly,
        single,
        why,
        tolerated_weekly_km=_r(tolerated),
        recover_to_km=_r(tolerated) if step > 0 else None,
        recover_step_km=step if step > 0 else None,
    )
    return RunOutcome(
        Decision(
            item_id="run",
            action="regress",
            rule_id=RuleId.FLARE_STEP_BACK,
            reason=f"Flare: one step back to {distance(weekly, unit)}.",
        ),
        new,
    )


def _climb_back(run: RunPrescription, week: WeekFacts, rules: PlanRules, unit: DistanceUnit) -> RunOutcome:
    """Rule FLARE_RECOVERY: a pain-free week after a flare climbs one step back to the tolerated week."""
    target = run.recover_to_km or 0.0
    cap = run.weekly_km_cap or 0.0
    # the step back up, or what she ran this pain-free week if that was more
    step_up = cap + (run.recover_step_km or target - cap)
    if step_up >= target - 0.15:  # the last step lands on the target (no 0.1 km left over by rounding)
        step_up = target
    weekly = _floor(max(min(target, step_up), week.run_km), week, rules)
    done = weekly >= target - 0.05
    single = (run.max_single_run_km or weekly) * (1 + rules.load_caps.single_run_increase_pct.value / 100)
    why = f"A pain-free week after the flare: back up to {distance(weekly, unit)}" + (
        ", the load your heel tolerated before it."
        if done
        else f" on the way back to {distance(target, unit)}."
    )
    new = _with_caps(
        run,
        weekly,
        single,
        why,
        tolerated_weekly_km=max(run.tolerated_weekly_km or 0.0, week.run_km) or None,
        recover_to_km=None if done else run.recover_to_km,
        recover_step_km=None if done else run.recover_step_km,
    )
    return RunOutcome(
        Decision(
            item_id="run",
            action="progress",
            rule_id=RuleId.FLARE_RECOVERY,
            reason=f"Pain-free week: back up to {distance(weekly, unit)}.",
        ),
        new,
    )


def _grow(
    run: RunPrescription,
    week: WeekFacts,
    rules: PlanRules,
    load: LoadSnapshot | None,
    unit: DistanceUnit = DistanceUnit.KM,
) -> RunOutcome:
    """Rule LOAD_INCREASE: a calm week grows the caps a little, from what was actually run."""
    caps = rules.load_caps
    longest = run.max_single_run_km or caps.continuous_min_km.value
    single = _r(longest * (1 + caps.single_run_increase_pct.value / 100))
    why = f"{caps.single_run_increase_pct.plain} {caps.weekly_increase_pct.plain}"
    if load is not None:
        pct = caps.after_spike_increase_pct if load.spike_band != "none" else caps.single_run_increase_pct
        single = min(single, _r(load.longest_run_30d_km * (1 + pct.value / 100)) or single)
        if load.spike_band != "none":
            why = f"Your watch shows a spike: {caps.after_spike_increase_pct.plain}"
    current = run.weekly_km_cap or single * run.runs_per_week
    grown = _r(current * (1 + caps.weekly_increase_pct.value / 100))
    actual = max(week.run_km, load.chronic_weekly_run_km) if load is not None else week.run_km
    rule = RuleId.LOAD_INCREASE
    if load is not None or actual > 0:
        # grow from what was actually run, never from an unused cap: a cap that grows while the
        # runner stays below it invites a spike in a later week
        weekly = max(_r(current), min(grown, _r(actual * (1 + caps.weekly_increase_pct.value / 100))))
        if week.run_km > current:
            # she ran more than the cap and the heel took it: the cap follows what she tolerated
            weekly, rule = _r(week.run_km), RuleId.FOLLOW_WHAT_WAS_RUN
            why += (
                f" You ran {distance(week.run_km, unit)} without a flare, so the cap follows it "
                "(it does not grow on top)."
            )
        elif weekly <= _r(current):
            why += (
                f" The week's cap stays at {distance(weekly, unit)}: you ran about "
                f"{distance(actual, unit, 0)} of it, and it grows from what you actually run."
            )
    else:
        weekly = grown
    new = _with_caps(
        run,
        weekly,
        single,
        why,
        tolerated_weekly_km=max(run.tolerated_weekly_km or 0.0, week.run_km) or None,
        recover_to_km=run.recover_to_km,
        recover_step_km=run.recover_step_km,
    )
    return RunOutcome(
        Decision(
            item_id="run",
            action="progress",
            rule_id=rule,
            reason="Running went well: a little more this week.",
        ),
        new,
    )


def _hold(run: RunPrescription, week: WeekFacts, rules: PlanRules, rule: RuleId, reason: str) -> RunOutcome:
    """Hold the caps (raised only to the floor of what was run); a calm week still counts as tolerated."""
    weekly = _floor(run.weekly_km_cap or 0.0, week, rules)
    tolerated = run.tolerated_weekly_km
    if week.tolerated(rules) and week.run_km > 0:
        tolerated = max(tolerated or 0.0, week.run_km)
    new = replace(
        run, weekly_km_cap=_r(weekly) if weekly else run.weekly_km_cap, tolerated_weekly_km=tolerated
    )
    return RunOutcome(Decision(item_id="run", action="hold", rule_id=rule, reason=reason), new)


def run_decision(
    plan: Plan,
    week: WeekFacts,
    rules: PlanRules,
    catalogue: Catalogue,
    load: LoadSnapshot | None,
    unit: DistanceUnit = DistanceUnit.KM,
) -> RunOutcome:
    """The running decision of a weekly review: the first rule that fires, in this order (texts in
    ``unit``)."""
    run = plan.run
    if run.mode == "none":
        return RunOutcome(
            Decision(item_id="run", action="hold", rule_id=RuleId.NO_RUNNING, reason="Running stays paused."),
            run,
        )
    if run.mode == "walk_run":
        return _walk_run(plan, week, rules, catalogue, unit)
    if week.flare(rules):
        return _step_back(run, week, rules, unit)
    blocker = week.progress_blocker(rules)
    if blocker is not None:
        return _hold(run, week, rules, blocker.rule_id, _hold_reason(blocker.rule_id, week, rules))
    if run.recover_to_km and week.pain_free(rules):
        return _climb_back(run, week, rules, unit)
    if week.next_morning_worse_days:
        return _hold(
            run,
            week,
            rules,
            RuleId.NEXT_MORNING_WORSE,
            "A morning after a run was worse: hold the running load.",
        )
    if week.runs < rules.return_to_run.repeats_per_stage_min:
        return _hold(run, week, rules, RuleId.STAGE_REPEATS, "Too few runs to judge: hold the running load.")
    return _grow(run, week, rules, load, unit)


def fit_run_to_phase(
    run: RunPrescription, phase: Phase, rules: PlanRules, unit: DistanceUnit = DistanceUnit.KM
) -> RunPrescription:
    """Rule: each phase runs at most its share of the runner's usual week (``run_volume_pct``)."""
    if run.mode != "continuous" or not run.usual_weekly_km or run.weekly_km_cap is None:
        return run
    share = rules.phase(phase).run_volume_pct
    ceiling = _r(run.usual_weekly_km * share / 100)
    if run.weekly_km_cap <= ceiling:
        return run
    why = (
        f"{run.why} This phase keeps your week at about {share:g}% of your usual "
        f"{distance(run.usual_weekly_km, unit)} ({distance(ceiling, unit)}); the next phase allows more."
    )
    single = min(run.max_single_run_km or ceiling, ceiling)
    return replace(run, weekly_km_cap=ceiling, max_single_run_km=_r(single), why=why)


def _next_morning_worse(day: CheckIn, by_day: dict[date, CheckIn], rules: PlanRules) -> bool | None:
    after = by_day.get(day.day + timedelta(days=1))
    if after is None:
        return None
    rise = after.first_step_pain - day.first_step_pain
    return bool(after.next_morning_worse) or rise >= rules.pain_monitoring.next_morning_rise_points


def over_cap_notes(
    plan: Plan,
    week: WeekFacts,
    checkins: Sequence[CheckIn],
    rules: PlanRules,
    unit: DistanceUnit = DistanceUnit.KM,
) -> list[str]:
    """Runs over the plan's caps this week, each with how the next morning was ('you ran 14 km
    against a 12.8 km cap; the next morning was worse')."""
    run = plan.run
    if run.mode == "none":
        return []
    by_day = {c.day: c for c in checkins}
    notes: list[str] = []
    single = run.max_single_run_km
    for c in week.checkins:
        if single is None or not c.run_km or c.run_km <= single + 0.05:
            continue
        worse = _next_morning_worse(c, by_day, rules)
        after = {True: "; the next morning was worse", False: "; the next morning was no worse", None: ""}[
            worse
        ]
        notes.append(
            f"On {c.day.strftime('%a %d %b')} you ran {distance(c.run_km, unit)} "
            f"against a {distance(single, unit)} cap for one run{after}."
        )
    cap = run.weekly_km_cap
    if cap is not None and week.run_km > cap + 0.05:
        notes.append(
            f"This week you ran {distance(week.run_km, unit)} against a {distance(cap, unit)} cap for "
            "the week."
        )
    return notes
