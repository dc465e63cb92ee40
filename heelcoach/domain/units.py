"""Distance units for display: kilometres or miles, chosen per runner.

Everything is stored and computed in kilometres; these pure functions convert only at the edges
(showing a distance, reading one typed by the runner).
"""

from __future__ import annotations

import re
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


# ------------------------------------------------------------------ texts written in another unit
# A text stored in a plan version or a weekly review keeps the numbers of the day it was written
# ("up to 14 km this week"). These patterns find its distances so that it can be shown in the
# runner's unit today; a pair that already names both units ("1 mile (1.6 km)", "500-800 km
# (300-500 miles)", the knowledge's own words) keeps the half in the runner's unit.

_NUM = r"\d+(?:\.\d+)?"
_SPAN = rf"(?P<lo>{_NUM})(?:\s?-\s?(?P<hi>{_NUM}))?"
_MI_WORD = r"(?:miles?|mi)\b"
_KM_WORD = r"(?:km|kilomet(?:re|er)s?)\b"
# (\s*: a wrapped text may break a line between the number and its unit)
_RANGE = rf"{_NUM}(?:\s?-\s?{_NUM})?\s*"
_PAIR_MI_KM = re.compile(rf"(?P<mi>{_RANGE}{_MI_WORD})\s+\((?P<km>{_RANGE}{_KM_WORD})\)")
_PAIR_KM_MI = re.compile(rf"(?P<km>{_RANGE}{_KM_WORD})\s+\((?P<mi>{_RANGE}{_MI_WORD})\)")
_ONE = {
    DistanceUnit.MI: re.compile(rf"(?<![\w.]){_SPAN}\s*{_KM_WORD}"),
    DistanceUnit.KM: re.compile(rf"(?<![\w.]){_SPAN}\s*{_MI_WORD}"),
}
#: 'A mile = 1.6 km' says how the units compare: never converted.
_EITHER = rf"(?:{_MI_WORD}|{_KM_WORD})"
_EQUIVALENCE = re.compile(rf"((?:{_NUM}|an?|one)\s?{_EITHER}\s?=\s?{_NUM}\s?{_EITHER})", re.I)
#: A quick test before the patterns: most texts name no distance at all.
_ANY = re.compile(r"\d\s*(?:km|kilomet|mi)", re.I)


def _span_in(match: re.Match[str], unit: DistanceUnit) -> str:
    """'14 km' as '8.7 mi' (or back): a range keeps its dash ('311-497 mi')."""
    source = DistanceUnit.KM if unit is DistanceUnit.MI else DistanceUnit.MI
    digits = 0 if float(match["lo"]) >= 100 else 1
    parts = [match["lo"]] + ([match["hi"]] if match["hi"] else [])
    shown = "-".join(number(to_km(float(p), source), unit, digits) for p in parts)
    return f"{shown} {unit.label}"


def in_unit(text: str, unit: DistanceUnit) -> str:
    """A stored text with its distances in ``unit``: 'up to 14 km' -> 'up to 8.7 mi' for a miles
    runner, and a text written in miles back in km for a kilometres runner. Words without a number
    ('kilometres or miles') are left alone."""
    if not text or not _ANY.search(text):
        return text
    pieces = _EQUIVALENCE.split(text)  # odd pieces are equivalences, kept as written
    return "".join(p if i % 2 else _converted(p, unit) for i, p in enumerate(pieces))


def _converted(text: str, unit: DistanceUnit) -> str:
    keep = "mi" if unit is DistanceUnit.MI else "km"
    text = _PAIR_MI_KM.sub(lambda m: m[keep], text)
    text = _PAIR_KM_MI.sub(lambda m: m[keep], text)
    return _ONE[unit].sub(lambda m: _span_in(m, unit), text)
