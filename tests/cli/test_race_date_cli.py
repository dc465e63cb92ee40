"""``heelcoach assess`` and ``heelcoach plan --answers`` refuse a race date already past (issue 12)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import yaml
from typer.testing import CliRunner

from heelcoach.cli.main import app
from heelcoach.services.assess import sample_answers_path

RUNNER = CliRunner()


def _answers(tmp_path: Path, race: date) -> Path:
    answers = yaml.safe_load(sample_answers_path("typical_runner").read_text(encoding="utf-8"))
    answers.update(running_goal="race", race_date=race.isoformat())
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers), encoding="utf-8")
    return path


def test_assess_refuses_a_past_race_date(tmp_path: Path) -> None:
    past = date.today() - timedelta(days=30)
    result = RUNNER.invoke(app, ["assess", "--answers", str(_answers(tmp_path, past)), "--save"])
    assert result.exit_code != 0
    flat = " ".join(result.output.split())
    assert f"race_date: got {past.isoformat()}" in flat
    assert "has already passed" in flat
    assert "Traceback" not in result.output


def test_plan_refuses_a_past_race_date_and_accepts_a_coming_one(tmp_path: Path) -> None:
    past = date.today() - timedelta(days=1)
    refused = RUNNER.invoke(app, ["plan", "--answers", str(_answers(tmp_path, past))])
    assert refused.exit_code != 0
    assert "has already passed" in " ".join(refused.output.split())
    coming = date.today() + timedelta(days=60)
    made = RUNNER.invoke(app, ["plan", "--answers", str(_answers(tmp_path, coming))])
    assert made.exit_code == 0, made.output
