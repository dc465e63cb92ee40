"""The morning check-in form: parsing, per-field errors, and mapping service messages to fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from heelcoach.domain.units import DistanceUnit, from_km, to_km
from heelcoach.services.checkins import OLDEST_CHECKIN_DAYS

#: The longest run a check-in accepts (km; typed in the runner's unit).
MAX_RUN_KM = 300.0

PAIN_FIELDS = ("first_step_pain", "worst_pain", "run_pain_during", "run_pain_after")

#: Symptoms that need a clinician, asked at every check-in (ids stored with the check-in).
RED_FLAG_SYMPTOMS: tuple[tuple[str, str], ...] = (
    ("cannot_bear_weight", "I cannot put weight on the foot, or I limp"),
    ("numbness_tingling", "Numbness, tingling or burning in the foot"),
    ("swelling_redness_fever", "The heel is swollen, hot or red, or I have a fever"),
    ("night_pain", "Pain at night or at rest"),
    ("calf_swelling", "My calf is swollen, warm or painful"),
)


@dataclass(frozen=True, slots=True)
class CheckInForm:
    """The values typed into the form (as text), for redisplay with errors."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _int(text: str, name: str, errors: dict[str, str], lo: int = 0, hi: int = 10) -> int | None:
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        errors[name] = f"Please pick a whole number from {lo} to {hi}."
        return None
    if not lo <= value <= hi:
        errors[name] = f"Please pick a number from {lo} to {hi}."
        return None
    return value


def _float(text: str, name: str, errors: dict[str, str], hi: float) -> float | None:
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        errors[name] = "Please enter a number, like 5 or 5.5."
        return None
    if not 0 <= value <= hi or value != value:
        errors[name] = f"Please enter a number from 0 to {hi:g}."
        return None
    return value


def parse_checkin(
    form: dict[str, list[str]], today: date, unit: DistanceUnit = DistanceUnit.KM
) -> tuple[dict[str, Any], CheckInForm]:
    """(keyword arguments for ``CheckInInput``, the form for redisplay); errors name the field.

    The run distance is typed in the runner's ``unit`` and converted to km here."""
    one = {k: (v[-1].strip() if v else "") for k, v in form.items()}
    errors: dict[str, str] = {}
    day = today
    if one.get("day"):
        try:
            day = date.fromisoformat(one["day"])
        except ValueError:
            errors["day"] = "Please give a date like 2026-05-31."
    if day > today:
        errors["day"] = "You can check in for today or an earlier day, not a future one."
    elif (today - day).days > OLDEST_CHECKIN_DAYS:
        errors["day"] = "That day is more than a year ago: please give a day within the last year."
    pains = {name: _int(one.get(name, ""), name, errors) for name in PAIN_FIELDS}
    if pains["first_step_pain"] is None and "first_step_pain" not in errors:
        errors["first_step_pain"] = "Please rate your first steps this morning (0 if there was no pain)."
    typed = _float(one.get("run_km", ""), "run_km", errors, round(from_km(MAX_RUN_KM, unit)))
    run_km = None if typed is None else round(to_km(typed, unit), 3)
    run_minutes = _float(one.get("run_minutes", ""), "run_minutes", errors, 1440.0)
    if (pains["run_pain_during"] is not None or pains["run_pain_after"] is not None) and not (
        run_km or run_minutes
    ):
        errors.setdefault("run_km", "You rated pain from a run: please also give its distance or minutes.")
    morning = one.get("next_morning_worse", "")
    notes = one.get("notes", "")
    if len(notes) > 2000:
        errors["notes"] = "Please keep notes under 2000 characters."
    known_flags = {k for k, _ in RED_FLAG_SYMPTOMS}
    values: dict[str, Any] = dict(one)
    values["done_items"] = form.get("done_items", [])
    values["passive_used"] = form.get("passive_used", [])
    values["red_flag_symptoms"] = form.get("red_flag_symptoms", [])
    kwargs: dict[str, Any] = {
        "day": day,
        "first_step_pain": pains["first_step_pain"],
        "worst_pain": pains["worst_pain"],
        "run_pain_during": pains["run_pain_during"],
        "run_pain_after": pains["run_pain_after"],
        "next_morning_worse": {"yes": True, "no": False}.get(morning),
        "run_km": run_km,
        "run_minutes": run_minutes,
        "done_items": per_time_ticks(form.get("done_items", [])),
        "passive_used": tuple(dict.fromkeys(form.get("passive_used", []))),
        "red_flag_symptoms": tuple(f for f in form.get("red_flag_symptoms", []) if f in known_flags),
        "notes": notes,
    }
    return kwargs, CheckInForm(values, errors)


#: The most times a day an item is done (``knowledge.schema.Dose.times_per_day``'s bound).
MAX_TIMES_PER_DAY = 6


def per_time_ticks(ticked: list[str]) -> tuple[str, ...]:
    """The ticked items, an item done several times a day once per tick (at most 6 times)."""
    out: list[str] = []
    for item_id in ticked:
        if out.count(item_id) < MAX_TIMES_PER_DAY:
            out.append(item_id)
    return tuple(out)


def service_errors(message: str) -> dict[str, str]:
    """Split a runner ``InvalidInput`` message ('check-in: field: problem; field: problem') by field."""
    text = message.split(": ", 1)[1] if message.startswith("check-in") else message
    text = text.removesuffix(". Nothing was saved.")
    out: dict[str, str] = {}
    for part in text.split("; "):
        name, _, problem = part.partition(": ")
        if problem:
            out[name.strip()] = problem.strip()
        else:
            out.setdefault("form", part)
    return out
