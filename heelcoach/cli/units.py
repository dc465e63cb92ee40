"""Distances in the runner's unit on the command line, and the `heelcoach units` setting."""

from __future__ import annotations

from typing import Annotated

import typer

from heelcoach.cli.app import app
from heelcoach.cli.common import fail, open_context, out
from heelcoach.domain.units import DistanceUnit, distance, from_km, parse_unit, to_km
from heelcoach.errors import InvalidInputError
from heelcoach.services import people
from heelcoach.services import units as units_service
from heelcoach.services.context import AppContext

__all__ = ["DistanceUnit", "dist", "distnum", "person_unit", "typed_km", "units_command"]


def person_unit(ctx: AppContext, person_id: int) -> DistanceUnit:
    """The runner's distance unit (km until they choose one with `heelcoach units`)."""
    return units_service.unit_for(ctx, person_id)


def dist(km: float | None, unit: DistanceUnit, digits: int = 1) -> str:
    """A distance stored in km, for the terminal: '8.1 mi'; '-' for nothing."""
    return "-" if km is None else distance(float(km), unit, digits)


def distnum(km: float | None, unit: DistanceUnit, digits: int = 1) -> str:
    """The number alone with ``digits`` decimals (table cells under a header naming the unit)."""
    return "-" if km is None else f"{from_km(float(km), unit):.{digits}f}"


def typed_km(value: float | None, unit: DistanceUnit) -> float | None:
    """A distance typed in ``unit``, in km for storage."""
    return None if value is None else round(to_km(value, unit), 3)


@app.command("units")
def units_command(
    unit: Annotated[
        str | None, typer.Argument(help="km (kilometres) or mi (miles); leave out to see the current one.")
    ] = None,
    person: Annotated[
        int | None,
        typer.Option("--person", help="Person id (clinics); default: the first person stored.", min=1),
    ] = None,
) -> None:
    """Show or set whether distances are shown in kilometres or miles (everywhere: CLI, web, handout)."""
    chosen = None
    if unit is not None:
        try:
            chosen = parse_unit(unit)
        except InvalidInputError as exc:
            fail(str(exc), 2)
    with open_context() as ctx:
        who = people.resolve_person(ctx, person)
        if chosen is not None:
            units_service.save_unit(ctx, who.id, chosen)
        current = person_unit(ctx, who.id)
    verb = "are now" if chosen is not None else "are"
    out.print(f"Distances {verb} shown in {current.plural} ({current.label}).")
