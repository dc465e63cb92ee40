"""Distance units for display: kilometres or miles, chosen per runner.

Everything is stored and computed in kilometres; these pure functions convert only at the edges
(showing a distance, reading one typed by the runner).
"""

from __future__ import annotations

from enum import StrEnum

from heelcoach.errors import InvalidInputError

#: Kilometres in one international mile (exact by definition).
KM_PER_MILE = 1.609344


class DistanceUnit(StrEnum):
    """How a runner wants distances shown."""

    KM = "km"
    MI = "mi"

    @property
    def label(self) -> str:
        """Short label after a number ('km', 'mi')."""
        return self.value

    @property
    def plural(self) -> str:
        """The unit in words ('kilometres', 'miles')."""
        return "kilometres" if self is DistanceUnit.KM else "miles"


_NAMES = {
    "km": DistanceUnit.KM,
    "kms": DistanceUnit.KM,
    "kilometre": DistanceUnit.KM,
    "kilometres": DistanceUnit.KM,
    "kilometer": DistanceUnit.KM,
    "kilometers": DistanceUnit.KM,
    "mi": DistanceUnit.MI,
    "mile": DistanceUnit.MI,
    "miles": DistanceUnit.MI,
}


def parse_unit(text: str) -> DistanceUnit:
    """'km', 'miles', 'Mi' ... -> the unit; InvalidInputError with what to type otherwise."""
    unit = _NAMES.get(str(text).strip().lower())
    if unit is None:
        raise InvalidInputError(f"'{text}' is not a distance unit: use km (kilometres) or mi (miles).")
    return unit


def from_km(km: float, unit: DistanceUnit) -> float:
    """A distance stored in km, in ``unit``."""
    return km / KM_PER_MILE if unit is DistanceUnit.MI else km


def to_km(value: float, unit: DistanceUnit) -> float:
    """A distance typed in ``unit``, in km (for storage)."""
    return value * KM_PER_MILE if unit is DistanceUnit.MI else value


def number(km: float, unit: DistanceUnit, digits: int = 1, *, trim: bool = True) -> str:
    """The number alone, in ``unit``, at most ``digits`` decimals ('8.1', '12'); exactly ``digits``
    with ``trim=False`` ('12.0')."""
    text = f"{from_km(km, unit):.{digits}f}"
    return text.rstrip("0").rstrip(".") if trim and "." in text else text


def distance(km: float, unit: DistanceUnit, digits: int = 1, *, trim: bool = True) -> str:
    """A distance for a runner: '8.1 mi', '13 km' ('13.0 km' with ``trim=False``)."""
    return f"{number(km, unit, digits, trim=trim)} {unit.label}"


def pace_label(unit: DistanceUnit) -> str:
    """'min/km' or 'min/mi'."""
    return f"min/{unit.label}"


def pace(min_per_km: float, unit: DistanceUnit) -> float:
    """Minutes per km as minutes per ``unit``."""
    return min_per_km * KM_PER_MILE if unit is DistanceUnit.MI else min_per_km
