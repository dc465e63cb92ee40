"""``heelcoach plan --clinician-seen --seen-on DAY`` after a possible heel stress fracture starts
the graded return; after another warning sign it is refused with the reason (temp SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heelcoach.cli.main import app
from tests.services.test_triage_clearance_return import FRACTURE, INFECTED
from tests.web.answers import TYPICAL


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("HEELCOACH_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("HEELCOACH_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def _answers(tmp_path: Path, extra: dict[str, object]) -> str:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({**TYPICAL, **extra}, default=str), encoding="utf-8")
    return str(path)


def test_a_clearance_starts_the_return_with_the_visit_day(cli: CliRunner, tmp_path: Path) -> None:
    first = cli.invoke(app, ["plan", "--answers", _answers(tmp_path, FRACTURE), "--today", "2026-11-23"])
    assert first.exit_code == 0, first.output
    assert "PAUSED until a clinician has seen you" in first.output
    said = cli.invoke(app, ["plan", "--clinician-seen", "--seen-on", "2026-12-30", "--today", "2027-01-02"])
    assert said.exit_code == 0, said.output
    assert "Recorded: A clinician has cleared you (recorded Wed 30 Dec)" in said.output
    assert "Walk/run, stage 1" in said.output
    assert "SETTLE phase" in said.output
    future = cli.invoke(app, ["plan", "--clinician-seen", "--seen-on", "2027-02-01", "--today", "2027-01-02"])
    assert future.exit_code == 2
    assert "is after today" in future.output


def test_a_clearance_is_refused_after_another_warning_sign(cli: CliRunner, tmp_path: Path) -> None:
    cli.invoke(app, ["plan", "--answers", _answers(tmp_path, INFECTED), "--today", "2026-11-23"])
    said = cli.invoke(app, ["plan", "--clinician-seen", "--today", "2027-01-02"])
    assert said.exit_code == 2
    assert "Hot, red, swollen heel with fever" in said.output
    assert "Traceback" not in said.output
