"""Read OpenPose BODY_25 keypoints (one JSON per frame) into the internal landmark set."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from heelcoach.gait.errors import KeypointFileError
from heelcoach.gait.keypoints import LANDMARKS, Keypoints
from heelcoach.gait.tracking import Candidate, RunnerSelector

#: BODY_25 index of each internal landmark (19/22 big toes, 21/24 heels).
BODY25_INDEX: dict[str, int] = {
    "nose": 0,
    "r_shoulder": 2,
    "r_elbow": 3,
    "r_wrist": 4,
    "l_shoulder": 5,
    "l_elbow": 6,
    "l_wrist": 7,
    "r_hip": 9,
    "r_knee": 10,
    "r_ankle": 11,
    "l_hip": 12,
    "l_knee": 13,
    "l_ankle": 14,
    "l_toe": 19,
    "l_heel": 21,
    "r_toe": 22,
    "r_heel": 24,
}
_ORDER = np.array([BODY25_INDEX[name] for name in LANDMARKS])
DEFAULT_FPS = 30.0


def _frame_number(path: Path) -> int:
    numbers = re.findall(r"\d+", path.stem)
    return int(numbers[-1]) if numbers else 0


def _candidates(path: Path) -> list[Candidate]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        people = data["people"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KeypointFileError(
            f"{path}: not an OpenPose keypoint file (expected JSON with a 'people' list): {exc}"
        ) from exc
    out = []
    for index, person in enumerate(people):
        flat = person.get("pose_keypoints_2d") if isinstance(person, dict) else None
        if not isinstance(flat, list) or len(flat) != 75:
            raise KeypointFileError(
                f"{path}: person {index} has no BODY_25 'pose_keypoints_2d' (75 numbers expected)."
            )
        arr = np.asarray(flat, dtype=float).reshape(25, 3)[_ORDER]
        xy = arr[:, :2].copy()
        score = arr[:, 2].copy()
        xy[score <= 0] = np.nan  # OpenPose writes 0,0,0 for a missing point
        out.append(Candidate(xy=xy, score=score))
    return out


def read_openpose(path: Path, *, fps: float | None = None, width: int = 0, height: int = 0) -> Keypoints:
    """Read a folder of ``*_keypoints.json`` files (or one such file) in frame order.

    OpenPose does not record the frame rate: pass ``fps`` or 30 is assumed and flagged.
    """
    files = sorted(path.glob("*.json"), key=_frame_number) if path.is_dir() else [path]
    if not files:
        raise KeypointFileError(f"{path}: no OpenPose .json files found in this folder.")
    selector = RunnerSelector().select([_candidates(f) for f in files])
    xy = selector.xy_
    if width <= 0 or height <= 0:
        finite = xy[~np.isnan(xy[..., 0])]
        width = int(np.ceil(finite[:, 0].max())) + 1 if finite.size else 1
        height = int(np.ceil(finite[:, 1].max())) + 1 if finite.size else 1
    notes = []
    if selector.n_people_max_ > 1:
        notes.append(
            f"up to {selector.n_people_max_} people in a frame; the runner was chosen by size and continuity"
        )
    if fps is None:
        notes.append(f"OpenPose files do not record the frame rate; {DEFAULT_FPS:g} fps assumed")
    return Keypoints(
        xy=xy,
        score=selector.score_,
        fps=fps or DEFAULT_FPS,
        width=width,
        height=height,
        source="openpose",
        fps_assumed=fps is None,
        notes=tuple(notes),
    )
