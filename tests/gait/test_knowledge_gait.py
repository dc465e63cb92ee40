"""The gait knowledge: every metric has a sourced rule, bands nest, the error budget is the evidence's."""

from __future__ import annotations

import pytest

from heelcoach.knowledge.schema_gait import GAIT_METRIC_IDS, GaitRules, MetricRule


def test_rules_complete_and_sourced(catalogue) -> None:
    rules: GaitRules = catalogue.gait
    assert rules.check_refs(set(catalogue.references)) == []
    assert {r.id for r in rules.metrics} >= set(GAIT_METRIC_IDS)
    for rule in rules.metrics:
        assert all(s in catalogue.references for s in rule.sources)


def test_error_budget_matches_evidence(catalogue) -> None:
    budget = catalogue.gait.error_budget
    assert (budget.sagittal_rmse_deg_min, budget.sagittal_rmse_deg_max) == (5, 8)  # Van Hooren 2023
    assert (budget.day_to_day_deg_min, budget.day_to_day_deg_max) == (9, 14)  # Damsted
    assert "van_hooren_2023" in budget.sources
    assert catalogue.gait.fps.contact_time_min_fps == 60


def test_findings_feed_the_named_drivers(catalogue) -> None:
    rules = catalogue.gait
    assert rules.rule("pelvic_drop").driver == "hip_control"
    assert rules.rule("knee_fppa").driver == "knee_control"
    assert (rules.cadence_cue.min_pct, rules.cadence_cue.max_pct) == (5, 10)
    assert "heiderscheit_2011" in rules.cadence_cue.sources
    # no validated cut-off exists for foot or tibia angle (Souza): they never become findings
    assert not rules.rule("foot_strike_angle").finding
    assert not rules.rule("tibia_angle_contact").finding


def test_bands_must_nest() -> None:
    base = {
        "id": "x_metric",
        "name": "Xx",
        "unit": "deg",
        "views": ["side"],
        "error": 1,
        "error_note": "assumed",
        "confidence": "low",
        "finding": False,
        "plain": "something plain",
        "sources": ["gait_conventions"],
    }
    with pytest.raises(ValueError, match="warn_max"):
        MetricRule.model_validate({**base, "good_max": 10, "warn_max": 5})
    with pytest.raises(ValueError, match="concern_text"):
        MetricRule.model_validate({**base, "finding": True})
    with pytest.raises(ValueError, match="evidence_weight"):
        MetricRule.model_validate({**base, "driver": "hip_control"})


def test_overstride_is_only_a_composite(catalogue) -> None:
    rules = catalogue.gait
    # heel-ahead-of-hip alone fired for every real clip: it is reported, never a finding on its own
    assert not rules.rule("overstride").finding
    comp = next(c for c in rules.composites if c.id == "overstriding")
    assert comp.metric == "overstride"
    assert {c.metric for c in comp.all_of} == {"overstride", "cadence"}
    assert all(s in catalogue.references for s in comp.sources)
    assert {"zzzhushi_gait_metrics", "souza_2016", "bramah_2018"} <= set(comp.sources)


def test_composite_schema_is_checked() -> None:
    from heelcoach.knowledge.schema_gait import CompositeRule, Condition

    with pytest.raises(ValueError, match="exactly one"):
        Condition.model_validate({"metric": "cadence"})
    base = {
        "id": "pattern",
        "name": "Pattern",
        "metric": "overstride",
        "views": ["side"],
        "all_of": [{"metric": "overstride", "above": 8}, {"metric": "cadence", "below": 160}],
        "confidence": "low",
        "concern_text": "something for a runner",
        "note": "why it is a composite",
        "sources": ["souza_2016"],
    }
    assert CompositeRule.model_validate(base).metric == "overstride"
    with pytest.raises(ValueError, match="must be one of all_of"):
        CompositeRule.model_validate({**base, "metric": "knee_flexion_contact"})
    with pytest.raises(ValueError, match="evidence_weight"):
        CompositeRule.model_validate({**base, "driver": "knee_control"})
