"""Clinic-mode pages for staff: the caseload at /clinic (who needs attention first) and the runner
view at /clinic/people/{person_id}."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from heelcoach.services import accounts
from heelcoach.services.caseload import WINDOW_DAYS, CaseloadRow, caseload
from heelcoach.web.auth import LoginRequired, RowId, authorize, current_actor
from heelcoach.web.deps import get_backend, get_ctx, render

router = APIRouter()

SPARK_W, SPARK_H = 112, 28


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


def _today(request: Request) -> date:
    fixed = getattr(request.app.state, "today", None)
    return fixed if isinstance(fixed, date) else date.today()


@router.get("/clinic", response_class=HTMLResponse)
def caseload_page(request: Request) -> Response:
    """The clinician's caseload: runners who share with the clinic, most urgent first."""
    actor = current_actor(request)
    if actor.role == "anonymous":
        raise LoginRequired
    if actor.role != "clinician":
        raise HTTPException(403, "The caseload is for clinicians.")
    ctx = get_ctx(request)
    rows: list[CaseloadRow] = caseload(ctx, actor, _today(request))
    accounts.audit(ctx, actor, None, "view_caseload", f"{len(rows)} runners")
    return render(
        request,
        "clinic_caseload.html",
        title="Caseload",
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


@router.get("/clinic/people/{person_id}", response_class=HTMLResponse)
def runner_view(request: Request, person_id: RowId) -> Response:
    """A runner as their clinician sees them: triage with answers, self-tests, plan history, check-ins."""
    actor = authorize(request, person_id, "read")
    ctx, backend = get_ctx(request), get_backend(request)
    if actor.person_id != person_id:
        accounts.audit(ctx, actor, person_id, "view_runner")
    intake = backend.latest_intake(person_id)
    data = backend.export(person_id)
    return render(
        request,
        "clinic_runner.html",
        title="Runner",
        person=data["person"],
        triage=backend.latest_triage(person_id),
        answers=_answers(request, dict(intake.answers)) if intake else [],
        screens=data["tables"].get("screens", []),
        gait=data["tables"].get("gait_reports", []),
        runs=data["tables"].get("activities", []),
        progress=backend.progress(person_id),
    )
