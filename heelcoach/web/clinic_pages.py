"""Clinic-mode pages for staff: the caseload at /clinic (who needs attention first)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from heelcoach.services import accounts
from heelcoach.services.caseload import WINDOW_DAYS, CaseloadRow, caseload
from heelcoach.web.auth import LoginRequired, current_actor
from heelcoach.web.deps import get_ctx, render

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
