"""The guided session ("Start today's exercises"), its logging into today's check-in, and the files
that make the app installable and usable offline (web app manifest, service worker)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from heelcoach.errors import InvalidInputError, NotFoundError
from heelcoach.services import calendar as calendar_service
from heelcoach.services import daily as daily_service
from heelcoach.web.backend import Backend
from heelcoach.web.deps import BackendDep, MaybePerson, Today, get_ctx, person_id, render
from heelcoach.web.plan_views import plan_view, today_items
from heelcoach.web.session_views import session_items

router = APIRouter()
STATIC = Path(__file__).resolve().parent / "static"


def _session_page(request: Request, backend: Backend, pid: int | None, today: date) -> Response:
    ctx = get_ctx(request)
    week = backend.this_week(pid, today) if pid is not None else None
    if pid is None or week is None:
        return render(request, "session.html", title="Today's exercises", plan=None, today=today)
    view = plan_view(ctx.catalogue, week.plan, week.record.version)
    exercises, _relief = today_items(view, today)
    checkin, answer = daily_service.todays_state(ctx, pid, today)  # fresh: the session writes it
    stopped = view.referral_stops or (answer is not None and answer.rule_id == "warning_sign")
    doses = {i.id: dict(i.dose) for i in week.plan.items}
    items = (
        []
        if stopped
        else session_items(
            ctx.catalogue, exercises, doses, gentle_only=answer is not None and answer.colour == "red"
        )
    )
    return render(
        request,
        "session.html",
        title="Today's exercises",
        plan=view,
        today=today,
        items=items,
        answer=answer,
        checked_in=checkin is not None,
        done=list(checkin.done_items) if checkin else [],
        stopped=stopped,
        minutes=week.minutes_today,
        rules=ctx.catalogue.plan.guided_session,
        answer_band=ctx.catalogue.plan.pain_monitoring.during_acceptable_max,
        test=ctx.catalogue.self_tests.get(ctx.catalogue.plan.guided_session.metronome_test),
    )


@router.get("/session", response_class=HTMLResponse)
async def session_page(request: Request, backend: BackendDep, pid: MaybePerson, today: Today) -> Response:
    """Today's exercises one at a time, with timers, a metronome and easier/harder versions."""
    return await run_in_threadpool(_session_page, request, backend, pid, today)


@router.post("/session/checkin", response_class=HTMLResponse)
async def session_checkin(request: Request, backend: BackendDep, today: Today) -> Response:
    """The one question asked before the session when today has no check-in yet."""
    form = await request.form()
    raw = form.get("first_step_pain")
    try:
        value = int(raw) if isinstance(raw, str) else -1
    except ValueError:
        value = -1
    pid = await run_in_threadpool(person_id, request)  # a check-in starts a runner's record
    try:
        await run_in_threadpool(daily_service.start_checkin, get_ctx(request), pid, today, value)
    except (InvalidInputError, NotFoundError):
        request.session["flash"] = "Pick how much your first steps hurt, from 0 to 10."
        return RedirectResponse("/session", status_code=303)
    await run_in_threadpool(backend.invalidate, pid)  # a clinic's stamp is in Redis
    return RedirectResponse("/session#start", status_code=303)


def _log(
    request: Request, backend: Backend, pid: int | None, today: date, body: dict[str, Any]
) -> daily_service.SessionLogged:
    log = daily_service.SessionLog(
        item_id=str(body.get("item_id", "")),
        event="reason" if body.get("event") == "reason" else "done",
        detail=str(body.get("detail", ""))[:120],
        reason=body.get("reason") if body.get("reason") in daily_service.REASON_WORDS else None,
        item_name=str(body.get("item_name", ""))[:80],
        at_local=str(body.get("at", ""))[:5],
    )
    if pid is None:
        raise NotFoundError("Nobody has started here yet: answer the questions first.")
    logged = daily_service.log_session_item(get_ctx(request), pid, today, log)
    backend.invalidate(pid)
    return logged


@router.post("/session/log")
async def session_log(request: Request, backend: BackendDep, pid: MaybePerson, today: Today) -> Response:
    """Record one session event (JSON) into today's check-in; answers with what the check-in holds."""
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return JSONResponse({"error": "Send a JSON object with item_id and event."}, status_code=422)
    try:
        logged = await run_in_threadpool(_log, request, backend, pid, today, body)
    except InvalidInputError as exc:
        return JSONResponse({"error": str(exc)}, status_code=422)
    except NotFoundError as exc:
        return JSONResponse({"error": str(exc)}, status_code=409)
    return JSONResponse({"done_items": list(logged.record.done_items), "times_today": logged.times_today})


def _reminders_page(
    request: Request,
    backend: Backend,
    pid: int | None,
    today: date,
    values: dict[str, str] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Response:
    stored = None
    if values is None:
        ctx = get_ctx(request)
        when = calendar_service.reminders_for(ctx, pid) if pid is not None else calendar_service.Reminders()
        stored = pid is not None and calendar_service.has_reminders(ctx, pid)
        values = {
            "checkin_time": f"{when.checkin:%H:%M}",
            "session_time": f"{when.session:%H:%M}",
            "run_time": f"{when.run:%H:%M}",
            "timezone": when.timezone if stored else "",
        }
    return render(
        request,
        "reminders.html",
        status_code=status_code,
        title="Reminders",
        values=values,
        error=error,
        has_plan=pid is not None and backend.this_week(pid, today) is not None,
    )


@router.get("/settings/reminders", response_class=HTMLResponse)
def reminders_page(request: Request, backend: BackendDep, pid: MaybePerson, today: Today) -> Response:
    """When to be reminded (morning check-in, exercises, runs) and the calendar file to subscribe to."""
    return _reminders_page(request, backend, pid, today)


@router.post("/settings/reminders", response_class=HTMLResponse)
async def reminders_save(request: Request, backend: BackendDep, today: Today) -> Response:
    """Store the reminder times and time zone; the calendar file uses them from now on."""
    form = await request.form()
    values = {
        k: str(form.get(k, "")).strip()[:64] for k in ("checkin_time", "session_time", "run_time", "timezone")
    }
    return await run_in_threadpool(_save_reminders, request, backend, today, values)


def _save_reminders(request: Request, backend: Backend, today: date, values: dict[str, str]) -> Response:
    """Store the parsed reminder times (a worker thread), or show the form with the problem."""
    pid = person_id(request)  # reminders are part of a runner's record
    try:
        when = calendar_service.Reminders.parse(
            values["checkin_time"], values["session_time"], values["timezone"], run=values["run_time"]
        )
        calendar_service.save_reminders(get_ctx(request), pid, when)
    except (calendar_service.ReminderError, NotFoundError) as exc:
        return _reminders_page(request, backend, pid, today, values, str(exc), status_code=422)
    request.session["flash"] = (
        "Reminder times saved. Download the calendar file again to update your calendar."
    )
    return RedirectResponse("/settings/reminders", status_code=303)


@router.get("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest: heelcoach on a phone's home screen opens at Today."""
    return FileResponse(STATIC / "manifest.webmanifest", media_type="application/manifest+json")


@router.get("/sw.js")
def service_worker() -> Response:
    """The service worker, served from the root so that it may control every page."""
    return FileResponse(
        STATIC / "sw.js",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )
