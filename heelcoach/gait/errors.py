"""Errors the gait pipeline raises; every message names the file and says what to do."""

from __future__ import annotations


class GaitError(ValueError):
    """Base class: the input cannot be analysed. ``str(err)`` is a message for a person."""


class UnreadableVideoError(GaitError):
    """The file is not a video OpenCV can decode."""


class WrongFileTypeError(GaitError):
    """The file type is not one heelcoach analyses."""


class NoPersonError(GaitError):
    """No person (or too few frames with one) was found."""


class TooShortError(GaitError):
    """The clip holds too few steps to measure anything."""


class KeypointFileError(GaitError):
    """A keypoint file is malformed."""
