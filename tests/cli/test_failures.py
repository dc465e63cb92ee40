"""Failures nobody planned for still reach the person as one clear line, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from heelcoach.cli import main
from heelcoach.errors import ConflictError, InvalidInputError, NotFoundError
from heelcoach.store.base import make_engine
from heelcoach.store.migrate import upgrade


def test_an_unexpected_error_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken() -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.delenv("HEELCOACH_DEBUG", raising=False)
    monkeypatch.setattr(main, "app", broken)
    with pytest.raises(SystemExit) as exited:
        main.run()
    assert exited.value.code == 1
    message = capsys.readouterr().err
    assert "RuntimeError: disk on fire" in message
    assert "HEELCOACH_DEBUG=1" in message
    assert "Traceback" not in message


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setenv("HEELCOACH_DEBUG", "1")
    monkeypatch.setattr(main, "app", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        main.run()


def test_an_outdated_development_database_is_named_with_what_to_do(tmp_path: Path) -> None:
    url = os.environ["HEELCOACH_DATABASE_URL"]  # this test's own database (tests/cli/conftest.py)
    engine = make_engine(url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE gait_reports")
    finally:
        engine.dispose()
    command = [sys.executable, "-m", "heelcoach", "people"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "has no gait_reports table" in done.stderr
    assert "Move the file away" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("bug", [ValueError("x must be positive"), KeyError("phase")])
def test_a_bug_inside_a_service_is_called_a_bug_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], bug: Exception
) -> None:
    from heelcoach.cli import plan as plan_cli

    def broken(*_args: object, **_kwargs: object) -> None:
        raise bug

    monkeypatch.delenv("HEELCOACH_DEBUG", raising=False)
    monkeypatch.setattr(plan_cli, "list_people", broken)
    monkeypatch.setattr(sys, "argv", ["heelcoach", "people"])
    with pytest.raises(SystemExit) as exited:
        main.run()
    assert exited.value.code == 1
    message = capsys.readouterr().err
    assert message.startswith("Error: this is a bug in heelcoach")
    assert message.count("\n") == 1
    assert "Traceback" not in message


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        (InvalidInputError("That answer does not fit."), "--help lists the options"),
        (NotFoundError("There is no person with id 9."), "`heelcoach people` lists who is stored"),
        (ConflictError("Too early for a review."), "`heelcoach plan` shows where the plan stands"),
    ],
)
def test_an_error_of_the_tree_exits_2_with_its_message_and_a_cli_hint(
    monkeypatch: pytest.MonkeyPatch, error: Exception, hint: str
) -> None:
    from typer.testing import CliRunner

    from heelcoach.cli import plan as plan_cli

    def refused(*_args: object, **_kwargs: object) -> None:
        raise error

    monkeypatch.setattr(plan_cli, "list_people", refused)
    result = CliRunner().invoke(main.app, ["people"])
    assert result.exit_code == 2
    assert str(error) in result.output
    assert hint in result.output
    assert "Traceback" not in result.output
