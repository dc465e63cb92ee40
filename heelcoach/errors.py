"""The one exception tree of heelcoach (after httpx's ``_exceptions.py``).

Every error heelcoach raises on purpose is a :class:`HeelcoachError`; ``str(err)`` is a message a
person can act on, in the words of the layer that raised it, without instructions for one
interface (the CLI or the web app adds its own hint). Anything else that escapes is a bug::

    HeelcoachError
    ├── InvalidInputError            bad input a person can fix (a file, a field, an answer)
    │   ├── ActivityFileError        a watch file that cannot be imported   (activities)
    │   │   ├── NotAnActivityError
    │   │   ├── TooManyPointsError
    │   │   └── FitDecodeError
    │   ├── ArchiveRefusedError      a whole archive refused (size, entries) (activities)
    │   ├── UnreadableVideoError     (gait)
    │   ├── WrongFileTypeError       (gait)
    │   └── KeypointFileError        (gait)
    ├── AnalysisError                valid input that could not be analysed
    │   ├── NobodyInVideoError       (gait)
    │   └── TooShortError            (gait)
    ├── NotFoundError                nothing stored under that id
    └── KnowledgeError               the clinical data does not validate     (knowledge)
        └── TemplateError

``GaitError`` is the base of every gait error (each also sits under its kind above).

For now :class:`InvalidInputError`, :class:`AnalysisError`'s gait errors and
:class:`KnowledgeError` are also ``ValueError`` (and :class:`NotFoundError` a ``LookupError``), so
handlers that still catch those keep working; once every interface catches only
``HeelcoachError`` the built-in bases go.
"""

from __future__ import annotations

__all__ = ["AnalysisError", "HeelcoachError", "InvalidInputError", "KnowledgeError", "NotFoundError"]


class HeelcoachError(Exception):
    """The root: every error heelcoach raises on purpose. ``str(err)`` is for a person."""


class InvalidInputError(HeelcoachError, ValueError):
    """Bad input a person can fix: the message names the file, field or answer and what to do."""


class AnalysisError(HeelcoachError):
    """The input is valid but could not be analysed (nobody in the video, too few steps)."""


class NotFoundError(HeelcoachError, LookupError):
    """Nothing is stored under that id."""


class KnowledgeError(HeelcoachError, ValueError):
    """The clinical knowledge data does not validate; the message names the file and the field.

    A ``ValueError`` also because pydantic turns a ``ValueError`` raised in a validator into a
    validation error that names the field.
    """
