"""Report PDFs made by a worker (clinic scale, a broker configured): start, follow, download.

``GET /plan/handout.pdf`` and ``GET /clinic/people/<id>/handover.pdf`` call :func:`start_report`
when the jobs go to workers: the PDF is made by a worker and stored in the database, and the
browser is sent to ``/reports/job/<id>``, which shows the progress and, once the PDF is ready, a
download button (``/reports/job/<id>/download``, served by whichever web process answers). In local
mode those routes keep making the PDF in the web process and answering with it at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import cast

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from heelcoach.services import background
from heelcoach.services.background import HANDOUT, HANDOVER, ReportJobResult
from heelcoach.services.blobs import REPORT_PDF, DatabaseBlobStore
from heelcoach.services.jobs import JobServerAwayError, JobStatus, RemoteJobRunner
from heelcoach.web.auth import authorize, current_actor
from heelcoach.web.backend import Backend
from heelcoach.web.clinic_pages import STAFF_NAV
from heelcoach.web.deps import NAV, BackendDep, render

router = APIRouter()

#: What a report is called on its pages.
TITLES = {HANDOUT: "Plan handout", HANDOVER: "Hand-over report"}
SESSION_KEY, ABOUT_KEY = "report_jobs", "report_about"


def _nav(request: Request) -> tuple[tuple[str, str], ...]:
    return STAFF_NAV if current_actor(request).role == "clinician" else NAV


@dataclass(frozen=True, slots=True)
class Asked:
    """A report this browser asked for: the job, which report, whose."""

    job_id: str
    kind: str
    person_id: int

    def back(self, request: Request) -> tuple[str, str]:
        """Where the person came from: (link, words)."""
        if self.kind == HANDOUT:
            return "/plan", "Back to the plan"
        if current_actor(request).role in ("clinician", "admin"):
            return f"/clinic/people/{self.person_id}", "Back to the runner"
        return "/settings", "Back to settings"  # a runner prints their own hand-over report there


def _asked(request: Request) -> list[Asked]:
    """The reports this session asked for, oldest first (``report_jobs``: their ids, which
    ``/api/jobs`` reads too; ``report_about``: which report and whose, by id)."""
    about = request.session.get(ABOUT_KEY, {})
    asked = []
    for job_id in request.session.get(SESSION_KEY, []):
        kind, person = about.get(job_id, ["", 0]) if isinstance(about, dict) else ["", 0]
        asked.append(Asked(str(job_id), str(kind), int(str(person))))
    return asked


def _remember(request: Request, asked: Asked) -> None:
    kept = [*[a for a in _asked(request) if a.job_id != asked.job_id][-9:], asked]
    request.session[SESSION_KEY] = [a.job_id for a in kept]
    request.session[ABOUT_KEY] = {a.job_id: [a.kind, a.person_id] for a in kept}


def start_report(request: Request, backend: Backend, person_id: int, kind: str, today: date) -> Response:
    """Queue the report for a worker and send the browser to its page (503 when Redis is away).

    Asked again while the same report is still being made (a second click, a reload, or someone
    else the policy lets see it: the runner and their clinician, two clinicians), the browser goes
    to that job rather than queueing the same work twice. The caller has authorized the person.
    """
    payload = {"person_id": person_id, "kind": kind, "today": today.isoformat()}
    once = f"report:{kind}:{person_id}:{today.isoformat()}"  # what the PDF holds depends on no more
    try:
        job_id = cast(RemoteJobRunner, backend.jobs).submit_named(background.REPORT_JOB, payload, once)
    except JobServerAwayError as exc:
        message = f"{exc} Nothing was lost: try again in a minute."
        back = Asked("", kind, person_id).back(request)
        return render(
            request,
            "report_job.html",
            503,
            title=TITLES[kind],
            nav=_nav(request),
            job=None,
            error=message,
            back=back,
        )
    _remember(request, Asked(job_id, kind, person_id))
    return RedirectResponse(f"/reports/job/{job_id}", status_code=303)


def _job(request: Request, backend: Backend, job_id: str) -> tuple[Asked, JobStatus]:
    asked = next((a for a in _asked(request) if a.job_id == job_id), None)
    status = backend.jobs.status(job_id) if asked else None
    if asked is None or status is None:
        raise HTTPException(404, "There is no such report for you. Ask for the PDF again.")
    return asked, status


def _result(status: JobStatus) -> ReportJobResult | None:
    return status.result if status.state == "done" and isinstance(status.result, ReportJobResult) else None


@router.get("/reports/job/{job_id}", response_class=HTMLResponse)
def report_job(request: Request, backend: BackendDep, job_id: str) -> Response:
    """How far the PDF got; a download button once it is ready."""
    asked, status = _job(request, backend, job_id)
    return render(
        request,
        "report_job.html",
        title=TITLES.get(asked.kind, "Report"),
        nav=_nav(request),
        job=status,
        result=_result(status),
        back=asked.back(request),
    )


@router.get("/reports/job/{job_id}/status", response_class=HTMLResponse)
def report_job_status(request: Request, backend: BackendDep, job_id: str) -> Response:
    """htmx fragment: the progress bar; tells the page to reload itself when finished."""
    _asked_for, status = _job(request, backend, job_id)
    response = render(request, "_report_progress.html", job=status)
    if status.finished:
        response.headers["HX-Refresh"] = "true"
    return response


@router.get("/reports/job/{job_id}/download")
def report_download(request: Request, backend: BackendDep, job_id: str) -> Response:
    """The PDF a worker made, from the database; asked again of the policy (sharing may have stopped)."""
    result = _result(_job(request, backend, job_id)[1])
    if result is None:
        raise HTTPException(409, "The PDF is not ready yet.")
    authorize(request, result.person_id, "export")  # the one policy, for the handout and the hand-over
    disposition = "inline" if result.kind == HANDOUT else "attachment"
    data = None
    if re.fullmatch(r"[0-9a-f]{32}", result.blob_id):
        data = DatabaseBlobStore(backend.ctx).read(result.blob_id, result.person_id, REPORT_PDF)
    if data is None:
        raise HTTPException(410, "This PDF is no longer stored (a newer one replaced it). Ask for it again.")
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'{disposition}; filename="{result.name}"'},
    )
