"""The plan generator: from intake, triage, drivers and running load to a phased, explained plan.

Pure: every number comes from the catalogue (``plan_rules.yaml`` and the exercise levels), and
``start`` is passed in. A red flag that stops loading (or an emergency, or an unclear diagnosis)
gives a referral plan with no running and no loading; a red flag that only needs a clinician's
review (not improving, diabetes) gives a gentle, conservative plan with the referral at the top.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import combinations, pairwise
from typing import Any, Literal, Protocol

from heelcoach import DISCLAIMER
from heelcoach.domain.drivers import Driver
from heelcoach.domain.session_time import item_minutes
from heelcoach.domain.types import PHASES, DriverId, Irritability, LoadSnapshot, Phase, TriageLevel
from heelcoach.domain.units import DistanceUnit, distance
from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.catalogue import largest_study, short_citation
from heelcoach.knowledge.schema import Dose, EducationTopic, EvidenceGrade, Exercise, PassiveTherapy
from heelcoach.knowledge.schema_plan import EscalationRule, PlanRules

__all__ = [
    "DEFERRED_NOTE",
    "WEEKDAYS",
    "ExcludedItem",
    "Plan",
    "PlanInput",
    "PlanItem",
    "RunPrescription",
    "TriageLike",
    "assess_irritability",
    "build_plan",
    "education_item",
    "effective_level",
    "exercise_dose",
    "format_dose",
    "format_plan_text",
    "grade_label",
    "no_running",
    "plan_from_dict",
    "plan_to_dict",
    "referral_action",
    "run_for_stage",
    "see_a_clinician_first",
    "sentence",
    "session_days",
]

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Spread sessions over the week so that strength days have a day between them where possible.
_DAY_PATTERNS: dict[int, tuple[str, ...]] = {
    1: ("wed",),
    2: ("mon", "thu"),
    3: ("mon", "wed", "fri"),
    4: ("mon", "wed", "fri", "sun"),
    5: ("mon", "tue", "wed", "fri", "sat"),
    6: ("mon", "tue", "wed", "thu", "fri", "sat"),
    7: WEEKDAYS,
}
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
_EQUIPMENT_LABELS = {
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
DEFERRED_NOTE = "It comes in when the heel allows."
_IRRITABILITY_RANK: dict[str, int] = {"low": 0, "moderate": 1, "high": 2}
_PASSIVE_TRIED = frozenset(
    {"rolling", "massage", "taping", "new_shoes", "orthotics", "rest", "ice", "night_splint"}
)
_ACTIVE_TRIED = frozenset({"stretching", "strengthening"})

ItemKind = Literal["exercise", "adjunct", "run", "cross_training", "education", "footwear", "escalation"]
RunMode = Literal["none", "walk_run", "continuous"]
#: The two referral actions of a red flag (``knowledge.schema_triage.RedFlagAction``).
STOP_AND_REFER = "stop_and_refer"
REFER_AND_CONTINUE = "refer_and_continue_safely"


class TriageLike(Protocol):
    """What the plan needs from ``domain.triage.TriageResult``."""

    @property
    def level(self) -> TriageLevel: ...

    @property
    def safety_flags(self) -> Iterable[str]: ...

    @property
    def red_flags(self) -> Iterable[object]: ...


@dataclass(frozen=True)
class PlanInput:
    """Everything the plan is built from.

    ``triage`` is a ``domain.triage.TriageResult`` (any object with ``level``, ``safety_flags``
    and ``red_flags``); ``cadence_cue_pct`` comes from the gait analysis when it finds overstriding.
    """

    answers: Mapping[str, Any]
    triage: TriageLike
    drivers: tuple[Driver, ...]
    load: LoadSnapshot | None
    start: date
    cadence_cue_pct: float | None = None
    #: How the runner's texts show distances (numbers stay in km).
    unit: DistanceUnit = DistanceUnit.KM


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One thing to do (or read), with dose, days, why and evidence."""

    id: str
    kind: ItemKind
    ref_id: str
    title: str
    level: int | None
    dose: dict[str, Any]
    days: tuple[str, ...]
    why: str
    drivers: tuple[DriverId, ...]
    evidence: EvidenceGrade
    sources: tuple[str, ...]
    optional: bool
    until: date | None
    #: The day the item reached its current level (exercises; None in plans stored before it existed).
    level_since: date | None = None
    #: The highest level the runner's equipment allows (a level above ``needs`` what they lack);
    #: None: every level of the exercise.
    max_level: int | None = None


@dataclass(frozen=True, slots=True)
class ExcludedItem:
    """Something deliberately left out, with the reason."""

    ref_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class RunPrescription:
    """This week's running."""

    mode: RunMode
    stage: int | None
    runs_per_week: int
    max_single_run_km: float | None
    weekly_km_cap: float | None
    effort: str
    surface: str
    stop_rules: tuple[str, ...]
    cadence_cue_pct: float | None
    why: str
    sources: tuple[str, ...]
    #: The runner's usual week before the heel (km; watch or intake), None when unknown: each
    #: phase runs at most its share of it (``plan_rules.yaml: phases[].run_volume_pct``).
    usual_weekly_km: float | None = None
    #: km of the last week the heel tolerated (no flare), None until a review has seen one.
    tolerated_weekly_km: float | None = None
    #: after a flare: the weekly km the cap climbs back to, and by how much per pain-free week
    #: (``plan_rules.yaml: flare_response``); None when not recovering from a flare.
    recover_to_km: float | None = None
    recover_step_km: float | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """A versioned plan for one week of one phase.

    ``week`` counts weeks within the current phase (it restarts at 1 when the phase changes);
    ``version`` goes up by one with every weekly review. ``referral`` is set whenever a red flag
    (or an unclear diagnosis) sends the person to a clinician; ``referral_action`` then says what
    happens meanwhile: ``'stop_and_refer'`` (``run.mode`` is ``'none'`` and nothing loads) or
    ``'refer_and_continue_safely'`` (a gentle plan continues, with the referral at the top).
    """

    version: int
    created: date
    phase: Phase
    week: int
    irritability: Irritability
    items: tuple[PlanItem, ...]
    excluded: tuple[ExcludedItem, ...]
    run: RunPrescription
    escalation_rules: tuple[str, ...]
    referral: str | None
    rationale: str
    referral_action: str | None = None
    #: Active drivers, strongest first (decides which exercises move up first at a review).
    driver_priority: tuple[DriverId, ...] = ()
    #: The day the runner recorded that a clinician has seen them after a warning sign: warning
    #: signs reported on or before it no longer stop the plan.
    warnings_cleared_on: date | None = None

    @property
    def stops_loading(self) -> bool:
        """True when running and loading pause until a clinician has seen the heel."""
        return self.referral is not None and self.referral_action != REFER_AND_CONTINUE


# --------------------------------------------------------------------------------------------
# answers


def _num(answers: Mapping[str, Any], key: str, default: float = 0.0) -> float:
    value = answers.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        raise ValueError(f"intake answer '{key}': expected a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"intake answer '{key}': expected a number, got {value!r}") from exc


def _list(answers: Mapping[str, Any], key: str) -> frozenset[str]:
    value = answers.get(key)
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(str(v) for v in value)


def assess_irritability(answers: Mapping[str, Any], rules: PlanRules) -> Irritability:
    """High / moderate / low irritability from first-step, worst and running pain (rule of thumb)."""
    r = rules.irritability
    first = _num(answers, "first_step_pain")
    worst = _num(answers, "worst_pain", first)
    run_pain = _num(answers, "pain_during_run")
    weeks = _num(answers, "symptom_duration_weeks", float(r.recent_onset_weeks))
    if first >= r.high_first_step_pain_min or worst >= r.high_worst_pain_min:
        return "high"
    if r.high_if_rest_or_night_pain and answers.get("pain_at_rest_or_night") is True:
        return "high"
    if (
        first <= r.low_first_step_pain_max
        and worst <= r.low_worst_pain_max
        and run_pain <= r.low_run_pain_max
        and weeks >= r.recent_onset_weeks
    ):
        return "low"
    return "moderate"


# --------------------------------------------------------------------------------------------
# doses


def _pick(lo: float | None, hi: float | None, irritability: Irritability) -> float | None:
    if lo is None and hi is None:
        return None
    if lo is None or hi is None:
        return lo if lo is not None else hi
    if irritability == "high":
        return lo
    if irritability == "low":
        return hi
    return lo + (hi - lo) / 2


def _as_int(value: float | None) -> int | None:
    return None if value is None else int(value)


def exercise_dose(
    dose: Dose, irritability: Irritability, days: int, note: str | None = None
) -> dict[str, Any]:
    """A JSON-safe dose within the level's bounds: low end when irritable, high end when calm."""
    out: dict[str, Any] = {}
    sets = _as_int(_pick(dose.sets_min, dose.sets_max, irritability))
    reps = _as_int(_pick(dose.reps_min, dose.reps_max, irritability))
    hold = _pick(dose.hold_s_min, dose.hold_s_max, irritability)
    minutes = _pick(dose.minutes_min, dose.minutes_max, irritability)
    for key, value in (("sets", sets), ("reps", reps), ("hold_s", hold), ("minutes", minutes)):
        if value is not None:
            out[key] = value
    if dose.tempo:
        out["tempo"] = dose.tempo
    if dose.load:
        out["load"] = dose.load
    if dose.rm is not None:
        out["rm"] = dose.rm
    out["times_per_day"] = dose.times_per_day
    out["days_per_week"] = max(1, min(days, dose.days_per_week))
    out["per_side"] = dose.per_side
    if note:
        out["note"] = note
    return out


def format_dose(dose: Mapping[str, Any]) -> str:  # noqa: C901 - split pending (next wave)
    """A dose as a short line: '3 x 12 (12RM), tempo 3-2-3, 3 days a week'."""
    parts: list[str] = []
    if "sets" in dose and "reps" in dose:
        parts.append(f"{dose['sets']} x {dose['reps']}")
    elif "reps" in dose:
        parts.append(f"{dose['reps']} times")
    elif "sets" in dose:
        parts.append(f"{dose['sets']} sets")
    if "hold_s" in dose:
        parts.append(f"hold {dose['hold_s']:g} s")
    if "minutes" in dose:
        parts.append(f"{dose['minutes']:g} min")
    if dose.get("rm"):
        parts.append(f"heavy enough that {dose['rm']} is all you can do ({dose['rm']}RM)")
    if dose.get("tempo"):
        parts.append(f"tempo {dose['tempo']} s up-hold-down")
    if dose.get("load"):
        parts.append(str(dose["load"]))
    if dose.get("per_side"):
        parts.append("each side")
    if dose.get("times_per_day", 1) > 1:
        parts.append(f"{dose['times_per_day']} times a day")
    if "days_per_week" in dose:
        parts.append(f"{dose['days_per_week']} days a week")
    for key in ("instead_of", "effort"):
        if dose.get(key):
            parts.append(str(dose[key]))
    return ", ".join(parts)


def _days(n: int) -> tuple[str, ...]:
    return _DAY_PATTERNS[max(1, min(7, n))]


def session_days(session: tuple[str, ...], k: int) -> tuple[str, ...]:
    """``k`` of the session days, as evenly spread as possible (rest days between where they fit).

    An item never adds a day to the runner's week: it always uses a subset of the session days.
    """
    if k >= len(session):
        return session

    def spread(combo: tuple[str, ...]) -> tuple[int, int, list[int]]:
        idx = [WEEKDAYS.index(d) for d in combo]
        gaps = [b - a for a, b in pairwise(idx)] + [idx[0] + 7 - idx[-1]]
        return min(gaps), -gaps.count(1), [-i for i in idx]

    best = max(combinations(session, max(1, k)), key=spread)
    return tuple(best)


# --------------------------------------------------------------------------------------------
# building blocks


def _sources(*groups: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        for s in group:
            seen.setdefault(s, None)
    return tuple(seen)


@dataclass
class _Builder:
    """Mutable scratch state while a plan is assembled (never leaves this module)."""

    catalogue: Catalogue
    answers: Mapping[str, Any]
    phase: Phase
    irritability: Irritability
    flags: frozenset[str]
    drivers: tuple[Driver, ...]
    start: date
    items: list[PlanItem] = field(default_factory=list)
    excluded: list[ExcludedItem] = field(default_factory=list)
    unit: DistanceUnit = DistanceUnit.KM

    @property
    def rules(self) -> PlanRules:
        return self.catalogue.plan

    @property
    def primary(self) -> dict[str, Sequence[str]]:
        """Self-test id -> the drivers it measures, the one it measures most first."""
        return {t.id: tuple(t.measures) for t in self.catalogue.self_tests.values()}

    def has(self, ref_id: str) -> bool:
        return any(i.ref_id == ref_id for i in self.items)

    def exclude(self, ref_id: str, reason: str) -> None:
        if not any(e.ref_id == ref_id for e in self.excluded) and not self.has(ref_id):
            self.excluded.append(ExcludedItem(ref_id, reason))

    def first_plan(
        self,
        run: RunPrescription,
        referral: str | None,
        rationale: str,
        action: str | None,
        driver_priority: tuple[DriverId, ...] = (),
    ) -> Plan:
        """Version 1 of the plan, week 1 of the builder's phase, from what was assembled."""
        return Plan(
            version=1,
            created=self.start,
            phase=self.phase,
            week=1,
            irritability=self.irritability,
            items=tuple(self.items),
            excluded=tuple(self.excluded),
            run=run,
            escalation_rules=_escalation_rules(self.rules),
            referral=referral,
            rationale=rationale,
            referral_action=action,
            driver_priority=driver_priority,
        )

    def active(self) -> list[Driver]:
        return [d for d in self.drivers if d.active]

    def strength_of(self, driver: DriverId) -> float:
        return next((d.strength for d in self.drivers if d.id == driver), 0.0)


def _eligible(b: _Builder, ex: Exercise) -> str | None:
    """None when the exercise may be prescribed now, else the reason it may not."""
    if PHASES.index(ex.earliest_phase) > PHASES.index(b.phase):
        return f"starts in the {ex.earliest_phase} phase (you are in {b.phase})"
    if _IRRITABILITY_RANK[b.irritability] > _IRRITABILITY_RANK[ex.max_irritability]:
        return "waits until the heel is less irritable (first-step and worst pain lower)"
    if (
        ex.id in b.rules.high_load.exercise_ids
        and b.irritability not in b.rules.high_load.allowed_irritability
    ):
        return "heavy heel raises wait until the heel is less irritable"
    return None


def _equipment(b: _Builder, ex: Exercise) -> tuple[bool, str | None]:
    """(possible, note): substitutes missing equipment where the rules allow, else not possible."""
    owned = _list(b.answers, "equipment")
    missing = [e for e in ex.equipment if e in INTAKE_EQUIPMENT and e not in owned]
    if "gym" in missing and len(missing) < len([e for e in ex.equipment if e in INTAKE_EQUIPMENT]):
        missing.remove("gym")  # a gym is one of several ways to load it
    notes = []
    for item in missing:
        sub = b.rules.selection.equipment_substitutes.get(item)
        if sub is None:
            return False, f"needs {_EQUIPMENT_LABELS.get(item, item)}, which you do not have"
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
    return " and ".join(_EQUIPMENT_LABELS.get(e, e.replace("_", " ")) for e in level_needs)


def _add_exercise(b: _Builder, ex_id: str, why: str, drivers: Sequence[DriverId], days_n: int) -> bool:
    ex = b.catalogue.exercises.get(ex_id)
    if ex is None or b.has(ex_id):
        return False
    possible, note = _equipment(b, ex)
    top = levels_within_equipment(ex, _list(b.answers, "equipment"))
    if possible and top == 0:
        possible, note = False, f"needs {_needs_text(ex.levels[0].needs)}, which you do not have"
    if not possible:  # before the phase: a later phase must not bring back what cannot be done
        b.exclude(ex_id, f"{ex.name}: {note}.")
        return False
    reason = _eligible(b, ex)
    if reason:
        b.exclude(ex_id, f"{ex.name}: {reason}. {DEFERRED_NOTE}")
        return False
    # only a calm heel starts above level 1 (the same rule as the weekly review's new exercises)
    level_no = min(top, ex.start_level if (b.irritability == "low" and b.phase != "settle") else 1)
    level = ex.levels[level_no - 1]
    days = WEEKDAYS if days_n == 7 else session_days(_days(days_n), level.dose.days_per_week)
    dose = exercise_dose(level.dose, b.irritability, len(days), note)
    full_why = f"{why} {ex.plain}".strip()
    if top < len(ex.levels):
        full_why += (
            f" It stays at level {top} without {_needs_text(ex.levels[top].needs)}, "
            f"which level {top + 1} needs."
        )
    b.items.append(
        PlanItem(
            ex.id,
            "exercise",
            ex.id,
            ex.name,
            level_no,
            dose,
            days,
            full_why,
            tuple(drivers),
            ex.evidence,
            tuple(ex.sources),
            False,
            None,
            b.start,
            top if top < len(ex.levels) else None,
        )
    )
    return True


def _strength_days(b: _Builder) -> int:
    available = int(_num(b.answers, "days_available_per_week", 3)) or 1
    return max(1, min(available, b.rules.phase(b.phase).strength_days_max))


def _exercises(b: _Builder) -> None:  # noqa: C901 - split pending (next wave)
    sel = b.rules.selection
    strength_days = _strength_days(b)
    # Grade A stretching, always, daily: it takes two minutes and needs no session.
    ankle = b.strength_of("ankle_mobility") >= b.rules.driver_weighting.active_threshold
    for ex_id in sel.stretches:
        ankle_driver = next((d for d in b.drivers if d.id == "ankle_mobility"), None)
        extra = (
            f" {ankle_driver.short_why(b.primary)}"
            if (ankle and ankle_driver is not None and "calf" in ex_id)
            else ""
        )
        _add_exercise(b, ex_id, f"{sel.stretch_grade_note}{extra}", ["ankle_mobility"], 7)

    strength: list[tuple[str, str, list[DriverId]]] = []
    active = {d.id: d for d in b.active()}
    # One short clause of why; the driver's full evidence is in the plan's rationale.
    calf = active.get("calf_capacity")
    calf_note = (f"{calf.short_why(b.primary)} " if calf else "") + (
        "Heel raises are the core of the plan (strength training, grade B)."
    )
    for ex_id in sel.calf:
        strength.append((ex_id, calf_note, ["calf_capacity"]))
    foot = active.get("foot_intrinsics")
    foot_note = (f"{foot.short_why(b.primary)} " if foot else "") + (
        "Foot-core training cut running injuries (Taddei 2020)."
    )
    strength.append((sel.foot_intrinsics[0], foot_note, ["foot_intrinsics"]))
    for driver in b.active():
        menu = sel.per_driver.get(driver.id, [])
        for ex_id in menu[: sel.per_driver_count + 1]:
            strength.append((ex_id, driver.short_why(b.primary), [driver.id]))
    hip_known = any(d.evidence for d in b.drivers if d.id in ("hip_control", "knee_control"))
    if not hip_known:
        for ex_id in sel.per_driver.get("hip_control", []):
            strength.append(
                (
                    ex_id,
                    "Hip control is one of the three usual drivers; the self-tests will tell.",
                    ["hip_control"],
                )
            )
    if b.rules.phase(b.phase).power_exercises:
        for ex_id in sel.power:
            strength.append(
                (
                    ex_id,
                    "Springy, running-like work gets the foot ready for full training.",
                    ["calf_capacity"],
                )
            )

    calf_done = False
    per_driver_added: dict[str, int] = {}
    for ex_id, why, drivers in strength:
        is_calf = drivers == ["calf_capacity"] and ex_id in sel.calf
        if is_calf and calf_done:
            continue
        key = drivers[0]
        if not is_calf and key in sel.per_driver and per_driver_added.get(key, 0) >= sel.per_driver_count:
            continue
        ex = b.catalogue.exercises.get(ex_id)
        if ex is None or b.has(ex_id):
            continue
        if _add_exercise(b, ex_id, why, drivers, strength_days):
            per_driver_added[key] = per_driver_added.get(key, 0) + 1
            calf_done = calf_done or is_calf
    # a missing calf exercise (e.g. Rathleff too early) is not a reason to show the fallback as excluded
    b.excluded = [e for e in b.excluded if not b.has(e.ref_id)]


def _fit_rank(b: _Builder, item: PlanItem) -> tuple[int, float]:
    """Which items a short session keeps first: the heel raise (the core strength work), then the
    exercises for the runner's drivers (strongest first), then the other exercises, optional care
    last."""
    if item.kind != "exercise":
        return 4, 0.0
    if item.ref_id in b.rules.selection.calf:
        return 0, 0.0
    driven = [b.strength_of(d) for d in item.drivers if d in {a.id for a in b.active()}]
    return (2, -max(driven)) if driven else (3, 0.0)


def _fit_reason(item: PlanItem, minutes: float, budget: float, rank: int) -> str:
    first = (
        "optional care comes after the exercises"
        if rank == 4
        else "the heel raise and the exercises for your main drivers come first"
    )
    if rank == 0:
        first = "it is the core of the plan: give it the time if you can"
    return (
        f"{item.title}: left out to fit your {budget:g}-minute sessions "
        f"(it takes about {minutes:.0f} minutes; {first})."
    )


def _fit_session(b: _Builder) -> None:
    """Fit each day's session into the minutes the runner gives it (intake ``minutes_per_session``).

    Items are kept in the order of :func:`_fit_rank` while every day they are on still fits
    (estimated from the doses, ``domain.session_time``); the rest are left out with the reason.
    The daily grade-A stretches stay and are not counted: they are done across the day (the
    plantar-fascia stretch before the first steps), not in the session.
    """
    budget = _num(b.answers, "minutes_per_session", 0)
    if budget <= 0:
        return
    timing = b.rules.selection.session_time
    used = dict.fromkeys(WEEKDAYS, 0.0)
    sel = b.rules.selection
    timed = [i for i in b.items if i.kind in ("exercise", "adjunct") and i.ref_id not in sel.stretches]
    dropped: list[tuple[PlanItem, float, int]] = []
    for item in sorted(timed, key=lambda i: _fit_rank(b, i)):
        minutes = item_minutes(item.dose, timing)
        if all(used[d] + minutes <= budget for d in item.days):
            for d in item.days:
                used[d] += minutes
        else:
            dropped.append((item, minutes, _fit_rank(b, item)[0]))
    for item, minutes, rank in dropped:
        b.items.remove(item)
        b.exclude(item.ref_id, _fit_reason(item, minutes, budget, rank))
    # passive care never outnumbers the strength work, also after a short session left some out
    n_strength = sum(1 for i in b.items if i.kind == "exercise" and i.ref_id not in sel.stretches)
    for extra in [i for i in b.items if i.kind == "adjunct"][n_strength:]:
        b.items.remove(extra)
        b.exclude(
            extra.ref_id,
            f"{extra.title}: never more passive tools than strength exercises, and your "
            f"{budget:g}-minute sessions leave room for {n_strength} of those.",
        )


def _flag_reason(therapy: PassiveTherapy, flags: frozenset[str], rules: PlanRules) -> str | None:
    hits: list[str] = [f for f in therapy.contraindications if f in flags]
    for flag in sorted(flags):
        if therapy.kind in rules.adjuncts.safety_excludes_kinds.get(flag, []):  # type: ignore[call-overload]
            hits.append(flag)
    if not hits:
        return None
    names = ", ".join(sorted({h.replace("_", " ") for h in hits}))
    return f"{therapy.name}: not for you because of {names} (ask a clinician first)."


def _adjuncts(b: _Builder) -> None:
    rules = b.rules.adjuncts
    for therapy in b.catalogue.passive.values():
        if therapy.self_administered:
            reason = _flag_reason(therapy, b.flags, b.rules)
            if reason:
                b.exclude(therapy.id, reason)
    first = _num(b.answers, "first_step_pain")
    if first < rules.min_first_step_pain:
        return
    owned, tried = _list(b.answers, "equipment"), _list(b.answers, "tried")
    candidates = [t for e, t in rules.equipment_to_therapy.items() if e in owned]
    candidates += [t for k, t in rules.tried_to_therapy.items() if k in tried]
    grade_order = "ABCDEF"
    therapies = [b.catalogue.passive[c] for c in dict.fromkeys(candidates) if c in b.catalogue.passive]
    therapies.sort(key=lambda t: grade_order.find(t.evidence) if t.evidence in grade_order else 9)
    strength_days: tuple[str, ...] = max(
        (i.days for i in b.items if i.kind == "exercise" and i.days != WEEKDAYS), key=len, default=("wed",)
    )
    added = 0
    # passive care never outnumbers the strength work (seed 000: an adjunct, never the whole plan)
    n_strength = sum(
        1 for i in b.items if i.kind == "exercise" and i.ref_id not in b.rules.selection.stretches
    )
    cap = min(rules.max_items, n_strength)
    for therapy in therapies:
        if any(e.ref_id == therapy.id for e in b.excluded):
            continue
        if therapy.kind == "night_splint" and first < rules.night_splint_min_first_step_pain:
            b.exclude(
                therapy.id,
                f"{therapy.name}: only worth it when first-step pain is "
                f"{rules.night_splint_min_first_step_pain}/10 or more most mornings.",
            )
            continue
        if added >= cap:
            b.exclude(
                therapy.id,
                f"{therapy.name}: at most {cap} passive tool{'s' if cap != 1 else ''} at a time, never "
                "more than the strength exercises.",
            )
            continue
        weeks = min(rules.max_weeks, therapy.time_limit_weeks or rules.max_weeks)
        until = b.start + timedelta(weeks=weeks)
        days = strength_days if rules.never_more_days_than_strength else WEEKDAYS
        if therapy.kind == "night_splint":
            days = WEEKDAYS  # worn overnight, every night (grade A for 1-3 months), not on session days
        if therapy.dose is not None:
            days = session_days(days, therapy.dose.days_per_week)
        dose: dict[str, Any] = (
            exercise_dose(therapy.dose, b.irritability, len(days))
            if therapy.dose
            else {"days_per_week": len(days)}
        )
        if therapy.kind == "night_splint":
            dose["note"] = "Wear it overnight; take it off if it keeps you awake or causes numbness."
        why = (
            f"{therapy.purpose} Optional, for symptoms only, while the strength work builds the fix;"
            f" stop by {until.isoformat()} or when first-step pain is below "
            f"{rules.min_first_step_pain}/10. {therapy.evidence_note}"
        )
        b.items.append(
            PlanItem(
                therapy.id,
                "adjunct",
                therapy.id,
                therapy.name,
                None,
                dose,
                days,
                why,
                (),
                therapy.evidence,
                _sources(therapy.sources, rules.sources),
                True,
                until,
            )
        )
        added += 1


def run_for_stage(
    stage: int, catalogue: Catalogue, unit: DistanceUnit = DistanceUnit.KM
) -> tuple[float, str]:
    """(distance_km, text) of a walk/run stage; in miles the text is told from the stage's numbers
    (the table's own words give both units, kilometres in brackets)."""
    st = catalogue.plan.return_to_run.stages[stage - 1]
    if unit is DistanceUnit.KM:
        return st.distance_km, st.text
    far = distance(st.distance_km, unit)
    if st.walk_min <= 0:
        return st.distance_km, f"Run continuously for {far}"
    return st.distance_km, f"Walk {st.walk_min:g} min, run {st.run_min:g} min, repeat for {far}"


def _stop_rules(rules: PlanRules) -> tuple[str, ...]:
    pm, rtr = rules.pain_monitoring, rules.return_to_run
    return (
        (
            f"Pain during the run 0-{pm.during_safe_max}/10 is safe and up to {pm.during_acceptable_max}/10 "
            f"acceptable; above {pm.during_acceptable_max}/10 stop and walk home."
        ),
        (
            f"Pain afterwards may reach about {pm.after_max}/10 but must settle by the next morning; "
            "if it has not, the next run goes one step back."
        ),
        f"Do not move up with {', '.join(rtr.no_progress_if)}.",
        "Your morning (first-step) pain must not creep up from week to week.",
    )


def _run(b: _Builder, load: LoadSnapshot | None, cadence_pct: float | None) -> RunPrescription:  # noqa: PLR0915 - split pending (next wave)
    rules, a = b.rules, b.answers
    rtr, caps, pm = rules.return_to_run, rules.load_caps, rules.pain_monitoring
    usual_runs = int(_num(a, "runs_per_week", 0))
    weekly = load.weekly_run_km if load else _num(a, "weekly_distance_km")
    longest = load.longest_run_30d_km if load else _num(a, "longest_run_km")
    spike = load is not None and load.spike_band != "none"
    if spike and load is not None and load.chronic_weekly_run_km > 0:
        weekly = min(weekly, load.chronic_weekly_run_km)
    run_pain = _num(a, "pain_during_run")
    returning = a.get("running_goal") == "return_to_running" or usual_runs == 0 or weekly <= 0
    cadence = None
    if cadence_pct is not None:
        cadence = max(
            rules.cadence_cue.increase_pct_min, min(rules.cadence_cue.increase_pct_max, cadence_pct)
        )
    sources = _sources(rtr.sources, pm.sources, rules.keep_running.sources)
    why_parts: list[str] = []

    if "suspected_fracture" in b.flags:
        return RunPrescription(
            "none",
            None,
            0,
            None,
            None,
            "no running",
            rtr.surface,
            _stop_rules(rules),
            None,
            "No running until a clinician has ruled out a stress fracture.",
            sources,
        )
    mode: RunMode
    walk_run = (
        b.irritability == "high"
        or run_pain > rules.keep_running.value
        or (returning and b.irritability != "low")
    )
    if walk_run:
        stage = 1
        dist, text = run_for_stage(stage, b.catalogue, b.unit)
        runs = min(rtr.runs_per_week_max, usual_runs) if usual_runs else rtr.runs_per_week_max
        runs = max(1, runs)
        if b.irritability == "high":
            why_parts.append(
                "Your heel is irritable, so running restarts as walk/run rather than stopping "
                "altogether (modified load, not full rest)."
            )
        elif run_pain > rules.keep_running.value:
            why_parts.append(
                f"Running hurts more than {rules.keep_running.value:g}/10 now, so it steps down to walk/run."
            )
        else:
            why_parts.append("You are coming back to running, so you start with the walk/run table.")
        why_parts.append(
            f"Stage {stage}: {text}. Each stage at least {rtr.repeats_per_stage_min} times, a rest "
            f"day between runs, then move up one stage. ({rtr.note.split(';')[0]}.)"
        )
        max_single, weekly_cap, mode, st = dist, round(dist * runs, 1), "walk_run", stage
        effort = rtr.effort
    else:
        phase_rule = rules.phase(b.phase)
        pct = caps.after_spike_increase_pct if spike else caps.single_run_increase_pct
        base_long = longest if longest > 0 else caps.continuous_min_km.value
        max_single = round(base_long * (1 + pct.value / 100), 1)
        if longest > 0 and phase_rule.run_volume_pct < 100:
            # a reduced week shrinks the longest run in proportion (never below the walk/run end point)
            max_single = min(
                max_single,
                round(max(caps.continuous_min_km.value, longest * phase_rule.run_volume_pct / 100), 1),
            )
        runs = max(1, usual_runs or rtr.runs_per_week_max)
        if weekly > 0:
            weekly_cap = round(
                min(
                    weekly * phase_rule.run_volume_pct / 100,
                    weekly * (1 + caps.weekly_increase_pct.value / 100),
                ),
                1,
            )
        else:
            weekly_cap = round(max_single * runs, 1)
        max_single = min(max_single, weekly_cap)
        mode, st, effort = "continuous", None, "easy to moderate; you can talk in sentences"
        why_parts.append(
            f"Keep running: pain during runs is {run_pain:g}/10, within the acceptable "
            f"{rules.keep_running.value:g}/10. {rules.keep_running.plain} (grade {rules.keep_running.grade}: "
            "expert opinion.)"
        )
        why_parts.append(
            f"This phase runs about {phase_rule.run_volume_pct:g}% of your usual week "
            f"({distance(weekly, b.unit)}), capped at {distance(weekly_cap, b.unit)}. "
            f"{caps.weekly_increase_pct.plain}"
        )
        if spike and load is not None:
            band = load.spike_band.replace("over_", "over +").replace("_", "-")
            why_parts.append(
                f"Your watch data show a load spike: a run {band}% longer than your longest of the month "
                f"before. Spikes like that raised injury risk in "
                f"{largest_study(b.catalogue, caps.single_run_increase_pct.sources)}, so your "
                f"longest run is capped at {distance(max_single, b.unit)} this week: "
                f"{caps.after_spike_increase_pct.plain}"
            )
            sources = _sources(
                sources, caps.single_run_increase_pct.sources, caps.after_spike_increase_pct.sources
            )
        elif longest > 0 and phase_rule.run_volume_pct < 100:
            why_parts.append(
                f"{caps.single_run_increase_pct.plain} In this phase your longest run also shrinks with "
                f"the week (about {phase_rule.run_volume_pct:g}% of your {distance(longest, b.unit)}): "
                f"{distance(max_single, b.unit)} at most."
            )
        else:
            why_parts.append(
                f"{caps.single_run_increase_pct.plain} That means {distance(max_single, b.unit)} at most."
            )
            sources = _sources(sources, caps.single_run_increase_pct.sources)
        sources = _sources(sources, caps.weekly_increase_pct.sources)
    if cadence is not None:
        why_parts.append(f"Your video showed overstriding: {rules.cadence_cue.plain} (+{cadence:g}%).")
        sources = _sources(sources, rules.cadence_cue.sources)
    return RunPrescription(
        mode,
        st,
        runs,
        max_single,
        weekly_cap,
        effort,
        rtr.surface,
        _stop_rules(rules),
        cadence,
        " ".join(why_parts),
        sources,
        round(weekly, 1) if weekly > 0 else None,
    )


def _cross_training(b: _Builder, run: RunPrescription, spike: bool) -> None:
    if run.mode == "continuous" and b.phase not in ("settle",) and not spike:
        return
    order = {"minimal": 0, "low": 1, "moderate": 2}
    options = sorted(b.catalogue.cross_training.values(), key=lambda c: order[c.heel_load])
    for ct in options[: b.rules.selection.cross_training_count]:
        why = f"{ct.plain} Keeps your fitness while running is reduced, with {ct.heel_load} load on the heel."
        b.items.append(
            PlanItem(
                ct.id,
                "cross_training",
                ct.id,
                ct.name,
                None,
                {"instead_of": "instead of a run or on a rest day", "effort": "easy to moderate"},
                (),
                why,
                ("load_spike",),
                ct.evidence,
                tuple(ct.sources),
                True,
                None,
            )
        )


def _footwear(b: _Builder) -> None:
    foot = str(b.answers.get("foot_type") or "unsure")
    sel = b.rules.selection
    shoe_km = _num(b.answers, "shoe_age_km", 0)
    limit = sel.shoe_replace_km
    old_shoes = shoe_km > limit.value
    grade_order = "ABCDEF"
    specific = [f for f in b.catalogue.footwear.values() if f.foot_type == foot]
    general = sorted(
        (f for f in b.catalogue.footwear.values() if f.foot_type == "any" and f.id != sel.footwear_old_shoes),
        key=lambda f: grade_order.find(f.evidence) if f.evidence in grade_order else 9,
    )
    chosen = specific + general[: sel.footwear_general_count]
    if old_shoes and sel.footwear_old_shoes in b.catalogue.footwear:
        chosen.append(b.catalogue.footwear[sel.footwear_old_shoes])
    for fw in chosen:
        why = fw.plain
        if fw.foot_type == foot and foot in ("flat", "high_arch"):
            why = f"For {foot.replace('_', ' ')} feet: {why}"
        srcs = tuple(fw.sources)
        if fw.id == sel.footwear_old_shoes:
            grade = limit.grade.replace("_", " ")
            why += f" Your shoes have about {shoe_km:.0f} km on them: {limit.plain} ({grade})"
            srcs = _sources(srcs, limit.sources)
        b.items.append(
            PlanItem(
                fw.id,
                "footwear",
                fw.id,
                fw.name,
                None,
                {},
                (),
                why,
                ("footwear",),
                fw.evidence,
                srcs,
                True,
                None,
            )
        )


def _education(b: _Builder, run: RunPrescription, spike: bool) -> None:
    a = b.answers
    tried = _list(a, "tried")
    weeks = _num(a, "symptom_duration_weeks")
    wanted: list[tuple[str, str]] = [
        ("what_is_the_plantar_fascia", "Knowing what hurts makes the plan make sense."),
        ("pain_monitoring", "How to use pain to steer your load, day by day."),
    ]
    passive_only = bool(tried & _PASSIVE_TRIED) and not tried & _ACTIVE_TRIED
    if passive_only or _num(a, "past_episodes") > 0:
        why = (
            "You have tried passive care only, which calms symptoms without changing why the fascia is "
            "overloaded."
            if passive_only
            else "It has come back before; here is why and how to stop it."
        )
        wanted.append(("why_it_keeps_coming_back", why))
    if any(i.kind == "adjunct" for i in b.items) or passive_only:
        wanted.append(
            ("passive_care_has_a_place", "Where rolling, taping and massage fit, and where they do not.")
        )
    if run.mode != "none":
        wanted.append(("keep_running_safely", "You keep running, within rules that protect the heel."))
    if spike or b.strength_of("load_spike") >= b.rules.driver_weighting.active_threshold:
        wanted.append(("load_management", "A jump in load set this off; here is how to build load safely."))
    if weeks >= 12:
        wanted.append(("prognosis", "Most people get better, but it takes months; what to expect."))
    refractory = [e.symptom_weeks_over for e in b.rules.escalation if e.symptom_weeks_over]
    if refractory and weeks > min(refractory):
        wanted.append(("surgery_is_no_failure", "If rehab is not enough, further options are no failure."))
    for topic_id, why in wanted:
        topic = b.catalogue.education.get(topic_id)
        if topic is None:
            continue
        b.items.append(education_item(topic, why))


def education_item(topic: EducationTopic, why: str) -> PlanItem:
    """A 'read this' item of the plan: one education topic and why it is there now."""
    return PlanItem(
        id=topic.id,
        kind="education",
        ref_id=topic.id,
        title=topic.title,
        level=None,
        dose={},
        days=(),
        why=why,
        drivers=(),
        evidence="not_graded",
        sources=tuple(topic.sources),
        optional=False,
        until=None,
    )


def _escalation_items(b: _Builder) -> None:
    weeks = _num(b.answers, "symptom_duration_weeks")
    for rule in b.rules.escalation:
        if rule.symptom_weeks_over is not None and weeks > rule.symptom_weeks_over:
            options = "; ".join(rule.options)
            why = " ".join(
                sentence(part)
                for part in (
                    f"Your heel has hurt for {weeks:g} weeks",
                    rule.plain,
                    f"Options: {options}",
                    rule.note,
                )
            )
            b.items.append(
                PlanItem(
                    rule.id,
                    "escalation",
                    rule.id,
                    "Talk to a physician about further options",
                    None,
                    {},
                    (),
                    why,
                    (),
                    rule.grade,
                    tuple(rule.sources),
                    False,
                    None,
                )
            )


def _escalation_rules(rules: PlanRules) -> tuple[str, ...]:
    return tuple(r.plain for r in rules.escalation)


def sentence(text: str) -> str:
    """``text`` as one clean sentence: spaces collapsed, ending in exactly one '.', '!' or '?'.

    Runner-facing text is glued from knowledge-base sentences; this keeps the seams clean (no
    '..', '.).' or ' ,').
    """
    text = " ".join(text.split()).replace(" ,", ",").replace(" .", ".").strip(" ,;:")
    if not text:
        return ""
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _describe(obj: object) -> str:
    """Why a fired red flag matters, as a sentence (its reason, else its best description)."""
    for attr in ("reason", "plain", "text", "summary", "name", "label", "id"):
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return sentence(value)
    return sentence(str(obj))


@dataclass(frozen=True, slots=True)
class _Referral:
    """Why a person is referred, in parts: the red flags' names, their reasons and what to do."""

    names: str  # 'Poor circulation; Diabetes' ('' when no red flag fired)
    reasons: str  # one sentence per red flag
    todo: str  # the red flags' own advice, each sentence once
    ids: str  # the red flag ids, for the clinician

    @classmethod
    def of(cls, triage: TriageLike) -> _Referral:
        flags = list(triage.red_flags)
        names = "; ".join(str(getattr(f, "name", "") or "").strip() for f in flags)
        ids = ", ".join(str(getattr(f, "id", "") or "") for f in flags if getattr(f, "id", None))
        reasons = " ".join(dict.fromkeys(_describe(f) for f in flags))
        if not flags:  # an unclear diagnosis: triage's own reasons say why
            reasons = " ".join(sentence(str(r)) for r in getattr(triage, "level_reasons", ()) or ())
        return cls(names.strip("; "), reasons, _what_to_do(triage), ids)

    def text(self, lead: str, fallback: str) -> str:
        """``lead``, then what heelcoach noticed, why it matters and what to do now."""
        parts = [sentence(lead)]
        if self.names:
            parts.append(f"What heelcoach noticed: {sentence(self.names)}")
            if self.reasons:
                parts.append(f"Why it matters: {self.reasons}")
        else:
            parts.append(f"What heelcoach noticed: {self.reasons or sentence(fallback)}")
        if self.todo:
            parts.append(f"What to do now: {self.todo}")
        return " ".join(parts)


def red_flag_rule(rules: PlanRules) -> EscalationRule:
    """The escalation rule of a red flag (``red_flag_now``): its advice, grade and sources."""
    return next((r for r in rules.escalation if r.id == "red_flag_now"), rules.escalation[0])


def see_a_clinician_first(rules: PlanRules) -> PlanItem:
    """The 'See a clinician first' item of a plan stopped by a red flag (first plan or a review)."""
    red = red_flag_rule(rules)
    return PlanItem(
        id="see_a_clinician",
        kind="escalation",
        ref_id=red.id,
        title="See a clinician first",
        level=None,
        dose={},
        days=(),
        why=f"The reason is at the top of your plan. {sentence(red.plain)}",
        drivers=(),
        evidence=red.grade,
        sources=tuple(red.sources),
        optional=False,
        until=None,
    )


def no_running(rules: PlanRules, surface: str, stop_rules: tuple[str, ...]) -> RunPrescription:
    """The running part of a plan stopped by a red flag: no running until a clinician has seen you."""
    return RunPrescription(
        mode="none",
        stage=None,
        runs_per_week=0,
        max_single_run_km=None,
        weekly_km_cap=None,
        effort="no running",
        surface=surface,
        stop_rules=stop_rules,
        cadence_cue_pct=None,
        why="No running until a clinician has seen you.",
        sources=tuple(red_flag_rule(rules).sources),
    )


def _stop_rationale(level: TriageLevel, why: _Referral) -> str:
    """Why the plan stops, in plain English, with the precise triage result for a clinician."""
    names = why.names or "your answers do not clearly fit plantar fasciitis"
    if level == TriageLevel.EMERGENCY:
        noticed = f"heelcoach noticed a warning sign in your answers that needs medical care today: {names}."
        what = "Get medical care today (urgent care, an emergency department or your doctor the same day)."
    else:
        noticed = f"heelcoach noticed something in your answers that a clinician should check first: {names}."
        what = "Book a doctor, physical therapist or podiatrist, and show them this plan."
    clinical = f"For your clinician: triage level '{level.value}'"
    clinical += f", red flags {why.ids}." if why.ids else ", no red flag; the diagnosis is unclear."
    stops = (
        "Heel exercises and running could make it worse or hide what is going on, so heelcoach stops "
        "here and does not build a training plan yet."
    )
    back = "When a clinician says the heel is safe to load, come back and heelcoach will build your plan."
    return f"{sentence(noticed)} {stops} What to do now: {what} {back} {clinical}"


def _referral_plan(inp: PlanInput, catalogue: Catalogue, b: _Builder) -> Plan:
    rules = catalogue.plan
    level = effective_level(inp.triage)
    why = _Referral.of(inp.triage)
    if level == TriageLevel.EMERGENCY:
        lead = "Get urgent medical care today."
    else:
        lead = "See a clinician (doctor, physical therapist or podiatrist) before you run or load this heel."
    referral = why.text(lead, "your answers need a clinician's look first")
    _adjuncts_flags_only(b)
    b.items.append(see_a_clinician_first(rules))
    b.exclude("running", "Running is paused until a clinician has seen you.")
    b.exclude("strength_work", "Loading exercises wait until a clinician has seen you.")
    run = no_running(rules, rules.return_to_run.surface, _stop_rules(rules))
    return b.first_plan(run, referral, _stop_rationale(level, why), STOP_AND_REFER)


def _what_to_do(triage: TriageLike) -> str:
    """The red flags' own advice, each sentence once."""
    todo = (sentence(str(getattr(r, "what_to_do", "") or "")) for r in triage.red_flags)
    return " ".join(dict.fromkeys(t for t in todo if t))


def _adjuncts_flags_only(b: _Builder) -> None:
    for therapy in b.catalogue.passive.values():
        if therapy.self_administered:
            reason = _flag_reason(therapy, b.flags, b.rules)
            if reason:
                b.exclude(therapy.id, reason)


def effective_level(triage: TriageLike) -> TriageLevel:
    """The triage level, made at least as urgent as every red flag that fired (a red flag always wins)."""
    levels = [TriageLevel(str(triage.level))]
    for flag in triage.red_flags:
        flag_level = getattr(flag, "level", TriageLevel.REFER)
        try:
            levels.append(TriageLevel(str(flag_level)))
        except ValueError:
            levels.append(TriageLevel.REFER)
    return TriageLevel.most_urgent(*levels)


def referral_action(triage: TriageLike) -> str | None:
    """What a referral means for the plan: None (no referral), ``'stop_and_refer'`` or
    ``'refer_and_continue_safely'``.

    The plan continues only when every red flag that fired says so and nothing else (an emergency,
    an unclear diagnosis) asks for a stop. Anything unknown counts as a stop: err toward safety.
    """
    level = effective_level(triage)
    if level not in (TriageLevel.EMERGENCY, TriageLevel.REFER):
        return None
    flags = list(triage.red_flags)
    if level is TriageLevel.EMERGENCY or any(getattr(f, "stops_loading", True) for f in flags):
        return STOP_AND_REFER
    told = getattr(triage, "referral_action", None)
    if told is not None:
        return STOP_AND_REFER if told != REFER_AND_CONTINUE else REFER_AND_CONTINUE
    return REFER_AND_CONTINUE if flags else STOP_AND_REFER


def _continue_floor(
    triage: TriageLike, irritability: Irritability, phase: Phase
) -> tuple[Irritability, Phase]:
    """Irritability at least, and phase at most, what the continue-safely red flags ask for."""
    for flag in triage.red_flags:
        floor = getattr(flag, "continue_irritability_min", None)
        if floor in _IRRITABILITY_RANK and _IRRITABILITY_RANK[floor] > _IRRITABILITY_RANK[irritability]:
            irritability = floor
        cap = getattr(flag, "continue_phase", None) or "settle"
        if cap in PHASES and PHASES.index(cap) < PHASES.index(phase):
            phase = cap
    return irritability, phase


def _drivers_sentence(drivers: Sequence[Driver], primary: Mapping[str, Sequence[str]]) -> str:
    """'Most worth working on: A (finding); B (finding); and C (finding).' One finding each."""
    heads = [d.headline(primary) for d in drivers]
    listed = heads[0] if len(heads) == 1 else "; ".join(heads[:-1]) + f"; and {heads[-1]}"
    return f"Most worth working on: {listed}."


def build_plan(inp: PlanInput, catalogue: Catalogue) -> Plan:
    """Build version 1 of a person's plan (pure; ``inp.start`` is the first day)."""
    rules = catalogue.plan
    irritability = assess_irritability(inp.answers, rules)
    flags = frozenset(str(f) for f in inp.triage.safety_flags)
    level = effective_level(inp.triage)
    action = referral_action(inp.triage)
    phase: Phase = rules.irritability.start_phase[irritability]
    if action == STOP_AND_REFER:
        # a stopped plan waits in the settle phase whatever the pain (nothing loads until then)
        b = _Builder(
            catalogue, inp.answers, "settle", irritability, flags, inp.drivers, inp.start, unit=inp.unit
        )
        return _referral_plan(inp, catalogue, b)
    if action == REFER_AND_CONTINUE:
        irritability, phase = _continue_floor(
            inp.triage, irritability, rules.irritability.start_phase[irritability]
        )
        phase = min(phase, rules.irritability.start_phase[irritability], key=PHASES.index)
    b = _Builder(catalogue, inp.answers, phase, irritability, flags, inp.drivers, inp.start, unit=inp.unit)

    _exercises(b)
    _adjuncts(b)
    _fit_session(b)
    spike = inp.load is not None and inp.load.spike_band != "none"
    run = _run(b, inp.load, inp.cadence_cue_pct)
    _cross_training(b, run, spike)
    _footwear(b)
    _education(b, run, spike)
    _escalation_items(b)

    phase_rule = rules.phase(phase)
    active = [d for d in inp.drivers if d.active]
    driver_text = (
        _drivers_sentence(active[:3], b.primary)
        if active
        else "No single driver stands out yet; the plan covers the usual ones (foot, calf, hip)."
    )
    caution = (
        " Triage advises caution: follow the stop rules closely." if level == TriageLevel.CAUTION else ""
    )
    referral: str | None = None
    if action == REFER_AND_CONTINUE:
        referral, see = _continue_referral(inp, catalogue)
        b.items.insert(0, see)
    if "pregnancy" in flags:
        caution += " You are pregnant: check the plan with your midwife or doctor, and skip massage tools."
    irr_text = {"high": "highly", "moderate": "moderately", "low": "only mildly"}[irritability]
    pain_text = (
        f"first-step pain {_num(inp.answers, 'first_step_pain'):g}/10, "
        f"worst {_num(inp.answers, 'worst_pain', _num(inp.answers, 'first_step_pain')):g}/10"
    )
    if action == REFER_AND_CONTINUE:
        start_text = (
            f"Until a clinician has seen your heel, the plan is deliberately gentle: it treats the heel as "
            f"{irr_text} irritable ({pain_text}) and starts in the {phase} phase: {phase_rule.goal} "
        )
    else:
        start_text = (
            f"Your heel is {irr_text} irritable ({pain_text}), so you start in the {phase} phase: "
            f"{phase_rule.goal} "
        )
    rationale = f"{start_text}{driver_text}{caution}"
    priority = tuple(d.id for d in sorted(active, key=lambda d: -d.strength))
    return b.first_plan(run, referral, rationale, action, priority)


def engine_exercises(
    inp: PlanInput, catalogue: Catalogue, phase: Phase, irritability: Irritability
) -> tuple[tuple[PlanItem, ...], tuple[ExcludedItem, ...]]:
    """The exercises the engine picks for the runner's drivers in ``phase`` (stretches, calf, foot,
    hip and knee control, power where the phase has it), with what it left out and why: a condition
    plan takes the driver-targeted ones it allows (``condition_plans``)."""
    flags = frozenset(str(f) for f in inp.triage.safety_flags)
    b = _Builder(catalogue, inp.answers, phase, irritability, flags, inp.drivers, inp.start)
    _exercises(b)
    return tuple(b.items), tuple(b.excluded)


def settle_strength(inp: PlanInput, catalogue: Catalogue, start: date) -> Plan:
    """The engine's exercises for the runner's drivers in the settle phase (lowest doses), with no
    running: the base of the graded return a clinician's clearance starts (``condition_plans``)."""
    rules = catalogue.plan
    irritability = assess_irritability(inp.answers, rules)
    flags = frozenset(str(f) for f in inp.triage.safety_flags)
    b = _Builder(catalogue, inp.answers, "settle", irritability, flags, inp.drivers, start)
    _exercises(b)
    _adjuncts_flags_only(b)
    run = no_running(rules, rules.return_to_run.surface, _stop_rules(rules))
    priority = tuple(d.id for d in sorted(b.active(), key=lambda d: -d.strength))
    return b.first_plan(run, None, "", None, priority)


def _continue_referral(inp: PlanInput, catalogue: Catalogue) -> tuple[str, PlanItem]:
    """The referral text and the 'see a clinician soon' item of a continue-safely plan."""
    rules = catalogue.plan
    referral = _Referral.of(inp.triage).text(
        "See a physical therapist, podiatrist or doctor soon (within a week or two), and keep this "
        "gentle plan until then; none of these is a danger sign.",
        "your answers",
    )
    esc = next((r for r in rules.escalation if r.id == "no_progress_physio"), rules.escalation[0])
    see = PlanItem(
        "see_a_clinician",
        "escalation",
        esc.id,
        "See a clinician soon, and keep going gently",
        None,
        {},
        (),
        "The reason is at the top of your plan. The plan stays gentle until then: lowest levels, no "
        "heavy heel raises, reduced running. Stop and get seen at once if a warning sign appears.",
        (),
        esc.grade,
        tuple(esc.sources),
        False,
        None,
    )
    return referral, see


# --------------------------------------------------------------------------------------------
# serialisation


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """A JSON-safe dict; :func:`plan_from_dict` restores the identical plan."""
    return {
        "version": plan.version,
        "created": plan.created.isoformat(),
        "phase": plan.phase,
        "week": plan.week,
        "irritability": plan.irritability,
        "items": [
            {
                "id": i.id,
                "kind": i.kind,
                "ref_id": i.ref_id,
                "title": i.title,
                "level": i.level,
                "dose": dict(i.dose),
                "days": list(i.days),
                "why": i.why,
                "drivers": list(i.drivers),
                "evidence": i.evidence,
                "sources": list(i.sources),
                "optional": i.optional,
                "until": i.until.isoformat() if i.until else None,
                "level_since": i.level_since.isoformat() if i.level_since else None,
                "max_level": i.max_level,
            }
            for i in plan.items
        ],
        "excluded": [{"ref_id": e.ref_id, "reason": e.reason} for e in plan.excluded],
        "run": {
            "mode": plan.run.mode,
            "stage": plan.run.stage,
            "runs_per_week": plan.run.runs_per_week,
            "max_single_run_km": plan.run.max_single_run_km,
            "weekly_km_cap": plan.run.weekly_km_cap,
            "effort": plan.run.effort,
            "surface": plan.run.surface,
            "stop_rules": list(plan.run.stop_rules),
            "cadence_cue_pct": plan.run.cadence_cue_pct,
            "why": plan.run.why,
            "sources": list(plan.run.sources),
            "usual_weekly_km": plan.run.usual_weekly_km,
            "tolerated_weekly_km": plan.run.tolerated_weekly_km,
            "recover_to_km": plan.run.recover_to_km,
            "recover_step_km": plan.run.recover_step_km,
        },
        "escalation_rules": list(plan.escalation_rules),
        "referral": plan.referral,
        "referral_action": plan.referral_action,
        "rationale": plan.rationale,
        "driver_priority": list(plan.driver_priority),
        "warnings_cleared_on": plan.warnings_cleared_on.isoformat() if plan.warnings_cleared_on else None,
    }


def plan_from_dict(d: Mapping[str, Any]) -> Plan:
    """The inverse of :func:`plan_to_dict`; raises ValueError naming the missing field."""
    try:
        items = tuple(
            PlanItem(
                i["id"],
                i["kind"],
                i["ref_id"],
                i["title"],
                i["level"],
                dict(i["dose"]),
                tuple(i["days"]),
                i["why"],
                tuple(i["drivers"]),
                i["evidence"],
                tuple(i["sources"]),
                bool(i["optional"]),
                date.fromisoformat(i["until"]) if i["until"] else None,
                date.fromisoformat(i["level_since"]) if i.get("level_since") else None,
                i.get("max_level"),  # absent from plans stored before it existed
            )
            for i in d["items"]
        )
        r = d["run"]
        run = RunPrescription(
            r["mode"],
            r["stage"],
            r["runs_per_week"],
            r["max_single_run_km"],
            r["weekly_km_cap"],
            r["effort"],
            r["surface"],
            tuple(r["stop_rules"]),
            r["cadence_cue_pct"],
            r["why"],
            tuple(r["sources"]),
            r.get("usual_weekly_km"),  # absent from plans stored before it existed
            r.get("tolerated_weekly_km"),
            r.get("recover_to_km"),
            r.get("recover_step_km"),
        )
        return Plan(
            int(d["version"]),
            date.fromisoformat(d["created"]),
            d["phase"],
            int(d["week"]),
            d["irritability"],
            items,
            tuple(ExcludedItem(e["ref_id"], e["reason"]) for e in d["excluded"]),
            run,
            tuple(d["escalation_rules"]),
            d["referral"],
            d["rationale"],
            # plans stored before referral_action existed: every referral stopped loading
            d.get("referral_action", STOP_AND_REFER if d["referral"] else None),
            tuple(d.get("driver_priority") or ()),
            date.fromisoformat(d["warnings_cleared_on"]) if d.get("warnings_cleared_on") else None,
        )
    except KeyError as exc:
        raise ValueError(f"plan data: missing field {exc}; expected the output of plan_to_dict") from exc


def with_items(plan: Plan, items: Sequence[PlanItem], **changes: Any) -> Plan:
    """A copy of ``plan`` with new items and other fields changed."""
    return replace(plan, items=tuple(items), **changes)


# --------------------------------------------------------------------------------------------
# handout


def grade_label(grade: str) -> str:
    """A plain label of an evidence grade, e.g. 'grade B (moderate evidence)'."""
    return {
        "A": "grade A (strong evidence)",
        "B": "grade B (moderate evidence)",
        "C": "grade C (weak evidence)",
        "D": "grade D (conflicting evidence)",
        "E": "grade E (theory / expert consensus)",
        "F": "grade F (expert opinion)",
        "none": "no trial in heel pain",
        "against": "evidence against",
        "rule_of_thumb": "rule of thumb, not evidence",
        "not_graded": "background",
    }.get(grade, grade)


def _wrap(text: str, indent: str = "    ", width: int = 96) -> list[str]:
    words, lines, line = text.split(), [], indent
    # continuation lines of a bullet ("- ...") hang under its text
    hang = indent + "  " if text.startswith("- ") else indent
    for w in words:
        if len(line) + len(w) + 1 > width and line.strip():
            lines.append(line.rstrip())
            line = hang
        line += w + " "
    if line.strip():
        lines.append(line.rstrip())
    return lines


_grade_label = grade_label  # kept for callers written before the name was public


def _sources_line(ids: Sequence[str], catalogue: Catalogue) -> str:
    """Sources as author and year ("Rathleff et al. 2015"), never as ids."""
    names = [short_citation(catalogue.references[i]) for i in ids if i in catalogue.references]
    return f"sources: {'; '.join(dict.fromkeys(names))}" if names else "no published source"


def format_plan_text(  # noqa: C901, PLR0915 - split pending (next wave)
    plan: Plan, catalogue: Catalogue, unit: DistanceUnit = DistanceUnit.KM
) -> str:
    """The plan as a physical therapist would hand it over, in plain text (distances in ``unit``)."""
    rules = catalogue.plan
    out: list[str] = []
    if plan.stops_loading:
        # no phase or week for someone told not to load until a clinician has seen them
        title = "YOUR HEEL PLAN - PAUSED until a clinician has seen you"
    else:
        title = f"YOUR HEEL PLAN - week {plan.week}, {plan.phase.upper()} phase"
    title += f" (plan v{plan.version}, {plan.created})"
    out += [title, "=" * len(title)]
    if plan.referral and plan.stops_loading:
        out += ["", "SEE A CLINICIAN FIRST", *_wrap(plan.referral, "  ")]
    elif plan.referral:
        out += ["", "SEE A CLINICIAN SOON - AND KEEP THIS GENTLE PLAN MEANWHILE", *_wrap(plan.referral, "  ")]
    out += ["", "Where you are and why", *_wrap(plan.rationale, "  ")]
    if not plan.stops_loading:
        pr = rules.phase(plan.phase)
        out += ["", "Next step", *_wrap(pr.exit_text, "  ")]

    groups: list[tuple[str, ItemKind]] = [
        ("EXERCISES", "exercise"),
        ("RUNNING ALTERNATIVES", "cross_training"),
        ("OPTIONAL SYMPTOM RELIEF (adjuncts, time-limited)", "adjunct"),
        ("FOOTWEAR", "footwear"),
        ("READ THIS", "education"),
        ("CLINICIAN", "escalation"),
    ]
    for heading, kind in groups:
        items = [i for i in plan.items if i.kind == kind]
        if not items:
            continue
        out += ["", heading]
        for n, item in enumerate(items, 1):
            lvl = f" (level {item.level})" if item.level else ""
            out.append(f"  {n}. {item.title}{lvl}{' [optional]' if item.optional else ''}")
            dose = format_dose(item.dose)
            if dose:
                out += _wrap(f"Dose: {dose}")
            if item.dose.get("note"):
                out += _wrap(f"Note: {item.dose['note']}")
            if item.days:
                days = "every day" if item.days == WEEKDAYS else ", ".join(d.capitalize() for d in item.days)
                out.append(f"    Days: {days}")
            if item.until:
                out.append(f"    Until: {item.until.isoformat()} at the latest")
            out += _wrap(f"Why: {item.why}")
            ex = catalogue.exercises.get(item.ref_id) if kind == "exercise" else None
            if ex is not None:
                out += _wrap(f"Stop if: {ex.stop_if}")
            sources = _sources_line(item.sources, catalogue)
            out.append(f"    Evidence: {grade_label(item.evidence)}; {sources}")

    run = plan.run
    out += ["", "RUNNING THIS WEEK"]
    if run.mode == "none":
        out.append("  No running this week.")
    elif run.mode == "walk_run":
        stage_text = run_for_stage(run.stage or 1, catalogue, unit)[1]
        out.append(
            f"  Walk/run, stage {run.stage}: {stage_text}; "
            f"{run.runs_per_week} times a week, rest day between."
        )
    else:
        out.append(f"  Continuous easy running, {run.runs_per_week} runs a week.")
    if run.max_single_run_km is not None:
        out.append(
            f"  Longest single run: {distance(run.max_single_run_km, unit)}. "
            f"Week total: at most {distance(run.weekly_km_cap or 0.0, unit)}."
        )
    if run.mode != "none":
        out.append(f"  Effort: {run.effort}. Surface: {run.surface}.")
    if run.cadence_cue_pct:
        out.append(f"  Step rate: +{run.cadence_cue_pct:g}% (shorter, quicker steps).")
    out += _wrap(f"Why: {run.why}", "  ")
    if not plan.stops_loading:
        out += ["", "STOP RULES (pain monitoring)"]
        out += [line for rule in run.stop_rules for line in _wrap(f"- {rule}", "  ")]
        out += _wrap(f"({rules.pain_monitoring.note.strip()})", "  ")

    if plan.excluded:
        out += ["", "LEFT OUT ON PURPOSE"]
        for e in plan.excluded:
            out += _wrap(f"- {e.reason}", "  ")
    out += ["", "WHEN TO SEE A CLINICIAN"]
    for rule in plan.escalation_rules:
        out += _wrap(f"- {rule}", "  ")
    out += ["", *_wrap(DISCLAIMER, "")]
    return "\n".join(out) + "\n"
