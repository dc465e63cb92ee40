"""``heelcoach plan/checkin/review/progress/screen/export`` on a temp SQLite file (HEELCOACH_DATABASE_URL)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heelcoach.cli.main import app
from heelcoach.services.assess import sample_answers_path


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("HEELCOACH_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("HEELCOACH_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def _ok(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _planned(cli: CliRunner, start: date) -> dict[str, object]:
    out = _ok(cli, "plan", "--answers", str(sample_answers_path()), "--today", start.isoformat(), "--json")
    return json.loads(out)


def test_plan_from_answers_then_show_this_week(cli: CliRunner) -> None:
    start = date.today() - timedelta(days=2)
    week = _planned(cli, start)
    assert week["version"] == 1
    assert week["starts_on"] == start.isoformat()
    text = _ok(cli, "plan")
    assert "Plan version 1" in text
    assert "not a diagnosis" in text
    again = json.loads(_ok(cli, "plan", "--json"))
    assert again["version"] == 1
    assert again["day_of_plan_week"] == 3


def test_plan_without_answers_says_what_to_do(cli: CliRunner) -> None:
    result = cli.invoke(app, ["plan"])
    assert result.exit_code == 2
    assert "heelcoach assess" in result.output
    assert "Traceback" not in result.output


def test_checkin_by_flags_upserts_and_progress_shows_it(cli: CliRunner) -> None:
    _planned(cli, date.today() - timedelta(days=1))
    plan = json.loads(_ok(cli, "plan", "--json"))
    item = plan["plan"]["items"][0]["id"]
    out = _ok(
        cli,
        "checkin",
        "--first-step",
        "3",
        "--worst",
        "4",
        "--run-km",
        "5",
        "--run-minutes",
        "32",
        "--run-pain-during",
        "2",
        "--done",
        item,
        "--json",
    )
    saved = json.loads(out)
    assert saved["checkin"]["first_step_pain"] == 3
    assert not saved["replaced"]
    assert saved["checkin"]["done_items"] == [item]
    again = json.loads(_ok(cli, "checkin", "--first-step", "2", "--json"))
    assert again["replaced"]
    prog = json.loads(_ok(cli, "progress", "--json"))
    assert [p["first_step_pain"] for p in prog["pain"]] == [2]
    assert "Pain by week" in _ok(cli, "progress")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["checkin", "--first-step", "11"], "--first-step"),
        (["checkin", "--first-step", "three"], "--first-step"),
        (["checkin", "--first-step", "3", "--day", "03/14/2026"], "--day"),
        (["checkin", "--first-step", "3", "--done", "moonwalk"], "moonwalk"),
        (["checkin", "--first-step", "3", "--day", "2999-01-01"], "future"),
        (["checkin"], "--first-step is required"),
        (["progress", "--person", "99"], "no person with id 99"),
        (["export", "--format", "xml"], "json or csv"),
        (["screen", "knee_to_wall_test"], "TEST_ID=VALUE"),
        (["screen", "knee_to_wall_test=99:left"], "outside"),
    ],
)
def test_bad_flags_give_clear_messages_without_traceback(
    cli: CliRunner, args: list[str], needle: str
) -> None:
    _planned(cli, date.today())
    result = cli.invoke(app, args)
    assert result.exit_code != 0
    assert needle in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_review_screen_and_export(cli: CliRunner, tmp_path: Path) -> None:
    start = date.today() - timedelta(days=7)
    _planned(cli, start)
    for i in range(7):
        day = (start + timedelta(days=i)).isoformat()
        _ok(cli, "checkin", "--day", day, "--first-step", "3", "--worst", "3")
    assert "heelcoach review" in _ok(cli, "plan")
    review = json.loads(_ok(cli, "review", "--today", (start + timedelta(days=6)).isoformat(), "--json"))
    assert (review["previous_version"], review["version"]) == (1, 2)
    assert review["decision"]["kind"] == "weekly_review"
    too_early = cli.invoke(app, ["review"])
    assert too_early.exit_code == 2
    assert "Too early" in too_early.output
    assert "->" in _ok(cli, "review", "--force")

    listing = _ok(cli, "screen")
    assert "knee_to_wall_test" in listing
    screened = json.loads(
        _ok(cli, "screen", "knee_to_wall_test=7:left", "knee_to_wall_test=11:right", "--json")
    )
    assert screened["report"]["verdicts"]
    # new self-tests merge into the current plan as the next version (phase and week kept)
    assert screened["plan_version"] == 4
    assert screened["plan_changes"]

    out = _ok(cli, "export", "--out", str(tmp_path / "me.json"))
    assert "me.json" in out
    data = json.loads((tmp_path / "me.json").read_text(encoding="utf-8"))
    assert len(data["tables"]["checkins"]) == 7
    versions = data["tables"]["plan_versions"]
    assert len(versions) == 4
    assert (versions[3]["phase"], versions[3]["week"]) == (versions[2]["phase"], versions[2]["week"])
    _ok(cli, "export", "--format", "csv", "--out", str(tmp_path / "csv"))
    assert (tmp_path / "csv" / "checkins.csv").is_file()


def test_interactive_checkin_prompts(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    _planned(cli, date.today())
    monkeypatch.setattr("heelcoach.cli.plan.stdin_is_interactive", lambda: True)
    # first steps (bad then good), worst (skip), run km (skip), morning worse, items, notes
    result = cli.invoke(app, ["checkin"], input="12\n4\n\n\nn\n\nfelt ok\n")
    assert result.exit_code == 0, result.output
    assert "0 to 10" in result.output
    prog = json.loads(_ok(cli, "progress", "--json"))
    assert prog["pain"][0]["first_step_pain"] == 4


def test_people_for_clinics(cli: CliRunner) -> None:
    assert "Nobody yet" in _ok(cli, "people")
    first = json.loads(_ok(cli, "people", "--add", "Ana", "--json"))
    second = json.loads(_ok(cli, "people", "--add", "Ben", "--json"))
    listing = _ok(cli, "people")
    assert f"{first['id']}: Ana (default)" in listing
    assert f"{second['id']}: Ben" in listing
    out = _ok(cli, "plan", "--person", str(second["id"]), "--answers", str(sample_answers_path()), "--json")
    assert json.loads(out)["person_id"] == second["id"]
    missing = cli.invoke(app, ["plan", "--person", str(first["id"])])
    assert missing.exit_code == 2
    assert "assess" in missing.output


def test_outcome_questionnaires(cli: CliRunner) -> None:
    _planned(cli, date.today())
    assert "faam_adl_standing" in _ok(cli, "outcome", "faam_adl")
    assert "activities" in _ok(cli, "outcome", "psfs")
    first = _ok(
        cli,
        "outcome",
        "psfs",
        "--day",
        (date.today() - timedelta(days=30)).isoformat(),
        "running=2",
        "stairs=4",
        "walking=3",
    )
    assert "PSFS" in first
    _ok(cli, "outcome", "psfs", "running=6", "stairs=8", "walking=7")
    assert "real improvement" in _ok(cli, "progress")
    bad = cli.invoke(app, ["outcome", "psfs", "running=12", "stairs=1", "walking=1"])
    assert bad.exit_code == 2
    assert "rating" in bad.output
    assert "Traceback" not in bad.output
    wrong = cli.invoke(app, ["outcome", "koos"])
    assert wrong.exit_code == 2
    assert "faam_adl" in wrong.output


def test_forget_deletes_everything_after_confirmation(cli: CliRunner) -> None:
    _planned(cli, date.today())
    _ok(cli, "checkin", "--first-step", "3")
    refused = cli.invoke(app, ["forget"])
    assert refused.exit_code == 2
    assert "--yes" in refused.output
    assert "Deleted person" in _ok(cli, "forget", "--yes")
    assert "Nobody yet" in _ok(cli, "people")


def test_runs_beside_pain_lines_say_which_runs_made_it_worse() -> None:
    from heelcoach.cli.plan import runs_beside_pain_lines

    lines = runs_beside_pain_lines(
        [
            {"day": "2026-11-14", "distance_km": 8.2, "pain_during": 3, "pain_after": 4,
             "next_first_step_pain": 5, "first_step_change": 2, "made_it_worse": True},
            {"day": "2026-11-16", "distance_km": 5.0, "pain_during": None, "pain_after": None,
             "next_first_step_pain": None, "first_step_change": None, "made_it_worse": False},
        ]
    )
    assert lines == [
        "Sat 14 Nov: 8.2 km, pain during 3/10, after 4/10, next morning 5/10 (+2) - made it worse",
        "Mon 16 Nov: 5 km, pain during -, after -, next morning - - no flare",
    ]


def test_a_checkin_warning_sign_pauses_the_plan_until_a_clinician_has_seen_them(cli: CliRunner) -> None:
    start = date.today() - timedelta(days=2)
    _planned(cli, start)
    before = _ok(cli, "plan")
    assert "No running" not in before
    said = _ok(cli, "checkin", "--first-step", "3", "--red-flag", "swelling_redness_fever")
    assert "a swollen, hot or red heel, or a fever" in said
    assert "paused from today" in said
    assert "heelcoach plan --clinician-seen" in said
    paused = _ok(cli, "plan")
    assert "a swollen, hot or red heel, or a fever" in paused
    assert "EXERCISES" not in paused
    assert "PAUSED until a clinician has seen you" in paused
    assert " phase (plan v" not in paused  # no phase or week for someone told not to load
    week = json.loads(_ok(cli, "plan", "--json"))
    assert week["plan"]["run"]["mode"] == "none"
    resumed = _ok(cli, "plan", "--clinician-seen")
    assert "Recorded: a clinician has seen you" in resumed
    assert "EXERCISES" in resumed
    again = cli.invoke(app, ["plan", "--clinician-seen"])
    assert again.exit_code == 2
    assert "not paused" in again.output
