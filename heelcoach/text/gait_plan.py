"""What the runner's current plan does with each gait finding, in plain words (issue: one report
that says, for each finding, which driver it feeds and what the plan did with it)."""

from __future__ import annotations

from collections.abc import Sequence

from heelcoach.domain.drivers import DRIVER_LABELS
from heelcoach.domain.plan import Plan

__all__ = ["driver_label", "finding_in_plan"]

#: The metric whose finding gives the runs a step-rate cue (``gait/findings.cadence_cue``).
CUE_METRIC = "overstride"
UPDATE = "\u201cUpdate my plan with this\u201d"


def driver_label(driver: str) -> str:
    """The plain name of a driver ('hip control'); its id with spaces when it has none."""
    return DRIVER_LABELS.get(driver, driver.replace("_", " "))  # type: ignore[call-overload]


def _join(titles: Sequence[str]) -> str:
    return titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} and {titles[-1]}"


def _driver_sentence(driver: str, plan: Plan, can_update: bool) -> str:
    label = driver_label(driver)
    titles = list(dict.fromkeys(i.title for i in plan.items if i.kind == "exercise" and driver in i.drivers))
    if titles:
        return f"Your plan works on {label} with {_join(titles)}."
    if can_update:
        weighs = "weighs this finding with your other results"
        return f"Your plan has no exercise for {label} yet: {UPDATE} {weighs}."
    return f"Your plan has no exercise for {label}."


def _cue_sentence(plan: Plan, can_update: bool) -> str:
    cue = plan.run.cadence_cue_pct
    if cue:
        return f"Your runs carry a step-rate cue: about {cue:g}% more steps per minute at the same pace."
    if plan.run.runs_per_week and can_update:
        return f"{UPDATE} adds a step-rate cue to your runs."
    return ""


def finding_in_plan(driver: str | None, metric_id: str, plan: Plan | None, *, can_update: bool) -> str:
    """One or two sentences: what the current plan does about a finding that feeds ``driver``.

    ``can_update``: whether this report may update the plan (a running clip at a known time scale).
    """
    if plan is None:
        return "Answer the questions to make your plan: it will use this report." if can_update else ""
    if plan.stops_loading:
        return "Your plan is paused until a clinician has seen your heel: show them this report."
    parts = [_driver_sentence(driver, plan, can_update)] if driver else []
    if metric_id == CUE_METRIC:
        parts.append(_cue_sentence(plan, can_update))
    return " ".join(p for p in parts if p)
