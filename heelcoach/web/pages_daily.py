"""Daily pages: Today (exercises, running allowance, check-in), Plan, Progress."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from heelcoach.web.charts import Series, bars_with_line, line_chart
from heelcoach.web.checkin import RED_FLAG_SYMPTOMS, CheckInForm, parse_checkin, service_errors
from heelcoach.web.deps import get_backend, get_ctx, person_id, render
from heelcoach.web.plan_views import plan_view, today_items

router = APIRouter()


def _today(request: Request) -> date:
    """Today, or the ``HEELCOACH_TODAY`` override the app was built with (demos and tests)."""
    fixed = getattr(request.app.state, "today", None)
    return fixed if isinstance(fixed, date) else date.today()


async def _form_lists(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    out: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            out.setdefault(key, []).append(value)
    return out


def _today_page(
    request: Request, form: CheckInForm | None = None, status_code: int = 200, saved: Any = None
) -> Response:
    backend = get_backend(request)
    cat = get_ctx(request).catalogue
    today = _today(request)
    pid = person_id(request)
    week = backend.this_week(pid, today) if pid is not None else None
    if week is None:
        return render(request, "today.html", title="Today", plan=None, today=today)
    view = plan_view(cat, week.plan, week.record.version)
    exercises, relief = today_items(view, today)
    done_today: list[str] = []
    todays_checkin = next((c for c in week.checkins if c.day == today), None)
    if form is None:
        values: dict[str, Any] = {"day": today.isoformat()}
        if todays_checkin is not None:
            done_today = list(todays_checkin.done_items)
            for name in (
                "first_step_pain",
                "worst_pain",
                "run_pain_during",
                "run_pain_after",
                "run_km",
                "run_minutes",
                "notes",
            ):
                value = getattr(todays_checkin, name)
                values[name] = (
                    "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))
                )
            values["done_items"] = done_today
            values["passive_used"] = list(todays_checkin.passive_used)
            values["next_morning_worse"] = {True: "yes", False: "no"}.get(
                todays_checkin.next_morning_worse, ""
            )
        form = CheckInForm(values, {})
    return render(
        request,
        "today.html",
        status_code=status_code,
        title="Today",
        plan=view,
        today=today,
        exercises=exercises,
        relief=relief,
        week=week,
        form=form,
        checked_in=todays_checkin is not None,
        red_flag_symptoms=RED_FLAG_SYMPTOMS,
        saved=saved,
        max_day=today.isoformat(),
        min_day=(today - timedelta(days=30)).isoformat(),
    )


@router.get("/today", response_class=HTMLResponse)
def today_page(request: Request) -> Response:
    """Today's exercises with dose and a done box, the running allowance, the morning check-in."""
    return _today_page(request)


@router.post("/checkin", response_class=HTMLResponse)
async def checkin(request: Request) -> Response:
    """Save the check-in; errors are shown next to their fields."""
    today = _today(request)
    kwargs, form = parse_checkin(await _form_lists(request), today)
    if form.errors:
        return _today_page(request, form, status_code=422)
    pid = person_id(request)
    if pid is None:
        return _today_page(request)
    try:
        saved = get_backend(request).record_checkin(pid, kwargs, today)
    except ValueError as exc:
        return _today_page(request, CheckInForm(form.values, service_errors(str(exc))), status_code=422)
    request.session["flash"] = "Check-in saved." + (" " + " ".join(saved.warnings) if saved.warnings else "")
    return RedirectResponse("/today?saved=1", status_code=303)


@router.get("/plan", response_class=HTMLResponse)
def plan_page(request: Request) -> Response:
    """The plan: phase, this week, every item's why and evidence, what moves you forward or back."""
    pid = person_id(request)
    week = get_backend(request).this_week(pid, _today(request)) if pid is not None else None
    if week is None:
        return render(request, "plan.html", title="Plan", plan=None)
    view = plan_view(get_ctx(request).catalogue, week.plan, week.record.version)
    return render(request, "plan.html", title="Plan", plan=view, week=week)


@router.post("/plan/review", response_class=HTMLResponse)
def review(request: Request) -> Response:
    """Run the weekly review now (the plan moves forward, holds or steps back)."""
    pid = person_id(request)
    if pid is not None:
        get_backend(request).weekly_review(pid, _today(request))
    return RedirectResponse("/progress#history", status_code=303)


def progress_charts(data: dict[str, Any]) -> dict[str, Any]:
    """SVG charts and tables for the Progress page from ``progress_to_dict`` output."""
    pain = data.get("pain", [])
    labels = [p["day"][5:] for p in pain]
    pain_chart = (
        line_chart(
            "First-step pain and worst pain, 0-10",
            labels,
            [
                Series("First-step pain", [p.get("first_step_pain") for p in pain], "a"),
                Series("Worst pain", [p.get("worst_pain") for p in pain], "b"),
            ],
        )
        if pain
        else ""
    )
    weeks = data.get("summary", {}).get("weeks", [])
    load_chart = (
        bars_with_line(
            "Weekly running (km) beside first-step pain",
            [f"wk {w['week']}" for w in weeks],
            [float(w.get("run_km") or 0) for w in weeks],
            [w.get("first_step_pain_mean") for w in weeks],
            line_name="mean first-step pain",
        )
        if weeks
        else ""
    )
    outcome_charts = []
    by_instrument: dict[str, list[dict[str, Any]]] = {}
    for o in data.get("outcomes", []):
        by_instrument.setdefault(o["instrument"], []).append(o)
    changes = {c.get("instrument"): c for c in data.get("outcome_changes", [])}
    for instrument, rows in by_instrument.items():
        change = changes.get(instrument, {})
        mcid = change.get("mcid") or change.get("mcid_points")
        top = 10.0 if instrument == "psfs" else 100.0
        ref = None
        if isinstance(mcid, int | float) and rows:
            ref = (min(top, rows[0]["score"] + float(mcid)), f"meaningful change (+{mcid:g})")
        outcome_charts.append(
            {
                "instrument": instrument,
                "rows": rows,
                "change": change,
                "svg": line_chart(
                    f"{instrument} score",
                    [r["taken_on"][5:] for r in rows],
                    [Series(instrument, [r["score"] for r in rows], "a")],
                    lo=0,
                    hi=top,
                    ticks=[top * k / 5 for k in range(6)],
                    reference=ref,
                ),
            }
        )
    return {"pain_chart": pain_chart, "load_chart": load_chart, "outcome_charts": outcome_charts}


@router.get("/progress", response_class=HTMLResponse)
def progress_page(request: Request) -> Response:
    """Charts of pain over time, outcomes with the meaningful-change line, load, adherence, history."""
    pid = person_id(request)
    if pid is None:
        return render(request, "progress.html", title="Progress", data=None)
    data = get_backend(request).progress(pid)
    return render(request, "progress.html", title="Progress", data=data, **progress_charts(data))
