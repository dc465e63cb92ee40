"""Schemas for running-gait thresholds, the measurement error budget and video requirements.

Every number a gait finding rests on lives in ``gait.yaml`` with its sources; code only compares.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from heelcoach.knowledge.schema import DriverId, Id, Model

GaitView = Literal["side", "rear", "front"]
Confidence = Literal["high", "moderate", "low"]

#: Metric ids the gait engine computes; every one needs a rule in ``gait.yaml``.
GAIT_METRIC_IDS: tuple[str, ...] = (
    "cadence",
    "step_time",
    "contact_time",
    "foot_strike_angle",
    "overstride",
    "tibia_angle_contact",
    "knee_flexion_contact",
    "knee_flexion_stance_peak",
    "trunk_lean",
    "vertical_oscillation",
    "pelvic_drop",
    "knee_fppa",
    "step_width",
    "asymmetry",
)


class MetricRule(Model):
    """How to read one gait metric: indicative bands, the method's error and what it feeds.

    ``good_*`` is the indicative good band, ``warn_*`` the wider band beyond which the value is a
    concern. ``error`` is the measurement error budget in the metric's unit: a finding needs the
    value to lie beyond the good band by more than this (docs/EVIDENCE.md section 6).
    """

    id: Id
    name: str = Field(min_length=2)
    unit: str
    views: list[GaitView] = Field(min_length=1)
    good_min: float | None = None
    good_max: float | None = None
    warn_min: float | None = None
    warn_max: float | None = None
    error: float = Field(gt=0, description="measurement error budget, in the metric's unit")
    error_note: str = Field(min_length=5)
    confidence: Confidence
    finding: bool = Field(description="whether a value outside the band may become a finding")
    driver: DriverId | None = None
    evidence_weight: float = Field(default=0.0, ge=0, le=1)
    plain: str = Field(min_length=10, description="what it means, for a runner")
    concern_text: str = Field(default="", description="the finding, for a runner, when out of band")
    sources: list[Id] = Field(min_length=1)

    @model_validator(mode="after")
    def _bands_nested(self) -> MetricRule:
        if self.good_min is not None and self.good_max is not None and self.good_min > self.good_max:
            raise ValueError("good_min is larger than good_max")
        if self.warn_min is not None and self.good_min is not None and self.warn_min > self.good_min:
            raise ValueError("warn_min must not exceed good_min (the warn band contains the good band)")
        if self.warn_max is not None and self.good_max is not None and self.warn_max < self.good_max:
            raise ValueError("warn_max must not be below good_max (the warn band contains the good band)")
        if self.finding and not self.concern_text:
            raise ValueError("a metric that may become a finding needs concern_text")
        if self.driver is not None and self.evidence_weight <= 0:
            raise ValueError("a metric that feeds a driver needs a positive evidence_weight")
        return self


class Condition(Model):
    """One part of a composite pattern: a metric above or below a value, by more than its error."""

    metric: Id
    above: float | None = None
    below: float | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Condition:
        if (self.above is None) == (self.below is None):
            raise ValueError(f"condition on '{self.metric}' needs exactly one of above / below")
        return self


class CompositeRule(Model):
    """A finding that needs several metrics to agree (e.g. overstriding: heel far ahead AND low cadence).

    Every ``all_of`` condition must hold by more than the metric's error for the finding to exist;
    ``supporting`` conditions, when they also hold, raise it from watch to concern. The finding
    reports the value of ``metric`` (per side when that metric is sided).
    """

    id: Id
    name: str = Field(min_length=2)
    metric: Id = Field(description="the metric whose measured value the finding reports")
    views: list[GaitView] = Field(min_length=1)
    all_of: list[Condition] = Field(min_length=2)
    supporting: list[Condition] = Field(default_factory=list)
    confidence: Confidence
    driver: DriverId | None = None
    evidence_weight: float = Field(default=0.0, ge=0, le=1)
    concern_text: str = Field(min_length=10)
    note: str = Field(min_length=10, description="why a composite, for clinicians")
    sources: list[Id] = Field(min_length=1)

    @model_validator(mode="after")
    def _metric_is_a_condition(self) -> CompositeRule:
        if self.metric not in {c.metric for c in self.all_of}:
            raise ValueError(f"composite '{self.id}': its metric '{self.metric}' must be one of all_of")
        if self.driver is not None and self.evidence_weight <= 0:
            raise ValueError("a composite that feeds a driver needs a positive evidence_weight")
        return self


class ErrorBudget(Model):
    """Published error of 2-D video kinematics from one camera."""

    sagittal_rmse_deg_min: float = Field(gt=0)
    sagittal_rmse_deg_max: float = Field(gt=0)
    day_to_day_deg_min: float = Field(gt=0)
    day_to_day_deg_max: float = Field(gt=0)
    note: str = Field(min_length=5)
    sources: list[Id] = Field(min_length=1)


class FpsRequirements(Model):
    """Frame rates below which some metrics lose accuracy or cannot be measured."""

    min_fps: float = Field(gt=0, description="below this, no analysis")
    contact_time_min_fps: float = Field(gt=0, description="contact time flagged below this")
    angles_at_contact_min_fps: float = Field(gt=0)
    recommended_fps: float = Field(gt=0)
    sources: list[Id] = Field(min_length=1)


class CadenceBounds(Model):
    """Cadence a human can plausibly show while running or walking, and the slow-motion rule.

    A clip that looks like running but whose cadence is below ``running_min_spm`` times
    ``slow_motion_ratio`` is probably slowed down: the number is not reported as fact.
    """

    running_min_spm: float = Field(gt=0)
    running_max_spm: float = Field(gt=0)
    walking_min_spm: float = Field(gt=0)
    walking_max_spm: float = Field(gt=0)
    slow_motion_ratio: float = Field(gt=0, le=1)
    typical_running_spm: float = Field(gt=0, description="used to estimate a slow-motion factor")
    sources: list[Id] = Field(min_length=1)


class SlowMotionRules(Model):
    """Slow motion by physics: the pelvis bounce of real-time running, and the factor bands."""

    pelvis_accel_g: float = Field(
        gt=0, description="step-rate pelvis acceleration amplitude in real time, in g"
    )
    leg_length_m: float = Field(gt=0.3, lt=1.5, description="hip to ankle when the height is not given")
    real_time_max_factor: float = Field(ge=1)
    slowed_min_factor: float = Field(gt=1)
    sources: list[Id] = Field(min_length=1)


class CadenceCue(Model):
    """The step-rate increase prescribed when overstriding is found."""

    min_pct: float = Field(gt=0, le=30)
    max_pct: float = Field(gt=0, le=30)
    plain: str = Field(min_length=10)
    sources: list[Id] = Field(min_length=1)


class FootStrikeBands(Model):
    """Foot angle at contact (toes up positive) that separates rearfoot, midfoot and forefoot strikes."""

    rearfoot_min_deg: float
    forefoot_max_deg: float
    note: str = ""
    sources: list[Id] = Field(min_length=1)


class ActivityRules(Model):
    """Posture cues that tell running from walking in a clip (votes, not proofs)."""

    running_swing_knee_flexion_min_deg: float = Field(gt=0)
    running_elbow_angle_max_deg: float = Field(gt=0)
    min_contacts: int = Field(ge=2)
    sources: list[Id] = Field(min_length=1)


class FilmingTip(Model):
    """Advice on filming, shown when quality is poor."""

    id: Id
    text: str = Field(min_length=10)


class GaitRules(Model):
    """Indicative gait thresholds with sources, and the method's error budget."""

    metrics: list[MetricRule] = Field(min_length=1)
    error_budget: ErrorBudget
    fps: FpsRequirements
    cadence_bounds: CadenceBounds
    slow_motion: SlowMotionRules
    cadence_cue: CadenceCue
    foot_strike: FootStrikeBands
    activity: ActivityRules
    max_findings: int = Field(ge=1, le=10)
    filming_tips: list[FilmingTip] = Field(min_length=1)
    composites: list[CompositeRule] = Field(default_factory=list)

    def rule(self, metric_id: str) -> MetricRule:
        """The rule of one metric; KeyError when the knowledge base has none."""
        for rule in self.metrics:
            if rule.id == metric_id:
                return rule
        raise KeyError(f"gait.yaml has no rule for metric '{metric_id}'")

    def check_refs(self, known_sources: set[str]) -> list[str]:
        """Return cross-reference problems (empty when consistent)."""
        problems: list[str] = []
        ids = [rule.id for rule in self.metrics]
        problems.extend(f"metric '{d}' defined twice" for d in sorted({i for i in ids if ids.count(i) > 1}))
        problems.extend(f"no rule for metric '{m}'" for m in GAIT_METRIC_IDS if m not in ids)
        if self.error_budget.sagittal_rmse_deg_min > self.error_budget.sagittal_rmse_deg_max:
            problems.append("error_budget: sagittal min above max")
        if self.cadence_bounds.running_min_spm <= self.cadence_bounds.walking_min_spm:
            problems.append("cadence_bounds: running_min_spm must exceed walking_min_spm")
        for comp in self.composites:
            problems.extend(
                f"composite '{comp.id}': unknown metric '{c.metric}'"
                for c in (*comp.all_of, *comp.supporting)
                if c.metric not in ids
            )
        if self.cadence_cue.min_pct > self.cadence_cue.max_pct:
            problems.append("cadence_cue: min_pct above max_pct")
        return problems
