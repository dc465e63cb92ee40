"""``heelcoach demo``: the eight-week replay runs on a throwaway database and tells the story."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heelcoach.cli.main import app


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    # The demo must not touch the configured database: point it somewhere we can check.
    monkeypatch.setenv("HEELCOACH_DATABASE_URL", f"sqlite:///{tmp_path / 'mine.db'}")
    monkeypatch.setenv("HEELCOACH_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def test_demo_tells_eight_weeks_and_leaves_no_data(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for needle in (
        "1. Triage",
        "3. First plan",
        "Week 1 ",
        "Week 8 ",
        "Review -> plan version 9",
        "Pain by week",
        "not a diagnosis",
    ):
        assert needle in out
    assert not (tmp_path / "mine.db").exists()


def test_demo_json_is_one_document(cli: CliRunner) -> None:
    result = cli.invoke(app, ["demo", "--json", "--weeks", "2"])
    assert result.exit_code == 0, result.output
    story = json.loads(result.stdout)
    assert story["triage"]["level"] == "self_manage"
    assert [w["week"] for w in story["weeks"]] == [1, 2]
    assert [v["version"] for v in story["progress"]["plan_history"]] == [1, 2, 3]


def test_demo_triage_only_and_bad_flag(cli: CliRunner) -> None:
    result = cli.invoke(app, ["demo", "--triage-only"])
    assert result.exit_code == 0
    assert "typical_runner" in result.stdout
    bad = cli.invoke(app, ["demo", "--weeks", "12"])
    assert bad.exit_code == 2
    assert "--weeks" in bad.output
    assert "Traceback" not in bad.output
