"""What every command shares: consoles, clear failures, the configured store, date options."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import NoReturn

import typer
from rich.console import Console
from rich.text import Text

from heelcoach.errors import HeelcoachError
from heelcoach.services.common import NoAnswersError, NobodyYetError, NoPlanError, UnknownPersonError
from heelcoach.services.context import AppContext
from heelcoach.store.migrate import SchemaError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

#: What to type next, by the kind of error: the services say what is wrong, the CLI what to run.
_HINTS: dict[type[HeelcoachError], str] = {
    UnknownPersonError: "Leave out --person to use the first one.",
    NobodyYetError: "Run `heelcoach assess`, or make a plan from an answers file: "
    "`heelcoach plan --answers answers.yaml`.",
    NoAnswersError: "Run `heelcoach assess` first, or `heelcoach plan --answers answers.yaml`.",
    NoPlanError: "Run `heelcoach assess`, then `heelcoach plan`.",
}


def cli_hint(exc: BaseException) -> str:
    """The command to run next after ``exc`` (with a leading space), or ''."""
    return next((f" {hint}" for kind, hint in _HINTS.items() if isinstance(exc, kind)), "")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a clear message (no traceback) and exit with ``code``."""
    err.print(Text.assemble(("Error: ", "red"), message))
    raise typer.Exit(code)


@contextmanager
def open_context() -> Iterator[AppContext]:
    """The configured store, with every known failure turned into a clear message."""
    try:
        ctx = AppContext.from_settings()
    except SchemaError as exc:
        fail(f"cannot open the heelcoach database: {exc}")
    except Exception as exc:  # noqa: BLE001 - reported to the person, never a traceback
        fail(
            f"cannot open the heelcoach database ({type(exc).__name__}: {exc}). Check HEELCOACH_DATABASE_URL "
            "or the data folder's permissions."
        )
    try:
        yield ctx
    except HeelcoachError as exc:
        fail(str(exc).strip("'\"") + cli_hint(exc))
    finally:
        ctx.close()


#: The days a command accepts: before 1970 no watch kept data; far-future days overflow date sums.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def parse_day(value: str | None, name: str = "--day") -> date:
    """An ISO date (YYYY-MM-DD), 'today' or 'yesterday'."""
    if value is None or value == "today":
        return date.today()
    if value == "yesterday":
        return date.today() - timedelta(days=1)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        fail(f"{name}: expected a date like 2026-03-14 (or 'today', 'yesterday'), got '{value}'", 2)
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        fail(f"{name}: {value} is out of range; give a date from {EARLIEST_DAY} to {LATEST_DAY}", 2)
    return day
