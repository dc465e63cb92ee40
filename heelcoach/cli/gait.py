"""CLI command ``heelcoach gait VIDEO``: running gait from a phone video or from keypoint files."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from heelcoach import DISCLAIMER
from heelcoach.cli.app import app
from heelcoach.config import get_settings

if TYPE_CHECKING:
    from heelcoach.gait.report import GaitReport


class ViewOption(StrEnum):
    """Camera view."""

    auto = "auto"
    side = "side"
    rear = "rear"
    front = "front"


def _print_report(report: GaitReport, console: Console) -> None:
    from heelcoach.services.gait import format_measure  # the one rule for numbers, as everywhere

    console.print(f"[bold]{report.source}[/bold]: {report.view} view, {report.fps:g} fps, {report.activity}")
    console.print(report.summary)
    if report.metrics:
        table = Table(title="Metrics (value ± measurement error; left / right where sided)")
        for column in ("metric", "value", "left", "right", "quality"):
            table.add_column(column)
        for m in report.metrics.values():
            value = m.shown() + (f" ({m.category})" if m.category else "")
            left = m.shown("left") if m.left is not None else "-"
            right = m.shown("right") if m.right is not None else "-"
            table.add_row(m.name, value, left, right, m.quality)
        console.print(table)
    for f in report.findings:
        console.print(
            f"[yellow]finding[/yellow] {f.metric_id.replace('_', ' ')} ({f.side}): "
            f"{format_measure(f.value, f.error, f.unit)} (usual up to {f.threshold:g}; "
            f"{f.confidence} confidence). {f.text}"
        )
    for b in report.borderline:
        console.print(
            f"[dim]{b.metric_id.replace('_', ' ')} ({b.side}) {format_measure(b.value, b.error)} is outside "
            "the usual range but within the measurement error: not a finding.[/dim]"
        )
    if report.cadence_cue_pct:
        console.print(f"Cadence cue for your runs: about +{report.cadence_cue_pct:g}% steps per minute.")
    console.print(f"Video quality: {report.quality.level}")
    for issue in report.quality.issues:
        console.print(f"  - {issue}")
    if report.quality.filming_tips:
        console.print("[bold]Filming tips for a better clip:[/bold]")
        for tip in report.quality.filming_tips:
            console.print(f"  - {tip}")
    for note in report.notes:
        console.print(f"[dim]note: {note}[/dim]")
    for path in (*report.key_frames, *report.plots):
        console.print(f"wrote {path}")
    console.print(f"[dim]{DISCLAIMER}[/dim]")


NEED_INPUT = "heelcoach gait: give a video file, or --keypoints PATH for keypoints made elsewhere."


@app.command("gait")
def gait(
    video: Annotated[
        Path | None, typer.Argument(help="running video (mp4, mov, m4v, avi, mkv, webm)")
    ] = None,
    view: Annotated[ViewOption, typer.Option(help="camera view; auto detects it")] = ViewOption.auto,
    height_cm: Annotated[
        float | None, typer.Option(help="your height, to report bounce in cm", min=80, max=250)
    ] = None,
    keypoints: Annotated[
        Path | None,
        typer.Option(help="keypoints made elsewhere: OpenPose BODY_25 folder/JSON or HALPE-26 JSON"),
    ] = None,
    fps: Annotated[
        float | None, typer.Option(help="frame rate of keypoint files that do not record it")
    ] = None,
    slowed_down: Annotated[
        float | None,
        typer.Option(
            help="the clip is slow motion, this many times slower (120 fps played at 30: 4)", min=1, max=32
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    out: Annotated[Path | None, typer.Option(help="folder for annotated key frames and plots")] = None,
    person: Annotated[
        int | None,
        typer.Option("--person", help="person id (clinics); default: the first person stored", min=1),
    ] = None,
    no_save: Annotated[
        bool, typer.Option("--no-save", help="do not store the report (it is only printed)")
    ] = False,
) -> None:
    """Analyse running gait from a phone video (or keypoints) and explain what it means for your heel."""
    # imported here: OpenCV, SciPy and MediaPipe would slow down every other heelcoach command
    from heelcoach.services.gait import GaitError, analyse_keypoints

    if video is None and keypoints is None:
        typer.echo(NEED_INPUT, err=True)
        raise typer.Exit(2)
    try:
        if keypoints is not None:
            report = analyse_keypoints(
                keypoints, view.value, height_cm, out, fps=fps, video=video, slowed_down=slowed_down
            )
        else:
            assert video is not None
            report = _analyse_video_with_bar(video, view, height_cm, out, slowed_down)
    except GaitError as exc:
        typer.echo(f"heelcoach gait: {exc}", err=True)
        raise typer.Exit(2) from None
    except OSError as exc:
        typer.echo(f"heelcoach gait: could not read or write a file: {exc}", err=True)
        raise typer.Exit(2) from None
    if json_out:
        typer.echo(report.to_json())
    else:
        _print_report(report, Console())
    if not no_save:
        typer.echo(_save(report, person, out), err=True)


def _analyse_video_with_bar(
    video: Path, view: ViewOption, height_cm: float | None, out: Path | None, slowed_down: float | None
) -> GaitReport:
    """Analyse the video with a progress bar of the pose model on the terminal."""
    from heelcoach.services.gait import analyse_video

    settings = get_settings()
    with Progress(
        TextColumn("pose"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("pose", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return analyse_video(
            video,
            view.value,
            height_cm,
            out,
            progress,
            max_upload_mb=settings.max_upload_mb,
            slowed_down=slowed_down,
        )


def _database_exists() -> bool:
    """Whether a database is configured or the default one was already created (never create one here)."""
    settings = get_settings()
    return bool(settings.database_url) or (settings.data_dir / "heelcoach.db").exists()


def _save(report: GaitReport, person_id: int | None, out: Path | None) -> str:
    """Store the report for the current person when there is one; a one-line message either way."""
    if not _database_exists():
        return "Report not saved: no heelcoach database yet (run `heelcoach assess` first to keep reports)."
    from heelcoach.errors import NotFoundError
    from heelcoach.services.context import AppContext
    from heelcoach.services.gait import GaitError, save_report
    from heelcoach.services.people import resolve_person

    try:
        ctx = AppContext.from_settings()
    except Exception as exc:  # noqa: BLE001 - reported to the person, never a traceback
        return f"Report not saved: cannot open the heelcoach database ({type(exc).__name__}: {exc})."
    try:
        who = resolve_person(ctx, person_id)
        report_id = save_report(ctx, who.id, report, key_frames_dir=out)
    except (NotFoundError, GaitError) as exc:
        return f"Report not saved: {str(exc).strip(chr(39) + chr(34))}"
    finally:
        ctx.close()
    return f"Saved gait report {report_id} for person {who.id}; a new plan uses it (`heelcoach plan --new`)."
