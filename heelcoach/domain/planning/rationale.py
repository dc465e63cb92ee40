"""The plan's 'where you are and why': irritability, the starting phase and the main drivers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from heelcoach.domain.drivers import Driver
from heelcoach.domain.planning.answers import answer_number
from heelcoach.domain.planning.builder import Builder
from heelcoach.domain.planning.model import REFER_AND_CONTINUE
from heelcoach.domain.types import TriageLevel

__all__ = ["drivers_sentence", "plan_rationale"]

_IRRITABLE_WORDS = {"high": "highly", "moderate": "moderately", "low": "only mildly"}


def drivers_sentence(drivers: Sequence[Driver], primary: Mapping[str, Sequence[str]]) -> str:
    """'Most worth working on: A (finding); B (finding); and C (finding).' One finding each."""
    heads = [d.headline(primary) for d in drivers]
    listed = heads[0] if len(heads) == 1 else "; ".join(heads[:-1]) + f"; and {heads[-1]}"
    return f"Most worth working on: {listed}."


def _caution(b: Builder, level: TriageLevel) -> str:
    caution = (
        " Triage advises caution: follow the stop rules closely." if level == TriageLevel.CAUTION else ""
    )
    if "pregnancy" in b.flags:
        caution += " You are pregnant: check the plan with your midwife or doctor, and skip massage tools."
    return caution


def _start(b: Builder, action: str | None) -> str:
    goal = b.rules.phase(b.phase).goal
    irr_text = _IRRITABLE_WORDS[b.irritability]
    first = answer_number(b.answers, "first_step_pain")
    pain_text = f"first-step pain {first:g}/10, worst {answer_number(b.answers, 'worst_pain', first):g}/10"
    if action == REFER_AND_CONTINUE:
        return (
            f"Until a clinician has seen your heel, the plan is deliberately gentle: it treats the heel as "
            f"{irr_text} irritable ({pain_text}) and starts in the {b.phase} phase: {goal} "
        )
    return f"Your heel is {irr_text} irritable ({pain_text}), so you start in the {b.phase} phase: {goal} "


def plan_rationale(b: Builder, level: TriageLevel, action: str | None) -> str:
    """Why the plan starts where it does, with the drivers most worth working on."""
    active = b.active()
    driver_text = (
        drivers_sentence(active[:3], b.primary)
        if active
        else "No single driver stands out yet; the plan covers the usual ones (foot, calf, hip)."
    )
    return f"{_start(b, action)}{driver_text}{_caution(b, level)}"
