"""Entry point of the ``heelcoach`` console script: imports every command module, then runs."""

from __future__ import annotations

import importlib

from heelcoach.cli.app import app

#: Command modules; each registers its commands on ``app`` when imported.
COMMAND_MODULES = ("assess", "demo", "plan", "runs", "gait", "serve")


def _register() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"heelcoach.cli.{name}")


def run() -> None:
    """Run the CLI."""
    _register()
    app()


_register()
