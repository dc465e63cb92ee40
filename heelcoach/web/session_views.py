"""View models of the guided session: one card per exercise, with what its timer does and the offers.

The page works without JavaScript (a list of cards); ``static/session.js`` turns it into one item at a
time with timers. Everything the script needs is in ``data-`` attributes built here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from heelcoach.domain.plan import exercise_dose
from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.schema import Exercise
from heelcoach.text.plan_text import format_dose
from heelcoach.web.plan_views import ItemView

#: Categories a red day still allows ("gentle items only").
GENTLE_CATEGORIES = ("stretch", "mobility", "motor_control")


@dataclass(frozen=True, slots=True)
class Timing:
    """What the session's timer does for one dose (seconds; 0 = not used)."""

    sets: int = 1
    reps: int = 0
    hold_s: float = 0
    minutes: float = 0
    tempo_up_s: float = 0
    tempo_hold_s: float = 0
    tempo_down_s: float = 0
    per_side: bool = False
    times_per_day: int = 1

    def data(self) -> dict[str, str]:
        """``data-`` attributes for the script."""
        return {
            "sets": str(self.sets),
            "reps": str(self.reps),
            "hold": f"{self.hold_s:g}",
            "minutes": f"{self.minutes:g}",
            "tempo": f"{self.tempo_up_s:g}-{self.tempo_hold_s:g}-{self.tempo_down_s:g}"
            if self.tempo_up_s
            else "",
            "sides": "2" if self.per_side else "1",
            "times": str(self.times_per_day),
        }


@dataclass(frozen=True, slots=True)
class Offer:
    """A different version to do today: easier, harder, or without the missing equipment."""

    kind: str  # regression | progression | alternative
    heading: str
    name: str
    dose: str
    steps: list[str]
    timing: Timing | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class SessionItem:
    """One card of the session."""

    item_id: str
    ref_id: str
    title: str
    level: int | None
    dose: str
    steps: list[str]
    feel: str
    stop_if: str
    timing: Timing
    illustration: str
    offers: dict[str, Offer] = field(default_factory=dict)


def _tempo(text: str | None) -> tuple[float, float, float]:
    try:
        up, hold, down = (float(x) for x in (text or "").split("-"))
    except ValueError:
        return (0.0, 0.0, 0.0)
    return (up, hold, down)


def timing_of(dose: dict[str, Any]) -> Timing:
    """The timer's settings for a plan dose (``sets``, ``reps``, ``hold_s``, ``minutes``, ``tempo``)."""
    up, hold, down = _tempo(dose.get("tempo"))
    return Timing(
        sets=int(dose.get("sets") or 1),
        reps=int(dose.get("reps") or 0),
        hold_s=float(dose.get("hold_s") or 0),
        minutes=float(dose.get("minutes") or 0),
        tempo_up_s=up,
        tempo_hold_s=hold,
        tempo_down_s=down,
        per_side=bool(dose.get("per_side")),
        times_per_day=int(dose.get("times_per_day") or 1),
    )


def _level_offer(ex: Exercise, level: int, kind: str, heading: str, days: int) -> Offer:
    lv = ex.levels[level - 1]
    dose = exercise_dose(lv.dose, "moderate", days)
    return Offer(
        kind, heading, f"{ex.name}: {lv.name}", format_dose(dose), list(lv.instructions), timing_of(dose)
    )


def _regression(ex: Exercise, level: int, days: int) -> Offer:
    if level > 1:
        return _level_offer(ex, level - 1, "regression", "Do the easier level today", days)
    return Offer(
        "regression",
        "This is already the easiest level",
        ex.name,
        "Do half the repetitions or shorter holds, slowly, and stop before it hurts more than 5/10.",
        [],
        None,
        note="If it still hurts, skip it today and mention it at your weekly review.",
    )


def _progression(ex: Exercise, level: int, days: int) -> Offer:
    if level < len(ex.levels):
        offer = _level_offer(ex, level + 1, "progression", "The next level, when you are ready", days)
        note = (
            f"Move up when: {ex.levels[level - 1].advance_when} Your weekly review moves the plan up; "
            "try one set of the next level today if your pain stayed at 0-2/10."
        )
        return Offer(offer.kind, offer.heading, offer.name, offer.dose, offer.steps, offer.timing, note)
    return Offer(
        "progression",
        "You are at the top level",
        ex.name,
        "Keep the dose; slow the tempo or add load (a backpack with books) if it says so.",
        [],
        None,
    )


def _alternative(ex: Exercise, cat: Catalogue) -> Offer:
    subs = cat.plan.selection.equipment_substitutes
    lines = [subs[e] for e in ex.equipment if e in subs]
    if lines:
        return Offer("alternative", "Without the equipment", ex.name, " ".join(lines), [], None)
    swap = next(
        (
            other
            for driver in ex.drivers
            for other_id in cat.plan.selection.per_driver.get(driver, [])
            if other_id != ex.id and (other := cat.exercises.get(other_id)) and not other.equipment
        ),
        None,
    )
    if swap is not None:
        lv = swap.levels[0]
        dose = exercise_dose(lv.dose, "moderate", 3)
        return Offer(
            "alternative",
            "Instead, with no equipment",
            f"{swap.name}: {lv.name}",
            format_dose(dose),
            list(lv.instructions),
            timing_of(dose),
        )
    return Offer(
        "alternative",
        "No equipment needed",
        ex.name,
        "This exercise needs no equipment; a wall or a chair for balance is enough.",
        [],
        None,
    )


def session_items(
    cat: Catalogue, exercises: list[ItemView], doses: dict[str, dict[str, Any]], *, gentle_only: bool
) -> list[SessionItem]:
    """Today's exercises as session cards (``doses`` maps a plan item id to its dose)."""
    out: list[SessionItem] = []
    for it in exercises:
        ex = cat.exercises.get(it.ref_id)
        if ex is None or (gentle_only and ex.category not in GENTLE_CATEGORIES):
            continue
        dose = doses.get(it.id, {})
        level = it.level or 1
        days = int(dose.get("days_per_week") or 3)
        out.append(
            SessionItem(
                item_id=it.id,
                ref_id=it.ref_id,
                title=it.title,
                level=it.level,
                dose=it.dose,
                steps=list(it.instructions),
                feel=it.feel,
                stop_if=it.stop_if,
                timing=timing_of(dose),
                illustration=f"/exercises/{it.ref_id}/illustration.svg",
                offers={
                    "too_hard": _regression(ex, level, days),
                    "it_hurts": _regression(ex, level, days),
                    "no_equipment": _alternative(ex, cat),
                    "too_easy": _progression(ex, level, days),
                },
            )
        )
    return out
