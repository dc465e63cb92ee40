"""Chart pages of their own: one run's detail (pace, heart rate, cadence along the run)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from heelcoach.domain.units import distance, pace, pace_label
from heelcoach.services import history as history_service
from heelcoach.web.charts import Series, line_chart
from heelcoach.web.deps import distance_unit, get_ctx, person_id, render

router = APIRouter()


def _span(values: list[float | None], pad: float, floor: float = 0.0) -> tuple[float, float]:
    real = [v for v in values if v is not None]
    if not real:
        return floor, floor + 10
    lo, hi = max(floor, min(real) - pad), max(real) + pad
    return float(int(lo)), float(int(hi) + 1)


def _chart(title: str, km: list[str], values: list[float | None], pad: float, css: str) -> str:
    if not any(v is not None for v in values):
        return ""
    lo, hi = _span(values, pad)
    if (hi - lo) % 2:
        hi += 1  # a whole-number middle tick
    return line_chart(
        title,
        km,
        [Series(title, values, css)],
        lo=lo,
        hi=hi,
        ticks=[lo, (lo + hi) / 2, hi],
    )


@router.get("/runs/detail/{sha256}/{session_index}", response_class=HTMLResponse)
def run_detail_page(request: Request, sha256: str, session_index: int) -> Response:
    """Pace, heart rate and cadence over one run, read again from its watch file."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        return render(
            request,
            "run_detail.html",
            status_code=404,
            title="Run",
            detail=None,
            problem="No such run: go back to Runs and pick one.",
        )
    detail = history_service.run_detail(get_ctx(request), person_id(request), sha256, session_index)
    unit = distance_unit(request)
    km = [distance(k, unit) for k in detail.distance_km]
    paces = [None if p is None else round(pace(p, unit), 2) for p in detail.pace_min_per_km]
    charts = [
        (
            f"Pace (minutes per {unit.label}; lower is faster)",
            _chart(f"Pace, {pace_label(unit)}", km, paces, 0.5, "a"),
        ),
        ("Heart rate (beats per minute)", _chart("Heart rate, bpm", km, list(detail.heart_rate_bpm), 5, "b")),
        ("Cadence (steps per minute)", _chart("Cadence, steps/min", km, list(detail.cadence_spm), 5, "a")),
    ]
    return render(
        request,
        "run_detail.html",
        status_code=404 if detail.activity is None else 200,
        title="Run",
        detail=detail,
        act=detail.activity,
        charts=[(h, svg) for h, svg in charts if svg],
        problem=detail.problem,
    )
