"""Exercises chosen for the runner's drivers: the daily grade-A stretches, then the strength work
(the heel raise first, foot core, the exercises of each active driver, hip control while it is
unknown, springy power work where the phase has it), each at a level the heel and the runner's
equipment allow. What cannot be prescribed yet is left out with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from heelcoach.domain.planning.answers import IRRITABILITY_RANK, answer_number, answer_set
from heelcoach.domain.planning.builder import Builder
from heelcoach.domain.planning.dose import exercise_dose, session_days, week_pattern
from heelcoach.domain.planning.model import DEFERRED_NOTE, WEEKDAYS, PlanItem
from heelcoach.domain.types import PHASES, DriverId
from heelcoach.knowledge.schema import Exercise

__all__ = [
    "INTAKE_EQUIPMENT",
    "add_exercise",
    "choose_exercises",
    "daily_stretches",
    "levels_within_equipment",
    "strength_work",
]

#: Equipment the intake asks about; anything else an exercise names (towel, wall) is assumed at home.
INTAKE_EQUIPMENT = frozenset(
    {
        "resistance_band",
        "step",
        "backpack_or_weights",
        "foam_roller",
        "massage_ball",
        "frozen_bottle",
        "night_splint",
        "tape",
        "gym",
    }
)
EQUIPMENT_LABELS = {
    "resistance_band": "a resistance band",
    "step": "a step",
    "backpack_or_weights": "weights or a backpack",
    "gym": "a gym",
    "foam_roller": "a foam roller",
    "massage_ball": "a massage ball",
    "frozen_bottle": "a frozen bottle",
    "night_splint": "a night splint",
    "tape": "tape",
}
#: Ends the reason of an exercise that waits for a later phase or a calmer heel; reviews re-admit it.
#: A strength candidate: (exercise id, why, the drivers it works on).
Candidate = tuple[str, str, list[DriverId]]


def _eligible(b: Builder, ex: Exercise) -> str | None:
    """None when the exercise may be prescribed now, else the reason it may not."""
    if PHASES.index(ex.earliest_phase) > PHASES.index(b.phase):
        return f"starts in the {ex.earliest_phase} phase (you are in {b.phase})"
    if IRRITABILITY_RANK[b.irritability] > IRRITABILITY_RANK[ex.max_irritability]:
        return "waits until the heel is less irritable (first-step and worst pain lower)"
    if (
        ex.id in b.rules.high_load.exercise_ids
        and b.irritability not in b.rules.high_load.allowed_irritability
    ):
        return "heavy heel raises wait until the heel is less irritable"
    return None


def _equipment(b: Builder, ex: Exercise) -> tuple[bool, str | None]:
    """(possible, note): substitutes missing equipment where the rules allow, else not possible."""
    owned = answer_set(b.answers, "equipment")
    missing = [e for e in ex.equipment if e in INTAKE_EQUIPMENT and e not in owned]
    if "gym" in missing and len(missing) < len([e for e in ex.equipment if e in INTAKE_EQUIPMENT]):
        missing.remove("gym")  # a gym is one of several ways to load it
    notes = []
    for item in missing:
        sub = b.rules.selection.equipment_substitutes.get(item)
        if sub is None:
            return False, f"needs {EQUIPMENT_LABELS.get(item, item)}, which you do not have"
        notes.append(sub)
    return True, " ".join(notes) or None


def levels_within_equipment(ex: Exercise, owned: Iterable[str]) -> int:
    """How many levels, from level 1 up, the runner can do with what they own (0: not even level 1).

    A level's ``needs`` has no substitute: the exercise stops at the level below it.
    """
    have = set(owned)
    reachable = 0
    for level in ex.levels:
        if any(e not in have for e in level.needs):
            break
        reachable += 1
    return reachable


def _needs_text(level_needs: Iterable[str]) -> str:
    return " and ".join(EQUIPMENT_LABELS.get(e, e.replace("_", " ")) for e in level_needs)


def _start_level(b: Builder, ex: Exercise, top: int) -> int:
    """Only a calm heel starts above level 1 (the same rule as the weekly review's new exercises)."""
    return min(top, ex.start_level if (b.irritability == "low" and b.phase != "settle") else 1)


def _exercise_why(ex: Exercise, why: str, top: int) -> str:
    full_why = f"{why} {ex.plain}".strip()
    if top < len(ex.levels):
        full_why += (
            f" It stays at level {top} without {_needs_text(ex.levels[top].needs)}, "
            f"which level {top + 1} needs."
        )
    return full_why


def add_exercise(b: Builder, ex_id: str, why: str, drivers: Sequence[DriverId], days_n: int) -> bool:
    """Add one exercise on ``days_n`` days a week (7: daily), or leave it out with the reason."""
    ex = b.catalogue.exercises.get(ex_id)
    if ex is None or b.has(ex_id):
        return False
    possible, note = _equipment(b, ex)
    top = levels_within_equipment(ex, answer_set(b.answers, "equipment"))
    if possible and top == 0:
        possible, note = False, f"needs {_needs_text(ex.levels[0].needs)}, which you do not have"
    if not possible:  # before the phase: a later phase must not bring back what cannot be done
        b.exclude(ex_id, f"{ex.name}: {note}.")
        return False
    reason = _eligible(b, ex)
    if reason:
        b.exclude(ex_id, f"{ex.name}: {reason}. {DEFERRED_NOTE}")
        return False
    level_no = _start_level(b, ex, top)
    level = ex.levels[level_no - 1]
    days = WEEKDAYS if days_n == 7 else session_days(week_pattern(days_n), level.dose.days_per_week)
    b.items.append(
        PlanItem(
            id=ex.id,
            kind="exercise",
            ref_id=ex.id,
            title=ex.name,
            level=level_no,
            dose=exercise_dose(level.dose, b.irritability, len(days), note),
            days=days,
            why=_exercise_why(ex, why, top),
            drivers=tuple(drivers),
            evidence=ex.evidence,
            sources=tuple(ex.sources),
            optional=False,
            until=None,
            level_since=b.start,
            max_level=top if top < len(ex.levels) else None,
        )
    )
    return True


def _strength_days(b: Builder) -> int:
    available = int(answer_number(b.answers, "days_available_per_week", 3)) or 1
    return max(1, min(available, b.rules.phase(b.phase).strength_days_max))


def daily_stretches(b: Builder) -> None:
    """Grade A stretching, daily (one time of it counts in the session, ``session_fit``)."""
    sel = b.rules.selection
    ankle = b.strength_of("ankle_mobility") >= b.rules.driver_weighting.active_threshold
    for ex_id in sel.stretches:
        ankle_driver = next((d for d in b.drivers if d.id == "ankle_mobility"), None)
        extra = (
            f" {ankle_driver.short_why(b.primary)}"
            if (ankle and ankle_driver is not None and "calf" in ex_id)
            else ""
        )
        add_exercise(b, ex_id, f"{sel.stretch_grade_note}{extra}", ["ankle_mobility"], 7)


def _calf_and_foot(b: Builder) -> list[Candidate]:
    """The heel raise (the core of the plan) and foot-core training, for everyone."""
    sel = b.rules.selection
    active = {d.id: d for d in b.active()}
    # One short clause of why; the driver's full evidence is in the plan's rationale.
    calf = active.get("calf_capacity")
    calf_note = (f"{calf.short_why(b.primary)} " if calf else "") + (
        "Heel raises are the core of the plan (strength training, grade B)."
    )
    out: list[Candidate] = [(ex_id, calf_note, ["calf_capacity"]) for ex_id in sel.calf]
    foot = active.get("foot_intrinsics")
    foot_note = (f"{foot.short_why(b.primary)} " if foot else "") + (
        "Foot-core training cut running injuries (Taddei 2020)."
    )
    out.append((sel.foot_intrinsics[0], foot_note, ["foot_intrinsics"]))
    return out


def _for_drivers(b: Builder) -> list[Candidate]:
    """The exercises of each active driver; hip control while the self-tests have not measured it."""
    sel = b.rules.selection
    out: list[Candidate] = []
    for driver in b.active():
        menu = sel.per_driver.get(driver.id, [])
        for ex_id in menu[: sel.per_driver_count + 1]:
            out.append((ex_id, driver.short_why(b.primary), [driver.id]))
    hip_known = any(d.evidence for d in b.drivers if d.id in ("hip_control", "knee_control"))
    if not hip_known:
        for ex_id in sel.per_driver.get("hip_control", []):
            out.append(
                (
                    ex_id,
                    "Hip control is one of the three usual drivers; the self-tests will tell.",
                    ["hip_control"],
                )
            )
    return out


def _power(b: Builder) -> list[Candidate]:
    """Springy, running-like work, in the phases that have it."""
    if not b.rules.phase(b.phase).power_exercises:
        return []
    why = "Springy, running-like work gets the foot ready for full training."
    return [(ex_id, why, ["calf_capacity"]) for ex_id in b.rules.selection.power]


def strength_work(b: Builder) -> None:
    """One heel raise, and at most ``per_driver_count`` exercises per driver, in candidate order."""
    sel = b.rules.selection
    strength_days = _strength_days(b)
    calf_done = False
    per_driver_added: dict[str, int] = {}
    for ex_id, why, drivers in [*_calf_and_foot(b), *_for_drivers(b), *_power(b)]:
        is_calf = drivers == ["calf_capacity"] and ex_id in sel.calf
        if is_calf and calf_done:
            continue
        key = drivers[0]
        if not is_calf and key in sel.per_driver and per_driver_added.get(key, 0) >= sel.per_driver_count:
            continue
        ex = b.catalogue.exercises.get(ex_id)
        if ex is None or b.has(ex_id):
            continue
        if add_exercise(b, ex_id, why, drivers, strength_days):
            per_driver_added[key] = per_driver_added.get(key, 0) + 1
            calf_done = calf_done or is_calf
    # a missing calf exercise (e.g. Rathleff too early) is not a reason to show the fallback as excluded
    b.excluded = [e for e in b.excluded if not b.has(e.ref_id)]


def choose_exercises(b: Builder) -> None:
    """The plan's exercises: the daily stretches, then the strength work."""
    daily_stretches(b)
    strength_work(b)
