"""Reading the intake answers the plan needs, and the first rule: how irritable the heel is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from heelcoach.domain.types import Irritability
from heelcoach.errors import InvalidInputError
from heelcoach.knowledge.schema_plan import PlanRules

__all__ = ["IRRITABILITY_RANK", "answer_number", "answer_set", "assess_irritability"]

#: Irritability from calm to irritable (an exercise's ``max_irritability`` is compared by rank).
IRRITABILITY_RANK: dict[str, int] = {"low": 0, "moderate": 1, "high": 2}


def answer_number(answers: Mapping[str, Any], key: str, default: float = 0.0) -> float:
    """A numeric answer (``default`` when unanswered); a clear error for anything else."""
    value = answers.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        raise InvalidInputError(f"intake answer '{key}': expected a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"intake answer '{key}': expected a number, got {value!r}") from exc


def answer_set(answers: Mapping[str, Any], key: str) -> frozenset[str]:
    """A multiple-choice answer as a set (one choice or none also work)."""
    value = answers.get(key)
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(str(v) for v in value)


def assess_irritability(answers: Mapping[str, Any], rules: PlanRules) -> Irritability:
    """High / moderate / low irritability from first-step, worst and running pain (rule of thumb)."""
    r = rules.irritability
    first = answer_number(answers, "first_step_pain")
    worst = answer_number(answers, "worst_pain", first)
    run_pain = answer_number(answers, "pain_during_run")
    weeks = answer_number(answers, "symptom_duration_weeks", float(r.recent_onset_weeks))
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
