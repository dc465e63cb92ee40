"""The plan model: what a plan is made of (items, what was left out, this week's running).

Pure values. ``Plan`` and ``PlanItem`` are keyword-only: an item has many fields, and a reader of
the code that builds one should see each field's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal, Protocol

from heelcoach.domain.drivers import Driver
from heelcoach.domain.types import DriverId, Irritability, LoadSnapshot, Phase, TriageLevel
from heelcoach.domain.units import DistanceUnit
from heelcoach.knowledge.schema import EvidenceGrade

__all__ = [
    "DEFERRED_NOTE",
    "REFER_AND_CONTINUE",
    "STOP_AND_REFER",
    "WEEKDAYS",
    "ClinicianTerms",
    "ExcludedItem",
    "ItemKind",
    "Plan",
    "PlanInput",
    "PlanItem",
    "RunMode",
    "RunPrescription",
    "TriageLike",
    "with_items",
]

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Ends the reason of an exercise that waits for a later phase or a calmer heel; reviews re-admit it.
DEFERRED_NOTE = "It comes in when the heel allows."

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


@dataclass(frozen=True, slots=True, kw_only=True)
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
class ClinicianTerms:
    """What a clinician decided that the engine keeps (``domain.planning.clinician.keep_terms``,
    and ``carry_terms`` when a plan is built again): items taken out stay out, items added stay in
    (and progress like the others), and a weekly running cap stays a ceiling until a clinician
    lifts it. Items the clinician added or whose level they set are fitted first into the runner's
    session minutes (``domain.planning.session_fit``)."""

    held: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    weekly_km_cap: float | None = None
    #: Exercises of the plan whose level or dose a clinician set (or stepped back).
    levels_set: tuple[str, ...] = ()

    @property
    def prescribed(self) -> frozenset[str]:
        """The ref ids of the items the clinician added or set (fitted first into a session)."""
        return frozenset((*self.added, *self.levels_set)) - frozenset(self.held)


@dataclass(frozen=True, slots=True, kw_only=True)
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


@dataclass(frozen=True, slots=True, kw_only=True)
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
    #: The minutes a day the runner gives the session (intake), so that each weekly review fits
    #: the new week into them too; None when the runner gave no limit.
    session_minutes: float | None = None
    #: A clinician's changes that every later version keeps (clinic mode; empty otherwise).
    clinician: ClinicianTerms = ClinicianTerms()

    @property
    def stops_loading(self) -> bool:
        """True when running and loading pause until a clinician has seen the heel."""
        return self.referral is not None and self.referral_action != REFER_AND_CONTINUE


def with_items(plan: Plan, items: Sequence[PlanItem], **changes: Any) -> Plan:
    """A copy of ``plan`` with new items and other fields changed."""
    return replace(plan, items=tuple(items), **changes)
