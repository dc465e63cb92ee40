"""View models for the Runs page: activities, weekly load and spike warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from heelcoach.web.charts import weekly_km_chart
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
    detail_url: str = ""


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


def _detail_url(run: Any) -> str:
    sha = str(attr(run, "source_sha256", "") or "")
    index = attr(run, "session_index", 0)
    return f"/runs/detail/{sha}/{index}" if len(sha) == 64 and isinstance(index, int) else ""


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
        detail_url=_detail_url(run),
    )


def history_weeks(history: Any) -> list[dict[str, Any]]:
    """The weekly table over the whole history: every week with running, oldest first."""
    out: list[dict[str, Any]] = []
    previous: float | None = None
    for w in history.weeks:
        change = round(100 * (w.km - previous) / previous) if previous else None
        previous = w.km
        if not w.km:
            continue
        out.append(
            {
                "week": w.week_start.isoformat(),
                "km": w.km,
                "runs": w.runs or "",
                "longest_km": w.longest_km,
                "change_pct": change,
                "spike": bool(w.spike),
            }
        )
    return out


def history_chart(history: Any) -> str:
    """Weekly running over the whole imported history, spikes marked, with the plan's weekly cap."""
    weeks = list(getattr(history, "weeks", ()))
    if not any(w.km for w in weeks):
        return ""
    long_span = len(weeks) > 60
    cap = getattr(history, "cap_km", None)
    return weekly_km_chart(
        f"Weekly running (km), {weeks[0].week_start:%b %Y} to {weeks[-1].week_start:%b %Y}",
        [f"{w.week_start:%b %Y}" if long_span else f"{w.week_start:%d %b}" for w in weeks],
        [w.km for w in weeks],
        [w.spike for w in weeks],
        cap_km=cap,
        cap_label=f"this week's cap {cap:g} km" if cap else "",
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
                row.detail_url,
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
    history = data.get("history")
    if getattr(history, "weeks", None):
        weeks = history_weeks(history)
    chart = history_chart(data.get("history"))
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
        note = f"Your imported runs are older: the last one was on {anchor:%d %b %Y}."
    return RunsView(rows, weeks, chart, warning, note)
