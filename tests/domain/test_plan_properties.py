"""Rules that must hold for every plan and every weekly review (Hypothesis)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heelcoach.domain.drivers import infer_drivers, intake_evidence
from heelcoach.domain.plan import (
    INTAKE_EQUIPMENT,
    WEEKDAYS,
    Plan,
    PlanInput,
    build_plan,
    effective_level,
    referral_action,
)
from heelcoach.domain.progression import CheckIn, weekly_review
from heelcoach.domain.triage import triage
from heelcoach.domain.types import DRIVER_IDS, PHASES, DriverEvidence, LoadSnapshot, TriageLevel
from heelcoach.knowledge import load_catalogue
from tests.domain.plan_helpers import BASE, START

CAT = load_catalogue()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EQUIPMENT = sorted(INTAKE_EQUIPMENT)
TRIED = [
    "rolling",
    "massage",
    "taping",
    "new_shoes",
    "orthotics",
    "rest",
    "stretching",
    "strengthening",
    "injection",
    "night_splint",
    "ice",
]
PAIN = st.integers(0, 10)

answers_st = st.fixed_dictionaries(
    {
        "first_step_pain": PAIN,
        "worst_pain": PAIN,
        "pain_during_run": PAIN,
        "symptom_duration_weeks": st.integers(0, 120),
        "runs_per_week": st.integers(0, 7),
        "weekly_distance_km": st.floats(0, 120, allow_nan=False),
        "longest_run_km": st.floats(0, 42, allow_nan=False),
        "days_available_per_week": st.integers(1, 7),
        "minutes_per_session": st.integers(5, 90),
        "equipment": st.lists(st.sampled_from(EQUIPMENT), unique=True),
        "tried": st.lists(st.sampled_from(TRIED), unique=True),
        "foot_type": st.sampled_from(["flat", "high_arch", "neutral", "unsure"]),
        "running_goal": st.sampled_from(["keep_running", "return_to_running", "race"]),
        "shoe_age_km": st.floats(0, 2000, allow_nan=False),
        "can_bear_weight": st.booleans(),
        "numbness_tingling_burning": st.booleans(),
        "swelling_warmth_redness": st.booleans(),
        "pain_at_rest_or_night": st.booleans(),
        "diabetes": st.booleans(),
        "reduced_foot_sensation": st.booleans(),
        "anticoagulants_or_bleeding_disorder": st.booleans(),
        "pregnant": st.sampled_from(["yes", "no", "not_applicable"]),
        "past_episodes": st.integers(0, 5),
        "limping": st.booleans(),
        "onset": st.sampled_from(
            ["gradual", "after_training_increase", "sudden_pop", "after_fall_or_injury"]
        ),
        "squeeze_test": st.sampled_from(["positive", "negative", "not_done"]),
        "poor_circulation": st.booleans(),
        "fever_or_unwell": st.booleans(),
    }
)
evidence_st = st.lists(
    st.builds(
        DriverEvidence,
        st.sampled_from(DRIVER_IDS),
        st.floats(0, 1),
        st.just("gait"),
        st.just("x"),
        st.just("observed"),
    ),
    max_size=8,
)
load_st = st.none() | st.builds(
    LoadSnapshot,
    st.just(START),
    st.floats(0, 100, allow_nan=False),
    st.floats(0, 100, allow_nan=False),
    st.floats(0, 35, allow_nan=False),
    st.integers(0, 7),
    st.sampled_from(["none", "10_30", "30_100", "over_100"]),
)


def _plan(
    overrides: dict[str, Any], evidence: list[DriverEvidence], load: LoadSnapshot | None
) -> tuple[Plan, Any]:
    a = {**BASE, **overrides}
    t = triage(a, CAT)
    drivers = infer_drivers([*intake_evidence(a, CAT), *evidence], CAT)
    return build_plan(PlanInput(a, t, drivers, load, START, None), CAT), t


def _check_doses(plan: Plan) -> None:
    for item in plan.items:
        assert set(item.days) <= set(WEEKDAYS)
        assert len(set(item.days)) == len(item.days)
        if item.kind != "exercise":
            continue
        ex = CAT.exercises[item.ref_id]
        assert item.level is not None
        assert 1 <= item.level <= len(ex.levels)
        dose = ex.levels[item.level - 1].dose
        for key, lo, hi in (
            ("sets", dose.sets_min, dose.sets_max),
            ("reps", dose.reps_min, dose.reps_max),
            ("hold_s", dose.hold_s_min, dose.hold_s_max),
            ("minutes", dose.minutes_min, dose.minutes_max),
        ):
            if lo is None and hi is None:
                assert key not in item.dose
                continue
            value = item.dose[key]
            assert (lo if lo is not None else hi) <= value <= (hi if hi is not None else lo)
        assert 1 <= item.dose["days_per_week"] <= dose.days_per_week
        assert item.dose["days_per_week"] == len(item.days)
        assert item.dose.get("rm") == dose.rm
        assert item.dose["times_per_day"] == dose.times_per_day


def _check_items(plan: Plan) -> None:
    for item in plan.items:
        assert item.why.strip(), item.id
        assert item.evidence
        assert item.sources, item.id
        assert all(s in CAT.references for s in item.sources), item.id
    assert plan.run.sources
    assert all(s in CAT.references for s in plan.run.sources)


@SETTINGS
@given(answers_st, evidence_st, load_st)
def test_every_plan_is_safe_and_explained(
    overrides: dict[str, Any], evidence: list[DriverEvidence], load: LoadSnapshot | None
) -> None:
    plan, t = _plan(overrides, evidence, load)
    _check_items(plan)
    _check_doses(plan)
    if t.red_flags:
        assert plan.referral  # any red flag always shows the referral
        assert any(i.id == "see_a_clinician" for i in plan.items)
    stopping = effective_level(t) is TriageLevel.EMERGENCY or any(f.stops_loading for f in t.red_flags)
    if stopping or t.stops_loading:
        # a stopping red flag always ends in a no-loading referral plan
        assert plan.referral
        assert plan.stops_loading
        assert plan.run.mode == "none"
        assert not [i for i in plan.items if i.kind in ("exercise", "adjunct", "cross_training")]
        return
    if referral_action(t) == "refer_and_continue_safely":
        # a continue-safely flag keeps a conservative plan, with the referral on top
        assert t.red_flags
        assert plan.referral
        assert not plan.stops_loading
        assert plan.phase == "settle"
        assert plan.irritability != "low"
        assert not [i for i in plan.items if i.ref_id in CAT.plan.high_load.exercise_ids]
        assert plan.run.mode != "none"
        assert plan.items[0].id == "see_a_clinician"
    else:
        assert plan.referral is None
    strength = [
        i for i in plan.items if i.kind == "exercise" and i.ref_id not in CAT.plan.selection.stretches
    ]
    assert len([i for i in plan.items if i.kind == "adjunct"]) <= len(strength)  # passive care never leads
    session = {
        d for i in plan.items if i.kind in ("exercise", "adjunct") and i.days != WEEKDAYS for d in i.days
    }
    assert len(session) <= overrides["days_available_per_week"]  # daily 2-minute stretches are the exception
    flags = set(t.safety_flags)
    for item in plan.items:
        if item.kind == "adjunct":
            assert item.optional
            assert item.until is not None
            assert item.until <= START + timedelta(weeks=CAT.plan.adjuncts.max_weeks)
            assert not flags & set(CAT.passive[item.ref_id].contraindications)
        if item.ref_id in CAT.plan.high_load.exercise_ids:
            assert plan.irritability in CAT.plan.high_load.allowed_irritability
    stretches = {
        i.ref_id for i in plan.items if i.kind == "exercise" and CAT.exercises[i.ref_id].evidence == "A"
    }
    reasons = {e.ref_id: e.reason for e in plan.excluded}
    for missing in set(CAT.plan.selection.stretches) - stretches:  # only a session too short for it
        assert f"{overrides['minutes_per_session']:g}-minute sessions" in reasons[missing]
    if plan.irritability == "high":
        assert plan.run.mode in ("walk_run", "none")
    if plan.run.mode == "continuous" and plan.run.max_single_run_km is not None:
        longest = load.longest_run_30d_km if load else overrides["longest_run_km"]
        if longest > 0:
            assert plan.run.max_single_run_km <= round(longest * 1.1, 1) + 1e-9


checkin_st = st.builds(
    lambda first, worst, during, after, worse, done, ran, red: (
        first,
        worst,
        during,
        after,
        worse,
        done,
        ran,
        red,
    ),
    PAIN,
    st.none() | PAIN,
    st.none() | PAIN,
    st.none() | PAIN,
    st.none() | st.booleans(),
    st.booleans(),
    st.booleans(),
    st.booleans().map(lambda r: ("numbness",) if r else ()),
)
weeks_st = st.lists(st.lists(checkin_st, min_size=0, max_size=7), min_size=1, max_size=4)


def _rung(p: Plan) -> int:
    """The run's place on one ladder: walk/run stages 1..n, then continuous."""
    stages = len(CAT.plan.return_to_run.stages)
    return {"none": 0, "walk_run": p.run.stage or 1, "continuous": stages + 1}[p.run.mode]


def _checkins(plan: Plan, week: list[tuple[Any, ...]], end_day: Any, red_ok: bool) -> list[CheckIn]:
    out = []
    ids = tuple(i.id for i in plan.items if i.kind == "exercise")
    for k, (first, worst, during, after, worse, done, ran, red) in enumerate(week):
        out.append(
            CheckIn(
                day=end_day - timedelta(days=6 - k),
                first_step_pain=first,
                worst_pain=worst,
                run_pain_during=during if ran else None,
                run_pain_after=after if ran else None,
                next_morning_worse=worse,
                done_items=ids if done else (),
                run_km=3.0 if ran else None,
                run_minutes=None,
                passive_used=(),
                red_flag_symptoms=red if red_ok else (),
            )
        )
    return out


@SETTINGS
@given(answers_st.filter(lambda a: a["can_bear_weight"] and not a["limping"]), weeks_st, st.booleans())
def test_reviews_obey_the_rules(
    overrides: dict[str, Any], weeks: list[list[tuple[Any, ...]]], allow_red: bool
) -> None:
    plan, _ = _plan(overrides, [], None)
    history: list[CheckIn] = []
    pm = CAT.plan.pain_monitoring
    for n, week in enumerate(weeks):
        today = START + timedelta(days=6 + 7 * n)
        fresh = _checkins(plan, week, today, allow_red)
        history += fresh
        review = weekly_review(plan, history, CAT, today)
        new = review.new_plan
        assert new.version == plan.version + 1
        _check_items(new)
        _check_doses(new)
        if any(c.red_flag_symptoms for c in fresh) or plan.stops_loading:
            assert review.referral
            assert new.referral
            assert new.stops_loading
            assert new.run.mode == "none"
            assert not [i for i in new.items if i.kind in ("exercise", "adjunct", "cross_training")]
        elif plan.referral:
            # continue safely: training goes on, and the referral stays until a clinician has seen them
            assert review.referral
            assert new.referral == plan.referral
            assert not new.stops_loading
        over = any(
            max(c.worst_pain or 0, c.run_pain_during or 0) > pm.during_acceptable_max
            or (c.run_pain_after or 0) > pm.after_max
            for c in fresh
        )
        if over:
            assert not [d for d in review.decisions if d.action == "progress"]
            assert PHASES.index(new.phase) <= PHASES.index(plan.phase)
        assert abs(PHASES.index(new.phase) - PHASES.index(plan.phase)) <= 1
        old_levels = {i.id: i.level or 1 for i in plan.items if i.kind == "exercise"}
        for item in new.items:
            if item.kind == "exercise" and item.id in old_levels:
                assert abs((item.level or 1) - old_levels[item.id]) <= 1
        if new.run.mode != "none" and plan.run.mode != "none":
            assert abs(_rung(new) - _rung(plan)) <= 1
        plan = new


# Weeks that hover around the safe band (0-2): a week's pain ceiling and morning-pain ceiling are
# drawn first, so that whole weeks in the safe band (progress, the cap) are common.
def _calm_week(pain_cap: int, first_cap: int) -> st.SearchStrategy[list[tuple[Any, ...]]]:
    low = st.none() | st.integers(0, pain_cap)
    day = st.tuples(
        st.integers(0, first_cap),
        low,
        low,
        low,
        st.just(False) | st.none(),
        st.sampled_from([True, True, True, False]),
        st.booleans(),
        st.just(()),
    )
    return st.lists(day, min_size=4, max_size=7)


calm_weeks_st = st.lists(
    st.tuples(st.integers(0, 4), st.integers(0, 5)).flatmap(lambda caps: _calm_week(*caps)),
    min_size=1,
    max_size=4,
)


@SETTINGS
@given(evidence_st, calm_weeks_st)
def test_progress_is_paced(evidence: list[DriverEvidence], weeks: list[list[tuple[Any, ...]]]) -> None:
    """At most N exercises move up per review, and nothing moves up in a week whose pain during or
    after activity left the safe band or whose morning pain was not mild."""
    pr = CAT.plan.progression
    plan, _ = _plan({}, evidence, None)
    history: list[CheckIn] = []
    for n, week in enumerate(weeks):
        today = START + timedelta(days=6 + 7 * n)
        fresh = _checkins(plan, week, today, False)
        history += fresh
        review = weekly_review(plan, history, CAT, today)
        new = review.new_plan
        moved = [d for d in review.decisions if d.action == "progress" and d.item_id not in ("phase",)]
        exercise_ids = {i.id for i in plan.items if i.kind == "exercise"}
        old_levels = {i.id: i.level or 1 for i in plan.items if i.kind == "exercise"}
        raised = [i for i in new.items if i.id in old_levels and (i.level or 1) > old_levels[i.id]]
        assert len([d for d in moved if d.item_id in exercise_ids]) <= pr.max_items_per_review
        assert len(raised) <= pr.max_items_per_review
        assert {i.id for i in raised} <= {d.item_id for d in moved}
        pain = max(
            (max(c.worst_pain or 0, c.run_pain_during or 0, c.run_pain_after or 0) for c in fresh),
            default=0,
        )
        first_mean = sum(c.first_step_pain for c in fresh) / len(fresh)
        if (
            pain > CAT.plan.pain_monitoring.during_safe_max
            or first_mean > pr.progress_first_step_pain_mean_max
        ):
            assert not moved, (pain, first_mean, moved)
            assert not raised
            assert new.run == plan.run or _rung(new) <= _rung(plan)
        for rule_id in {d.rule_id for d in review.decisions}:
            if "_" in rule_id:
                assert rule_id not in new.rationale  # rule ids stay out of the runner's text
        plan = new
