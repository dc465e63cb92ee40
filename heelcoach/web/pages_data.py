"""Pages with files: Gait (video upload, report), Settings. (Runs: ``pages_runs``.)"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from typing import Annotated, Any, cast

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from heelcoach.domain.plan import Plan
from heelcoach.errors import InvalidInputError
from heelcoach.services import background
from heelcoach.services.background import GaitNotQueuedError
from heelcoach.services.blobs import GAIT_PICTURE, DatabaseBlobStore
from heelcoach.services.jobs import JobError, JobStatus, RemoteJobRunner
from heelcoach.services.units import parse_unit
from heelcoach.web.backend import Backend, GaitJobResult
from heelcoach.web.deps import BackendDep, MaybePerson, person_id, render
from heelcoach.web.gait_views import frame_file, gait_report_view, history_rows
from heelcoach.web.uploads import VIDEO_TYPES, UploadRejectedError, save_upload

router = APIRouter()

GAIT_VIEWS = (
    ("auto", "Let heelcoach tell"),
    ("side", "From the side"),
    ("rear", "From behind"),
    ("front", "From the front"),
)


def _max_mb(request: Request) -> int:
    return int(request.app.state.ctx.settings.max_upload_mb)


# ---------------------------------------------------------------------------------------------- gait
def _current_plan(backend: Backend, pid: int) -> Plan | None:
    """The runner's current plan (None before one is made): each finding says what it does."""
    week = backend.this_week(pid)
    return None if week is None else week.plan


def _gait_page(
    request: Request, backend: Backend, pid: int | None, error: str | None = None, status_code: int = 200
) -> Response:
    """The Gait page: the upload form, the latest stored report, this browser's recent jobs."""
    jobs = []
    for job_id in request.session.get("gait_jobs", [])[-5:]:
        status = backend.jobs.status(job_id)
        if status is not None:
            jobs.append(status)
    latest = backend.latest_gait_report(pid) if pid is not None else None
    report = (
        gait_report_view(
            latest.report,
            frames_root=backend.gait_dir(pid),
            use_action="/gait/latest/use",
            created_at=latest.created_at,
            plan=_current_plan(backend, pid),
        )
        if latest is not None and pid is not None
        else None
    )
    return render(
        request,
        "gait.html",
        status_code=status_code,
        title="Gait",
        views=GAIT_VIEWS,
        max_mb=_max_mb(request),
        jobs=jobs,
        report=report,
        history=history_rows(backend.gait_history(pid)[1:]) if pid is not None else [],
        error=error,
        pending=isinstance(request.session.get("gait_pending"), dict),
    )


@router.get("/gait", response_class=HTMLResponse)
def gait_page(request: Request, backend: BackendDep, pid: MaybePerson) -> Response:
    """Upload a running video; show the latest stored report and this browser's recent analyses."""
    return _gait_page(request, backend, pid)


@router.post("/gait/upload", response_class=HTMLResponse)
async def gait_upload(
    request: Request,
    backend: BackendDep,
    video: Annotated[UploadFile, File()],
    view: Annotated[str, Form()] = "auto",
    slowed_down: Annotated[str, Form()] = "",
) -> Response:
    """Check and store the video, then start the analysis in the background."""
    pid = await run_in_threadpool(person_id, request)  # a video starts a runner's record
    if view not in {v for v, _ in GAIT_VIEWS}:
        view = "auto"
    out_dir = backend.uploads_dir / f"person-{pid}" / "video"
    try:
        saved = await save_upload(video, VIDEO_TYPES, _max_mb(request), out_dir)
    except UploadRejectedError as exc:
        return await run_in_threadpool(_gait_page, request, backend, pid, str(exc), 422)
    try:
        height = await run_in_threadpool(backend.height_cm, pid)
        job_id = await run_in_threadpool(
            backend.submit_gait, pid, saved.path, view, height, _slowed(slowed_down)
        )
    except GaitNotQueuedError as exc:  # the broker is away: the video is stored, the page offers a retry
        request.session["gait_pending"] = exc.pending
        return await run_in_threadpool(_gait_page, request, backend, pid, str(exc), 503)
    request.session["gait_jobs"] = [*request.session.get("gait_jobs", [])[-9:], job_id]
    return RedirectResponse(f"/gait/job/{job_id}", status_code=303)


@router.post("/gait/retry", response_class=HTMLResponse)
def gait_retry(request: Request, backend: BackendDep, pid: MaybePerson) -> Response:
    """Queue the analysis of the video kept when the job server did not answer."""
    pending = request.session.get("gait_pending")
    if not isinstance(pending, dict) or pid is None:
        return RedirectResponse("/gait", status_code=303)
    try:
        job_id = background.resubmit_gait(backend.ctx, cast(RemoteJobRunner, backend.jobs), pid, pending)
    except GaitNotQueuedError as exc:
        return _gait_page(request, backend, pid, str(exc), 503)
    except JobError as exc:
        request.session.pop("gait_pending", None)
        return _gait_page(request, backend, pid, str(exc), 410)
    request.session.pop("gait_pending", None)
    request.session["gait_jobs"] = [*request.session.get("gait_jobs", [])[-9:], job_id]
    return RedirectResponse(f"/gait/job/{job_id}", status_code=303)


def _slowed(text: str) -> float | None:
    """The slow-motion factor the runner typed (1-32), or None when empty or not a number."""
    try:
        value = float(text.strip().rstrip("xX"))
    except ValueError:
        return None
    return value if 1.0 <= value <= 32.0 else None


def _job(request: Request, backend: Backend, job_id: str) -> JobStatus:
    if job_id not in request.session.get("gait_jobs", []):
        raise HTTPException(
            404, "There is no analysis with this id for you. Upload a video on the Gait page."
        )
    status = backend.jobs.status(job_id)
    if status is None:
        raise HTTPException(
            404,
            "This analysis is no longer in the list of running jobs (heelcoach was restarted). "
            "Your latest finished report is on the Gait page.",
        )
    return status


@router.get("/gait/job/{job_id}", response_class=HTMLResponse)
def gait_job(request: Request, backend: BackendDep, pid: MaybePerson, job_id: str) -> Response:
    """Progress while the analysis runs; the report when it is done."""
    status = _job(request, backend, job_id)
    report = None
    if status.state == "done" and isinstance(status.result, GaitJobResult) and pid is not None:
        report = gait_report_view(
            status.result.report,
            frames_root=backend.gait_dir(pid),
            use_action=f"/gait/job/{job_id}/use",
            plan=_current_plan(backend, pid),
        )
    return render(request, "gait_job.html", title="Gait analysis", job=status, report=report)


@router.get("/gait/job/{job_id}/status", response_class=HTMLResponse)
def gait_job_status(request: Request, backend: BackendDep, job_id: str) -> Response:
    """htmx fragment: the progress bar; tells the page to reload itself when finished."""
    status = _job(request, backend, job_id)
    response = render(request, "_gait_progress.html", job=status)
    if status.finished:
        response.headers["HX-Refresh"] = "true"
    return response


def _use_gait(request: Request, backend: Backend, pid: int) -> Response:
    # the finished job stored its report: the plan reads the stored gait reports by itself
    backend.plan_with_stored_gait(pid)
    request.session["flash"] = "Your plan now includes what the video showed."
    return RedirectResponse("/plan", status_code=303)


@router.post("/gait/job/{job_id}/use", response_class=HTMLResponse)
def gait_use(request: Request, backend: BackendDep, pid: MaybePerson, job_id: str) -> Response:
    """Rebuild the plan with this report's findings (and cadence cue)."""
    status = _job(request, backend, job_id)
    if status.state != "done":
        raise HTTPException(409, "This analysis has not finished yet.")
    if pid is None:
        raise HTTPException(404, NO_REPORT)
    return _use_gait(request, backend, pid)


@router.post("/gait/latest/use", response_class=HTMLResponse)
def gait_latest_use(request: Request, backend: BackendDep, pid: MaybePerson) -> Response:
    """Rebuild the plan with the latest stored report (works after a restart)."""
    if pid is None or backend.latest_gait_report(pid) is None:
        raise HTTPException(404, NO_REPORT)
    return _use_gait(request, backend, pid)


NO_REPORT = "There is no stored gait report yet. Upload a running video first."


@router.get("/gait/frames/{name:path}")
def gait_frame(backend: BackendDep, pid: MaybePerson, name: str) -> Response:
    """One annotated key frame or plot, only from this person's own gait folder."""
    path = frame_file(backend.gait_dir(pid), name) if pid is not None else None
    if path is None:
        raise HTTPException(404, "There is no such picture.")
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


@router.get("/gait/pictures/{blob_id}")
def gait_picture(backend: BackendDep, pid: MaybePerson, blob_id: str) -> Response:
    """A key frame or chart a worker drew (kept in the database), only this person's own."""
    data = None
    if pid is not None and re.fullmatch(r"[0-9a-f]{32}", blob_id):
        data = DatabaseBlobStore(backend.ctx).read(blob_id, pid, GAIT_PICTURE)
    if data is None:
        raise HTTPException(404, "There is no such picture.")
    return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


# ---------------------------------------------------------------------------------------------- settings
NOTHING_STORED = "Nothing is stored about you yet: answer the questions first (Start)."


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, pid: MaybePerson) -> Response:
    """Profile, export and delete."""
    return render(request, "settings.html", title="Settings", person=pid)


@router.post("/settings/units", response_class=HTMLResponse)
async def units_save(
    request: Request, backend: BackendDep, pid: MaybePerson, unit: Annotated[str, Form()] = ""
) -> Response:
    """Store kilometres or miles; every page, the handout and the CLI show distances in it."""
    try:
        chosen = parse_unit(unit[:20])
    except InvalidInputError as exc:  # the parse of what was typed
        return render(request, "settings.html", 422, title="Settings", person=pid, unit_error=str(exc))
    if pid is None:  # choosing a unit starts a runner's record
        pid = await run_in_threadpool(person_id, request)
    await run_in_threadpool(backend.set_distance_unit, pid, chosen)
    request.session["flash"] = f"Distances are now shown in {chosen.plural}."
    return RedirectResponse("/settings", status_code=303)


@router.get("/settings/export.json")
def export_json(backend: BackendDep, pid: MaybePerson) -> Response:
    """Everything stored about me, as one JSON file."""
    if pid is None:
        raise HTTPException(404, NOTHING_STORED)
    data = backend.export(pid)
    body = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="heelcoach-{pid}.json"'},
    )


@router.get("/settings/export.zip")
def export_csv(backend: BackendDep, pid: MaybePerson) -> Response:
    """Everything stored about me, one CSV per table, in a ZIP."""
    if pid is None:
        raise HTTPException(404, NOTHING_STORED)
    data = backend.export(pid)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("person.csv", _csv([data.get("person", {})]))
        for table, rows in (data.get("tables") or {}).items():
            zf.writestr(f"{table}.csv", _csv(rows))
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="heelcoach-{pid}-csv.zip"'},
    )


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    header: list[str] = []
    for row in rows:
        header.extend(k for k in row if k not in header)
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: _cell(json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v)
                for k, v in row.items()
            }
        )
    return out.getvalue()


def _cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading quote."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


def _own_draft(request: Request) -> str | None:
    """In a clinic, the deleted runner's own draft answers only (others' sit beside them);
    None on a runner's own machine, where every draft is theirs."""
    if not getattr(request.app.state, "clinic", False):
        return None
    key = request.session.get("draft_key")
    return key if isinstance(key, str) else ""


@router.post("/settings/delete", response_class=HTMLResponse)
async def delete_all(
    request: Request, backend: BackendDep, pid: MaybePerson, confirm: Annotated[str, Form()] = ""
) -> Response:
    """Delete everything about me, after typing DELETE."""
    if confirm.strip() != "DELETE":
        return render(
            request,
            "settings.html",
            status_code=422,
            title="Settings",
            person=pid,
            delete_error="Type DELETE in capitals to confirm. Nothing was deleted.",
        )
    if pid is not None:
        await run_in_threadpool(backend.delete, pid, _own_draft(request))
    request.session.clear()
    request.session["flash"] = "All your data was deleted."
    return RedirectResponse("/", status_code=303)
