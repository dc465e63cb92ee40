"""The Runs page and its import: uploads are checked and stored, then imported as a background job.

``POST /runs/import`` answers at once with a redirect to the job's page (``/runs/import/<id>``),
which shows how far the import got and, once done, what happened to each file. A reload of that
page never imports again. The import runs through the same job interface as the gait analysis,
in a job thread, never in a process forked from the server.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import cast

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from heelcoach.services import background
from heelcoach.services.background import ImportNotQueuedError
from heelcoach.services.jobs import JobError, JobServerAwayError, JobStatus, RemoteJobRunner
from heelcoach.services.units import DistanceUnit
from heelcoach.web.backend import Backend, ImportJobResult
from heelcoach.web.deps import BackendDep, MaybePerson, Today, person_id, render
from heelcoach.web.run_views import import_result_view, runs_view
from heelcoach.web.uploads import ACTIVITY_TYPES, UploadRejectedError, save_upload

router = APIRouter()

MAX_FILES = 50
NO_FILE = "No file was chosen. Pick one or more FIT, GPX, TCX or ZIP files, then press Import."


def _max_mb(request: Request) -> int:
    return int(request.app.state.ctx.settings.max_upload_mb)


def _runs_page(
    request: Request,
    backend: Backend,
    pid: int | None,
    today: date,
    refused: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    if pid is None:  # nobody has started: an empty table and the import form
        view = runs_view({}, DistanceUnit.KM)
    else:
        view = runs_view(backend.runs(pid, today), backend.distance_unit(pid))
    return render(
        request,
        "runs.html",
        status_code=status_code,
        title="Runs",
        view=view,
        max_mb=_max_mb(request),
        refused=refused or [],
        pending=isinstance(request.session.get("import_pending"), dict),
    )


@router.get("/runs", response_class=HTMLResponse)
def runs_page(request: Request, backend: BackendDep, pid: MaybePerson, today: Today) -> Response:
    """Imported activities, weekly load and spike warnings."""
    return _runs_page(request, backend, pid, today)


@router.post("/runs/import", response_class=HTMLResponse)
async def runs_import(request: Request, backend: BackendDep, today: Today) -> Response:
    """Check and store the uploads, queue their import, and send the browser to its progress page.

    The form is read here rather than declared: a form sent without a file (an empty file field,
    or none) gets the Runs page with a message, not a validation error page.
    """
    form = await request.form()
    try:
        chosen = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        return await _import_uploads(request, backend, today, chosen)
    finally:
        await form.close()  # the spooled uploads: what was kept is in the uploads folder now


async def _import_uploads(
    request: Request, backend: Backend, today: date, chosen: list[UploadFile]
) -> Response:
    pid = await run_in_threadpool(person_id, request)  # importing runs starts a runner's record
    if not chosen:
        return await run_in_threadpool(_runs_page, request, backend, pid, today, [NO_FILE], 422)
    if len(chosen) > MAX_FILES:
        raise HTTPException(413, f"Upload at most {MAX_FILES} files at a time, or put them in one ZIP.")
    out_dir = backend.uploads_dir / f"person-{pid}" / "activities"
    saved: dict[Path, str] = {}
    refused: list[str] = []
    for upload in chosen:
        try:
            kept = await save_upload(upload, ACTIVITY_TYPES, _max_mb(request), out_dir)
        except UploadRejectedError as exc:
            refused.append(str(exc))
        else:
            saved[kept.path] = kept.original_name
    if not saved:
        return await run_in_threadpool(_runs_page, request, backend, pid, today, refused, 422)
    try:
        job_id = await run_in_threadpool(backend.submit_import, pid, saved, refused)  # writes the store
    except ImportNotQueuedError as exc:  # the broker is away: the files are stored, the page offers a retry
        request.session["import_pending"] = exc.pending
        return await run_in_threadpool(_runs_page, request, backend, pid, today, [str(exc)], 503)
    except JobServerAwayError as exc:  # the broker is away and nothing was stored: said plainly
        return await run_in_threadpool(_runs_page, request, backend, pid, today, [str(exc)], 503)
    request.session["import_jobs"] = [*request.session.get("import_jobs", [])[-9:], job_id]
    return RedirectResponse(f"/runs/import/{job_id}", status_code=303)


@router.post("/runs/retry", response_class=HTMLResponse)
def runs_retry(request: Request, backend: BackendDep, pid: MaybePerson, today: Today) -> Response:
    """Queue the import of the files kept when the job server did not answer."""
    pending = request.session.get("import_pending")
    if not isinstance(pending, dict) or pid is None:
        return RedirectResponse("/runs", status_code=303)
    try:
        job_id = background.resubmit_import(backend.ctx, cast(RemoteJobRunner, backend.jobs), pid, pending)
    except ImportNotQueuedError as exc:
        return _runs_page(request, backend, pid, today, [str(exc)], 503)
    except JobError as exc:
        request.session.pop("import_pending", None)
        return _runs_page(request, backend, pid, today, [str(exc)], 410)
    request.session.pop("import_pending", None)
    request.session["import_jobs"] = [*request.session.get("import_jobs", [])[-9:], job_id]
    return RedirectResponse(f"/runs/import/{job_id}", status_code=303)


def _import_job(request: Request, backend: Backend, job_id: str) -> JobStatus:
    status = backend.jobs.status(job_id)
    if status is None or job_id not in request.session.get("import_jobs", []):
        raise HTTPException(
            404,
            "There is no such import (the server may have restarted). "
            "Your imported runs are on the Runs page.",
        )
    return status


def _result(status: JobStatus) -> ImportJobResult | None:
    return status.result if status.state == "done" and isinstance(status.result, ImportJobResult) else None


@router.get("/runs/import/{job_id}", response_class=HTMLResponse)
def runs_import_job(request: Request, backend: BackendDep, job_id: str) -> Response:
    """How far the import got; what happened to each file once it is done."""
    status = _import_job(request, backend, job_id)
    result = _result(status)
    return render(
        request,
        "runs_import.html",
        title="Import",
        job=status,
        result=import_result_view(result) if result is not None else None,
    )


@router.get("/runs/import/{job_id}/status", response_class=HTMLResponse)
def runs_import_status(request: Request, backend: BackendDep, job_id: str) -> Response:
    """The progress box alone (polled by the job page); reloads the page once the import ends."""
    status = _import_job(request, backend, job_id)
    response = render(request, "_import_progress.html", job=status)
    if status.finished:
        response.headers["HX-Refresh"] = "true"
    return response
