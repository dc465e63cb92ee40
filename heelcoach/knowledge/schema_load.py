"""Schemas for training-load rules: single-run spike bands, weekly change, the 10% rule, ACWR caveats.

Owned by the watch-data work. Every number carries its sources and an evidence grade.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from heelcoach.knowledge.schema import EvidenceGrade, Id, Model


class SourcedLoadRule(Model):
    """Common fields: evidence grade, sources, and a note for clinicians."""

    grade: EvidenceGrade
    sources: list[Id] = Field(min_length=1)
    note: str = ""


class SpikeBand(Model):
    """One band of the single-run spike: a run ``min_pct``-``max_pct`` % longer than the reference."""

    id: Literal["10_30", "30_100", "over_100"]
    min_pct: float = Field(ge=0)
    max_pct: float | None = Field(default=None, gt=0, description="None: no upper bound")
    hazard_ratio: float = Field(gt=0)
    evidence_weight: float = Field(ge=0, le=1, description="DriverEvidence weight for load_spike")
    plain: str = Field(min_length=10)


class SingleRunSpike(SourcedLoadRule):
    """A run longer than the longest run of the previous ``window_days`` days (Frandsen 2025)."""

    window_days: int = Field(ge=7, le=90)
    recent_days: int = Field(ge=1, le=28, description="how far back a spike still counts as recent")
    bands: list[SpikeBand] = Field(min_length=1)

    @model_validator(mode="after")
    def _bands_ordered(self) -> SingleRunSpike:
        previous = None
        for band in self.bands:
            if band.max_pct is not None and band.max_pct <= band.min_pct:
                raise ValueError(f"band {band.id}: max_pct must exceed min_pct")
            if previous is not None and (previous.max_pct is None or band.min_pct != previous.max_pct):
                raise ValueError(f"band {band.id} must start where band {previous.id} ends")
            previous = band
        return self


class WeeklyChange(SourcedLoadRule):
    """Week-over-week change in running distance that counts as a jump (Nielsen 2014)."""

    threshold_pct: float = Field(gt=0, le=200)
    min_previous_km: float = Field(ge=0, description="below this, percentages mean little")
    evidence_weight: float = Field(ge=0, le=1)
    plain: str = Field(min_length=10)


class TenPercentRule(SourcedLoadRule):
    """The popular '10% a week' rule: shown as a rule of thumb, never as evidence."""

    pct: float = Field(gt=0, le=50)
    plain: str = Field(min_length=10)


class Acwr(SourcedLoadRule):
    """Acute:chronic workload ratio windows and the caveat that must be shown with it."""

    acute_days: int = Field(ge=3, le=14)
    chronic_days: int = Field(ge=14, le=56)
    caveat: str = Field(min_length=20)


class MonotonyStrain(SourcedLoadRule):
    """Foster's training monotony (mean/SD of daily load over a week) and strain (weekly load x monotony)."""

    window_days: int = Field(ge=7, le=7)
    plain: str = Field(min_length=10)


class RunCaps(SourcedLoadRule):
    """Caps for the next runs from the person's own history."""

    long_run_increase_pct: float = Field(ge=0, le=50, description="next long run vs longest of the window")
    weekly_increase_pct: float = Field(ge=0, le=50, description="next week vs chronic weekly distance")
    plain: str = Field(min_length=10)


class LoadRules(Model):
    """Load thresholds with their sources and evidence grades."""

    single_run_spike: SingleRunSpike
    weekly_change: WeeklyChange
    ten_percent_rule: TenPercentRule
    acwr: Acwr
    monotony: MonotonyStrain
    run_caps: RunCaps
    cross_training: str = Field(min_length=10, description="how cross-training is counted")

    def band(self, band_id: str) -> SpikeBand | None:
        """The spike band with this id, if any."""
        return next((b for b in self.single_run_spike.bands if b.id == band_id), None)

    def check_refs(self, known_sources: set[str]) -> list[str]:
        """Return cross-reference problems (empty when consistent)."""
        problems = []
        ids = [b.id for b in self.single_run_spike.bands]
        if len(set(ids)) != len(ids):
            problems.append(f"single_run_spike.bands: duplicate band ids {ids}")
        if self.acwr.acute_days >= self.acwr.chronic_days:
            problems.append("acwr: acute_days must be shorter than chronic_days")
        return problems
