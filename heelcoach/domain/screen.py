"""Self-test screen: read each home test against its norm, note asymmetry, and turn the
results into driver evidence and referral reasons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from heelcoach.domain.types import DriverEvidence
from heelcoach.errors import InvalidInputError
from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.schema import SelfTest
from heelcoach.knowledge.schema_plan import ScreenRules

__all__ = ["ScreenReport", "ScreenVerdict", "SelfTestResult", "screen"]

Side = Literal["left", "right", "both"]
Verdict = Literal["good", "borderline", "concern", "positive", "negative"]


@dataclass(frozen=True, slots=True)
class SelfTestResult:
    """One self-test value as the runner measured it."""

    test_id: str
    value: float
    side: Side = "both"


@dataclass(frozen=True, slots=True, kw_only=True)
class ScreenVerdict:
    """How one value reads against the test's norm."""

    test_id: str
    side: Side
    value: float
    unit: str
    verdict: Verdict
    explanation: str
    asymmetry_pct: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ScreenReport:
    """All verdicts, the driver evidence they give and any reason to see a clinician."""

    verdicts: tuple[ScreenVerdict, ...]
    evidence: tuple[DriverEvidence, ...]
    referral_reasons: tuple[str, ...]


_SIDES: dict[str, Side] = {"left": "left", "right": "right", "both": "both"}
_UNIT_LABELS = {"score": "points", "yes_no": "", "deg": "degrees"}
_VERDICT_TAILS = {"good": ".", "borderline": "; a little off the norm.", "concern": "; clearly off the norm."}
#: How strongly a reading speaks for the test's drivers (the worst reading of a test counts).
_VERDICT_RANK = {"concern": 2, "positive": 2, "borderline": 1}


def _grade(test: SelfTest, value: float) -> Verdict:
    norm = test.norm
    if norm is None:
        return "positive" if value >= 0.5 else "negative"
    if norm.higher_is_better:
        if value >= norm.good:
            return "good"
        return "concern" if value <= norm.concern else "borderline"
    if value <= norm.good:
        return "good"
    return "concern" if value >= norm.concern else "borderline"


def _asymmetry(test: SelfTest, left: float, right: float) -> float | None:
    higher_better = test.norm.higher_is_better if test.norm else True
    better = max(left, right) if higher_better else min(left, right)
    if better <= 0:
        return None
    return round(abs(left - right) / better * 100, 1)


def _explain(
    test: SelfTest,
    side: Side,
    value: float,
    verdict: Verdict,
    asym: float | None,
    painful: Side | None = None,
) -> str:
    where = "" if side == "both" else f" ({side}{', the painful side' if side == painful else ''})"
    if test.norm is None:
        if verdict == "positive":
            return f"{test.name}{where}: positive. {test.positive_means or 'See a clinician.'}"
        return f"{test.name}{where}: negative."
    norm = test.norm
    direction = "or more" if norm.higher_is_better else "or less"
    unit = _UNIT_LABELS.get(test.unit, test.unit)
    text = f"{test.name}{where}: {value:g} {unit}; {norm.good:g} {unit} {direction} is good"
    text += _VERDICT_TAILS.get(verdict, ".")
    if asym is not None and norm.asymmetry_pct is not None and asym >= norm.asymmetry_pct:
        text += f" The sides differ by {asym:.0f}% (more than {norm.asymmetry_pct:g}% counts)."
    return text


def _side_comparison(
    test: SelfTest, sides: dict[Side, float], painful: Side | None, asym: float | None
) -> str:
    """How the painful side compares with the other, in words (empty when it cannot be said)."""
    if painful not in ("left", "right") or asym is None or test.norm is None:
        return ""
    other: Side = "right" if painful == "left" else "left"
    mine, theirs = sides[painful], sides[other]
    if mine == theirs:
        return f" Your painful {painful} side matches the other side."
    worse = mine < theirs if test.norm.higher_is_better else mine > theirs
    word = "worse than" if worse else "better than"
    return f" Your painful {painful} side is {asym:.0f}% {word} the other side ({mine:g} against {theirs:g})."


def _by_test(results: Sequence[SelfTestResult], catalogue: Catalogue) -> dict[str, dict[Side, float]]:
    """Results grouped by test and side, each checked against its test's range."""
    by_test: dict[str, dict[Side, float]] = {}
    for res in results:
        test = catalogue.self_tests.get(res.test_id)
        if test is None:
            raise InvalidInputError(
                f"self-test '{res.test_id}': unknown test id; expected one of the self_tests.yaml ids"
            )
        if not test.value_min <= res.value <= test.value_max:
            raise InvalidInputError(
                f"self-test '{res.test_id}': value {res.value} outside {test.value_min:g}-{test.value_max:g}"
                f" {test.unit}; re-measure and enter a value in that range"
            )
        if res.side not in ("left", "right", "both"):
            raise InvalidInputError(
                f"self-test '{res.test_id}': side must be left, right or both, got {res.side!r}"
            )
        by_test.setdefault(res.test_id, {})[res.side] = res.value
    return by_test


def _verdict(
    test_id: str,
    test: SelfTest,
    sides: dict[Side, float],
    side: Side,
    painful: Side | None,
    asym: float | None,
) -> ScreenVerdict:
    """One side's reading against the norm, compared with the other side when it is the painful one."""
    value = sides[side]
    verdict = _grade(test, value)
    explanation = _explain(test, side, value, verdict, asym, painful)
    if side == painful:
        explanation += _side_comparison(test, sides, painful, asym)
    return ScreenVerdict(
        test_id=test_id,
        side=side,
        value=value,
        unit=test.unit,
        verdict=verdict,
        explanation=explanation,
        asymmetry_pct=asym if side != "both" else None,
    )


def _worst(verdicts: Sequence[ScreenVerdict]) -> ScreenVerdict:
    """The reading that speaks most for the test's drivers (the first of equals)."""
    return max(verdicts, key=lambda v: _VERDICT_RANK.get(v.verdict, 0))


def _referrals(test: SelfTest, verdicts: Sequence[ScreenVerdict], rules: ScreenRules) -> list[str]:
    """A positive referral test (``plan_rules.yaml: screen.referral_tests``) sends to a clinician."""
    return [
        f"{test.name} was positive: {test.positive_means or 'this needs a clinician'}"
        " See a clinician before running on it."
        for v in verdicts
        if v.verdict == "positive" and v.test_id in rules.referral_tests
    ]


def _evidence(
    test_id: str, test: SelfTest, worst: ScreenVerdict, asym: float | None, rules: ScreenRules
) -> list[DriverEvidence]:
    """Driver evidence from a test: its worst reading (concern or borderline weight) and a side
    difference at or above the norm's ``asymmetry_pct``."""
    weight = {"concern": rules.concern_weight, "borderline": rules.borderline_weight}.get(worst.verdict, 0.0)
    where = "" if worst.side == "both" else f" on the {worst.side}"
    norm = test.norm
    uneven = (
        asym
        if asym is not None
        and norm is not None
        and norm.asymmetry_pct is not None
        and asym >= norm.asymmetry_pct
        else None
    )
    out: list[DriverEvidence] = []
    for driver in test.measures:
        if weight > 0:
            out.append(
                DriverEvidence(
                    driver=driver,
                    weight=weight,
                    source="self_test",
                    item_id=test_id,
                    summary=f"{test.name}{where}: {worst.value:g} "
                    f"{_UNIT_LABELS.get(test.unit, test.unit)} ({worst.verdict})",
                    value=worst.value,
                    unit=test.unit,
                )
            )
        if uneven is not None:
            out.append(
                DriverEvidence(
                    driver=driver,
                    weight=rules.asymmetry_weight,
                    source="self_test",
                    item_id=test_id,
                    summary=f"{test.name}: sides differ by {uneven:.0f}%",
                    value=uneven,
                    unit="%",
                )
            )
    return out


def screen(
    results: Sequence[SelfTestResult], catalogue: Catalogue, painful_side: str | None = None
) -> ScreenReport:
    """Read self-test results against the catalogue norms.

    ``painful_side`` (the intake's ``painful_side``: left, right or both) makes the verdicts compare
    the painful side against the other. Raises InvalidInputError naming the test when a test id is unknown
    or a value is out of range.
    """
    painful = _SIDES.get(painful_side) if isinstance(painful_side, str) else None
    rules = catalogue.plan.screen
    verdicts: list[ScreenVerdict] = []
    evidence: list[DriverEvidence] = []
    referrals: list[str] = []
    for test_id, sides in _by_test(results, catalogue).items():
        test = catalogue.self_tests[test_id]
        asym = _asymmetry(test, sides["left"], sides["right"]) if {"left", "right"} <= set(sides) else None
        mine = [_verdict(test_id, test, sides, side, painful, asym) for side in sides]
        verdicts.extend(mine)
        referrals.extend(_referrals(test, mine, rules))
        evidence.extend(_evidence(test_id, test, _worst(mine), asym, rules))
    return ScreenReport(verdicts=tuple(verdicts), evidence=tuple(evidence), referral_reasons=tuple(referrals))
