"""Jinja2 filters for plain display: ids to words, dates, numbers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from heelcoach.domain.units import DistanceUnit, distance, in_unit, number


def words(value: Any) -> str:
    """``calf_capacity`` -> ``Calf capacity``."""
    text = str(value or "").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def nicedate(value: Any) -> str:
    """A date as '3 Mar 2026'."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime | date):
        return f"{value.day} {value.strftime('%b %Y')}"
    return "" if value is None else str(value)


def num(value: Any, digits: int = 1) -> str:
    """A number with at most ``digits`` decimals; '–' for nothing."""
    if value is None or value == "":
        return "–"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    text = f"{number:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def dist(km: Any, unit: Any = DistanceUnit.KM, digits: int = 1) -> str:
    """A distance stored in km, shown in the runner's unit with its label ('8.1 mi'); '–' for nothing."""
    if km is None or km == "":
        return "–"
    return distance(float(km), DistanceUnit(unit or DistanceUnit.KM), digits)


def distnum(km: Any, unit: Any = DistanceUnit.KM, digits: int = 1) -> str:
    """The number of a distance in the runner's unit, without the label (table cells under a header)."""
    if km is None or km == "":
        return "–"
    return number(float(km), DistanceUnit(unit or DistanceUnit.KM), digits)


class Verbatim(str):
    """Text a person typed (a check-in note, a clinician's note, an answer being edited): printed as
    it was written, never converted to another unit, so saving a form again cannot change it."""

    __slots__ = ()


def verbatim(value: Any) -> Verbatim:
    """Mark ``value`` as typed by a person (``{{ form.values.notes|verbatim }}``); '' for nothing."""
    return Verbatim("" if value is None else value)


@pass_context
def in_runners_unit(context: Context, value: Any) -> Any:
    """Every text a page prints, with its distances in the page's unit (``units``): texts stored
    in a plan version or a review keep the unit they were written in; this shows them in today's.
    Safe HTML (charts) stays safe."""
    if not isinstance(value, str) or isinstance(value, DistanceUnit | Verbatim):
        return value
    unit = context.get("units")
    shown = in_unit(value, unit if isinstance(unit, DistanceUnit) else DistanceUnit.KM)
    if shown is value or shown == value:
        return value
    return Markup(shown) if isinstance(value, Markup) else shown


def install_filters(env: Environment) -> None:
    """Register the filters on a Jinja2 environment, and the distance rewrite of every printed text
    (set before any template is compiled: Jinja compiles the finalize call into the template)."""
    env.finalize = in_runners_unit
    env.filters["words"] = words
    env.filters["verbatim"] = verbatim
    env.filters["nicedate"] = nicedate
    env.filters["num"] = num
    env.filters["dist"] = dist
    env.filters["distnum"] = distnum
