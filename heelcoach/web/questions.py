"""The intake questionnaire for the browser: groups of questions, parsing and checking answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from heelcoach.domain.intake import answer_in_unit, answer_to_km, asked, question_in_unit
from heelcoach.domain.units import DistanceUnit
from heelcoach.knowledge import Catalogue
from heelcoach.web.views import attr

#: Group ids -> heading and a line of help, in the order asked.
GROUP_TITLES: dict[str, tuple[str, str]] = {
    "about_you": ("About you", "A few facts so doses and advice fit you."),
    "running": ("Your running", "How much you run now and what you want to get back to."),
    "your_pain": (
        "Your heel pain",
        "Where and when it hurts. First-step pain in the morning is the key signal.",
    ),
    "warning_signs": ("Warning signs", "Some answers mean a clinician should look at your heel first."),
    "health_and_safety": ("Health and safety", "Some conditions rule out certain tools or massage."),
    "history": (
        "What you have tried",
        "Past episodes and treatments, so the plan does not repeat what failed.",
    ),
}


@dataclass(frozen=True, slots=True)
class ChoiceView:
    """One allowed answer."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class QuestionView:
    """A question as the form shows it, with the saved answer and any error."""

    id: str
    type: str
    prompt: str
    help: str
    required: bool
    min: float | None
    max: float | None
    unit: str | None
    choices: list[ChoiceView]
    value: Any = None
    error: str | None = None
    #: Shown only when these answers are given: (form field name, form value) pairs.
    ask_if: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class GroupView:
    """A page of the questionnaire."""

    id: str
    title: str
    intro: str
    questions: list[QuestionView] = field(default_factory=list)


def questions_of(catalogue: Catalogue) -> list[Any]:
    """The questionnaire's questions (empty while triage content is not written)."""
    return list(catalogue.triage.questions)


def group_ids(catalogue: Catalogue) -> list[str]:
    """The groups that hold at least one question, in the order asked."""
    present = {str(attr(q, "group")) for q in questions_of(catalogue)}
    ordered = [g for g in GROUP_TITLES if g in present]
    return ordered + sorted(present - set(ordered))


def group_view(
    catalogue: Catalogue,
    group: str,
    answers: dict[str, Any],
    errors: dict[str, str],
    unit: DistanceUnit = DistanceUnit.KM,
) -> GroupView:
    """The questions of one group with the answers so far; distances asked and shown in ``unit``
    (the answers hold km)."""
    title, intro = GROUP_TITLES.get(group, (group.replace("_", " ").capitalize(), ""))
    views = []
    for stored in questions_of(catalogue):
        if str(attr(stored, "group")) != group:
            continue
        q = question_in_unit(stored, unit)
        qid = str(attr(q, "id"))
        views.append(
            QuestionView(
                id=qid,
                type=str(attr(q, "type")),
                prompt=str(attr(q, "prompt", qid)),
                help=str(attr(q, "help", "") or ""),
                required=bool(attr(q, "required", True)),
                min=attr(q, "min"),
                max=attr(q, "max"),
                unit=attr(q, "unit"),
                choices=[
                    ChoiceView(str(attr(c, "id")), str(attr(c, "label"))) for c in attr(q, "choices", [])
                ],
                value=answer_in_unit(stored, answers.get(qid), unit),
                error=errors.get(qid),
                ask_if=tuple(
                    (f"q_{p.question}", _form_value(p.equals)) for p in attr(q, "ask_if", None) or ()
                ),
            )
        )
    return GroupView(group, title, intro, views)


def _form_value(value: Any) -> str:
    """The form value of an answer: yes/no for a yes/no question, else the choice id."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _number(q: Any, text: str, whole: bool) -> tuple[Any, str | None]:
    try:
        value: float | int = int(text) if whole else float(text.replace(",", "."))
    except ValueError:
        kind = "a whole number" if whole else "a number"
        return None, f"Please enter {kind}, for example {int(attr(q, 'min') or 0) + 1}."
    if value != value or value in (float("inf"), float("-inf")):
        return None, "Please enter an ordinary number."
    lo, hi = attr(q, "min"), attr(q, "max")
    unit = f" {attr(q, 'unit')}" if attr(q, "unit") else ""
    if lo is not None and value < lo:
        return None, f"This should be at least {lo:g}{unit}."
    if hi is not None and value > hi:
        return None, f"This should be at most {hi:g}{unit}."
    return value, None


#: Date questions about something still to come: a day already past gets a word, not silence.
FUTURE_DATE_QUESTIONS = frozenset({"race_date"})


def _date(q: Any, text: str, today: date) -> tuple[Any, str | None]:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None, "Please enter a date like 2026-05-31."
    if str(attr(q, "id")) in FUTURE_DATE_QUESTIONS:
        if day < today:
            return None, (
                f"{day.isoformat()} has already passed. Give the date of your next race, "
                "or leave this empty if none is planned."
            )
        if day.year > today.year + 5:
            return None, "That is more than five years away: please check the year."
    elif not 1900 <= day.year <= today.year + 5:
        return None, "Please check the year of this date."
    return day.isoformat(), None


def parse_answer(q: Any, raw: list[str], today: date | None = None) -> tuple[Any, str | None]:
    """Turn the form values of one question into a typed answer; (None, None) when left empty."""
    values = [v.strip() for v in raw if v is not None and v.strip() != ""]
    kind = str(attr(q, "type"))
    if kind == "multi":
        allowed = {str(attr(c, "id")) for c in attr(q, "choices", [])}
        bad = [v for v in values if v not in allowed]
        if bad:
            return None, f"'{bad[0]}' is not one of the options."
        return values, None
    if not values:
        return None, None
    text = values[-1]
    if kind in ("int", "scale"):
        return _number(q, text, whole=True)
    if kind == "number":
        return _number(q, text, whole=False)
    if kind == "bool":
        if text in ("yes", "true", "1"):
            return True, None
        if text in ("no", "false", "0"):
            return False, None
        return None, "Please answer yes or no."
    if kind == "choice":
        options = [str(attr(c, "id")) for c in attr(q, "choices", [])]
        return (text, None) if text in options else (None, "Please pick one of the options.")
    if kind == "date":
        return _date(q, text, today or date.today())
    limit = attr(q, "max_length") or 2000
    if len(text) > limit:
        return None, f"Please keep this under {limit} characters."
    return text, None


def parse_group(
    catalogue: Catalogue, group: str, form: dict[str, list[str]], unit: DistanceUnit = DistanceUnit.KM
) -> tuple[dict[str, Any], dict[str, str]]:
    """Answers and per-question errors for the questions of ``group`` found in ``form``; a distance
    is typed in ``unit`` and comes back in km, as stored."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for q in questions_of(catalogue):
        if str(attr(q, "group")) != group:
            continue
        qid = str(attr(q, "id"))
        value, error = parse_answer(question_in_unit(q, unit), form.get(f"q_{qid}", []))
        if error:
            errors[qid] = error
        answers[qid] = answer_to_km(q, value, unit)
    # a follow-up question whose condition does not hold is not asked: its answer is dropped
    for q in questions_of(catalogue):
        qid = str(attr(q, "id"))
        if qid in answers and attr(q, "ask_if", None) and not asked(q, answers):
            answers[qid] = None
            errors.pop(qid, None)
    return answers, errors


def missing_required(catalogue: Catalogue, answers: dict[str, Any]) -> dict[str, str]:
    """Required questions left unanswered, as field errors."""
    return {
        str(attr(q, "id")): "Please answer this question."
        for q in questions_of(catalogue)
        if attr(q, "required", True)
        and answers.get(str(attr(q, "id"))) in (None, "", [])
        and str(attr(q, "type")) != "multi"
    }
