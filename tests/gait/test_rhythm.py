"""Contacts against the whole-clip rhythm, and slow motion told by physics."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from heelcoach.gait.activity import judge_time_scale
from heelcoach.gait.keypoints import INDEX, Keypoints
from heelcoach.gait.pipeline import GaitAnalysis
from heelcoach.gait.rhythm import Rhythm, autocorr_period, compare
from heelcoach.services.gait import read_keypoints
from tests.gait.synthetic import side_view

TRUTH_SPM = 168.9  # treadmill_side_30fps.groundtruth.json, measured from raw pixels


@pytest.fixture(scope="module")
def treadmill(shared_data: Path) -> Keypoints:
    return read_keypoints(
        shared_data / "keypoints" / "halpe26_treadmill_side" / "treadmill_side_30fps.pose.json"
    )


def hidden_far_leg(kp: Keypoints, keep: float = 0.2, seed: int = 1) -> Keypoints:
    """The far leg half hidden (its foot drawn near the pelvis, as a pose model does when the leg is
    occluded) and both legs swapped in blocks of frames: the roadside clip's failure."""
    xy = kp.xy.copy()
    hip_x = (xy[:, INDEX["l_hip"], 0] + xy[:, INDEX["r_hip"], 0]) / 2
    for name in ("r_knee", "r_ankle", "r_heel", "r_toe"):
        xy[:, INDEX[name], 0] = hip_x + keep * (xy[:, INDEX[name], 0] - hip_x)
    rng = np.random.default_rng(seed)
    for start in rng.choice(kp.n_frames - 8, 8, replace=False):
        for a, b in (("l_knee", "r_knee"), ("l_ankle", "r_ankle"), ("l_heel", "r_heel"), ("l_toe", "r_toe")):
            ia, ib = INDEX[a], INDEX[b]
            xy[start : start + 7, [ia, ib]] = xy[start : start + 7, [ib, ia]]
    return replace(kp, xy=xy)


def test_missed_every_other_step_is_said_and_recovered(treadmill: Keypoints, gait_rules) -> None:
    # before: 84.2 steps/min, "slow motion suspected", 7 contacts relabelled
    report = GaitAnalysis(gait_rules).run(hidden_far_leg(treadmill), "roadside.mp4").report_
    assert report.metrics["cadence"].value == pytest.approx(TRUTH_SPM, rel=0.03)
    assert report.time_scale == "real_time"
    assert not report.slow_motion_suspected
    said = [n for n in report.notes if "every other step" in n]
    assert said, report.notes  # never silently: the note gives both numbers
    assert "84" in said[0]
    assert "168" in said[0]


def test_rhythm_of_the_treadmill_clip(treadmill: Keypoints, gait_rules) -> None:
    analysis = GaitAnalysis(gait_rules).run(treadmill)
    rhythm = analysis.rhythm_
    for step in (rhythm.feet_step_s, rhythm.knee_step_s, rhythm.pelvis_step_s):
        assert step == pytest.approx(60.0 / TRUTH_SPM, rel=0.02)
    assert rhythm.sources == 3
    physics = analysis.report_.extras["physics"]
    assert physics["factor"] == pytest.approx(1.0, abs=0.15)


def test_factor_of_two_named() -> None:
    rhythm = Rhythm(0.36, 0.9, 0.36, 0.8, 0.36, 0.8)
    assert compare(0.36, rhythm) == "agree"
    assert compare(0.72, rhythm) == "contacts_half"
    assert compare(0.18, rhythm) == "contacts_double"
    assert compare(0.5, rhythm) == "unclear"
    assert compare(0.36, Rhythm(None, 0.0, None, 0.0, None, 0.0)) == "no_rhythm"


def test_a_stride_is_not_taken_for_two() -> None:
    fps = 30.0
    t = np.arange(300) / fps
    stride = np.sin(2 * np.pi * t / 0.7) + 0.3 * np.sin(4 * np.pi * t / 0.7)  # repeats every 0.7 s
    period, strength = autocorr_period(stride, fps, 0.4, 4.0)
    assert period == pytest.approx(0.7, abs=0.02)
    assert strength > 0.8


@pytest.mark.parametrize("slowed", [2.0, 4.0])
def test_slow_motion_found_by_physics(gait_rules, slowed: float) -> None:
    kp, _ = side_view(cadence_spm=170.0 / slowed, duration_s=6.0 * slowed, slowed=slowed)
    report = GaitAnalysis(gait_rules).run(kp).report_
    assert report.time_scale == "slowed"
    assert report.speed_factor == pytest.approx(slowed, rel=0.25)
    assert report.cadence_spm is None  # never reported as the runner's cadence
    assert "not your real cadence" in report.summary


def test_real_time_is_real_time(gait_rules) -> None:
    kp, _ = side_view(cadence_spm=170.0, duration_s=8.0)
    report = GaitAnalysis(gait_rules).run(kp).report_
    assert report.time_scale == "real_time"
    assert report.cadence_spm == pytest.approx(170.0, abs=1.0)


def test_low_cadence_with_a_real_time_bounce_is_unsure(gait_rules) -> None:
    # plays 2x slower, but the pelvis bounces as in real time: the evidence disagrees
    kp, _ = side_view(cadence_spm=85.0, duration_s=12.0, slowed=1.0)
    report = GaitAnalysis(gait_rules).run(kp).report_
    assert report.time_scale == "unsure"
    assert report.cadence_spm is None
    assert "cannot tell" in report.summary


def test_judge_time_scale_rules(gait_rules) -> None:
    assert judge_time_scale(gait_rules, "running", 168.0, 1.0).verdict == "real_time"
    slowed = judge_time_scale(gait_rules, "running", 84.0, 2.0)
    assert (slowed.verdict, slowed.factor) == ("slowed", 2.0)
    assert judge_time_scale(gait_rules, "running", 168.0, 2.0).verdict == "unsure"
    assert judge_time_scale(gait_rules, "running", 84.0, 1.4).verdict == "unsure"
    assert judge_time_scale(gait_rules, "running", 84.0, None).verdict == "slowed"  # cadence alone
    assert judge_time_scale(gait_rules, "running", 84.0, 2.0, given="you").verdict == "given"
    assert judge_time_scale(gait_rules, "walking", 110.0, 3.0).verdict == "real_time"  # no flight phase


def test_confirmed_factor_gives_real_cadence(gait_rules) -> None:
    kp, _ = side_view(cadence_spm=170.0 / 2, duration_s=12.0, slowed=2.0)
    report = GaitAnalysis(gait_rules, slowed_down=2.0).run(kp).report_
    assert report.time_scale == "given"
    assert report.cadence_spm == pytest.approx(170.0, abs=1.0)
    assert "2x slower" in report.summary
