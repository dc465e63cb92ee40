"""Turn metrics into findings with the knowledge base's indicative bands, never claiming a
difference smaller than the method's error (EVIDENCE.md section 6), and into driver evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from heelcoach.domain.types import DriverEvidence, DriverId
from heelcoach.gait.metrics import Metric
from heelcoach.knowledge.schema_gait import GaitRules, MetricRule

Severity = Literal["watch", "concern"]


@dataclass(frozen=True, slots=True)
class Finding:
    """A metric beyond its indicative band by more than its error, with what it feeds."""

    metric_id: str
    side: Literal["left", "right", "both"]
    value: float
    unit: str
    threshold: float
    error: float
    severity: Severity
    text: str
    confidence: str
    driver: DriverId | None
    weight: float
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Borderline:
    """A value outside the good band but within the method's error: shown, never a finding."""

    metric_id: str
    side: Literal["left", "right", "both"]
    value: float
    threshold: float
    error: float


def _excess(rule: MetricRule, value: float, error: float) -> tuple[float, float, Severity] | None:
    """(excess beyond band + error, threshold, severity) or None when not a finding."""
    if rule.good_max is not None and value > rule.good_max + error:
        severity: Severity = "concern" if rule.warn_max is not None and value > rule.warn_max else "watch"
        return value - rule.good_max - error, rule.good_max, severity
    if rule.good_min is not None and value < rule.good_min - error:
        severity = "concern" if rule.warn_min is not None and value < rule.warn_min else "watch"
        return rule.good_min - error - value, rule.good_min, severity
    return None


class FindingRules:
    """Evaluate metrics against ``gait.yaml``.

    Results: ``findings_`` (at most ``rules.max_findings``, strongest first) and ``borderline_``.
    """

    def __init__(self, rules: GaitRules) -> None:
        self.rules = rules

    def run(self, metrics: Mapping[str, Metric], view: str) -> FindingRules:
        """Evaluate every metric that may become a finding in this view."""
        found: list[tuple[float, Finding]] = []
        borderline: list[Borderline] = []
        for rule in self.rules.metrics:
            metric = metrics.get(rule.id)
            if (
                not rule.finding
                or metric is None
                or view not in rule.views
                or metric.quality in ("unreliable", "not_measured")
            ):
                continue
            error = max(rule.error, metric.uncertainty or 0.0)
            sided = metric.left is not None or metric.right is not None
            candidates: list[tuple[Literal["left", "right", "both"], float | None]] = (
                [("left", metric.left), ("right", metric.right)] if sided else [("both", metric.value)]
            )
            for side, value in candidates:
                if value is None:
                    continue
                hit = _excess(rule, value, error)
                if hit is None:
                    outside = (rule.good_max is not None and value > rule.good_max) or (
                        rule.good_min is not None and value < rule.good_min
                    )
                    if outside:
                        threshold = (
                            rule.good_max
                            if rule.good_max is not None and value > rule.good_max
                            else rule.good_min
                        )
                        borderline.append(Borderline(rule.id, side, value, float(threshold or 0.0), error))
                    continue
                excess, threshold, severity = hit
                weight = rule.evidence_weight * (1.0 if severity == "concern" else 0.6)
                where = "" if side == "both" else f" ({side} side)"
                finding = Finding(
                    metric_id=rule.id,
                    side=side,
                    value=value,
                    unit=rule.unit,
                    threshold=threshold,
                    error=error,
                    severity=severity,
                    text=f"{rule.concern_text}{where}",
                    confidence=rule.confidence,
                    driver=rule.driver,
                    weight=weight,
                    sources=tuple(rule.sources),
                )
                found.append((weight + excess / 100.0, finding))
        found.sort(key=lambda pair: -pair[0])
        self.findings_ = [f for _, f in found[: self.rules.max_findings]]
        self.borderline_ = borderline
        return self


def driver_evidence(findings: list[Finding]) -> list[DriverEvidence]:
    """One piece of driver evidence per finding that feeds a driver (source ``gait``)."""
    out = []
    for f in findings:
        if f.driver is None or f.weight <= 0:
            continue
        out.append(
            DriverEvidence(
                driver=f.driver,
                weight=round(min(1.0, f.weight), 3),
                source="gait",
                item_id=f"gait_{f.metric_id}" + ("" if f.side == "both" else f"_{f.side}"),
                summary=f.text,
                value=round(f.value, 1),
                unit=f.unit,
            )
        )
    return out


def cadence_cue(findings: list[Finding], rules: GaitRules) -> float | None:
    """Step-rate increase (%) for the running prescription when overstriding is found, else None."""
    over = [f for f in findings if f.metric_id == "overstride"]
    if not over:
        return None
    cue = rules.cadence_cue
    return cue.max_pct if any(f.severity == "concern" for f in over) else cue.min_pct
