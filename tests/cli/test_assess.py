"""``heelcoach assess`` and ``heelcoach demo`` from a terminal: samples, JSON, bad files, interactive."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

import heelcoach.cli.assess
from heelcoach import DISCLAIMER
from heelcoach.cli.app import app
from heelcoach.cli.demo import print_triage_demo  # also registers a second command: typer needs two
from heelcoach.cli.main import app as main_app
from heelcoach.domain.intake import asked, format_answer
from heelcoach.knowledge.schema_triage import QUESTION_GROUPS
from heelcoach.services.assess import sample_answers_path
from tests.domain.test_triage_vignettes import BASE

RUNNER = CliRunner()


def _flat(text: str) -> str:
    return " ".join(text.split())


def _run(*args: str, input: str | None = None) -> Any:
    return RUNNER.invoke(app, ["assess", *args], input=input)


def test_typical_sample_self_manages_with_disclaimer() -> None:
    result = _run("--answers", str(sample_answers_path("typical_runner")))
    assert result.exit_code == 0, result.output
    out = _flat(result.stdout)
    assert "Level: self-manage" in out
    assert "Plantar fasciitis — most likely" in out
    assert "Why it may keep coming back" in out  # the passive-care loop of seed 000
    assert _flat(DISCLAIMER) in out


def test_red_flag_sample_shows_warning_signs_first() -> None:
    result = _run("-a", str(sample_answers_path("red_flag_runner")))
    assert result.exit_code == 0, result.output
    out = _flat(result.stdout)
    assert "Level: refer" in out
    assert out.index("Warning signs — act on these first") < out.index("What your answers point to")
    assert "Painful heel squeeze" in out
    assert "What to do:" in out
    assert _flat(DISCLAIMER) in out


def test_not_improving_is_referred_but_not_stopped(tmp_path: Path) -> None:
    answers = {**BASE, "symptom_duration_weeks": 8, "tried": ["stretching", "strengthening"]}
    path = tmp_path / "slow.yaml"
    path.write_text(yaml.safe_dump(answers), encoding="utf-8")
    result = _run("--answers", str(path))
    assert result.exit_code == 0, result.output
    out = _flat(result.stdout)
    assert "Level: refer" in out
    assert "See a clinician soon, and keep going gently" in out
    assert "not a danger sign" in out
    assert "keep running in a reduced, pain-guided way" in out
    assert "set by hand" in out  # likelihood words are hand-set points, and the output says so
    data = json.loads(_run("--answers", str(path), "--json").stdout)
    assert data["referral_action"] == "refer_and_continue_safely"
    assert data["stops_loading"] is False
    assert [f["action"] for f in data["red_flags"]] == ["refer_and_continue_safely"]


def test_json_output_parses(tmp_path: Path) -> None:
    result = _run("--answers", str(sample_answers_path("red_flag_runner")), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["level"] == "refer"
    assert data["top_condition"] == "calcaneal_stress_fracture"
    assert {f["id"] for f in data["red_flags"]} >= {"positive_squeeze"}
    assert data["stops_loading"] is True
    assert data["referral_action"] == "stop_and_refer"
    assert "suspected_fracture" in data["safety_flags"]
    assert data["disclaimer"] == DISCLAIMER
    assert all(r["question_ids"] for c in data["differential"] for r in c["supporting"])
    # The same answers as JSON give the same result.
    answers = yaml.safe_load(sample_answers_path("red_flag_runner").read_text(encoding="utf-8"))
    answers["race_date"] = answers["race_date"].isoformat()
    as_json = tmp_path / "answers.json"
    as_json.write_text(json.dumps(answers), encoding="utf-8")
    again = _run("--answers", str(as_json), "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["level"] == "refer"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _answers_file(tmp_path: Path, **changes: Any) -> Path:
    answers = {**BASE, **changes}
    for key in [k for k, v in answers.items() if v is _DROP]:
        del answers[key]
    return _write(tmp_path, "answers.yaml", yaml.safe_dump(answers))


_DROP = object()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"onset": _DROP}, ["onset", "<missing>", "required"]),
        ({"age_years": "forty"}, ["age_years", "'forty'", "whole number from 6 to 100"]),
        ({"first_step_pain": 14}, ["first_step_pain", "14", "0 to 10"]),
        ({"heel_side": "left"}, ["heel_side", "not a question", "'left'"]),
        ({"limping": "sometimes"}, ["limping", "yes or no"]),
        ({"pain_location": ["toes"]}, ["pain_location", "inner_heel_bottom"]),
    ],
)
def test_bad_answers_name_the_field_and_exit_2(
    tmp_path: Path, changes: dict[str, Any], words: list[str]
) -> None:
    path = _answers_file(tmp_path, **changes)
    result = _run("--answers", str(path))
    assert result.exit_code == 2
    out = _flat(result.output)
    assert "Traceback" not in out
    assert str(path) in out
    for word in words:
        assert word in out


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("broken.yaml", "age_years: 38\npain_location: [inner_heel_bottom\n", ["not valid YAML", "line"]),
        ("list.yaml", "- age_years\n- 38\n", ["top level must be a mapping", "list"]),
        ("empty.yaml", "", ["is empty"]),
        ("broken.json", '{"age_years": 38,', ["not valid JSON", "line 1"]),
        ("scalar.json", "42", ["top level must be a mapping", "int"]),
    ],
)
def test_unreadable_files_exit_2(tmp_path: Path, name: str, text: str, words: list[str]) -> None:
    path = _write(tmp_path, name, text)
    result = _run("--answers", str(path))
    assert result.exit_code == 2
    out = _flat(result.output)
    assert "Traceback" not in out
    assert name in out
    for word in words:
        assert word in out


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = _run("--answers", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "nope.yaml" in result.output
    assert "no such file" in _flat(result.output)
    assert "Traceback" not in result.output


def test_binary_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_bytes(b"\xff\xfe\x00\x81garbage")
    result = _run("--answers", str(path))
    assert result.exit_code == 2
    assert "UTF-8" in result.output
    assert "Traceback" not in result.output


def _typed(value: Any) -> str:
    text = format_answer(value)
    return "none" if value == [] else text.replace(", ", ",")


def _interactive_lines(catalogue) -> list[str]:  # type: ignore[no-untyped-def]
    """Answers in the order the CLI asks, with a bad value, a 'back' and 'skip's mixed in."""
    order = {g: i for i, g in enumerate(QUESTION_GROUPS)}
    questions = sorted(catalogue.triage.questions, key=lambda q: order[q.group])
    lines: list[str] = []
    for index, q in enumerate(questions):
        if q.id == "age_years":
            lines.append("thirty-eight")  # bad: re-asked
        if not asked(q, BASE):  # a follow-up question whose answer it follows was not given
            continue
        if not q.required:
            lines.append("skip")
            continue
        lines.append(_typed(BASE[q.id]))
        if index == 1:
            # Go back to question 2, change it, then carry on.
            lines.extend(["back", "171"])
    return lines


def test_interactive_run_with_bad_value_back_and_skip(catalogue) -> None:  # type: ignore[no-untyped-def]
    lines = _interactive_lines(catalogue)
    result = _run(input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = _flat(result.output)
    assert "Sorry, 'thirty-eight' does not fit" in out
    assert "Your answer so far: 172" in out  # shown after 'back'
    assert "optional" in out
    assert "About you" in out
    assert "Warning signs" in out
    assert "Level: self-manage" in out
    assert _flat(DISCLAIMER) in out


def test_interactive_json_keeps_stdout_pure(catalogue) -> None:  # type: ignore[no-untyped-def]
    lines = _interactive_lines(catalogue)
    result = _run("--json", input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["level"] == "self_manage"


def test_interactive_end_of_input_exits_2() -> None:
    result = _run(input="38\n")
    assert result.exit_code == 2
    assert "Stopped" in result.output
    assert "Traceback" not in result.output


def test_interactive_quit_exits_1() -> None:
    result = _run(input="quit\n")
    assert result.exit_code == 1
    assert "Stopped: you stopped the questionnaire" in _flat(result.output)


def test_help_explains_itself() -> None:
    result = _run("--help")
    assert result.exit_code == 0
    out = _flat(result.output)
    for words in ("--answers", "--json", "YAML or JSON", "back", "skip", "not a diagnosis", "code 2"):
        assert words in out


def test_triage_demo_prints_the_sample_triage() -> None:
    buffer = io.StringIO()
    print_triage_demo(Console(file=buffer, width=100, highlight=False))
    out = _flat(buffer.getvalue())
    assert "typical_runner.yaml" in out
    assert "Level: self-manage" in out
    assert _flat(DISCLAIMER) in out


def test_assess_module_exposes_command() -> None:
    assert callable(heelcoach.cli.assess.assess_command)


def test_assess_saves_the_answers_so_plan_can_build_on_them() -> None:
    from heelcoach.services import intake, people
    from heelcoach.services.context import AppContext

    cli = CliRunner()
    done = cli.invoke(main_app, ["assess", "--answers", str(sample_answers_path())])
    assert done.exit_code == 0, done.output
    assert "Saved your answers" in done.output
    ctx = AppContext.from_settings()
    try:
        who = people.first_person(ctx)
        assert who is not None
        stored = intake.latest_intake(ctx, who.id)
        assert stored is not None
        assert stored.triage_level == "self_manage"
    finally:
        ctx.close()
    planned = cli.invoke(main_app, ["plan"])
    assert planned.exit_code == 0, planned.output
    assert "Plan version 1" in planned.output


def test_assess_no_save_stores_nothing() -> None:
    from heelcoach.services import people
    from heelcoach.services.context import AppContext

    done = CliRunner().invoke(main_app, ["assess", "--no-save", "--answers", str(sample_answers_path())])
    assert done.exit_code == 0, done.output
    assert "Saved your answers" not in done.output
    ctx = AppContext.from_settings()
    try:
        assert people.first_person(ctx) is None
    finally:
        ctx.close()
