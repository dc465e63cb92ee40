"""Weekly review: progress, hold, regress, refer; phases; escalation."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, timedelta

import pytest

from heelcoach.domain.plan import DEFERRED_NOTE, Plan
from heelcoach.domain.progression import CheckIn, review_summary, weekly_review
from heelcoach.domain.types import LoadSnapshot
from tests.domain.plan_helpers import START, make_plan

TODAY = START + timedelta(days=6)


def _week(
    plan: Plan,
    end: date = TODAY,
    *,
    first: int = 3,
    worst: int = 2,
    run_pain: int | None = 2,
    runs: tuple[int, ...] = (1, 3, 5),
    done: bool = True,
    worse: bool = False,
    passive: tuple[str, ...] = (),
    red: tuple[str, ...] = (),
    km: float = 2.0,
) -> list[CheckIn]:
    items = (  # one tick per time of the day for items done several times a day
        tuple(
            i.id
            for i in plan.items
            if i.kind == "exercise"
            for _ in range(int(i.dose.get("times_per_day", 1)))
        )
        if done
        else ()
    )
    out = []
    for k in range(7):
        day = end - timedelta(days=6 - k)
        ran = k in runs
        out.append(
            CheckIn(
                day=day,
                first_step_pain=first,
                worst_pain=worst,
                run_pain_during=run_pain if ran else None,
                run_pain_after=run_pain if ran else None,
                next_morning_worse=worse,
                done_items=items,
                run_km=km if ran else None,
                run_minutes=15.0 if ran else None,
                passive_used=passive,
                red_flag_symptoms=red if k == 6 else (),
            )
        )
    return out


def _without_usual_week(plan: Plan) -> Plan:
    """The plan as if the runner's usual week were unknown (no phase share to cap the week)."""
    return replace(plan, run=replace(plan.run, usual_weekly_km=None))


@pytest.fixture
def settle_plan(catalogue) -> Plan:  # type: ignore[no-untyped-def]
    return make_plan(catalogue, first_step_pain=8, worst_pain=8, pain_during_run=6, symptom_duration_weeks=2)


@pytest.fixture
def build_plan_(catalogue) -> Plan:  # type: ignore[no-untyped-def]
    return make_plan(catalogue)


def test_good_week_progresses_one_step(catalogue, settle_plan) -> None:  # type: ignore[no-untyped-def]
    review = weekly_review(settle_plan, _week(settle_plan), catalogue, TODAY)
    new = review.new_plan
    assert new.version == settle_plan.version + 1
    assert new.created == TODAY
    assert review.week_start == START
    assert review.adherence == 1.0
    old_levels = {i.id: i.level for i in settle_plan.items if i.kind == "exercise"}
    for item in new.items:
        if item.kind == "exercise" and item.id in old_levels:
            assert item.level in (old_levels[item.id], old_levels[item.id] + 1)
    assert any(d.action == "progress" and d.rule_id == "progress_criteria_met" for d in review.decisions)
    assert new.run.stage == 2
    assert new.run.mode == "walk_run"
    assert review.phase_change == ("settle", "build")
    assert new.phase == "build"
    assert new.week == 1
    assert "rules fired" not in new.rationale.lower()
    assert new.rationale.startswith("This week: ")


def test_pain_above_acceptable_never_progresses(catalogue, build_plan_) -> None:  # type: ignore[no-untyped-def]
    review = weekly_review(build_plan_, _week(build_plan_, worst=7, run_pain=7), catalogue, TODAY)
    assert not [d for d in review.decisions if d.action == "progress"]
    assert any(d.rule_id == "pain_above_acceptable" for d in review.decisions)
    rathleff = (
        next(i for i in review.new_plan.items if i.ref_id == "rathleff_high_load_heel_raise")
        if any(i.ref_id == "rathleff_high_load_heel_raise" for i in review.new_plan.items)
        else None
    )
    old = next(i for i in build_plan_.items if i.ref_id == "rathleff_high_load_heel_raise")
    assert rathleff is None or rathleff.level == (old.level or 1) - 1
    # continuous running stays continuous and steps back one step (issue 12, item 1)
    run = review.new_plan.run
    assert run.mode == "continuous"
    assert run.weekly_km_cap is not None
    assert build_plan_.run.weekly_km_cap is not None
    assert run.weekly_km_cap < build_plan_.run.weekly_km_cap
    assert next(d for d in review.decisions if d.item_id == "run").rule_id == "flare_step_back"
    # one flare week is one step back, not a phase back
    assert review.phase_change is None
    assert any("above 5/10" in m for m in review.messages)


def test_two_flare_weeks_in_a_row_step_a_phase_back(catalogue, build_plan_) -> None:  # type: ignore[no-untyped-def]
    history = _week(build_plan_, TODAY - timedelta(days=7), worst=7, run_pain=7)
    history += _week(build_plan_, worst=7, run_pain=7)
    review = weekly_review(build_plan_, history, catalogue, TODAY)
    assert review.phase_change == ("build", "settle")


def test_red_flag_symptom_stops_everything(catalogue, build_plan_) -> None:  # type: ignore[no-untyped-def]
    review = weekly_review(build_plan_, _week(build_plan_, red=("numbness",)), catalogue, TODAY)
    assert review.referral is not None
    assert "numbness" in review.referral
    assert review.new_plan.run.mode == "none"
    assert not [i for i in review.new_plan.items if i.kind in ("exercise", "adjunct", "cross_training")]
    assert all(d.action == "refer" for d in review.decisions)
    again = weekly_review(review.new_plan, [], catalogue, TODAY + timedelta(days=7))
    assert again.referral == review.new_plan.referral
    assert again.new_plan.run.mode == "none"


def test_next_morning_worse_holds(catalogue, build_plan_) -> None:  # type: ignore[no-untyped-def]
    checkins = _week(build_plan_)
    checkins[3] = CheckIn(
        day=checkins[3].day,
        first_step_pain=3,
        worst_pain=3,
        next_morning_worse=True,
        done_items=checkins[3].done_items,
    )
    review = weekly_review(build_plan_, checkins, catalogue, TODAY)
    assert not [d for d in review.decisions if d.action == "progress"]
    assert {d.action for d in review.decisions} <= {"hold"}


def test_rising_morning_pain_regresses(catalogue, build_plan_) -> None:  # type: ignore[no-untyped-def]
    previous = _week(build_plan_, TODAY - timedelta(days=7), first=2)
    review = weekly_review(build_plan_, [*previous, *_week(build_plan_, first=4)], catalogue, TODAY)
    assert any(d.rule_id == "morning_pain_rising" for d in review.decisions)
    assert not [d for d in review.decisions if d.action == "progress"]


def test_no_checkins_hold(catalogue, build_plan_) -> None:  # type: ignore[no-untyped-def]
    review = weekly_review(build_plan_, [], catalogue, TODAY)
    assert review.new_plan.items == build_plan_.items
    assert review.new_plan.run == build_plan_.run
    assert review.decisions[0].rule_id == "no_checkins"
    assert review.adherence == 0.0


def test_low_adherence_holds_and_says_so(catalogue, build_plan_) -> None:  # type: ignore[no-untyped-def]
    review = weekly_review(build_plan_, _week(build_plan_, done=False), catalogue, TODAY)
    assert any(d.rule_id == "low_adherence" for d in review.decisions)
    assert any("0 of" in m and "exercise sessions" in m for m in review.messages)


def test_walk_run_stage_needs_two_runs(catalogue, settle_plan) -> None:  # type: ignore[no-untyped-def]
    review = weekly_review(settle_plan, _week(settle_plan, runs=(2,)), catalogue, TODAY)
    run = next(d for d in review.decisions if d.item_id == "run")
    assert run.action == "hold"
    assert run.rule_id == "stage_repeats"


def test_phases_never_skip(catalogue, settle_plan) -> None:  # type: ignore[no-untyped-def]
    plan = settle_plan
    history: list[CheckIn] = []
    phases = [plan.phase]
    for week in range(12):
        end = TODAY + timedelta(days=7 * week)
        history += _week(plan, end, first=0, worst=0, run_pain=0)
        plan = weekly_review(plan, history, catalogue, end).new_plan
        phases.append(plan.phase)
    order = ["settle", "build", "return", "maintain"]
    for a, b in itertools.pairwise(phases):
        assert abs(order.index(b) - order.index(a)) <= 1
    assert phases[-1] in ("return", "maintain")


def test_no_progress_after_six_weeks_escalates(catalogue, build_plan_) -> None:  # type: ignore[no-untyped-def]
    plan, history = build_plan_, []
    review = None
    for week in range(6):
        end = TODAY + timedelta(days=7 * week)
        history += _week(plan, end, first=5, worst=5, run_pain=3)
        review = weekly_review(plan, history, catalogue, end)
        plan = review.new_plan
    assert review is not None
    assert review.referral is not None
    assert "physical therapist or podiatrist" in review.referral
    assert any(d.rule_id == "no_progress_physio" for d in review.decisions)


def test_adjunct_leaves_after_its_time_limit(catalogue) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(catalogue, equipment=["massage_ball", "step"], minutes_per_session=60)
    adjunct = next(i for i in plan.items if i.kind == "adjunct")
    end = adjunct.until or TODAY
    review = weekly_review(plan, _week(plan, end, first=5), catalogue, end)
    assert adjunct.id not in {i.id for i in review.new_plan.items}
    assert any(d.rule_id == "adjunct_time_limit" for d in review.decisions)


def test_checkin_validation() -> None:
    with pytest.raises(ValueError, match="first_step_pain"):
        CheckIn(day=TODAY, first_step_pain=11)
    with pytest.raises(ValueError, match="run_km"):
        CheckIn(day=TODAY, first_step_pain=3, run_km=-1)


def test_heavy_heel_raises_come_in_when_the_heel_allows(catalogue, settle_plan) -> None:  # type: ignore[no-untyped-def]
    rathleff = "rathleff_high_load_heel_raise"
    assert rathleff not in {i.ref_id for i in settle_plan.items}
    assert any(e.ref_id == rathleff and e.reason.endswith(DEFERRED_NOTE) for e in settle_plan.excluded)
    review = weekly_review(settle_plan, _week(settle_plan), catalogue, TODAY)
    new = review.new_plan
    assert new.phase == "build"
    assert new.irritability in ("moderate", "low")
    calf = [i for i in new.items if i.ref_id in catalogue.plan.selection.calf]
    assert [i.ref_id for i in calf] == [rathleff]
    start = catalogue.exercises[rathleff].start_level
    assert calf[0].level == (start if new.irritability == "low" else 1)
    assert rathleff not in {e.ref_id for e in new.excluded}
    session = {d for i in settle_plan.items if i.kind == "exercise" and len(i.days) < 7 for d in i.days}
    assert set(calf[0].days) <= session


def test_flare_week_adds_nothing_new(catalogue, settle_plan) -> None:  # type: ignore[no-untyped-def]
    review = weekly_review(settle_plan, _week(settle_plan, first=4, worst=6), catalogue, TODAY)
    before = {i.ref_id for i in settle_plan.items}
    after = {i.ref_id for i in review.new_plan.items}
    assert after <= before


def test_irritable_again_pauses_heavy_work_and_brings_it_back(catalogue, build_plan_) -> None:  # type: ignore[no-untyped-def]
    rathleff = "rathleff_high_load_heel_raise"
    bad = weekly_review(build_plan_, _week(build_plan_, first=8, worst=8), catalogue, TODAY)
    assert bad.new_plan.irritability == "high"
    assert rathleff not in {i.ref_id for i in bad.new_plan.items}
    assert any(d.item_id == rathleff and d.rule_id == "high_load_irritability" for d in bad.decisions)
    later = TODAY + timedelta(days=7)
    calm = weekly_review(bad.new_plan, _week(bad.new_plan, later, first=3, worst=3), catalogue, later)
    assert rathleff in {i.ref_id for i in calm.new_plan.items}


def test_continuous_running_grows_within_the_caps(catalogue, build_plan_) -> None:  # type: ignore[no-untyped-def]
    caps = catalogue.plan.load_caps
    plan = _without_usual_week(build_plan_)  # the weekly rule alone (the phase's share: below)
    full = plan.run.weekly_km_cap / 3  # three runs that use the whole week's cap
    review = weekly_review(plan, _week(plan, run_pain=1, km=full), catalogue, TODAY)
    old, new = plan.run, review.new_plan.run
    assert new.mode == "continuous"
    assert new.weekly_km_cap == pytest.approx(
        round(old.weekly_km_cap * (1 + caps.weekly_increase_pct.value / 100), 1)
    )
    assert new.max_single_run_km <= round(old.max_single_run_km * 1.1, 1)
    spike = LoadSnapshot(TODAY, 30, 20, 12.0, 3, "30_100", 12.0)
    week = _week(plan, run_pain=1, km=full)
    capped = weekly_review(plan, week, catalogue, TODAY, spike).new_plan.run
    assert capped.max_single_run_km == pytest.approx(12.0 * (1 + caps.after_spike_increase_pct.value / 100))
    assert "spike" in capped.why


def test_an_unused_cap_does_not_grow_without_a_watch(catalogue, build_plan_) -> None:  # type: ignore[no-untyped-def]
    """Three easy 2 km runs against a 28 km cap: the cap holds, or a later week could spike."""
    old = build_plan_.run
    review = weekly_review(build_plan_, _week(build_plan_, run_pain=1, km=2.0), catalogue, TODAY)
    new = review.new_plan.run
    assert new.weekly_km_cap == old.weekly_km_cap
    assert "stays at" in new.why
    assert "about 6 km" in new.why
    # nothing reported (no km in the check-ins): the cap grows by the weekly rule as before
    plan = _without_usual_week(build_plan_)
    silent = weekly_review(plan, _week(plan, run_pain=1, km=0.0), catalogue, TODAY)
    assert silent.new_plan.run.weekly_km_cap > old.weekly_km_cap


def test_a_phase_never_runs_more_than_its_share_of_the_usual_week(catalogue, build_plan_) -> None:  # type: ignore[no-untyped-def]
    usual = build_plan_.run.usual_weekly_km
    share = catalogue.plan.phase("build").run_volume_pct
    assert usual is not None
    assert build_plan_.run.weekly_km_cap == pytest.approx(usual * share / 100)
    full = build_plan_.run.weekly_km_cap / 3
    held = weekly_review(build_plan_, _week(build_plan_, run_pain=1, km=full), catalogue, TODAY).new_plan.run
    assert held.weekly_km_cap == build_plan_.run.weekly_km_cap  # a good, full week: still the build share
    assert f"about {share:g}% of your usual {usual:g} km" in held.why
    # in the return phase the same good week grows the cap by the weekly rule, up to the usual week
    back = replace(build_plan_, phase="return")
    grown = weekly_review(back, _week(back, run_pain=1, km=full), catalogue, TODAY).new_plan.run
    rule = catalogue.plan.load_caps.weekly_increase_pct.value
    assert grown.weekly_km_cap == pytest.approx(min(round(full * 3 * (1 + rule / 100), 1), usual))


def test_continue_safely_referral_keeps_training_until_a_red_symptom(catalogue) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(catalogue, symptom_duration_weeks=8, tried=["stretching", "strengthening"])
    assert plan.referral is not None
    assert not plan.stops_loading
    review = weekly_review(plan, _week(plan, first=3, worst=3, run_pain=2), catalogue, TODAY)
    new = review.new_plan
    assert not new.stops_loading
    assert new.referral == plan.referral  # the reminder stays on top
    assert review.referral == plan.referral
    assert [i for i in new.items if i.kind == "exercise"]
    assert new.run.mode != "none"
    assert not [d for d in review.decisions if d.action == "refer"]
    # a red-flag symptom still stops everything, and the plan now says so
    later = TODAY + timedelta(days=7)
    stop = weekly_review(new, _week(new, later, red=("numbness",)), catalogue, later)
    assert stop.new_plan.stops_loading
    assert stop.new_plan.referral_action == "stop_and_refer"
    assert stop.new_plan.run.mode == "none"
    assert not [i for i in stop.new_plan.items if i.kind == "exercise"]


def test_an_item_done_on_few_of_its_days_holds(catalogue, build_plan_) -> None:  # type: ignore[no-untyped-def]
    week = _week(build_plan_, first=2, worst=1, run_pain=1)
    rathleff = next(i for i in build_plan_.items if i.ref_id == "rathleff_high_load_heel_raise")
    # done on one of its days only; everything else as planned
    seen = 0
    thinned = []
    for c in week:
        done = c.done_items
        if rathleff.id in done:
            seen += 1
            if seen > 1:
                done = tuple(i for i in done if i != rathleff.id)
        thinned.append(replace(c, done_items=done))
    review = weekly_review(build_plan_, thinned, catalogue, TODAY)
    decision = next(d for d in review.decisions if d.item_id == rathleff.id)
    assert (decision.action, decision.rule_id) == ("hold", "low_adherence")
    assert "until you do it on most of its days" in review.new_plan.rationale


def test_morning_pain_creeping_up_holds(catalogue, build_plan_) -> None:  # type: ignore[no-untyped-def]
    before = _week(build_plan_, START - timedelta(days=1), first=1, worst=1, run_pain=1)
    now = _week(build_plan_, first=1, worst=1, run_pain=1)
    now = [replace(c, first_step_pain=2) if k in (0, 2, 4) else c for k, c in enumerate(now)]
    review = weekly_review(build_plan_, before + now, catalogue, TODAY)
    exercises = {i.id for i in build_plan_.items if i.kind == "exercise"}
    rules = {d.rule_id for d in review.decisions if d.item_id in exercises}
    assert not [d for d in review.decisions if d.item_id in exercises and d.action == "progress"]
    assert rules <= {"morning_pain_not_falling", "top_level"}
    assert "morning_pain_not_falling" in rules


def test_the_run_holds_in_the_acceptable_band(catalogue, build_plan_) -> None:  # type: ignore[no-untyped-def]
    review = weekly_review(build_plan_, _week(build_plan_, first=2, worst=2, run_pain=4), catalogue, TODAY)
    run = next(d for d in review.decisions if d.item_id == "run")
    assert (run.action, run.rule_id) == ("hold", "pain_in_acceptable_band")
    # the caps hold; the week (pain 4/10, acceptable) counts as tolerated
    assert replace(review.new_plan.run, tolerated_weekly_km=None) == build_plan_.run
    assert review.new_plan.run.tolerated_weekly_km == 6.0
    assert "running stays as it is" in review.new_plan.rationale


def test_summary_is_plain_english(catalogue, build_plan_) -> None:  # type: ignore[no-untyped-def]
    history = _week(build_plan_, TODAY - timedelta(days=7), worst=7, run_pain=7)
    history += _week(build_plan_, worst=7, run_pain=7)
    review = weekly_review(build_plan_, history, catalogue, TODAY)
    text = review_summary(review.decisions, build_plan_, catalogue, review.phase_change)
    assert text == review.new_plan.rationale
    assert "because pain went above 5/10" in text
    assert "is paused until the heel is less irritable" in text  # heavy heel raises pause
    assert "go back from the build phase to the settle phase" in text
    for d in review.decisions:
        assert d.rule_id not in text


def test_summary_names_what_a_phase_change_pauses_and_adds(catalogue, build_plan_) -> None:  # type: ignore[no-untyped-def]
    history = _week(build_plan_, TODAY - timedelta(days=7), first=4, worst=6, run_pain=6)
    history += _week(build_plan_, first=4, worst=6, run_pain=6)
    flare = weekly_review(build_plan_, history, catalogue, TODAY)
    assert flare.phase_change == ("build", "settle")
    gone = [
        i.title
        for i in build_plan_.items
        if i.kind == "exercise" and i.id not in {j.id for j in flare.new_plan.items}
    ]
    assert gone
    assert "paused for this phase" in flare.new_plan.rationale
    text = review_summary(flare.decisions, build_plan_, catalogue, flare.phase_change, added=["Jump squat"])
    assert "jump squat is added to the plan" in text


def test_progression_rules_name_real_exercises(catalogue) -> None:  # type: ignore[no-untyped-def]
    pr = catalogue.plan.progression
    assert set(pr.priority_first) <= set(catalogue.exercises)
    assert set(pr.min_weeks_at_level) <= set(catalogue.exercises)
    assert {ex.category for ex in catalogue.exercises.values()} <= set(pr.category_order)
    assert pr.category_order[0] == "strength"
    assert pr.grade == "rule_of_thumb"
    assert "heelcoach_conventions" in pr.sources
