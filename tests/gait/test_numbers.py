"""Numbers in gait text: values and their ± uncertainty rounded one way everywhere."""

from __future__ import annotations

import re
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from heelcoach.gait.findings import FindingRules
from heelcoach.gait.metrics import Metric
from heelcoach.gait.numbers import format_measure, format_value
from heelcoach.gait.pipeline import GaitAnalysis
from tests.gait.synthetic import side_view

#: A number with more decimals than any gait text may show.
TOO_PRECISE = re.compile(r"\d\.\d{4,}")


@pytest.mark.parametrize(
    ("value", "uncertainty", "unit", "expected"),
    [
        (210.5, 18.7453, "steps/min", "211 ± 19 steps/min"),
        (12.345, 4.7453, "deg", "12.3 ± 4.7 deg"),
        (0.2345, 0.0123, "s", "0.235 ± 0.012 s"),
        (12.0, 2.0, "deg", "12.0 ± 2.0 deg"),
        (150.0, 120.0, "", "150 ± 120"),
        (172.44, None, "steps/min", "172 steps/min"),
        (172.44, 0.0, "steps/min", "172 steps/min"),
        (3.0, 0.0001, "cm", "3 cm"),
        (-0.0001, None, "deg", "0 deg"),
        (-0.001, 0.3, "deg", "0.00 ± 0.30 deg"),
        (4.0, 0.995, "deg", "4.0 ± 1.0 deg"),
        (float("nan"), 1.0, "deg", "not measured"),
    ],
)
def test_examples(value: float, uncertainty: float | None, unit: str, expected: str) -> None:
    assert format_measure(value, uncertainty, unit) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(5.0, "5"), (0.23456, "0.235"), (7.5, "7.5"), (98.76, "98.8")]
)
def test_plain_values_have_three_figures_and_no_trailing_zeros(value: float, expected: str) -> None:
    assert format_value(value) == expected


def test_numpy_floats_format_like_python_floats() -> None:
    assert format_measure(np.float64(210.5), np.float64(18.7453), "steps/min") == "211 ± 19 steps/min"
    assert format_value(np.float32(12.25), "deg") == "12.3 deg"


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


@given(
    value=st.floats(-500.0, 500.0, allow_nan=False),
    uncertainty=st.floats(0.001, 400.0, allow_nan=False),
)
def test_value_and_uncertainty_share_their_rounding(value: float, uncertainty: float) -> None:
    text = format_measure(value, uncertainty, "deg")
    shown_value, shown_unc = text.removesuffix(" deg").split(" ± ")
    assert _decimals(shown_value) == _decimals(shown_unc) <= 3
    assert len(shown_unc.replace(".", "").lstrip("0")) <= 2 or _decimals(shown_unc) == 0
    step = Decimal(1).scaleb(-_decimals(shown_unc))
    assert abs(Decimal(shown_value) - Decimal(repr(value))) <= step / 2
    assert abs(Decimal(shown_unc) - Decimal(repr(uncertainty))) <= step / 2
    assert not TOO_PRECISE.search(text)


def test_composite_notes_round_the_measured_error(gait_rules) -> None:  # type: ignore[no-untyped-def]
    metrics = {
        "overstride": Metric(
            id="overstride",
            name="Overstride",
            unit="% leg length",
            value=40.123456,
            left=40.123456,
            right=40.0,
        ),
        "cadence": Metric(id="cadence", name="Cadence", unit="steps/min", value=210.5, uncertainty=18.7453),
        "knee_flexion_contact": Metric(
            id="knee_flexion_contact", name="Knee", unit="deg", value=10.0, left=10.0, right=10.0
        ),
    }
    result = FindingRules(gait_rules).evaluate(metrics, "side")
    text = " ".join([*result.notes_, *(f.text for f in result.findings_)])
    assert "cadence 211 ± 19 steps/min" in text
    assert "18.7453" not in text
    assert "40.123456" not in text
    assert not TOO_PRECISE.search(text)


def test_report_text_of_a_synthetic_run_is_rounded(gait_rules) -> None:  # type: ignore[no-untyped-def]
    keypoints, _truth = side_view(cadence_spm=171.37, fps=29.97)
    report = GaitAnalysis(gait_rules, view="side", height_cm=176.3).run(keypoints, "synthetic.json").report_
    texts = [
        report.summary,
        *report.notes,
        *report.activity_reasons,
        *report.quality.issues,
        *(f.text for f in report.findings),
        *(n for m in report.metrics.values() for n in m.notes),
    ]
    assert "Cadence " in report.summary
    assert " ± " in report.summary
    for text in texts:
        assert not TOO_PRECISE.search(text), text


@pytest.mark.parametrize("value", [1e30, -1e300, 1.7976931348623157e308, 5e-324])
def test_extreme_finite_values_are_formatted_not_raised(value: float) -> None:
    assert format_value(value)
    assert format_measure(value, 1.0, "x").endswith(" x")
