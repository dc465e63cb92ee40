"""Drivers of plantar fascia overload: evidence from intake answers, and its combination.

Every source (intake, self-tests, gait, watch files, check-ins) speaks through
:class:`~heelcoach.domain.types.DriverEvidence`; :func:`infer_drivers` combines the weights
with the rule in ``plan_rules.yaml`` (``driver_weighting``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from heelcoach.domain.types import DRIVER_IDS, DriverEvidence, DriverId
from heelcoach.errors import InvalidInputError
from heelcoach.knowledge import Catalogue

__all__ = ["DRIVER_LABELS", "INTAKE_EVIDENCE_RULES", "Driver", "infer_drivers", "intake_evidence"]

#: Plain names of the drivers, for text shown to runners.
DRIVER_LABELS: dict[DriverId, str] = {
    "hip_control": "hip control",
    "knee_control": "knee control",
    "foot_intrinsics": "the small muscles of the foot",
    "calf_capacity": "calf strength and endurance",
    "ankle_mobility": "ankle mobility",
    "balance": "balance",
    "load_spike": "a jump in running load",
    "footwear": "footwear",
    "body_mass": "body mass",
}

#: Drivers whose label is plural ('the small muscles of the foot are ...').
_PLURAL: frozenset[DriverId] = frozenset({"foot_intrinsics"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Driver:
    """One driver with its combined strength (0-1), whether it is worked on, and why."""

    id: DriverId
    strength: float
    active: bool
    evidence: tuple[DriverEvidence, ...]

    def why(self) -> str:
        """A plain sentence naming the evidence behind this driver."""
        label = DRIVER_LABELS[self.id]
        if not self.evidence:
            return f"Nothing so far points to {label}."
        parts = "; ".join(ev.summary for ev in sorted(self.evidence, key=lambda e: -e.weight))
        verdict = "worth working on" if self.active else "worth watching"
        verb = "are" if self.id in _PLURAL else "is"
        return f"{label.capitalize()} {verb} {verdict}: {parts}."

    def top_evidence(self, primary: Mapping[str, Sequence[str]] | None = None) -> DriverEvidence | None:
        """The finding that best speaks for this driver: from a test that measures it first (the
        toe-control score for the foot muscles, not the balance test), then the heaviest."""
        if not self.evidence:
            return None

        def key(ev: DriverEvidence) -> tuple[bool, float]:
            measures = (primary or {}).get(ev.item_id) or ()
            return (bool(measures) and measures[0] == self.id, ev.weight)

        return max(self.evidence, key=key)

    def short_why(self, primary: Mapping[str, Sequence[str]] | None = None) -> str:
        """One clause for an exercise: the driver and its telling finding (details: :meth:`why`).

        ``primary`` maps a self-test id to the drivers it measures, first the one it measures most.
        """
        label = DRIVER_LABELS[self.id]
        top = self.top_evidence(primary)
        if top is None:
            return f"For {label}."
        return f"For {label}: {top.summary.rstrip('.')}."

    def headline(self, primary: Mapping[str, Sequence[str]] | None = None) -> str:
        """'hip control (single-leg squat quality on the left: 2 points)': for a short rationale."""
        label = DRIVER_LABELS[self.id]
        top = self.top_evidence(primary)
        if top is None:
            return label
        finding = top.summary.rstrip(".")
        return f"{label} ({finding[:1].lower()}{finding[1:]})"


def _num(answers: Mapping[str, Any], key: str) -> float | None:
    value = answers.get(key)
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"intake answer '{key}': expected a number, got {value!r}") from exc


def recent_load_increase(answers: Mapping[str, Any], catalogue: Catalogue) -> DriverEvidence | None:
    """load_spike: the runner says they increased their running recently."""
    if answers.get("recent_load_increase") is not True:
        return None
    return DriverEvidence(
        driver="load_spike",
        weight=catalogue.plan.intake_evidence.recent_load_increase_weight,
        source="intake",
        item_id="recent_load_increase",
        summary="you increased your running recently",
    )


def onset_after_training_increase(answers: Mapping[str, Any], catalogue: Catalogue) -> DriverEvidence | None:
    """load_spike: the pain started after a training increase."""
    if answers.get("onset") != "after_training_increase":
        return None
    return DriverEvidence(
        driver="load_spike",
        weight=catalogue.plan.intake_evidence.onset_after_training_increase_weight,
        source="intake",
        item_id="onset",
        summary="the pain started after a training increase",
    )


def high_bmi(answers: Mapping[str, Any], catalogue: Catalogue) -> DriverEvidence | None:
    """body_mass: a BMI at or above ``intake_evidence.bmi_high``."""
    rules = catalogue.plan.intake_evidence
    height_cm, weight_kg = _num(answers, "height_cm"), _num(answers, "weight_kg")
    if not (height_cm and weight_kg and height_cm > 0):
        return None
    bmi = weight_kg / (height_cm / 100) ** 2
    if bmi >= rules.bmi_high:
        return DriverEvidence(
            driver="body_mass",
            weight=rules.bmi_high_weight,
            source="intake",
            item_id="bmi",
            summary=f"BMI {bmi:.1f} (counts less in runners than in non-athletes)",
            value=round(bmi, 1),
            unit="kg/m2",
        )
    return None


def foot_type(answers: Mapping[str, Any], catalogue: Catalogue) -> DriverEvidence | None:
    """footwear: flat feet or high arches make shoe and support choice matter more."""
    kind = answers.get("foot_type")
    if kind not in ("flat", "high_arch"):
        return None
    label = "flat feet" if kind == "flat" else "high arches"
    return DriverEvidence(
        driver="footwear",
        weight=catalogue.plan.intake_evidence.foot_type_weight,
        source="intake",
        item_id="foot_type",
        summary=f"{label}: shoe and support choice matters more",
    )


def old_shoes(answers: Mapping[str, Any], catalogue: Catalogue) -> DriverEvidence | None:
    """footwear: shoes past ``selection.shoe_replace_km``."""
    shoe_km = _num(answers, "shoe_age_km")
    if shoe_km is not None and shoe_km > catalogue.plan.selection.shoe_replace_km.value:
        return DriverEvidence(
            driver="footwear",
            weight=catalogue.plan.intake_evidence.old_shoes_weight,
            source="intake",
            item_id="shoe_age_km",
            summary=f"your shoes have about {shoe_km:.0f} km on them",
            value=shoe_km,
            unit="km",
        )
    return None


IntakeRule = Callable[[Mapping[str, Any], Catalogue], DriverEvidence | None]

#: The intake's evidence rules, in the order their evidence is listed.
INTAKE_EVIDENCE_RULES: tuple[IntakeRule, ...] = (
    recent_load_increase,
    onset_after_training_increase,
    high_bmi,
    foot_type,
    old_shoes,
)


def intake_evidence(answers: Mapping[str, Any], catalogue: Catalogue) -> list[DriverEvidence]:
    """Driver evidence from the intake answers (:data:`INTAKE_EVIDENCE_RULES`: load increase, BMI,
    foot type, shoe age)."""
    return [ev for rule in INTAKE_EVIDENCE_RULES if (ev := rule(answers, catalogue)) is not None]


def load_evidence(spike_band: str, spike_run_km: float | None, catalogue: Catalogue) -> list[DriverEvidence]:
    """Evidence for ``load_spike`` from a watch-data spike band (none, 10_30, 30_100, over_100)."""
    weight = catalogue.plan.intake_evidence.spike_weights.get(spike_band, 0.0)
    if weight <= 0:
        return []
    pct = spike_band.replace("over_", "over +").replace("_", "-")
    run = f" ({spike_run_km:.1f} km)" if spike_run_km else ""
    return [
        DriverEvidence(
            "load_spike",
            weight,
            "activities",
            "single_run_spike",
            f"a recent run{run} was {pct}% longer than your longest of the month before",
        )
    ]


def infer_drivers(evidence: Iterable[DriverEvidence], catalogue: Catalogue) -> tuple[Driver, ...]:
    """Combine evidence per driver (noisy-or); all nine drivers, strongest first."""
    rule = catalogue.plan.driver_weighting
    grouped: dict[DriverId, list[DriverEvidence]] = {d: [] for d in DRIVER_IDS}
    for ev in evidence:
        grouped[ev.driver].append(ev)
    drivers = []
    for driver_id in DRIVER_IDS:
        items = grouped[driver_id]
        remaining = 1.0
        for ev in items:
            remaining *= 1.0 - ev.weight
        strength = round(1.0 - remaining, 4)
        drivers.append(
            Driver(
                id=driver_id,
                strength=strength,
                active=strength >= rule.active_threshold,
                evidence=tuple(items),
            )
        )
    order = {d: i for i, d in enumerate(DRIVER_IDS)}
    return tuple(sorted(drivers, key=lambda d: (-d.strength, order[d.id])))
