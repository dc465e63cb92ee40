"""The real clips in ../shared/data/video through MediaPipe (pose cached once per session)."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from heelcoach.gait.pipeline import GaitAnalysis

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:SymbolDatabase.GetPrototype:UserWarning"),
]


def _alternate(sides: list[str]) -> bool:
    return all(a != b for a, b in itertools.pairwise(sides))


def test_treadmill_cadence_and_every_contact(video_keypoints, gait_rules, shared_data) -> None:
    truth = json.loads((shared_data / "video" / "treadmill_side_30fps.groundtruth.json").read_text())
    kp = video_keypoints("treadmill_side_30fps.mp4")
    assert kp.n_frames == 360
    report = GaitAnalysis(gait_rules).run(kp, "treadmill_side_30fps.mp4", "video").report_
    assert report.view == "side"
    assert report.activity == "running"
    assert report.direction == "image left"  # the ground truth says the runner faces image left
    cadence = report.metrics["cadence"].value
    assert cadence == pytest.approx(truth["cadence_spm"]["value"], abs=3.0)
    # 12 s at 168.9 steps/min: 33.8 steps, so 34 contacts inside the clip
    assert len(report.contacts) == 34
    assert _alternate([c.side for c in report.contacts])
    steps = [b.ic_time_s - a.ic_time_s for a, b in zip(report.contacts, report.contacts[1:], strict=False)]
    assert max(steps) < 1.3 * min(steps) + 0.034, "no contact missed or doubled"
    low, high = truth["physiological_bands"]["contact_time_ms"]
    assert low <= report.metrics["contact_time"].value <= high
    assert report.metrics["contact_time"].quality == "rough"  # 30 fps is below 60
    # the heel lands well ahead of the hip, but at ~169 steps/min this is not the overstriding pattern
    assert report.metrics["overstride"].value > 8 + 5
    assert not [f for f in report.findings if f.metric_id == "overstride"]
    assert report.cadence_cue_pct is None


def test_running_480p_despite_swaps(video_keypoints, gait_rules) -> None:
    kp = video_keypoints("running_side_480p30.mp4")
    analysis = GaitAnalysis(gait_rules).run(kp, "running_side_480p30.mp4", "video")
    report = analysis.report_
    assert report.view == "side"
    assert report.activity == "running"
    assert 190.0 <= report.metrics["cadence"].value <= 230.0
    assert len(report.contacts) >= 3
    assert _alternate([c.side for c in report.contacts])
    assert report.quality.level == "poor"  # 1 s clip, 4 steps: the report says so
    assert report.quality.filming_tips


def test_walking_recognised(video_keypoints, gait_rules) -> None:
    kp = video_keypoints("walking_side_720p30.mp4")
    report = GaitAnalysis(gait_rules).run(kp, "walking_side_720p30.mp4", "video").report_
    assert report.activity == "walking"
    assert not report.findings
    cadence = report.metrics["cadence"].value
    assert gait_rules.cadence_bounds.walking_min_spm <= cadence <= gait_rules.cadence_bounds.walking_max_spm


def test_two_pose_models_agree_with_one(video_keypoints, gait_rules, shared_data) -> None:
    """Two models on two halves of the clip (the default on two cores) give the one-model result:
    the first half bit for bit, the second within a pixel or two once its model has found the runner."""
    from heelcoach.gait.pipeline import split_points
    from heelcoach.gait.pipeline import video_keypoints as run_pose
    from heelcoach.gait.pose import PoseTiming
    from heelcoach.gait.video import key_frame_numbers

    name = "treadmill_side_30fps.mp4"
    two = video_keypoints(name)  # the session's default run: two models on this 360-frame clip
    timing = PoseTiming()
    one, _info = run_pose(shared_data / "video" / name, workers=1, timing=timing)
    assert len(timing.worker_s) == 1
    assert one.xy.shape == two.xy.shape
    keys = key_frame_numbers(shared_data / "video" / name)
    assert keys == [0, 250]
    _, second = split_points(360, 2, keys)
    assert 170 <= second <= 200  # near the middle: a seek from frame 0 costs less than an uneven split
    assert np.array_equal(one.xy[:second], two.xy[:second], equal_nan=True)
    settled = np.abs(one.xy[second + 10 :] - two.xy[second + 10 :])  # after the second model's first steps
    assert np.nanmedian(settled) < 2.0
    reports = [GaitAnalysis(gait_rules).run(kp, name, "video").report_ for kp in (one, two)]
    assert [c.side for c in reports[0].contacts] == [c.side for c in reports[1].contacts]
    assert reports[0].metrics["cadence"].value == pytest.approx(reports[1].metrics["cadence"].value, abs=0.5)


def test_stderr_is_quiet_only_while_the_model_starts() -> None:
    import os
    from pathlib import Path

    from heelcoach.gait.pose import WARM_UP_FRAMES, MediapipeBackend

    def fd2() -> tuple[int, int]:
        st = os.fstat(2)
        return st.st_dev, st.st_ino

    null, before = Path(os.devnull).stat(), fd2()
    backend = MediapipeBackend()
    try:
        assert fd2() == (null.st_dev, null.st_ino)  # MediaPipe's C++ start-up lines go nowhere
        blank = np.zeros((64, 64, 3), dtype=np.uint8)
        for _ in range(WARM_UP_FRAMES):  # nobody in these frames: stderr comes back anyway
            assert backend.process_rgb(blank) is None
        assert fd2() == before
    finally:
        backend.close()
    assert fd2() == before
