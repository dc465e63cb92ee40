"""`heelcoach import` and `heelcoach runs` end to end on a temporary SQLite database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from heelcoach.cli import runs as runs_cli
from heelcoach.cli.app import app
from heelcoach.config import Settings
from heelcoach.services.context import AppContext
from heelcoach.store import all_tables  # noqa: F401 - registers every table
from heelcoach.store.base import Base, make_engine, make_session_factory


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalogue: Any) -> CliRunner:
    url = f"sqlite:///{tmp_path / 'hc.db'}"
    Base.metadata.create_all(make_engine(url))

    def from_settings(settings: Settings | None = None, *, migrate: bool = True) -> AppContext:
        engine = make_engine(url)
        return AppContext(
            Settings(data_dir=tmp_path, database_url=url), engine, make_session_factory(engine), catalogue
        )

    monkeypatch.setattr(runs_cli.AppContext, "from_settings", staticmethod(from_settings))
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
