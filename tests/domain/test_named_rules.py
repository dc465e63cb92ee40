"""The weekly review's rules are named units with named results: a clinician finds each by name,
and a result says what it is (a paused exercise, a blocker) instead of a tuple position or None."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from heelcoach.domain.checkin import Blocker, CheckIn, RuleId, week_facts
from heelcoach.domain.drivers import INTAKE_EVIDENCE_RULES, intake_evidence
from heelcoach.domain.exercise_rules import EXERCISE_RULES, exercise_decision
from heelcoach.domain.phases import EXIT_CRITERIA
from heelcoach.domain.progression import Review, weekly_review
from tests.domain.plan_helpers import START, answers, make_plan

TODAY = START + timedelta(days=6)


def _days(first: int, worst: int, done: tuple[str, ...] = ()) -> list[CheckIn]:
    return [
        CheckIn(day=START + timedelta(days=k), first_step_pain=first, worst_pain=worst, done_items=done)
        for k in range(7)
    ]


def test_a_paused_exercise_is_a_named_state_and_waits_in_the_excluded_list(catalogue) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(catalogue)
    heavy = next(i for i in plan.items if i.ref_id in catalogue.plan.high_load.exercise_ids)
    week = week_facts(_days(3, 3), START, TODAY, catalogue.plan)
    outcome = exercise_decision(heavy, week, catalogue.plan, catalogue, "high", TODAY)
    assert outcome.paused
    assert outcome.decision.rule_id is RuleId.HIGH_LOAD_IRRITABILITY
    assert outcome.item == outcome.next_item == heavy
    calm = exercise_decision(heavy, week, catalogue.plan, catalogue, "low", TODAY)
    assert not calm.paused

    done = tuple(i.id for i in plan.items if i.kind == "exercise")
    review = weekly_review(plan, _days(8, 8, done), catalogue, TODAY)
    assert heavy.id not in {i.id for i in review.new_plan.items}
    assert heavy.ref_id in {e.ref_id for e in review.new_plan.excluded}


def test_a_week_that_blocks_progress_says_which_rule_and_why(catalogue) -> None:  # type: ignore[no-untyped-def]
    safe = catalogue.plan.pain_monitoring.during_safe_max
    week = week_facts(_days(1, safe + 1), START, TODAY, catalogue.plan)
    blocker = week.progress_blocker(catalogue.plan)
    assert isinstance(blocker, Blocker)
    assert blocker.rule_id is RuleId.PAIN_IN_ACCEPTABLE_BAND
    assert f"{safe + 1}/10" in blocker.reason
    calm = week_facts(_days(1, safe), START, TODAY, catalogue.plan)
    assert calm.progress_blocker(catalogue.plan) is None


@pytest.mark.parametrize(
    ("rule", "answer", "item_id"),
    [
        ("recent_load_increase", {"recent_load_increase": True}, "recent_load_increase"),
        ("onset_after_training_increase", {"onset": "after_training_increase"}, "onset"),
        ("high_bmi", {"height_cm": 170, "weight_kg": 110}, "bmi"),
        ("foot_type", {"foot_type": "flat"}, "foot_type"),
        ("old_shoes", {"shoe_age_km": 2000}, "shoe_age_km"),
    ],
)
def test_each_intake_evidence_rule_fires_on_its_own_answer(catalogue, rule, answer, item_id) -> None:  # type: ignore[no-untyped-def]
    calm = answers()
    assert intake_evidence(calm, catalogue) == []
    fired = intake_evidence({**calm, **answer}, catalogue)
    assert [ev.item_id for ev in fired] == [item_id]
    assert rule in {r.__name__ for r in INTAKE_EVIDENCE_RULES}


@pytest.mark.parametrize("rules", [EXERCISE_RULES, EXIT_CRITERIA, INTAKE_EVIDENCE_RULES])
def test_every_named_rule_says_what_it_checks(rules) -> None:  # type: ignore[no-untyped-def]
    for rule in rules:
        assert (rule.__doc__ or "").strip(), f"{rule.__name__} has no docstring"


def test_review_and_checkin_take_keywords_only(catalogue) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError):
        CheckIn(TODAY, 3)  # type: ignore[misc]
    review = weekly_review(make_plan(catalogue), _days(3, 2), catalogue, TODAY)
    with pytest.raises(TypeError):
        Review(*(getattr(review, f.name) for f in dataclasses.fields(review)))  # type: ignore[misc]
