"""The JSON API under /api, with its OpenAPI schema at /api/openapi.json.

The API works for the person of the session cookie (open any page once to get one); a request
without a session acts as nobody (401 for anything about a person). Writes (POST) need
``Content-Type: application/json`` (a browser cannot send it across sites without asking first)
and a proof that they come from heelcoach itself: the page's ``X-CSRF-Token`` header or an
``Origin`` header naming this server. Hosts and foreign origins are checked for every request
before it gets here (:mod:`heelcoach.web.security`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from heelcoach import DISCLAIMER, __version__
from heelcoach.services import common
from heelcoach.web import api_models as models
from heelcoach.web.csrf import HEADER as CSRF_HEADER
from heelcoach.web.csrf import token_is_valid
from heelcoach.web.deps import BackendDep, Today, get_backend, get_ctx, person_id

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def require_json_write(request: Request) -> None:
    """API writes: a JSON body type, plus the session's token or this server as the Origin."""
    if request.method in SAFE_METHODS:
        return
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != "application/json":
        raise HTTPException(415, "Send the request body as JSON, with Content-Type: application/json.")
    if token_is_valid(request, request.headers.get(CSRF_HEADER)):
        return
    origin = request.headers.get("origin")
    if origin is not None and origin.split("://", 1)[-1].lower() == request.headers.get("host", "").lower():
        return  # same origin (a foreign one never gets this far)
    raise HTTPException(
        403,
        f"Send the page's {CSRF_HEADER} header, or an Origin header naming this server "
        "(for example Origin: http://127.0.0.1:8000).",
    )


router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(require_json_write)])

Json = dict[str, Any]


class Health(BaseModel):
    """Liveness and version."""

    status: str
    version: str
    disclaimer: str


class Problem(BaseModel):
    """An error: what went wrong and, for bad input, which field."""

    detail: str
    errors: list[dict[str, str]] = Field(default_factory=list)


class CheckInIn(BaseModel):
    """A morning check-in. Pain is 0 (none) to 10 (worst imaginable)."""

    model_config = ConfigDict(extra="forbid")

    day: date | None = None
    first_step_pain: int = Field(ge=0, le=10)
    worst_pain: int | None = Field(default=None, ge=0, le=10)
    run_pain_during: int | None = Field(default=None, ge=0, le=10)
    run_pain_after: int | None = Field(default=None, ge=0, le=10)
    next_morning_worse: bool | None = None
    run_km: float | None = Field(default=None, ge=0, le=300)
    run_minutes: float | None = Field(default=None, ge=0, le=1440)
    done_items: list[str] = Field(default_factory=list, max_length=100)
    passive_used: list[str] = Field(default_factory=list, max_length=100)
    notes: str = Field(default="", max_length=2000)


class Answers(BaseModel):
    """Intake answers by question id (see GET /api/questions)."""

    answers: dict[str, Any]


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem},
    403: {"model": Problem},
    404: {"model": Problem},
    409: {"model": Problem},
    415: {"model": Problem},
    422: {"model": Problem},
}

NO_SESSION = (
    "No session: this request acts as nobody. Open heelcoach in the browser (or GET any page, such "
    "as /today), send its session cookie with API requests, and start with POST /api/intake."
)


def session_person(request: Request) -> int:
    """The session's person; never the first person for a request without a session (401)."""
    if getattr(request.app.state, "resolve_person", None) is not None:  # clinic mode: the login decides
        return person_id(request)
    raw = request.session.get("person_id")
    if isinstance(raw, int) and get_backend(request).person_exists(raw):
        return raw
    raise HTTPException(401, NO_SESSION)


def session_starter(request: Request) -> int:
    """The session's person, made now when the browser's runner has not started yet.

    Only for a session a page gave out (it holds the form token): a request without one still
    acts as nobody (401).
    """
    if getattr(request.app.state, "resolve_person", None) is None and not request.session:
        raise HTTPException(401, NO_SESSION)
    return person_id(request)


#: The person of the request's session (401 without one).
ApiPerson = Annotated[int, Depends(session_person)]
#: The same, or a person made now for a page's session that has not started yet (intake).
ApiStarter = Annotated[int, Depends(session_starter)]


def _jsonable(value: Any) -> Any:
    return common.to_jsonable(value)


@router.get("/health", response_model=Health)
def health() -> Health:
    """Is the app up."""
    return Health(status="ok", version=__version__, disclaimer=DISCLAIMER)


@router.get(
    "/health/ready",
    response_model=models.Ready,
    responses={503: {"model": models.Ready, "description": "Not ready: a check failed."}},
)
def ready(request: Request) -> JSONResponse:
    """Can this process serve: the database answers and is migrated; the broker answers (if any)."""
    from heelcoach.services import doctor

    found = doctor.run_checks(get_ctx(request), ping_workers=False)
    fine = all(c.ok for c in found)
    # open to a load balancer without the access secret: which check failed, never the details
    body = {"status": "ready" if fine else "not ready", "checks": {c.name: c.ok for c in found}}
    return JSONResponse(body, status_code=200 if fine else 503)


@router.get("/questions", responses=ERRORS, response_model=list[models.Question])
def questions(request: Request) -> list[Json]:
    """The intake questionnaire: ids, groups, types, help text, allowed answers."""
    return [q.model_dump() for q in get_ctx(request).catalogue.triage.questions]


@router.post("/triage", responses=ERRORS, response_model=models.Triage)
def triage(backend: BackendDep, body: Answers) -> Json:
    """Triage answers without storing them (red flags, differential, next steps)."""
    return backend.triage_answers(body.answers)


@router.post("/intake", responses=ERRORS, response_model=models.TriageResult)
def intake(backend: BackendDep, pid: ApiStarter, body: Answers) -> Json:
    """Store answers for the current person; returns the triage."""
    view = backend.save_intake(pid, body.answers)
    return dict(_jsonable(view))


@router.post("/plan", responses=ERRORS, response_model=models.PlanMade)
def make_plan(backend: BackendDep, pid: ApiPerson) -> Json:
    """Build a plan from the latest answers and self-tests."""
    record = backend.make_plan(pid)
    return {"version": record.version, "phase": record.phase, "week": record.week, "plan": record.plan}


@router.get("/plan", responses=ERRORS, response_model=models.Plan)
def get_plan(backend: BackendDep, pid: ApiPerson, today: Today) -> Json:
    """The current plan version."""
    week = backend.this_week(pid, today)
    if week is None:
        raise HTTPException(404, "No plan yet: answer the questions first.")
    rec = week.record
    return {
        "version": rec.version,
        "phase": rec.phase,
        "week": rec.week,
        "starts_on": rec.starts_on.isoformat(),
        "reason": rec.reason,
        "plan": rec.plan,
    }


@router.get("/today", responses=ERRORS, response_model=models.TodayState)
def today(backend: BackendDep, pid: ApiPerson, today: Today) -> Json:
    """Today's day of the plan week and whether the check-in is done."""
    week = backend.this_week(pid, today)
    if week is None:
        raise HTTPException(404, "No plan yet: answer the questions first.")
    return {
        "today": week.today.isoformat(),
        "day_of_week": week.day_of_week,
        "checked_in_today": week.checked_in_today,
        "review_due": week.review_due,
        "phase": week.record.phase,
        "week": week.record.week,
    }


@router.post("/checkins", responses=ERRORS, response_model=models.CheckInSaved)
def checkin(backend: BackendDep, pid: ApiPerson, today: Today, body: CheckInIn) -> Json:
    """Store a check-in (a second one for the same day replaces the first)."""
    values = body.model_dump()
    values["day"] = values["day"] or today
    values["done_items"] = tuple(values["done_items"])
    values["passive_used"] = tuple(values["passive_used"])
    saved = backend.record_checkin(pid, values, today)
    return {"day": saved.record.day.isoformat(), "replaced": saved.replaced, "warnings": list(saved.warnings)}


@router.get("/progress", responses=ERRORS, response_model=models.Progress)
def progress(backend: BackendDep, pid: ApiPerson) -> Json:
    """Pain series, outcome scores, adherence and the plan's version history."""
    return backend.progress(pid)


@router.get("/runs", responses=ERRORS, response_model=models.Runs)
def runs(backend: BackendDep, pid: ApiPerson, today: Today) -> Json:
    """Imported activities and the weekly load table."""
    data = backend.runs(pid, today)
    return {
        "runs": _jsonable(data["runs"]),
        "weeks": _jsonable(data["weeks"]),
        "spikes": _jsonable(data["spikes"]),
    }


@router.get("/jobs/{job_id}", responses=ERRORS, response_model=models.Job)
def job(request: Request, backend: BackendDep, job_id: str) -> Json:
    """State and progress of a background job started from this browser."""
    status = backend.jobs.status(job_id)
    mine = [j for k in ("gait_jobs", "import_jobs", "report_jobs") for j in request.session.get(k, [])]
    if status is None or job_id not in mine:
        raise HTTPException(404, "No such job.")
    return {
        "job_id": job_id,
        "state": status.state,
        "progress": status.progress,
        "message": status.message,
        "error": status.error,
    }


@router.get("/learn", responses=ERRORS, response_model=list[models.Topic])
def learn(request: Request) -> list[Json]:
    """Education topics (id, title, summary)."""
    return [
        {"id": t.id, "title": t.title, "summary": t.plain}
        for t in get_ctx(request).catalogue.education.values()
    ]


@router.get("/export", responses=ERRORS, response_model=models.Export)
def export(backend: BackendDep, pid: ApiPerson) -> Json:
    """Everything stored about the current person."""
    return backend.export(pid)
