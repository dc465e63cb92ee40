"""View models for the Runs page: activities, weekly load and spike warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from heelcoach.web.charts import bars_with_line
from heelcoach.web.views import attr

SPIKE_WORDS = {
    "10_30": "a run 10-30% longer than your longest of the 30 days before",
    "30_100": "a run 30-100% longer than your longest of the 30 days before",
    "over_100": "a run more than twice as long as your longest of the 30 days before",
}


@dataclass(frozen=True, slots=True)
class RunRow:
    """One activity."""

    day: str
    sport: str
    distance_km: float | None
    duration_min: float | None
    cadence_spm: float | None
    source: str
    spike: str


@dataclass(frozen=True, slots=True)
class RunsView:
    """The Runs page."""

    rows: list[RunRow] = field(default_factory=list)
    weeks: list[dict[str, Any]] = field(default_factory=list)
    chart: str = ""
    warning: str = ""
    note: str = ""


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _day(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value or "")[:10]


def run_row(run: Any) -> RunRow:
    """One activity from the import service (object or dict)."""
    distance = _num(attr(run, "distance_km"))
    if distance is None and _num(attr(run, "distance_m")) is not None:
        distance = float(attr(run, "distance_m")) / 1000
    minutes = _num(attr(run, "duration_min"))
    for key in ("moving_s", "timer_s", "duration_s", "elapsed_s"):
        if minutes is None and _num(attr(run, key)) is not None:
            minutes = float(attr(run, key)) / 60
    band = str(attr(run, "spike_band", "") or "")
    return RunRow(
        day=_day(
            attr(run, "start") or attr(run, "started_at") or attr(run, "day") or attr(run, "start_time")
        ),
        sport=str(attr(run, "sport", "") or attr(run, "kind", "") or "run"),
        distance_km=round(distance, 2) if distance is not None else None,
        duration_min=round(minutes, 1) if minutes is not None else None,
        cadence_spm=_num(attr(run, "cadence_spm")) or _num(attr(run, "avg_cadence_spm")),
        source=str(
            attr(run, "source_name", "") or attr(run, "file_name", "") or attr(run, "source", "") or ""
        ),
        spike=SPIKE_WORDS.get(band, ""),
    )


def runs_view(data: dict[str, Any]) -> RunsView:
    """Rows, weekly table, chart and the headline spike warning from ``Backend.runs``."""
    spikes_by_start = {attr(sp, "start"): sp for sp in data.get("spikes", [])}
    rows = []
    for run in data.get("runs", []):
        row = run_row(run)
        spike = spikes_by_start.get(attr(run, "start"))
        if spike is not None:
            row = RunRow(
                row.day,
                row.sport,
                row.distance_km,
                row.duration_min,
                row.cadence_spm,
                row.source,
                str(attr(spike, "summary", "")) or SPIKE_WORDS.get(str(attr(spike, "band")), ""),
            )
        rows.append(row)
    spike_weeks = set()
    for sp in data.get("spikes", []):
        day = attr(sp, "day")
        if isinstance(day, date):
            spike_weeks.add((day - timedelta(days=day.weekday())).isoformat())
    weeks = []
    for w in data.get("weeks", []):
        start_day = _day(attr(w, "week_start"))
        weeks.append(
            {
                "week": start_day,
                "km": round(float(attr(w, "run_km", 0.0) or 0.0), 1),
                "runs": attr(w, "runs", ""),
                "longest_km": _num(attr(w, "longest_run_km")),
                "change_pct": _num(attr(w, "change_pct")),
                "spike": start_day in spike_weeks,
            }
        )
    # leading weeks without running say nothing; start at the first week with a run
    first = next((i for i, w in enumerate(weeks) if w["km"] or w["runs"]), len(weeks))
    weeks = weeks[first:]
    chart = ""
    if any(w["km"] for w in weeks):
        chart = bars_with_line(
            "Weekly running distance (km)",
            [w["week"][5:] for w in weeks],
            [w["km"] for w in weeks],
            [],
            spikes=[w["spike"] for w in weeks],
        )
    warning = ""
    snapshot = data.get("snapshot")
    band = str(attr(snapshot, "spike_band", "none") or "none") if snapshot is not None else "none"
    if band in SPIKE_WORDS:
        spike_km = _num(attr(snapshot, "spike_run_km"))
        warning = (
            f"In the last 7 days you ran {SPIKE_WORDS[band]}"
            + (f" ({spike_km:g} km)" if spike_km else "")
            + ". Single runs much longer than usual are one of the clearest injury signals: "
            "keep the next runs no longer than your usual longest run."
        )
    anchor, today = data.get("anchor"), data.get("today")
    note = ""
    if isinstance(anchor, date) and anchor != today:
        note = f"Your imported runs are older; the weekly table shows the weeks up to {anchor.isoformat()}."
    return RunsView(rows, weeks, chart, warning, note)
