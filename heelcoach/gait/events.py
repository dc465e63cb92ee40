"""Camera view, running direction and gait events (initial contact, toe-off, midstance).

Side view: initial contact at the foot's most forward position relative to the pelvis and toe-off
at its most backward one (Zeni et al. 2008, Gait Posture 27:710). The events are found on the
envelope of both feet (the foremost / hindmost foot), which is immune to the pose model's
left/right swaps; sides are then assigned so that they alternate, by a majority vote of the labels.
Rear/front view: midstance at the extremes of the vertical distance between the feet (the stance
foot is on the ground while the swing foot is lifted).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
from numpy.typing import NDArray

from heelcoach.gait.base import EventDetector, GaitAlgorithm, check_option
from heelcoach.gait.filters import butter_sos
from heelcoach.gait.geometry import foot_centre, mid
from heelcoach.gait.keypoints import FloatArray, Keypoints

View = Literal["side", "rear", "front"]
Side = Literal["left", "right"]
#: The point of the foot whose most forward position marks initial contact in a side view.
IcPoint = Literal["heel", "foot"]


@dataclass(frozen=True, slots=True)
class Contact:
    """One foot contact. Times in seconds from the clip start (sub-frame), frames rounded."""

    side: Side
    ic_time_s: float
    ic_frame: int
    to_time_s: float | None = None
    to_frame: int | None = None
    midstance_frame: int | None = None
    #: the side the pose model's labels gave, before alternation was enforced
    model_side: Side | None = None
    #: first frame the landing foot is down (reported; angles are read at ``ic_frame``)
    ground_frame: int | None = None

    @property
    def contact_time_s(self) -> float | None:
        """Toe-off minus initial contact, when both are known."""
        return None if self.to_time_s is None else self.to_time_s - self.ic_time_s


class ViewDetector(GaitAlgorithm):
    """Tell a side view from a rear or front one, and which way the runner faces.

    Side when the shoulders and hips look narrow relative to the trunk. From behind, the runner's
    left shoulder is on the image left and the face is hidden.

    Parameters
    ----------
    side_width_ratio_max : shoulder-plus-hip width over trunk length below which the view is a side view.

    Attributes
    ----------
    view_ : ``side``, ``rear`` or ``front``.
    direction_ : +1 when the runner faces the image right, -1 left.
    width_ratio_ : median shoulder-plus-hip width over trunk length (no unit; NaN when unseen).
    """

    _action_method: ClassVar[str] = "detect"
    view_: View
    direction_: int
    width_ratio_: float

    def __init__(self, side_width_ratio_max: float = 0.45) -> None:
        self.side_width_ratio_max = side_width_ratio_max

    def detect(self, kp: Keypoints) -> ViewDetector:
        """Results: ``view_``, ``direction_`` (+1 facing image right, -1 left), ``width_ratio_``."""
        sh = kp.point("l_shoulder") - kp.point("r_shoulder")
        hp = kp.point("l_hip") - kp.point("r_hip")
        trunk = np.linalg.norm(mid(kp, "shoulder") - mid(kp, "hip"), axis=1)
        width = (np.abs(sh[:, 0]) + np.abs(hp[:, 0])) / 2.0
        ratio = width / trunk
        ratio = ratio[np.isfinite(ratio)]
        self.width_ratio_ = float(np.median(ratio)) if ratio.size else float("nan")
        lr = np.concatenate([sh[:, 0], hp[:, 0]])
        lr = lr[np.isfinite(lr)]
        left_on_image_left = bool(lr.size and np.median(lr) < 0)
        if not np.isfinite(self.width_ratio_) or self.width_ratio_ < self.side_width_ratio_max:
            self.view_ = "side"
        else:
            self.view_ = "rear" if left_on_image_left else "front"
        self.direction_ = facing_direction(kp)
        return self


def facing_direction(kp: Keypoints) -> int:
    """+1 when the runner faces image right, -1 when left (toes ahead of heels; then nose; then travel)."""
    votes = []
    for side in ("l", "r"):
        d = kp.point(f"{side}_toe")[:, 0] - kp.point(f"{side}_heel")[:, 0]
        votes.append(d[np.isfinite(d)])
    foot = np.concatenate(votes)
    if foot.size >= 5 and abs(float(np.median(foot))) > 1e-6:
        return 1 if np.median(foot) > 0 else -1
    nose = kp.point("nose")[:, 0] - mid(kp, "shoulder")[:, 0]
    nose = nose[np.isfinite(nose)]
    if nose.size >= 5 and abs(float(np.median(nose))) > 1e-6:
        return 1 if np.median(nose) > 0 else -1
    hip_x = mid(kp, "hip")[:, 0]
    hip_x = hip_x[np.isfinite(hip_x)]
    return 1 if hip_x.size < 2 or hip_x[-1] >= hip_x[0] else -1


def facing_series(kp: Keypoints, window_s: float = 1.0) -> FloatArray:
    """Facing direction per frame (+1 image right, -1 left), for runners who turn within a clip."""
    overall = facing_direction(kp)
    pair = np.stack([kp.point(f"{s}_toe")[:, 0] - kp.point(f"{s}_heel")[:, 0] for s in ("l", "r")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames without feet give NaN
        d = np.nanmean(pair, axis=0)
    sign = np.sign(np.nan_to_num(d))
    half = max(1, round(window_s * kp.fps / 2))
    out = np.full(kp.n_frames, float(overall))
    for t in range(kp.n_frames):
        window = sign[max(0, t - half) : t + half + 1]
        window = window[window != 0]
        if window.size >= half:
            total = window.sum()
            if abs(total) >= 0.3 * window.size:
                out[t] = 1.0 if total > 0 else -1.0
    return out


def smooth(signal: FloatArray, fps: float, cutoff_hz: float, order: int = 2) -> FloatArray:
    """Zero-lag Butterworth low-pass of each finite run of ``signal`` (runs too short are kept)."""
    from scipy.signal import sosfiltfilt  # scipy loads on first analysis, not on import

    cutoff = min(cutoff_hz, 0.4 * fps)
    sos = butter_sos(order, float(cutoff), "low", float(fps))
    out = np.array(signal, dtype=float)
    ok = np.isfinite(out)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], ok.astype(int), [0]])))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        if stop - start > 3 * (2 * order + 1):
            out[start:stop] = sosfiltfilt(sos, out[start:stop])
    return out


def _refine_peak(signal: FloatArray, index: int) -> float:
    """Sub-frame peak position by a parabola through the peak and its neighbours."""
    if index <= 0 or index >= signal.size - 1:
        return float(index)
    a, b, c = signal[index - 1], signal[index], signal[index + 1]
    denom = a - 2 * b + c
    if not np.isfinite(denom) or abs(denom) < 1e-12:
        return float(index)
    return float(index + np.clip(0.5 * (a - c) / denom, -0.5, 0.5))


def _assign_alternating(times: FloatArray, labels: list[Side]) -> tuple[list[Side], FloatArray]:
    """Sides that alternate step by step (missed steps counted), chosen by majority of the labels."""
    if times.size == 0:
        return [], np.zeros(0, dtype=int)
    intervals = np.diff(times)
    step = float(np.median(intervals)) if intervals.size else 1.0
    index = np.concatenate([[0], np.cumsum(np.maximum(1, np.round(intervals / step)))]).astype(int)
    agree_left_even = sum((lab == "left") == (k % 2 == 0) for lab, k in zip(labels, index, strict=True))
    left_even = agree_left_even >= len(labels) - agree_left_even
    sides: list[Side] = ["left" if (k % 2 == 0) == left_even else "right" for k in index]
    return sides, index


class SagittalEventDetector(EventDetector):
    """Initial contact and toe-off from a side view (foot position relative to the pelvis).

    Parameters
    ----------
    max_cadence_spm : highest step rate looked for (sets the shortest step).
    min_prominence_leg : smallest peak prominence, in leg lengths.
    ic_point : ``heel`` (Zeni) or ``foot`` (mean of heel, ankle and toe).
    toe_lift_leg : toe rise above its lowest point, in leg lengths, that marks toe-off. Zeni's
        hindmost-toe rule places toe-off late in running (contact longer than the step), so toe-off
        is taken when the hindmost toe leaves the ground instead.
    cutoff_hz : zero-lag low-pass applied to the foot envelopes (capped at 0.4 x fps).
    foot_down_leg : the landing foot counts as down within this height of its lowest point, in leg lengths.

    Attributes
    ----------
    contacts_ : initial contact, toe-off and midstance of each step, alternating sides.
    forward_ : (n_frames, 2) how far each foot (left, right) is ahead of the hip, in leg lengths.
    front_ : (n_frames,) the foremost foot's position (smoothed envelope), in leg lengths.
    back_ : (n_frames,) the hindmost toe's position (smoothed envelope), in leg lengths.
    """

    forward_: FloatArray
    front_: FloatArray
    back_: FloatArray

    def __init__(
        self,
        max_cadence_spm: float = 260.0,
        min_prominence_leg: float = 0.12,
        ic_point: IcPoint = "heel",
        toe_lift_leg: float = 0.04,
        foot_down_leg: float = 0.03,
        cutoff_hz: float = 12.0,
    ) -> None:
        self.cutoff_hz = cutoff_hz
        self.max_cadence_spm = max_cadence_spm
        self.min_prominence_leg = min_prominence_leg
        check_option("ic_point", ic_point, IcPoint)
        self.ic_point = ic_point
        self.toe_lift_leg = toe_lift_leg
        self.foot_down_leg = foot_down_leg

    def detect(
        self, kp: Keypoints, *, leg_length_px: float, direction: int | FloatArray = 1
    ) -> SagittalEventDetector:
        """Results: ``contacts_``, ``forward_`` (n_frames, 2) foot-ahead-of-hip in leg lengths."""
        fwd, toe = self._forward(kp, leg_length_px, direction)
        self.forward_ = fwd
        front = np.nanmax(np.where(np.isnan(fwd), -np.inf, fwd), axis=1)
        back = np.nanmin(np.where(np.isnan(toe), np.inf, toe), axis=1)
        valid = np.isfinite(front) & np.isfinite(back)
        # smooth the envelopes, not the trajectories: a swapped frame then cannot split a peak
        front = smooth(np.where(valid, front, np.nan), kp.fps, self.cutoff_hz)
        back = smooth(np.where(valid, back, np.nan), kp.fps, self.cutoff_hz)
        self.front_, self.back_ = front, back
        min_dist = max(1, int(np.floor(kp.fps * 60.0 / self.max_cadence_spm)))
        filled = np.where(valid, front, np.nanmin(front) if valid.any() else 0.0)
        from scipy.signal import find_peaks

        peaks, _ = find_peaks(filled, distance=min_dist, prominence=self.min_prominence_leg)
        peaks = np.array([p for p in peaks if valid[p]], dtype=int)
        ic_times = np.array([_refine_peak(filled, int(p)) for p in peaks]) / kp.fps
        labels: list[Side] = [
            "left" if fwd[p, 0] >= np.nan_to_num(fwd[p, 1], nan=-np.inf) else "right" for p in peaks
        ]
        sides, _ = _assign_alternating(ic_times, labels)
        back_toe_y, front_low_y = self._foot_heights(kp, fwd, toe)
        contacts = []
        for i, p in enumerate(peaks):
            ground = self._foot_down(front_low_y, peaks, i, leg_length_px)
            to_time = self._toe_off(back_toe_y, peaks, i, leg_length_px, kp.fps)
            to_frame = None if to_time is None else min(kp.n_frames - 1, round(to_time * kp.fps))
            mid_frame = None if to_frame is None else round((p + to_frame) / 2)
            contacts.append(
                Contact(
                    side=sides[i],
                    ic_time_s=float(ic_times[i]),
                    ic_frame=int(p),
                    to_time_s=to_time,
                    to_frame=to_frame,
                    midstance_frame=mid_frame,
                    model_side=labels[i],
                    ground_frame=ground,
                )
            )
        self.contacts_ = contacts
        return self

    def _forward(
        self, kp: Keypoints, leg_length_px: float, direction: int | FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """(contact point, toe) of each foot ahead of the hip, in leg lengths: (n_frames, 2) each."""
        hip_x = mid(kp, "hip")[:, 0]
        foot = np.stack([foot_centre(kp, s)[:, 0] for s in ("l", "r")], axis=1)
        if self.ic_point == "heel":
            heel = np.stack([kp.point(f"{s}_heel")[:, 0] for s in ("l", "r")], axis=1)
            foot = np.where(np.isnan(heel), foot, heel)
        sign = np.broadcast_to(np.asarray(direction, dtype=float), (kp.n_frames,))[:, None]
        fwd = sign * (foot - hip_x[:, None]) / leg_length_px
        toe = (
            sign * np.stack([kp.point(f"{s}_toe")[:, 0] - hip_x for s in ("l", "r")], axis=1) / leg_length_px
        )
        return fwd, np.where(np.isnan(toe), fwd, toe)

    def _foot_heights(self, kp: Keypoints, fwd: FloatArray, toe: FloatArray) -> tuple[FloatArray, FloatArray]:
        """(the rear foot's toe height, the front foot's lowest point), smoothed, pixels (y down)."""
        toe_y = np.stack([kp.point(f"{s}_toe")[:, 1] for s in ("l", "r")], axis=1)
        back_foot = np.argmin(np.where(np.isnan(toe), np.inf, toe), axis=1)
        back_toe_y = smooth(toe_y[np.arange(kp.n_frames), back_foot], kp.fps, self.cutoff_hz)
        low_y = np.fmax(
            np.stack([kp.point(f"{s}_heel")[:, 1] for s in ("l", "r")], axis=1),
            np.stack([kp.point(f"{s}_toe")[:, 1] for s in ("l", "r")], axis=1),
        )
        front_foot = np.argmax(np.where(np.isnan(fwd), -np.inf, fwd), axis=1)
        front_low_y = smooth(low_y[np.arange(kp.n_frames), front_foot], kp.fps, self.cutoff_hz)
        return back_toe_y, front_low_y

    def _foot_down(
        self, front_low_y: FloatArray, peaks: NDArray[np.int_], i: int, leg_px: float
    ) -> int | None:
        """First frame after the foot's most forward point at which it is on the ground.

        Running feet pull back before landing (swing-leg retraction), so the most forward point
        comes slightly before contact; angles at contact are read when the foot is down.
        """
        a = int(peaks[i])
        b = int(peaks[i + 1]) if i + 1 < peaks.size else front_low_y.size - 1
        stop = a + max(1, (b - a) // 2)
        seg = front_low_y[a : stop + 1]
        if seg.size < 2 or np.all(np.isnan(seg)):
            return None
        level = np.nanmax(seg) - self.foot_down_leg * leg_px
        down = np.flatnonzero(seg >= level)
        return a + int(down[0]) if down.size else None

    def _toe_off(
        self, back_toe_y: FloatArray, peaks: NDArray[np.int_], i: int, leg_px: float, fps: float
    ) -> float | None:
        """Toe-off of contact ``i``: the hindmost toe rises ``toe_lift_leg`` above its lowest point."""
        if i + 1 >= peaks.size:
            return None
        a, b = int(peaks[i]), int(peaks[i + 1])
        seg = back_toe_y[a : b + 1]
        if np.all(np.isnan(seg)):
            return None
        low = int(np.nanargmax(seg))  # y points down: the toe's lowest point is the ground
        level = seg[low] - self.toe_lift_leg * leg_px
        after = np.flatnonzero(seg[low:] < level)
        if after.size == 0:
            return None
        j = a + low + int(after[0])
        y0, y1 = back_toe_y[j - 1], back_toe_y[j]
        frac = float((y0 - level) / (y0 - y1)) if np.isfinite(y0) and y0 != y1 else 1.0
        return (j - 1 + frac) / fps


class FrontalEventDetector(EventDetector):
    """Midstance of each foot from a rear or front view: the stance foot is the lower one.

    Parameters
    ----------
    max_cadence_spm : highest step rate looked for.
    min_prominence_leg : smallest prominence of the foot height difference, in leg lengths.
    cutoff_hz : zero-lag low-pass applied to the foot heights (capped at 0.4 x fps).

    Attributes
    ----------
    contacts_ : the midstance of each step (``ic_time_s`` is the midstance time), alternating sides.
    height_diff_ : (n_frames,) left foot image y minus the right one, in leg lengths (positive: left lower).
    """

    height_diff_: FloatArray

    def __init__(
        self, max_cadence_spm: float = 260.0, min_prominence_leg: float = 0.08, cutoff_hz: float = 12.0
    ) -> None:
        self.max_cadence_spm = max_cadence_spm
        self.min_prominence_leg = min_prominence_leg
        self.cutoff_hz = cutoff_hz

    def detect(
        self, kp: Keypoints, *, leg_length_px: float, direction: int | FloatArray = 1
    ) -> FrontalEventDetector:
        """Results: ``contacts_`` (ic = midstance time), ``height_diff_`` (left lower positive)."""
        from scipy.ndimage import median_filter
        from scipy.signal import find_peaks

        # per-frame leg length: a runner filmed from behind shrinks as they run away
        legs = np.stack(
            [
                np.linalg.norm(kp.point(f"{s}_hip") - kp.point(f"{s}_knee"), axis=1)
                + np.linalg.norm(kp.point(f"{s}_knee") - kp.point(f"{s}_ankle"), axis=1)
                for s in ("l", "r")
            ]
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            per_frame = np.nanmax(legs, axis=0)
        window = max(3, round(kp.fps) | 1)
        ok = np.isfinite(per_frame)
        scale = np.full(kp.n_frames, leg_length_px)
        if ok.sum() >= window:
            filled = np.interp(np.arange(kp.n_frames), np.flatnonzero(ok), per_frame[ok])
            scale = median_filter(filled, size=window, mode="nearest")
        diff = smooth(
            (foot_centre(kp, "l")[:, 1] - foot_centre(kp, "r")[:, 1]) / scale, kp.fps, self.cutoff_hz
        )
        self.height_diff_ = diff
        valid = np.isfinite(diff)
        filled = np.where(valid, diff, 0.0)
        min_dist = max(1, int(np.floor(kp.fps * 60.0 / self.max_cadence_spm * 2)))
        found: list[tuple[int, Side, float]] = []
        for sign, side in ((1.0, "left"), (-1.0, "right")):
            peaks, props = find_peaks(sign * filled, distance=min_dist, prominence=self.min_prominence_leg)
            for p, prom in zip(peaks, props["prominences"], strict=True):
                if valid[p] and sign * filled[p] > 0:
                    found.append((int(p), side, float(prom)))  # type: ignore[arg-type]
        found.sort()
        kept: list[tuple[int, Side, float]] = []
        for item in found:  # sides must alternate: keep the more prominent of two in a row
            if kept and kept[-1][1] == item[1]:
                if item[2] > kept[-1][2]:
                    kept[-1] = item
                continue
            kept.append(item)
        self.contacts_ = [
            Contact(
                side=side,
                ic_time_s=_refine_peak((1.0 if side == "left" else -1.0) * filled, p) / kp.fps,
                ic_frame=p,
                midstance_frame=p,
                model_side=side,
            )
            for p, side, _ in kept
        ]
        return self


def cadence_from_contacts(contacts: list[Contact], fps: float) -> tuple[float, float, int]:
    """Cadence in steps/min, its uncertainty, and the number of steps it spans.

    Missed steps inside the span are counted from the median step; the uncertainty combines the
    timing error of the two end contacts (about half a frame each) and the spread of step times.
    """
    if len(contacts) < 2:
        return float("nan"), float("nan"), 0
    times = np.array([c.ic_time_s for c in contacts])
    intervals = np.diff(times)
    step = float(np.median(intervals))
    n_steps = int(np.sum(np.maximum(1, np.round(intervals / step))))
    span = float(times[-1] - times[0])
    cadence = 60.0 * n_steps / span
    timing = np.sqrt(2) * (0.5 / fps) / span * cadence
    spread = (
        float(np.std(intervals) / np.sqrt(max(1, intervals.size)) / step * cadence)
        if intervals.size > 1
        else 0.0
    )
    return cadence, float(np.hypot(timing, spread)), n_steps
