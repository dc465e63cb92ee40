"""View models for the Runs page: activities, weekly load and spike warnings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from heelcoach.domain.units import DistanceUnit, distance
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


def history_chart(history: Any, unit: DistanceUnit = DistanceUnit.KM) -> str:
    """Weekly running over the whole imported history, spikes marked, with the plan's weekly cap."""
    weeks = list(getattr(history, "weeks", ()))
    if not any(w.km for w in weeks):
        return ""
    long_span = len(weeks) > 60
    cap = getattr(history, "cap_km", None)
    return weekly_km_chart(
        f"Weekly running ({unit.label}), {weeks[0].week_start:%b %Y} to {weeks[-1].week_start:%b %Y}",
        [f"{w.week_start:%b %Y}" if long_span else f"{w.week_start:%d %b}" for w in weeks],
        [w.km for w in weeks],
        [w.spike for w in weeks],
        cap_km=cap,
        cap_label=f"this week's cap {distance(cap, unit)}" if cap else "",
        unit=unit,
    )


def runs_view(data: dict[str, Any], unit: DistanceUnit = DistanceUnit.KM) -> RunsView:
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
    chart = history_chart(data.get("history"), unit)
    warning = ""
    snapshot = data.get("snapshot")
    band = str(attr(snapshot, "spike_band", "none") or "none") if snapshot is not None else "none"
    if band in SPIKE_WORDS:
        spike_km = _num(attr(snapshot, "spike_run_km"))
        warning = (
            f"In the last 7 days you ran {SPIKE_WORDS[band]}"
            + (f" ({distance(spike_km, unit)})" if spike_km else "")
            + ". Single runs much longer than usual are one of the clearest injury signals: "
            "keep the next runs no longer than your usual longest run."
        )
    anchor, today = data.get("anchor"), data.get("today")
    note = ""
    if isinstance(anchor, date) and anchor != today:
        note = f"Your imported runs are older: the last one was on {anchor:%d %b %Y}."
    return RunsView(rows, weeks, chart, warning, note)


# ---------------------------------------------------------------------------------------------- import
#: Parser detail in parentheses (an XML parser's "Namespace prefix ... line 17, column 3") is for
#: developers, not runners: it is dropped from the notes shown on the page.
_PARSER_DETAIL = re.compile(r"\s*\((?=[^()]*(?:line \d|column \d|namespace|xml|parser))[^()]*\)", re.I)

STATUS_WORDS = {
    "imported": "imported",
    "partly_imported": "partly imported",
    "duplicate": "already stored from another file",
    "already_imported": "imported before",
    "not_activity": "no activity in it",
    "error": "not imported",
}


@dataclass(frozen=True, slots=True)
class ImportLineView:
    """One file's line on the import result: its name, what happened, notes said once."""

    file: str
    status: str
    message: str
    notes: tuple[str, ...]
    problem: bool


@dataclass(frozen=True, slots=True)
class ImportResultView:
    """The finished import: the one-line summary, then one line per file."""

    summary: str
    new: int
    lines: tuple[ImportLineView, ...]


def plain_note(text: str) -> str:
    """A parser's warning without its raw technical detail (nested parentheses too)."""
    text, before = str(text), ""
    while text != before:
        before, text = text, _PARSER_DETAIL.sub("", text)
    return text.strip()


def import_line_view(line: Any) -> ImportLineView:
    """One line of :class:`heelcoach.web.backend.ImportJobResult` for the page."""
    message = str(attr(line, "message", "") or "")
    message = message.split("; note: ", 1)[0]  # the notes are listed once, below the message
    for said in ("not imported: ", "skipped: "):  # the status says it already
        message = message.removeprefix(said)
    notes = tuple(dict.fromkeys(plain_note(w) for w in attr(line, "warnings", ()) or ()))
    status = str(attr(line, "status", "") or "")
    if status == "already_imported" and re.fullmatch(r"\d+ imported before", message):
        message = ""  # the status says it already
    return ImportLineView(
        file=str(attr(line, "file", "") or ""),
        status=STATUS_WORDS.get(status, status.replace("_", " ")),
        message=plain_note(message),
        notes=notes,
        problem=status == "error",
    )


def import_result_view(result: Any) -> ImportResultView:
    """The import job's result for the page."""
    return ImportResultView(
        summary=str(attr(result, "summary", "")),
        new=int(attr(result, "new", 0) or 0),
        # files with a problem first: in a big export they are what the runner needs to see
        lines=tuple(
            sorted(
                (import_line_view(line) for line in attr(result, "lines", ()) or ()),
                key=lambda v: not v.problem,
            )
        ),
    )
