"""Self-test screen: verdicts against the real norms, asymmetry, evidence and referral."""

from __future__ import annotations

import pytest

from heelcoach.domain.screen import SelfTestResult, screen
from heelcoach.errors import InvalidInputError


def test_verdicts_against_norm(catalogue) -> None:  # type: ignore[no-untyped-def]
    norm = catalogue.self_tests["single_leg_heel_raise_test"].norm
    report = screen(
        [
            SelfTestResult("single_leg_heel_raise_test", norm.good + 2, "left"),
            SelfTestResult("single_leg_heel_raise_test", norm.concern - 1, "right"),
        ],
        catalogue,
    )
    by_side = {v.side: v for v in report.verdicts}
    assert by_side["left"].verdict == "good"
    assert by_side["right"].verdict == "concern"
    assert by_side["left"].asymmetry_pct is not None
    assert by_side["left"].asymmetry_pct > norm.asymmetry_pct
    assert "differ" in by_side["right"].explanation
    calf = [e for e in report.evidence if e.driver == "calf_capacity"]
    assert {e.source for e in calf} == {"self_test"}
    assert max(e.weight for e in calf) == catalogue.plan.screen.concern_weight
    assert any("right" in e.summary for e in calf)
    assert report.referral_reasons == ()


def test_borderline_between_cutoffs(catalogue) -> None:  # type: ignore[no-untyped-def]
    norm = catalogue.self_tests["knee_to_wall_test"].norm
    value = (norm.good + norm.concern) / 2
    report = screen([SelfTestResult("knee_to_wall_test", value)], catalogue)
    assert report.verdicts[0].verdict == "borderline"
    assert report.verdicts[0].asymmetry_pct is None
    assert report.evidence[0].weight == catalogue.plan.screen.borderline_weight
    assert report.evidence[0].driver == "ankle_mobility"


def test_lower_is_better(catalogue) -> None:  # type: ignore[no-untyped-def]
    test = catalogue.self_tests["single_leg_squat_quality_test"]
    assert not test.norm.higher_is_better
    good = screen([SelfTestResult(test.id, test.norm.good)], catalogue)
    bad = screen([SelfTestResult(test.id, test.value_max)], catalogue)
    assert good.verdicts[0].verdict == "good"
    assert not good.evidence
    assert bad.verdicts[0].verdict == "concern"
    assert {e.driver for e in bad.evidence} == {"hip_control", "knee_control"}


def test_positive_squeeze_check_is_a_referral(catalogue) -> None:  # type: ignore[no-untyped-def]
    report = screen([SelfTestResult("calcaneal_squeeze_self_check", 1, "left")], catalogue)
    assert report.verdicts[0].verdict == "positive"
    assert len(report.referral_reasons) == 1
    assert "clinician" in report.referral_reasons[0]
    negative = screen([SelfTestResult("calcaneal_squeeze_self_check", 0)], catalogue)
    assert negative.verdicts[0].verdict == "negative"
    assert not negative.referral_reasons


def test_positive_windlass_is_not_a_referral(catalogue) -> None:  # type: ignore[no-untyped-def]
    report = screen([SelfTestResult("windlass_self_check", 1)], catalogue)
    assert report.verdicts[0].verdict == "positive"
    assert not report.referral_reasons
    assert not report.evidence


def test_out_of_range_value_names_the_test(catalogue) -> None:  # type: ignore[no-untyped-def]
    test = catalogue.self_tests["knee_to_wall_test"]
    with pytest.raises(InvalidInputError, match="knee_to_wall_test"):
        screen([SelfTestResult("knee_to_wall_test", test.value_max + 1)], catalogue)
    with pytest.raises(InvalidInputError, match="no_such_test"):
        screen([SelfTestResult("no_such_test", 1)], catalogue)


def test_empty_screen(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert screen([], catalogue).verdicts == ()
