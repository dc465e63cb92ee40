"""Decide whether a clip shows running, walking or neither, and whether it is slowed down.

Posture votes (knee flexion in swing, bent elbows) say what the movement looks like; the cadence
says whether its timing is plausible. Running whose cadence is far below what running allows is
probably a slow-motion clip: the number is then not reported as fact.
"""

from __future__ import annotations

from typing import Literal

from heelcoach.gait.numbers import format_value
from heelcoach.knowledge.schema_gait import GaitRules

Activity = Literal["running", "walking", "neither"]


class ActivityClassifier:
    """Running, walking or neither, with the reasons and a slow-motion check.

    Parameters
    ----------
    rules : gait rules (cadence plausibility bounds, posture thresholds, minimum contacts).
    """

    def __init__(self, rules: GaitRules) -> None:
        self.rules = rules

    def run(
        self,
        n_contacts: int,
        cadence_spm: float | None,
        swing_knee_flexion_deg: float | None,
        elbow_angle_deg: float | None,
    ) -> ActivityClassifier:
        """Results: ``activity_``, ``reasons_``, ``slow_motion_``, ``speed_factor_`` (estimated slow-down)."""
        act, bounds = self.rules.activity, self.rules.cadence_bounds
        reasons: list[str] = []
        self.slow_motion_ = False
        self.fast_motion_ = False
        self.speed_factor_: float | None = None
        if n_contacts < act.min_contacts or cadence_spm is None:
            self.activity_: Activity = "neither"
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
        if posture == "running":
            if cadence_spm < bounds.running_min_spm * bounds.slow_motion_ratio:
                self.slow_motion_ = True
                self.speed_factor_ = bounds.typical_running_spm / cadence_spm
                reasons.append(
                    f"{format_value(cadence_spm, 'steps/min')} is far below what running allows "
                    f"(>= {format_value(bounds.running_min_spm)}): probably slow motion, "
                    f"about {format_value(self.speed_factor_)}x slower than real time"
                )
            elif cadence_spm > bounds.running_max_spm:
                self.fast_motion_ = True
                reasons.append(
                    f"{format_value(cadence_spm, 'steps/min')} is above what running allows: probably sped up"
                )
        elif posture == "walking" and cadence_spm < bounds.walking_min_spm * bounds.slow_motion_ratio:
            self.slow_motion_ = True
            self.speed_factor_ = (bounds.walking_min_spm + bounds.walking_max_spm) / 2 / cadence_spm
            reasons.append(
                f"{format_value(cadence_spm, 'steps/min')} is below any walking cadence: probably slow motion"
            )
        self.reasons_ = reasons
        return self
