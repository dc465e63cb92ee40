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
    metrics = {metric_id: _metric(metric_id, left, right)}
    findings = FindingRules(gait_rules).evaluate(metrics, "rear").findings_
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
    rear = FindingRules(gait_rules).evaluate(metrics, "rear").findings_
    assert len(rear) == gait_rules.max_findings
    assert FindingRules(gait_rules).evaluate(metrics, "side").findings_ == []


def test_unreliable_metrics_never_become_findings(gait_rules) -> None:
    metric = Metric(
        id="pelvic_drop", name="x", unit="deg", value=20.0, left=20.0, right=20.0, quality="unreliable"
    )
    assert FindingRules(gait_rules).evaluate({"pelvic_drop": metric}, "rear").findings_ == []


def _side_metrics(over: float, cadence: float, knee: float, cad_unc: float = 1.0) -> dict[str, Metric]:
    return {
        "overstride": Metric(
            id="overstride", name="Overstride", unit="% leg length", value=over, left=over, right=over
        ),
        "cadence": Metric(id="cadence", name="Cadence", unit="steps/min", value=cadence, uncertainty=cad_unc),
        "knee_flexion_contact": Metric(
            id="knee_flexion_contact", name="Knee", unit="deg", value=knee, left=knee, right=knee
        ),
    }


@given(
    over=st.floats(-10.0, 60.0),
    cadence=st.floats(130.0, 200.0),
    knee=st.floats(-5.0, 40.0),
    cad_unc=st.floats(0.1, 10.0),
)
def test_overstriding_needs_every_part_beyond_its_error(
    gait_rules, over: float, cadence: float, knee: float, cad_unc: float
) -> None:
    comp = next(c for c in gait_rules.composites if c.id == "overstriding")
    bound = {c.metric: c for c in comp.all_of}
    over_err = gait_rules.rule("overstride").error
    cad_err = max(gait_rules.rule("cadence").error, cad_unc)
    result = FindingRules(gait_rules).evaluate(_side_metrics(over, cadence, knee, cad_unc), "side")
    found = [f for f in result.findings_ if f.metric_id == "overstride"]
    assert bound["overstride"].above is not None
    assert bound["cadence"].below is not None
    holds = over > bound["overstride"].above + over_err and cadence < bound["cadence"].below - cad_err
    assert bool(found) == holds
    if found:
        assert {f.side for f in found} == {"left", "right"}
        straight = knee < comp.supporting[0].below - gait_rules.rule("knee_flexion_contact").error  # type: ignore[operator]
        assert all(f.severity == ("concern" if straight else "watch") for f in found)
    elif over > bound["overstride"].above + over_err:
        assert result.notes_  # the reach is out of band: the report says why it is not a finding
    rear = FindingRules(gait_rules).evaluate(_side_metrics(over, cadence, knee, cad_unc), "rear")
    assert rear.findings_ == []
