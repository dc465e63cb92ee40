"""Decide whether a clip shows running, walking or neither, and whether it is slowed down.

Posture votes (knee flexion in swing, bent elbows) say what the movement looks like. Whether the
clip plays in real time is judged from physics (the pelvis bounce) and cadence plausibility: a
slowed or doubtful clip's times are never reported as fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from heelcoach.gait.base import GaitAlgorithm
from heelcoach.gait.numbers import format_value
from heelcoach.knowledge.schema_gait import GaitRules

Activity = Literal["running", "walking", "neither"]


class ActivityClassifier(GaitAlgorithm):
    """Running, walking or neither, with the reasons and a slow-motion check.

    Parameters
    ----------
    rules : gait rules (cadence plausibility bounds, posture thresholds, minimum contacts).

    Attributes
    ----------
    activity_ : ``running``, ``walking`` or ``neither``.
    reasons_ : why, in plain words (one line per vote or check).
    """

    _action_method: ClassVar[str] = "classify"
    activity_: Activity
    reasons_: list[str]

    def __init__(self, rules: GaitRules) -> None:
        self.rules = rules

    def classify(
        self,
        n_contacts: int,
        cadence_spm: float | None,
        swing_knee_flexion_deg: float | None,
        elbow_angle_deg: float | None,
    ) -> ActivityClassifier:
        """Results: ``activity_`` and ``reasons_`` (the time scale is judged by :func:`judge_time_scale`)."""
        act, bounds = self.rules.activity, self.rules.cadence_bounds
        reasons: list[str] = []
        if n_contacts < act.min_contacts or cadence_spm is None:
            self.activity_ = "neither"
            reasons.append(f"only {n_contacts} foot contacts found (at least {act.min_contacts} needed)")
            self.reasons_ = reasons
            return self
        votes_run = votes_walk = 0
        if swing_knee_flexion_deg is not None:
            if swing_knee_flexion_deg >= act.running_swing_knee_flexion_min_deg:
                votes_run += 1
                reasons.append(
                    f"knee bends to {format_value(swing_knee_flexion_deg, 'deg')} in swing (running-like)"
                )
            else:
                votes_walk += 1
                reasons.append(
                    f"knee bends only to {format_value(swing_knee_flexion_deg, 'deg')} "
                    "in swing (walking-like)"
                )
        if elbow_angle_deg is not None:
            if elbow_angle_deg <= act.running_elbow_angle_max_deg:
                votes_run += 1
                reasons.append(f"elbows bent (median {format_value(elbow_angle_deg, 'deg')}, running-like)")
            else:
                votes_walk += 1
                reasons.append(
                    f"arms nearly straight (median elbow {format_value(elbow_angle_deg, 'deg')}, "
                    "walking-like)"
                )
        if votes_run > votes_walk:
            posture: Activity = "running"
        elif votes_walk > votes_run:
            posture = "walking"
        elif cadence_spm >= bounds.running_min_spm:
            posture = "running"
        elif cadence_spm >= bounds.walking_min_spm:
            posture = "walking"
        else:
            posture = "neither"
        reasons.append(f"cadence {format_value(cadence_spm, 'steps/min')} as filmed")
        self.activity_ = posture
        self.reasons_ = reasons
        return self


TimeVerdict = Literal["real_time", "slowed", "unsure", "sped_up", "given"]


@dataclass(frozen=True)
class TimeScale:
    """Whether the clip plays in real time.

    ``verdict``: ``real_time``; ``slowed`` (``factor`` times slower, to be confirmed by the
    runner); ``unsure`` (the evidence disagrees: times are not reported as fact); ``sped_up``;
    ``given`` (the runner or the file said how much it is slowed, already applied).
    ``physics_factor``: what the pelvis bounce alone says (None when it could not be measured).
    """

    verdict: TimeVerdict
    factor: float | None
    physics_factor: float | None
    reasons: tuple[str, ...]

    @property
    def time_unreliable(self) -> bool:
        """True when times (cadence, contact time) must not be reported as real."""
        return self.verdict in ("slowed", "unsure", "sped_up")


def judge_time_scale(
    rules: GaitRules,
    activity: Activity,
    cadence_spm: float | None,
    physics_factor: float | None,
    given: str | None = None,
) -> TimeScale:
    """Real time, slowed (with a factor), sped up or unsure, from physics and cadence plausibility.

    Running: the pelvis bounce (``physics_factor``, see ``rhythm.slow_motion_factor``) and the
    cadence as filmed must tell the same story; when they do not, the verdict is ``unsure``.
    Walking has no flight phase, so only its cadence is judged. ``given`` names who already said
    how much the clip is slowed ("you", "the file"): then nothing is guessed.
    """
    if given:
        return TimeScale("given", None, physics_factor, (f"{given} said how much the clip is slowed",))
    bounds = rules.cadence_bounds
    if cadence_spm is None or activity == "neither":
        return TimeScale("real_time", None, physics_factor, ())
    cad = format_value(cadence_spm, "steps/min")
    if activity == "walking":
        if cadence_spm < bounds.walking_min_spm * bounds.slow_motion_ratio:
            factor = (bounds.walking_min_spm + bounds.walking_max_spm) / 2 / cadence_spm
            return TimeScale("slowed", factor, None, (f"{cad} is below any walking cadence",))
        return TimeScale("real_time", None, None, ())
    if cadence_spm > bounds.running_max_spm:
        return TimeScale("sped_up", None, physics_factor, (f"{cad} is above what running allows",))
    if physics_factor is None:
        return _running_without_bounce(rules, cadence_spm)
    return _running_with_bounce(rules, cadence_spm, physics_factor)


def _running_without_bounce(rules: GaitRules, cadence_spm: float) -> TimeScale:
    """Running whose pelvis bounce could not be measured: only the cadence is judged."""
    bounds = rules.cadence_bounds
    cad = format_value(cadence_spm, "steps/min")
    plausible = cadence_spm >= bounds.running_min_spm
    if cadence_spm < bounds.running_min_spm * bounds.slow_motion_ratio:
        factor = bounds.typical_running_spm / cadence_spm
        floor = format_value(bounds.running_min_spm)
        why = f"{cad} as filmed is far below real-time running (rarely under {floor})"
        return TimeScale("slowed", factor, None, (why, "the pelvis bounce could not be measured"))
    return TimeScale("real_time" if plausible else "unsure", None, None, ())


def _running_with_bounce(rules: GaitRules, cadence_spm: float, physics_factor: float) -> TimeScale:
    """Running: the pelvis bounce and the cadence as filmed must tell the same story."""
    bounds, slow = rules.cadence_bounds, rules.slow_motion
    cad = format_value(cadence_spm, "steps/min")
    plausible = cadence_spm >= bounds.running_min_spm
    bounce = f"the pelvis bounces as if time ran {format_value(physics_factor)}x slower than real time"
    if physics_factor <= slow.real_time_max_factor:
        if plausible:
            return TimeScale("real_time", None, physics_factor, ())
        return TimeScale(
            "unsure",
            None,
            physics_factor,
            (
                f"{cad} is low for running, yet the pelvis bounces as in real time",
                "tell heelcoach if the clip is slowed",
            ),
        )
    implied = cadence_spm * physics_factor
    floor = format_value(bounds.running_min_spm)
    if physics_factor >= slow.slowed_min_factor and not plausible and implied <= bounds.running_max_spm:
        return TimeScale(
            "slowed",
            physics_factor,
            physics_factor,
            (
                bounce,
                f"{cad} as filmed is below real-time running (rarely under {floor})",
            ),
        )
    return TimeScale(
        "unsure",
        None,
        physics_factor,
        (bounce, f"but {cad} as filmed is plausible in real time" if plausible else f"{cad} as filmed"),
    )
