"""Clinic-mode pages: for staff the caseload at /clinic (who needs attention first) and the runner
view at /clinic/people/{person_id} (with plan changes and notes); for a runner /sharing."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from heelcoach.domain.intake import question_in_unit
from heelcoach.domain.units import DistanceUnit, to_km
from heelcoach.errors import NotFoundError
from heelcoach.services import accounts, clinic_care, fhir_bundle, handover, planning, visits
from heelcoach.services.caseload import WINDOW_DAYS, CaseloadRow, caseload
from heelcoach.services.jobs import is_remote
from heelcoach.services.policy import Actor, can, can_in_clinic
from heelcoach.web.audit_pages import local_words, runner_zone
from heelcoach.web.auth import LoginRequired, RowId, authorize, clinic_person, current_actor
from heelcoach.web.clinical_triage import checkin_pause, clinical_triage
from heelcoach.web.deps import NAV, Today, get_backend, get_ctx, render
from heelcoach.web.result_views import answer_text

router = APIRouter()
#: The hand-over report and bundle: served in both modes (the local runner prints their own).
handover_router = APIRouter()

SPARK_W, SPARK_H = 112, 28
#: Time zones suggested for a visit's time (any IANA name typed in works too).
TIME_ZONES = ("UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles")
#: The staff's navigation (the runner's pages are not theirs).
STAFF_NAV: tuple[tuple[str, str], ...] = (("/clinic", "Caseload"), ("/clinic/invite", "Invite"))


def sparkline_points(pain: tuple[int | None, ...]) -> list[str]:
    """SVG polyline point lists, one per run of consecutive check-ins (gaps stay gaps); 0-10 scale."""
    step = SPARK_W / max(len(pain) - 1, 1)
    runs: list[list[str]] = [[]]
    for i, value in enumerate(pain):
        if value is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(f"{i * step:.1f},{SPARK_H - 2 - value * (SPARK_H - 4) / 10:.1f}")
    return [" ".join(r) for r in runs if r]


@router.get("/clinic", response_class=HTMLResponse)
def caseload_page(request: Request, today: Today) -> Response:
    """The clinician's caseload: runners who share with the clinic, most urgent first."""
    actor = current_actor(request)
    if actor.role == "anonymous":
        raise LoginRequired
    if not can_in_clinic(actor, "view_caseload"):
        raise HTTPException(403, "The caseload is for clinicians.")
    ctx = get_ctx(request)
    rows: list[CaseloadRow] = caseload(ctx, actor, today)
    accounts.audit(ctx, actor, None, "view_caseload", f"{len(rows)} runners")
    return render(
        request,
        "clinic_caseload.html",
        title="Caseload",
        nav=STAFF_NAV,
        active="/clinic",
        rows=rows,
        spark=sparkline_points,
        spark_w=SPARK_W,
        spark_h=SPARK_H,
        window_days=WINDOW_DAYS,
    )


def _answers(request: Request, answers: dict[str, object], unit: DistanceUnit) -> list[tuple[str, str]]:
    """(question as asked, answer in the runner's words) in questionnaire order; unknown ids last.
    Distances are asked and answered in the runner's unit (stored in km), as on their own summary."""
    questions = get_ctx(request).catalogue.triage.questions
    known = [
        (question_in_unit(q, unit).prompt, answer_text(q, answers[q.id], unit))
        for q in questions
        if q.id in answers
    ]
    ids = {q.id for q in questions}
    rest = [(k.replace("_", " "), answer_text(None, v)) for k, v in answers.items() if k not in ids]
    return known + rest


def _plan_choices(request: Request, person_id: int) -> tuple[list[tuple[str, str, int | None]], Any]:
    """(item id, title, level) of the current plan's exercises and tools, and its running prescription."""
    try:
        _record, plan = planning.current_plan(get_ctx(request), person_id)
    except NotFoundError:
        return [], None
    items = [(i.id, i.title, i.level) for i in plan.items if i.kind in ("exercise", "adjunct")]
    return items, plan.run


def _catalogue_choices(request: Request) -> dict[str, list[tuple[str, str]]]:
    """What a clinician may add: the knowledge base's exercises (with their levels) and home tools."""
    cat = get_ctx(request).catalogue
    exercises = [(e.id, f"{e.name} (levels 1-{len(e.levels)})") for e in cat.exercises.values()]
    tools = [(t.id, t.name) for t in cat.passive.values() if t.self_administered]
    return {"Exercises": sorted(exercises, key=lambda x: x[1]), "Tools": sorted(tools, key=lambda x: x[1])}


#: A self-test's unit as the form shows it (a yes/no test is entered as 1 or 0).
UNIT_WORDS = {"yes_no": "1 yes, 0 no"}


def _test_rows(request: Request) -> list[dict[str, Any]]:
    """One row per self-test and side for the in-clinic results form."""
    rows: list[dict[str, Any]] = []
    for t in get_ctx(request).catalogue.self_tests.values():
        for side in ("left", "right") if t.sided else ("both",):
            rows.append(
                {
                    "id": t.id,
                    "name": t.name,
                    "side": side,
                    "unit": UNIT_WORDS.get(t.unit, t.unit),
                    "lo": t.value_min,
                    "hi": t.value_max,
                }
            )
    return rows


def _paused(request: Request, person_id: int) -> str | None:
    try:
        record, _plan = planning.current_plan(get_ctx(request), person_id)
    except NotFoundError:
        return None
    signs = get_ctx(request).catalogue.plan.checkin_warning_signs.signs
    return checkin_pause(dict(record.decision or {}), {sign.id: sign.plain for sign in signs})


def _runner_page(
    request: Request,
    actor: Actor,
    person_id: int,
    status: int = 200,
    problem: str = "",
    visit_form: dict[str, str] | None = None,
) -> Response:
    ctx, backend = get_ctx(request), get_backend(request)
    unit = backend.distance_unit(person_id)
    intake = backend.latest_intake(person_id)
    data = backend.export(person_id)
    exercises, run = _plan_choices(request, person_id)
    resource = accounts.person_resource(ctx, person_id)
    staff = resource is not None and can(actor, "clinic_notes", resource)  # and change_plan: one row
    return render(
        request,
        "clinic_runner.html",
        status,
        title="Runner",
        nav=STAFF_NAV if staff else NAV,
        person=data["person"],
        triage=backend.latest_triage(person_id),
        clinical=clinical_triage(dict(intake.triage), ctx.catalogue) if staff and intake else None,
        paused=_paused(request, person_id) if staff else None,
        answers=_answers(request, dict(intake.answers), unit) if intake else [],
        screens=data["tables"].get("screens", []),
        gait=data["tables"].get("gait_reports", []),
        runs=data["tables"].get("activities", []),
        progress=backend.progress(person_id),
        exercises=exercises,
        run=run,
        catalogue_choices=_catalogue_choices(request) if staff else {},
        test_rows=_test_rows(request) if staff else [],
        notes=clinic_care.notes(ctx, actor.clinic_id, person_id) if staff and actor.clinic_id else [],
        staff=staff,
        problem=problem,
        units=unit,  # the runner's unit, as on their own pages
        visits=visits.visits(ctx, person_id, actor.clinic_id) if staff and actor.clinic_id else [],
        visit_form=visit_form or {},
        time_zones=TIME_ZONES,
    )


#: The runner view with a problem and the visit form as typed (for :mod:`heelcoach.web.clinic_forms`).
runner_page_view = _runner_page


@router.get("/clinic/people/{person_id}", response_class=HTMLResponse)
def runner_view(request: Request, person_id: RowId) -> Response:
    """A runner as their clinician sees them: triage with answers, self-tests, plan history, check-ins."""
    actor = authorize(request, person_id, "read")
    if actor.person_id != person_id:
        accounts.audit(get_ctx(request), actor, person_id, "view_runner")
    return _runner_page(request, actor, person_id)


@handover_router.get("/clinic/people/{person_id}/handover.pdf")
def handover_report(request: Request, person_id: RowId, today: Today) -> Response:
    """The hand-over report (PDF) for the clinician; the runner may print their own."""
    actor = authorize(request, person_id, "export")
    if actor.person_id != person_id:
        accounts.audit(get_ctx(request), actor, person_id, "handover_report")
    backend = get_backend(request)
    if is_remote(backend.jobs):  # clinic scale: a worker makes it, the browser follows the job
        from heelcoach.web.report_jobs import HANDOVER, start_report

        return start_report(request, backend, person_id, HANDOVER, today)
    data = handover.handover_pdf(get_ctx(request), person_id, today=today)
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="handover-{person_id}.pdf"'},
    )


@handover_router.get("/clinic/people/{person_id}/handover.fhir.json")
def handover_fhir(request: Request, person_id: RowId, today: Today) -> Response:
    """The same record as a FHIR R4 bundle for a clinic's record system (policy as the PDF)."""
    actor = authorize(request, person_id, "export")
    if actor.person_id != person_id:
        accounts.audit(get_ctx(request), actor, person_id, "handover_fhir")
    doc = fhir_bundle.handover_bundle(get_ctx(request), person_id, today=today)
    return JSONResponse(
        doc,
        media_type="application/fhir+json",
        headers={"Content-Disposition": f'attachment; filename="handover-{person_id}.fhir.json"'},
    )


def _decimal(raw: str) -> float | None:
    try:
        return float(raw.replace(",", ".")) if raw.strip() else None
    except ValueError:
        return None


def _number(raw: str, what: str) -> float | None:
    """A number from the form (a comma as decimal point too), None when empty; CareError otherwise."""
    if not raw.strip():
        return None
    value = _decimal(raw)
    if value is None:
        raise clinic_care.CareError(f"{what}: give a number, not {raw.strip()[:20]!r}.")
    return value


def _cap_km(form: dict[str, str], runners_unit: DistanceUnit) -> float | None:
    """The weekly running cap in km, converted once from the unit the form asked in.

    The form sends ``weekly_cap`` in the unit it showed (``cap_unit``: a page opened before the
    runner changed unit still means what it said); ``weekly_km``, for scripts, is km as named."""
    if not form["weekly_cap"].strip():
        return _number(form["weekly_km"], "Weekly running cap, km")
    try:
        unit = DistanceUnit(form["cap_unit"]) if form["cap_unit"] else runners_unit
    except ValueError:
        raise clinic_care.CareError(
            "The cap form's unit was not recognised: reload the page and try again."
        ) from None
    value = _number(form["weekly_cap"], f"Weekly running cap, {unit.plural}")
    return None if value is None else round(to_km(value, unit), 3)  # km to the metre, as intake answers


def _change_from_form(
    kind: str, reason: str, item_id: str, form: dict[str, str], unit: DistanceUnit
) -> clinic_care.PlanChange:
    level = _number(form["level"], "Level")
    dose = {
        key: value
        for key, _b, word in clinic_care.DOSE_FIELDS
        if (value := _number(form[key], word.capitalize())) is not None
    }
    cap = _cap_km(form, unit) if kind == "run_cap" else None
    if kind == "run_cap" and cap is None:  # said in the runner's unit (the service would say km)
        raise clinic_care.CareError(f"Give the weekly running cap in {unit.plural} (0 or more).")
    return clinic_care.PlanChange(
        cast(clinic_care.ChangeKind, kind),
        reason,
        item_id or None,
        cap,
        form["new_id"] or None,
        int(level) if level is not None else None,
        dose,
    )


@router.post("/clinic/people/{person_id}/plan", response_class=HTMLResponse)
def change_plan(
    request: Request,
    person_id: RowId,
    kind: Annotated[str, Form(max_length=20)],
    reason: Annotated[str, Form(max_length=600)],
    item_id: Annotated[str, Form(max_length=100)] = "",
    weekly_km: Annotated[str, Form(max_length=20)] = "",
    weekly_cap: Annotated[str, Form(max_length=20)] = "",
    cap_unit: Annotated[str, Form(max_length=2)] = "",
    new_id: Annotated[str, Form(max_length=100)] = "",
    level: Annotated[str, Form(max_length=4)] = "",
    sets: Annotated[str, Form(max_length=8)] = "",
    reps: Annotated[str, Form(max_length=8)] = "",
    hold_s: Annotated[str, Form(max_length=8)] = "",
    minutes: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """A clinician changes the plan: a new version whose reason the runner reads on Plan."""
    actor = authorize(request, person_id, "change_plan")
    form = {"weekly_km": weekly_km, "new_id": new_id, "level": level, "sets": sets, "reps": reps}
    form.update(hold_s=hold_s, minutes=minutes, weekly_cap=weekly_cap, cap_unit=cap_unit)
    try:
        unit = get_backend(request).distance_unit(person_id)
        change = _change_from_form(kind, reason, item_id, form, unit)
        clinic_care.change_plan(get_ctx(request), actor, person_id, change)
    except clinic_care.CareError as exc:
        return _runner_page(request, actor, person_id, 422, str(exc))
    finally:
        get_backend(request).invalidate(person_id)  # the runner's cached reads show the new version
    return RedirectResponse(f"/clinic/people/{person_id}#plan", status_code=303)


@router.post("/clinic/people/{person_id}/tests", response_class=HTMLResponse)
def record_tests(
    request: Request,
    person_id: RowId,
    test_id: Annotated[list[str], Form(max_length=40)],
    side: Annotated[list[str], Form(max_length=40)],
    value: Annotated[list[str], Form(max_length=40)],
    reason: Annotated[str, Form(max_length=600)] = "",
) -> Response:
    """In-clinic self-test results: stored marked as measured in clinic, merged into the plan."""
    actor = authorize(request, person_id, "change_plan")
    try:
        if not len(test_id) == len(side) == len(value):
            raise clinic_care.CareError(
                "The test form was incomplete: reload the page and enter the results again."
            )
        tests = [
            clinic_care.ClinicTest(t, number, s)
            for t, s, v in zip(test_id, side, value, strict=True)
            if (number := _number(v, t.replace("_", " "))) is not None
        ]
        clinic_care.record_clinic_tests(get_ctx(request), actor, person_id, tests, reason)
    except clinic_care.CareError as exc:
        return _runner_page(request, actor, person_id, 422, str(exc))
    finally:
        get_backend(request).invalidate(person_id)
    return RedirectResponse(f"/clinic/people/{person_id}#plan", status_code=303)


@router.post("/clinic/people/{person_id}/notes", response_class=HTMLResponse)
def add_note(request: Request, person_id: RowId, text: Annotated[str, Form(max_length=4000)]) -> Response:
    """A note on the runner for the clinic's staff (the runner does not see it)."""
    actor = authorize(request, person_id, "clinic_notes")
    try:
        clinic_care.add_note(get_ctx(request), actor, person_id, text)
    except clinic_care.CareError as exc:
        return _runner_page(request, actor, person_id, 422, str(exc))
    return RedirectResponse(f"/clinic/people/{person_id}#notes", status_code=303)


#: The audit log's actions in a runner's words (unknown ones shown with spaces for underscores).
AUDIT_WORDS = {
    "view_runner": "looked at your record",
    "view_progress": "looked at your progress",
    "view_plan": "looked at your plan",
    "export": "exported your data",
    "change_plan": "changed your plan",
    "clinic_tests": "recorded tests measured in the clinic",
    "add_note": "wrote a clinic note about you",
    "stop_sharing": "stopped sharing",
    "request_visit": "asked for a visit",
    "accept_visit": "accepted your visit request",
    "handover_report": "printed your hand-over report",
    "handover_fhir": "took your hand-over record for the clinic's record system",
}


@router.get("/sharing", response_class=HTMLResponse)
def sharing_page(request: Request) -> Response:
    """The runner's sharing: which clinic sees what, who there, since when; stop it here; who looked."""
    return sharing_view(request)


def sharing_view(
    request: Request, status: int = 200, problem: str = "", visit_form: dict[str, str] | None = None
) -> Response:
    """The Sharing page, with the runner's visit requests and their form (kept as typed on a problem)."""
    me = clinic_person(request)
    ctx = get_ctx(request)
    zone, zone_words = runner_zone(request, me)
    trail = [
        {
            **t,
            "what": AUDIT_WORDS.get(str(t["action"]), str(t["action"]).replace("_", " ")),
            "when": local_words(str(t["at"]), zone),
        }
        for t in accounts.audit_trail(ctx, me)[:30]
    ]
    return render(
        request,
        "sharing.html",
        status,
        title="Sharing",
        active="/sharing",
        shares=accounts.shares(ctx, me),
        trail=trail,
        zone_words=zone_words,
        visits=visits.visits(ctx, me),
        person_id=me,
        problem=problem,
        visit_form=visit_form or {},
    )


@router.post("/sharing/{clinic_id}/stop")
def stop_sharing(request: Request, clinic_id: RowId) -> Response:
    """Stop sharing with a clinic at once (its clinicians lose access on their next request)."""
    me = clinic_person(request)
    actor = authorize(request, me, "manage_sharing")
    if not accounts.stop_sharing(get_ctx(request), actor, me, clinic_id):
        raise HTTPException(404, "You do not share with that clinic.")
    return RedirectResponse("/sharing", status_code=303)
