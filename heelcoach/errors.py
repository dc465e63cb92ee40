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
    │   ├── KeypointFileError        (gait)
    │   ├── IntakeError              answers that do not fit the questionnaire (domain)
    │   ├── AnswersFileError         an answers file that cannot be read     (services)
    │   ├── AccountError             a login, invitation or account change refused (services)
    │   │   └── NotAllowedError      the actor's role does not allow it     (services)
    │   ├── ReminderError            a reminder setting that cannot be used  (services)
    │   ├── BlobError                an upload that cannot be stored (quota) (services)
    │   ├── ChangeRefusedError       a clinician's plan change the engine refuses (domain; CareError)
    │   └── UploadRejectedError      an upload refused before it is stored  (web)
    ├── AnalysisError                valid input that could not be analysed
    │   ├── NobodyInVideoError       (gait)
    │   └── TooShortError            (gait)
    ├── ConflictError                the request does not fit the current state
    │                                (too early for a review, the plan is not paused)
    ├── NotFoundError                nothing stored under that id
    │   ├── UnknownItemError         no exercise or self-test has that id    (services)
    │   ├── UnknownPersonError       no person has that id                   (services)
    │   ├── NobodyYetError           nobody is set up yet                    (services)
    │   ├── NoAnswersError           no questionnaire answers to plan from   (services)
    │   └── NoPlanError              no plan yet                             (services)
    ├── JobError                     background work failed, with a message for the person
    ├── JobServerAwayError           the job server does not answer; nothing was lost (services)
    │   ├── GaitNotQueuedError       the video is kept; its analysis waits for a retry (services)
    │   └── ImportNotQueuedError     the watch files are kept; their import waits for a retry (services)
    ├── SchemaError                  the database is not at this version's schema   (store)
    └── KnowledgeError               the clinical data does not validate     (knowledge)
        └── TemplateError

``GaitError`` is the base of every gait error (each also sits under its kind above).

No kind is also a built-in error, so an ``except ValueError`` can never swallow one by accident
(and a bug's ``ValueError`` is never shown as bad input). The one exception is
:class:`KnowledgeError`, also a ``ValueError`` because pydantic turns a ``ValueError`` raised in a
validator into a validation error that names the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "AnalysisError",
    "ConflictError",
    "HeelcoachError",
    "InvalidInputError",
    "JobError",
    "KnowledgeError",
    "NotFoundError",
]


class HeelcoachError(Exception):
    """The root: every error heelcoach raises on purpose. ``str(err)`` is for a person."""


class InvalidInputError(HeelcoachError):
    """Bad input a person can fix: the message names the file, field or answer and what to do.

    ``problems`` may keep per-field problems (e.g. ``IntakeError.problems``) so that a form can
    show each next to its question.
    """

    def __init__(self, *args: object, problems: Sequence[Any] = ()) -> None:
        super().__init__(*args)
        self.problems: tuple[Any, ...] = tuple(problems)


class ConflictError(HeelcoachError):
    """The request does not fit the current state (too early for a review, nothing to resume)."""


class AnalysisError(HeelcoachError):
    """The input is valid but could not be analysed (nobody in the video, too few steps)."""


class NotFoundError(HeelcoachError):
    """Nothing is stored under that id."""


class JobError(HeelcoachError):
    """Background work failed; the message is meant for the person who started it (no traceback)."""


class KnowledgeError(HeelcoachError, ValueError):
    """The clinical knowledge data does not validate; the message names the file and the field.

    A ``ValueError`` also because pydantic turns a ``ValueError`` raised in a validator into a
    validation error that names the field.
    """
