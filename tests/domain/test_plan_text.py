"""Runner-facing plan text reads cleanly: no doubled punctuation where sentences are glued together."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from heelcoach.domain.plan import Plan, sentence
from heelcoach.domain.progression import CheckIn, weekly_review
from heelcoach.knowledge import Catalogue
from heelcoach.text.plan_text import format_plan_text
from tests.domain.plan_helpers import START, make_plan

#: Seams that show two sentences were glued badly: '.).', '..', ' ,', ' .', ',.', ';.', '. .', '::'.
BAD_SEAMS = re.compile(r"\.\)\.|(?<!\.)\.\.(?!\.)|\s[,.;:](?!\d)|[,;:]\.|\.\s+\.|::|[.,;]{2}")

PROFILES: dict[str, dict[str, Any]] = {
    "poor_circulation": {"poor_circulation": True},
    "diabetes_numb_foot": {"diabetes": True, "reduced_foot_sensation": True},
    "diabetes_alone": {"diabetes": True},
    "hot_heel_fever": {"fever_or_unwell": True, "swelling_warmth_redness": True},
    "calf_clot": {"calf_swelling_or_warmth": True},
    "stress_fracture": {
        "squeeze_test": "positive",
        "can_bear_weight": False,
        "limping": True,
        "pain_at_rest_or_night": True,
    },
    "nerve": {"numbness_tingling_burning": True, "pain_location": ["inner_ankle_radiating"]},
    "sudden_pop": {"onset": "sudden_pop"},
    "not_improving": {"symptom_duration_weeks": 8, "tried": ["stretching", "strengthening"]},
    "long_standing": {"symptom_duration_weeks": 60, "tried": ["stretching", "strengthening", "injection"]},
    "pregnant": {"pregnant": "yes"},
}


def _bad_seams(text: str) -> list[str]:
    return [text[max(0, m.start() - 30) : m.end() + 10] for m in BAD_SEAMS.finditer(text)]


def _runner_text(plan: Plan, catalogue: Catalogue) -> str:
    return "\n".join([format_plan_text(plan, catalogue), plan.referral or "", plan.rationale])


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_plan_text_has_no_doubled_punctuation(catalogue, name: str) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(catalogue, **PROFILES[name])
    assert _bad_seams(_runner_text(plan, catalogue)) == []


@pytest.mark.parametrize("name", ["poor_circulation", "diabetes_numb_foot", "stress_fracture", "calf_clot"])
def test_stopping_referral_says_what_why_and_what_next(catalogue, name: str) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(catalogue, **PROFILES[name])
    assert plan.stops_loading
    assert plan.referral is not None
    assert "What heelcoach noticed:" in plan.referral
    assert "What to do now:" in plan.referral
    assert "Triage says" not in plan.rationale
    assert plan.rationale.startswith("heelcoach noticed")
    assert "What to do now:" in plan.rationale
    assert "stops here" in plan.rationale
    # the precise clinical reason stays available: the triage level and the red flag ids
    assert f"triage level '{'emergency' if name == 'calf_clot' else 'refer'}'" in plan.rationale
    assert "red flags " in plan.rationale


def test_poor_circulation_reason_is_not_bracketed(catalogue) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(catalogue, poor_circulation=True)
    assert plan.referral is not None
    assert "Why it matters: Poor circulation slows healing and can itself cause foot pain. " in plan.referral
    assert "(Poor circulation" not in plan.referral


def test_a_red_flag_review_reads_cleanly(catalogue) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(catalogue)
    week = [
        CheckIn(
            day=START + timedelta(days=k), first_step_pain=3, worst_pain=3, red_flag_symptoms=("numbness",)
        )
        for k in range(7)
    ]
    review = weekly_review(plan, week, catalogue, week[-1].day)
    assert review.new_plan.items[0].title == "See a clinician first"
    assert _bad_seams(_runner_text(review.new_plan, catalogue)) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Poor circulation slows healing.", "Poor circulation slows healing."),
        ("  Do this , then that  ", "Do this, then that."),
        ("Go today (urgent care)", "Go today (urgent care)."),
        ("Really?", "Really?"),
        ("Ends with a colon:", "Ends with a colon."),
        ("", ""),
    ],
)
def test_sentence_closes_cleanly(text: str, expected: str) -> None:
    assert sentence(text) == expected


def test_driver_sentences_are_grammatical_and_short(catalogue) -> None:  # type: ignore[no-untyped-def]
    from heelcoach.domain.drivers import Driver
    from heelcoach.domain.types import DriverEvidence

    balance = DriverEvidence(
        "foot_intrinsics", 0.6, "self_test", "single_leg_balance_eyes_open_test", "Single-leg balance: 26 s"
    )
    toes = DriverEvidence(
        "foot_intrinsics", 0.5, "self_test", "short_foot_toe_control_test", "Toe control: 2 points"
    )
    foot = Driver(id="foot_intrinsics", strength=0.8, active=True, evidence=(balance, toes))
    assert foot.why().startswith("The small muscles of the foot are worth working on")
    primary = {t.id: tuple(t.measures) for t in catalogue.self_tests.values()}
    # the foot-muscle items are justified by the toe-control score, not the (heavier) balance test
    assert foot.short_why(primary) == "For the small muscles of the foot: Toe control: 2 points."
    assert foot.headline(primary) == "the small muscles of the foot (toe control: 2 points)"


def test_the_first_plan_rationale_is_short(catalogue) -> None:  # type: ignore[no-untyped-def]
    from heelcoach.domain.drivers import infer_drivers, intake_evidence
    from heelcoach.domain.plan import PlanInput, build_plan
    from heelcoach.domain.screen import SelfTestResult, screen
    from heelcoach.domain.triage import triage
    from heelcoach.services.demo import DEMO_SELF_TESTS  # the demo runner's self-tests
    from tests.domain.plan_helpers import BASE, START

    results = tuple(SelfTestResult(t, float(v), s) for t, v, s in DEMO_SELF_TESTS)
    evidence = (*intake_evidence(BASE, catalogue), *screen(results, catalogue).evidence)
    drivers = infer_drivers(evidence, catalogue)
    plan = build_plan(PlanInput(BASE, triage(BASE, catalogue), drivers, None, START), catalogue)
    words = plan.rationale.split()
    assert len(words) <= 90, plan.rationale
    assert "Most worth working on:" in plan.rationale
    assert "short-foot and toe control" in plan.rationale.lower()
