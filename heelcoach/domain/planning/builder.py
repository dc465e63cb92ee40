"""The scratch state a plan is assembled in, shared by the planning steps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from heelcoach.domain.drivers import Driver
from heelcoach.domain.planning.answers import answer_number
from heelcoach.domain.planning.model import ExcludedItem, Plan, PlanItem, RunPrescription
from heelcoach.domain.types import DriverId, Irritability, Phase
from heelcoach.domain.units import DistanceUnit
from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.schema_plan import PlanRules

__all__ = ["Builder", "escalation_rules", "merged_sources"]


def merged_sources(*groups: Iterable[str]) -> tuple[str, ...]:
    """Source ids of several groups, each once, in the order first met."""
    seen: dict[str, None] = {}
    for group in groups:
        for s in group:
            seen.setdefault(s, None)
    return tuple(seen)


def escalation_rules(rules: PlanRules) -> tuple[str, ...]:
    """When to see a clinician, one plain sentence per escalation rule."""
    return tuple(r.plain for r in rules.escalation)


@dataclass
class Builder:
    """Mutable scratch state while a plan is assembled (never leaves the planning steps)."""

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
            escalation_rules=escalation_rules(self.rules),
            referral=referral,
            rationale=rationale,
            referral_action=action,
            driver_priority=driver_priority,
            session_minutes=answer_number(self.answers, "minutes_per_session", 0) or None,
        )

    def active(self) -> list[Driver]:
        return [d for d in self.drivers if d.active]

    def strength_of(self, driver: DriverId) -> float:
        return next((d.strength for d in self.drivers if d.id == driver), 0.0)
