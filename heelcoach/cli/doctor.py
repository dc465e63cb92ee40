"""CLI command ``doctor``: check a configuration (database, broker, workers) before opening the doors."""

from __future__ import annotations

import json

import typer

from heelcoach.cli.app import app
from heelcoach.cli.common import out


@app.command("doctor")
def doctor(
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON."),
) -> None:
    """Check that the database answers and is migrated, the broker answers and a worker is running."""
    from heelcoach.config import get_settings
    from heelcoach.services import doctor as checks
    from heelcoach.services.context import AppContext

    settings = get_settings()
    try:
        ctx = AppContext.from_settings(settings, migrate=False)
    except Exception as exc:  # noqa: BLE001 - a bad URL is a finding, not a traceback
        found = [
            checks.Check(
                "database",
                False,
                f"cannot open the database ({type(exc).__name__}): check HEELCOACH_DATABASE_URL.",
            )
        ]
    else:
        try:
            found = checks.run_checks(ctx)
        finally:
            ctx.close()
    if as_json:
        out.print(json.dumps([{"check": c.name, "ok": c.ok, "detail": c.detail} for c in found], indent=2))
    else:
        for check in found:
            out.print(f"{'ok     ' if check.ok else 'PROBLEM'}  {check.name}: {check.detail}")
    if not all(c.ok for c in found):
        raise typer.Exit(1)
