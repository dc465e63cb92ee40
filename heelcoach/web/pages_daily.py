"""Daily pages: Today (exercises, running allowance, check-in), Plan, Progress."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from heelcoach.domain.units import DistanceUnit, distance
from heelcoach.errors import ConflictError, InvalidInputError, NotFoundError
from heelcoach.services import daily as daily_service
from heelcoach.services import history as history_service
from heelcoach.services.jobs import is_remote
from heelcoach.web.backend import Backend
from heelcoach.web.charts import (
    CalendarDay,
    Series,
    adherence_calendar,
    line_chart,
    pain_zone_chart,
    weekly_km_chart,
)
from heelcoach.web.checkin import RED_FLAG_SYMPTOMS, CheckInForm, parse_checkin, service_errors
from heelcoach.web.deps import (
    BackendDep,
    MaybePerson,
    Today,
    cached_or_build,
    distance_unit,
    get_ctx,
    person_id,
    render,
    render_cached,
)
from heelcoach.web.plan_views import plan_view, today_items
from heelcoach.web.result_views import stopped_by_triage

router = APIRouter()


async def _form_lists(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    out: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            out.setdefault(key, []).append(value)
    return out


_CHECKIN_FIELDS = (
    "first_step_pain",
    "worst_pain",
    "run_pain_during",
    "run_pain_after",
    "run_km",
    "run_minutes",
    "notes",
)


def _no_plan_page(request: Request, backend: Backend, pid: int | None, today: date) -> Response:
    """Today before a plan: "start here", or why the questionnaire stopped training."""
    stopped = pid is not None and stopped_by_triage(backend, pid)
    return render(
        request,
        "today.html",
        title="Today",
        plan=None,
        today=today,
        stopped=stopped,
        clearance=stopped and pid is not None and backend.clearance_starts_return(pid),
        max_day=today.isoformat(),
        min_day=(today - timedelta(days=30)).isoformat(),
    )


def _stored_form(todays_checkin: Any, today: date) -> CheckInForm:
    """The check-in form filled with what was stored today (empty but for the day when nothing)."""
    values: dict[str, Any] = {"day": today.isoformat()}
    if todays_checkin is not None:
        for name in _CHECKIN_FIELDS:
            value = getattr(todays_checkin, name)
            values[name] = "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))
        values["done_items"] = list(todays_checkin.done_items)
        values["passive_used"] = list(todays_checkin.passive_used)
        worse = todays_checkin.next_morning_worse
        values["next_morning_worse"] = "" if worse is None else ("yes" if worse else "no")
    return CheckInForm(values, {})


def _today_page(
    request: Request,
    backend: Backend,
    pid: int | None,
    today: date,
    form: CheckInForm | None = None,
    status_code: int = 200,
) -> Response:
    week = backend.this_week(pid, today) if pid is not None else None
    if pid is None or week is None:
        return _no_plan_page(request, backend, pid, today)
    ctx = get_ctx(request)
    view = plan_view(ctx.catalogue, week.plan, week.record.version, distance_unit(request))
    exercises, relief = today_items(view, today)
    todays_checkin = next((c for c in week.checkins if c.day == today), None)
    paused = paused_by_warning(week.record.decision)
    page_values = {
        "title": "Today",
        "plan": view,
        "today": today,
        "exercises": exercises,
        "relief": relief,
        "week": week,
        "form": form if form is not None else _stored_form(todays_checkin, today),
        "checked_in": todays_checkin is not None,
        "answer": daily_service.todays_answer(ctx, pid, today) if todays_checkin else None,
        "red_flag_symptoms": RED_FLAG_SYMPTOMS,
        "paused_by_warning": paused and view.referral_stops,
        "clearance": view.referral_stops and not paused and backend.clearance_starts_return(pid),
        "max_day": today.isoformat(),
        "min_day": (today - timedelta(days=30)).isoformat(),
    }
    if form is not None or status_code != 200:
        return render(request, "today.html", status_code=status_code, **page_values)
    return render_cached(request, f"today:{today}", "today.html", **page_values)


@router.get("/today", response_class=HTMLResponse)
async def today_page(request: Request, backend: BackendDep, pid: MaybePerson, today: Today) -> Response:
    """Today's exercises with dose and a done box, the running allowance, the morning check-in."""
    # served from the page cache when nothing changed; database reads go to a worker thread
    return await cached_or_build(request, f"today:{today}", lambda r: _today_page(r, backend, pid, today))


@router.post("/checkin", response_class=HTMLResponse)
async def checkin(request: Request, backend: BackendDep, today: Today) -> Response:
    """Save the check-in; errors are shown next to their fields."""
    unit = await run_in_threadpool(distance_unit, request)
    kwargs, form = parse_checkin(await _form_lists(request), today, unit)
    return await run_in_threadpool(_save_checkin, request, backend, today, kwargs, form)


def _save_checkin(
    request: Request, backend: Backend, today: date, kwargs: dict[str, Any], form: CheckInForm
) -> Response:
    """Store a parsed check-in (a worker thread), or show Today with the problems next to the fields."""
    pid = person_id(request)  # a check-in starts a runner's record
    if form.errors:
        return _today_page(request, backend, pid, today, form, status_code=422)
    try:
        saved = backend.record_checkin(pid, kwargs, today)
    except (InvalidInputError, ConflictError) as exc:
        errors = CheckInForm(form.values, service_errors(str(exc)))
        return _today_page(request, backend, pid, today, errors, status_code=422)
    request.session["flash"] = "Check-in saved." + (" " + " ".join(saved.warnings) if saved.warnings else "")
    return RedirectResponse("/today?saved=1", status_code=303)


def paused_by_warning(decision: dict[str, Any]) -> bool:
    """Whether a plan version was stopped by a warning sign in a check-in (not by the questionnaire)."""
    if decision.get("kind") == "warning_sign":
        return True
    decisions = decision.get("decisions") or []
    return any(isinstance(d, dict) and d.get("rule_id") == "warning_sign" for d in decisions)


@router.post("/clinician-seen", response_class=HTMLResponse)
async def clinician_seen(request: Request, backend: BackendDep, pid: MaybePerson, today: Today) -> Response:
    """Record that a clinician has seen the runner; the plan paused by a warning sign resumes."""
    form = await _form_lists(request)
    raw = (form.get("seen_on") or [""])[-1].strip()
    try:
        seen_on = date.fromisoformat(raw) if raw else today
    except ValueError:
        seen_on = None
    if seen_on is None or not today - timedelta(days=30) <= seen_on <= today:
        request.session["flash"] = "Please give the day of the visit: today or within the last 30 days."
        return RedirectResponse("/today#clinician-seen", status_code=303)
    if (form.get("confirm") or [""])[-1] != "yes":
        request.session["flash"] = "Tick the box to confirm that a clinician has seen your heel."
        return RedirectResponse("/today#clinician-seen", status_code=303)
    if pid is None:
        return RedirectResponse("/today", status_code=303)
    try:
        record = await run_in_threadpool(backend.clinician_seen, pid, seen_on)
    except (InvalidInputError, ConflictError, NotFoundError) as exc:
        request.session["flash"] = str(exc)
        return RedirectResponse("/today", status_code=303)
    if record.decision.get("kind") == "cleared_return":
        request.session["flash"] = f"Recorded: {record.reason}"
        return RedirectResponse("/plan", status_code=303)
    request.session["flash"] = (
        "Recorded: a clinician has seen you. Your plan picks up where it stopped; "
        "follow anything they told you first."
    )
    return RedirectResponse("/today", status_code=303)


@router.get("/plan", response_class=HTMLResponse)
def plan_page(request: Request, backend: BackendDep, pid: MaybePerson, today: Today) -> Response:
    """The plan: phase, this week, every item's why and evidence, what moves you forward or back."""
    week = backend.this_week(pid, today) if pid is not None else None
    if pid is None or week is None:
        stopped = pid is not None and stopped_by_triage(backend, pid)
        return render(request, "plan.html", title="Plan", plan=None, stopped=stopped)
    view = plan_view(get_ctx(request).catalogue, week.plan, week.record.version, distance_unit(request))
    paused = paused_by_warning(week.record.decision) and view.referral_stops
    return render(request, "plan.html", title="Plan", plan=view, week=week, paused_by_warning=paused)


@router.get("/plan/handout.pdf")
def plan_handout(request: Request, backend: BackendDep, pid: MaybePerson, today: Today) -> Response:
    """The plan as a printable PDF handout (made by a worker, with a page to follow, at clinic scale)."""
    if pid is not None and is_remote(backend.jobs):
        from heelcoach.web.report_jobs import HANDOUT, start_report

        return start_report(request, backend, pid, HANDOUT, today)
    body = backend.plan_handout_pdf(pid) if pid is not None else None
    if body is None:
        raise HTTPException(404, "No plan yet: answer the questions first, then print your plan.")
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="heelcoach-plan.pdf"'},
    )


@router.get("/plan/calendar.ics")
def plan_calendar(backend: BackendDep, pid: MaybePerson, weeks: int = 4) -> Response:
    """Recurring reminders for the plan: check-in, exercise and run days (``?weeks=`` 1-4)."""
    body = backend.plan_calendar_ics(pid, weeks=max(1, min(4, weeks))) if pid is not None else None
    if body is None:
        raise HTTPException(404, "No plan yet: answer the questions first, then add it to your calendar.")
    return Response(
        body,
        media_type="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="heelcoach-plan.ics"'},
    )


@router.post("/plan/review", response_class=HTMLResponse)
def review(request: Request, backend: BackendDep, pid: MaybePerson, today: Today) -> Response:
    """Run the weekly review now (the plan moves forward, holds or steps back)."""
    if pid is None:
        return RedirectResponse("/today", status_code=303)
    try:
        backend.weekly_review(pid, today)
    except (ConflictError, NotFoundError) as exc:  # too early, or no plan: the service says what to do
        request.session["flash"] = str(exc)
        return RedirectResponse("/today", status_code=303)
    request.session["flash"] = "Your week was reviewed. See below what changed and why."
    return RedirectResponse("/progress#history", status_code=303)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weeks_before(day: date, weeks: int) -> date:
    """``day`` minus ``weeks`` weeks, or the first day there is (a stored day may be any day)."""
    return day - timedelta(weeks=weeks) if day > date.min + timedelta(weeks=weeks) else date.min


def _pain_chart(pain: list[dict[str, Any]], pain_rules: Any) -> str:
    """First-step pain on the pain-monitoring zones ("" without check-ins)."""
    if not pain:
        return ""
    return pain_zone_chart(
        "First-step pain, 0-10",
        [f"{date.fromisoformat(p['day']):%d %b}" for p in pain],
        [p.get("first_step_pain") for p in pain],
        float(getattr(pain_rules, "during_safe_max", 2)),
        float(getattr(pain_rules, "during_acceptable_max", 5)),
    )


def _load_weeks(pain: list[dict[str, Any]], history: Any) -> list[Any]:
    """The weeks of running to chart: from eight weeks before the first check-in."""
    weeks = list(getattr(history, "weeks", ()))
    if pain and weeks:
        first = _weeks_before(_monday(date.fromisoformat(pain[0]["day"])), 8)
        weeks = [w for w in weeks if w.week_start >= first] or weeks[-1:]
    return weeks


def _load_chart(weeks: list[Any], cap: float | None, unit: DistanceUnit) -> str:
    """Weekly running with the plan's cap and spikes ("" when no week has any)."""
    if not any(w.km for w in weeks):
        return ""
    return weekly_km_chart(
        f"Weekly running ({unit.label})",
        [f"{w.week_start:%d %b}" for w in weeks],
        [w.km for w in weeks],
        [w.spike for w in weeks],
        cap_km=cap,
        cap_label=f"this week's cap {distance(cap, unit)}" if cap else "",
        unit=unit,
    )


OUTCOME_NAMES = {"faam_adl": "FAAM daily activities", "faam_sports": "FAAM sports", "psfs": "PSFS"}


def _outcome_charts(data: dict[str, Any], mcids: dict[str, float]) -> list[dict[str, Any]]:
    """One chart per outcome questionnaire, with the meaningful-change line above the first score."""
    by_instrument: dict[str, list[dict[str, Any]]] = {}
    for o in data.get("outcomes", []):
        by_instrument.setdefault(o["instrument"], []).append(o)
    changes = {c.get("instrument"): c for c in data.get("outcome_changes", [])}
    charts = []
    for instrument, rows in by_instrument.items():
        name = OUTCOME_NAMES.get(instrument, instrument)
        top = 10.0 if instrument == "psfs" else 100.0
        mcid = mcids.get(instrument)
        ref = None if mcid is None else (min(top, rows[0]["score"] + mcid), f"meaningful change: +{mcid:g}")
        svg = line_chart(
            f"{name} score",
            [r["taken_on"][5:] for r in rows],
            [Series(instrument, [r["score"] for r in rows], "a")],
            lo=0,
            hi=top,
            ticks=[top * k / 5 for k in range(6)],
            reference=ref,
        )
        charts.append({"instrument": name, "rows": rows, "change": changes.get(instrument, {}), "svg": svg})
    return charts


def progress_charts(
    data: dict[str, Any],
    history: Any,
    mcids: dict[str, float],
    pain_rules: Any = None,
    days: Sequence[Any] = (),
    unit: DistanceUnit = DistanceUnit.KM,
) -> dict[str, Any]:
    """SVG charts for the Progress page: first-step pain on the pain-monitoring zones, weekly running
    (watch files, else check-in km) with the plan's cap and spikes, an adherence calendar, outcomes."""
    pain = data.get("pain", [])
    weeks = _load_weeks(pain, history)
    calendar = adherence_calendar(
        "Exercise days done",
        [CalendarDay(d.day, d.planned, d.done, d.checked_in, is_today=d is days[-1]) for d in days],
    )
    return {
        "pain_chart": _pain_chart(pain, pain_rules),
        "load_chart": _load_chart(weeks, getattr(history, "cap_km", None), unit),
        "calendar_chart": calendar,
        "load_sources": sorted({w.source for w in weeks if w.km}),
        "outcome_charts": _outcome_charts(data, mcids),
    }


def _outcome_page(request: Request, errors: dict[str, str], status_code: int = 200) -> Response:
    outcomes = get_ctx(request).catalogue.outcomes
    return render(
        request,
        "outcome.html",
        status_code=status_code,
        title="Function questionnaire",
        faam=outcomes.faam,
        psfs=outcomes.psfs,
        errors=errors,
    )


@router.get("/progress/outcome", response_class=HTMLResponse)
def outcome_form(request: Request) -> Response:
    """FAAM (daily activities, sports) and PSFS forms."""
    return _outcome_page(request, {})


def _faam_answers(faam: Any, form: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The FAAM subscales answered (0-4, or None for "not applicable"), by instrument."""
    filled: dict[str, dict[str, Any]] = {}
    for sub in ("adl", "sports"):
        answers: dict[str, Any] = {}
        for item in getattr(faam, sub).items:
            raw = form.get(item.id, "")
            if raw in ("", "skip"):
                continue
            answers[item.id] = None if raw == "na" else int(raw) if raw.isdigit() and int(raw) <= 4 else None
        if answers:
            filled[f"faam_{sub}"] = answers
    return filled


def _psfs_answers(activities_max: int, form: dict[str, str]) -> tuple[dict[str, float], dict[str, str]]:
    """The PSFS activities with their ratings, and problems by field."""
    psfs: dict[str, float] = {}
    errors: dict[str, str] = {}
    for i in range(1, activities_max + 1):
        name, rating = form.get(f"psfs_activity_{i}", ""), form.get(f"psfs_rating_{i}", "")
        if not name and not rating:
            continue
        if not name or not rating:
            errors[f"psfs_{i}"] = "Give both the activity and how well you can do it (0-10)."
            continue
        try:
            value = float(rating)
        except ValueError:
            errors[f"psfs_{i}"] = "The rating should be a number from 0 to 10."
            continue
        psfs[name[:80]] = value
    return psfs, errors


@router.post("/progress/outcome", response_class=HTMLResponse)
async def outcome_save(request: Request, backend: BackendDep, today: Today) -> Response:
    """Score and store whichever questionnaires were filled in."""
    form = {k: v[-1].strip() for k, v in (await _form_lists(request)).items() if v}
    outcomes = get_ctx(request).catalogue.outcomes
    filled = _faam_answers(outcomes.faam, form)
    psfs, errors = _psfs_answers(outcomes.psfs.activities_max, form)
    if psfs:
        filled["psfs"] = psfs
    if not filled and not errors:
        errors["form"] = "Nothing was filled in. Answer at least one questionnaire."
    if errors:
        return _outcome_page(request, errors, status_code=422)
    return await run_in_threadpool(_save_outcomes, request, backend, today, filled)


def _save_outcomes(request: Request, backend: Backend, today: date, filled: dict[str, Any]) -> Response:
    """Store each filled-in questionnaire (a worker thread); the first refused one is shown."""
    pid = person_id(request)  # answering a questionnaire starts a record
    messages = []
    for instrument, answers in filled.items():
        try:
            _record, score = backend.record_outcome(pid, instrument, answers, today)
        except (InvalidInputError, ConflictError) as exc:
            return _outcome_page(request, {instrument: str(exc)}, status_code=422)
        messages.append(str(getattr(score, "message", "")))
    request.session["flash"] = "Saved. " + " ".join(m for m in messages if m)
    return RedirectResponse("/progress#outcomes", status_code=303)


@router.get("/progress", response_class=HTMLResponse)
async def progress_page(request: Request, backend: BackendDep, pid: MaybePerson, today: Today) -> Response:
    """Charts of pain over time, outcomes with the meaningful-change line, load, adherence, history."""
    if pid is None:  # nobody has started: the page says where to begin
        return render(request, "progress.html", title="Progress", data={})
    return await cached_or_build(
        request, f"progress:{today}", lambda r: _progress_page(r, backend, pid, today)
    )


def _progress_page(request: Request, backend: Backend, pid: int, today: date) -> Response:
    """Render the Progress page (reads may come from the backend cache)."""
    data = backend.progress(pid)
    ctx = get_ctx(request)
    history = history_service.running_history(ctx, pid, today)
    days = history_service.adherence_days(ctx, pid, today)
    outcomes = ctx.catalogue.outcomes
    mcids = {
        "faam_adl": outcomes.faam.adl.mcid_points.value,
        "faam_sports": outcomes.faam.sports.mcid_points.value,
        "psfs": outcomes.psfs.mcid_points.value,
    }
    return render_cached(
        request,
        f"progress:{today}",
        "progress.html",
        title="Progress",
        data=data,
        **progress_charts(
            data, history, mcids, ctx.catalogue.plan.pain_monitoring, days, distance_unit(request)
        ),
    )
