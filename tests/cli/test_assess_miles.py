"""`heelcoach assess` for a runner who counts in miles: the distance questions are asked in miles
(words, bounds, the answer read back), stored in km, and the result names them in miles."""

from __future__ import annotations

import re
from typing import Any

import pytest
from typer.testing import CliRunner

from heelcoach.cli.common import open_context
from heelcoach.cli.main import app
from heelcoach.domain.intake import asked, format_answer
from heelcoach.domain.units import KM_PER_MILE
from heelcoach.knowledge.schema_triage import QUESTION_GROUPS
from heelcoach.services import intake, people
from tests.web.answers import TYPICAL

#: What the runner types for each distance question, in miles (and one out of bounds first).
MILES = {"weekly_distance_km": ["200", "30"], "longest_run_km": ["10"], "shoe_age_km": ["700"]}


def _lines(catalogue: Any) -> list[str]:
    order = {g: i for i, g in enumerate(QUESTION_GROUPS)}
    lines: list[str] = []
    for q in sorted(catalogue.triage.questions, key=lambda q: order[q.group]):
        if not asked(q, TYPICAL):
            continue
        if q.id in MILES:
            lines.extend(MILES[q.id])
        elif q.id not in TYPICAL:
            lines.append("skip")
        else:
            value = TYPICAL[q.id]
            lines.append("none" if value == [] else format_answer(value).replace(", ", ","))
    return lines


def test_a_miles_runner_is_asked_distances_in_miles(catalogue: Any) -> None:
    cli = CliRunner()
    with open_context() as ctx:
        person = people.create_person(ctx, "M")
    assert cli.invoke(app, ["units", "mi"]).exit_code == 0
    result = cli.invoke(app, ["assess"], input="\n".join(_lines(catalogue)) + "\n")
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "About how many miles do you run in a normal week?" in out
    assert "Sorry, '200' does not fit. Expected a number from 0 to 186 mi." in out
    assert "How long was your longest run in the last month, in miles?" in out
    assert not re.search(r"\bkm\b|kilomet", out), out
    with open_context() as ctx:
        record = intake.latest_intake(ctx, person.id)
    assert record is not None
    answers = dict(record.answers)
    assert answers["weekly_distance_km"] == pytest.approx(30 * KM_PER_MILE, abs=0.001)
    assert answers["longest_run_km"] == pytest.approx(10 * KM_PER_MILE, abs=0.001)
    assert answers["shoe_age_km"] == pytest.approx(700 * KM_PER_MILE, abs=0.001)


def test_a_runner_who_has_not_chosen_is_asked_in_kilometres(catalogue: Any) -> None:
    lines = [("25" if line == "30" else line) for line in _lines(catalogue) if line != "200"]
    result = CliRunner().invoke(app, ["assess"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "About how many kilometres do you run in a normal week?" in out
    with open_context() as ctx:
        record = intake.latest_intake(ctx, people.resolve_person(ctx).id)
    assert record is not None
    assert record.answers["weekly_distance_km"] == 25
