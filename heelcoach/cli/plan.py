"""CLI commands for following the plan: plan, checkin, review, progress, screen, export.

They work on the "current person": the first one stored (a local runner), or ``--person ID`` in a
clinic. Each command parses, calls one service, and renders (``--json`` for scripts).
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from contextlib import suppress
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from heelcoach import DISCLAIMER
from heelcoach.cli.app import app
from heelcoach.cli.common import err, fail, open_context, out, parse_day
from heelcoach.cli.units import DistanceUnit, dist, distnum, person_unit, typed_km
from heelcoach.domain.daily import DailyAnswer
from heelcoach.domain.rule_words import action_words, rule_words
from heelcoach.domain.units import in_unit
from heelcoach.errors import HeelcoachError, InvalidInputError, NotFoundError
from heelcoach.knowledge import item_name
from heelcoach.services import (
    checkins,
    clearance,
    common,
    intake,
    outcomes,
    people,
    person_data,
    planning,
    progress,
    screening,
    weekly_review,
)
from heelcoach.services import daily as daily_service
from heelcoach.services.context import AppContext
from heelcoach.services.people import create_person, list_people

PersonOpt = Annotated[
    int | None, typer.Option("--person", help="Person id (clinics); default: the first person stored.", min=1)
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of text.")]


def print_json(data: Any) -> None:
    """JSON to stdout."""
    sys.stdout.write(json.dumps(common.to_jsonable(data), indent=2, ensure_ascii=False) + "\n")


def _disclaimer() -> None:
    out.print()
    out.print(Text(DISCLAIMER, style="dim"))


def _ensure_plan(ctx: AppContext, person_id: int | None, answers: Path | None, new: bool, start: date) -> int:
    """Make sure the person has a plan: from --answers, or the stored intake."""
    if answers is not None:
        assess = importlib.import_module("heelcoach.services.assess")
        try:
            loaded = assess.load_answers_file(answers)
        except InvalidInputError as exc:  # AnswersFileError: the message names the file
            fail(f"{answers}: {exc}", 2)
        person = people.resolve_person(ctx, person_id, create=True)
        saved = intake.save_intake(ctx, person.id, loaded)
        level = common.to_jsonable(getattr(saved.triage, "level", saved.intake.triage_level))
        err.print(f"Saved your answers (triage: {str(level).replace('_', ' ')}).")
        new = True
    else:
        person = people.resolve_person(ctx, person_id)
    has_plan = True
    try:
        planning.current_plan(ctx, person.id)
    except NotFoundError:
        has_plan = False
    if new or not has_plan:
        planning.make_plan(ctx, person.id, start=start)
    return person.id


def _week_dict(view: planning.WeekView) -> dict[str, Any]:
    return {
        "person_id": view.person.id,
        "version": view.record.version,
        "starts_on": view.record.starts_on,
        "today": view.today,
        "day_of_plan_week": view.day_of_week,
        "checked_in_today": view.checked_in_today,
        "review_due": view.review_due,
        "reason": view.record.reason,
        "plan": view.record.plan,
        "checkins_this_week": view.checkins,
        "disclaimer": DISCLAIMER,
    }


@app.command("plan")
def plan_command(
    person: PersonOpt = None,
    as_json: JsonOpt = False,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers", help="A questionnaire answers file (JSON/YAML): save it, then make a plan."
        ),
    ] = None,
    new: Annotated[
        bool, typer.Option("--new", help="Make a fresh plan from the latest intake and tests.")
    ] = False,
    today: Annotated[str | None, typer.Option("--today", help="Show the plan as of this date.")] = None,
    clinician_seen: Annotated[
        bool,
        typer.Option(
            "--clinician-seen",
            help="Record that a clinician has seen you (on --seen-on, else --today's date): a plan "
            "paused by a warning sign picks up where it stopped; after a heel stress fracture, a "
            "clinician's clearance starts the graded return to running.",
        ),
    ] = False,
    seen_on: Annotated[
        str | None,
        typer.Option("--seen-on", help="With --clinician-seen: the day of the visit (YYYY-MM-DD)."),
    ] = None,
) -> None:
    """Show this week of your plan (making the first plan from your answers if needed)."""
    day = parse_day(today, "--today")
    with open_context() as ctx:
        person_id = _ensure_plan(ctx, person, answers, new, day)
        if clinician_seen:
            visit = parse_day(seen_on, "--seen-on") if seen_on else day
            if visit > day:
                fail(f"--seen-on: {visit} is after today ({day}); give the day of the visit.", 2)
            record = clearance.record_clinician_seen(ctx, person_id, visit)
            if not as_json and record.decision.get("kind") == "cleared_return":
                out.print(f"Recorded: {record.reason}")
            elif not as_json:
                out.print("Recorded: a clinician has seen you. Your plan picks up where it stopped.")
        view = planning.this_week(ctx, person_id, day)
        unit = person_unit(ctx, person_id)
    if as_json:
        print_json(_week_dict(view))
        return
    _show_week(view, unit)


def _show_week(view: Any, unit: DistanceUnit) -> None:
    """This week of the plan in words, with the check-ins so far and whether a review is due
    (the version's stored reason with its distances in ``unit``)."""
    out.print(
        Text(f"Plan version {view.record.version}, since {view.record.starts_on:%a %d %b %Y}", style="bold")
    )
    out.print(Text(f"Why this version: {in_unit(view.record.reason, unit)}", style="dim"))
    out.print()
    out.print(view.text, markup=False)
    if view.minutes_today:
        out.print(f"Today's session: about {view.minutes_today} minutes.")
    done = len(view.checkins)
    out.print(
        f"\nCheck-ins since this version started: {done}"
        + ("" if view.checked_in_today else " (none today yet: `heelcoach checkin`)")
    )
    if view.review_due:
        out.print(
            "[bold yellow]A week has passed: run `heelcoach review` to progress the plan.[/bold yellow]"
        )
    if "not a diagnosis" not in view.text:
        _disclaimer()


def stdin_is_interactive() -> bool:
    """Whether questions can be asked (a terminal, not a pipe or a script)."""
    return sys.stdin.isatty()


def _prompt_int(label: str, *, optional: bool) -> int | None:
    while True:
        raw = typer.prompt(label + (" (Enter to skip)" if optional else ""), default="", show_default=False)
        if raw.strip() == "" and optional:
            return None
        try:
            value = int(raw)
        except ValueError:
            err.print("Please type a whole number from 0 to 10.")
            continue
        if 0 <= value <= 10:
            return value
        err.print("Please type a whole number from 0 to 10.")


def _prompt_float(label: str) -> float | None:
    while True:
        raw = typer.prompt(label + " (Enter to skip)", default="", show_default=False)
        if raw.strip() == "":
            return None
        try:
            return float(raw)
        except ValueError:
            err.print("Please type a number, e.g. 5 or 5.5.")


def _interactive(day: date, plan_ids: list[tuple[str, str]], unit: DistanceUnit) -> checkins.CheckInInput:
    out.print(f"Check-in for {day:%a %d %b}. Pain is 0 (none) to 10 (worst imaginable).", markup=False)
    first = _prompt_int("Pain with your first steps this morning", optional=False)
    worst = _prompt_int("Worst pain today", optional=True)
    run_km = typed_km(_prompt_float(f"Did you run? Distance in {unit.plural}"), unit)
    during = after = None
    run_minutes = None
    if run_km:
        run_minutes = _prompt_float("Run duration in minutes")
        during = _prompt_int("Pain during the run", optional=True)
        after = _prompt_int("Pain after the run", optional=True)
    worse = typer.confirm("Was this morning worse than yesterday morning?", default=False)
    done: list[str] = []
    if plan_ids:
        out.print("Which plan items did you do today? (items done several times a day: one number per time)")
        for i, (_item_id, label) in enumerate(plan_ids):
            out.print(f"  {i + 1} = {label}", markup=False)
        raw = typer.prompt("Numbers separated by spaces (Enter for none)", default="", show_default=False)
        for token in dict.fromkeys(raw.replace(",", " ").split()):
            if token.isdigit() and 1 <= int(token) <= len(plan_ids):
                done.append(plan_ids[int(token) - 1][0])
            else:
                err.print(f"Ignored '{token}': not one of the numbers shown.")
    notes = typer.prompt("Notes (Enter to skip)", default="", show_default=False)
    return checkins.CheckInInput(
        day=day,
        first_step_pain=first if first is not None else 0,
        worst_pain=worst,
        run_pain_during=during,
        run_pain_after=after,
        next_morning_worse=worse,
        done_items=tuple(done),
        run_km=run_km,
        run_minutes=run_minutes,
        notes=notes,
    )


def _plan_item_ids(plan_doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(id, what the runner reads) of the things a runner can do on a day: exercises, adjuncts,
    cross-training; an item done several times a day once per time ("... (time 2 of 3)")."""
    choices: list[tuple[str, str]] = []
    seen: set[str] = set()
    for item in plan_doc.get("items", []):
        if not isinstance(item, dict) or item.get("kind") not in {"exercise", "adjunct", "cross_training"}:
            continue
        item_id = item.get("id")
        if not isinstance(item_id, str) or item_id in seen:
            continue
        seen.add(item_id)
        title = str(item.get("title") or item_id)
        times = max(1, int((item.get("dose") or {}).get("times_per_day", 1) or 1))
        if times == 1:
            choices.append((item_id, title))
        else:
            choices += [(item_id, f"{title} (time {k} of {times})") for k in range(1, times + 1)]
    return choices


Pain = Annotated[int | None, typer.Option(min=0, max=10)]
_COLOUR_STYLE = {"green": "bold green", "amber": "bold yellow", "red": "bold red"}


def _print_answer(answer: DailyAnswer) -> None:
    """Today's colour, the rule that decided it, and what to do."""
    out.print(Text(answer.title, style=_COLOUR_STYLE[answer.colour]))
    out.print(f"Why: {answer.because}")
    for line in answer.do:
        out.print(f"  - {line}")
    if answer.watch_for:
        out.print("Watch for, and see a clinician if:")
        for line in answer.watch_for:
            out.print(f"  - {line}")


DayOpt = Annotated[str | None, typer.Option("--day", help="Date (YYYY-MM-DD); default today.")]
FirstStepOpt = Annotated[
    int | None, typer.Option("--first-step", min=0, max=10, help="Pain with the first steps (0-10).")
]
WorstOpt = Annotated[int | None, typer.Option("--worst", min=0, max=10, help="Worst pain today (0-10).")]
RunKmOpt = Annotated[float | None, typer.Option("--run-km", min=0, help="Distance run today, km.")]
RunDistanceOpt = Annotated[
    float | None,
    typer.Option(
        "--run-distance", min=0, help="Distance run today in your unit (`heelcoach units`: km or mi)."
    ),
]
RunMinutesOpt = Annotated[float | None, typer.Option("--run-minutes", min=0, help="Minutes run.")]
RunPainDuringOpt = Annotated[
    int | None, typer.Option("--run-pain-during", min=0, max=10, help="Pain during the run (0-10).")
]
RunPainAfterOpt = Annotated[
    int | None, typer.Option("--run-pain-after", min=0, max=10, help="Pain after the run (0-10).")
]
MorningWorseOpt = Annotated[
    bool | None,
    typer.Option("--morning-worse/--morning-not-worse", help="Was this morning worse than the one before?"),
]
DoneOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--done",
        help="Id of a plan item you did (repeat for several; an item done several times a day "
        "once per time, e.g. --done ID --done ID for twice).",
    ),
]
PassiveOpt = Annotated[
    list[str] | None, typer.Option("--passive", help="Id of a passive therapy you used (repeatable).")
]
RedFlagOpt = Annotated[
    list[str] | None,
    typer.Option("--red-flag", help="A new worrying symptom, e.g. numbness, swelling, night_pain."),
]
NotesOpt = Annotated[str, typer.Option("--notes", help="Anything else worth remembering.")]


@app.command("checkin")
def checkin_command(
    person: PersonOpt = None,
    as_json: JsonOpt = False,
    day: DayOpt = None,
    first_step: FirstStepOpt = None,
    worst: WorstOpt = None,
    run_km: RunKmOpt = None,
    run_distance: RunDistanceOpt = None,
    run_minutes: RunMinutesOpt = None,
    run_pain_during: RunPainDuringOpt = None,
    run_pain_after: RunPainAfterOpt = None,
    morning_worse: MorningWorseOpt = None,
    done: DoneOpt = None,
    passive: PassiveOpt = None,
    red_flag: RedFlagOpt = None,
    notes: NotesOpt = "",
) -> None:
    """Record today's check-in: by flags, or answer the questions when run without --first-step."""
    when = parse_day(day)
    if when > date.today():
        fail(f"--day: {when.isoformat()} is in the future; check in for today or an earlier day.", 2)
    with open_context() as ctx:
        who = people.resolve_person(ctx, person)
        unit = person_unit(ctx, who.id)
        if run_distance is not None:
            if run_km is not None:
                fail("give the distance once: --run-distance (in your unit) or --run-km, not both.", 2)
            run_km = typed_km(run_distance, unit)
        if first_step is None:
            entry = _asked_checkin(ctx, who.id, when, unit)
        else:
            entry = checkins.CheckInInput(
                day=when,
                first_step_pain=first_step,
                worst_pain=worst,
                run_pain_during=run_pain_during,
                run_pain_after=run_pain_after,
                next_morning_worse=morning_worse,
                done_items=tuple(done or ()),
                run_km=run_km,
                run_minutes=run_minutes,
                passive_used=tuple(passive or ()),
                red_flag_symptoms=tuple(red_flag or ()),
                notes=notes,
            )
        saved = checkins.record_checkin(ctx, who.id, entry)
        answer = daily_service.todays_answer(ctx, who.id, when)
        due = False
        with suppress(NotFoundError):
            due = planning.this_week(ctx, who.id, when).review_due
    _show_checkin(saved, answer, due, as_json, unit)


def _asked_checkin(ctx: AppContext, person_id: int, when: date, unit: DistanceUnit) -> Any:
    """The check-in from questions asked on the terminal (needs one)."""
    if not stdin_is_interactive():
        fail("--first-step is required (pain with your first steps this morning, 0-10).", 2)
    try:
        plan_ids = _plan_item_ids(planning.current_plan(ctx, person_id)[0].plan)
    except NotFoundError:
        plan_ids = []
    return _interactive(when, plan_ids, unit)


def _show_checkin(saved: Any, answer: Any, due: bool, as_json: bool, unit: DistanceUnit) -> None:
    """What a saved check-in says (the run in ``unit``): warnings, the day's answer, whether a
    review is due."""
    if as_json:
        print_json(
            {
                "checkin": saved.record,
                "replaced": saved.replaced,
                "warnings": saved.warnings,
                "review_due": due,
                "answer": answer,
            }
        )
        return
    verb = "Updated" if saved.replaced else "Saved"
    ran = f", a run of {dist(saved.record.run_km, unit)}" if saved.record.run_km else ""
    out.print(
        f"{verb} your check-in for {saved.record.day:%a %d %b} "
        f"(first steps {saved.record.first_step_pain}/10{ran})."
    )
    for warning in saved.warnings:
        out.print(Text(warning, style="bold red"))
    if saved.paused is not None:
        out.print("When a clinician has seen you: `heelcoach plan --clinician-seen`.")
    if answer is not None:
        _print_answer(answer)
    if due:
        out.print("A week has passed since this plan version: run `heelcoach review`.")


def _review_dict(saved: weekly_review.ReviewSaved) -> dict[str, Any]:
    return {
        "previous_version": saved.previous.version,
        "version": saved.record.version,
        "reason": saved.record.reason,
        "decision": saved.record.decision,
        "phase": saved.record.phase,
        "week": saved.record.week,
    }


@app.command("review")
def review_command(
    person: PersonOpt = None,
    as_json: JsonOpt = False,
    today: Annotated[str | None, typer.Option("--today", help="Review as of this date.")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Review even though a full week has not passed (clinicians).")
    ] = False,
) -> None:
    """Run the weekly review: progress, hold or step back each item, and store the new plan version."""
    day = parse_day(today, "--today")
    with open_context() as ctx:
        who = people.resolve_person(ctx, person)
        saved = weekly_review.run_weekly_review(ctx, who.id, day, force=force)
        unit = person_unit(ctx, who.id)
    if as_json:
        print_json(_review_dict(saved))
        return
    out.print(
        f"[bold]Weekly review[/bold]: plan version {saved.previous.version} -> {saved.record.version} "
        f"({saved.record.phase}, week {saved.record.week})"
    )
    out.print(in_unit(saved.record.reason, unit), markup=False)
    for d in saved.review.decisions:
        name = review_item_name(d.item_id, ctx.catalogue)
        reason = in_unit(str(d.reason).strip(), unit)
        out.print(f"- {name}: {action_words(d.action)} - {reason} ({rule_words(d.rule_id)})", markup=False)
    for message in saved.review.messages:
        out.print(f"- {in_unit(message, unit)}", markup=False)
    runs = saved.record.decision.get("runs_beside_pain") or []
    if runs:
        out.print("[bold]Runs this week beside your pain[/bold] (which runs made it worse)")
        for line in runs_beside_pain_lines(runs, unit):
            out.print(f"- {line}", markup=False)
    _disclaimer()


def review_item_name(item_id: str, catalogue: Any) -> str:
    """What a review decision is about, as the runner knows it (the running has no catalogue entry)."""
    return "Running" if item_id == "run" else item_name(item_id, catalogue)


def runs_beside_pain_lines(runs: list[dict[str, Any]], unit: DistanceUnit = DistanceUnit.KM) -> list[str]:
    """One line a run: distance, pain during and after, the next morning, and whether it made it worse."""

    def pain(value: Any) -> str:
        return "-" if value is None else f"{value}/10"

    lines = []
    for run in runs:
        day = date.fromisoformat(str(run["day"]))
        change = run.get("first_step_change")
        morning = pain(run.get("next_first_step_pain"))
        if change is not None:
            morning += f" ({change:+d})"
        verdict = "made it worse" if run.get("made_it_worse") else "no flare"
        lines.append(
            f"{day:%a %d %b}: {dist(run['distance_km'], unit)}, pain during {pain(run.get('pain_during'))}, "
            f"after {pain(run.get('pain_after'))}, next morning {morning} - {verdict}"
        )
    return lines


@app.command("progress")
def progress_command(person: PersonOpt = None, as_json: JsonOpt = False) -> None:
    """Show how you are doing: pain week by week, questionnaires, adherence and plan changes."""
    with open_context() as ctx:
        who = people.resolve_person(ctx, person)
        prog = progress.progress(ctx, who.id)
        unit = person_unit(ctx, who.id)
    if as_json:
        print_json(progress.progress_to_dict(prog))
        return
    render_progress(prog, unit=unit)
    _disclaimer()


def render_progress(
    prog: progress.Progress, echo: Callable[..., None] | None = None, unit: DistanceUnit = DistanceUnit.KM
) -> None:
    """Print progress as tables (shared with the demo)."""
    show = echo or out.print
    weeks = prog.summary.get("weeks", [])
    if weeks:
        table = Table(
            "week",
            "check-ins",
            "first steps (mean)",
            "worst (mean)",
            f"run {unit.label}",
            title="Pain by week",
        )
        for w in weeks:
            worst = "-" if w["worst_pain_mean"] is None else f"{w['worst_pain_mean']:.1f}"
            table.add_row(
                str(w["week"]),
                str(w["checkins"]),
                f"{w['first_step_pain_mean']:.1f}",
                worst,
                distnum(w["run_km"], unit),
            )
        show(table)
    else:
        show(Text("No check-ins yet: `heelcoach checkin --first-step N` each morning."))
    for change in prog.outcome_changes:
        show(Text("Questionnaire " + in_unit(_change_text(change), unit)))
    if prog.plan_history:
        table = Table("version", "starts", "phase", "week", "why", title="Plan history")
        for v in prog.plan_history:
            why = Text(in_unit(v["reason"], unit))
            table.add_row(str(v["version"]), v["starts_on"], v["phase"], str(v["week"]), why)
        show(table)


def _change_text(change: dict[str, Any]) -> str:
    instrument = str(change.get("instrument", "")).replace("_", " ").upper()
    head = f"{instrument} {change.get('from')} -> {change.get('to')}: "
    message = change.get("message")
    if isinstance(message, str) and message:
        return head + message
    return head + f"change {change.get('delta')}"


@app.command("screen")
def screen_command(
    tests: Annotated[
        list[str] | None,
        typer.Argument(help="Results as TEST_ID=VALUE or TEST_ID=VALUE:SIDE (side left/right/both)."),
    ] = None,
    person: PersonOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Enter self-test results (e.g. single_leg_heel_raise_test=18:left). Without results: list the tests."""
    with open_context() as ctx:
        if not tests:
            table = Table("test id", "unit", "sided", "what it measures")
            for test in ctx.catalogue.self_tests.values():
                table.add_row(test.id, test.unit, "yes" if test.sided else "no", test.name)
            out.print(table)
            out.print("Enter results as: heelcoach screen TEST_ID=VALUE[:left|right] ...")
            return
        results = [_parse_result(ctx, raw) for raw in tests]
        who = people.resolve_person(ctx, person, create=True)
        record, report = screening.save_screen(ctx, who.id, results)
        updated = None
        with suppress(NotFoundError):
            if planning.current_plan(ctx, who.id):
                try:
                    updated = planning.update_plan_with_new_evidence(ctx, who.id, "self-tests")
                except HeelcoachError as exc:
                    err.print(str(exc))
    if as_json:
        print_json(
            {
                "screen_id": record.id,
                "report": record.report,
                "plan_version": updated.version if updated else None,
                "plan_changes": updated.decision.get("changes", []) if updated else [],
            }
        )
        return
    if updated is not None:
        out.print(f"Plan version {updated.version}: {updated.reason}")
    for verdict in report.verdicts:
        out.print(f"- {verdict.explanation}", markup=False)
    for reason in report.referral_reasons:
        out.print(Text(reason, style="bold red"))
    out.print("Saved. Run `heelcoach plan --new` to fold these results into your plan.")


def _parse_result(ctx: AppContext, raw: str) -> Any:
    if "=" not in raw:
        fail(f"'{raw}': expected TEST_ID=VALUE or TEST_ID=VALUE:SIDE, e.g. knee_to_wall_test=9:left", 2)
    test_id, _, rest = raw.partition("=")
    value_text, _, side = rest.partition(":")
    try:
        value = float(value_text)
    except ValueError:
        fail(f"'{raw}': the value '{value_text}' is not a number", 2)
    return screening.parse_self_test(ctx, test_id.strip(), value, side.strip() or "both")


@app.command("export")
def export_command(
    person: PersonOpt = None,
    fmt: Annotated[
        str, typer.Option("--format", help="json (one file) or csv (one file per table).")
    ] = "json",
    out_path: Annotated[Path, typer.Option("--out", help="File or folder to write to.")] = Path(),
) -> None:
    """Export everything stored about you (JSON or CSV)."""
    if fmt not in {"json", "csv"}:
        fail(f"--format: expected json or csv, got '{fmt}'", 2)
    with open_context() as ctx:
        who = people.resolve_person(ctx, person)
        written = person_data.export_person(ctx, who.id, out_path, fmt)
    for path in written:
        out.print(f"wrote {path}", markup=False)


@app.command("people")
def people_command(
    add: Annotated[str | None, typer.Option("--add", help="Add a person with this name (clinics).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the people stored here (the first one is the default for every command), or add one."""
    with open_context() as ctx:
        if add is not None:
            made = create_person(ctx, add)
            if as_json:
                print_json(made)
            else:
                out.print(
                    f"Added person {made.id} ({made.name or 'no name'}). Use --person {made.id}.",
                    markup=False,
                )
            return
        people = list_people(ctx)
    if as_json:
        print_json(people)
        return
    if not people:
        out.print("Nobody yet. `heelcoach plan --answers FILE` sets up the first person.")
        return
    for index, person in enumerate(people):
        default = " (default)" if index == 0 else ""
        out.print(
            f"{person.id}: {person.name or 'no name'}{default}, since {person.created_at:%d %b %Y}",
            markup=False,
        )


@app.command("outcome")
def outcome_command(
    instrument: Annotated[str, typer.Argument(help="faam_adl, faam_sports or psfs.")],
    answers: Annotated[
        list[str] | None,
        typer.Argument(help="ITEM=SCORE for FAAM (0-4, or na), ACTIVITY=RATING for PSFS (0-10)."),
    ] = None,
    person: PersonOpt = None,
    day: Annotated[
        str | None, typer.Option("--day", help="Date answered (YYYY-MM-DD); default today.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record an outcome questionnaire (FAAM or PSFS); without answers, list what to answer."""
    if instrument not in outcomes.INSTRUMENTS:
        fail(f"instrument: expected one of {', '.join(outcomes.INSTRUMENTS)}, got '{instrument}'", 2)
    when = parse_day(day)
    with open_context() as ctx:
        if not answers:
            _outcome_help(ctx, instrument)
            return
        parsed: dict[str, Any] = {}
        for raw in answers:
            key, sep, value = raw.partition("=")
            if not sep or not key.strip():
                fail(f"'{raw}': expected KEY=VALUE, e.g. faam_adl_standing=3 or 'running 5 km=4'", 2)
            parsed[key.strip()] = _outcome_value(raw, value.strip(), instrument)
        who = people.resolve_person(ctx, person)
        record, score = outcomes.record_outcome(ctx, who.id, instrument, parsed, taken_on=when)
    if as_json:
        print_json({"outcome": record, "score": score})
        return
    out.print(f"Saved. {getattr(score, 'message', '')}", markup=False)


def _outcome_value(raw: str, value: str, instrument: str) -> Any:
    if instrument.startswith("faam") and value.lower() in {"na", "n/a", ""}:
        return None
    try:
        number = float(value)
    except ValueError:
        fail(f"'{raw}': '{value}' is not a number", 2)
    return int(number) if instrument.startswith("faam") and number.is_integer() else number


def _outcome_help(ctx: AppContext, instrument: str) -> None:
    outcomes = ctx.catalogue.outcomes
    if instrument == "psfs":
        psfs = outcomes.psfs
        out.print(
            f"{psfs.name}: name {psfs.activities_min}-{psfs.activities_max} activities your heel makes hard "
            f"and rate each ({psfs.anchors}).\nExample: heelcoach outcome psfs 'running 10 km=3' 'stairs=6' "
            "'walking the dog=5'",
            markup=False,
        )
        return
    sub = outcomes.faam.adl if instrument == "faam_adl" else outcomes.faam.sports
    scale = ", ".join(f"{k} = {v}" for k, v in sorted(outcomes.faam.scale.items(), reverse=True))
    out.print(f"Rate each item ({scale}; na if it does not apply):", markup=False)
    for item in sub.items:
        out.print(f"  {item.id}: {item.label}", markup=False)
    out.print(f"Example: heelcoach outcome {instrument} {sub.items[0].id}=3 ...", markup=False)


@app.command("forget")
def forget_command(
    person: PersonOpt = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a person and everything stored about them (export first if you want a copy)."""
    with open_context() as ctx:
        who = people.resolve_person(ctx, person)
        label = f"person {who.id}" + (f" ({who.name})" if who.name else "")
        if not yes:
            if not stdin_is_interactive():
                fail(f"add --yes to delete {label} and all their data without a question.", 2)
            if not typer.confirm(f"Delete {label} and all their data? This cannot be undone", default=False):
                out.print("Nothing was deleted.")
                return
        counts = person_data.delete_person(ctx, who.id)
    rows = sum(counts.values())
    out.print(f"Deleted {label}: {rows} record(s).", markup=False)


def _write_all(outputs: list[tuple[Path, bytes]]) -> None:
    """Write each file, saying so; a folder that cannot be written to is a clear error."""
    for path, data in outputs:
        try:
            path.write_bytes(data)
        except OSError as exc:
            fail(f"cannot write {path}: {exc.strerror or exc}. Choose a folder you can write to.")
        out.print(f"wrote {path}", markup=False)


@app.command("handout")
def handout_command(
    person: PersonOpt = None,
    pdf_path: Annotated[
        Path | None, typer.Option("--pdf", help="Write the plan as a printable PDF handout to this file.")
    ] = None,
    ics_path: Annotated[
        Path | None,
        typer.Option("--ics", help="Write recurring reminders (check-in, exercises, runs) as a .ics file."),
    ] = None,
    weeks: Annotated[int, typer.Option("--weeks", min=1, max=12, help="Weeks of calendar events.")] = 4,
) -> None:
    """Take your current plan away: a PDF handout and/or calendar reminders (see `reminders`)."""
    from heelcoach.services import calendar, handout

    if pdf_path is None and ics_path is None:
        fail("say what to write: --pdf FILE and/or --ics FILE", 2)
    with open_context() as ctx:
        who = people.resolve_person(ctx, person)
        _record, plan = planning.current_plan(ctx, who.id)
        outputs: list[tuple[Path, bytes]] = []
        if pdf_path is not None:
            outputs.append((pdf_path, handout.plan_pdf(plan, ctx.catalogue, unit=person_unit(ctx, who.id))))
        if ics_path is not None:
            outputs.append((ics_path, calendar.calendar_for(ctx, who.id, weeks=weeks)))
    _write_all(outputs)


@app.command("handover")
def handover_command(
    person: PersonOpt = None,
    pdf_path: Annotated[
        Path | None, typer.Option("--pdf", help="Write the hand-over report to print for a clinician (PDF).")
    ] = None,
    fhir_path: Annotated[
        Path | None, typer.Option("--fhir", help="Write the same record as a FHIR R4 bundle (JSON).")
    ] = None,
) -> None:
    """The hand-over report for a clinician: a PDF to print and/or a FHIR bundle for their records."""
    from heelcoach.services import fhir_bundle, handover

    if pdf_path is None and fhir_path is None:
        fail("say what to write: --pdf FILE and/or --fhir FILE", 2)
    today = date.today()
    with open_context() as ctx:
        who = people.resolve_person(ctx, person)
        outputs: list[tuple[Path, bytes]] = []
        if pdf_path is not None:
            outputs.append((pdf_path, handover.handover_pdf(ctx, who.id, today=today)))
        if fhir_path is not None:
            doc = fhir_bundle.handover_bundle(ctx, who.id, today=today)
            outputs.append((fhir_path, json.dumps(doc, indent=2, ensure_ascii=False).encode()))
    _write_all(outputs)


@app.command("reminders")
def reminders_command(
    person: PersonOpt = None,
    checkin: Annotated[
        str | None, typer.Option("--checkin", help="Morning check-in time, e.g. 07:00.")
    ] = None,
    session: Annotated[str | None, typer.Option("--session", help="Exercise time, e.g. 18:30.")] = None,
    run: Annotated[str | None, typer.Option("--run", help="Run time, e.g. 07:30.")] = None,
    timezone: Annotated[
        str | None, typer.Option("--timezone", help="Your time zone, e.g. Europe/London.")
    ] = None,
) -> None:
    """Show or set when the calendar file reminds you (`handout --ics FILE` writes it)."""
    from heelcoach.services import calendar

    with open_context() as ctx:
        who = people.resolve_person(ctx, person)
        now = calendar.reminders_for(ctx, who.id)
        if any(v is not None for v in (checkin, session, run, timezone)):
            try:
                now = calendar.Reminders.parse(
                    checkin or f"{now.checkin:%H:%M}",
                    session or f"{now.session:%H:%M}",
                    timezone or now.timezone,
                    run=run or f"{now.run:%H:%M}",
                )
            except calendar.ReminderError as exc:
                fail(f"--{exc}", 2)  # the message starts with the field, which is the option's name
            calendar.save_reminders(ctx, who.id, now)
    out.print(
        f"Check-in {now.checkin:%H:%M}, exercises {now.session:%H:%M}, runs {now.run:%H:%M} "
        f"({now.timezone}). `heelcoach handout --ics plan.ics` writes them as calendar reminders.",
        markup=False,
    )
