"""Turn metrics into findings with the knowledge base's indicative bands, never claiming a
difference smaller than the method's error (docs/EVIDENCE.md section 6), and into driver evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Literal

from heelcoach.domain.types import DriverEvidence, DriverId
from heelcoach.gait.base import GaitAlgorithm
from heelcoach.gait.events import View
from heelcoach.gait.metrics import Metric
from heelcoach.gait.numbers import format_measure, format_value
from heelcoach.knowledge.schema_gait import CompositeRule, Condition, GaitRules, MetricRule

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
    pattern: str | None = None  # the composite pattern id when several metrics had to agree


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


Side = Literal["left", "right", "both"]


def _usable(metric: Metric | None) -> bool:
    return metric is not None and metric.quality not in ("unreliable", "not_measured")


def _side_value(metric: Metric, side: Side) -> float | None:
    """The metric on one side when it is sided, else its overall value."""
    if side == "left" and metric.left is not None:
        return metric.left
    if side == "right" and metric.right is not None:
        return metric.right
    return metric.value


def _metric_findings(
    rule: MetricRule, metric: Metric, borderline: list[Borderline]
) -> list[tuple[float, Finding]]:
    """(rank, finding) per side where ``metric`` is beyond its band by more than its error; values
    outside the band but within the error go to ``borderline``."""
    found: list[tuple[float, Finding]] = []
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
                    rule.good_max if rule.good_max is not None and value > rule.good_max else rule.good_min
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
    return found


class FindingRules(GaitAlgorithm):
    """Evaluate metrics against ``gait.yaml``: single-metric bands and composite patterns.

    Parameters
    ----------
    rules : the knowledge base's gait rules (bands, error budgets, composite patterns).

    Attributes
    ----------
    findings_ : at most ``rules.max_findings`` findings, strongest first.
    borderline_ : values beyond their band by less than the method's error (not findings).
    notes_ : composite patterns whose main metric is out of band but that do not hold, and why.
    """

    _action_method: ClassVar[str] = "evaluate"
    findings_: list[Finding]
    borderline_: list[Borderline]
    notes_: list[str]

    def __init__(self, rules: GaitRules) -> None:
        self.rules = rules

    def evaluate(self, metrics: Mapping[str, Metric], view: View) -> FindingRules:
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
            found.extend(_metric_findings(rule, metric, borderline))
        notes: list[str] = []
        for comp in self.rules.composites:
            if view in comp.views:
                found.extend(self._composite(comp, metrics, notes))
        found.sort(key=lambda pair: -pair[0])
        self.findings_ = [f for _, f in found[: self.rules.max_findings]]
        self.borderline_ = borderline
        self.notes_ = notes
        return self

    def _error(self, metric: Metric) -> float:
        return max(self.rules.rule(metric.id).error, metric.uncertainty or 0.0)

    def _holds(self, cond: Condition, metrics: Mapping[str, Metric], side: Side) -> tuple[bool, str]:
        """Whether ``cond`` holds on ``side`` by more than the metric's error, and a short reason."""
        metric = metrics.get(cond.metric)
        if metric is None or not _usable(metric):
            return False, f"{cond.metric} not measured"
        value = _side_value(metric, side)
        if value is None:
            return False, f"{cond.metric} not measured"
        error = self._error(metric)
        if cond.above is not None:
            ok, how, bound = value > cond.above + error, "above", cond.above
        else:
            assert cond.below is not None
            ok, how, bound = value < cond.below - error, "below", cond.below
        verdict = "" if ok else "not "
        return ok, (
            f"{metric.name.lower()} {format_measure(value, error, metric.unit)} is {verdict}{how} "
            f"{format_value(bound)} by more than its error"
        )

    def _composite(
        self, comp: CompositeRule, metrics: Mapping[str, Metric], notes: list[str]
    ) -> list[tuple[float, Finding]]:
        """Findings of one composite pattern (one per side where every ``all_of`` condition holds)."""
        main = metrics.get(comp.metric)
        if main is None or not _usable(main):
            return []
        main_cond = next(c for c in comp.all_of if c.metric == comp.metric)
        sided = main.left is not None or main.right is not None
        sides: list[Side] = ["left", "right"] if sided else ["both"]
        out: list[tuple[float, Finding]] = []
        for side in sides:
            value = _side_value(main, side)
            if value is None:
                continue
            checks = [(c, *self._holds(c, metrics, side)) for c in comp.all_of]
            where = "" if side == "both" else f" ({side} side)"
            if not all(ok for _, ok, _ in checks):
                if checks[[c for c, _, _ in checks].index(main_cond)][1]:
                    failed = "; ".join(why for _, ok, why in checks if not ok)
                    notes.append(
                        f"{comp.name}{where}: not found. {main.name} "
                        f"{format_measure(value, main.uncertainty, main.unit)} is outside the usual range, "
                        f"but {failed}; on its own it is not a finding (no study has set a safe limit "
                        "for it)."
                    )
                continue
            support = [why for c in comp.supporting for ok, why in [self._holds(c, metrics, side)] if ok]
            severity: Severity = "concern" if support else "watch"
            weight = comp.evidence_weight * (1.0 if severity == "concern" else 0.6)
            error = self._error(main)
            threshold = main_cond.above if main_cond.above is not None else main_cond.below
            assert threshold is not None
            detail = "; ".join([*(why for _, _, why in checks), *(f"also {why}" for why in support)])
            finding = Finding(
                metric_id=comp.metric,
                side=side,
                value=value,
                unit=main.unit,
                threshold=threshold,
                error=error,
                severity=severity,
                text=f"{comp.concern_text}{where} [{detail}]",
                confidence=comp.confidence,
                driver=comp.driver,
                weight=weight,
                sources=tuple(comp.sources),
                pattern=comp.id,
            )
            out.append((weight + abs(value - threshold) / 100.0, finding))
        return out


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
