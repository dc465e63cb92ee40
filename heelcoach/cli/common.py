"""What every command shares: consoles, clear failures, the configured store, date options."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import NoReturn

import typer
from rich.console import Console
from rich.text import Text

from heelcoach.errors import (
    AnalysisError,
    ConflictError,
    HeelcoachError,
    InvalidInputError,
    JobError,
    NotFoundError,
)
from heelcoach.services.common import NoAnswersError, NobodyYetError, NoPlanError, UnknownPersonError
from heelcoach.services.context import AppContext
from heelcoach.store.migrate import SchemaError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

#: What to type next for the named kinds of "not found" (checked before :data:`HINTS`).
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


#: The one place the CLI maps the error tree: kind -> a hint in the CLI's own words. These exit
#: with code 2 (what the person gave or asked for does not fit); other kinds of the tree (the
#: database schema, the clinical data) exit with 1, and anything else is a bug (:mod:`.main`).
HINTS: tuple[tuple[type[HeelcoachError], str], ...] = (
    (InvalidInputError, "Check what you gave and run the command again; --help lists the options."),
    (AnalysisError, "Try another recording; `heelcoach gait --help` says what works best."),
    (NotFoundError, "`heelcoach people` lists who is stored; `heelcoach assess` starts someone new."),
    (ConflictError, "`heelcoach plan` shows where the plan stands now."),
    (JobError, "Run the command again; `heelcoach doctor` checks the setup if it keeps failing."),
)

#: The exit code for an error of the tree that the person can act on.
USAGE_EXIT = 2


def fail_with(exc: HeelcoachError) -> NoReturn:
    """Print the error's message plus the CLI's hint for its kind, and exit (2, or 1 if no kind fits)."""
    message = str(exc).strip("'\"")
    specific = cli_hint(exc).strip()  # a named "not found" kind has its own next step
    hint = specific or next((text for kind, text in HINTS if isinstance(exc, kind)), None)
    if hint is None:
        fail(message)
    fail(f"{message}\n{hint}", USAGE_EXIT)


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
        fail_with(exc)
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
