"""Read a single-file HALPE-26 keypoint JSON (names, fps, size, per-frame [x, y, score])."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from heelcoach.gait.errors import KeypointFileError
from heelcoach.gait.keypoints import LANDMARKS, Keypoints, empty_frames

#: HALPE-26 name (as written in the file) of each internal landmark.
HALPE_NAMES: dict[str, str] = {
    "nose": "nose",
    "l_shoulder": "l_shoulder",
    "r_shoulder": "r_shoulder",
    "l_elbow": "l_elbow",
    "r_elbow": "r_elbow",
    "l_wrist": "l_wrist",
    "r_wrist": "r_wrist",
    "l_hip": "l_hip",
    "r_hip": "r_hip",
    "l_knee": "l_knee",
    "r_knee": "r_knee",
    "l_ankle": "l_ankle",
    "r_ankle": "r_ankle",
    "l_heel": "l_heel",
    "r_heel": "r_heel",
    "l_toe": "l_big_toe",
    "r_toe": "r_big_toe",
}
_ALIASES = {"left_": "l_", "right_": "r_", "lbigtoe": "l_big_toe", "rbigtoe": "r_big_toe"}


def _norm(name: str) -> str:
    name = name.strip().lower()
    for old, new in _ALIASES.items():
        name = name.replace(old, new)
    return name


def read_halpe(path: Path) -> Keypoints:
    """Read ``path``: a JSON object with ``keypoint_names``, ``fps``, ``width``, ``height``, ``frames``."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        names = [_norm(str(n)) for n in data["keypoint_names"]]
        frames = data["frames"]
        fps_raw = data.get("fps")
        width, height = int(data.get("width") or 0), int(data.get("height") or 0)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KeypointFileError(
            f"{path}: not a HALPE keypoint JSON (expected 'keypoint_names', 'fps', 'frames'): {exc}"
        ) from exc
    missing = [HALPE_NAMES[n] for n in LANDMARKS if HALPE_NAMES[n] not in names]
    if missing:
        raise KeypointFileError(f"{path}: keypoint_names lacks {', '.join(missing)}.")
    columns = [names.index(HALPE_NAMES[n]) for n in LANDMARKS]
    xy, score = empty_frames(len(frames))
    for t, frame in enumerate(frames):
        if not frame:
            continue
        try:
            arr = np.asarray(frame, dtype=float)
            picked = arr[columns]
        except (ValueError, IndexError) as exc:
            raise KeypointFileError(
                f"{path}: frame {t} is not a list of [x, y, score] per keypoint."
            ) from exc
        xy[t] = picked[:, :2]
        score[t] = np.clip(picked[:, 2], 0.0, 1.0)
    xy[score <= 0] = np.nan
    notes: list[str] = []
    fps = float(fps_raw) if isinstance(fps_raw, int | float) and fps_raw > 0 else 30.0
    if fps_raw is None:
        notes.append("the file records no frame rate; 30 fps assumed")
    return Keypoints(
        xy=xy,
        score=score,
        fps=fps,
        width=width or 1,
        height=height or 1,
        source=f"halpe26:{data.get('source', 'unknown')}",
        fps_assumed=fps_raw is None,
        notes=tuple(notes),
    )
