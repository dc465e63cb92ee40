"""`heelcoach import` and `heelcoach runs` end to end on a temporary SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heelcoach.cli.main import app


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("HEELCOACH_DATABASE_URL", f"sqlite:///{tmp_path / 'hc.db'}")
    monkeypatch.setenv("HEELCOACH_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def test_import_then_runs(cli: CliRunner, shared_data: Path) -> None:
    fit = shared_data / "activities/fit"
    done = cli.invoke(
        app,
        [
            "import",
            str(fit / "6782987395.fit"),
            str(shared_data / "activities/tcx"),
            str(shared_data / "activities/malformed/empty-sessions.fit"),
        ],
    )
    assert done.exit_code == 0, done.output
    assert "new activit" in done.output
    assert "empty" in done.output  # the bad file's message
    shown = cli.invoke(app, ["runs", "--day", "2020-02-05", "--weeks", "4"])
    assert shown.exit_code == 0, shown.output
    assert "treadmill" in shown.output
    assert "not a diagnosis" in shown.output
    data = json.loads(cli.invoke(app, ["runs", "--json", "--day", "2020-02-05"]).output)
    assert data["snapshot"]["runs_last_7d"] == 1
    assert len(data["weeks"]) == 8
    assert "Impellizzeri" in data["acwr"]["caveat"]


def test_import_json_and_exit_codes(cli: CliRunner, shared_data: Path, tmp_path: Path) -> None:
    bad = cli.invoke(app, ["import", str(shared_data / "activities/malformed/empty-sessions.fit")])
    assert bad.exit_code == 1
    assert "none of the files could be read" in bad.output
    nothing = tmp_path / "empty-folder"
    nothing.mkdir()
    assert cli.invoke(app, ["import", str(nothing)]).exit_code == 2
    ok = cli.invoke(app, ["import", "--json", str(shared_data / "activities/fit/garmin-fenix-5-walk.fit")])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["activities_new"] == 1
