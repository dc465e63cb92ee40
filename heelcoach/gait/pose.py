"""Pose backends behind one protocol; MediaPipe Pose (model_complexity=1, bundled, offline).

Only ``mp.solutions.pose.Pose(model_complexity=1)`` runs offline with mediapipe 0.10.14: its model
files ship inside the wheel. Other complexities download weights and must never be used.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from heelcoach.gait.keypoints import LANDMARKS, Keypoints, empty_frames

#: MediaPipe BlazePose landmark index for each internal landmark (29/30 heels, 31/32 foot tips).
MEDIAPIPE_INDEX: dict[str, int] = {
    "nose": 0,
    "l_shoulder": 11,
    "r_shoulder": 12,
    "l_elbow": 13,
    "r_elbow": 14,
    "l_wrist": 15,
    "r_wrist": 16,
    "l_hip": 23,
    "r_hip": 24,
    "l_knee": 25,
    "r_knee": 26,
    "l_ankle": 27,
    "r_ankle": 28,
    "l_heel": 29,
    "r_heel": 30,
    "l_toe": 31,
    "r_toe": 32,
}
_MP_ORDER = np.array([MEDIAPIPE_INDEX[name] for name in LANDMARKS])

Progress = Callable[[int, int], None]


_quiet_lock = threading.Lock()
_quiet_depth = 0
_quiet_saved: int | None = None


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Silence C++ log lines (TFLite, absl) written to file descriptor 2 while the model starts.

    Safe when several pose models start on several threads: the first to enter redirects file
    descriptor 2, the last to leave restores it (a plain save/restore per thread could leave the
    process's stderr pointing at /dev/null).
    """
    global _quiet_depth, _quiet_saved
    with _quiet_lock:
        if _quiet_depth == 0:
            try:
                saved = os.dup(2)
            except OSError:  # no real stderr (embedded use): nothing to silence
                saved = None
            if saved is not None:
                with open(os.devnull, "wb") as devnull:
                    os.dup2(devnull.fileno(), 2)
            _quiet_saved = saved
        _quiet_depth += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_depth -= 1
            if _quiet_depth == 0 and _quiet_saved is not None:
                os.dup2(_quiet_saved, 2)
                os.close(_quiet_saved)
                _quiet_saved = None


class PoseBackend(Protocol):
    """Turns one BGR frame into internal landmarks: ((n_landmarks, 2) pixels, (n_landmarks,) scores)."""

    name: str

    def process(self, frame_bgr: NDArray[np.uint8]) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
        """Landmarks of the most prominent person, or None when nobody is found."""
        ...

    def close(self) -> None:
        """Release the model."""
        ...


#: Frames with a person after which MediaPipe has started everything that logs from C++.
WARM_UP_PERSON_FRAMES = 3
#: Frames after which stderr is given back anyway (a clip where nobody is found).
WARM_UP_FRAMES = 15


class MediapipeBackend:
    """MediaPipe Pose, ``model_complexity=1`` (the only model bundled in the 0.10.14 wheel).

    Example::

        backend = MediapipeBackend()
        landmarks = backend.process(frame)  # None when no person
    """

    name = "mediapipe"
    model_complexity = 1  # never change: other models are downloaded at run time

    def __init__(self, min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5) -> None:
        os.environ.setdefault("GLOG_minloglevel", "2")  # keep mediapipe's C++ log lines off the terminal
        # protobuf inside mediapipe 0.10.14 warns on every call; nothing we can change. Set once for
        # the process: ``warnings.catch_warnings`` per call is not safe with models on two threads.
        warnings.filterwarnings("ignore", message="SymbolDatabase.GetPrototype", category=UserWarning)
        # MediaPipe starts its graph on its own threads and the landmark model lazily, and both log
        # from C++: file descriptor 2 stays quiet from here until the model is warmed up (or closed),
        # not just during each call, or those lines slip out between calls
        self._quiet: contextlib.ExitStack | None = contextlib.ExitStack()
        self._quiet.enter_context(_quiet_native_stderr())
        try:
            import mediapipe as mp  # heavy import, deferred until a video is analysed

            self._pose: Any = mp.solutions.pose.Pose(
                static_image_mode=False,
                model_complexity=self.model_complexity,
                enable_segmentation=False,
                smooth_landmarks=True,
                min_detection_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )
        except BaseException:
            self._end_quiet()
            raise
        self._frames = 0
        self._person_frames = 0

    def process(self, frame_bgr: NDArray[np.uint8]) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
        """Landmarks of the most prominent person, or None when nobody is found."""
        import cv2  # loaded with the model; cached by Python after the first frame

        return self.process_rgb(np.asarray(cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8))

    def process_rgb(
        self, frame_rgb: NDArray[np.uint8]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
        """As ``process``, for a frame already in RGB order (converted off the model's thread)."""
        height, width = frame_rgb.shape[:2]
        result = self._pose.process(frame_rgb)
        if self._quiet is not None:  # warming up: the landmark model starts with the first person
            self._frames += 1
            self._person_frames += result.pose_landmarks is not None
            if self._person_frames >= WARM_UP_PERSON_FRAMES or self._frames >= WARM_UP_FRAMES:
                self._end_quiet()
        if result.pose_landmarks is None:
            return None
        raw = np.array([(lm.x, lm.y, lm.visibility) for lm in result.pose_landmarks.landmark])[_MP_ORDER]
        xy = raw[:, :2] * np.array([width, height], dtype=float)
        return xy.astype(np.float64), raw[:, 2].astype(np.float64)

    def _end_quiet(self) -> None:
        if self._quiet is not None:
            self._quiet.close()
            self._quiet = None

    def close(self) -> None:
        """Release the model (and give stderr back if it is still quiet)."""
        try:
            self._pose.close()
        finally:
            self._end_quiet()


@dataclass
class PoseTiming:
    """Time spent in the pose model alone, for the benchmark's overhead ratio.

    ``inference_s`` sums every model call; when several models run side by side on their own
    segments of the clip, ``worker_s`` holds each one's sum and ``critical_s`` (the slowest) is the
    time inference alone would take with the same parallelism.
    """

    inference_s: float = 0.0
    frames: int = 0
    worker_s: list[float] = field(default_factory=list)

    @property
    def critical_s(self) -> float:
        """Inference time on the critical path: the slowest worker (or the one model's total)."""
        return max(self.worker_s) if self.worker_s else self.inference_s


def estimate_pose(
    frames: Iterable[NDArray[np.uint8]],
    backend: PoseBackend,
    *,
    fps: float,
    width: int,
    height: int,
    n_frames_hint: int = 0,
    progress: Progress | None = None,
    timing: PoseTiming | None = None,
    rgb: bool = False,
) -> Keypoints:
    """Run ``backend`` on every frame and collect internal keypoints (NaN where nobody is found).

    ``rgb``: the frames are already RGB and ``backend`` is a MediapipeBackend (``process_rgb``).
    """
    xys: list[NDArray[np.float64]] = []
    scores: list[NDArray[np.float64]] = []
    blank_xy, blank_score = empty_frames(1)
    if rgb and not isinstance(backend, MediapipeBackend):
        raise TypeError("rgb=True needs a MediapipeBackend (other backends take BGR frames)")
    run = backend.process_rgb if isinstance(backend, MediapipeBackend) and rgb else backend.process
    for index, frame in enumerate(frames):
        start = time.perf_counter()
        found = run(frame)
        if timing is not None:
            timing.inference_s += time.perf_counter() - start
            timing.frames += 1
        if found is None:
            xys.append(blank_xy[0])
            scores.append(blank_score[0])
        else:
            xys.append(found[0])
            scores.append(found[1])
        if progress is not None:
            progress(index + 1, max(n_frames_hint, index + 1))
    if not xys:
        xy, score = empty_frames(0)
    else:
        xy, score = np.stack(xys), np.stack(scores)
    return Keypoints(xy=xy, score=score, fps=fps, width=width, height=height, source=backend.name)
