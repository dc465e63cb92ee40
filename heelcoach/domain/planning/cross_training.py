"""Running alternatives (cross-training) while running is reduced: the lowest heel load first."""

from __future__ import annotations

from heelcoach.domain.planning.builder import Builder
from heelcoach.domain.planning.model import PlanItem, RunPrescription

__all__ = ["cross_training"]


def cross_training(b: Builder, run: RunPrescription, spike: bool) -> None:
    """Alternatives to running, unless running is continuous, past the settle phase and no spike."""
    if run.mode == "continuous" and b.phase not in ("settle",) and not spike:
        return
    order = {"minimal": 0, "low": 1, "moderate": 2}
    options = sorted(b.catalogue.cross_training.values(), key=lambda c: order[c.heel_load])
    for ct in options[: b.rules.selection.cross_training_count]:
        why = f"{ct.plain} Keeps your fitness while running is reduced, with {ct.heel_load} load on the heel."
        b.items.append(
            PlanItem(
                id=ct.id,
                kind="cross_training",
                ref_id=ct.id,
                title=ct.name,
                level=None,
                dose={"instead_of": "instead of a run or on a rest day", "effort": "easy to moderate"},
                days=(),
                why=why,
                drivers=("load_spike",),
                evidence=ct.evidence,
                sources=tuple(ct.sources),
                optional=True,
                until=None,
            )
        )
