"""Visit requests under the person-scoped API: the runner asks, a clinician of a clinic they share
with accepts with a time, both download the calendar entry. Every route goes through the policy."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from heelcoach.services import accounts, visits
from heelcoach.web import api_models as models
from heelcoach.web.auth import RowId, authorize, csrf_unless_token
from heelcoach.web.deps import get_ctx

router = APIRouter(prefix="/api/people/{person_id}/visits", tags=["people"])
Json = dict[str, Any]


class VisitIn(BaseModel):
    """Why you would like a visit and when suits you (free text, e.g. 'weekday mornings')."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=1000)
    preferred_times: str = Field(default="", max_length=500)
    clinic_id: int | None = Field(default=None, ge=1, le=2_147_483_647)


class AcceptIn(BaseModel):
    """When the visit is, with its offset (ISO 8601, e.g. 2026-12-10T09:30:00+01:00), and the clinic's
    time zone (an IANA name, e.g. Europe/Madrid) both sides read the time in; without one, the offset."""

    model_config = ConfigDict(extra="forbid")

    starts_at: datetime
    time_zone: str | None = Field(default=None, max_length=64)


@router.post("", dependencies=[Depends(csrf_unless_token)], response_model=models.Visit)
def request_visit(request: Request, person_id: RowId, body: VisitIn) -> Json:
    """Ask a clinic you share with for a visit."""
    actor = authorize(request, person_id, "request_visit")
    return visits.request_visit(
        get_ctx(request), actor, person_id, body.reason, body.preferred_times, body.clinic_id
    )


@router.get("", response_model=list[models.Visit])
def list_visits(request: Request, person_id: RowId) -> list[Json]:
    """The person's visit requests (a clinician sees those to their own clinic)."""
    actor = authorize(request, person_id, "read")
    clinic = None if actor.person_id == person_id else actor.clinic_id
    if clinic is not None:  # someone else's data: leave a trace
        accounts.audit(get_ctx(request), actor, person_id, "view_visits")
    return visits.visits(get_ctx(request), person_id, clinic)


@router.post("/{visit_id}/accept", dependencies=[Depends(csrf_unless_token)], response_model=models.Visit)
def accept_visit(request: Request, person_id: RowId, visit_id: RowId, body: AcceptIn) -> Json:
    """Accept a request to your clinic with a time."""
    actor = authorize(request, person_id, "accept_visit")
    if body.starts_at.tzinfo is None:
        raise HTTPException(422, "starts_at: give the time zone too, e.g. 2026-12-10T09:30:00+01:00")
    if body.time_zone is not None:
        try:
            ZoneInfo(body.time_zone)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise HTTPException(422, "time_zone: give an IANA time zone name, e.g. Europe/Madrid") from exc
    done = visits.accept_visit(get_ctx(request), actor, person_id, visit_id, body.starts_at, body.time_zone)
    if done is None:
        raise HTTPException(404, "No such visit request to your clinic.")
    return done


@router.get(
    "/{visit_id}/calendar.ics",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "iCalendar"}
    },
)
def visit_calendar(request: Request, person_id: RowId, visit_id: RowId) -> Response:
    """The accepted visit as a calendar invitation (.ics)."""
    actor = authorize(request, person_id, "read")
    clinic = None if actor.person_id == person_id else actor.clinic_id
    mine = {v["id"] for v in visits.visits(get_ctx(request), person_id, clinic)}
    data = visits.visit_calendar(get_ctx(request), person_id, visit_id) if visit_id in mine else None
    if data is None:
        raise HTTPException(404, "No accepted visit with this id.")
    if clinic is not None:
        accounts.audit(get_ctx(request), actor, person_id, "visit_calendar", f"visit {visit_id}")
    return Response(
        data,
        media_type="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="visit-{visit_id}.ics"'},
    )
