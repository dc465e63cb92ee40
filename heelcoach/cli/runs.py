"""CLI commands for watch data: ``import`` (files, folders, zip exports) and ``runs`` (load table)."""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from heelcoach import DISCLAIMER
from heelcoach.cli.app import app
from heelcoach.cli.common import err, fail, open_context, out, parse_day
from heelcoach.cli.units import DistanceUnit, dist, distnum, person_unit
from heelcoach.services import common, imports

PersonOpt = Annotated[
    int | None, typer.Option("--person", help="Person id (clinics); default: the first person stored.", min=1)
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of text.")]


def print_json(data: Any) -> None:
    """JSON to stdout."""
    sys.stdout.write(json.dumps(common.to_jsonable(data), indent=2, ensure_ascii=False) + "\n")


_STYLE = {
    "imported": "green",
    "partly_imported": "yellow",
    "duplicate": "cyan",
    "already_imported": "dim",
    "not_activity": "yellow",
    "error": "red",
}


@app.command("import")
def import_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="FIT, GPX or TCX files (optionally .gz), folders, or zip account exports."),
    ],
    person: PersonOpt = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, max=64, help="Worker processes (default: all CPUs).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import watch files; bad files are reported one by one and never stop the batch."""
    with open_context() as ctx:
        who = imports.resolve_person(ctx, person, create=True)
        if as_json:
            summary = imports.import_paths(ctx, who.id, paths, workers=workers)
        else:
            with Progress(
                TextColumn("[bold]Importing"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            ) as bar:
                task = bar.add_task("import", total=None)

                def tick(done: int, total: int, msg: imports.FileMessage) -> None:
                    bar.update(task, completed=done, total=total)
                    if msg.status not in ("imported", "already_imported"):
                        style = _STYLE.get(msg.status, "")
                        bar.console.print(
                            f"[{style}]{msg.source}[/]: {msg.message}", markup=True, highlight=False
                        )

                summary = imports.import_paths(ctx, who.id, paths, tick, workers=workers)
    if as_json:
        print_json(
            {
                "person_id": who.id,
                "files": summary.files,
                "files_read": summary.files_read,
                "activities_new": summary.activities_new,
                "duplicates": summary.duplicates,
                "already_imported": summary.already_imported,
                "not_activities": summary.not_activities,
                "errors": summary.errors,
                "messages": [
                    {"source": m.source, "status": m.status, "message": m.message} for m in summary.messages
                ],
            }
        )
    else:
        out.print(summary.line())
    if summary.files == 0:
        fail("no FIT, GPX or TCX files were found in what you gave; check the paths", 2)
    if summary.nothing_readable:
        fail("none of the files could be read (see the messages above)", 1)


def _hms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = round(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _print_pain(rows: list[imports.RunBesidePain], unit: DistanceUnit) -> None:
    """Runs beside the pain reported around them (only when there are check-ins to compare)."""
    rows = [r for r in rows if r.next_first_step_pain is not None or r.pain_during is not None]
    if not rows:
        return
    table = Table(title="Runs and your heel (from your check-ins)", title_justify="left")
    for col in ("date", unit.label, "pain during", "next morning", "change", ""):
        table.add_column(col, justify="left" if col in ("date", "") else "right")
    for r in rows:
        table.add_row(
            r.day.isoformat(),
            distnum(r.distance_km, unit),
            "-" if r.pain_during is None else f"{r.pain_during}/10",
            "-" if r.next_first_step_pain is None else f"{r.next_first_step_pain}/10",
            "-" if r.first_step_change is None else f"{r.first_step_change:+d}",
            "[red]made it worse[/]" if r.made_it_worse else "",
        )
    out.print(table)


def _report_json(rep: imports.LoadReport) -> dict[str, Any]:
    return {
        "today": rep.today,
        "recent": [
            {
                "start": a.start,
                "sport": a.sport,
                "running": a.is_running,
                "distance_m": a.distance_m,
                "elapsed_s": a.elapsed_s,
                "timer_s": a.timer_s,
                "moving_s": a.moving_s,
                "ascent_m": a.ascent_m,
                "avg_cadence_spm": a.avg_cadence_spm,
                "avg_hr_bpm": a.avg_hr_bpm,
                "source": a.source_path,
            }
            for a in rep.recent
        ],
        "weeks": rep.weeks,
        "spikes": rep.spikes,
        "snapshot": rep.snapshot,
        "acwr": rep.acwr,
        "monotony": rep.monotony,
        "caps": rep.caps,
        "ten_percent_rule": rep.ten_percent_note,
        "cross_training": rep.cross_training_note,
        "disclaimer": DISCLAIMER,
    }


def _nothing_recent(stored: imports.StoredActivities, today: date, weeks: int) -> str:
    """Why the tables are empty: nothing imported, or nothing in the period asked for."""
    if stored.count == 0 or stored.first_day is None or stored.last_day is None:
        return "No activities yet: import your watch files with `heelcoach import PATH...`."
    first, last = stored.first_day.isoformat(), stored.last_day.isoformat()
    when = f"on {first}" if first == last else f"from {first} to {last}"
    what = "1 activity is" if stored.count == 1 else f"{stored.count} activities are"
    return (
        f"No activities in the {weeks} weeks up to {today.isoformat()}, but {what} stored, {when}. "
        f"See them with `heelcoach runs --day {last}`."
    )


@app.command("runs")
def runs_command(
    person: PersonOpt = None,
    weeks: Annotated[int, typer.Option("--weeks", min=1, max=104, help="Weeks in the weekly table.")] = 8,
    day: Annotated[
        str | None, typer.Option("--day", help="As of this day (YYYY-MM-DD); default today.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Recent activities, the weekly running table and spike warnings."""
    today: date = parse_day(day)
    with open_context() as ctx:
        who = imports.resolve_person(ctx, person)
        rep = imports.load_report(ctx, who.id, today, weeks=weeks)
        pain = imports.runs_beside_pain(ctx, who.id, today - timedelta(weeks=weeks), today)
        stored = imports.stored_activities(ctx, who.id)
        unit = person_unit(ctx, who.id)
    if as_json:
        data = _report_json(rep)
        data["runs_beside_pain"] = pain
        data["stored"] = common.to_jsonable(stored)
        print_json(data)
        return
    if not rep.recent:
        out.print(_nothing_recent(stored, today, weeks))
        return
    out.print(_recent_table(rep, unit))
    out.print(_weeks_table(rep, unit))
    _print_load_notes(rep, unit)
    _print_pain(pain, unit)
    out.print(f"[dim]{rep.cross_training_note}[/dim]")
    out.print(f"\n[dim]{DISCLAIMER}[/dim]")


def _recent_table(rep: Any, unit: DistanceUnit) -> Table:
    """The recent activities, newest first."""
    recent = Table(title="Recent activities", title_justify="left")
    for col in ("date", "sport", unit.label, "time", "moving", "cadence", "HR"):
        recent.add_column(col, justify="right" if col not in ("date", "sport") else "left")
    for a in rep.recent:
        recent.add_row(
            a.start.strftime("%Y-%m-%d %H:%M"),
            a.sport + ("" if a.is_running else " (cross-training)"),
            distnum(a.distance_m / 1000, unit, 2),
            _hms(a.timer_s),
            _hms(a.moving_s),
            f"{a.avg_cadence_spm:.0f}" if a.avg_cadence_spm else "-",
            f"{a.avg_hr_bpm:.0f}" if a.avg_hr_bpm else "-",
        )
    return recent


def _weeks_table(rep: Any, unit: DistanceUnit) -> Table:
    """Running by week, Monday to Sunday."""
    table = Table(title="Running by week (Monday to Sunday)", title_justify="left")
    for col in ("week of", "runs", unit.label, "time", f"longest {unit.label}", "change", "cross-training"):
        table.add_column(col, justify="left" if col == "week of" else "right")
    for w in rep.weeks:
        table.add_row(
            w.week_start.isoformat() + (" (so far)" if w.partial else ""),
            str(w.runs),
            distnum(w.run_km, unit),
            _hms(w.run_s),
            distnum(w.longest_run_km, unit),
            f"{w.change_pct:+.0f}%" if w.change_pct is not None else "-",
            f"{w.cross_sessions} / {_hms(w.cross_s)}" if w.cross_sessions else "-",
        )
    return table


def _print_load_notes(rep: Any, unit: DistanceUnit) -> None:
    """Spikes, the caps for the next runs, the 10% note and the acute:chronic ratios."""
    if rep.spikes:
        out.print("[bold yellow]Single-run spikes[/] (a run longer than your longest of the 30 days before):")
        for s in rep.spikes:
            out.print(f"  - {s.summary} (injury rate x{s.hazard_ratio:g} in a 5,205-runner study)")
    else:
        out.print("No single-run spikes in this period.")
    if rep.caps and rep.caps.next_long_run_max_km:
        weekly = (
            f"; this week up to about {dist(rep.caps.weekly_max_km, unit)}" if rep.caps.weekly_max_km else ""
        )
        out.print(f"[bold]Next runs:[/] {rep.caps.why.rstrip('.')}{weekly}.")
    out.print(f"[dim]{rep.ten_percent_note}[/dim]")
    acwr = rep.acwr
    ratios = ", ".join(
        f"{name} {value:.2f}"
        for name, value in (("coupled", acwr.coupled), ("uncoupled", acwr.uncoupled), ("EWMA", acwr.ewma))
        if value is not None
    )
    if ratios:
        out.print(f"[dim]Acute:chronic ratio ({ratios}). {acwr.caveat}[/dim]")
