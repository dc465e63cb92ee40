"""Value types shared by every rule in the core: triage levels and driver evidence.

Later sources (self-tests, gait video, watch files, check-ins) all speak to the plan through
:class:`DriverEvidence`, so a new source needs no change to the plan engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from heelcoach.knowledge.schema import (
    DRIVER_IDS,
    PHASES,
    SAFETY_FLAGS,
    DriverId,
    Irritability,
    Phase,
    SafetyFlag,
)

__all__ = [
    "DRIVER_IDS",
    "PHASES",
    "SAFETY_FLAGS",
    "DriverEvidence",
    "DriverId",
    "EvidenceSource",
    "Irritability",
    "Phase",
    "SafetyFlag",
    "TriageLevel",
]


class TriageLevel(StrEnum):
    """How urgently a person needs a clinician; ordered from most to least urgent."""

    EMERGENCY = "emergency"
    REFER = "refer"
    CAUTION = "caution"
    SELF_MANAGE = "self_manage"

    @property
    def rank(self) -> int:
        """0 for the most urgent level."""
        return list(TriageLevel).index(self)

    @classmethod
    def most_urgent(cls, *levels: TriageLevel) -> TriageLevel:
        """The most urgent of several levels (a red flag always wins)."""
        return min(levels, key=lambda lv: lv.rank)


EvidenceSource = Literal["intake", "self_test", "gait", "activities", "checkin"]


@dataclass(frozen=True, slots=True)
class DriverEvidence:
    """One piece of evidence that a driver overloads the fascia.

    ``weight`` is 0-1: how strongly this observation alone points to the driver. ``item_id``
    names the question, self-test, gait metric or load rule that produced it.
    """

    driver: DriverId
    weight: float
    source: EvidenceSource
    item_id: str
    summary: str
    value: float | None = None
    unit: str | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.weight <= 1.0:
            raise ValueError(f"weight must be within 0-1, got {self.weight}")
        if self.driver not in DRIVER_IDS:
            raise ValueError(f"unknown driver '{self.driver}'")
