"""Errors the gait pipeline raises; every message names the file and says what to do.

Each is a :class:`GaitError` and sits in the one tree of :mod:`heelcoach.errors`: bad files are
:class:`InvalidInputError`, clips that cannot be measured :class:`AnalysisError`.
"""

from __future__ import annotations

from heelcoach.errors import AnalysisError, HeelcoachError, InvalidInputError


class GaitError(HeelcoachError):
    """Base class: the input cannot be analysed. ``str(err)`` is a message for a person."""


class UnreadableVideoError(GaitError, InvalidInputError):
    """The file is not a video OpenCV can decode."""


class WrongFileTypeError(GaitError, InvalidInputError):
    """The file type is not one heelcoach analyses."""


class NobodyInVideoError(GaitError, AnalysisError):
    """Nobody was found in the video or keypoints (not to be confused with a person not stored)."""


class TooShortError(GaitError, AnalysisError):
    """The clip holds too few steps to measure anything."""


class KeypointFileError(GaitError, InvalidInputError):
    """A keypoint file is malformed."""
