"""Outcome questionnaires: score a FAAM subscale or the PSFS and store answers and score."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from heelcoach.domain import outcomes as outcomes_mod
from heelcoach.errors import InvalidInputError
from heelcoach.services.common import json_object, require_person, resolve_now, resolve_today
from heelcoach.services.context import AppContext
from heelcoach.store.base import transaction
from heelcoach.store.repositories import OutcomeRecord, Repos

INSTRUMENTS = ("faam_adl", "faam_sports", "psfs")


#: The score of one questionnaire.
Score = outcomes_mod.FaamScore | outcomes_mod.PsfsScore


def score_instrument(ctx: AppContext, instrument: str, answers: Mapping[str, Any]) -> Score:
    """Score ``answers`` to ``instrument`` (InvalidInputError for an instrument not known)."""
    if instrument == "psfs":
        return outcomes_mod.score_psfs(dict(answers), ctx.catalogue)
    if instrument == "faam_adl":
        return outcomes_mod.score_faam(dict(answers), "adl", ctx.catalogue)
    if instrument == "faam_sports":
        return outcomes_mod.score_faam(dict(answers), "sports", ctx.catalogue)
    raise InvalidInputError(f"instrument: expected one of {', '.join(INSTRUMENTS)}, got '{instrument}'")


def _score_value(score: Score) -> float:
    value = score.score_pct if isinstance(score, outcomes_mod.FaamScore) else score.score
    if not score.valid or value is None:
        raise InvalidInputError(f"{score.message} Nothing was saved.")
    return float(value)


def record_outcome(
    ctx: AppContext,
    person_id: int,
    instrument: str,
    answers: Mapping[str, Any],
    *,
    taken_on: date | None = None,
    now: datetime | None = None,
) -> tuple[OutcomeRecord, Score]:
    """Score a FAAM subscale or the PSFS and store answers and score."""
    try:
        score = score_instrument(ctx, instrument, answers)
    except (InvalidInputError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInputError(f"{instrument}: {exc}") from exc
    value = _score_value(score)
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        require_person(repos, person_id)
        record = repos.outcomes.add(
            person_id,
            instrument=instrument,
            taken_on=resolve_today(taken_on),
            answers=json_object(dict(answers)),
            score=value,
            details=json_object(score),
            now=resolve_now(now),
        )
    return record, score
