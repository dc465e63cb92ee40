"""The printable triage summary a runner takes to a clinician: the result and every answer, in words.

Built from a stored intake (answers plus the triage they produced) and the catalogue's questions,
so the page shows question prompts and choice labels, never answer ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from heelcoach.domain.intake import answer_in_unit, question_in_unit
from heelcoach.domain.units import DistanceUnit
from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.schema_triage import Question
from heelcoach.web.backend import Backend
from heelcoach.web.questions import GROUP_TITLES, group_ids
from heelcoach.web.views import TriageView, attr, triage_view


@dataclass(frozen=True, slots=True)
class AnswerLine:
    """One question and the runner's answer in words."""

    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class FlagLine:
    """A warning sign that fired, with the answers that raised it."""

    name: str
    reason: str
    answers: list[AnswerLine]


@dataclass(frozen=True, slots=True)
class SummaryView:
    """Everything on the printable summary."""

    answered_on: str
    triage: TriageView
    flags: list[FlagLine]
    groups: list[tuple[str, list[AnswerLine]]]


def answer_text(question: Any, value: Any, unit: DistanceUnit = DistanceUnit.KM) -> str:
    """An answer as a person reads it: choice labels, yes/no, the number with its unit (a
    distance, stored in km, in ``unit``)."""
    if isinstance(question, Question):
        value = answer_in_unit(question, value, unit)
        question = question_in_unit(question, unit)
    if value is None or value == "":
        return "not answered"
    if value == []:
        return "none of these"
    if isinstance(value, bool):
        return "yes" if value else "no"
    labels = {str(attr(c, "id")): str(attr(c, "label")) for c in attr(question, "choices", []) or []}
    if isinstance(value, list | tuple):
        return ", ".join(labels.get(str(v), str(v).replace("_", " ")) for v in value)
    if str(value) in labels:
        return labels[str(value)]
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    unit = attr(question, "unit")
    return f"{shown} {unit}" if unit else shown


def _questions(catalogue: Catalogue) -> dict[str, Any]:
    return {str(q.id): q for q in catalogue.triage.questions}


def _line(questions: dict[str, Any], qid: str, value: Any, unit: DistanceUnit) -> AnswerLine:
    q = questions.get(qid)
    asked = question_in_unit(q, unit) if q is not None else None
    prompt = str(attr(asked, "prompt", "")) if asked is not None else qid.replace("_", " ")
    return AnswerLine(prompt, answer_text(q, value, unit))


def _flag_lines(triage: dict[str, Any], questions: dict[str, Any], unit: DistanceUnit) -> list[FlagLine]:
    out = []
    for flag in triage.get("red_flags", []) or []:
        if not isinstance(flag, dict):
            continue
        raised = flag.get("answers") or {}
        out.append(
            FlagLine(
                name=str(flag.get("name") or ""),
                reason=str(flag.get("reason") or ""),
                answers=[_line(questions, str(k), v, unit) for k, v in raised.items()],
            )
        )
    return out


def summary_view(
    answers: dict[str, Any],
    triage: dict[str, Any],
    answered_at: datetime,
    catalogue: Catalogue,
    unit: DistanceUnit = DistanceUnit.KM,
) -> SummaryView:
    """The printable summary of one stored intake (distances in ``unit``)."""
    questions = _questions(catalogue)
    groups: list[tuple[str, list[AnswerLine]]] = []
    for group in group_ids(catalogue):
        title = GROUP_TITLES.get(group, (group.replace("_", " ").capitalize(), ""))[0]
        lines = [
            _line(questions, qid, answers.get(qid), unit)
            for qid, q in questions.items()
            if str(q.group) == group and answers.get(qid) not in (None, "")
        ]
        if lines:
            groups.append((title, lines))
    return SummaryView(
        answered_on=f"{answered_at:%-d %B %Y}",
        triage=triage_view(triage, catalogue),
        flags=_flag_lines(triage, questions, unit),
        groups=groups,
    )


def stopped_by_triage(backend: Backend, person_id: int) -> bool:
    """Whether the runner's latest answers stop the plan (a clinician first), for pages with no plan."""
    triage = backend.latest_triage(person_id)
    return bool(triage is not None and triage.stop)
