"""Keypoint clean-up steps, each an algorithm object: runner selection, side-swap correction,
outlier rejection, gap filling and a zero-lag low-pass filter.

Each object follows :mod:`heelcoach.gait.base`: parameters in ``__init__``, one verb that returns
``self`` (``filter(kp)`` for the clean-up steps, ``select(frames)`` for the runner), and results
declared on the class in attributes ending in ``_`` (gaitmap style).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from heelcoach.gait.base import GaitAlgorithm, KeypointFilter
from heelcoach.gait.filters import butter_sos
from heelcoach.gait.keypoints import INDEX, LANDMARKS, LEG_POINTS, FloatArray, Keypoints, empty_frames


@dataclass(frozen=True, slots=True)
class Candidate:
    """One detected person in one frame: internal landmarks and their scores."""

    xy: FloatArray
    score: FloatArray

    def centre(self) -> NDArray[np.float64]:
        """Mean of the present landmarks."""
        return np.asarray(np.nanmean(self.xy, axis=0))

    def size_px(self) -> float:
        """Bounding-box height in pixels (0 when empty)."""
        ys = self.xy[:, 1][~np.isnan(self.xy[:, 1])]
        return float(ys.max() - ys.min()) if ys.size >= 2 else 0.0


class RunnerSelector(GaitAlgorithm):
    """Pick the runner among several people: the largest confident person first, then continuity.

    Parameters
    ----------
    max_jump_body : largest move between frames, in body heights, still taken as the same person.

    Attributes
    ----------
    choice_ : per frame, the index of the chosen candidate, or None when nobody was chosen.
    xy_ : (n_frames, n_landmarks, 2) the chosen person's keypoints, in pixels (NaN when missing).
    score_ : (n_frames, n_landmarks) their confidence, 0-1.
    n_people_max_ : the most people seen in one frame.
    """

    _action_method: ClassVar[str] = "select"
    choice_: list[int | None]
    xy_: FloatArray
    score_: FloatArray
    n_people_max_: int

    def __init__(self, max_jump_body: float = 0.5) -> None:
        self.max_jump_body = max_jump_body

    def select(self, frames: Sequence[Sequence[Candidate]]) -> RunnerSelector:
        """Choose one candidate per frame (or none); results in ``choice_``, ``xy_``, ``score_``."""
        xy, score = empty_frames(len(frames))
        choice: list[int | None] = []
        last_centre: NDArray[np.float64] | None = None
        last_size = 0.0
        self.n_people_max_ = 0
        for t, people in enumerate(frames):
            valid = [c for c in people if c.size_px() > 0]
            self.n_people_max_ = max(self.n_people_max_, len(valid))
            pick: int | None = None
            if valid:
                if last_centre is None:
                    scores = [c.size_px() * float(np.mean(c.score)) for c in valid]
                    pick = int(np.argmax(scores))
                else:
                    dists = [float(np.linalg.norm(c.centre() - last_centre)) for c in valid]
                    best = int(np.argmin(dists))
                    if dists[best] <= self.max_jump_body * max(last_size, 1.0):
                        pick = best
                    else:
                        scores = [c.size_px() * float(np.mean(c.score)) for c in valid]
                        pick = int(np.argmax(scores))
                chosen = valid[pick]
                xy[t], score[t] = chosen.xy, chosen.score
                last_centre, last_size = chosen.centre(), chosen.size_px()
            choice.append(pick)
        self.choice_ = choice
        self.xy_ = xy
        self.score_ = score
        return self


def mask_low_scores(kp: Keypoints, min_score: float) -> Keypoints:
    """Set landmarks whose score is below ``min_score`` to NaN."""
    xy = kp.xy.copy()
    xy[kp.score < min_score] = np.nan
    return kp.with_xy(xy)


def leg_length_px(kp: Keypoints) -> float:
    """Hip-knee plus knee-ankle length in pixels (90th percentile over frames, the longer side)."""
    lengths = []
    for side in ("l", "r"):
        hip, knee, ankle = kp.point(f"{side}_hip"), kp.point(f"{side}_knee"), kp.point(f"{side}_ankle")
        per_frame = np.linalg.norm(hip - knee, axis=1) + np.linalg.norm(knee - ankle, axis=1)
        per_frame = per_frame[~np.isnan(per_frame)]
        if per_frame.size:
            lengths.append(float(np.percentile(per_frame, 90)))
    return max(lengths) if lengths else float("nan")


class SideSwapCorrector(KeypointFilter):
    """Undo left/right leg swaps of the pose model with a second-order Viterbi pass.

    Each frame is either as labelled or swapped (all leg points of the two legs exchanged). The
    path minimises the distance of every leg point to its constant-velocity prediction from the two
    previous frames, plus a small cost for overruling the model, so labels stay continuous through
    the moments when the legs cross.

    Parameters
    ----------
    swap_cost : cost of overruling the model's label in a frame, in leg lengths.
    velocity_damping : 0 predicts "no motion", 1 full constant velocity.

    Attributes
    ----------
    keypoints_ : the keypoints with swapped frames exchanged back (pixels).
    swapped_ : (n_frames,) bool, True where the legs were swapped back.
    n_swaps_ : how many frames were swapped back.
    """

    swapped_: NDArray[np.bool_]
    n_swaps_: int

    def __init__(self, swap_cost: float = 0.05, velocity_damping: float = 0.7) -> None:
        self.swap_cost = swap_cost
        self.velocity_damping = velocity_damping

    def _cost(self, prev2: FloatArray, prev1: FloatArray, cur: FloatArray) -> FloatArray:
        """Distance of every leg point to its prediction, summed per frame (missing points count 0).

        Arrays are (frames, leg, point, 2); the result is (frames,).
        """
        velocity = np.where(np.isnan(prev2), 0.0, prev1 - prev2)
        predicted = prev1 + self.velocity_damping * velocity
        dist = np.linalg.norm(cur - predicted, axis=-1)
        return np.nansum(dist.reshape(dist.shape[0], -1), axis=1)

    def _step_costs(self, options: FloatArray) -> FloatArray:
        """Cost of labelling frame t as s2 after s0, s1 at t-2, t-1: (2, 2, 2, n - 2), all at once."""
        out = np.empty((2, 2, 2, options.shape[0] - 2))
        for s0 in (0, 1):
            for s1 in (0, 1):
                for s2 in (0, 1):
                    out[s0, s1, s2] = self._cost(options[:-2, s0], options[1:-1, s1], options[2:, s2])
        return out

    def _first_costs(self, options: FloatArray) -> FloatArray:
        """Cost of the first two frames' labels (no velocity yet): (2, 2)."""
        out = np.empty((2, 2))
        for s0 in (0, 1):
            for s1 in (0, 1):
                start = options[0:1, s0]
                out[s0, s1] = self._cost(np.full_like(start, np.nan), start, options[1:2, s1])[0]
        return out

    def filter(self, kp: Keypoints) -> SideSwapCorrector:
        """Results: ``keypoints_`` (corrected), ``swapped_`` (bool per frame), ``n_swaps_``."""
        n = kp.n_frames
        left = np.array([INDEX[f"l_{p}"] for p in LEG_POINTS])
        right = np.array([INDEX[f"r_{p}"] for p in LEG_POINTS])
        scale = leg_length_px(kp)
        if n < 3 or not np.isfinite(scale) or scale <= 0:
            self.keypoints_, self.swapped_, self.n_swaps_ = kp, np.zeros(n, dtype=bool), 0
            return self
        legs = np.stack([kp.xy[:, left, :], kp.xy[:, right, :]], axis=1) / scale  # (n, 2, P, 2)
        options = np.stack([legs, legs[:, ::-1]], axis=1)  # (n, state, leg, P, 2)

        # state index k = 2 * s_{t-1} + s_t; dp over frames t >= 1
        steps = self._step_costs(options)  # (s0, s1, s2, t - 2)
        inf = float("inf")
        dp = np.full((n, 4), inf)
        back = np.zeros((n, 4), dtype=int)
        first = self._first_costs(options)  # (s0, s1)
        for s0 in (0, 1):
            for s1 in (0, 1):
                dp[1, 2 * s0 + s1] = first[s0, s1] + self.swap_cost * (s0 + s1)
        for t in range(2, n):
            for s1 in (0, 1):
                for s2 in (0, 1):
                    best, arg = inf, 0
                    for s0 in (0, 1):
                        prev = dp[t - 1, 2 * s0 + s1]
                        if prev == inf:
                            continue
                        total = prev + steps[s0, s1, s2, t - 2]
                        if total < best:
                            best, arg = total, s0
                    dp[t, 2 * s1 + s2] = best + self.swap_cost * s2
                    back[t, 2 * s1 + s2] = arg
        states = np.zeros(n, dtype=int)
        k = int(np.argmin(dp[n - 1]))
        states[n - 1], states[n - 2] = k % 2, k // 2
        for t in range(n - 1, 1, -1):
            s0 = back[t, 2 * states[t - 1] + states[t]]
            states[t - 2] = s0
        xy = kp.xy.copy()
        swap = states.astype(bool)
        xy[np.ix_(swap, left)], xy[np.ix_(swap, right)] = (
            kp.xy[np.ix_(swap, right)],
            kp.xy[np.ix_(swap, left)],
        )
        self.swapped_ = swap
        self.n_swaps_ = int(swap.sum())
        self.keypoints_ = kp.with_xy(xy, note=f"{self.n_swaps_} frames with left/right legs swapped back")
        return self


class OutlierRejector(KeypointFilter):
    """Spike removal: a coordinate far from the mean of its two neighbours becomes missing.

    The residual ``x[t] - (x[t-1] + x[t+1]) / 2`` is about acceleration x dt^2 for real motion
    (a few pixels even for a swinging foot at 30 fps) but large for a misdetected point. Only the
    local maximum of the residual is removed, twice over, so a spike does not take its neighbours.

    Parameters
    ----------
    n_sigma : threshold in robust SDs of the residual.
    min_leg_fraction : floor of the threshold, as a fraction of leg length.
    passes : how many times to repeat (two catches two-frame spikes).

    Attributes
    ----------
    keypoints_ : the keypoints with outlying coordinates set to NaN (pixels).
    n_outliers_ : how many landmark-frames were removed.
    """

    n_outliers_: int

    def __init__(self, n_sigma: float = 5.0, min_leg_fraction: float = 0.1, passes: int = 2) -> None:
        self.n_sigma = n_sigma
        self.min_leg_fraction = min_leg_fraction
        self.passes = passes

    def filter(self, kp: Keypoints) -> OutlierRejector:
        """Results: ``keypoints_`` with outliers set to NaN, ``n_outliers_``."""
        xy = kp.xy.copy()
        scale = leg_length_px(kp)
        floor = self.min_leg_fraction * (scale if np.isfinite(scale) else 100.0)
        n_out = 0
        for _ in range(self.passes):
            for j in range(len(LANDMARKS)):
                ok = ~np.isnan(xy[:, j, 0])
                if ok.sum() < 5:
                    continue
                idx = np.arange(kp.n_frames)
                bad = np.zeros(kp.n_frames, dtype=bool)
                for c in range(2):
                    series = np.interp(idx, np.flatnonzero(ok), xy[ok, j, c])
                    resid = np.zeros_like(series)
                    resid[1:-1] = np.abs(series[1:-1] - (series[:-2] + series[2:]) / 2.0)
                    mad = float(np.median(resid[ok])) * 1.4826
                    thr = max(self.n_sigma * mad, floor)
                    peak = np.zeros_like(bad)
                    peak[1:-1] = (resid[1:-1] >= resid[:-2]) & (resid[1:-1] >= resid[2:])
                    bad |= ok & peak & (resid > thr)
                n_out += int(bad.sum())
                xy[bad, j, :] = np.nan
        self.n_outliers_ = n_out
        self.keypoints_ = kp.with_xy(xy)
        return self


class GapFiller(KeypointFilter):
    """Fill gaps of missing frames no longer than ``max_gap_s`` by linear interpolation.

    Parameters
    ----------
    max_gap_s : longest gap filled, in seconds.

    Attributes
    ----------
    keypoints_ : the keypoints with short gaps filled (pixels).
    n_filled_ : how many landmark-frames were filled.
    """

    n_filled_: int

    def __init__(self, max_gap_s: float = 0.15) -> None:
        self.max_gap_s = max_gap_s

    def filter(self, kp: Keypoints) -> GapFiller:
        """Results: ``keypoints_``, ``n_filled_`` (landmark-frames filled)."""
        max_gap = max(1, round(self.max_gap_s * kp.fps))
        xy = kp.xy.copy()
        filled = 0
        frames = np.arange(kp.n_frames)
        for j in range(len(LANDMARKS)):
            ok = ~np.isnan(xy[:, j, 0])
            if ok.sum() < 2:
                continue
            idx = np.flatnonzero(ok)
            for a, b in itertools.pairwise(idx):
                gap = int(b - a - 1)
                if 0 < gap <= max_gap:
                    for c in range(2):
                        xy[a + 1 : b, j, c] = np.interp(frames[a + 1 : b], [a, b], [xy[a, j, c], xy[b, j, c]])
                    filled += gap
        self.n_filled_ = filled
        self.keypoints_ = kp.with_xy(xy)
        return self


class LowPassFilter(KeypointFilter):
    """Zero-lag Butterworth low-pass (forward-backward), applied to each run of present frames.

    Parameters
    ----------
    cutoff_hz : cut-off frequency; capped at 0.4 x the frame rate.
    order : filter order (doubled by the forward-backward pass).

    Attributes
    ----------
    keypoints_ : the filtered keypoints (pixels).
    cutoff_hz_ : the cut-off used, in Hz (``cutoff_hz`` capped at 0.4 x fps).
    """

    cutoff_hz_: float

    def __init__(self, cutoff_hz: float = 7.0, order: int = 2) -> None:
        self.cutoff_hz = cutoff_hz
        self.order = order

    def filter(self, kp: Keypoints) -> LowPassFilter:
        """Results: ``keypoints_``, ``cutoff_hz_`` (the one used)."""
        from scipy.signal import sosfiltfilt  # scipy loads on first analysis, not on import

        cutoff = min(self.cutoff_hz, 0.4 * kp.fps)
        self.cutoff_hz_ = cutoff
        sos = butter_sos(self.order, float(cutoff), "low", float(kp.fps))
        xy = kp.xy.copy()
        for j in range(len(LANDMARKS)):
            ok = ~np.isnan(xy[:, j, 0])
            edges = np.flatnonzero(np.diff(np.concatenate([[0], ok.astype(int), [0]])))
            for start, stop in zip(edges[::2], edges[1::2], strict=True):
                if stop - start > 3 * (2 * self.order + 1):
                    xy[start:stop, j, :] = sosfiltfilt(sos, xy[start:stop, j, :], axis=0)
        self.keypoints_ = kp.with_xy(xy)
        return self
