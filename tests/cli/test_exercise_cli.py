"""``heelcoach exercise ID``: how-to steps, dose, evidence with readable sources, and the picture."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from heelcoach.cli.main import app
from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.illustrations import illustrated_ids


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


def test_prints_every_step_dose_and_readable_sources(cli: CliRunner, catalogue: Catalogue) -> None:
    result = cli.invoke(app, ["exercise", "plantar_fascia_specific_stretch"])
    assert result.exit_code == 0, result.output
    exercise = catalogue.exercises["plantar_fascia_specific_stretch"]
    text = " ".join(result.output.split())
    for step in exercise.levels[0].instructions:
        assert " ".join(step.split()) in text
    assert "Dose: 10 times, hold 10 s, each side, 3 times a day, every day" in text
    assert "DiGiovanni BF et al. (2003). Tissue-specific plantar fascia-stretching exercise" in text
    assert "digiovanni_2003" not in text
    assert "not a diagnosis" in text


def test_every_item_has_steps_on_the_command_line(cli: CliRunner, catalogue: Catalogue) -> None:
    for item_id in illustrated_ids(catalogue):
        result = cli.invoke(app, ["exercise", item_id, "--json"])
        assert result.exit_code == 0, (item_id, result.output)
        sheet = json.loads(result.output)
        assert all(level["steps"] for level in sheet["levels"]), item_id
        assert sheet["citations"], item_id
        assert not any("seeds/" in c or "_" in c.split()[0] for c in sheet["citations"]), sheet["citations"]
        assert "seed 0" not in sheet["evidence_note"].lower(), item_id


def test_writes_the_svg_and_png(cli: CliRunner, tmp_path: Path) -> None:
    svg, png, one = tmp_path / "out" / "lunge.svg", tmp_path / "lunge.png", tmp_path / "lunge-1.png"
    result = cli.invoke(app, ["exercise", "lunge", "--level", "2", "--svg", str(svg), "--png", str(png)])
    assert result.exit_code == 0, result.output
    assert "Level 2: Forward lunge" in result.output
    assert "Level 1:" not in result.output
    assert svg.read_text(encoding="utf-8").startswith("<svg")
    assert "<animate" in svg.read_text(encoding="utf-8")
    assert Image.open(io.BytesIO(png.read_bytes())).size[0] > 960
    single = cli.invoke(app, ["exercise", "lunge", "--png", str(one), "--frame", "2"])
    assert single.exit_code == 0, single.output
    assert Image.open(io.BytesIO(one.read_bytes())).size == (480, 360)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["exercise", "calf_strech"], "Did you mean standing_calf_stretch?"),
        (["exercise", "lunge", "--level", "7"], "has levels 1 to 3"),
        (["exercise", "lunge", "--png", "x.png", "--frame", "5"], "--frame 1 to 2"),
        (["exercise"], "name an exercise or self-test"),
    ],
)
def test_bad_input_gets_a_message_not_a_traceback(cli: CliRunner, args: list[str], message: str) -> None:
    result = cli.invoke(app, args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_list_names_every_item(cli: CliRunner, catalogue: Catalogue) -> None:
    result = cli.invoke(app, ["exercise", "--list"])
    assert result.exit_code == 0
    for item_id in illustrated_ids(catalogue):
        assert item_id in result.output


def test_contact_sheet_of_every_illustration(cli: CliRunner, tmp_path: Path, catalogue: Catalogue) -> None:
    sheet = tmp_path / "all.png"
    result = cli.invoke(app, ["exercise", "--contact-sheet", str(sheet)])
    assert result.exit_code == 0, result.output
    width, height = Image.open(io.BytesIO(sheet.read_bytes())).size
    rows = -(-len(illustrated_ids(catalogue)) // 2)
    assert width > 1000
    assert height > rows * 180
