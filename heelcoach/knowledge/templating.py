"""Knowledge texts built from the fields they describe, so a number is written once.

A text in the YAML names the field in braces instead of restating its value::

    exit_text: Move on when first-step pain has been {exit_first_step_pain_max}/10 or less
      for {exit_sustained_days:weeks} and you did at least {exit_min_adherence:pct} of the sessions.

The loader fills the braces from the rule's own fields (or the fields it is given) before the
schema checks the text; a brace naming no field, or an unknown format, is a load error.

Formats: none (the number as written, ``2``, ``0.5``), ``pct`` (a share as a percentage, 0.7 ->
``70%``), ``words`` (a small whole number in words, 3 -> ``three``), ``weeks`` (days as weeks in
words, 7 -> ``a week``, 14 -> ``two weeks``).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from heelcoach.errors import KnowledgeError

_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


class TemplateError(KnowledgeError):
    """A knowledge text names a field that does not exist or a format that is not known."""


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TemplateError(f"{value!r} is not a number")
    return float(value)


def _words(value: Any) -> str:
    n = _number(value)
    if not n.is_integer() or not 0 <= n < len(_WORDS):
        raise TemplateError(f"{value!r} has no word form (whole numbers 0-{len(_WORDS) - 1})")
    return _WORDS[int(n)]


def _weeks(value: Any) -> str:
    days = _number(value)
    if days % 7:
        raise TemplateError(f"{value!r} days is not a whole number of weeks")
    weeks = int(days // 7)
    return "a week" if weeks == 1 else f"{_words(weeks)} weeks"


def _plain(value: Any) -> str:
    return f"{_number(value):g}"


def _pct(value: Any) -> str:
    return f"{_number(value) * 100:g}%"


_FORMATS = {"": _plain, "pct": _pct, "words": _words, "weeks": _weeks}


class _Formatter(string.Formatter):
    def get_value(self, key: int | str, args: Any, kwargs: Mapping[str, Any]) -> Any:
        if not isinstance(key, str) or key not in kwargs:
            raise TemplateError(f"{{{key}}} names no field (known: {', '.join(sorted(kwargs))})")
        return kwargs[key]

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec not in _FORMATS:
            raise TemplateError(f"unknown format {format_spec!r} (known: {', '.join(sorted(_FORMATS))})")
        return _FORMATS[format_spec](value)


def fill(template: str, fields: Mapping[str, Any]) -> str:
    """The text with every ``{field}`` or ``{field:format}`` replaced from ``fields``."""
    try:
        return _Formatter().vformat(template, (), fields)
    except (ValueError, IndexError) as exc:  # TemplateError, or a stray brace in the text
        raise TemplateError(f"in {template[:60]!r}...: {exc}") from exc


def fill_in(data: Any, key: str, fields: Mapping[str, Any] | None = None) -> Any:
    """``data`` (a raw mapping from YAML) with ``data[key]`` filled from ``fields`` (default: ``data``)."""
    if not isinstance(data, Mapping) or not isinstance(data.get(key), str):
        return data
    return {**data, key: fill(data[key], data if fields is None else fields)}
