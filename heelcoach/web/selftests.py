"""Self-tests in the browser: how-to steps, a timer for timed tests, values per side."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from heelcoach.knowledge import Catalogue
from heelcoach.web.views import attr

UNIT_WORDS = {
    "reps": "repetitions",
    "cm": "cm",
    "s": "seconds",
    "score": "points",
    "yes_no": "",
    "deg": "degrees",
}


@dataclass(frozen=True, slots=True)
class SelfTestView:
    """One self-test form block."""

    id: str
    name: str
    plain: str
    steps: list[str]
    safety: str
    unit: str
    unit_words: str
    sided: bool
    timed: bool
    value_min: float
    value_max: float
    sides: list[str]
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def self_test_views(
    catalogue: Catalogue, values: dict[str, str], errors: dict[str, str]
) -> list[SelfTestView]:
    """Every self-test with the values typed so far and any errors (keys ``<id>__<side>``)."""
    out = []
    for t in catalogue.self_tests.values():
        sides = ["left", "right"] if t.sided else ["both"]
        keys = [f"{t.id}__{s}" for s in sides]
        out.append(
            SelfTestView(
                id=t.id,
                name=t.name,
                plain=t.plain,
                steps=[s.text for s in t.instructions],
                safety=t.safety,
                unit=t.unit,
                unit_words=UNIT_WORDS.get(t.unit, t.unit),
                sided=t.sided,
                timed=t.unit == "s",
                value_min=t.value_min,
                value_max=t.value_max,
                sides=sides,
                values={k: values[k] for k in keys if k in values},
                errors={k: errors[k] for k in keys if k in errors},
            )
        )
    return out


def parse_self_tests(
    catalogue: Catalogue, form: dict[str, list[str]]
) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, str]]:
    """(results as {test_id, side, value}, raw values, errors by ``<id>__<side>``); blanks are skipped."""
    results: list[dict[str, Any]] = []
    raw: dict[str, str] = {}
    errors: dict[str, str] = {}
    for t in catalogue.self_tests.values():
        for side in ["left", "right"] if t.sided else ["both"]:
            key = f"{t.id}__{side}"
            text = (form.get(key) or [""])[-1].strip()
            if not text:
                continue
            raw[key] = text
            if t.unit == "yes_no":
                if text not in ("yes", "no"):
                    errors[key] = "Please answer yes or no."
                    continue
                value = 1.0 if text == "yes" else 0.0
            else:
                try:
                    value = float(text.replace(",", "."))
                except ValueError:
                    errors[key] = f"Please enter a number of {UNIT_WORDS.get(t.unit, t.unit)}."
                    continue
                if not t.value_min <= value <= t.value_max:
                    errors[key] = f"This should be between {t.value_min:g} and {t.value_max:g}."
                    continue
            results.append({"test_id": t.id, "side": side, "value": value})
    return results, raw, errors


def result_attr(result: Any, name: str) -> Any:
    """Read a result field from a dict or an object."""
    return attr(result, name)
