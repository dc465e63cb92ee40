"""The PDF handout and the calendar file carry the plan a runner takes away."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
import yaml
from icalendar import Calendar

from heelcoach import DISCLAIMER
from heelcoach.domain import drivers as dr
from heelcoach.domain.plan import WEEKDAYS, Plan, PlanInput, build_plan
from heelcoach.domain.triage import triage
from heelcoach.knowledge import Catalogue
from heelcoach.services.handout import plan_ics, plan_pdf

SAMPLES = Path(__file__).resolve().parents[2] / "heelcoach" / "samples"


def _plan(catalogue: Catalogue, sample: str) -> Plan:
    raw = yaml.safe_load((SAMPLES / sample).read_text(encoding="utf-8"))
    answers = raw.get("answers", raw)
    result = triage(answers, catalogue)
    drivers = dr.infer_drivers(dr.intake_evidence(answers, catalogue), catalogue)
    return build_plan(
        PlanInput(answers=answers, triage=result, drivers=drivers, load=None, start=date(2026, 11, 23)),
        catalogue,
    )


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        raise RuntimeError("pdftotext (Debian poppler-utils) is needed: scripts/setup.sh --test installs it")
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, check=True, text=True)
    return " ".join(out.stdout.split())


def test_pdf_lists_every_item_with_dose_why_and_disclaimer(catalogue: Catalogue, tmp_path: Path) -> None:
    plan = _plan(catalogue, "typical_runner.yaml")
    pdf = plan_pdf(plan, catalogue)
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf, tmp_path)
    assert " ".join(DISCLAIMER.split()[:8]) in text
    for item in plan.items:
        assert item.title.split("(")[0].strip()[:20] in text
    assert "Why:" in text
    assert "Evidence:" in text
    assert "Running this week" in text


def test_pdf_of_a_referral_plan_says_see_a_clinician_first(catalogue: Catalogue, tmp_path: Path) -> None:
    plan = _plan(catalogue, "red_flag_runner.yaml")
    assert plan.referral
    text = _pdf_text(plan_pdf(plan, catalogue), tmp_path)
    assert "See a clinician first" in text
    assert "No running this week" in text


def test_ics_has_one_event_per_training_day_with_doses(catalogue: Catalogue) -> None:
    plan = _plan(catalogue, "typical_runner.yaml")
    cal = Calendar.from_ical(plan_ics(plan, weeks=2))
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    training_days = {d for i in plan.items if i.kind in ("exercise", "adjunct") for d in i.days}
    assert len(events) == 2 * len(training_days)
    for event in events:
        day = event.decoded("dtstart").date()
        weekday = WEEKDAYS[day.weekday()]
        todays = [i for i in plan.items if weekday in i.days and i.kind in ("exercise", "adjunct")]
        description = str(event.get("description"))
        for item in todays:
            assert item.title in description
        assert "not a diagnosis" in description


@pytest.mark.parametrize("weeks", [1, 3])
def test_ics_uids_are_stable_and_unique(catalogue: Catalogue, weeks: int) -> None:
    plan = _plan(catalogue, "typical_runner.yaml")
    first = Calendar.from_ical(plan_ics(plan, weeks=weeks))
    again = Calendar.from_ical(plan_ics(plan, weeks=weeks))
    uids = [str(c.get("uid")) for c in first.walk() if c.name == "VEVENT"]
    assert uids == [str(c.get("uid")) for c in again.walk() if c.name == "VEVENT"]
    assert len(uids) == len(set(uids))
