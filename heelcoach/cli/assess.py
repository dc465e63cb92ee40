"""CLI command ``heelcoach assess``: triage heel pain from an answers file or by asking in the terminal."""

from __future__ import annotations

import json
import sys
import textwrap
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from heelcoach import DISCLAIMER
from heelcoach.cli.app import app
from heelcoach.cli.common import open_context
from heelcoach.domain.intake import (
    IntakeError,
    answer_in_unit,
    answer_to_km,
    asked,
    expected_text,
    format_answer,
    parse_text_answer,
    question_in_unit,
)
from heelcoach.domain.triage import AnswerRef, TriageResult, plain_name, unanswered_questions
from heelcoach.domain.types import TriageLevel
from heelcoach.domain.units import DistanceUnit, distance
from heelcoach.errors import NotFoundError
from heelcoach.knowledge import Catalogue, KnowledgeError, load_catalogue
from heelcoach.knowledge.schema_triage import QUESTION_GROUPS, Question
from heelcoach.services import intake, people, units
from heelcoach.services.assess import AnswersFileError, assess, load_answers_file, triage_to_dict

__all__ = ["ask_answers", "assess_command", "render_triage"]

#: Exit code for bad input (a bad answers file or bad answers), as click uses for usage errors.
EXIT_BAD_INPUT = 2

GROUP_TITLES = {
    "about_you": "About you",
    "running": "Your running",
    "your_pain": "Your pain",
    "warning_signs": "Warning signs",
    "health_and_safety": "Health and safety",
    "history": "What you have tried",
}

LEVEL_STYLES = {
    TriageLevel.EMERGENCY: "bold white on red",
    TriageLevel.REFER: "bold red",
    TriageLevel.CAUTION: "bold yellow",
    TriageLevel.SELF_MANAGE: "bold green",
}


class _StoppedError(Exception):
    """The person stopped the questionnaire (quit: exit 1) or the input ended early (exit 2)."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.code = code


def _say(console: Console, text: str = "", style: str | None = None, indent: int = 0) -> None:
    # Text objects, never markup: knowledge text may contain square brackets. Wrapped here (not by
    # rich) so that indented lines hang cleanly and carry no trailing padding.
    pad = " " * indent
    width = max(console.width, indent + 20)
    lines = [
        textwrap.fill(part, width=width, initial_indent=pad, subsequent_indent=pad)
        for part in text.split("\n")
    ]
    console.print(Text("\n".join(lines), style=style or ""), soft_wrap=True)


def _ordered_questions(catalogue: Catalogue) -> list[Question]:
    order = {g: i for i, g in enumerate(QUESTION_GROUPS)}
    return sorted(catalogue.triage.questions, key=lambda q: order[q.group])


def _read_line(console: Console) -> str:
    console.print(Text("> ", style="bold"), end="")
    line = sys.stdin.readline()
    if line == "":
        raise _StoppedError("input ended before every question was answered")
    return line.rstrip("\n")


def ask_answers(
    catalogue: Catalogue,
    console: Console,
    *,
    only: set[str] | None = None,
    given: dict[str, Any] | None = None,
    unit: DistanceUnit = DistanceUnit.KM,
) -> dict[str, Any]:
    """Ask every question in the terminal, group by group; re-ask on bad input. Distances are
    asked in ``unit`` (the runner's) and come back in km, as stored.

    With ``only``, ask just those questions and add them to ``given`` (the answers so far: an
    answers file written for an earlier questionnaire). Type ``back`` for the previous question,
    ``skip`` for an optional one, ``?`` for help again, ``quit`` to stop.
    """
    questions = [q for q in _ordered_questions(catalogue) if only is None or q.id in only]
    answers: dict[str, Any] = dict(given or {})
    _say(console, "Answer each question and press Enter.", "bold")
    _say(
        console,
        "Type 'back' for the previous question, 'skip' to skip an optional one, "
        "'?' for help, 'quit' to stop.",
    )
    index = 0
    shown_group = ""
    while index < len(questions):
        q = questions[index]
        if not asked(q, answers):  # a follow-up whose answer it follows was not given: not asked
            answers.pop(q.id, None)
            index += 1
            continue
        shown = dict(answers)
        if q.id in shown:
            shown[q.id] = answer_in_unit(q, shown[q.id], unit)
        asked_q = question_in_unit(q, unit)
        shown_group = _show_question(console, asked_q, f"{index + 1}/{len(questions)}", shown, shown_group)
        line = _read_line(console)
        if line.strip().lower() == "back":
            index = _back(console, questions, index, answers)
        elif _take_answer(console, asked_q, line, answers, unit):
            index += 1
    return answers


def _show_question(console: Console, q: Any, place: str, answers: dict[str, Any], shown_group: str) -> str:
    """Print the question (under its group's title when the group changes); return its group."""
    if q.group != shown_group:
        _say(console)
        _say(console, f"— {GROUP_TITLES.get(q.group, q.group)} —", "bold cyan")
    _say(console)
    optional = "" if q.required else " (optional: 'skip' to leave it out)"
    _say(console, f"{place}. {q.prompt}{optional}", "bold")
    _say(console, q.help, "dim")
    for number, choice in enumerate(q.choices, start=1):
        _say(console, f"   {number}. {choice.label} ({choice.id})")
    if q.type == "multi":
        _say(console, "   Type the numbers or ids separated by commas, or 'none'.", "dim")
    if q.id in answers:
        _say(console, f"   Your answer so far: {format_answer(answers[q.id])}", "dim")
    return str(q.group)


def _back(console: Console, questions: list[Any], index: int, answers: dict[str, Any]) -> int:
    """The index of the previous question that was asked (this one's at the first)."""
    before = index - 1
    while before >= 0 and not asked(questions[before], answers):
        before -= 1
    if before < 0:
        _say(console, "This is the first question.", "yellow")
        return index
    return before


def _take_answer(
    console: Console, q: Question, line: str, answers: dict[str, Any], unit: DistanceUnit = DistanceUnit.KM
) -> bool:
    """Act on what was typed for ``q`` (as asked: a distance in ``unit``, stored in km); True when
    the questionnaire moves on to the next one."""
    command = line.strip().lower()
    if command in ("?", "help"):
        _say(console, f"{q.help} Expected: {expected_text(q)}.", "cyan")
        return False
    if command == "quit":
        raise _StoppedError("you stopped the questionnaire", code=1)
    if command in ("skip", ""):
        if not q.required:
            answers.pop(q.id, None)
            return True
        if command == "" and q.id in answers:
            return True  # Enter keeps the earlier answer after going back
        _say(console, f"This question needs an answer: {expected_text(q)}.", "yellow")
        return False
    try:
        answers[q.id] = answer_to_km(q, parse_text_answer(q, line), unit)
    except IntakeError:
        _say(console, f"Sorry, '{line.strip()}' does not fit. Expected {expected_text(q)}.", "yellow")
        return False
    return True


def _said(answers: tuple[AnswerRef, ...], unit: DistanceUnit = DistanceUnit.KM) -> str:
    """The answers behind a rule in plain words, e.g. 'first step pain: 6'; a distance (an id
    ending in _km) in ``unit``: 'weekly distance: 18.6 mi'."""
    return "; ".join(_said_one(a, unit) for a in answers)


def _said_one(answer: AnswerRef, unit: DistanceUnit) -> str:
    qid, value = answer.question_id, answer.value
    if qid.endswith("_km") and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{qid.removesuffix('_km').replace('_', ' ')}: {distance(float(value), unit)}"
    return f"{qid.replace('_', ' ')}: {format_answer(value).replace('_', ' ')}"


def _section(console: Console, title: str) -> None:
    _say(console)
    _say(console, title, "bold underline")


def _render_flags(result: TriageResult, console: Console, unit: DistanceUnit) -> None:
    if not result.red_flags:
        return
    _section(console, "Warning signs — act on these first")
    for flag in result.red_flags:
        if flag.level is TriageLevel.EMERGENCY:
            urgency = "urgent, today"
        elif flag.stops_loading:
            urgency = "see a clinician; no running or strength work until then"
        else:
            urgency = "see a clinician soon; not a danger sign"
        _say(console, f"! {flag.name} ({urgency})", "bold red" if flag.stops_loading else "bold yellow")
        _say(console, f"Why: {flag.reason}", indent=2)
        _say(console, f"What to do: {flag.what_to_do}", "bold", indent=2)
        _say(console, f"Your answers: {_said(flag.answers, unit)}", "dim", indent=2)


def _render_differential(result: TriageResult, console: Console, unit: DistanceUnit) -> None:
    _section(console, "What your answers point to (not a diagnosis)")
    shown = [c for c in result.differential if c.likelihood not in ("unlikely", "less likely")]
    pointed = {f.suggests for f in result.red_flags if f.stops_loading and f.suggests}
    for number, cond in enumerate(shown, start=1):
        first = (
            " — listed first: a warning sign points to it"
            if (number == 1 and cond.condition_id in pointed)
            else ""
        )
        _say(console, f"{number}. {cond.name} — {cond.likelihood} (score {cond.score:g}){first}", "bold")
        _say(console, cond.plain, indent=3)
        for reason in cond.supporting:
            _say(console, f"+ {reason.text} (you said {_said(reason.answers, unit)})", "green", indent=3)
        for reason in cond.against:
            _say(console, f"− {reason.text} (you said {_said(reason.answers, unit)})", "dim", indent=3)
        _say(console, f"What to do: {cond.what_to_do}", indent=3)
        if cond.note:
            _say(console, f"Note: {cond.note}", "cyan", indent=3)
    if not shown:
        _say(console, "Your answers do not point clearly to any one cause.")
    others = [c.name for c in result.differential if c not in shown]
    if others:
        _say(console, "Also considered, less likely from your answers: " + "; ".join(others) + ".")
    _say(
        console,
        "Scores are points from your answers, not probabilities: the points and the likelihood "
        "words are set by hand from the clinical features in the guidelines, not fitted to patient data.",
        "dim",
    )


def render_triage(result: TriageResult, console: Console, unit: DistanceUnit = DistanceUnit.KM) -> None:
    """Print a triage result for a runner: level, red flags first, differential, safety, next steps
    (the answers behind them with distances in ``unit``)."""
    _say(console, f"Triage: {result.level_title}", LEVEL_STYLES[result.level])
    _say(console, f"Level: {result.level.value.replace('_', '-')}", "bold")
    _say(console, result.level_plain)
    for why in result.level_reasons:
        _say(console, f"• {why}")

    if result.unanswered:
        _say(
            console,
            f"Not answered yet ({len(result.unanswered)} newer questions): run "
            "'heelcoach assess --answers FILE --ask-missing' to answer them.",
            "yellow",
        )
    if result.treats and result.top is not None and result.treats != "plantar_fasciitis":
        _say(
            console, f"Your plan will treat: {plain_name(result.top.name)} (a plan of its own).", "bold green"
        )
    for note in result.notes:
        _say(console, f"• {note}", "cyan")

    _render_flags(result, console, unit)
    _render_differential(result, console, unit)

    if result.safety_notes:
        _section(console, "Safety notes")
        for note in result.safety_notes:
            _say(console, f"• {note}")
    if result.cautions:
        _section(console, "Cautions")
        for caution in result.cautions:
            said = "" if caution.id == "not_answered" else f" (you said {_said(caution.answers, unit)})"
            _say(console, f"• {caution.reason}{said}")
    if result.passive_loop:
        _section(console, "Why it may keep coming back")
        _say(console, result.passive_loop_note)

    _section(console, "Next steps")
    for number, step in enumerate(result.next_steps, start=1):
        _say(console, f"{number}. {step}")
    _say(console)
    _say(console, DISCLAIMER, "italic")


ASSESS_HELP = (
    "Check your heel pain: warning signs, what it most likely is, and whether you can start a plan.\n\n"
    "Answers the intake questions (from --answers FILE, or one by one in the terminal; type 'back' "
    "to go back, 'skip' for optional questions, '?' for help), then shows the triage level "
    "(emergency, refer, caution or self-manage), any warning signs with what to do, the possible "
    "causes with the answers behind them, safety notes and next steps.\n\n"
    "heelcoach is not a diagnosis: see a clinician whenever it says so. "
    "A bad answers file exits with code 2 and names the field to fix."
)


def _fail(console: Console, message: str) -> typer.Exit:
    # No wrapping: file paths and field names must stay whole to be copied.
    console.print(Text(message, style="bold red"), soft_wrap=True)
    return typer.Exit(code=EXIT_BAD_INPUT)


@app.command("assess", help=ASSESS_HELP)
def assess_command(
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            "-a",
            help="A YAML or JSON file mapping each question id to your answer "
            "(see heelcoach/samples/typical_runner.yaml). Without it, the questions are asked here.",
            dir_okay=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON (for scripts).")] = False,
    save: Annotated[
        bool,
        typer.Option(
            "--save/--no-save",
            help="Keep your answers and the result so that 'heelcoach plan' can build your plan (default).",
        ),
    ] = True,
    person: Annotated[
        int | None, typer.Option("--person", min=1, help="Person id (clinics); default: the first person.")
    ] = None,
    ask_missing: Annotated[
        bool,
        typer.Option(
            "--ask-missing",
            help="With --answers: ask here the questions added since the file was written "
            "(otherwise they count as not answered, and the result says so).",
        ),
    ] = False,
) -> None:
    """Check your heel pain (see ASSESS_HELP)."""
    out = Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    try:
        catalogue = load_catalogue()
    except KnowledgeError as exc:
        _say(err, f"The bundled knowledge base is broken; please report this:\n{exc}", "bold red")
        raise typer.Exit(code=1) from None
    try:
        unit = _runner_unit(person)
        raw = _gather_answers(catalogue, answers, ask_missing, err if as_json else out, unit)
        result = assess(raw, catalogue, date.today())
    except AnswersFileError as exc:
        raise _fail(err, f"{exc} Or run 'heelcoach assess' without --answers to be asked.") from None
    except IntakeError as exc:
        source = str(answers) if answers is not None else "your answers"
        raise _fail(err, _problems_text(source, exc)) from None
    except _StoppedError as exc:
        _fail(err, f"Stopped: {exc}. Nothing was assessed; run 'heelcoach assess' again.")
        raise typer.Exit(code=exc.code) from None
    if as_json:
        sys.stdout.write(json.dumps(triage_to_dict(result), indent=2, ensure_ascii=False) + "\n")
    else:
        if answers is None:
            _say(out)
        render_triage(result, out, unit)
    if save:
        _save_answers(raw, person, err if as_json else out)


def _runner_unit(person: int | None) -> DistanceUnit:
    """The runner's distance unit (`heelcoach units`): km for someone not set up yet."""
    with open_context() as ctx:
        try:
            return units.unit_for(ctx, people.resolve_person(ctx, person).id)
        except NotFoundError:
            return DistanceUnit.KM


def _gather_answers(
    catalogue: Catalogue, answers: Path | None, ask_missing: bool, console: Console, unit: DistanceUnit
) -> dict[str, Any]:
    """The answers from the file (in km, as stored; asking what it lacks, with --ask-missing), or
    asked here (distances in ``unit``).

    With --json, ``console`` is stderr so that stdout stays pure JSON.
    """
    if answers is None:
        return ask_answers(catalogue, console, unit=unit)
    raw = load_answers_file(answers)
    missing = set(unanswered_questions(raw, catalogue))
    if ask_missing and missing:
        _say(console, f"{len(missing)} questions were added since this file was written.", "bold")
        raw = ask_answers(catalogue, console, only=missing, given=raw, unit=unit)
    return raw


def _problems_text(source: str, exc: IntakeError) -> str:
    """Each answer to fix, and where to find a complete example."""
    lines = [f"{source}: {len(exc.problems)} answer(s) to fix:"]
    lines.extend(f"  - {p.message()}" for p in exc.problems)
    lines.append(
        "A complete example: heelcoach/samples/typical_runner.yaml. "
        "Or run 'heelcoach assess' without --answers to be asked each question."
    )
    return "\n".join(lines)


def _save_answers(raw: dict[str, Any], person: int | None, console: Console) -> None:
    """Store the answers (and their triage) for the person, so that the plan can be built from them."""
    with open_context() as ctx:
        who = people.resolve_person(ctx, person, create=True)
        saved = intake.save_intake(ctx, who.id, raw)
    level = str(saved.triage.level).replace("_", " ")
    next_step = (
        "Run 'heelcoach plan' for your plan."
        if not saved.triage.stops_loading
        else "Please see a clinician first; 'heelcoach plan' shows what to do meanwhile."
    )
    _say(console, f"Saved your answers (triage: {level}). {next_step}")
