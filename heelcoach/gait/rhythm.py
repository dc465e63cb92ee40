"""The clip's rhythm from whole-clip periodicity, to check the contacts and to tell slow motion.

Every signal here is measured relative to the runner's own body, so a camera that pans or a
mirrored clip changes nothing: each foot's position ahead of the pelvis and each knee's angle
repeat once per stride; the pelvis height repeats once per step (it bounces at every contact).
The autocorrelation of each signal gives its period; the contacts must agree with it.

Slow motion by physics: in running the body is airborne between steps and the pelvis falls with
gravity. The pelvis height's step-rate oscillation, in leg lengths, gives an apparent vertical
acceleration amplitude; in real time it is about ``pelvis_accel_g`` times g (a spring-mass model
with a half-sine ground force, Morin et al. 2005, gives 1.2-1.6 g for usual contact/flight
proportions). Time slowed k times divides accelerations by k squared, so
``k = sqrt(expected / apparent)``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np

from heelcoach.gait.filters import butter_sos
from heelcoach.gait.geometry import flexion_deg, mid
from heelcoach.gait.keypoints import FloatArray, Keypoints

G_M_S2 = 9.81


def _highpass(signal: FloatArray, fps: float, cutoff_hz: float) -> FloatArray:
    """Remove drift slower than ``cutoff_hz`` (camera pans, a runner drifting on the belt)."""
    from scipy.signal import sosfiltfilt

    ok = np.isfinite(signal)
    if ok.sum() < 8:
        return np.full_like(signal, np.nan)
    filled = np.interp(np.arange(signal.size), np.flatnonzero(ok), signal[ok])
    cutoff = min(cutoff_hz, 0.4 * fps)
    sos = butter_sos(2, float(cutoff), "high", float(fps))
    out = sosfiltfilt(sos, filled) if filled.size > 15 else filled - filled.mean()
    return np.where(ok, out, np.nan)


def autocorr_period(signal: FloatArray, fps: float, min_s: float, max_s: float) -> tuple[float | None, float]:
    """The period (s) of the strongest autocorrelation peak with a lag in [min_s, max_s], and the
    peak's height (0-1, how periodic the signal is). ``(None, 0.0)`` when nothing repeats."""
    x = np.nan_to_num(signal - np.nanmean(signal)) if np.isfinite(signal).any() else None
    if x is None or x.size < 8 or not np.any(x):
        return None, 0.0
    n = x.size
    spec = np.fft.rfft(x, 2 * n)
    acf = np.fft.irfft(spec * np.conj(spec))[:n]
    acf = acf / acf[0] / (1.0 - np.arange(n) / n)  # unbiased: long lags have fewer overlapping samples
    lo, hi = max(1, math.floor(min_s * fps)), min(n - 2, math.ceil(max_s * fps))
    if hi - lo < 2 or hi > 0.7 * n:  # fewer than about 1.5 periods: no reliable peak
        hi = min(hi, int(0.7 * n))
        if hi - lo < 2:
            return None, 0.0
    seg = acf[lo : hi + 1]
    peaks = [i for i in range(1, seg.size - 1) if seg[i] >= seg[i - 1] and seg[i] >= seg[i + 1]]
    if not peaks:
        return None, 0.0
    top = max(seg[i] for i in peaks)
    if top <= 0:
        return None, 0.0
    # the shortest lag that repeats nearly as well as the best: a stride also repeats at two strides
    best = min(i for i in peaks if seg[i] >= 0.8 * top)
    a, b, c = seg[best - 1], seg[best], seg[best + 1]
    denom = a - 2 * b + c
    shift = 0.5 * (a - c) / denom if abs(denom) > 1e-12 else 0.0
    return float((lo + best + np.clip(shift, -0.5, 0.5)) / fps), float(b)


def step_amplitude(signal: FloatArray, fps: float, step_hz: float) -> tuple[float, float]:
    """(frequency, amplitude) of the strongest sinusoid within +/-15% of ``step_hz`` (fine grid)."""
    t = np.arange(signal.size) / fps
    ok = np.isfinite(signal)
    if ok.sum() < 8:
        return step_hz, float("nan")
    freqs = np.linspace(0.85 * step_hz, 1.15 * step_hz, 121)
    phase = 2 * np.pi * freqs[:, None] * t[ok][None, :]
    sin, cos, y = np.sin(phase), np.cos(phase), signal[ok]
    # least squares of y on (sin, cos) for every frequency at once (2x2 normal equations)
    ss, cc, sc = (sin * sin).sum(1), (cos * cos).sum(1), (sin * cos).sum(1)
    sy, cy = sin @ y, cos @ y
    det = ss * cc - sc * sc
    with np.errstate(divide="ignore", invalid="ignore"):
        a = (cc * sy - sc * cy) / det
        b = (ss * cy - sc * sy) / det
    amp = np.nan_to_num(np.hypot(a, b))
    i = int(np.argmax(amp))
    return float(freqs[i]), float(amp[i])


@dataclass(frozen=True)
class Rhythm:
    """Step periods (s) found by each whole-clip signal, with how periodic each was (0-1)."""

    feet_step_s: float | None
    feet_strength: float
    knee_step_s: float | None
    knee_strength: float
    pelvis_step_s: float | None
    pelvis_strength: float

    def consensus_step_s(self) -> float | None:
        """The step period the body signals agree on.

        Feet and knees swing once per stride, so their step period cannot be halved; the pelvis
        (one bounce per step, weak in walking) counts only when it agrees with them within 10%.
        """
        limbs = [
            (p, s)
            for p, s in ((self.feet_step_s, self.feet_strength), (self.knee_step_s, self.knee_strength))
            if p is not None and s >= MIN_STRENGTH
        ]
        pelvis = (
            (self.pelvis_step_s, self.pelvis_strength)
            if self.pelvis_step_s is not None and self.pelvis_strength >= MIN_STRENGTH
            else None
        )
        if len(limbs) == 2 and abs(limbs[0][0] / limbs[1][0] - 1.0) > 0.1:
            limbs = [max(limbs, key=lambda v: v[1])]  # they disagree: the more periodic one
        votes = list(limbs)
        if pelvis is not None and (not limbs or abs(pelvis[0] / limbs[0][0] - 1.0) <= 0.1):
            votes.append(pelvis)
        if not votes:
            return None
        return float(sum(p * s for p, s in votes) / sum(s for _, s in votes))

    @property
    def sources(self) -> int:
        """How many of the three signals repeat clearly."""
        return sum(s >= MIN_STRENGTH for s in (self.feet_strength, self.knee_strength, self.pelvis_strength))


#: Autocorrelation peak height below which a signal is not called periodic.
MIN_STRENGTH = 0.3


def clip_rhythm(kp: Keypoints, leg_px: float, min_step_s: float = 0.2, max_step_s: float = 2.0) -> Rhythm:
    """Whole-clip periodicity of the feet (ahead of the pelvis), the knees and the pelvis height."""
    hip = mid(kp, "hip")
    cut = 0.5 / max_step_s / 2  # slower than half the slowest stride rate: drift
    feet = []
    knees = []
    for s in ("l", "r"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            ankle = kp.point(f"{s}_ankle")
            for axis in (0, 1):  # ahead of the pelvis (side view) and below it (any view)
                rel = (ankle[:, axis] - hip[:, axis]) / leg_px
                feet.append(
                    autocorr_period(_highpass(rel, kp.fps, cut), kp.fps, 2 * min_step_s, 2 * max_step_s)
                )
            knee = flexion_deg(kp.point(f"{s}_hip"), kp.point(f"{s}_knee"), ankle)
            knees.append(
                autocorr_period(_highpass(knee, kp.fps, cut), kp.fps, 2 * min_step_s, 2 * max_step_s)
            )
    pelvis = autocorr_period(_highpass(-hip[:, 1] / leg_px, kp.fps, 2 * cut), kp.fps, min_step_s, max_step_s)

    def best(pair: list[tuple[float | None, float]]) -> tuple[float | None, float]:
        period, strength = max(pair, key=lambda p: p[1])
        return (None if period is None else period / 2.0), strength

    feet_step, feet_strength = best(feet)
    knee_step, knee_strength = best(knees)
    return Rhythm(feet_step, feet_strength, knee_step, knee_strength, pelvis[0], pelvis[1])


Agreement = Literal["agree", "contacts_half", "contacts_double", "unclear", "no_rhythm"]


def compare(contacts_step_s: float | None, rhythm: Rhythm, tolerance: float = 0.15) -> Agreement:
    """How the contacts' step period compares with the whole-clip rhythm (a factor of two flagged)."""
    whole = rhythm.consensus_step_s()
    if whole is None:
        return "no_rhythm"
    if contacts_step_s is None:
        return "unclear"
    ratio = contacts_step_s / whole
    if abs(ratio - 1.0) <= tolerance:
        return "agree"
    if abs(ratio - 2.0) <= 2 * tolerance:
        return "contacts_half"  # one contact per stride: every other step missed
    if abs(ratio - 0.5) <= tolerance / 2:
        return "contacts_double"
    return "unclear"


@dataclass(frozen=True)
class SlowMotion:
    """Physics' view of the clip's time scale.

    ``factor`` is how many times slower than real time the clip seems to play (None when the
    pelvis signal is too weak to tell); ``apparent_accel_g`` the pelvis acceleration amplitude as
    filmed, in g; ``expected_accel_g`` what real-time running gives.
    """

    factor: float | None
    apparent_accel_g: float | None
    expected_accel_g: float
    leg_length_m: float


def slow_motion_factor(
    kp: Keypoints,
    leg_px: float,
    step_hz: float,
    expected_accel_g: float,
    leg_length_m: float,
) -> SlowMotion:
    """How many times slower than real time the clip plays, from the pelvis bounce (see module doc)."""
    hip_y = -mid(kp, "hip")[:, 1] / leg_px  # leg lengths, up positive
    signal = _highpass(hip_y, kp.fps, 0.4 * step_hz)
    freq, amp_leg = step_amplitude(signal, kp.fps, step_hz)
    if not np.isfinite(amp_leg) or amp_leg <= 1e-4:
        return SlowMotion(None, None, expected_accel_g, leg_length_m)
    apparent_g = amp_leg * leg_length_m * (2 * np.pi * freq) ** 2 / G_M_S2
    factor = math.sqrt(expected_accel_g / apparent_g)
    return SlowMotion(float(factor), float(apparent_g), expected_accel_g, leg_length_m)
