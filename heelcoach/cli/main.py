"""Entry point of the ``heelcoach`` console script: imports every command module, then runs."""

from __future__ import annotations

import importlib
import os
import sys

from heelcoach.cli.app import app

#: Command modules; each registers its commands on ``app`` when imported.
COMMAND_MODULES = (
    "assess", "demo", "plan", "runs", "gait", "serve", "exercise", "users", "units", "worker", "doctor"
)


def _register() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"heelcoach.cli.{name}")


def run() -> None:
    """Run the CLI; an unexpected failure is one clear line, never a traceback (unless asked for)."""
    _register()
    try:
        app()
    except Exception as exc:  # the last resort; known failures have their own messages
        if os.environ.get("HEELCOACH_DEBUG"):
            raise
        sys.stderr.write(
            f"Error: this is a bug in heelcoach, not something you did ({type(exc).__name__}: "
            f"{str(exc)[:300]}). Anything already saved is safe: each save is one transaction. Run "
            "again with HEELCOACH_DEBUG=1 to see the details, and please report it.\n"
        )
        raise SystemExit(1) from None


_register()
