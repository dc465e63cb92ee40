"""The weekly review: it reads the week's check-ins and returns the next plan version.

The review runs named steps in order, each a small function a clinician can find by name:

1. :func:`safety_step`: a warning sign in a check-in (or a standing stop-and-refer referral)
   stops everything and refers (``checkin_warning_signs``);
2. :func:`exercise_step` (rules in :mod:`heelcoach.domain.exercise_rules`): pain monitoring,
   adherence counted in whole sessions, time at level, at most ``progression.max_items_per_review``
   move up;
3. :func:`adjunct_step`: time-limited relief leaves the plan when its time is up or not needed;
4. running rules (:func:`~heelcoach.domain.running.run_decision`): one step back on a flare, back
   to the last tolerated week within about two pain-free weeks, growth from what was actually run;
5. :func:`phase_change_step` (rules in :mod:`heelcoach.domain.phases`): two flare weeks in a row
   step a phase back, the exit criteria move it on; the exercises and the running fit the phase;
6. :func:`referral_step`: no meaningful change after six weeks of good adherence refers
   (:func:`escalation_step`); a continue-safely referral stays;
7. :func:`recurrence_step` and the adherence message.

The runner reads the review in plain English (:func:`review_summary`); rule ids stay in
:class:`Decision` for the clinician and the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from statistics import mean

from heelcoach.domain.checkin import (
    Adherence,
    CheckIn,
    Decision,
    RuleId,
    WeekFacts,
    overall_adherence,
    week_facts,
)
from heelcoach.domain.exercise_rules import (
    ExerciseOutcome,
    cap_progress,
    cap_session_time,
    exercise_decision,
    review_irritability,
)
from heelcoach.domain.phases import adapt_items, phase_step
from heelcoach.domain.plan import (
    DEFERRED_NOTE,
    ExcludedItem,
    Plan,
    PlanItem,
    RunPrescription,
    education_item,
)
from heelcoach.domain.planning.clinician import keep_terms
from heelcoach.domain.planning.session_fit import over_run_notes, refit_week
from heelcoach.domain.recurrence import RecurrenceFinding, detect_recurrence, strength_item_ids
from heelcoach.domain.review_text import review_summary
from heelcoach.domain.running import fit_run_to_phase, over_cap_notes, run_decision
from heelcoach.domain.types import PHASES, Irritability, LoadSnapshot, Phase
from heelcoach.domain.units import DistanceUnit
from heelcoach.domain.warning_signs import open_warning_signs, stop_for_warning_signs
from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.schema_plan import PlanRules

__all__ = ["CheckIn", "Decision", "Escalation", "Review", "RuleId", "review_summary", "weekly_review"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Review:
    """The outcome of a weekly review: decisions, the next plan version and messages."""

    week_start: date
    decisions: tuple[Decision, ...]
    new_plan: Plan
    phase_change: tuple[Phase, Phase] | None
    referral: str | None
    messages: tuple[str, ...]
    recurrence: RecurrenceFinding | None
    adherence: float


@dataclass(frozen=True, slots=True)
class Escalation:
    """Rule NO_PROGRESS_PHYSIO fired: the referral text and the decision that records it."""

    referral: str
    decision: Decision


def _strength_adherence(plan: Plan, checkins: Sequence[CheckIn], today: date, rules: PlanRules) -> Adherence:
    items = [i for i in plan.items if i.kind == "exercise" and not i.optional and i.days]
    return overall_adherence(items, checkins, today, rules.progression.adherence_window_days)


def safety_step(
    plan: Plan,
    checkins: Sequence[CheckIn],
    week_start: date,
    today: date,
    catalogue: Catalogue,
    adherence: float,
) -> Review | None:
    """WARNING_SIGN / REFERRAL_PENDING: a warning sign since the last clinician visit, or a standing
    stop-and-refer referral, stops the plan; None when the review may go on."""
    rules = catalogue.plan
    recent = [c for c in checkins if c.day <= today]
    symptoms = open_warning_signs(recent, plan, since=min(week_start, plan.created))
    if not symptoms and not plan.stops_loading:
        return None
    if symptoms or plan.run.mode != "none" or any(i.kind == "exercise" for i in plan.items):
        new_plan = stop_for_warning_signs(plan, symptoms, today, rules)
        new_plan = replace(new_plan, week=plan.week + 1)
        what = rules.checkin_warning_signs.plain(symptoms)
        decisions = [
            Decision(item_id=i.id, action="refer", rule_id=RuleId.WARNING_SIGN, reason=f"Stopped: {what}.")
            for i in plan.items
            if i.kind in ("exercise", "adjunct", "cross_training")
        ]
        decisions.append(
            Decision(
                item_id="run", action="refer", rule_id=RuleId.WARNING_SIGN, reason=f"No running: {what}."
            )
        )
        referral = new_plan.referral or ""
        return Review(
            week_start=week_start,
            decisions=tuple(decisions),
            new_plan=new_plan,
            phase_change=None,
            referral=referral,
            messages=(referral,),
            recurrence=None,
            adherence=adherence,
        )
    pending = Decision(
        item_id="run",
        action="refer",
        rule_id=RuleId.REFERRAL_PENDING,
        reason="Still waiting for a clinician's review.",
    )
    return Review(
        week_start=week_start,
        decisions=(pending,),
        new_plan=replace(plan, version=plan.version + 1, created=today, week=plan.week + 1),
        phase_change=None,
        referral=plan.referral,
        messages=(plan.referral or "",),
        recurrence=None,
        adherence=adherence,
    )


def exercise_step(
    plan: Plan, week: WeekFacts, catalogue: Catalogue, irritability: Irritability, today: date
) -> list[ExerciseOutcome]:
    """Every exercise's outcome: only as far as the runner's session minutes allow, and at most
    ``max_items_per_review`` moving up."""
    rules = catalogue.plan
    decided = [
        exercise_decision(item, week, rules, catalogue, irritability, today)
        for item in plan.items
        if item.kind == "exercise"
    ]
    return cap_progress(plan, cap_session_time(plan, decided, catalogue), catalogue)


def adjunct_step(item: PlanItem, week: WeekFacts, rules: PlanRules, today: date) -> Decision | None:
    """ADJUNCT_TIME_LIMIT / ADJUNCT_NOT_NEEDED: relief leaves the plan; None when it stays."""
    if item.until is not None and item.until <= today:
        return Decision(
            item_id=item.id,
            action="hold",
            rule_id=RuleId.ADJUNCT_TIME_LIMIT,
            reason=f"{item.title}: its time limit is reached; it leaves the plan.",
        )
    if (week.first_step_mean or 0) < rules.adjuncts.min_first_step_pain:
        return Decision(
            item_id=item.id,
            action="hold",
            rule_id=RuleId.ADJUNCT_NOT_NEEDED,
            reason=f"{item.title}: morning pain is low now; it leaves the plan.",
        )
    return None


def escalation_step(
    checkins: Sequence[CheckIn], week: WeekFacts, today: date, rules: PlanRules, adherence: float
) -> Escalation | None:
    """NO_PROGRESS_PHYSIO: too little change after weeks of good adherence (plan_rules.yaml: escalation)."""
    esc = next((e for e in rules.escalation if e.id == RuleId.NO_PROGRESS_PHYSIO), None)
    if esc is None or esc.after_weeks is None or not checkins or not week.checkins:
        return None
    first_day = min(c.day for c in checkins)
    if (today - first_day).days < esc.after_weeks * 7 - 1 or adherence < (esc.min_adherence or 0):
        return None
    first_week = [c.first_step_pain for c in checkins if c.day < first_day + timedelta(days=7)]
    drop = mean(first_week) - (week.first_step_mean or 0)
    if drop >= (esc.meaningful_first_step_drop or 0):
        return None
    return Escalation(
        esc.plain,
        Decision(
            item_id="escalation",
            action="refer",
            rule_id=RuleId.NO_PROGRESS_PHYSIO,
            reason=(
                f"First-step pain fell only {drop:.1f} points in {esc.after_weeks} weeks of good adherence."
            ),
        ),
    )


@dataclass(kw_only=True)
class _Draft:
    """The next plan being assembled by the review steps."""

    phase: Phase
    irritability: Irritability
    run: RunPrescription
    items: list[PlanItem]
    excluded: list[ExcludedItem]
    decisions: list[Decision] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    phase_change: tuple[Phase, Phase] | None = None
    referral: str | None = None
    recurrence: RecurrenceFinding | None = None


def _no_checkins(plan: Plan) -> _Draft:
    """NO_CHECKINS: nothing to go on, so nothing changes."""
    return _Draft(
        phase=plan.phase,
        irritability=plan.irritability,
        run=plan.run,
        items=list(plan.items),
        excluded=list(plan.excluded),
        decisions=[
            Decision(
                item_id="run",
                action="hold",
                rule_id=RuleId.NO_CHECKINS,
                reason="No check-ins this week: nothing changes.",
            )
        ],
        messages=[
            (
                "No check-ins this week, so the plan stays the same. "
                "A daily 20-second check-in lets the plan adapt."
            )
        ],
    )


def _items_step(
    plan: Plan, week: WeekFacts, catalogue: Catalogue, irritability: Irritability, today: date
) -> _Draft:
    """The exercises (:func:`exercise_step`) and the relief (:func:`adjunct_step`) of the next plan."""
    rules = catalogue.plan
    outcomes = exercise_step(plan, week, catalogue, irritability, today)
    by_id = {o.item.id: o for o in outcomes}
    draft = _Draft(
        phase=plan.phase,
        irritability=irritability,
        run=plan.run,
        items=[],
        excluded=list(plan.excluded),
        decisions=[o.decision for o in outcomes],
    )
    for item in plan.items:
        if item.kind == "exercise":
            outcome = by_id[item.id]
            if outcome.paused:
                reason = outcome.decision.reason
                draft.excluded.append(ExcludedItem(item.ref_id, f"{item.title}: {reason} {DEFERRED_NOTE}"))
            else:
                draft.items.append(outcome.next_item)
        elif (
            item.kind == "adjunct"
            # time-limited relief from passive.yaml; a condition plan's own advice (fat pad taping
            # holds the pad together for runs) stays through the return to running
            and item.ref_id in catalogue.passive
            and (gone := adjunct_step(item, week, rules, today)) is not None
        ):
            draft.decisions.append(gone)
        else:
            draft.items.append(item)
    return draft


def _pain_messages(week: WeekFacts, rules: PlanRules) -> list[str]:
    out: list[str] = []
    if week.over_acceptable():
        out.append(
            f"Pain went above {rules.pain_monitoring.during_acceptable_max}/10 this week: "
            "nothing moves up, and the plan steps back where needed."
        )
    if week.morning_rising(rules):
        out.append("Your morning pain is creeping up: the load steps back a little.")
    return out


def _checked_in_week(
    plan: Plan,
    week: WeekFacts,
    checkins: Sequence[CheckIn],
    catalogue: Catalogue,
    today: date,
    load: LoadSnapshot | None,
    unit: DistanceUnit,
) -> _Draft:
    """A week with check-ins: irritability, the exercises and relief, the running, pain notes."""
    rules = catalogue.plan
    irritability = review_irritability(week, rules, plan.irritability)
    draft = _items_step(plan, week, catalogue, irritability, today)
    ran = run_decision(plan, week, rules, catalogue, load, unit)
    draft.run = ran.run
    draft.decisions.append(ran.decision)
    draft.messages.extend(_pain_messages(week, rules))
    draft.messages.extend(over_cap_notes(plan, week, checkins, rules, unit))
    return draft


def phase_change_step(
    plan: Plan,
    draft: _Draft,
    week: WeekFacts,
    checkins: Sequence[CheckIn],
    today: date,
    catalogue: Catalogue,
    adherence: float,
    unit: DistanceUnit,
) -> None:
    """PHASE_BACK_FLARE / PHASE_EXIT_CRITERIA_MET: the phase moves by a named rule; the running
    fits the phase's share and the exercises fit the phase and irritability."""
    rules = catalogue.plan
    moved = phase_step(plan, week, checkins, today, rules, adherence, draft.run)
    phase = moved.phase
    draft.phase = phase
    draft.run = fit_run_to_phase(draft.run, phase, rules, unit)
    draft.phase_change = (plan.phase, phase) if phase != plan.phase else None
    fitted = adapt_items(
        draft.items, draft.excluded, phase, draft.irritability, rules, catalogue, week.tolerated(rules), today
    )
    draft.items, draft.excluded = fitted.items, fitted.excluded
    if draft.phase_change and moved.rule_id is not None:  # the phase changes only by a named rule
        forward = PHASES.index(phase) > PHASES.index(plan.phase)
        draft.decisions.append(
            Decision(
                item_id="phase",
                action="progress" if forward else "regress",
                rule_id=moved.rule_id,
                reason=f"Phase {plan.phase} -> {phase}.",
            )
        )
        draft.messages.append(f"New phase: {phase}. {rules.phase(phase).goal}")


def referral_step(
    plan: Plan,
    draft: _Draft,
    week: WeekFacts,
    checkins: Sequence[CheckIn],
    today: date,
    rules: PlanRules,
    adherence: float,
) -> None:
    """NO_PROGRESS_PHYSIO refers (:func:`escalation_step`); otherwise a continue-safely referral
    stays until a clinician has seen the runner."""
    escalated = escalation_step(checkins, week, today, rules, adherence)
    if escalated is not None:
        draft.referral = escalated.referral
        draft.messages.append(escalated.referral)
        draft.decisions.append(escalated.decision)
    else:
        draft.referral = plan.referral


def recurrence_step(plan: Plan, draft: _Draft, checkins: Sequence[CheckIn], catalogue: Catalogue) -> None:
    """The passive-care loop in the check-ins: say so, and add the reading on why it comes back."""
    recurrence = detect_recurrence(checkins, plan, catalogue)
    draft.recurrence = recurrence
    if recurrence is not None and recurrence.detected:
        draft.messages.append(recurrence.message)
        topic = catalogue.education.get("why_it_keeps_coming_back")
        if topic is not None and not any(i.id == topic.id for i in draft.items):
            draft.items.append(education_item(topic, "Your check-ins show the passive-care loop."))


def _adherence_message(
    plan: Plan, checkins: Sequence[CheckIn], today: date, catalogue: Catalogue
) -> str | None:
    rules = catalogue.plan
    done = _strength_adherence(plan, checkins, today, rules)
    if (
        not strength_item_ids(plan, catalogue)
        or not done.expected
        or done.share >= rules.progression.item_adherence_min
    ):
        return None
    days = min(rules.progression.adherence_window_days, (today - min(c.day for c in checkins)).days + 1)
    return (
        f"In the last {days} days you did {done.done} of {done.expected} exercise sessions "
        f"({done.share:.0%}). Strength work is what changes the load on the fascia: the exercises "
        "move up only when you do most of their sessions."
    )


def _fit_time(plan: Plan, draft: _Draft, catalogue: Catalogue) -> frozenset[str]:
    """Fit the next week into the runner's session minutes (``refit_week``); say which exercises
    of last week are left out for time and return their ids."""
    terms = plan.clinician
    draft.items = [i for i in draft.items if i.ref_id not in terms.held]  # never fitted, never kept
    draft.items, draft.excluded, for_time = refit_week(
        draft.items,
        draft.excluded,
        plan.session_minutes,
        catalogue.plan,
        frozenset(i.id for i in plan.items),
        terms.prescribed,  # the items a clinician added or set come first
    )
    if for_time:
        first = "the heel raise and the daily stretches come first"
        if terms.prescribed:
            first = (
                "what your physiotherapist added or set comes first, then the heel raise and "
                "the daily stretches"
            )
        draft.messages.append(
            f"Left out for now to fit your {plan.session_minutes:g}-minute sessions: "
            f"{', '.join(i.title for i in for_time)} ({first}). Give the session more time in your "
            "answers to bring them back."
        )
    draft.messages.extend(over_run_notes(draft.items, plan.session_minutes, catalogue.plan, terms.prescribed))
    return frozenset(i.id for i in for_time)


def _next_plan(plan: Plan, draft: _Draft, catalogue: Catalogue, today: date) -> Plan:
    """The next plan version, fitted into the runner's session minutes, its rationale the review in
    plain English (an exercise left out for time is told once, in the messages)."""
    for_time = _fit_time(plan, draft, catalogue)
    old_exercises = {i.id for i in plan.items if i.kind == "exercise"}
    new_exercises = {i.id for i in draft.items if i.kind == "exercise"}
    summary = review_summary(
        [d for d in draft.decisions if d.item_id not in for_time],
        plan,
        catalogue,
        draft.phase_change,
        paused=[i.title for i in plan.items if i.id in old_exercises - new_exercises - for_time],
        added=[i.title for i in draft.items if i.kind == "exercise" and i.id not in old_exercises],
    )
    return replace(
        plan,
        version=plan.version + 1,
        created=today,
        phase=draft.phase,
        week=1 if draft.phase_change else plan.week + 1,
        irritability=draft.irritability,
        items=tuple(draft.items),
        excluded=tuple(draft.excluded),
        run=draft.run,
        rationale=summary,
    )


def weekly_review(
    plan: Plan,
    checkins: Sequence[CheckIn],
    catalogue: Catalogue,
    today: date,
    load: LoadSnapshot | None = None,
    unit: DistanceUnit = DistanceUnit.KM,
) -> Review:
    """Review the 7 days ending ``today`` and return the next plan version (runner texts' distances
    in ``unit``).

    Pass every check-in since the plan started (at least the last 14 days): the previous week is
    needed to see whether morning pain is rising, the whole history to judge escalation.
    """
    rules = catalogue.plan
    week_start = today - timedelta(days=6)
    week = week_facts(checkins, week_start, today, rules, load.weekly_run_km if load is not None else None)
    adherence = _strength_adherence(plan, checkins, today, rules).share
    stopped = safety_step(plan, checkins, week_start, today, catalogue, adherence)
    if stopped is not None:
        return stopped
    if week.checkins:
        draft = _checked_in_week(plan, week, checkins, catalogue, today, load, unit)
    else:
        draft = _no_checkins(plan)
    phase_change_step(plan, draft, week, checkins, today, catalogue, adherence, unit)
    referral_step(plan, draft, week, checkins, today, rules, adherence)
    recurrence_step(plan, draft, checkins, catalogue)
    if week.checkins and (note := _adherence_message(plan, checkins, today, catalogue)) is not None:
        draft.messages.append(note)
    new_plan = _next_plan(plan, draft, catalogue, today)  # may add a message: before the Review
    new_plan = keep_terms(plan, new_plan)  # a clinician's holds, additions and running cap stay
    return Review(
        week_start=week_start,
        decisions=tuple(draft.decisions),
        new_plan=new_plan,
        phase_change=draft.phase_change,
        referral=draft.referral,
        messages=tuple(draft.messages),
        recurrence=draft.recurrence,
        adherence=adherence,
    )
