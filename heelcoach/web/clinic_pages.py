"""Clinic-mode pages: for staff the caseload at /clinic (who needs attention first) and the runner
view at /clinic/people/{person_id} (with plan changes and notes); for a runner /sharing."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from heelcoach.errors import NotFoundError
from heelcoach.services import accounts, clinic_care, handover, planning
from heelcoach.services.caseload import WINDOW_DAYS, CaseloadRow, caseload
from heelcoach.services.jobs import is_remote
from heelcoach.services.policy import Actor, can
from heelcoach.web.auth import LoginRequired, RowId, authorize, clinic_person, current_actor
from heelcoach.web.deps import NAV, Today, get_backend, get_ctx, render

router = APIRouter()

SPARK_W, SPARK_H = 112, 28
#: The staff's navigation (the runner's pages are not theirs).
STAFF_NAV: tuple[tuple[str, str], ...] = (("/clinic", "Caseload"),)


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
    if actor.role != "clinician":
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


def _answer_text(question: Any, value: object) -> str:
    labels = {c.id: c.label for c in getattr(question, "choices", [])}
    values = value if isinstance(value, list) else [value]
    words = [
        "yes" if v is True else "no" if v is False else labels.get(str(v), str(v).replace("_", " "))
        for v in values
    ]
    return ", ".join(words)


def _answers(request: Request, answers: dict[str, object]) -> list[tuple[str, str]]:
    """(question as asked, answer in the runner's words) in questionnaire order; unknown ids last."""
    questions = get_ctx(request).catalogue.triage.questions
    known = [(q.prompt, _answer_text(q, answers[q.id])) for q in questions if q.id in answers]
    ids = {q.id for q in questions}
    rest = [(k.replace("_", " "), _answer_text(None, v)) for k, v in answers.items() if k not in ids]
    return known + rest


def _plan_choices(request: Request, person_id: int) -> tuple[list[tuple[str, str, int | None]], Any]:
    """(item id, title, level) of the current plan's exercises, and its running prescription."""
    try:
        _record, plan = planning.current_plan(get_ctx(request), person_id)
    except NotFoundError:
        return [], None
    items = [(i.id, i.title, i.level) for i in plan.items if i.kind == "exercise"]
    return items, plan.run


def _runner_page(
    request: Request, actor: Actor, person_id: int, status: int = 200, problem: str = ""
) -> Response:
    ctx, backend = get_ctx(request), get_backend(request)
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
        answers=_answers(request, dict(intake.answers)) if intake else [],
        screens=data["tables"].get("screens", []),
        gait=data["tables"].get("gait_reports", []),
        runs=data["tables"].get("activities", []),
        progress=backend.progress(person_id),
        exercises=exercises,
        run=run,
        notes=clinic_care.notes(ctx, actor.clinic_id, person_id) if staff and actor.clinic_id else [],
        staff=staff,
        problem=problem,
    )


@router.get("/clinic/people/{person_id}", response_class=HTMLResponse)
def runner_view(request: Request, person_id: RowId) -> Response:
    """A runner as their clinician sees them: triage with answers, self-tests, plan history, check-ins."""
    actor = authorize(request, person_id, "read")
    if actor.person_id != person_id:
        accounts.audit(get_ctx(request), actor, person_id, "view_runner")
    return _runner_page(request, actor, person_id)


@router.get("/clinic/people/{person_id}/handover.pdf")
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


def _km(raw: str) -> float | None:
    try:
        return float(raw.replace(",", ".")) if raw.strip() else None
    except ValueError:
        return None


@router.post("/clinic/people/{person_id}/plan", response_class=HTMLResponse)
def change_plan(
    request: Request,
    person_id: RowId,
    kind: Annotated[str, Form(max_length=20)],
    reason: Annotated[str, Form(max_length=600)],
    item_id: Annotated[str, Form(max_length=100)] = "",
    weekly_km: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """A clinician changes the plan: a new version whose reason the runner reads on Plan."""
    actor = authorize(request, person_id, "change_plan")
    change = clinic_care.PlanChange(
        cast(clinic_care.ChangeKind, kind), reason, item_id or None, _km(weekly_km)
    )
    try:
        clinic_care.change_plan(get_ctx(request), actor, person_id, change)
    except clinic_care.CareError as exc:
        return _runner_page(request, actor, person_id, 422, str(exc))
    finally:
        get_backend(request).invalidate(person_id)  # the runner's cached reads show the new version
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
    "add_note": "wrote a clinic note about you",
    "stop_sharing": "stopped sharing",
    "accept_visit": "accepted your visit request",
    "handover_report": "printed your hand-over report",
}


@router.get("/sharing", response_class=HTMLResponse)
def sharing_page(request: Request) -> Response:
    """The runner's sharing: which clinic sees what, who there, since when; stop it here; who looked."""
    me = clinic_person(request)
    ctx = get_ctx(request)
    trail = [
        {**t, "what": AUDIT_WORDS.get(str(t["action"]), str(t["action"]).replace("_", " "))}
        for t in accounts.audit_trail(ctx, me)[:30]
    ]
    return render(
        request,
        "sharing.html",
        title="Sharing",
        active="/sharing",
        shares=accounts.shares(ctx, me),
        trail=trail,
    )


@router.post("/sharing/{clinic_id}/stop")
def stop_sharing(request: Request, clinic_id: RowId) -> Response:
    """Stop sharing with a clinic at once (its clinicians lose access on their next request)."""
    me = clinic_person(request)
    actor = authorize(request, me, "manage_sharing")
    if not accounts.stop_sharing(get_ctx(request), actor, me, clinic_id):
        raise HTTPException(404, "You do not share with that clinic.")
    return RedirectResponse("/sharing", status_code=303)
