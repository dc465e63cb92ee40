"""Finding rules: never a finding from a difference smaller than the method's error."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from heelcoach.gait.findings import FindingRules, driver_evidence
from heelcoach.gait.metrics import Metric


def _metric(metric_id: str, left: float, right: float) -> Metric:
    return Metric(
        id=metric_id, name=metric_id, unit="deg", value=max(left, right), left=left, right=right, n=10
    )


@given(
    metric_id=st.sampled_from(["pelvic_drop", "knee_fppa"]),
    left=st.floats(-20.0, 40.0),
    right=st.floats(-20.0, 40.0),
)
def test_no_finding_within_error(gait_rules, metric_id: str, left: float, right: float) -> None:
    rule = gait_rules.rule(metric_id)
    findings = FindingRules(gait_rules).run({metric_id: _metric(metric_id, left, right)}, "rear").findings_
    for finding in findings:
        value = left if finding.side == "left" else right
        assert value > rule.good_max + rule.error
    for side, value in (("left", left), ("right", right)):
        if value > rule.good_max + rule.error:
            assert any(f.side == side for f in findings)
    for evidence in driver_evidence(findings):
        assert evidence.driver == rule.driver
        assert 0 < evidence.weight <= rule.evidence_weight


def test_findings_are_capped_and_view_bound(gait_rules) -> None:
    metrics = {
        "pelvic_drop": _metric("pelvic_drop", 15.0, 16.0),
        "knee_fppa": _metric("knee_fppa", 25.0, 26.0),
    }
    rear = FindingRules(gait_rules).run(metrics, "rear").findings_
    assert len(rear) == gait_rules.max_findings
    assert FindingRules(gait_rules).run(metrics, "side").findings_ == []


def test_unreliable_metrics_never_become_findings(gait_rules) -> None:
    metric = Metric(
        id="pelvic_drop", name="x", unit="deg", value=20.0, left=20.0, right=20.0, quality="unreliable"
    )
    assert FindingRules(gait_rules).run({"pelvic_drop": metric}, "rear").findings_ == []
