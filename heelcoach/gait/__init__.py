"""Running gait from video or keypoints: pose -> signals -> events -> metrics -> findings.

Usage::

    from heelcoach.gait import GaitAnalysis, read_openpose
    report = GaitAnalysis(rules=catalogue.gait).run(read_openpose(folder)).report_

Importing this package loads nothing heavy: the names below are imported on first use, OpenCV and
SciPy when a clip is analysed, and ``MediapipeBackend`` loads the pose model on use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from heelcoach.gait.errors import (
        GaitError,
        KeypointFileError,
        NobodyInVideoError,
        TooShortError,
        UnreadableVideoError,
        WrongFileTypeError,
    )
    from heelcoach.gait.halpe import read_halpe
    from heelcoach.gait.keypoints import LANDMARKS, Keypoints
    from heelcoach.gait.openpose import read_openpose
    from heelcoach.gait.pipeline import FrameStash, GaitAnalysis, video_keypoints
    from heelcoach.gait.pose import MediapipeBackend, PoseBackend, PoseTiming
    from heelcoach.gait.report import GaitReport

#: Public name -> the module that defines it.
_WHERE: dict[str, str] = {
    "GaitError": "errors",
    "KeypointFileError": "errors",
    "NobodyInVideoError": "errors",
    "TooShortError": "errors",
    "UnreadableVideoError": "errors",
    "WrongFileTypeError": "errors",
    "read_halpe": "halpe",
    "LANDMARKS": "keypoints",
    "Keypoints": "keypoints",
    "read_openpose": "openpose",
    "FrameStash": "pipeline",
    "GaitAnalysis": "pipeline",
    "video_keypoints": "pipeline",
    "MediapipeBackend": "pose",
    "PoseBackend": "pose",
    "PoseTiming": "pose",
    "GaitReport": "report",
}

__all__ = [
    "LANDMARKS",
    "FrameStash",
    "GaitAnalysis",
    "GaitError",
    "GaitReport",
    "KeypointFileError",
    "Keypoints",
    "MediapipeBackend",
    "NobodyInVideoError",
    "PoseBackend",
    "PoseTiming",
    "TooShortError",
    "UnreadableVideoError",
    "WrongFileTypeError",
    "read_halpe",
    "read_openpose",
    "video_keypoints",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (PEP 562)."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
