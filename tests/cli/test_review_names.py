"""``heelcoach review`` names each item as the runner knows it, never by its id."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heelcoach.cli.main import app
from heelcoach.knowledge import load_catalogue
from heelcoach.services.assess import sample_answers_path
from tests.knowledge.test_readable_texts import all_ids, leaks


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("HEELCOACH_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("HEELCOACH_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def test_review_lines_use_item_names(cli: CliRunner) -> None:
    start = date.today() - timedelta(days=7)
    week = cli.invoke(app, ["plan", "--answers", str(sample_answers_path()), "--today", str(start), "--json"])
    assert week.exit_code == 0, week.output
    items = [i["id"] for i in json.loads(week.stdout)["plan"]["items"] if i["kind"] == "exercise"]
    for back in range(7, 0, -1):
        day = str(date.today() - timedelta(days=back))
        args = ["checkin", "--first-step", "2", "--worst", "2", "--day", day]
        for item in items:
            args += ["--done", item]
        assert cli.invoke(app, args).exit_code == 0
    review = cli.invoke(app, ["review", "--today", str(date.today())])
    assert review.exit_code == 0, review.output
    catalogue = load_catalogue()
    lines = [line for line in review.stdout.splitlines() if line.startswith("- ")]
    assert lines
    names = {catalogue.exercises[i].name for i in items if i in catalogue.exercises}
    assert any(line[2:].split(":")[0] in names for line in lines), lines
    ids = all_ids(catalogue)
    for line in lines:
        shown = line.split(" (rule: ")[0]  # the rule that fired is named for a clinician reading along
        assert not leaks(shown, ids), line
