"""CLI command ``heelcoach demo``: the whole flow on bundled sample data, no questions asked.

A sample runner is triaged, screened and given a plan; then eight weeks of check-ins are replayed
with a weekly review each week, on a throwaway SQLite database in a temporary folder.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from heelcoach import DISCLAIMER
from heelcoach.cli.app import app
from heelcoach.cli.assess import render_triage
from heelcoach.cli.plan import render_progress, review_item_name
from heelcoach.cli.units import DistanceUnit, dist
from heelcoach.config import Settings
from heelcoach.domain.rule_words import action_words, rule_words
from heelcoach.domain.units import parse_unit
from heelcoach.errors import HeelcoachError, InvalidInputError
from heelcoach.knowledge import load_catalogue
from heelcoach.services import demo as demo_service
from heelcoach.services.assess import assess_file, sample_answers_path
from heelcoach.services.context import AppContext

__all__ = ["demo_command", "print_story", "print_triage_demo"]


def print_triage_demo(console: Console | None = None) -> None:
    """Triage the bundled typical runner (heelcoach/samples/typical_runner.yaml) and print it."""
    console = console or Console(highlight=False)
    path = sample_answers_path("typical_runner")
    console.print(Text(f"Demo: triage of the sample answers in {path.name}", style="bold"))
    console.print()
    render_triage(assess_file(path, load_catalogue()), console)


def _heading(console: Console, text: str) -> None:
    console.print()
    console.print(Text(text, style="bold underline"))


def _decision_lines(decisions: list[dict[str, Any]]) -> list[str]:
    """Changes first; then the items kept as they were, counted by why (in words, never rule ids)."""
    catalogue = load_catalogue()
    changed = [d for d in decisions if str(d.get("action")) not in {"hold", "keep", "continue"}]
    lines = [
        f"{review_item_name(str(d.get('item_id')), catalogue)}: {action_words(d.get('action'))} - "
        f"{str(d.get('reason')).strip()} ({rule_words(d.get('rule_id'))})"
        for d in changed
    ]
    held_by = Counter(rule_words(d.get("rule_id")) for d in decisions if d not in changed)
    if held_by:
        counted = "; ".join(f"{n} because {why}" for why, n in sorted(held_by.items()))
        lines.append(f"kept as they were: {counted}")
    return lines


def print_story(
    story: demo_service.DemoStory, console: Console, unit: DistanceUnit = DistanceUnit.KM
) -> None:
    """The demo story as a runner and a clinician would read it."""
    console.print(Text("heelcoach demo: eight weeks with a sample runner (made-up data)", style="bold"))
    console.print(
        f"Plan started {story.start:%a %d %b %Y}. Her answers: heelcoach/samples/typical_runner.yaml"
    )
    _heading(console, "1. Triage")
    render_triage(story.triage, console)
    if story.screen_report is not None:
        _heading(console, "2. Home self-tests")
        for verdict in story.screen_report.verdicts:
            console.print(f"- {verdict.explanation}", markup=False)
        for reason in story.screen_report.referral_reasons:
            console.print(Text(reason, style="bold red"))
    _heading(console, f"3. First plan (version {story.first_plan.version})")
    console.print(Text(story.first_plan.reason, style="italic"))
    console.print(story.first_plan_text, markup=False)
    _heading(console, "4. Eight weeks, week by week")
    for week in story.weeks:
        console.print()
        console.print(
            Text(
                f"Week {week.week} ({week.start:%d %b} - {week.end:%d %b}): "
                f"first-step pain {week.first_step_pain_mean:.1f}/10, worst {week.worst_pain_mean:.1f}/10, "
                f"ran {dist(week.run_km, unit, 0)}, exercises done on {week.exercise_days} of 7 days",
                style="bold",
            )
        )
        console.print(
            f"  Review -> plan version {week.version}: {week.phase} phase, week {week.plan_week}."
            + (f" Phase change: {week.phase_change}." if week.phase_change else "")
        )
        console.print(f"  Why: {week.reason}", markup=False)
        for line in _decision_lines(week.decisions):
            console.print(f"   - {line}", markup=False)
        for message in week.messages[:4]:
            console.print(f"   > {message}", markup=False)
        if week.referral:
            console.print(Text(f"  See a clinician: {week.referral}", style="bold red"))
    _heading(console, "5. Progress")
    if story.progress is not None:
        render_progress(story.progress, console.print, unit)
    _heading(console, "6. The plan now")
    console.print(story.final_plan_text, markup=False)
    console.print()
    console.print(Text(DISCLAIMER, style="dim"))


def _run(weeks: int, unit: DistanceUnit) -> demo_service.DemoStory:
    with tempfile.TemporaryDirectory(prefix="heelcoach-demo-") as tmp:
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'demo.db'}", data_dir=Path(tmp))
        ctx = AppContext.from_settings(settings)
        try:
            return demo_service.run_demo(ctx, weeks=weeks, unit=unit)
        finally:
            ctx.close()


def _unit_option(text: str) -> DistanceUnit:
    try:
        return parse_unit(text)
    except InvalidInputError as exc:
        Console(stderr=True).print(Text.assemble(("Error: ", "red"), f"--units: {exc}"))
        raise typer.Exit(2) from None


@app.command("demo")
def demo_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole story as JSON.")] = False,
    weeks: Annotated[
        int, typer.Option("--weeks", min=1, max=demo_service.WEEKS, help="How many weeks to replay (1-8).")
    ] = demo_service.WEEKS,
    triage_only: Annotated[
        bool, typer.Option("--triage-only", help="Only triage the sample answers.")
    ] = False,
    units: Annotated[
        str, typer.Option("--units", help="Show distances in km (kilometres) or mi (miles).")
    ] = "km",
) -> None:
    """Show heelcoach on bundled sample data: triage, plan, and eight weeks of check-ins with reviews."""
    console = Console(highlight=False, soft_wrap=True)
    if triage_only:
        print_triage_demo(console)
        return
    try:
        story = _run(weeks, _unit_option(units))
    except HeelcoachError as exc:
        Console(stderr=True).print(Text.assemble(("Error: ", "red"), f"the demo could not run: {exc}"))
        raise typer.Exit(1) from None
    if as_json:
        sys.stdout.write(json.dumps(demo_service.story_to_dict(story), indent=2, ensure_ascii=False) + "\n")
        return
    print_story(story, console, _unit_option(units))
