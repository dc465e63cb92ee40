"""Kilometres or miles: one pure conversion, stored in km, shown in the runner's unit on every page,
in the PDF handout and on the command line; distances typed in miles are stored back in km."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from heelcoach.domain.units import KM_PER_MILE, DistanceUnit, distance, from_km, parse_unit, to_km
from heelcoach.errors import InvalidInputError
from heelcoach.services import imports
from heelcoach.store.base import transaction
from heelcoach.store.repositories import Repos
from tests.pdf_text import pdf_text
from tests.web.answers import TYPICAL
from tests.web.conftest import answer_all, csrf_of, main_text

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "activities"
KM_WORD = re.compile(r"\bkm\b|kilomet", re.I)
MI_WORD = re.compile(r"\bmi\b")


def _person(web_ctx: Any) -> int:
    with transaction(web_ctx.sessions) as s:
        person = Repos(s).people.first()
        assert person is not None
        return person.id


@pytest.mark.parametrize("typed", [0.0, 0.1, 1.0, 3.1, 5.0, 13.1, 26.2, 186.0])
def test_a_distance_typed_in_miles_comes_back_as_typed(typed: float) -> None:
    km = to_km(typed, DistanceUnit.MI)
    assert km == pytest.approx(typed * KM_PER_MILE)
    assert from_km(km, DistanceUnit.MI) == pytest.approx(typed)
    assert to_km(typed, DistanceUnit.KM) == typed


def test_units_read_and_written_plainly() -> None:
    assert distance(42.195, DistanceUnit.MI) == "26.2 mi"
    assert distance(10.0, DistanceUnit.KM) == "10 km"
    assert distance(12.0, DistanceUnit.KM, trim=False) == "12.0 km"
    assert parse_unit(" Miles ") is DistanceUnit.MI
    assert parse_unit("kilometres") is DistanceUnit.KM
    with pytest.raises(InvalidInputError, match=r"use km .* or mi"):
        parse_unit("furlongs")


def _set_miles(client: Any) -> None:
    token = csrf_of(client, "/settings")
    bad = client.post("/settings/units", data={"csrf_token": token, "unit": "leagues"})
    assert bad.status_code == 422
    assert "is not a distance unit" in bad.text
    saved = client.post("/settings/units", data={"csrf_token": token, "unit": "mi"})
    assert saved.status_code == 200
    assert "Distances are now shown in miles." in saved.text
    assert 'value="mi" checked' in saved.text


def test_a_miles_runner_sees_miles_and_never_km_on_any_page(
    client: Any, web_ctx: Any, tmp_path: Path
) -> None:
    # miles chosen first: the plan's own explanations are written in miles from its first version
    _set_miles(client)
    answer_all(client, web_ctx.catalogue, TYPICAL)
    assert client.post("/start/plan", data={"csrf_token": csrf_of(client)}).status_code == 200
    onboarded = client
    pid = _person(web_ctx)
    imports.import_paths(web_ctx, pid, [DATA / "fit/6782987395.fit", DATA / "fit/2067489619.fit"])
    # a check-in with yesterday's run typed in miles is stored in km
    token = csrf_of(onboarded, "/today")
    done = onboarded.post(
        "/checkin",
        data={"csrf_token": token, "first_step_pain": "2", "run_km": "5", "run_pain_during": "1"},
    )
    assert done.status_code == 200, done.text[-2000:]
    with transaction(web_ctx.sessions) as s:
        stored = Repos(s).checkins.get(pid, date.today())
    assert stored is not None
    assert stored.run_km == pytest.approx(5 * KM_PER_MILE, abs=0.001)
    runs = onboarded.get("/runs")
    detail = re.search(r'href="(/runs/detail/[0-9a-f]{64}/\d+)"', runs.text)
    assert detail, "a run with a detail page"
    # every page but Settings, whose chooser names both units
    pages = ["/today", "/plan", "/runs", "/progress", detail.group(1), "/session", "/settings/reminders"]
    for path in pages:
        page = onboarded.get(path)
        assert page.status_code == 200, path
        text = main_text(page.text)
        assert not KM_WORD.search(text), (path, KM_WORD.search(text), text[:3000])
        svg = " ".join(re.findall(r"<svg.*?</svg>", page.text, re.S))
        assert not KM_WORD.search(svg), (path, "chart")
    for path in ["/today", "/plan", "/runs", "/progress", detail.group(1)]:
        assert MI_WORD.search(main_text(onboarded.get(path).text) + onboarded.get(path).text), path
    today = onboarded.get("/today").text
    assert "Distance run yesterday (mi)" in today
    pdf = onboarded.get("/plan/handout.pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.content, tmp_path)
    assert not KM_WORD.search(text), KM_WORD.search(text)
    assert MI_WORD.search(text)


def test_kilometres_stay_the_default(onboarded: Any) -> None:
    assert 'value="km" checked' in onboarded.get("/settings").text
    today = onboarded.get("/today").text
    assert "Distance run yesterday (km)" in today


def test_the_cli_shows_and_reads_miles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from heelcoach.cli.main import app
    from heelcoach.services.assess import sample_answers_path

    monkeypatch.setenv("HEELCOACH_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("HEELCOACH_DATA_DIR", str(tmp_path / "data"))
    cli = CliRunner()
    today = date.today().isoformat()
    assert cli.invoke(app, ["assess", "--answers", str(sample_answers_path())]).exit_code == 0
    wrong = cli.invoke(app, ["units", "parsecs"])
    assert wrong.exit_code == 2
    assert "is not a distance unit" in wrong.output
    assert "Distances are now shown in miles (mi)." in cli.invoke(app, ["units", "miles"]).output
    assert "Distances are shown in miles" in cli.invoke(app, ["units"]).output
    made = cli.invoke(app, ["plan", "--today", today])
    assert made.exit_code == 0, made.output
    imported = cli.invoke(app, ["import", str(DATA / "fit/6782987395.fit")])
    assert imported.exit_code == 0, imported.output
    outputs = {}
    outputs["plan"] = cli.invoke(app, ["plan", "--today", today])
    outputs["checkin"] = cli.invoke(
        app, ["checkin", "--first-step", "2", "--run-distance", "3.1", "--run-pain-during", "1"]
    )
    outputs["progress"] = cli.invoke(app, ["progress"])
    outputs["runs"] = cli.invoke(app, ["runs", "--day", "2019-06-15"])
    outputs["review"] = cli.invoke(app, ["review", "--force", "--today", today])
    pdf = tmp_path / "plan.pdf"
    outputs["handout"] = cli.invoke(app, ["handout", "--pdf", str(pdf)])
    for name, result in outputs.items():
        assert result.exit_code == 0, (name, result.output)
        assert not KM_WORD.search(result.output), (name, result.output)
    for name in ("plan", "progress", "runs"):
        assert MI_WORD.search(outputs[name].output), name
    text = pdf_text(pdf.read_bytes(), tmp_path)
    assert not KM_WORD.search(text)
    assert MI_WORD.search(text)
    shown = cli.invoke(app, ["checkin", "--json", "--first-step", "2", "--run-distance", "3.1"])
    assert '"run_km": 4.989' in shown.output  # 3.1 mi stored as km
    both = cli.invoke(app, ["checkin", "--first-step", "2", "--run-distance", "3", "--run-km", "5"])
    assert both.exit_code == 2


def test_the_demo_in_miles_never_says_km() -> None:
    from heelcoach.cli.main import app

    result = CliRunner().invoke(app, ["demo", "--units", "mi", "--weeks", "4"])
    assert result.exit_code == 0, result.output
    assert not KM_WORD.search(result.output), KM_WORD.search(result.output)
    assert "mi at most" in result.output or "mi." in result.output
