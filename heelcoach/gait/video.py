"""Decode a phone video with OpenCV (h264, HEVC, VP9 where the wheel's decoder can).

OpenCV is imported inside the functions that decode, so importing this module stays cheap.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from heelcoach.gait.errors import UnreadableVideoError, WrongFileTypeError

#: File name endings heelcoach accepts as video.
VIDEO_SUFFIXES: frozenset[str] = frozenset({".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm"})


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What the container says about a clip."""

    path: Path
    fps: float
    n_frames: int
    width: int
    height: int
    codec: str

    @property
    def duration_s(self) -> float:
        """Clip length in seconds."""
        return self.n_frames / self.fps if self.fps > 0 else 0.0


def _fourcc(value: float) -> str:
    code = int(value)
    return "".join(chr((code >> (8 * i)) & 0xFF) for i in range(4)).strip("\x00 ") or "unknown"


def probe_video(path: Path) -> VideoInfo:
    """Open ``path`` and read its frame rate, size and frame count; raise a GaitError if unusable."""
    if not path.is_file():
        raise UnreadableVideoError(f"{path}: no such file. Check the path and try again.")
    if path.suffix.lower() not in VIDEO_SUFFIXES:
        raise WrongFileTypeError(
            f"{path}: '{path.suffix or 'no extension'}' is not a video type heelcoach reads; "
            f"expected one of {', '.join(sorted(VIDEO_SUFFIXES))}."
        )
    import cv2  # heavy: only when a video is opened

    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise UnreadableVideoError(
                f"{path}: cannot be decoded as a video. Export it again as MP4 (H.264) and retry."
            )
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        n_frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        codec = _fourcc(cap.get(cv2.CAP_PROP_FOURCC))
        ok, _frame = cap.read()
    finally:
        cap.release()
    if not ok or width <= 0 or height <= 0:
        raise UnreadableVideoError(
            f"{path}: no frame could be decoded (codec '{codec}'). Export it again as MP4 (H.264) and retry."
        )
    if not 1.0 <= fps <= 1000.0:
        raise UnreadableVideoError(f"{path}: the frame rate ({fps:g}) is missing or implausible.")
    return VideoInfo(path=path, fps=fps, n_frames=n_frames, width=width, height=height, codec=codec)


_END = object()


def _seek(cap: Any, frame: int) -> bool:
    """Seek an open ``cv2.VideoCapture`` to ``frame``; False when it did not land exactly there."""
    import cv2

    if not cap.set(cv2.CAP_PROP_POS_FRAMES, frame):
        return False
    return bool(round(cap.get(cv2.CAP_PROP_POS_FRAMES)) == frame)


class FrameStream:
    """Decoded frames of ``path`` in order, from frame ``start`` (at most ``max_frames``).

    Decoding starts at once, on a background thread that keeps up to ``prefetch`` frames ahead, so
    decoding (and any seek) overlaps with loading and running the pose model on another core
    (OpenCV releases the GIL while decoding). ``on_frame(index, frame)`` runs on that thread too
    (e.g. keeping small copies of key frames), off the model's thread; ``rgb`` converts each frame
    to RGB there as well (after ``on_frame`` has seen the BGR frame). Frames before ``start`` are
    skipped by seeking (OpenCV decodes from the key frame before it), or decoded and dropped when
    the container cannot seek to that frame; ``on_frame`` gets the frame's number in the whole clip.
    Iterate it once; ``close`` (or leaving the ``with`` block) stops the thread.

    Example::

        with FrameStream(path, start=150) as frames:
            for frame in frames: ...
    """

    def __init__(
        self,
        path: Path,
        max_frames: int | None = None,
        prefetch: int = 8,
        on_frame: Callable[[int, NDArray[np.uint8]], None] | None = None,
        rgb: bool = False,
        start: int = 0,
    ) -> None:
        import cv2  # heavy: only when a video is decoded

        self._queue: queue.Queue[object] = queue.Queue(maxsize=max(1, prefetch))
        self._stop = threading.Event()
        self._errors: list[BaseException] = []
        self._cv2 = cv2
        self._args = (path, max_frames, on_frame, rgb, start)
        self._worker = threading.Thread(target=self._decode, name="heelcoach-decode", daemon=True)
        self._worker.start()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _decode(self) -> None:
        cv2, (path, max_frames, on_frame, rgb, start) = self._cv2, self._args
        cap = cv2.VideoCapture(str(path))
        count = 0
        try:
            if start > 0 and not _seek(cap, start):
                cap.release()  # the container cannot seek exactly: decode and drop instead
                cap = cv2.VideoCapture(str(path))
                for _ in range(start):
                    if self._stop.is_set() or not cap.grab():
                        return
            while max_frames is None or count < max_frames:
                ok, frame = cap.read()
                if not ok:
                    break
                image: NDArray[np.uint8] = np.asarray(frame, dtype=np.uint8)
                if on_frame is not None:
                    on_frame(start + count, image)
                if rgb:
                    image = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB), dtype=np.uint8)
                if not self._put(image):
                    break
                count += 1
        except Exception as exc:  # noqa: BLE001  re-raised on the consumer's thread, never swallowed
            self._errors.append(exc)
        finally:
            cap.release()
            self._put(_END)

    def __iter__(self) -> Iterator[NDArray[np.uint8]]:
        try:
            while True:
                item = self._queue.get()
                if item is _END:
                    if self._errors:
                        raise self._errors[0]
                    return
                yield cast(NDArray[np.uint8], item)
        finally:
            self.close()

    def close(self) -> None:
        """Stop decoding and wait for the thread (idempotent)."""
        self._stop.set()
        self._worker.join(timeout=5)

    def __enter__(self) -> FrameStream:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def key_frame_numbers(path: Path, max_frames: int | None = None) -> list[int]:
    """Numbers of the key frames (where decoding can start) among the first ``max_frames``.

    Reads the compressed packets without decoding them (milliseconds for a phone clip). Returns
    ``[0]`` when the container does not say: every split then costs a seek from the start.
    """
    import cv2

    cap = cv2.VideoCapture(str(path))
    found: list[int] = []
    try:
        if cap.isOpened() and cap.set(cv2.CAP_PROP_FORMAT, -1):  # raw packets, no decoding
            index = 0
            while (max_frames is None or index < max_frames) and cap.grab():
                if cap.get(cv2.CAP_PROP_LRF_HAS_KEY_FRAME):
                    found.append(index)
                index += 1
    except cv2.error:
        found = []
    finally:
        cap.release()
    return found if found and found[0] == 0 else [0, *found]


def read_frames(path: Path, indices: list[int]) -> dict[int, NDArray[np.uint8]]:
    """Decode only the frames at ``indices`` (for key-frame rendering), seeking to each."""
    import cv2  # heavy: only when frames are read

    out: dict[int, NDArray[np.uint8]] = {}
    cap = cv2.VideoCapture(str(path))
    try:
        for index in sorted(set(indices)):
            cap.set(cv2.CAP_PROP_POS_FRAMES, index)
            ok, frame = cap.read()
            if ok:
                out[index] = np.asarray(frame, dtype=np.uint8)
    finally:
        cap.release()
    return out
