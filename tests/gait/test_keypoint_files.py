"""Keypoints made elsewhere: OpenPose BODY_25 folders and the HALPE-26 single file."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from heelcoach.gait.errors import KeypointFileError
from heelcoach.gait.halpe import read_halpe
from heelcoach.gait.openpose import read_openpose
from heelcoach.services.gait import analyse_keypoints, read_keypoints


def test_openpose_back_reader(shared_data: Path) -> None:
    kp = read_openpose(shared_data / "keypoints" / "openpose_running_back")
    assert kp.n_frames == 103
    assert kp.fps_assumed
    assert kp.fps == 30.0
    assert np.isnan(kp.xy[0]).all()  # the first frames hold no person
    assert kp.present().sum() > 60


def test_openpose_back_report(shared_data: Path, tmp_path: Path) -> None:
    report = analyse_keypoints(shared_data / "keypoints" / "openpose_running_back", out_dir=tmp_path)
    assert report.view == "rear"
    assert report.activity == "running"
    for metric in ("pelvic_drop", "knee_fppa"):
        m = report.metrics[metric]
        assert m.left is not None
        assert m.right is not None
        assert abs(m.left) < 30
        assert abs(m.right) < 30
        assert m.uncertainty is not None
    assert "step_width" in report.metrics
    assert any("assumed" in n for n in report.notes)
    assert len(report.key_frames) == 2
    assert all(Path(p).stat().st_size > 1000 for p in (*report.key_frames, *report.plots))


def test_openpose_side_report(shared_data: Path) -> None:
    report = analyse_keypoints(shared_data / "keypoints" / "openpose_running_side")
    assert report.view == "side"
    assert report.activity == "running"
    cadence = report.metrics["cadence"].value
    assert cadence is not None
    assert 150 <= cadence <= 190  # at the assumed 30 fps
    sides = [c.side for c in report.contacts]
    assert all(a != b for a, b in itertools.pairwise(sides))
    assert report.metrics["overstride"].value is not None
    assert not [f for f in report.findings if f.metric_id == "overstride"]


def test_halpe_treadmill_matches_ground_truth(shared_data: Path) -> None:
    truth = json.loads((shared_data / "video" / "treadmill_side_30fps.groundtruth.json").read_text())
    path = shared_data / "keypoints" / "halpe26_treadmill_side" / "treadmill_side_30fps.pose.json"
    kp = read_halpe(path)
    assert (kp.n_frames, kp.width, kp.height, kp.fps) == (360, 720, 1280, 30.0)
    report = analyse_keypoints(path)
    assert report.metrics["cadence"].value == pytest.approx(truth["cadence_spm"]["value"], abs=3.0)
    assert len(report.contacts) == 34
    # heel well ahead of the hip at contact, but at ~169 steps/min: not the overstriding pattern
    over = report.metrics["overstride"]
    assert over.value is not None
    assert over.value > 8 + 5
    assert over.uncertainty is not None
    assert not [f for f in report.findings if f.metric_id == "overstride"]
    assert report.cadence_cue_pct is None


def test_format_sniffing(shared_data: Path) -> None:
    halpe = shared_data / "keypoints" / "halpe26_treadmill_side" / "treadmill_side_30fps.pose.json"
    assert read_keypoints(halpe).source.startswith("halpe26")
    one = sorted((shared_data / "keypoints" / "openpose_running_side").glob("*.json"))[10]
    assert read_keypoints(one).n_frames == 1


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("not json", "not"),
        ('{"people": [{"pose_keypoints_2d": [1, 2, 3]}]}', "BODY_25"),
        ('{"something": 1}', "unknown keypoint format"),
        ('{"keypoint_names": ["nose"], "fps": 30, "frames": []}', "lacks"),
    ],
)
def test_malformed_keypoint_files(tmp_path: Path, content: str, match: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(KeypointFileError, match=match):
        read_keypoints(path)
