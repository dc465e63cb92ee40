"""Failures nobody planned for still reach the person as one clear line, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from heelcoach.cli import main
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
