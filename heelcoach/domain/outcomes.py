"""Outcome scoring: FAAM (ADL and Sports), PSFS, and whether a change is meaningful (MCID)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import mean
from typing import Literal

from heelcoach.errors import InvalidInputError
from heelcoach.knowledge import Catalogue

__all__ = ["FaamScore", "OutcomeChange", "PsfsScore", "outcome_change", "score_faam", "score_psfs"]

Subscale = Literal["adl", "sports"]


@dataclass(frozen=True, slots=True, kw_only=True)
class FaamScore:
    """A FAAM subscale score in percent (None when too few items were answered)."""

    subscale: Subscale
    score_pct: float | None
    answered: int
    valid: bool
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PsfsScore:
    """A PSFS score: the mean of 3-5 activity ratings, 0-10 (None when there are no ratings)."""

    score: float | None
    activities: int
    valid: bool
    message: str


@dataclass(frozen=True, slots=True)
class OutcomeChange:
    """The change between two scores and whether it passes the minimal important difference."""

    delta: float | None
    meaningful: bool
    message: str


def score_faam(answers: Mapping[str, int | None], subscale: Subscale, catalogue: Catalogue) -> FaamScore:
    """Score a FAAM subscale: sum / (4 x answered) x 100; ``None`` answers are 'not applicable'.

    Raises InvalidInputError naming the item for unknown item ids or answers outside 0-4.
    """
    faam = catalogue.outcomes.faam
    if subscale not in ("adl", "sports"):
        raise InvalidInputError(f"FAAM subscale must be 'adl' or 'sports', got {subscale!r}")
    sub = faam.adl if subscale == "adl" else faam.sports
    ids = {item.id for item in sub.items}
    values: list[int] = []
    for item_id, value in answers.items():
        if item_id not in ids:
            raise InvalidInputError(
                f"FAAM {subscale}: unknown item '{item_id}'; expected one of outcomes.yaml faam.{subscale}"
            )
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value not in faam.scale:
            raise InvalidInputError(
                f"FAAM {subscale} item '{item_id}': answer must be 0-4 or not applicable, got {value!r}"
            )
        values.append(value)
    answered, total = len(values), len(sub.items)
    name = "daily activities (ADL)" if subscale == "adl" else "sports"
    if answered < sub.min_answered:
        return FaamScore(
            subscale=subscale,
            score_pct=None,
            answered=answered,
            valid=False,
            message=f"FAAM {name}: {answered} of {total} items answered; "
            f"at least {sub.min_answered} are needed for a score.",
        )
    pct = round(sum(values) / (4 * answered) * 100, 1)
    return FaamScore(
        subscale=subscale,
        score_pct=pct,
        answered=answered,
        valid=True,
        message=f"FAAM {name}: {pct:g}% (100% = no difficulty), {answered} of {total} items answered.",
    )


def score_psfs(ratings: Mapping[str, float], catalogue: Catalogue) -> PsfsScore:
    """Score the PSFS: the mean of the activity ratings (valid with 3-5 activities)."""
    psfs = catalogue.outcomes.psfs
    for activity, value in ratings.items():
        if not activity.strip():
            raise InvalidInputError("PSFS: every activity needs a name")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or math.isnan(value)
            or not (psfs.rating_min <= value <= psfs.rating_max)
        ):
            raise InvalidInputError(
                f"PSFS activity '{activity}': rating must be "
                f"{psfs.rating_min:g}-{psfs.rating_max:g}, got {value!r}"
            )
    n = len(ratings)
    if n == 0:
        return PsfsScore(
            score=None,
            activities=0,
            valid=False,
            message=f"PSFS: name {psfs.activities_min}-{psfs.activities_max} activities and rate them.",
        )
    score = round(mean(float(v) for v in ratings.values()), 2)
    valid = psfs.activities_min <= n <= psfs.activities_max
    msg = f"PSFS: {score:g}/10 over {n} activities ({psfs.anchors})."
    if not valid:
        msg += f" The scale expects {psfs.activities_min}-{psfs.activities_max} activities."
    return PsfsScore(score=score, activities=n, valid=valid, message=msg)


def outcome_change(
    before: FaamScore | PsfsScore, after: FaamScore | PsfsScore, catalogue: Catalogue
) -> OutcomeChange:
    """Compare two scores of the same instrument against its minimal clinically important difference."""
    outcomes = catalogue.outcomes
    if isinstance(before, FaamScore) and isinstance(after, FaamScore):
        if before.subscale != after.subscale:
            raise InvalidInputError(f"cannot compare FAAM {before.subscale} with FAAM {after.subscale}")
        sub = outcomes.faam.adl if before.subscale == "adl" else outcomes.faam.sports
        mcid, unit = sub.mcid_points.value, "points"
        b, a = before.score_pct, after.score_pct
        label = f"FAAM {'ADL' if before.subscale == 'adl' else 'Sports'}"
        valid = before.valid and after.valid
    elif isinstance(before, PsfsScore) and isinstance(after, PsfsScore):
        mcid, unit = outcomes.psfs.mcid_points.value, "points"
        b, a = before.score, after.score
        label = "PSFS"
        valid = before.valid and after.valid
    else:
        raise TypeError("outcome_change needs two FaamScore or two PsfsScore values")
    if not valid or b is None or a is None:
        return OutcomeChange(
            None, False, f"{label}: one of the two scores is not valid, so no change can be judged."
        )
    delta = round(a - b, 2)
    if delta >= mcid:
        msg = f"{label} improved by {delta:g} {unit}: a real improvement (meaningful change is {mcid:g})."
    elif delta <= -mcid:
        msg = f"{label} fell by {-delta:g} {unit}: a real worsening (meaningful change is {mcid:g})."
        msg += " Review the plan, and see a clinician if it keeps falling."
    else:
        msg = f"{label} changed by {delta:+g} {unit}: less than the {mcid:g} points that count,"
        msg += " so not yet a meaningful change."
    return OutcomeChange(delta, abs(delta) >= mcid, msg)
