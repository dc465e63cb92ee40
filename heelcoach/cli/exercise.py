"""CLI command ``exercise``: how to do one exercise or self-test, and its illustration as a file."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from heelcoach import DISCLAIMER
from heelcoach.cli.app import app
from heelcoach.cli.common import fail, out
from heelcoach.knowledge import load_catalogue
from heelcoach.knowledge.illustrations import illustrated_ids
from heelcoach.services import exercises


def _write(path: Path, data: bytes, what: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        fail(f"cannot write the {what} to {path}: {exc.strerror or exc}. Choose a folder you can write to.")
    out.print(f"Wrote the {what} to {path}")


def _print_sheet(sheet: exercises.ExerciseSheet, level: int | None) -> None:
    out.print(f"[bold]{sheet.name}[/bold] ({sheet.kind})")
    out.print(sheet.plain)
    if sheet.picture:
        out.print(f"[dim]Picture: {sheet.picture}[/dim]")
    for lv in sheet.levels:
        if level is not None and lv.level != level:
            continue
        heading = f"Level {lv.level}: {lv.name}" if sheet.kind == "exercise" else "How to do the test"
        out.print(f"\n[bold]{heading}[/bold]")
        for number, step in enumerate(lv.steps, start=1):
            out.print(f"  {number}. {step}")
        if lv.dose:
            out.print(f"  Dose: {lv.dose}")
        if lv.advance_when:
            out.print(f"  Next level when: {lv.advance_when}")
    out.print("")
    if sheet.feel:
        out.print(f"What you should feel: {sheet.feel}")
    out.print(f"{'Stop if' if sheet.kind == 'exercise' else 'Safety'}: {sheet.stop_if}")
    out.print(f"Evidence: {sheet.evidence}. {sheet.evidence_note}")
    out.print("Sources:")
    for citation in sheet.citations:
        out.print(f"  - {citation}")
    out.print(f"\n[dim]{DISCLAIMER}[/dim]")


@app.command("exercise")
def exercise_command(
    item_id: Annotated[
        str | None, typer.Argument(metavar="ID", help="An exercise or self-test id (see --list).")
    ] = None,
    list_all: Annotated[bool, typer.Option("--list", help="List every exercise and self-test id.")] = False,
    level: Annotated[int | None, typer.Option("--level", min=1, max=10, help="Show only this level.")] = None,
    svg: Annotated[
        Path | None, typer.Option("--svg", help="Write the animated illustration (SVG) here.")
    ] = None,
    png: Annotated[Path | None, typer.Option("--png", help="Write the illustration (PNG) here.")] = None,
    frame: Annotated[
        int | None, typer.Option("--frame", min=1, max=12, help="With --png: only this position (1 = start).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of text.")] = False,
    contact_sheet: Annotated[
        Path | None, typer.Option("--contact-sheet", help="Write every illustration on one PNG here.")
    ] = None,
) -> None:
    """How to do an exercise or self-test: steps, dose, evidence; --svg/--png write its illustration."""
    catalogue = load_catalogue()
    if contact_sheet is not None:
        _write(contact_sheet, exercises.contact_sheet_png(catalogue), "contact sheet of every illustration")
        return
    if list_all:
        for known in illustrated_ids(catalogue):
            item = catalogue.exercises.get(known) or catalogue.self_tests[known]
            out.print(f"{known:40} {item.name}")
        return
    if item_id is None:
        fail(
            "name an exercise or self-test, e.g. `heelcoach exercise standing_calf_stretch`"
            " (--list lists them)",
            2,
        )
    try:
        sheet = exercises.exercise_sheet(catalogue, item_id)
    except exercises.UnknownItemError as exc:
        fail(str(exc).strip("'\"") + " `heelcoach exercise --list` lists them all.", 2)
    levels = [lv.level for lv in sheet.levels]
    if level is not None and level not in levels:
        fail(f"{sheet.name} has levels {levels[0]} to {levels[-1]}; --level {level} is not one of them", 2)
    frames = exercises.keyframe_names(item_id)
    if frame is not None and frame > len(frames):
        fail(f"{sheet.name} is drawn in {len(frames)} positions: --frame 1 to {len(frames)}", 2)
    if as_json:
        sys.stdout.write(json.dumps(dataclasses.asdict(sheet), indent=2, ensure_ascii=False) + "\n")
    else:
        _print_sheet(sheet, level)
    if svg is not None:
        _write(svg, exercises.illustration_svg(item_id, sheet.name).encode("utf-8"), "animated illustration")
    if png is not None:
        index = None if frame is None else frame - 1
        _write(png, exercises.illustration_png(item_id, index), "illustration")
