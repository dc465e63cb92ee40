"""Butterworth filter designs, made once per (order, cutoff, type, rate) and shared.

A clip's analysis filters dozens of signals with the same few designs; designing one costs about
4 ms (``scipy.signal.butter``), so each is made once; callers get their own copy (a few numbers),
because ``sosfiltfilt`` wants a writable array.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import numpy as np
from numpy.typing import NDArray

__all__ = ["butter_sos"]


@lru_cache(maxsize=64)
def _design(order: int, cutoff_hz: float, btype: Literal["low", "high"], fs: float) -> NDArray[np.float64]:
    from scipy.signal import butter  # scipy loads on first analysis, not on import

    return np.asarray(butter(order, cutoff_hz, btype=btype, fs=fs, output="sos"), dtype=float)


def butter_sos(order: int, cutoff_hz: float, btype: Literal["low", "high"], fs: float) -> NDArray[np.float64]:
    """Second-order sections of a Butterworth filter (``scipy.signal.butter(..., output="sos")``)."""
    return _design(order, cutoff_hz, btype, fs).copy()
