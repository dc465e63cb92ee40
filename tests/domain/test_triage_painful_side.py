"""Which heel hurts (``painful_side``, questionnaire v3) is used: the self-test verdicts compare the
painful side against the other, and the stored intake carries it into the screen and the plan."""

from __future__ import annotations

from heelcoach.domain.screen import SelfTestResult, screen
from heelcoach.knowledge import load_catalogue

CATALOGUE = load_catalogue()
RAISES = "single_leg_heel_raise_test"


def _verdicts(painful: str | None, left: float, right: float) -> dict[str, str]:
    report = screen(
        [SelfTestResult(RAISES, left, "left"), SelfTestResult(RAISES, right, "right")], CATALOGUE, painful
    )
    return {v.side: v.explanation for v in report.verdicts}


def test_the_painful_side_is_compared_with_the_other() -> None:
    text = _verdicts("left", 14, 25)
    assert "(left, the painful side)" in text["left"]
    assert "Your painful left side is 44% worse than the other side (14 against 25)." in text["left"]
    assert "painful" not in text["right"]


def test_a_painful_side_that_tests_better_is_said_so() -> None:
    text = _verdicts("right", 14, 25)
    assert "Your painful right side is 44% better than the other side (25 against 14)." in text["right"]


def test_without_a_painful_side_or_for_both_heels_nothing_is_claimed() -> None:
    for painful in (None, "both"):
        text = _verdicts(painful, 14, 25)
        assert all("painful" not in t for t in text.values()), painful


def test_the_intake_asks_which_heel_hurts() -> None:
    question = CATALOGUE.triage.question("painful_side")
    assert question.required
    assert question.choice_ids() == ["left", "right", "both"]
    assert question.added_in == 3
