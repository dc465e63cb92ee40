"""Intake: triage the questionnaire answers and store both."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from heelcoach.domain.intake import IntakeError
from heelcoach.errors import InvalidInputError
from heelcoach.services import assess as assess_mod
from heelcoach.services.assess import TriageResult
from heelcoach.services.common import json_object, require_person, resolve_now, to_jsonable
from heelcoach.services.context import AppContext
from heelcoach.store.base import transaction
from heelcoach.store.repositories import IntakeRecord, Repos

DEFAULT_QUESTIONNAIRE_VERSION = "1"
#: Instruments ``record_outcome`` accepts.


def questionnaire_version(ctx: AppContext) -> str:
    """The version of the intake questionnaire in the catalogue."""
    version = getattr(ctx.catalogue.triage, "version", None) or getattr(
        ctx.catalogue.triage, "questionnaire_version", None
    )
    return str(version) if version else DEFAULT_QUESTIONNAIRE_VERSION


@dataclass(frozen=True, slots=True)
class IntakeSaved:
    """The stored intake and the triage computed from it."""

    intake: IntakeRecord
    triage: TriageResult


def save_intake(
    ctx: AppContext, person_id: int, answers: Mapping[str, Any], *, now: datetime | None = None
) -> IntakeSaved:
    """Triage the answers and store both (the answers exactly as given, plus the triage).

    New answers are checked against the day they are given (``now``): a race date already past
    is refused.
    """
    try:
        result = assess_mod.assess(dict(answers), ctx.catalogue, resolve_now(now).date())
    except IntakeError as exc:
        raise InvalidInputError(
            f"questionnaire answers:\n{exc}\nFix these answers and try again.",
            problems=getattr(exc, "problems", ()),
        ) from exc
    triage_doc = json_object(assess_mod.triage_to_dict(result))
    level = str(to_jsonable(getattr(result, "level", triage_doc.get("level", ""))))
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        require_person(repos, person_id)
        record = repos.intakes.add(
            person_id,
            questionnaire_version=str(triage_doc.get("questionnaire_version") or questionnaire_version(ctx)),
            answers=json_object(dict(answers)),
            triage_level=level,
            triage=triage_doc,
            now=resolve_now(now),
        )
    return IntakeSaved(record, result)


def latest_intake(ctx: AppContext, person_id: int) -> IntakeRecord | None:
    """The most recent stored intake, or None."""
    with transaction(ctx.sessions) as s:
        return Repos(s).intakes.latest(person_id)
