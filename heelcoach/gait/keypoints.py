"""One internal landmark set (incl. heels and toes) that every pose source maps onto."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: Internal landmark names, in array order. ``toe`` is the big toe / foot tip.
LANDMARKS: tuple[str, ...] = (
    "nose",
    "l_shoulder",
    "r_shoulder",
    "l_elbow",
    "r_elbow",
    "l_wrist",
    "r_wrist",
    "l_hip",
    "r_hip",
    "l_knee",
    "r_knee",
    "l_ankle",
    "r_ankle",
    "l_heel",
    "r_heel",
    "l_toe",
    "r_toe",
)
INDEX: dict[str, int] = {name: i for i, name in enumerate(LANDMARKS)}

#: Leg points whose left/right labels a pose model may swap.
LEG_POINTS: tuple[str, ...] = ("knee", "ankle", "heel", "toe")

#: Lines drawn for the skeleton.
BONES: tuple[tuple[str, str], ...] = (
    ("l_shoulder", "r_shoulder"),
    ("l_shoulder", "l_elbow"),
    ("l_elbow", "l_wrist"),
    ("r_shoulder", "r_elbow"),
    ("r_elbow", "r_wrist"),
    ("l_shoulder", "l_hip"),
    ("r_shoulder", "r_hip"),
    ("l_hip", "r_hip"),
    ("l_hip", "l_knee"),
    ("l_knee", "l_ankle"),
    ("l_ankle", "l_heel"),
    ("l_heel", "l_toe"),
    ("l_ankle", "l_toe"),
    ("r_hip", "r_knee"),
    ("r_knee", "r_ankle"),
    ("r_ankle", "r_heel"),
    ("r_heel", "r_toe"),
    ("r_ankle", "r_toe"),
)


@dataclass(frozen=True)
class Keypoints:
    """2-D keypoints of one person over time, in image pixels (y points down).

    Attributes
    ----------
    xy : (n_frames, n_landmarks, 2) pixel coordinates, NaN where missing.
    score : (n_frames, n_landmarks) detection confidence 0-1 (0 where missing).
    fps : frames per second.
    width, height : image size in pixels.
    source : where the keypoints came from (``mediapipe``, ``openpose``, ``halpe26``, ``synthetic``).
    fps_assumed : True when the source did not record the frame rate.
    """

    xy: FloatArray
    score: FloatArray
    fps: float
    width: int
    height: int
    source: str
    fps_assumed: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.xy.ndim != 3 or self.xy.shape[1:] != (len(LANDMARKS), 2):
            raise ValueError(f"xy must be (n_frames, {len(LANDMARKS)}, 2), got {self.xy.shape}")
        if self.score.shape != self.xy.shape[:2]:
            raise ValueError("score must be (n_frames, n_landmarks)")
        if self.fps <= 0:
            raise ValueError("fps must be positive")

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.xy.shape[0])

    def point(self, name: str) -> FloatArray:
        """(n_frames, 2) trajectory of one landmark."""
        return self.xy[:, INDEX[name], :]

    def with_xy(self, xy: FloatArray, *, note: str | None = None) -> Keypoints:
        """A copy with new coordinates (scores kept, NaN scores set to 0)."""
        score = np.where(np.isnan(xy[..., 0]), 0.0, self.score)
        notes = (*self.notes, note) if note else self.notes
        return replace(self, xy=xy, score=score, notes=notes)

    def present(self) -> NDArray[np.bool_]:
        """Frames in which hips and at least one knee and ankle are present."""
        ok = ~np.isnan(self.xy[..., 0])
        hips = ok[:, INDEX["l_hip"]] | ok[:, INDEX["r_hip"]]
        knees = ok[:, INDEX["l_knee"]] | ok[:, INDEX["r_knee"]]
        ankles = ok[:, INDEX["l_ankle"]] | ok[:, INDEX["r_ankle"]]
        return np.asarray(hips & knees & ankles)


def empty_frames(n_frames: int) -> tuple[FloatArray, FloatArray]:
    """NaN coordinates and zero scores for ``n_frames`` frames."""
    return (
        np.full((n_frames, len(LANDMARKS), 2), np.nan),
        np.zeros((n_frames, len(LANDMARKS))),
    )
