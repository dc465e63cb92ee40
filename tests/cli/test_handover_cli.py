"""``heelcoach handover``: the hand-over report (PDF) and the FHIR bundle of the stored runner."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from typer.testing import CliRunner

from heelcoach.cli.main import app
from heelcoach.services.assess import sample_answers_path


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("HEELCOACH_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("HEELCOACH_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def test_handover_writes_the_report_and_the_bundle(cli: CliRunner, tmp_path: Path) -> None:
    made = cli.invoke(
        app, ["plan", "--answers", str(sample_answers_path()), "--today", date.today().isoformat()]
    )
    assert made.exit_code == 0, made.output
    pdf, fhir = tmp_path / "handover.pdf", tmp_path / "handover.fhir.json"
    result = cli.invoke(app, ["handover", "--pdf", str(pdf), "--fhir", str(fhir)])
    assert result.exit_code == 0, result.output
    assert f"wrote {pdf}" in result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    bundle = Bundle.model_validate(json.loads(fhir.read_text(encoding="utf-8")))
    kinds = [e.resource.get_resource_type() for e in bundle.entry or []]  # type: ignore[union-attr]
    assert kinds[:3] == ["Patient", "Condition", "CarePlan"]


def test_handover_without_a_target_or_anyone_says_what_to_do(cli: CliRunner, tmp_path: Path) -> None:
    nothing = cli.invoke(app, ["handover"])
    assert nothing.exit_code == 2
    assert "--fhir" in nothing.output
    nobody = cli.invoke(app, ["handover", "--pdf", str(tmp_path / "x.pdf")])
    assert nobody.exit_code != 0
    assert "Traceback" not in nobody.output
    assert not (tmp_path / "x.pdf").exists()
