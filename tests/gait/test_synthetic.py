"""Known kinematics in, the same values out: the maths of events, metrics and findings."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heelcoach.gait.errors import NobodyInVideoError, TooShortError
from heelcoach.gait.keypoints import Keypoints, empty_frames
from heelcoach.gait.pipeline import GaitAnalysis
from heelcoach.services.gait import cadence_cue_pct, gait_evidence
from tests.gait.synthetic import corrupt, rear_view, side_view

# Tolerances the report states for clean synthetic data (the real-video budget is the knowledge base's).
CADENCE_TOL_SPM = 0.5
ANGLE_TOL_DEG = 1.5
OVERSTRIDE_TOL_PCT = 1.5
# With 2 px noise, 5% dropped frames and 10% frames with swapped legs:
CADENCE_TOL_NOISY_SPM = 2.0
ANGLE_TOL_NOISY_DEG = 3.0
OVERSTRIDE_TOL_NOISY_PCT = 3.0


@pytest.mark.parametrize(
    ("cadence", "fps", "knee", "foot"),
    [
        (160.0, 30.0, 20.0, 12.0),
        (172.0, 60.0, 15.0, 4.0),
        (185.0, 30.0, 12.0, -5.0),
        (200.0, 120.0, 25.0, 15.0),
    ],
)
def test_side_view_recovers_known_kinematics(gait_rules, cadence, fps, knee, foot) -> None:
    kp, truth = side_view(cadence_spm=cadence, fps=fps, knee_ic_deg=knee, foot_ic_deg=foot)
    report = GaitAnalysis(gait_rules).run(kp).report_
    assert report.view == "side"
    assert report.activity == "running"
    m = report.metrics
    assert m["cadence"].value == pytest.approx(cadence, abs=CADENCE_TOL_SPM)
    assert m["knee_flexion_contact"].value == pytest.approx(knee, abs=ANGLE_TOL_DEG)
    assert m["foot_strike_angle"].value == pytest.approx(foot, abs=ANGLE_TOL_DEG)
    assert m["tibia_angle_contact"].value == pytest.approx(truth.tibia_ic_deg, abs=ANGLE_TOL_DEG)
    assert m["overstride"].value == pytest.approx(truth.overstride_pct, abs=OVERSTRIDE_TOL_PCT)
    assert m["step_time"].value == pytest.approx(60.0 / cadence, abs=1.0 / fps)
    expected = "rearfoot" if foot >= 8 else ("forefoot" if foot <= -1.6 else "midfoot")
    assert m["foot_strike_angle"].category == expected
    # every contact is found, on the right side, at the right time
    true_ics = sorted(
        (t, s) for s, times in truth.ic_times_s.items() for t in times if t < kp.n_frames / fps - 0.05
    )
    found = [(c.ic_time_s, c.side) for c in report.contacts]
    assert len(found) == len(true_ics)
    for (t_found, s_found), (t_true, s_true) in zip(found, true_ics, strict=True):
        assert s_found == s_true
        assert t_found == pytest.approx(t_true, abs=0.5 / fps)
    assert m["contact_time"].quality == ("ok" if fps >= 60 else "rough")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_noise_dropped_frames_and_swaps(gait_rules, seed) -> None:
    kp, truth = side_view(cadence_spm=176.0, knee_ic_deg=18.0, foot_ic_deg=10.0)
    noisy = corrupt(kp, noise_px=2.0, drop_fraction=0.05, swap_fraction=0.1, seed=seed)
    analysis = GaitAnalysis(gait_rules).run(noisy)
    report = analysis.report_
    m = report.metrics
    assert m["cadence"].value == pytest.approx(176.0, abs=CADENCE_TOL_NOISY_SPM)
    assert m["knee_flexion_contact"].value == pytest.approx(18.0, abs=ANGLE_TOL_NOISY_DEG)
    assert m["foot_strike_angle"].value == pytest.approx(10.0, abs=ANGLE_TOL_NOISY_DEG)
    assert m["overstride"].value == pytest.approx(truth.overstride_pct, abs=OVERSTRIDE_TOL_NOISY_PCT)
    sides = [c.side for c in report.contacts]
    assert all(a != b for a, b in itertools.pairwise(sides)), "sides must alternate"
    assert abs(len(report.contacts) - 28) <= 1


@settings(max_examples=12, deadline=None)
@given(cadence=st.floats(150.0, 210.0), direction=st.sampled_from([1, -1]))
def test_cadence_any_direction(gait_rules, cadence, direction) -> None:
    kp, _ = side_view(cadence_spm=cadence, direction=direction, duration_s=6.0)
    report = GaitAnalysis(gait_rules).run(kp).report_
    assert report.metrics["cadence"].value == pytest.approx(cadence, abs=CADENCE_TOL_SPM)
    assert report.direction == ("image right" if direction == 1 else "image left")


def test_rear_view_pelvic_drop_knee_alignment_step_width(gait_rules) -> None:
    kp = rear_view(
        drop_left_deg=4.0, drop_right_deg=9.0, valgus_left_deg=3.0, valgus_right_deg=12.0, step_width_pct=8.0
    )
    report = GaitAnalysis(gait_rules).run(kp).report_
    assert report.view == "rear"
    m = report.metrics
    assert m["cadence"].value == pytest.approx(170.0, abs=CADENCE_TOL_SPM)
    assert m["pelvic_drop"].left == pytest.approx(4.0, abs=ANGLE_TOL_DEG)
    assert m["pelvic_drop"].right == pytest.approx(9.0, abs=ANGLE_TOL_DEG)
    assert m["knee_fppa"].left == pytest.approx(3.0, abs=ANGLE_TOL_DEG)
    assert m["knee_fppa"].right == pytest.approx(12.0, abs=ANGLE_TOL_DEG)
    assert m["step_width"].value == pytest.approx(8.0, abs=1.0)
    # 9 deg is beyond the 6 deg band but not by more than the 3 deg error: no finding
    assert not report.findings
    assert any(b.metric_id == "pelvic_drop" and b.side == "right" for b in report.borderline)


def test_rear_view_noisy(gait_rules) -> None:
    kp = corrupt(rear_view(drop_left_deg=5.0, drop_right_deg=10.0), noise_px=1.0, drop_fraction=0.05, seed=3)
    m = GaitAnalysis(gait_rules).run(kp).report_.metrics
    assert m["pelvic_drop"].left == pytest.approx(5.0, abs=ANGLE_TOL_NOISY_DEG)
    assert m["pelvic_drop"].right == pytest.approx(10.0, abs=ANGLE_TOL_NOISY_DEG)


def test_findings_feed_drivers(gait_rules) -> None:
    kp = rear_view(drop_left_deg=3.0, drop_right_deg=13.0, valgus_left_deg=2.0, valgus_right_deg=24.0)
    report = GaitAnalysis(gait_rules).run(kp).report_
    by_metric = {(f.metric_id, f.side) for f in report.findings}
    assert ("pelvic_drop", "right") in by_metric
    assert ("knee_fppa", "right") in by_metric
    assert ("pelvic_drop", "left") not in by_metric
    evidence = gait_evidence(report)
    drivers = {e.driver for e in evidence}
    assert drivers == {"hip_control", "knee_control"}
    assert all(e.source == "gait" and 0 < e.weight <= 1 for e in evidence)
    assert cadence_cue_pct(report) is None


def test_overstriding_pattern_gives_cadence_cue(gait_rules) -> None:
    # heel far ahead of the hip, a low step rate and a nearly straight knee: the composite holds
    kp, truth = side_view(cadence_spm=146.0, thigh_ic_deg=30.0, knee_ic_deg=5.0)
    assert truth.overstride_pct > 8 + 5  # beyond the band by more than the error
    report = GaitAnalysis(gait_rules).run(kp).report_
    found = [f for f in report.findings if f.metric_id == "overstride"]
    assert {f.side for f in found} == {"left", "right"}
    assert all(f.pattern == "overstriding" and f.severity == "concern" for f in found)
    assert all("cadence" in f.text for f in found)
    cue = cadence_cue_pct(report)
    assert cue == gait_rules.cadence_cue.max_pct
    assert any(e.driver == "knee_control" for e in gait_evidence(report))


def test_overstriding_without_straight_knee_is_watch(gait_rules) -> None:
    kp, _ = side_view(cadence_spm=146.0, thigh_ic_deg=34.0, knee_ic_deg=20.0)
    report = GaitAnalysis(gait_rules).run(kp).report_
    found = [f for f in report.findings if f.metric_id == "overstride"]
    assert found
    assert all(f.severity == "watch" for f in found)
    assert cadence_cue_pct(report) == gait_rules.cadence_cue.min_pct


def test_heel_ahead_alone_is_not_a_finding(gait_rules) -> None:
    # the same reach at an ordinary step rate: measured and reported, but not the overstriding pattern
    kp, truth = side_view(cadence_spm=170.0, thigh_ic_deg=30.0, knee_ic_deg=5.0)
    report = GaitAnalysis(gait_rules).run(kp).report_
    metric = report.metrics["overstride"]
    assert metric.value == pytest.approx(truth.overstride_pct, abs=OVERSTRIDE_TOL_PCT)
    assert metric.uncertainty == gait_rules.rule("overstride").error
    assert not [f for f in report.findings if f.metric_id == "overstride"]
    assert cadence_cue_pct(report) is None
    assert any("Overstriding pattern" in n and "not found" in n for n in report.notes)


def test_no_finding_within_error(gait_rules) -> None:
    kp, truth = side_view(thigh_ic_deg=14.0, knee_ic_deg=10.0)
    assert truth.overstride_pct < 8 + 5
    report = GaitAnalysis(gait_rules).run(kp).report_
    assert not [f for f in report.findings if f.metric_id == "overstride"]
    assert cadence_cue_pct(report) is None


def test_walking_recognised(gait_rules) -> None:
    kp, _ = side_view(cadence_spm=112.0, walking=True, duration_s=8.0)
    report = GaitAnalysis(gait_rules).run(kp).report_
    assert report.activity == "walking"
    assert report.metrics["cadence"].value == pytest.approx(112.0, abs=CADENCE_TOL_SPM)
    assert not report.findings
    assert gait_evidence(report) == []


def test_slow_motion_is_not_reported_as_fact(gait_rules) -> None:
    # a 170 steps/min run filmed at 120 fps and played back at 30 fps
    kp, _ = side_view(cadence_spm=170.0 / 4, duration_s=16.0, slowed=4.0)
    report = GaitAnalysis(gait_rules).run(kp).report_
    assert report.activity == "running"
    assert report.time_scale == "slowed"
    assert report.slow_motion_suspected
    assert report.speed_factor == pytest.approx(4.0, rel=0.05)
    assert report.cadence_spm is None
    assert report.metrics["cadence"].quality == "unreliable"
    assert "slow motion" in report.summary
    assert not report.findings or all(f.metric_id != "cadence" for f in report.findings)


def test_no_person_raises(gait_rules) -> None:
    xy, score = empty_frames(90)
    kp = Keypoints(xy=xy, score=score, fps=30.0, width=640, height=480, source="synthetic")
    with pytest.raises(NobodyInVideoError, match="no person"):
        GaitAnalysis(gait_rules).run(kp, "empty.mp4")


def test_too_short_raises(gait_rules) -> None:
    kp, _ = side_view(duration_s=0.3)
    with pytest.raises(TooShortError, match="frames"):
        GaitAnalysis(gait_rules).run(kp, "short.mp4")


def test_standing_still_is_neither(gait_rules) -> None:
    kp, _ = side_view(duration_s=4.0)
    still = np.repeat(kp.xy[:1], kp.n_frames, axis=0)
    kp = Keypoints(xy=still, score=kp.score, fps=kp.fps, width=kp.width, height=kp.height, source="synthetic")
    report = GaitAnalysis(gait_rules).run(kp).report_
    assert report.activity == "neither"
    assert report.metrics == {}


def test_report_json_round_trip(gait_rules) -> None:
    import json

    kp, _ = side_view(duration_s=4.0)
    report = GaitAnalysis(gait_rules, height_cm=175.0).run(kp, "clip.mp4").report_
    data = json.loads(report.to_json())
    assert data["schema"] == "heelcoach.gait/v1"
    assert data["metrics"]["cadence"]["unit"] == "steps/min"
    assert data["disclaimer"]
    assert "cm" in " ".join(data["metrics"]["vertical_oscillation"]["notes"])
    assert len(data["contacts"]) == len(report.contacts)


def test_slowed_down_factor_restores_real_time(gait_rules) -> None:
    kp, _ = side_view(cadence_spm=170.0 / 4, duration_s=16.0, slowed=4.0)
    report = GaitAnalysis(gait_rules, slowed_down=4.0).run(kp).report_
    assert not report.slow_motion_suspected
    assert report.fps == 120.0
    assert report.cadence_spm == pytest.approx(170.0, abs=CADENCE_TOL_SPM)
    assert report.metrics["contact_time"].quality == "ok"  # 120 fps is above the 60 fps requirement


def test_front_view(gait_rules) -> None:
    rear = rear_view(drop_left_deg=4.0, drop_right_deg=9.0, valgus_left_deg=3.0, valgus_right_deg=12.0)
    xy = rear.xy.copy()
    xy[..., 0] = 800.0 - xy[..., 0]  # seen from the front, the runner's left is on the image right
    front = Keypoints(xy=xy, score=rear.score, fps=rear.fps, width=800, height=700, source="synthetic")
    report = GaitAnalysis(gait_rules).run(front).report_
    assert report.view == "front"
    m = report.metrics
    assert m["pelvic_drop"].left == pytest.approx(4.0, abs=ANGLE_TOL_DEG)
    assert m["pelvic_drop"].right == pytest.approx(9.0, abs=ANGLE_TOL_DEG)
    assert m["knee_fppa"].right == pytest.approx(12.0, abs=ANGLE_TOL_DEG)
    assert m["step_width"].value > 0


def test_view_can_be_forced(gait_rules) -> None:
    kp, _ = side_view(duration_s=4.0)
    report = GaitAnalysis(gait_rules, view="side").run(kp).report_
    assert report.view == "side"
    assert report.view_detected == "side"
