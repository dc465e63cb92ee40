"""Each clean-up step alone: swaps, outliers, gaps, zero-lag filter, runner selection."""

from __future__ import annotations

import numpy as np
import pytest

from heelcoach.gait.keypoints import INDEX, Keypoints
from heelcoach.gait.tracking import (
    Candidate,
    GapFiller,
    LowPassFilter,
    OutlierRejector,
    RunnerSelector,
    SideSwapCorrector,
)
from tests.gait.synthetic import corrupt, side_view


def test_swaps_are_undone() -> None:
    kp, _ = side_view(duration_s=4.0)
    swapped = corrupt(kp, swap_fraction=0.15, seed=4)
    fixed = SideSwapCorrector().filter(swapped).keypoints_
    l_heel = INDEX["l_heel"]
    wrong_before = np.mean(np.abs(swapped.xy[:, l_heel, 0] - kp.xy[:, l_heel, 0]) > 1)
    wrong_after = np.mean(np.abs(fixed.xy[:, l_heel, 0] - kp.xy[:, l_heel, 0]) > 1)
    assert wrong_before > 0.1
    assert wrong_after < 0.03


def test_clean_data_is_left_alone() -> None:
    kp, _ = side_view(duration_s=4.0)
    assert SideSwapCorrector().filter(kp).n_swaps_ == 0
    out = OutlierRejector().filter(kp)
    assert out.n_outliers_ == 0


def test_spike_is_removed_and_gap_filled() -> None:
    kp, _ = side_view(duration_s=3.0)
    xy = kp.xy.copy()
    xy[40, INDEX["l_knee"]] += [80.0, -60.0]
    spiky = kp.with_xy(xy)
    out = OutlierRejector().filter(spiky)
    assert np.isnan(out.keypoints_.xy[40, INDEX["l_knee"]]).all()
    assert out.n_outliers_ <= 2
    filled = GapFiller(max_gap_s=0.1).filter(out.keypoints_).keypoints_
    assert np.allclose(filled.xy[40, INDEX["l_knee"]], kp.xy[40, INDEX["l_knee"]], atol=6.0)


def test_long_gaps_stay_missing() -> None:
    kp, _ = side_view(duration_s=3.0)
    xy = kp.xy.copy()
    xy[20:40] = np.nan
    out = GapFiller(max_gap_s=0.15).filter(kp.with_xy(xy)).keypoints_
    assert np.isnan(out.xy[20:40]).all()
    xy = kp.xy.copy()
    xy[20:23] = np.nan
    out = GapFiller(max_gap_s=0.15).filter(kp.with_xy(xy)).keypoints_
    assert not np.isnan(out.xy[20:23]).any()


def test_low_pass_has_no_lag() -> None:
    fps = 30.0
    t = np.arange(300) / fps
    kp, _ = side_view(duration_s=10.0)
    xy = kp.xy.copy()
    rng = np.random.default_rng(0)
    signal = 100 * np.sin(2 * np.pi * 1.4 * t)
    xy[:, INDEX["nose"], 0] = signal + rng.normal(0, 3, t.size)
    out = LowPassFilter(cutoff_hz=6.0).filter(kp.with_xy(xy)).keypoints_.xy[:, INDEX["nose"], 0]
    lags = np.arange(-5, 6)
    corr = [np.dot(np.roll(out, k)[10:-10], signal[10:-10]) for k in lags]
    assert lags[int(np.argmax(corr))] == 0
    assert np.std(out - signal) < 2.0


def test_runner_selection_prefers_large_and_continuous() -> None:
    def person(x: float, size: float) -> Candidate:
        xy = np.zeros((17, 2))
        xy[:, 0] = x
        xy[:, 1] = np.linspace(0, size, 17)
        return Candidate(xy=xy, score=np.full(17, 0.9))

    frames = [[person(100, 50), person(500, 300)], [person(505, 300), person(110, 50)], [person(120, 60)], []]
    sel = RunnerSelector().select(frames)
    assert sel.choice_[0] == 1
    assert sel.choice_[1] == 0
    assert sel.choice_[3] is None
    assert sel.n_people_max_ == 2
    assert np.isnan(sel.xy_[3]).all()


def test_keypoints_validate_shape() -> None:
    with pytest.raises(ValueError, match="xy must be"):
        Keypoints(xy=np.zeros((3, 5, 2)), score=np.zeros((3, 5)), fps=30, width=1, height=1, source="x")
