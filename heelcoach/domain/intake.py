"""Check intake answers against the questionnaire and turn typed text into answers.

Pure: the questionnaire comes in as :class:`TriageKnowledge`; nothing is read from disk.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from heelcoach.domain.units import DistanceUnit, from_km, to_km
from heelcoach.errors import InvalidInputError
from heelcoach.knowledge.schema_triage import Question, TriageKnowledge

__all__ = [
    "FUTURE_DATE_QUESTIONS",
    "MISSING",
    "CheckedAnswer",
    "IntakeError",
    "IntakeProblem",
    "ProblemKind",
    "answer_in_unit",
    "answer_to_km",
    "check_answer",
    "expected_text",
    "format_answer",
    "future_date_problems",
    "is_distance",
    "parse_text_answer",
    "question_in_unit",
    "validate_answers",
]

#: Shown as the "given" value of a required answer that is absent.
MISSING = "<missing>"

_YES = {"y", "yes", "true", "1"}
_NO = {"n", "no", "false", "0"}
_NONE_WORDS = {"none", "nothing", "-"}


ProblemKind = Literal["invalid", "missing", "unknown"]

#: Date questions about something still to come (a race): a day already past is refused.
FUTURE_DATE_QUESTIONS = frozenset({"race_date"})


@dataclass(frozen=True, slots=True, kw_only=True)
class IntakeProblem:
    """One bad answer: which question, what was given, what was expected.

    ``kind`` is ``invalid`` (wrong type or out of range), ``missing`` (a required answer is
    absent) or ``unknown`` (the id is not a question; ``expected`` then says what to do).
    """

    question_id: str
    given: str
    expected: str
    kind: ProblemKind = "invalid"

    def message(self) -> str:
        """One plain line naming the field, the value and what to give instead."""
        if self.kind == "unknown":
            return (
                f"{self.question_id}: not a question of the questionnaire ({self.expected}; got {self.given})"
            )
        if self.kind == "missing":
            return f"{self.question_id}: got {MISSING}; expected a required answer: {self.expected}"
        return f"{self.question_id}: got {self.given}; expected {self.expected}"


class IntakeError(InvalidInputError):
    """Answers that do not fit the questionnaire; lists every problem, not just the first."""

    def __init__(self, problems: Sequence[IntakeProblem]) -> None:
        super().__init__("\n".join(p.message() for p in problems), problems=problems)
        self.problems: tuple[IntakeProblem, ...] = tuple(problems)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _num(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else str(value)


def expected_text(question: Question) -> str:
    """What a valid answer to ``question`` looks like, in words."""
    unit = f" {question.unit}" if question.unit else ""
    if question.type == "bool":
        return "yes or no (true/false)"
    if question.type == "scale":
        return "a number from 0 to 10"
    if question.type in ("int", "number"):
        kind = "a whole number" if question.type == "int" else "a number"
        if question.min is not None and question.max is not None:
            return f"{kind} from {_num(question.min)} to {_num(question.max)}{unit}"
        return f"{kind}{unit}"
    if question.type == "choice":
        return "one of: " + ", ".join(question.choice_ids())
    if question.type == "multi":
        return "a list (possibly empty) of: " + ", ".join(question.choice_ids())
    if question.type == "date":
        return "a date as YYYY-MM-DD"
    limit = f" of at most {question.max_length} characters" if question.max_length else ""
    return f"text{limit}"


def _in_range(question: Question, value: float) -> bool:
    if question.min is not None and value < question.min:
        return False
    return not (question.max is not None and value > question.max)


@dataclass(frozen=True, slots=True)
class _Checked:
    """What one of the per-type checks below made of an answer: the normalised value, and whether
    it fits."""

    value: Any
    ok: bool


_INVALID = _Checked(None, False)


def _check_bool(question: Question, value: Any) -> _Checked:
    return _Checked(value, isinstance(value, bool))


def _check_number(question: Question, value: Any) -> _Checked:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _INVALID
    if isinstance(value, float) and not math.isfinite(value):
        return _INVALID
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif question.type == "int" and isinstance(value, float):
        return _INVALID
    return _Checked(value, _in_range(question, float(value)))


def _check_choice(question: Question, value: Any) -> _Checked:
    if isinstance(value, bool) and {"yes", "no"} <= set(question.choice_ids()):
        # YAML reads a bare yes/no as true/false; for a yes/no choice that loses no meaning.
        value = "yes" if value else "no"
    return _Checked(value, isinstance(value, str) and value in question.choice_ids())


def _check_multi(question: Question, value: Any) -> _Checked:
    if not isinstance(value, list | tuple):
        return _INVALID
    allowed = question.choice_ids()
    if any(not isinstance(v, str) or v not in allowed for v in value):
        return _INVALID
    # Keep questionnaire order and drop repeats: the answer is a set.
    chosen = set(value)
    return _Checked([c for c in allowed if c in chosen], True)


def _check_date(question: Question, value: Any) -> _Checked:
    if isinstance(value, datetime):
        return _Checked(value.date(), True)
    if isinstance(value, date):
        return _Checked(value, True)
    if isinstance(value, str):
        try:
            return _Checked(date.fromisoformat(value.strip()), True)
        except ValueError:
            return _INVALID
    return _INVALID


def _check_text(question: Question, value: Any) -> _Checked:
    if not isinstance(value, str):
        return _INVALID
    return _Checked(value, question.max_length is None or len(value) <= question.max_length)


_CHECKS: dict[str, Callable[[Question, Any], _Checked]] = {
    "bool": _check_bool,
    "int": _check_number,
    "number": _check_number,
    "scale": _check_number,
    "choice": _check_choice,
    "multi": _check_multi,
    "date": _check_date,
    "text": _check_text,
}


@dataclass(frozen=True, slots=True)
class CheckedAnswer:
    """One answer checked: the normalised value when it fits, else the problem (``value`` None)."""

    value: Any
    problem: IntakeProblem | None = None


def check_answer(question: Question, value: Any) -> CheckedAnswer:
    """Normalise one answer: its value when valid, else the problem.

    Lenient only where no meaning is lost: a whole float for an int (``3.0``), an ISO date
    string for a date, a tuple for a list.
    """
    checked = _CHECKS[question.type](question, value)
    if checked.ok:
        return CheckedAnswer(checked.value)
    return CheckedAnswer(
        None, IntakeProblem(question_id=question.id, given=_shown(value), expected=expected_text(question))
    )


def future_date_problems(clean: Mapping[str, Any], today: date) -> list[IntakeProblem]:
    """Problems for validated answers that name a day already past where a future one is asked."""
    problems = []
    for qid in sorted(FUTURE_DATE_QUESTIONS):
        day = clean.get(qid)
        if isinstance(day, date) and day < today:
            problems.append(
                IntakeProblem(
                    question_id=qid,
                    given=day.isoformat(),
                    expected=f"a day still to come: {day.isoformat()} has already passed "
                    "(give the date of your next race, or leave it out if none is planned)",
                )
            )
    return problems


def asked(question: Question, answers: Mapping[str, Any]) -> bool:
    """Whether ``question`` is asked, given the answers so far: every ``ask_if`` holds (an
    'equals' on an earlier yes/no or choice answer, validated on load). A missing answer never
    holds, so a follow-up question waits for the answer it follows."""
    for pred in question.ask_if:
        value = answers.get(pred.question)
        if value is None or isinstance(value, bool) != isinstance(pred.equals, bool) or value != pred.equals:
            return False
    return True


def validate_answers(
    answers: Mapping[str, Any], knowledge: TriageKnowledge, today: date | None = None
) -> dict[str, Any]:
    """Return the normalised answers, or raise :class:`IntakeError` listing every problem.

    Problems: ids that are not questions (with a close match suggested), required answers that
    are missing, and values of the wrong type or out of range. ``None`` for an optional question
    means "skipped" and is dropped.

    A required question added after the first questionnaire (``added_in`` > 1) may be missing: an
    answers file written before it still loads, and triage treats the question as "not answered"
    (never as "no"; see ``domain.triage.unanswered_questions``).

    With ``today``, a race date already past is a problem too (stored answers are re-read
    without ``today``: a race that has passed since does not make them unreadable).
    """
    questions = knowledge.questions_by_id()
    problems: list[IntakeProblem] = []
    clean: dict[str, Any] = {}
    for key in answers:
        if not isinstance(key, str) or key not in questions:
            close = difflib.get_close_matches(str(key), list(questions), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(
                IntakeProblem(
                    question_id=str(key),
                    given=_shown(answers[key]),
                    expected=f"{hint}remove it or fix its id",
                    kind="unknown",
                )
            )
    for qid, question in questions.items():
        value = answers.get(qid)
        if value is None:
            if question.required and question.added_in <= 1:
                problems.append(
                    IntakeProblem(
                        question_id=qid, given=MISSING, expected=expected_text(question), kind="missing"
                    )
                )
            continue
        checked = check_answer(question, value)
        if checked.problem is not None:
            problems.append(checked.problem)
        else:
            clean[qid] = checked.value
    if today is not None:
        problems.extend(future_date_problems(clean, today))
    if problems:
        raise IntakeError(problems)
    return clean


def parse_text_answer(question: Question, text: str) -> Any:
    """Turn what a person typed into an answer for ``question``; raise IntakeError if it does not fit.

    Choices may be typed as their id or their number in the list; multi answers as ids or
    numbers separated by commas or spaces, or ``none``.
    """
    raw = text.strip()

    def fail() -> IntakeError:
        return IntakeError(
            [IntakeProblem(question_id=question.id, given=_shown(raw), expected=expected_text(question))]
        )

    kind = question.type
    if kind == "bool":
        return _yes_no(raw, fail)
    if kind in ("int", "number", "scale"):
        try:
            value: Any = int(raw) if kind == "int" else float(raw)
        except ValueError:
            raise fail() from None
        checked = check_answer(question, value)
        if checked.problem is not None:
            raise fail()
        return checked.value
    if kind == "choice":
        return _pick(question, raw, fail)
    if kind == "multi":
        if raw.lower() in _NONE_WORDS:
            return []
        parts = [p for p in raw.replace(",", " ").split() if p]
        if not parts:
            raise fail()
        picked = [_pick(question, p, fail) for p in parts]
        return [c for c in question.choice_ids() if c in set(picked)]
    checked = check_answer(question, raw)
    if checked.problem is not None:
        raise fail()
    return checked.value


def _yes_no(raw: str, fail: Callable[[], IntakeError]) -> bool:
    low = raw.lower()
    if low in _YES:
        return True
    if low in _NO:
        return False
    raise fail()


def _pick(question: Question, raw: str, fail: Callable[[], IntakeError]) -> str:
    ids = question.choice_ids()
    if raw.isdigit() and 1 <= int(raw) <= len(ids):
        return ids[int(raw) - 1]
    if raw.lower() in ids:
        return raw.lower()
    raise fail()


def format_answer(value: Any) -> str:
    """An answer in plain words: yes/no, comma lists, ISO dates."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) if value else "none"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# ------------------------------------------------------------------ distance questions in miles
# A distance question is stored in kilometres (its id ends in _km, its unit is km); a runner who
# counts in miles is asked it in miles, with the question's own words for that and its bounds
# converted (rounded inwards, so any answer in them is within the stored bounds).


def is_distance(question: Question) -> bool:
    """Whether ``question`` asks a distance (stored in km; the knowledge gives such a question its
    words in miles, and only such a question)."""
    return question.in_miles is not None


def question_in_unit(question: Question, unit: DistanceUnit) -> Question:
    """``question`` as a runner counting in ``unit`` is asked it: words, bounds and unit label."""
    if unit is DistanceUnit.KM or question.in_miles is None or question.unit == unit.label:
        return question  # kilometres, not a distance, or already asked in ``unit``
    return question.model_copy(
        update={
            "prompt": question.in_miles.prompt,
            "help": question.in_miles.help,
            "unit": unit.label,
            "min": None if question.min is None else math.ceil(from_km(question.min, unit)),
            "max": None if question.max is None else math.floor(from_km(question.max, unit)),
        }
    )


def answer_to_km(question: Question, value: Any, unit: DistanceUnit) -> Any:
    """An answer typed in ``unit`` as stored: a distance in km (3 decimals), anything else as is."""
    if not is_distance(question) or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    km = round(to_km(float(value), unit), 3)
    return int(km) if km.is_integer() else km


def answer_in_unit(question: Question, value: Any, unit: DistanceUnit) -> Any:
    """A stored answer as the runner typed it: a distance in ``unit`` (2 decimals), else as is."""
    if not is_distance(question) or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    shown = round(from_km(float(value), unit), 2)
    return int(shown) if shown.is_integer() else shown
