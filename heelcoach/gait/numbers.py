"""How gait text shows numbers: one rule for values and their ± uncertainty, wherever text is made."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext

#: Significant figures of a value shown without an uncertainty (172 steps/min, 12.3 deg, 0.234 s).
VALUE_SIGNIFICANT = 3
#: Significant figures of an uncertainty (± 19, ± 2.3, ± 0.046).
UNCERTAINTY_SIGNIFICANT = 2
#: Never more decimals than this (the methods are not that precise).
MAX_DECIMALS = 3


def _decimals(x: float, significant: int) -> int:
    """Decimals that show ``x`` to ``significant`` figures, within 0..MAX_DECIMALS."""
    if x == 0 or not math.isfinite(x):
        return 0
    return max(0, min(MAX_DECIMALS, significant - 1 - math.floor(math.log10(abs(x)))))


def _fixed(x: float, decimals: int) -> str:
    """``x`` with ``decimals`` decimals, halves rounded away from zero as people expect (210.5 -> 211).

    ``float(x)`` first: a NumPy float's repr is ``np.float64(...)``, not a number.
    """
    with localcontext() as ctx:
        ctx.prec = 400  # any finite float fits; the default 28 digits overflow above 1e28
        text = f"{Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP):f}"
    return text.lstrip("-") if text.strip("-0.") == "" else text  # "0.0", never "-0.0"


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text


def format_value(value: float, unit: str = "") -> str:
    """A value without an uncertainty: 3 significant figures, no trailing zeros ('172 steps/min')."""
    if not math.isfinite(value):
        return "not measured"
    text = _fixed(value, _decimals(value, VALUE_SIGNIFICANT))
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _with_unit(text, unit)


def format_measure(value: float, uncertainty: float | None, unit: str = "") -> str:
    """A value ± its uncertainty, both rounded to the uncertainty's 2 significant figures.

    ``format_measure(210.5, 18.7453, "steps/min")`` gives ``'211 ± 19 steps/min'``; without a
    (positive) uncertainty it is :func:`format_value`.
    """
    if uncertainty is None or not math.isfinite(uncertainty) or uncertainty <= 0 or not math.isfinite(value):
        return format_value(value, unit)
    decimals = _decimals(uncertainty, UNCERTAINTY_SIGNIFICANT)
    rounded = float(_fixed(uncertainty, decimals))
    if rounded == 0:  # smaller than anything shown: it changes nothing
        return format_value(value, unit)
    decimals = _decimals(rounded, UNCERTAINTY_SIGNIFICANT)  # 0.995 rounds to 1.0, not 1.00
    return _with_unit(f"{_fixed(value, decimals)} ± {_fixed(uncertainty, decimals)}", unit)


def shown_decimals(uncertainty: float | None) -> int | None:
    """Decimals :func:`format_measure` shows for a value with this uncertainty (None: no uncertainty)."""
    if uncertainty is None or not math.isfinite(uncertainty) or uncertainty <= 0:
        return None
    decimals = _decimals(uncertainty, UNCERTAINTY_SIGNIFICANT)
    rounded = float(_fixed(uncertainty, decimals))
    if rounded == 0:
        return None
    return _decimals(rounded, UNCERTAINTY_SIGNIFICANT)
