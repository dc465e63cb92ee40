"""Check-in days are bounded where they are entered (web form, API, CLI); /progress copes with any day."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from heelcoach.cli.main import app as cli_app
from heelcoach.services import checkins
from heelcoach.services.assess import sample_answers_path
from heelcoach.services.context import AppContext
from tests.web.conftest import csrf_of, main_text

LONG_AGO = "0001-01-01"


def test_api_refuses_a_day_long_ago_and_saves_nothing(onboarded: Any) -> None:
    refused = onboarded.post("/api/checkins", json={"day": LONG_AGO, "first_step_pain": 3})
    assert refused.status_code == 422
    assert "more than a year ago" in refused.text
    assert onboarded.get("/api/progress").json()["pain"] == []
    a_year_ago = (date.today() - timedelta(days=300)).isoformat()
    assert onboarded.post("/api/checkins", json={"day": a_year_ago, "first_step_pain": 3}).status_code == 200


def test_web_form_names_the_day_field(onboarded: Any) -> None:
    token = csrf_of(onboarded, "/today")
    page = onboarded.post("/checkin", data={"csrf_token": token, "first_step_pain": "3", "day": LONG_AGO})
    assert page.status_code == 422
    assert "more than a year ago" in main_text(page.text)
    assert onboarded.get("/api/progress").json()["pain"] == []


@pytest.mark.parametrize("stored", [date(1, 1, 1), date(1, 1, 9), date(9999, 12, 31)])
def test_progress_shows_whatever_day_is_stored(onboarded: Any, web_ctx: AppContext, stored: date) -> None:
    # stored through the service with its clock set to that day: a row an older version let in
    pid = onboarded.get("/api/progress").json()["person"]["id"]
    entry = checkins.CheckInInput(day=stored, first_step_pain=4, run_km=5.0)
    checkins.record_checkin(web_ctx, pid, entry, today=stored)
    onboarded.post("/api/checkins", json={"first_step_pain": 3})
    page = onboarded.get("/progress")
    assert page.status_code == 200
    assert "2 check-ins" in main_text(page.text)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("HEELCOACH_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("HEELCOACH_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def test_cli_bounds_the_day(cli: CliRunner) -> None:
    planned = cli.invoke(cli_app, ["plan", "--answers", str(sample_answers_path()), "--json"])
    assert planned.exit_code == 0, planned.output
    out_of_range = cli.invoke(cli_app, ["checkin", "--first-step", "3", "--day", LONG_AGO])
    assert out_of_range.exit_code == 2
    assert "--day: 0001-01-01 is out of range" in " ".join(out_of_range.output.split())
    two_years = (date.today() - timedelta(days=730)).isoformat()
    too_old = cli.invoke(cli_app, ["checkin", "--first-step", "3", "--day", two_years])
    assert too_old.exit_code != 0
    assert "more than a year ago" in too_old.output
    assert "Traceback" not in too_old.output
    progress = json.loads(cli.invoke(cli_app, ["progress", "--json"]).output)
    assert progress["pain"] == []
