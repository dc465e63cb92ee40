"""The assess use case: read intake answers, validate them, triage, and shape the result for output."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from heelcoach import DISCLAIMER
from heelcoach.domain.intake import IntakeError, validate_answers
from heelcoach.domain.triage import AnswerRef, ConditionScore, Reason, TriageResult, triage
from heelcoach.errors import InvalidInputError
from heelcoach.knowledge import Catalogue

__all__ = [
    "SAMPLE_NAMES",
    "AnswersFileError",
    "IntakeError",
    "assess",
    "assess_file",
    "load_answers_file",
    "sample_answers_path",
    "triage_to_dict",
]

#: Bundled sample answer files (heelcoach/samples/<name>.yaml).
SAMPLE_NAMES = ("typical_runner", "red_flag_runner")


class AnswersFileError(InvalidInputError):
    """An answers file cannot be read; the message names the file and says what to do."""


def sample_answers_path(name: str = "typical_runner") -> Path:
    """Path of a bundled sample answers file."""
    if name not in SAMPLE_NAMES:
        raise AnswersFileError(f"no sample named '{name}'; choose one of {', '.join(SAMPLE_NAMES)}")
    return Path(str(resources.files("heelcoach.samples") / f"{name}.yaml"))


def load_answers_file(path: str | Path) -> dict[str, Any]:
    """Read answers from a YAML or JSON file (a mapping of question id -> answer).

    Raises :class:`AnswersFileError` naming the file (and the line where the parser can tell)
    for a missing or unreadable file, broken YAML/JSON, or a top level that is not a mapping.
    """
    path = Path(path)
    if not path.exists():
        raise AnswersFileError(f"{path}: no such file. Check the path.")
    if not path.is_file():
        raise AnswersFileError(f"{path}: is not a file; give a YAML or JSON file of answers.")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise AnswersFileError(
            f"{path}: is not a UTF-8 text file; save the answers as YAML or JSON text."
        ) from None
    except OSError as exc:
        raise AnswersFileError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    if path.suffix.lower() == ".json":
        try:
            data: Any = json.loads(text)
        except json.JSONDecodeError as exc:
            raise AnswersFileError(
                f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}."
            ) from None
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or "cannot be parsed"
            raise AnswersFileError(f"{path}: not valid YAML{where}: {problem}.") from None
    if data is None:
        raise AnswersFileError(f"{path}: is empty; it must map each question id to an answer.")
    if not isinstance(data, Mapping):
        raise AnswersFileError(
            f"{path}: the top level must be a mapping of question id to answer "
            f"(like 'age_years: 38'), not a {type(data).__name__}."
        )
    return {str(k): v for k, v in data.items()}


def assess(answers: Mapping[str, Any], catalogue: Catalogue, today: date | None = None) -> TriageResult:
    """Validate the answers against the questionnaire, then triage them.

    Raises :class:`IntakeError` (listing every bad answer) before any rule runs. With ``today``
    (new answers), a race date already past is one of them.
    """
    clean = validate_answers(answers, catalogue.triage, today)
    return triage(clean, catalogue)


def assess_file(path: str | Path, catalogue: Catalogue) -> TriageResult:
    """Read an answers file and assess it (AnswersFileError or IntakeError on bad input)."""
    return assess(load_answers_file(path), catalogue)


def _plain(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _answers(refs: tuple[AnswerRef, ...]) -> dict[str, Any]:
    return {a.question_id: _plain(a.value) for a in refs}


def _reason(reason: Reason) -> dict[str, Any]:
    return {
        "text": reason.text,
        "weight": reason.weight,
        "question_ids": list(reason.question_ids),
        "answers": _answers(reason.answers),
    }


def _condition(cond: ConditionScore) -> dict[str, Any]:
    return {
        "condition_id": cond.condition_id,
        "name": cond.name,
        "kind": cond.kind,
        "likelihood": cond.likelihood,
        "score": cond.score,
        "supporting": [_reason(r) for r in cond.supporting],
        "against": [_reason(r) for r in cond.against],
        "plain": cond.plain,
        "what_to_do": cond.what_to_do,
        "note": cond.note,
        "self_manageable": cond.self_manageable,
    }


def triage_to_dict(result: TriageResult) -> dict[str, Any]:
    """A JSON-ready dict of the whole result, with the disclaimer."""
    top = result.top
    return {
        "questionnaire_version": result.questionnaire_version,
        "level": result.level.value,
        "level_title": result.level_title,
        "level_plain": result.level_plain,
        "level_reasons": list(result.level_reasons),
        "needs_clinician": result.needs_clinician,
        "referral_action": result.referral_action,
        "stops_loading": result.stops_loading,
        "red_flags": [
            {
                "id": f.id,
                "name": f.name,
                "level": f.level.value,
                "reason": f.reason,
                "what_to_do": f.what_to_do,
                "answers": _answers(f.answers),
                "suggests": f.suggests,
                "action": f.action,
                "stops_loading": f.stops_loading,
            }
            for f in result.red_flags
        ],
        "top_condition": top.condition_id if top else None,
        "treats": result.treats,
        "treats_name": top.name if (top is not None and result.treats) else None,
        "unanswered": list(result.unanswered),
        "notes": list(result.notes),
        "differential": [_condition(c) for c in result.differential],
        "safety_flags": sorted(result.safety_flags),
        "safety_notes": list(result.safety_notes),
        "cautions": [
            {"id": c.id, "reason": c.reason, "answers": _answers(c.answers)} for c in result.cautions
        ],
        "passive_loop": result.passive_loop,
        "passive_loop_note": result.passive_loop_note,
        "next_steps": list(result.next_steps),
        "disclaimer": DISCLAIMER,
    }
