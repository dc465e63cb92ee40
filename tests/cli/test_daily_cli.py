"""``heelcoach checkin`` answers at once (green / amber / red and why); ``heelcoach reminders`` sets the
times and time zone that ``handout --ics`` writes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from icalendar import Calendar
from typer.testing import CliRunner

from heelcoach.cli.main import app
from heelcoach.services.assess import sample_answers_path


def _plan(cli: CliRunner) -> None:
    made = cli.invoke(
        app, ["plan", "--answers", str(sample_answers_path()), "--today", date.today().isoformat()]
    )
    assert made.exit_code == 0, made.output


def test_checkin_answers_with_the_colour_and_the_rule() -> None:
    cli = CliRunner()
    _plan(cli)
    green = cli.invoke(app, ["checkin", "--first-step", "2"])
    assert green.exit_code == 0, green.output
    assert "Green: train as planned" in green.output
    assert "Why: Your pain is within the acceptable band" in green.output
    amber = cli.invoke(app, ["checkin", "--first-step", "3", "--morning-worse"])
    assert "Amber: exercises yes, running shorter and easier" in amber.output
    red = cli.invoke(app, ["checkin", "--first-step", "2", "--red-flag", "night_pain", "--json"])
    answer = json.loads(red.output)["answer"]
    assert (answer["colour"], answer["rule_id"]) == ("red", "warning_sign")
    assert answer["run_share_pct"] == 0


def test_reminders_set_the_calendar_times(tmp_path: Path) -> None:
    cli = CliRunner()
    _plan(cli)
    shown = cli.invoke(app, ["reminders"])
    assert "Check-in 07:00" in shown.output
    bad = cli.invoke(app, ["reminders", "--checkin", "7h"])
    assert bad.exit_code == 2
    assert "--checkin: expected a time like 07:30" in bad.output
    ok = cli.invoke(app, ["reminders", "--checkin", "06:15", "--timezone", "Asia/Tokyo"])
    assert ok.exit_code == 0, ok.output
    assert "Check-in 06:15" in ok.output
    assert "Asia/Tokyo" in ok.output
    ics = tmp_path / "plan.ics"
    assert cli.invoke(app, ["handout", "--ics", str(ics)]).exit_code == 0
    cal = Calendar.from_ical(ics.read_bytes())
    checkin = next(e for e in cal.walk("VEVENT") if "check-in" in str(e["summary"]))
    assert checkin["dtstart"].params["TZID"] == "Asia/Tokyo"
    assert checkin["dtstart"].dt.strftime("%H:%M") == "06:15"
