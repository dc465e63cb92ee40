"""The passive-care loop of seed 000, found in check-ins."""

from __future__ import annotations

import re
from datetime import timedelta

from heelcoach.domain.progression import CheckIn, weekly_review
from heelcoach.domain.recurrence import detect_recurrence
from tests.domain.plan_helpers import START, make_plan


def _loop(strength_ids: tuple[str, ...] = ()) -> list[CheckIn]:
    """Week 1: rolling and massage, pain eases 6 -> 3; week 2: runs, pain back to 6."""
    out = []
    pains = [6, 5, 4, 3, 3, 3, 3]
    for k, pain in enumerate(pains):
        out.append(
            CheckIn(
                day=START + timedelta(days=k),
                first_step_pain=pain,
                passive_used=("massage_ball_rolling",),
                done_items=strength_ids,
            )
        )
    for k, pain in enumerate([3, 4, 5, 6, 6, 6, 6], start=7):
        ran = k in (7, 9, 11)
        out.append(
            CheckIn(
                day=START + timedelta(days=k),
                first_step_pain=pain,
                run_km=6.0 if ran else None,
                run_pain_during=5 if ran else None,
            )
        )
    return out


def test_loop_detected(catalogue) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(catalogue)
    finding = detect_recurrence(_loop(), plan, catalogue)
    assert finding is not None
    assert finding.detected
    assert "passive" in finding.message
    assert "strength" in finding.message
    assert len(finding.evidence) == 4
    assert any("eased to 3/10" in e for e in finding.evidence)
    # a count of days, not a percentage beside the review's share of sessions (issue 12, item 7)
    assert any(
        re.fullmatch(r"strength or control exercises on \d+ of \d+ check-in days", e)
        for e in finding.evidence
    )


def test_no_loop_when_strength_work_is_done(catalogue) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(catalogue)
    strength = tuple(i.id for i in plan.items if i.kind == "exercise")
    checkins = [
        CheckIn(
            day=c.day,
            first_step_pain=c.first_step_pain,
            run_km=c.run_km,
            run_pain_during=c.run_pain_during,
            passive_used=c.passive_used,
            done_items=strength,
        )
        for c in _loop()
    ]
    finding = detect_recurrence(checkins, plan, catalogue)
    assert finding is not None
    assert not finding.detected


def test_no_loop_without_pain_coming_back(catalogue) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(catalogue)
    calm = [
        CheckIn(day=c.day, first_step_pain=min(c.first_step_pain, 3), passive_used=c.passive_used)
        for c in _loop()
    ]
    finding = detect_recurrence(calm, plan, catalogue)
    assert finding is not None
    assert not finding.detected


def test_too_little_data(catalogue) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(catalogue)
    assert detect_recurrence(_loop()[:3], plan, catalogue) is None
    assert detect_recurrence([], plan, catalogue) is None


def test_weekly_review_reports_the_loop(catalogue) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(catalogue)
    review = weekly_review(plan, _loop(), catalogue, START + timedelta(days=13))
    assert review.recurrence is not None
    assert review.recurrence.detected
    assert review.recurrence.message in review.messages
    assert "why_it_keeps_coming_back" in {i.id for i in review.new_plan.items}
