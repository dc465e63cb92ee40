"""Running gait from video or keypoints: pose -> signals -> events -> metrics -> findings.

Usage::

    from heelcoach.gait import GaitAnalysis, read_openpose
    report = GaitAnalysis(rules=catalogue.gait).run(read_openpose(folder)).report_

Importing this package does not load the pose model; ``MediapipeBackend`` loads it on use.
"""

from __future__ import annotations

from heelcoach.gait.errors import (
    GaitError,
    KeypointFileError,
    NoPersonError,
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

__all__ = [
    "LANDMARKS",
    "FrameStash",
    "GaitAnalysis",
    "GaitError",
    "GaitReport",
    "KeypointFileError",
    "Keypoints",
    "MediapipeBackend",
    "NoPersonError",
    "PoseBackend",
    "PoseTiming",
    "TooShortError",
    "UnreadableVideoError",
    "WrongFileTypeError",
    "read_halpe",
    "read_openpose",
    "video_keypoints",
]
