"""``heelcoach handout``: the stored plan as a PDF and a calendar file, with clear errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from heelcoach.cli.main import app
from heelcoach.services.assess import sample_answers_path


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("HEELCOACH_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("HEELCOACH_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def test_handout_writes_pdf_and_calendar(cli: CliRunner, tmp_path: Path) -> None:
    today = date.today().isoformat()
    made = cli.invoke(app, ["plan", "--answers", str(sample_answers_path()), "--today", today])
    assert made.exit_code == 0, made.output
    pdf, ics = tmp_path / "plan.pdf", tmp_path / "plan.ics"
    result = cli.invoke(app, ["handout", "--pdf", str(pdf), "--ics", str(ics), "--weeks", "2"])
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    events = [c for c in Calendar.from_ical(ics.read_bytes()).walk() if c.name == "VEVENT"]
    assert events
    assert {e.decoded("dtstart").date() for e in events} <= {
        date.fromordinal(date.today().toordinal() + n) for n in range(14)
    }


def test_handout_without_a_plan_or_target_says_what_to_do(cli: CliRunner, tmp_path: Path) -> None:
    nothing = cli.invoke(app, ["handout"])
    assert nothing.exit_code == 2
    assert "--pdf" in nothing.output
    no_plan = cli.invoke(app, ["handout", "--pdf", str(tmp_path / "x.pdf")])
    assert no_plan.exit_code != 0
    assert "Traceback" not in no_plan.output
    assert "heelcoach" in no_plan.output
    assert not (tmp_path / "x.pdf").exists()
