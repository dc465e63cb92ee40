"""A runner who chooses miles after their plan, check-ins, an imported run and a weekly review were
written in kilometres sees miles everywhere: every runner page, the answers they gave, the PDF
handout and the CLI. A kilometres runner still sees kilometres (issue 15, item 6)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from heelcoach.domain.units import DistanceUnit, in_unit
from heelcoach.services import checkins, imports, planning, weekly_review
from heelcoach.store.base import transaction
from heelcoach.store.repositories import Repos
from tests.pdf_text import pdf_text
from tests.web.answers import TYPICAL
from tests.web.conftest import answer_all, csrf_of, main_text

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "activities"
KM_WORD = re.compile(r"\bkm\b|kilomet", re.I)
MI_WORD = re.compile(r"\bmi\b|\bmiles?\b")
#: Old shoes and a usual week: the plan's texts then name distances (shoe wear, the running cap).
ANSWERS = {**TYPICAL, "shoe_age_km": 1100}


def km_history(ctx: Any, pid: int, days: int, pain: int) -> None:
    """A plan from ``days`` ago, two real watch files, a check-in a day (pain ``pain``, a 6 km run
    every other day) and a weekly review today: stored texts written while the runner counts in km."""
    today = date.today()
    start = today - timedelta(days=days)
    planning.make_plan(ctx, pid, start=start)
    imports.import_paths(ctx, pid, [DATA / "fit/6782987395.fit", DATA / "fit/2067489619.fit"])
    for n in range(days):
        ran = n % 2 == 0
        entry = checkins.CheckInInput(
            day=start + timedelta(days=n),
            first_step_pain=pain,
            worst_pain=pain,
            run_km=6.0 if ran else None,
            run_pain_during=1 if ran else None,
            run_pain_after=1 if ran else None,
        )
        checkins.record_checkin(ctx, pid, entry, today=today)
    weekly_review.run_weekly_review(ctx, pid, today)


def _lived_in(client: Any, web_ctx: Any) -> int:
    """Answers (in km: nothing chosen yet), a plan from a week ago, a week of check-ins with runs,
    two real watch files and a weekly review: every stored text written in kilometres."""
    answer_all(client, web_ctx.catalogue, ANSWERS)
    assert client.post("/start/plan", data={"csrf_token": csrf_of(client)}).status_code == 200
    with transaction(web_ctx.sessions) as s:
        person = Repos(s).people.first()
        assert person is not None
        pid = person.id
    km_history(web_ctx, pid, days=7, pain=2)
    _record, plan = planning.current_plan(web_ctx, pid)
    stored = " ".join([plan.run.why, *(i.why for i in plan.items)])
    assert KM_WORD.search(stored), "the stored texts name distances in km (else this test proves nothing)"
    return pid


def _choose(client: Any, unit: str) -> None:
    saved = client.post("/settings/units", data={"csrf_token": csrf_of(client), "unit": unit})
    assert saved.status_code == 200, saved.text[-1500:]


def _pages(client: Any) -> dict[str, str]:
    runs = client.get("/runs")
    detail = re.search(r'href="(/runs/detail/[0-9a-f]{64}/\d+)"', runs.text)
    assert detail, "a run with a detail page"
    paths = ["/today", "/plan", "/runs", detail.group(1), "/progress", "/start/summary", "/start/result"]
    paths += ["/settings", "/session", "/settings/reminders"]
    pages = {}
    for path in paths:
        page = client.get(path)
        assert page.status_code == 200, (path, page.text[-1500:])
        html = page.text
        if path == "/settings":  # the chooser names both units; the rest of the page must not
            html = re.sub(r'<fieldset[^>]*aria-label="Distance unit">.*?</fieldset>', "", html, flags=re.S)
        pages[path] = main_text(html) + " " + " ".join(re.findall(r"<svg.*?</svg>", html, re.S))
    return pages


def _cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The CLI on the same store: plan, runs, checkin, review, progress, and the handout's PDF."""
    from heelcoach.cli.main import app

    monkeypatch.setenv("HEELCOACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("HEELCOACH_DATABASE_URL", raising=False)
    cli = CliRunner()
    today = date.today().isoformat()
    pdf = tmp_path / "cli-handout.pdf"
    commands = {
        "plan": ["plan", "--today", today],
        "runs": ["runs", "--day", "2019-06-15"],
        "checkin": ["checkin", "--first-step", "2", "--run-distance", "3", "--run-pain-during", "1"],
        "progress": ["progress"],
        "review": ["review", "--force", "--today", today],
        "handout": ["handout", "--pdf", str(pdf)],
    }
    outputs = {}
    for name, args in commands.items():
        result = cli.invoke(app, args)
        assert result.exit_code == 0, (name, result.output)
        outputs[name] = result.output
    outputs["pdf"] = pdf_text(pdf.read_bytes(), tmp_path)
    return outputs


def test_miles_chosen_after_everything_was_written_in_km_shows_miles_everywhere(
    client: Any, web_ctx: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _lived_in(client, web_ctx)
    _choose(client, "mi")
    pages = _pages(client)
    for path, text in pages.items():
        found = KM_WORD.search(text)
        assert not found, (path, text[max(0, found.start() - 300) : found.end() + 100])
    for path in ["/today", "/plan", "/runs", "/progress", "/start/summary", "/settings"]:
        assert MI_WORD.search(pages[path]), path
    assert re.search(r"\b\d+(\.\d)? mi\b", next(t for p, t in pages.items() if p.startswith("/runs/detail")))
    # the answers come back in miles: 25 km a week is 15.5 mi, the shoes' 1100 km are 683.5 mi
    summary = pages["/start/summary"]
    assert "About how many miles do you run in a normal week? 15.53 mi" in summary, summary[:3000]
    assert "683.5" in summary
    pdf = client.get("/plan/handout.pdf")
    text = pdf_text(pdf.content, tmp_path)
    assert not KM_WORD.search(text), text[max(0, KM_WORD.search(text).start() - 200) :][:300]  # type: ignore[union-attr]
    assert MI_WORD.search(text)
    for name, output in _cli(tmp_path, monkeypatch).items():
        found = KM_WORD.search(output)
        assert not found, (name, output[max(0, found.start() - 300) : found.end() + 100])
        if name != "handout":  # it says which file it wrote; the PDF's own text is "pdf"
            assert MI_WORD.search(output), (name, output[:2000])


def test_a_kilometres_runner_still_sees_kilometres(client: Any, web_ctx: Any, tmp_path: Path) -> None:
    _lived_in(client, web_ctx)
    _choose(client, "mi")
    _choose(client, "km")  # and back: texts written in either unit are shown in km
    pages = _pages(client)
    for path in ["/today", "/plan", "/runs", "/progress", "/start/summary"]:
        assert KM_WORD.search(pages[path]), path
        assert not re.search(r"\d\s*(mi|miles?)\b", pages[path]), path
    assert "About how many kilometres do you run in a normal week? 25 km" in pages["/start/summary"]
    text = pdf_text(client.get("/plan/handout.pdf").content, tmp_path)
    assert KM_WORD.search(text)


@pytest.mark.parametrize(
    ("text", "unit", "shown"),
    [
        ("up to 14 km, capped at 20.5 km.", DistanceUnit.MI, "up to 8.7 mi, capped at 12.7 mi."),
        ("your shoes have about 1100 km on them", DistanceUnit.MI, "your shoes have about 684 mi on them"),
        ("You ran 8.7 mi", DistanceUnit.KM, "You ran 14 km"),
        ("repeat for 1 mile (1.6 km)", DistanceUnit.MI, "repeat for 1 mile"),
        ("repeat for 1 mile (1.6 km)", DistanceUnit.KM, "repeat for 1.6 km"),
        ("about 500-800 km (300-500 miles)", DistanceUnit.MI, "about 300-500 miles"),
        ("A rough average. (1 mile = 1.6 km.)", DistanceUnit.MI, "A rough average. (1 mile = 1.6 km.)"),
        ("Walk 2 min, run 3 min", DistanceUnit.KM, "Walk 2 min, run 3 min"),
        ("Kilometres (km) or miles", DistanceUnit.MI, "Kilometres (km) or miles"),
        ("capped at 12\n    km.", DistanceUnit.MI, "capped at 7.5 mi."),
    ],
)
def test_a_stored_text_is_shown_in_todays_unit(text: str, unit: DistanceUnit, shown: str) -> None:
    assert in_unit(text, unit) == shown
