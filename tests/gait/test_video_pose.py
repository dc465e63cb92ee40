"""Decoding and the pose-backend protocol, without running the model."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest

from heelcoach.gait import video
from heelcoach.gait.errors import UnreadableVideoError, WrongFileTypeError
from heelcoach.gait.events import Contact
from heelcoach.gait.keypoints import LANDMARKS, Keypoints
from heelcoach.gait.pipeline import SEEK_COST_PER_FRAME, FrameStash, pose_workers, split_points
from heelcoach.gait.pose import MEDIAPIPE_INDEX, PoseTiming, _quiet_native_stderr, estimate_pose
from heelcoach.gait.render import key_frame_indices
from heelcoach.gait.video import FrameStream, key_frame_numbers, probe_video, read_frames


class FakeBackend:
    """Finds a 'person' in every other frame."""

    name = "fake"

    def __init__(self) -> None:
        self.calls = 0

    def process(self, frame_bgr):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls % 2 == 0:
            return None
        return np.full((len(LANDMARKS), 2), float(frame_bgr.shape[1] // 2)), np.full(len(LANDMARKS), 0.9)

    def close(self) -> None:
        pass


def test_probe_real_clip(shared_data: Path) -> None:
    info = probe_video(shared_data / "video" / "treadmill_side_30fps.mp4")
    assert (info.width, info.height, info.n_frames) == (720, 1280, 360)
    assert info.fps == pytest.approx(30.0)
    assert info.duration_s == pytest.approx(12.0)


def test_frames_decode_in_order_and_seek_exactly(shared_data: Path) -> None:
    path = shared_data / "video" / "running_side_480p30.mp4"
    frames = list(FrameStream(path))
    assert len(frames) == 47
    assert len(list(FrameStream(path, max_frames=10))) == 10
    some = read_frames(path, [3, 40])
    assert np.array_equal(some[40], frames[40])
    assert np.array_equal(some[3], frames[3])


def test_probe_errors(tmp_path: Path) -> None:
    with pytest.raises(UnreadableVideoError, match="no such file"):
        probe_video(tmp_path / "missing.mp4")
    (tmp_path / "a.gif").write_bytes(b"GIF89a")
    with pytest.raises(WrongFileTypeError, match="not a video type"):
        probe_video(tmp_path / "a.gif")


def test_estimate_pose_with_any_backend() -> None:
    frames = [np.zeros((20, 30, 3), dtype=np.uint8) for _ in range(6)]
    seen: list[tuple[int, int]] = []
    timing = PoseTiming()
    kp = estimate_pose(
        frames,
        FakeBackend(),
        fps=30.0,
        width=30,
        height=20,
        n_frames_hint=6,
        progress=lambda d, t: seen.append((d, t)),
        timing=timing,
    )
    assert kp.n_frames == 6
    assert np.isnan(kp.xy[1]).all()
    assert not np.isnan(kp.xy[0]).any()
    assert seen[-1] == (6, 6)
    assert timing.frames == 6


def test_mediapipe_mapping_has_heels_and_toes() -> None:
    assert set(MEDIAPIPE_INDEX) == set(LANDMARKS)
    assert (MEDIAPIPE_INDEX["l_heel"], MEDIAPIPE_INDEX["r_heel"]) == (29, 30)
    assert (MEDIAPIPE_INDEX["l_toe"], MEDIAPIPE_INDEX["r_toe"]) == (31, 32)


def test_vp9_clip_decodes(shared_data: Path, tmp_path: Path) -> None:
    import cv2

    source = list(FrameStream(shared_data / "video" / "running_side_480p30.mp4", max_frames=15))
    path = tmp_path / "clip.webm"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"VP90"), 30.0, (480, 352))
    assert writer.isOpened(), "this OpenCV wheel should encode VP9"
    for frame in source:
        writer.write(frame)
    writer.release()
    info = probe_video(path)
    assert (info.width, info.height) == (480, 352)
    assert len(list(FrameStream(path))) == 15


def test_decoding_thread_keeps_bgr_copies_and_hands_over_rgb(shared_data: Path) -> None:
    path = shared_data / "video" / "running_side_480p30.mp4"
    bgr = list(FrameStream(path, max_frames=12))
    stash = FrameStash(window_s=0.1, max_side=200)
    stash.begin(12, 30.0)  # keeps frames 3..9 (middle 6 +- 3)
    rgb = list(FrameStream(path, max_frames=12, on_frame=stash.keep, rgb=True))
    assert np.array_equal(rgb[5], bgr[5][:, :, ::-1])
    assert sorted(stash.frames) == list(range(3, 10))
    assert max(stash.frames[6].shape[:2]) == 200
    assert stash.scale == pytest.approx(200 / max(bgr[6].shape[:2]))
    small, full = stash.frames[6].astype(int), bgr[6].astype(int)  # the same picture, in BGR order
    assert np.abs(small.mean(axis=(0, 1)) - full.mean(axis=(0, 1))).max() < 3


def test_decoding_thread_errors_reach_the_caller(shared_data: Path) -> None:
    def boom(index: int, frame: np.ndarray) -> None:
        if index == 4:
            raise ValueError("frame 4 broke")

    with pytest.raises(ValueError, match="frame 4 broke"):
        list(FrameStream(shared_data / "video" / "running_side_480p30.mp4", on_frame=boom))


def test_rgb_frames_need_the_mediapipe_backend() -> None:
    frames = [np.zeros((4, 4, 3), dtype=np.uint8)]
    with pytest.raises(TypeError, match="MediapipeBackend"):
        estimate_pose(frames, FakeBackend(), fps=30.0, width=4, height=4, rgb=True)


def test_key_frames_prefer_frames_already_in_memory() -> None:
    kp = Keypoints(
        xy=np.zeros((100, len(LANDMARKS), 2)),
        score=np.linspace(0.5, 0.9, 100)[:, None].repeat(len(LANDMARKS), axis=1),
        fps=30.0,
        width=64,
        height=64,
        source="test",
    )
    contacts = [Contact("left" if i % 2 else "right", f / 30, f) for i, f in enumerate(range(5, 100, 9))]
    best = key_frame_indices(contacts, "side", kp)  # best-scored inner contacts: late in the clip
    assert best == [86, 77]  # left, right
    kept = key_frame_indices(contacts, "side", kp, available=range(40, 60))
    assert kept == [50, 59]
    assert key_frame_indices(contacts, "side", kp, available=[999]) == best


@pytest.mark.parametrize("seekable", [True, False], ids=["seek", "decode-and-drop"])
def test_frame_stream_starts_exactly_at_its_frame(
    shared_data: Path, seekable: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = shared_data / "video" / "treadmill_side_30fps.mp4"  # sparse key frames: seeking decodes ahead
    every = list(FrameStream(path, max_frames=200))
    if not seekable:  # a container that cannot land on a frame: the stream decodes and drops instead
        monkeypatch.setattr(video, "_seek", lambda cap, frame: False)
    seen: list[int] = []
    with FrameStream(path, max_frames=20, start=180, on_frame=lambda i, f: seen.append(i)) as stream:
        tail = list(stream)
    assert len(tail) == 20
    assert all(np.array_equal(a, b) for a, b in zip(tail, every[180:200], strict=True))
    assert seen == list(range(180, 200))  # frame numbers in the whole clip


def test_frame_stream_past_the_end_is_empty(shared_data: Path) -> None:
    with FrameStream(shared_data / "video" / "running_side_480p30.mp4", start=500) as stream:
        assert list(stream) == []


def test_two_pose_models_only_for_long_enough_clips_on_two_cores() -> None:
    assert pose_workers(360, cores=2) == 2
    assert pose_workers(360, cores=1) == 1
    assert pose_workers(360, cores=8) == 2  # one clip, two halves: more would re-detect too often
    assert pose_workers(47, cores=2) == 1  # the 1 s clip: a second model is not worth starting
    assert pose_workers(0, cores=2) == 1


def test_a_process_pinned_to_one_core_runs_one_pose_model() -> None:
    """The cores counted are those the process may use (a worker's ``--cores``, taskset), not
    the machine's: a process pinned to one core never starts a second model beside the first."""
    import subprocess
    import sys

    code = (
        "import os\n"
        "from heelcoach.gait.pipeline import pose_workers, usable_cores\n"
        "before = (usable_cores(), pose_workers(360))\n"
        "os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})\n"
        "print(before, (usable_cores(), pose_workers(360)))\n"
    )
    run = [sys.executable, "-c", code]
    done = subprocess.run(run, capture_output=True, text=True, timeout=120, check=True)
    cores = len(os.sched_getaffinity(0))
    assert done.stdout.strip() == f"({cores}, {min(2, cores)}) (1, 1)"


def test_quieting_native_stderr_from_several_threads_restores_it() -> None:
    before = os.fstat(2)
    barrier = threading.Barrier(4)

    def quiet() -> None:
        with _quiet_native_stderr():
            barrier.wait(timeout=5)  # all four inside at once, entering and leaving in any order

    threads = [threading.Thread(target=quiet) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = os.fstat(2)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)


def test_segments_start_where_they_finish_together() -> None:
    assert split_points(300, 1, [0]) == [0]
    assert split_points(300, 2, [0, 150]) == [0, 150]  # a key frame in the middle: no seek at all
    assert split_points(300, 2, [0, 160]) == [0, 158]  # near one: a short seek beats an uneven split
    # no key frame near the middle: the second segment is shorter by what its seek costs
    start = split_points(300, 2, [0])[1]
    assert start > 150
    assert start == pytest.approx(300 / (2 - SEEK_COST_PER_FRAME), abs=1)
    assert split_points(10, 3, [0]) == [0, 3, 7]


def test_key_frames_are_read_without_decoding(shared_data: Path) -> None:
    assert key_frame_numbers(shared_data / "video" / "walking_side_720p30.mp4") == [0, 160, 320]
    assert key_frame_numbers(shared_data / "video" / "walking_side_720p30.mp4", 300) == [0, 160]
    assert key_frame_numbers(shared_data / "malformed" / "nonexistent.mp4") == [0]
