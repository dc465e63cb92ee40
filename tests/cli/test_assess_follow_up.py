"""``heelcoach assess`` asks where the numbness is only when numbness is reported, and an answers
file may still leave the question out."""

from __future__ import annotations

from typing import Any

from typer.testing import CliRunner

from heelcoach.cli.app import app
from heelcoach.domain.intake import asked, format_answer, validate_answers
from heelcoach.knowledge import load_catalogue
from heelcoach.knowledge.schema_triage import QUESTION_GROUPS
from tests.domain.test_triage_vignettes import BASE

CATALOGUE = load_catalogue()
WHERE = "Where is the numbness, tingling or burning?"


def _lines(answers: dict[str, Any]) -> list[str]:
    order = {g: i for i, g in enumerate(QUESTION_GROUPS)}
    lines: list[str] = []
    for q in sorted(CATALOGUE.triage.questions, key=lambda q: order[q.group]):
        if not asked(q, answers):
            continue
        if q.id in answers and answers[q.id] is not None:
            value = answers[q.id]
            lines.append("none" if value == [] else format_answer(value).replace(", ", ","))
        else:
            lines.append("skip")
    return lines


def _run(answers: dict[str, Any]) -> str:
    result = CliRunner().invoke(app, ["assess", "--json"], input="\n".join(_lines(answers)) + "\n")
    assert result.exit_code == 0, result.output
    return result.output


def test_the_numbness_location_is_asked_only_when_numbness_is_reported() -> None:
    assert WHERE not in _run(BASE)
    said = _run({**BASE, "numbness_tingling_burning": True, "numbness_where": ["both_feet"]})
    assert WHERE in said


def test_an_answers_file_may_leave_the_location_out() -> None:
    answers = {k: v for k, v in {**BASE, "numbness_tingling_burning": True}.items() if k != "numbness_where"}
    assert "numbness_where" not in validate_answers(answers, CATALOGUE.triage)


def test_ask_if_is_validated_on_load() -> None:
    tk = CATALOGUE.triage
    where = tk.question("numbness_where")
    bad = tk.model_copy(
        update={
            "questions": [
                where.model_copy(update={"required": True}) if q.id == "numbness_where" else q
                for q in tk.questions
            ]
        }
    )
    assert any("must be required: false" in p for p in bad.check_refs(set()))
    later = [q for q in tk.questions if q.id != "numbness_tingling_burning"]
    later.append(tk.question("numbness_tingling_burning"))
    moved = tk.model_copy(update={"questions": later})
    assert any("must be an earlier yes/no or choice question" in p for p in moved.check_refs(set()))
