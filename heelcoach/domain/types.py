"""Value types shared by every rule in the core: triage levels and driver evidence.

Later sources (self-tests, gait video, watch files, check-ins) all speak to the plan through
:class:`DriverEvidence`, so a new source needs no change to the plan engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
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
    "LoadSnapshot",
    "Phase",
    "SafetyFlag",
    "SpikeBand",
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


SpikeBand = Literal["none", "10_30", "30_100", "over_100"]


@dataclass(frozen=True, slots=True)
class LoadSnapshot:
    """What the watch files say about recent running load, as the plan engine needs it.

    ``spike_band`` is the largest single-run spike of the last 7 days: how much longer a run was
    than the longest run of the 30 days before it (Frandsen 2025 bands, docs/EVIDENCE.md section 3).
    """

    as_of: date
    weekly_run_km: float
    chronic_weekly_run_km: float
    longest_run_30d_km: float
    runs_last_7d: int
    spike_band: SpikeBand = "none"
    spike_run_km: float | None = None
