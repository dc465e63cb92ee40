"""Gait metrics from cleaned keypoints and contacts: each with a value, unit, per-side values and
an uncertainty or quality flag. Angles follow the conventions in each function's docstring.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import ClassVar, Literal

import numpy as np

from heelcoach.gait.base import GaitAlgorithm
from heelcoach.gait.events import Contact, View, cadence_from_contacts
from heelcoach.gait.geometry import (
    angle_from_vertical_down_deg,
    flexion_deg,
    joint_angle_deg,
    lean_from_vertical_deg,
    mid,
)
from heelcoach.gait.keypoints import FloatArray, Keypoints
from heelcoach.gait.numbers import format_measure, format_value, shown_decimals
from heelcoach.knowledge.schema_gait import GaitRules

Quality = Literal["ok", "rough", "unreliable", "not_measured"]


@dataclass(frozen=True)
class Metric:
    """One measured quantity. ``uncertainty`` is +/- in ``unit`` (the method's error budget or the
    computed timing error); ``spread`` is the step-to-step standard deviation."""

    id: str
    name: str
    unit: str
    value: float | None
    left: float | None = None
    right: float | None = None
    uncertainty: float | None = None
    spread: float | None = None
    n: int = 0
    quality: Quality = "ok"
    category: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def shown(self, side: str | None = None) -> str:
        """The value (or one side's) with the metric's one uncertainty and unit, as every report shows it."""
        value = self.value if side is None else (self.left if side == "left" else self.right)
        return "not measured" if value is None else format_measure(value, self.uncertainty, self.unit)

    def rounded(self) -> Metric:
        """This metric with every number rounded as shown, so JSON, text and pictures agree."""
        digits = shown_decimals(self.uncertainty)

        def r(x: float | None) -> float | None:
            return None if x is None or digits is None else round(float(x), digits)

        spread = None if self.spread is None else round(float(self.spread), (digits or 0) + 1)
        return replace(
            self,
            value=r(self.value) if digits is not None else self.value,
            left=r(self.left) if digits is not None else self.left,
            right=r(self.right) if digits is not None else self.right,
            uncertainty=r(self.uncertainty) if digits is not None else self.uncertainty,
            spread=spread,
        )

    @property
    def asymmetry(self) -> float | None:
        """|left - right| in the metric's unit, when both sides were measured."""
        if self.left is None or self.right is None:
            return None
        return abs(self.left - self.right)


def _nanmedian(values: Sequence[float] | FloatArray) -> float | None:
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    return float(np.median(arr)) if arr.size else None


def _spread(values: Sequence[float]) -> float | None:
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    return float(np.std(arr)) if arr.size >= 2 else None


def _per_side(
    contacts: Sequence[Contact], values: Sequence[float | None]
) -> tuple[float | None, float | None]:
    left = [v for c, v in zip(contacts, values, strict=True) if c.side == "left" and v is not None]
    right = [v for c, v in zip(contacts, values, strict=True) if c.side == "right" and v is not None]
    return _nanmedian(left), _nanmedian(right)


def _both_sides(left: float | None, right: float | None, pooled: float | None) -> float | None:
    """The one overall value of a sided metric: the mean of its two sides, so it sits between the
    per-side values every report shows (the pooled median when a side is missing)."""
    return (left + right) / 2.0 if left is not None and right is not None else pooled


def _leg_at(kp: Keypoints, frame: int, direction: float) -> str:
    """Which labelled leg ('l'/'r') is physically in front at ``frame`` (the contacting foot)."""
    hip_x = mid(kp, "hip")[frame, 0]
    ahead = {s: direction * (kp.point(f"{s}_heel")[frame, 0] - hip_x) for s in ("l", "r")}
    ahead = {s: v for s, v in ahead.items() if np.isfinite(v)}
    if not ahead:
        return "l"
    return max(ahead, key=lambda s: ahead[s])


class MetricSet(GaitAlgorithm):
    """Compute every metric the view allows.

    Parameters
    ----------
    rules : the knowledge base's gait rules (units, error budgets, fps requirements).
    height_cm : body height in cm; when given, vertical oscillation is also reported in cm.

    Attributes
    ----------
    metrics_ : metric id -> :class:`Metric`, each in the unit ``gait.yaml`` gives it (steps/min,
        s, degrees, % of leg length, cm), with its uncertainty in the same unit.
    """

    _action_method: ClassVar[str] = "calculate"
    metrics_: dict[str, Metric]

    def __init__(self, rules: GaitRules, height_cm: float | None = None) -> None:
        self.rules = rules
        self.height_cm = height_cm

    def _make(self, metric_id: str, value: float | None, **kwargs: object) -> Metric:
        rule = self.rules.rule(metric_id)
        # one uncertainty per metric: the larger of the method's error budget and this clip's own
        computed = kwargs.get("uncertainty")
        kwargs["uncertainty"] = (
            max(rule.error, float(computed)) if isinstance(computed, int | float) else rule.error
        )
        if value is None:
            kwargs["quality"] = "not_measured"
        return Metric(id=metric_id, name=rule.name, unit=rule.unit, value=value, **kwargs)  # type: ignore[arg-type]

    def calculate(
        self,
        kp: Keypoints,
        contacts: Sequence[Contact],
        view: View,
        direction: FloatArray,
        leg_length_px: float,
        time_unreliable: bool = False,
    ) -> MetricSet:
        """Results: ``metrics_`` (id -> Metric)."""
        metrics: dict[str, Metric] = {}
        few = len(contacts) < 4
        base_quality: Quality = "unreliable" if time_unreliable else ("rough" if few else "ok")
        cadence, cad_unc, n_steps = cadence_from_contacts(list(contacts), kp.fps)
        metrics["cadence"] = self._make(
            "cadence",
            cadence if np.isfinite(cadence) else None,
            uncertainty=max(cad_unc, 0.1) if np.isfinite(cad_unc) else None,
            n=n_steps,
            quality=base_quality,
        )
        step_times: list[float | None] = [None] if contacts else []
        step_times += [b.ic_time_s - a.ic_time_s for a, b in itertools.pairwise(contacts)]
        med_step = _nanmedian([s for s in step_times if s is not None])
        if med_step is not None:  # drop steps that span a missed contact
            step_times = [s if s is not None and s < 1.5 * med_step else None for s in step_times]
        left, right = _per_side(contacts, step_times)
        metrics["step_time"] = self._make(
            "step_time",
            _nanmedian([s for s in step_times if s is not None]),
            left=left,
            right=right,
            uncertainty=1.0 / kp.fps,
            spread=_spread([s for s in step_times if s is not None]),
            n=sum(s is not None for s in step_times),
            quality=base_quality,
        )
        asym = None
        if left is not None and right is not None and left + right > 0:
            asym = 100.0 * abs(left - right) / ((left + right) / 2.0)
        n_st = sum(s is not None for s in step_times)
        metrics["asymmetry"] = self._make(
            "asymmetry",
            asym,
            uncertainty=(100.0 / kp.fps / med_step / np.sqrt(max(1, n_st / 2))) if med_step else None,
            n=n_st,
            quality=base_quality,
            notes=("left-right difference in step time; per-angle differences are in each metric",),
        )
        if view == "side":
            self._side(kp, contacts, direction, leg_length_px, metrics, time_unreliable)
        else:
            self._frontal(kp, contacts, view, metrics)
        self.metrics_ = metrics
        return self

    def _side(
        self,
        kp: Keypoints,
        contacts: Sequence[Contact],
        direction: FloatArray,
        leg_px: float,
        metrics: dict[str, Metric],
        time_unreliable: bool,
    ) -> None:
        angle_quality: Quality = "rough" if kp.fps < self.rules.fps.angles_at_contact_min_fps else "ok"
        hip = mid(kp, "hip")
        metrics["contact_time"] = self._contact_time(kp, contacts, time_unreliable)
        foot, over, tibia, knee_ic, knee_peak = _contact_angles(kp, contacts, direction, leg_px, hip)
        checks: tuple[tuple[str, list[float | None], Quality], ...] = (
            ("foot_strike_angle", foot, angle_quality),
            ("overstride", over, "ok"),
            ("tibia_angle_contact", tibia, angle_quality),
            ("knee_flexion_contact", knee_ic, angle_quality),
            ("knee_flexion_stance_peak", knee_peak, "ok"),
        )
        for metric_id, values, quality in checks:
            metrics[metric_id] = self._sided_angle(metric_id, contacts, values, quality)
        shoulder = mid(kp, "shoulder")
        lean = lean_from_vertical_deg(hip, shoulder, 1) * direction
        frames = [c.midstance_frame for c in contacts if c.midstance_frame is not None]
        lean_vals = lean[frames] if frames else lean
        metrics["trunk_lean"] = self._make(
            "trunk_lean", _nanmedian(lean_vals), spread=_spread(list(lean_vals)), n=len(lean_vals)
        )
        metrics["vertical_oscillation"] = self._vertical_oscillation(contacts, hip, leg_px)

    def _contact_time(self, kp: Keypoints, contacts: Sequence[Contact], time_unreliable: bool) -> Metric:
        low_fps = kp.fps < self.rules.fps.contact_time_min_fps
        fps_note = (
            (f"{kp.fps:.0f} fps is below {self.rules.fps.angles_at_contact_min_fps:.0f}: timing is rough",)
            if low_fps
            else ()
        )
        contact_ms = [None if c.contact_time_s is None else 1000.0 * c.contact_time_s for c in contacts]
        left, right = _per_side(contacts, contact_ms)
        valid_ct = [v for v in contact_ms if v is not None]
        return self._make(
            "contact_time",
            _nanmedian(valid_ct),
            left=left,
            right=right,
            uncertainty=max(self.rules.rule("contact_time").error, 1000.0 / kp.fps),
            spread=_spread(valid_ct),
            n=len(valid_ct),
            quality="unreliable" if time_unreliable else ("rough" if low_fps else "ok"),
            notes=fps_note,
        )

    def _sided_angle(
        self, metric_id: str, contacts: Sequence[Contact], values: list[float | None], quality: Quality
    ) -> Metric:
        """An angle measured at each contact: per side, overall, and its foot-strike category."""
        fs = self.rules.foot_strike
        vals = [v for v in values if v is not None and np.isfinite(v)]
        left, right = _per_side(contacts, [v if v is not None and np.isfinite(v) else None for v in values])
        value = _both_sides(left, right, _nanmedian(vals))
        category = None
        if metric_id == "foot_strike_angle" and value is not None:
            category = (
                "rearfoot"
                if value >= fs.rearfoot_min_deg
                else ("forefoot" if value <= fs.forefoot_max_deg else "midfoot")
            )
        return self._make(
            metric_id,
            value,
            left=left,
            right=right,
            spread=_spread(vals),
            n=len(vals),
            quality=quality if len(vals) >= 4 else ("rough" if vals else "not_measured"),
            category=category,
        )

    def _vertical_oscillation(self, contacts: Sequence[Contact], hip: FloatArray, leg_px: float) -> Metric:
        osc = []
        for a, b in itertools.pairwise(contacts):
            seg = hip[a.ic_frame : b.ic_frame + 1, 1]
            if np.isfinite(seg).sum() >= 3:
                osc.append(float(100.0 * (np.nanmax(seg) - np.nanmin(seg)) / leg_px))
        notes: tuple[str, ...] = ()
        value = _nanmedian(osc)
        if value is not None and self.height_cm:
            # hip-to-ankle is about 0.491 x body height (Winter: thigh 0.245 H + shank 0.246 H)
            cm = value / 100.0 * 0.491 * self.height_cm
            notes = (f"about {format_value(cm, 'cm')} for a height of {format_value(self.height_cm, 'cm')}",)
        return self._make("vertical_oscillation", value, spread=_spread(osc), n=len(osc), notes=notes)

    def _frontal(
        self, kp: Keypoints, contacts: Sequence[Contact], view: View, metrics: dict[str, Metric]
    ) -> None:
        drop, fppa = _frontal_angles(kp, contacts)
        width = _step_widths(kp, contacts, view)
        for metric_id, values in (("pelvic_drop", drop), ("knee_fppa", fppa)):
            vals = [v for v in values if np.isfinite(v)]
            left, right = _per_side(contacts, [v if np.isfinite(v) else None for v in values])
            metrics[metric_id] = self._make(
                metric_id,
                _both_sides(left, right, _nanmedian(vals)),
                left=left,
                right=right,
                spread=_spread(vals),
                n=len(vals),
                quality="ok" if len(vals) >= 4 else ("rough" if vals else "not_measured"),
            )
        vals = [v for v in width if np.isfinite(v)]
        value = _nanmedian(vals)
        metrics["step_width"] = self._make(
            "step_width",
            value,
            spread=_spread(vals),
            n=len(vals),
            quality="ok" if len(vals) >= 3 else ("rough" if vals else "not_measured"),
            category=None if value is None else ("crossover" if value < 0 else "normal"),
        )


def _contact_angles(
    kp: Keypoints, contacts: Sequence[Contact], direction: FloatArray, leg_px: float, hip: FloatArray
) -> tuple[list[float | None], ...]:
    """Per contact: foot angle, overstride, tibia angle, knee flexion at contact, peak stance knee flexion."""
    foot: list[float | None] = []
    over: list[float | None] = []
    tibia: list[float | None] = []
    knee_ic: list[float | None] = []
    knee_peak: list[float | None] = []
    for c in contacts:
        # angles at the foot's most forward point (Zeni IC); the foot-down frame drifts to foot-flat
        # on a treadmill with 2-D keypoints, so it is reported but not used here
        f = c.ic_frame
        d = float(direction[f])
        leg = _leg_at(kp, f, d)
        heel, toe = kp.point(f"{leg}_heel")[f], kp.point(f"{leg}_toe")[f]
        knee, ankle, hipl = (
            kp.point(f"{leg}_knee")[f],
            kp.point(f"{leg}_ankle")[f],
            kp.point(f"{leg}_hip")[f],
        )
        # foot angle: heel->toe against the horizontal, positive toes up (y points down)
        foot.append(float(np.degrees(np.arctan2(heel[1] - toe[1], d * (toe[0] - heel[0])))))
        over.append(float(100.0 * d * (heel[0] - hip[f, 0]) / leg_px))
        tibia.append(float(angle_from_vertical_down_deg(knee[None], ankle[None], int(d))[0]))
        knee_ic.append(float(flexion_deg(hipl[None], knee[None], ankle[None])[0]))
        knee_peak.append(_stance_peak_flexion(kp, leg, f, c.to_frame))
    return foot, over, tibia, knee_ic, knee_peak


def _stance_peak_flexion(kp: Keypoints, leg: str, f: int, to_frame: int | None) -> float | None:
    """The largest knee flexion from contact ``f`` to toe-off (None without a toe-off)."""
    end = to_frame if to_frame is not None else None
    if end is not None and end > f:
        seg = flexion_deg(
            kp.point(f"{leg}_hip")[f : end + 1],
            kp.point(f"{leg}_knee")[f : end + 1],
            kp.point(f"{leg}_ankle")[f : end + 1],
        )
        return float(np.nanmax(seg)) if np.isfinite(seg).any() else None
    return None


def _frontal_angles(kp: Keypoints, contacts: Sequence[Contact]) -> tuple[list[float], list[float]]:
    """Per contact at midstance: contralateral pelvic drop and knee frontal plane projection angle."""
    drop, fppa = [], []
    lhip, rhip = kp.point("l_hip"), kp.point("r_hip")
    # camera roll (and a standing tilt) shifts every frame alike: measure drop from the clip's median
    roll = _nanmedian(np.degrees(np.arctan2(rhip[:, 1] - lhip[:, 1], np.abs(rhip[:, 0] - lhip[:, 0])))) or 0.0
    for c in contacts:
        f = c.midstance_frame if c.midstance_frame is not None else c.ic_frame
        stance, swing = ("l", "r") if c.side == "left" else ("r", "l")
        hs, hw = kp.point(f"{stance}_hip")[f], kp.point(f"{swing}_hip")[f]
        # contralateral pelvic drop: positive when the swing-side hip is lower (y down)
        obliquity = float(np.degrees(np.arctan2(hw[1] - hs[1], abs(hw[0] - hs[0]))))
        drop.append(obliquity - (roll if swing == "r" else -roll))
        knee, ankle = kp.point(f"{stance}_knee")[f], kp.point(f"{stance}_ankle")[f]
        flex = float(180.0 - joint_angle_deg(hs[None], knee[None], ankle[None])[0])
        # where the hip-ankle line passes at knee height; medial is towards the other hip
        t = (knee[1] - hs[1]) / (ankle[1] - hs[1]) if ankle[1] != hs[1] else 0.5
        line_x = hs[0] + t * (ankle[0] - hs[0])
        medial = np.sign(hw[0] - hs[0])
        fppa.append(flex if (knee[0] - line_x) * medial > 0 else -flex)
    return drop, fppa


def _step_widths(kp: Keypoints, contacts: Sequence[Contact], view: View) -> list[float]:
    """Per pair of contacts: the ankles' sideways distance, % of leg length (negative: crossover)."""
    width = []
    for a, b in itertools.pairwise(contacts):
        fa, fb = a.midstance_frame or a.ic_frame, b.midstance_frame or b.ic_frame
        la = kp.point("l_ankle")[fa] if a.side == "left" else kp.point("l_ankle")[fb]
        ra = kp.point("r_ankle")[fb] if b.side == "right" else kp.point("r_ankle")[fa]
        frame = fa
        scale = np.nanmean(
            [
                np.linalg.norm(kp.point(f"{s}_hip")[frame] - kp.point(f"{s}_knee")[frame])
                + np.linalg.norm(kp.point(f"{s}_knee")[frame] - kp.point(f"{s}_ankle")[frame])
                for s in ("l", "r")
            ]
        )
        # the runner's left is image left from behind and image right from the front
        sign = 1.0 if view == "rear" else -1.0
        width.append(float(100.0 * sign * (ra[0] - la[0]) / scale))
    return width


def activity_features(kp: Keypoints) -> dict[str, float | None]:
    """Posture cues: 95th percentile knee flexion (swing) and median elbow angle, in degrees."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        knee = np.concatenate(
            [
                flexion_deg(kp.point(f"{s}_hip"), kp.point(f"{s}_knee"), kp.point(f"{s}_ankle"))
                for s in ("l", "r")
            ]
        )
        elbow = np.concatenate(
            [
                joint_angle_deg(kp.point(f"{s}_shoulder"), kp.point(f"{s}_elbow"), kp.point(f"{s}_wrist"))
                for s in ("l", "r")
            ]
        )
    knee = knee[np.isfinite(knee)]
    elbow = elbow[np.isfinite(elbow)]
    return {
        "swing_knee_flexion_deg": float(np.percentile(knee, 95)) if knee.size >= 10 else None,
        "elbow_angle_deg": float(np.median(elbow)) if elbow.size >= 10 else None,
    }
