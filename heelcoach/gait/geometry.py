"""Plane geometry on keypoint arrays (image coordinates, y down): angles in degrees."""

from __future__ import annotations

import warnings

import numpy as np

from heelcoach.gait.keypoints import FloatArray, Keypoints


def joint_angle_deg(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Angle ABC in degrees (180 = straight), per row; NaN where a point is missing."""
    v1, v2 = a - b, c - b
    dot = np.sum(v1 * v2, axis=-1)
    norm = np.linalg.norm(v1, axis=-1) * np.linalg.norm(v2, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.degrees(np.arccos(np.clip(dot / norm, -1.0, 1.0))))


def flexion_deg(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Joint flexion: 0 when straight (180 - angle ABC)."""
    return 180.0 - joint_angle_deg(a, b, c)


def mid(kp: Keypoints, name: str) -> FloatArray:
    """Midpoint of the left and right landmark ``name`` (e.g. ``hip``), falling back to either side."""
    left, right = kp.point(f"l_{name}"), kp.point(f"r_{name}")
    with np.errstate(invalid="ignore"):
        both = (left + right) / 2.0
    return np.asarray(np.where(np.isnan(both), np.where(np.isnan(left), right, left), both))


def foot_centre(kp: Keypoints, side: str) -> FloatArray:
    """Mean of heel, ankle and toe of one side, ignoring missing ones."""
    pts = np.stack([kp.point(f"{side}_heel"), kp.point(f"{side}_ankle"), kp.point(f"{side}_toe")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN frames give NaN, as wanted
        return np.asarray(np.nanmean(pts, axis=0))


def lean_from_vertical_deg(bottom: FloatArray, top: FloatArray, direction: int) -> FloatArray:
    """Angle of the segment bottom->top from vertical; positive when top is ahead (``direction``)."""
    dx = direction * (top[:, 0] - bottom[:, 0])
    dy = bottom[:, 1] - top[:, 1]  # y points down
    return np.asarray(np.degrees(np.arctan2(dx, dy)))


def angle_from_vertical_down_deg(top: FloatArray, bottom: FloatArray, direction: int) -> FloatArray:
    """Angle of the segment top->bottom from vertical; positive when bottom is ahead."""
    dx = direction * (bottom[:, 0] - top[:, 0])
    dy = bottom[:, 1] - top[:, 1]
    return np.asarray(np.degrees(np.arctan2(dx, dy)))
