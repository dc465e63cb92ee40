"""The deployment recipe names commands, options and settings that exist.

Every ``heelcoach ...`` command in ``deploy/compose.yaml`` and ``deploy/systemd/*.service`` is parsed
by the real command line (an unknown command or option fails here, not on a clinic's server), and
every ``HEELCOACH_*`` setting they give is one the app reads.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from heelcoach.cli.app import app
from heelcoach.cli.main import _register
from heelcoach.config import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return data


def _commands() -> list[tuple[str, list[str]]]:
    """(where, argv after ``heelcoach``) for every heelcoach command the recipe runs."""
    found = []
    for name, service in _compose()["services"].items():
        command = service.get("command")
        words = command if isinstance(command, list) else shlex.split(command or "")
        if words and words[0] == "heelcoach":
            found.append((f"compose {name}", words[1:]))
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart="):
                words = shlex.split(line.removeprefix("ExecStart="))
                assert words[0].endswith("/heelcoach"), line
                found.append((unit.name, words[1:]))
    return found


def _exit_code(argv: list[str]) -> int:
    """How the real command line ends on ``argv`` plus ``--help``: every option is parsed (an unknown
    one is exit status 2) before ``--help`` stops it, so nothing is started."""
    _register()
    result = CliRunner().invoke(app, [*argv, "--help"])
    return int(result.exit_code)


def test_every_command_in_the_recipe_exists_with_its_options() -> None:
    commands = _commands()
    names = {argv[0] for _where, argv in commands}
    assert {"serve", "worker"} <= names, names
    assert any("--clinic" in argv for _where, argv in commands if argv[0] == "serve")
    # the reminders' clock runs exactly once in the compose file, and has a systemd unit
    assert sum("--beat" in argv for where, argv in commands if where.startswith("compose")) == 1
    assert any("--beat" in argv for where, argv in commands if where.endswith(".service"))
    for where, argv in commands:
        assert _exit_code(argv) == 0, (where, argv)


def test_a_wrong_command_or_option_in_a_recipe_would_fail_here() -> None:
    assert _exit_code(["worker", "--concurency", "2"]) == 2
    assert _exit_code(["serve", "--clinik"]) == 2
    assert _exit_code(["workers"]) == 2


def _settings_named() -> set[str]:
    names = set(_compose()["x-heelcoach"]["environment"])
    for service in _compose()["services"].values():
        names |= set(service.get("environment") or {})
    for path in (DEPLOY / "systemd").glob("*"):
        for line in path.read_text().splitlines():
            line = line.removeprefix("Environment=")
            if line.startswith("HEELCOACH_"):
                names.add(line.split("=", 1)[0])
    return {n for n in names if n.startswith("HEELCOACH_")}


def test_every_setting_in_the_recipe_is_one_the_app_reads() -> None:
    named = _settings_named()
    assert {"HEELCOACH_BROKER_URL", "HEELCOACH_DATABASE_URL", "HEELCOACH_SMTP_HOST"} <= named
    known = {f"HEELCOACH_{field.upper()}" for field in Settings.model_fields}
    assert named <= known, sorted(named - known)
