"""``heelcoach assess`` with an answers file written for the version-2 questionnaire: it still
loads, the new questions are named as not answered (the safer assumption: caution), and
``--ask-missing`` asks exactly those questions. The plan for a self-manageable look-alike is built
through the same command the runner uses.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from heelcoach.cli.app import app
from heelcoach.cli.demo import print_triage_demo  # noqa: F401  (registers a second command)
from heelcoach.domain.triage import unanswered_questions
from heelcoach.knowledge import load_catalogue
from tests.domain.test_triage_vignettes import BASE
from tests.domain.test_triage_vignettes_v3 import FAT_PAD

RUNNER = CliRunner()
V2_FILE = Path(__file__).parents[1] / "domain" / "data" / "answers_v2_typical_runner.yaml"


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_a_version_2_answers_file_loads_and_says_what_is_not_answered() -> None:
    result = RUNNER.invoke(app, ["assess", "--answers", str(V2_FILE), "--json", "--no-save"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["level"] == "caution"
    assert "puncture_wound" in data["unanswered"]
    assert any(c["id"] == "not_answered" for c in data["cautions"])
    assert data["next_steps"][0].startswith("Answer the questions")


def test_ask_missing_asks_only_the_new_questions() -> None:
    raw = yaml.safe_load(V2_FILE.read_text(encoding="utf-8"))
    missing = unanswered_questions(raw, load_catalogue())
    # painful side, then 'no' to every yes/no, 'none' for the clot risks, 'does not apply' for periods
    by_id = {q.id: q for q in load_catalogue().triage.questions}
    lines = []
    for qid in [q.id for q in load_catalogue().triage.questions if q.id in missing]:
        q = by_id[qid]
        if qid == "painful_side":
            lines.append("left")
        elif q.type == "choice":
            lines.append(q.choice_ids()[-1])
        else:
            lines.append("none" if q.type == "multi" else "no")
    result = RUNNER.invoke(
        app,
        ["assess", "--answers", str(V2_FILE), "--ask-missing", "--no-save"],
        input="\n".join(lines) + "\n",
    )
    assert result.exit_code == 0, result.output
    out = _flat(result.stdout)
    assert f"{len(missing)} questions were added since this file was written" in out
    assert f"1/{len(missing)}. Which heel hurts?" in out
    assert "How old are you" not in out  # the questions already answered are not asked again
    assert "Level: self-manage" in out


def test_the_fat_pad_runner_is_told_what_the_plan_treats(tmp_path: Path) -> None:
    path = tmp_path / "fat_pad.yaml"
    path.write_text(yaml.safe_dump({**BASE, **FAT_PAD}), encoding="utf-8")
    result = RUNNER.invoke(app, ["assess", "--answers", str(path)])
    assert result.exit_code == 0, result.output
    out = _flat(result.stdout)
    assert "Level: self-manage" in out
    assert "Your plan will treat: heel fat pad syndrome" in out
    plan = RUNNER.invoke(app, ["plan"])
    assert plan.exit_code == 0, plan.output
    text = _flat(plan.stdout)
    assert "What this plan treats: Heel fat pad syndrome" in text
    assert "Cushioning heel cups" in text
    assert "Taping that holds the fat pad together" in text


def test_a_wound_through_the_sole_is_urgent_and_infection_is_listed_first(tmp_path: Path) -> None:
    path = tmp_path / "nail.yaml"
    path.write_text(yaml.safe_dump({**BASE, "puncture_wound": True}), encoding="utf-8")
    result = RUNNER.invoke(app, ["assess", "--answers", str(path), "--no-save"])
    assert result.exit_code == 0, result.output
    out = _flat(result.stdout)
    assert "Level: emergency" in out
    assert "! A wound through the sole (urgent, today)" in out
    assert "1. Infection of the heel (bone or soft tissue, including osteomyelitis)" in out
    assert "listed first: a warning sign points to it" in out
    assert out.index("Infection of the heel") < out.index("Plantar fasciitis —")
