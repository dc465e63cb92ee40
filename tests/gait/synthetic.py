"""Keypoint sequences generated from known kinematics, to test the maths exactly.

Side view: thigh angle, knee flexion and foot angle are cosines locked to the stride so that the
heel is furthest ahead of the hip exactly at initial contact (IC), where knee flexion, foot angle
and shin angle take the chosen values. Rear view: feet alternate in height, the pelvis tilts by a
chosen contralateral drop per side, the stance knee sits medially by a chosen valgus angle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heelcoach.gait.keypoints import INDEX, LEG_POINTS, Keypoints, empty_frames

THIGH_PX = 120.0
SHANK_PX = 120.0
FOOT_PX = 55.0


@dataclass(frozen=True)
class SideTruth:
    """What the side-view generator put in."""

    ic_times_s: dict[str, list[float]]
    knee_flexion_ic_deg: float
    foot_angle_ic_deg: float
    overstride_pct: float
    tibia_ic_deg: float


def bounce_px(cadence_spm: float, walking: bool = False, slowed: float = 1.0) -> float:
    """Pelvis bounce amplitude (px) of real running at this cadence: 1.4 g at the step rate, for a
    0.86 m leg (the physics in ``heelcoach.gait.rhythm``); walking bounces about a quarter as much.
    ``slowed``: the cadence given is as filmed, the clip plays this many times slower."""
    step_hz = cadence_spm / 60.0 * slowed
    amp_m = 1.4 * 9.81 / (2 * np.pi * step_hz) ** 2
    return float(amp_m / 0.86 * (THIGH_PX + SHANK_PX) * (0.25 if walking else 1.0))


def _omega(cadence_spm: float) -> float:
    return 2 * np.pi * cadence_spm / 120.0  # stride frequency (rad/s): two steps per stride


def side_view(
    cadence_spm: float = 170.0,
    fps: float = 30.0,
    duration_s: float = 10.0,
    knee_ic_deg: float = 20.0,
    foot_ic_deg: float = 12.0,
    thigh_ic_deg: float = 28.0,
    direction: int = 1,
    walking: bool = False,
    t0_s: float = 0.11,
    slowed: float = 1.0,
) -> tuple[Keypoints, SideTruth]:
    """A runner on a treadmill filmed from the side (hip fixed in the image, bouncing as physics
    wants; ``slowed``: the clip plays this many times slower, ``cadence_spm`` is as filmed)."""
    n = round(duration_s * fps)
    t = np.arange(n) / fps
    w = _omega(cadence_spm)
    xy, score = empty_frames(n)
    hip = np.stack(
        [
            np.full(n, 400.0),
            300.0 + bounce_px(cadence_spm, walking, slowed) * np.cos(2 * w * (t - t0_s) + 0.6),
        ],
        axis=1,
    )
    truth_ic: dict[str, list[float]] = {}
    knee_amp = 25.0 if walking else 80.0
    for side, phase in (("l", 0.0), ("r", np.pi)):
        arg = w * (t - t0_s) - phase
        thigh = np.radians(thigh_ic_deg * np.cos(arg) - 5.0 * (1 - np.cos(arg)))
        knee = np.radians(knee_ic_deg + knee_amp * (1 - np.cos(arg)) / 2)
        foot = np.radians(foot_ic_deg * np.cos(arg))
        k = hip + THIGH_PX * np.stack([direction * np.sin(thigh), np.cos(thigh)], axis=1)
        shank = thigh - knee
        a = k + SHANK_PX * np.stack([direction * np.sin(shank), np.cos(shank)], axis=1)
        heel = a + np.array([-direction * 8.0, 18.0])
        toe = heel + FOOT_PX * np.stack([direction * np.cos(foot), -np.sin(foot)], axis=1)
        for name, pts in (("hip", hip), ("knee", k), ("ankle", a), ("heel", heel), ("toe", toe)):
            xy[:, INDEX[f"{side}_{name}"]] = pts
        period = 2 * np.pi / w
        first = t0_s + phase / w
        truth_ic["left" if side == "l" else "right"] = list(np.arange(first, duration_s, period))
    shoulder = hip + np.array([direction * 40.0, -260.0])
    xy[:, INDEX["l_shoulder"]] = shoulder
    xy[:, INDEX["r_shoulder"]] = shoulder + np.array([2.0, 0.0])
    xy[:, INDEX["nose"]] = shoulder + np.array([direction * 25.0, -60.0])
    elbow_drop = 110.0 if walking else 60.0
    for s in ("l", "r"):
        xy[:, INDEX[f"{s}_elbow"]] = shoulder + np.array([direction * 5.0, elbow_drop])
        wrist = [direction * 10.0, 220.0] if walking else [direction * 70.0, 40.0]
        xy[:, INDEX[f"{s}_wrist"]] = shoulder + wrist
    score[:] = 0.95
    th, kn, ft = np.radians(thigh_ic_deg), np.radians(knee_ic_deg), np.radians(foot_ic_deg)
    heel_ahead = THIGH_PX * np.sin(th) + SHANK_PX * np.sin(th - kn) - 8.0
    truth = SideTruth(
        ic_times_s=truth_ic,
        knee_flexion_ic_deg=knee_ic_deg,
        foot_angle_ic_deg=foot_ic_deg,
        overstride_pct=100.0 * heel_ahead / (THIGH_PX + SHANK_PX),
        tibia_ic_deg=float(np.degrees(th - kn)),
    )
    del ft
    kp = Keypoints(xy=xy, score=score, fps=fps, width=800, height=800, source="synthetic")
    return kp, truth


def rear_view(
    cadence_spm: float = 170.0,
    fps: float = 30.0,
    duration_s: float = 8.0,
    drop_left_deg: float = 4.0,
    drop_right_deg: float = 9.0,
    valgus_left_deg: float = 3.0,
    valgus_right_deg: float = 12.0,
    step_width_pct: float = 8.0,
    t0_s: float = 0.1,
) -> Keypoints:
    """A runner filmed from behind: left on image left, drop/valgus per stance side."""
    n = round(duration_s * fps)
    t = np.arange(n) / fps
    w = _omega(cadence_spm)
    c = np.cos(w * (t - t0_s))  # +1 at left midstance, -1 at right midstance
    xy, score = empty_frames(n)
    centre_x, hip_y, half_width = 400.0, 300.0, 45.0
    leg = THIGH_PX + SHANK_PX
    drop = np.where(c > 0, drop_left_deg, drop_right_deg) * c  # + : right hip lower
    dy = half_width * np.tan(np.radians(drop))
    lhip = np.stack([np.full(n, centre_x - half_width), hip_y - dy], axis=1)
    rhip = np.stack([np.full(n, centre_x + half_width), hip_y + dy], axis=1)
    feet_half = step_width_pct / 100.0 * leg / 2
    for side, hip, medial, valgus, sign in (
        ("l", lhip, 1.0, valgus_left_deg, 1.0),
        ("r", rhip, -1.0, valgus_right_deg, -1.0),
    ):
        lift = 40.0 * np.clip(-sign * c, 0, None)  # swing foot rises
        ankle = np.stack([centre_x - sign * feet_half + 0 * t, hip[:, 1] + leg - lift], axis=1)
        m = THIGH_PX * np.tan(np.radians(valgus) / 2)
        knee_mid = (hip + ankle) / 2
        knee = knee_mid + np.stack([medial * m + 0 * t, 0 * t], axis=1)
        heel = ankle + np.array([0.0, 12.0])
        toe = ankle + np.array([0.0, 8.0])
        for name, pts in (("hip", hip), ("knee", knee), ("ankle", ankle), ("heel", heel), ("toe", toe)):
            xy[:, INDEX[f"{side}_{name}"]] = pts
    for side, hip, out in (("l", lhip, -1.0), ("r", rhip, 1.0)):
        shoulder = hip + np.array([out * 30.0, -260.0])
        xy[:, INDEX[f"{side}_shoulder"]] = shoulder
        xy[:, INDEX[f"{side}_elbow"]] = shoulder + np.array([out * 15.0, 90.0])
        xy[:, INDEX[f"{side}_wrist"]] = shoulder + np.array([out * 5.0 - out * 40.0, 60.0])
    xy[:, INDEX["nose"]] = [centre_x, hip_y - 330.0]
    score[:] = 0.9
    score[:, INDEX["nose"]] = 0.0
    xy[:, INDEX["nose"]] = np.nan
    return Keypoints(xy=xy, score=score, fps=fps, width=800, height=700, source="synthetic")


def corrupt(
    kp: Keypoints,
    noise_px: float = 0.0,
    drop_fraction: float = 0.0,
    swap_fraction: float = 0.0,
    seed: int = 0,
) -> Keypoints:
    """Add pixel noise, drop single frames (NaN) and swap left/right legs in single frames."""
    rng = np.random.default_rng(seed)
    xy = kp.xy.copy()
    if noise_px:
        xy = xy + rng.normal(0.0, noise_px, xy.shape)
    n = kp.n_frames
    if swap_fraction:
        frames = rng.choice(n, size=int(swap_fraction * n), replace=False)
        left = [INDEX[f"l_{p}"] for p in LEG_POINTS]
        right = [INDEX[f"r_{p}"] for p in LEG_POINTS]
        for f in frames:
            xy[f, left], xy[f, right] = kp.xy[f, right].copy(), kp.xy[f, left].copy()
    score = kp.score.copy()
    if drop_fraction:
        frames = rng.choice(np.arange(1, n - 1), size=int(drop_fraction * n), replace=False)
        xy[frames] = np.nan
        score[frames] = 0.0
    return Keypoints(xy=xy, score=score, fps=kp.fps, width=kp.width, height=kp.height, source=kp.source)
