"""`heelcoach runs` after importing runs older than the period shown: say what is stored and when."""

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


def test_runs_after_importing_older_runs_says_how_many_and_when(cli: CliRunner, shared_data: Path) -> None:
    gpx = shared_data / "activities" / "gpx"
    done = cli.invoke(app, ["import", str(gpx / "6037744996.gpx"), str(gpx / "2067489619.gpx")])
    assert done.exit_code == 0, done.output
    stored = json.loads(cli.invoke(app, ["runs", "--json"]).output)["stored"]
    assert stored["count"] == 2
    first, last = stored["first_day"], stored["last_day"]
    assert first < last
    shown = cli.invoke(app, ["runs", "--day", "2026-12-05"])
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.output.split())
    assert "No activities yet" not in text
    assert f"2 activities are stored, from {first} to {last}" in text
    assert f"heelcoach runs --day {last}" in text
    again = cli.invoke(app, ["runs", "--day", last])
    assert "Recent activities" in again.output

