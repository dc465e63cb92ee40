"""Forward kinematics of the standard figure: joint angles of a keyframe -> named points in the scene.

The figure is a 3-D skeleton with adult proportions (segment lengths as fractions of body height,
after Winter's anthropometric tables), projected orthographically onto the picture: x to the right,
y up, z towards the viewer. In the side view the figure faces right with its left side to the viewer;
in the front view it faces the viewer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from heelcoach.knowledge.schema_illustration import Keyframe, Limb

Vec = NDArray[np.float64]

#: Segment lengths and offsets in body heights.
THIGH = 0.245
SHANK = 0.246
TRUNK = 0.29
NECK = 0.045
HEAD_R = 0.062
UPPER_ARM = 0.186
FOREARM = 0.17
HIP_HALF_WIDTH = 0.075
SHOULDER_HALF_WIDTH = 0.115
#: The foot in its own frame (anterior, up) from the ankle: heel, ball, and the toe length.
HEEL = (-0.045, -0.042)
BALL = (0.115, -0.042)
TOE = 0.045


def _rot(axis: int, angle_deg: float) -> Vec:
    """Rotation about a local axis (0 anterior, 1 up, 2 left) by ``angle_deg``, right-handed."""
    c, s = np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))
    i, j = [(1, 2), (2, 0), (0, 1)][axis]
    m = np.eye(3)
    m[i, i], m[i, j], m[j, i], m[j, j] = c, -s, s, c
    return m


def body_frame(view: str, body_deg: float, turn_deg: float = 0.0) -> Vec:
    """Columns: the body's anterior, up and left directions in the scene."""
    if view == "side":
        base = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])  # columns a, u, l
    else:
        base = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    tilt = _rot(2, -body_deg)  # positive tilts clockwise in the picture (leaning forward in the side view)
    result: Vec = tilt @ _rot(1, turn_deg) @ base
    return result


@dataclass(frozen=True, slots=True)
class Pose:
    """Every named point of the figure (scene units) and the frames needed to draw it."""

    points: dict[str, Vec]
    #: Worked-out angles (ankle and toes of a grounded foot), to check against the joint limits.
    angles: dict[str, float]
    head_frame: Vec
    trunk_frame: Vec


def _tilt_deg(frame: Vec) -> float:
    """How far the frame's anterior axis points up from level in the picture, in degrees."""
    a = frame[:, 0]
    return float(np.degrees(np.arctan2(a[1], abs(a[0]) + abs(a[2]))))


def _leg(
    points: dict[str, Vec], angles: dict[str, float], side: str, pelvis: Vec, frame: Vec, limb: Limb
) -> None:
    sign = 1.0 if side == "left" else -1.0
    hip = pelvis + frame[:, 2] * sign * HIP_HALF_WIDTH
    thigh = frame @ _rot(2, limb.hip_flex) @ _rot(0, -sign * limb.hip_abd) @ _rot(1, -sign * limb.hip_rot)
    knee = hip - thigh[:, 1] * THIGH
    shank = thigh @ _rot(2, -limb.knee)
    ankle = knee - shank[:, 1] * SHANK
    ankle_deg = limb.ankle
    if limb.ground == "foot":  # turn the ankle so the sole is level in the picture
        ankle_deg -= _tilt_deg(shank)
    foot = shank @ _rot(2, ankle_deg)
    toes_deg = limb.toes
    if limb.ground == "toes":
        toes_deg -= _tilt_deg(foot)
    angles[f"{side}_ankle"], angles[f"{side}_toes"] = ankle_deg, toes_deg
    heel = ankle + foot[:, 0] * HEEL[0] + foot[:, 1] * HEEL[1]
    ball = ankle + foot[:, 0] * BALL[0] + foot[:, 1] * BALL[1]
    toes = foot @ _rot(2, toes_deg)
    small = foot @ _rot(2, toes_deg if limb.small_toes is None else limb.small_toes)
    sole_mid = ankle + foot[:, 0] * (HEEL[0] + BALL[0]) / 2 + foot[:, 1] * (HEEL[1] + 0.016 * limb.arch)
    points.update(
        {
            f"{side}_hip": hip,
            f"{side}_knee": knee,
            f"{side}_ankle": ankle,
            f"{side}_heel": heel,
            f"{side}_ball": ball,
            f"{side}_toe": ball + toes[:, 0] * TOE,
            f"{side}_small_toe": ball + small[:, 0] * TOE * 0.8 - foot[:, 2] * 0.004,
            f"{side}_arch": sole_mid,
        }
    )


def _arm(points: dict[str, Vec], side: str, neck: Vec, frame: Vec, limb: Limb) -> None:
    sign = 1.0 if side == "left" else -1.0
    shoulder = neck - frame[:, 1] * 0.03 + frame[:, 2] * sign * SHOULDER_HALF_WIDTH
    upper = frame @ _rot(2, limb.shoulder_flex) @ _rot(0, -sign * limb.shoulder_abd)
    elbow = shoulder - upper[:, 1] * UPPER_ARM
    fore = upper @ _rot(2, limb.elbow)
    points.update(
        {f"{side}_shoulder": shoulder, f"{side}_elbow": elbow, f"{side}_hand": elbow - fore[:, 1] * FOREARM}
    )


def pose(view: str, key: Keyframe, turn_deg: float = 0.0) -> Pose:
    """The figure's points for one keyframe, moved so that the anchor point sits where it is pinned."""
    frame = body_frame(view, key.body_deg, turn_deg)
    pelvis = np.zeros(3)
    trunk = frame @ _rot(0, key.spine_side_deg) @ _rot(2, -key.spine_deg)
    neck = pelvis + trunk[:, 1] * TRUNK
    head = trunk @ _rot(2, -key.neck_deg)
    points: dict[str, Vec] = {
        "pelvis": pelvis,
        "chest": pelvis + trunk[:, 1] * TRUNK * 0.7,
        "neck": neck,
        "head": neck + head[:, 1] * (NECK + HEAD_R * 0.85) + head[:, 0] * 0.012,
    }
    angles: dict[str, float] = {}
    for side in ("left", "right"):
        _leg(points, angles, side, pelvis, frame, getattr(key, side))
        _arm(points, side, neck, trunk, getattr(key, side))
    pinned = points[key.anchor.point]
    shift = np.array([key.anchor.at[0] - pinned[0], key.anchor.at[1] - pinned[1], 0.0])
    return Pose({name: p + shift for name, p in points.items()}, angles, head, trunk)
