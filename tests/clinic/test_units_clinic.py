"""A clinician reads a miles runner's own numbers: the runner view (the answers behind the triage,
check-ins, plan texts and the weekly-cap form) and the hand-over report show no "km" at all; a cap
typed in miles is converted once and stored in km. The FHIR bundle and the JSON keep km, and the
JSON says which unit the runner reads (issue 15, item 6)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from heelcoach.domain.units import KM_PER_MILE, DistanceUnit
from heelcoach.services import planning
from heelcoach.services.units import save_unit
from tests.clinic.clinic_world import World, _login
from tests.pdf_text import pdf_text
from tests.web.conftest import main_text
from tests.web.test_units_sweep import KM_WORD, MI_WORD, km_history


def _lived_in(world: World, pid: int) -> None:
    """A plan from two weeks ago, check-ins with runs, two real watch files and a weekly review,
    all written while the runner counted in km."""
    km_history(world.ctx, pid, days=14, pain=3)


def _post(client: Any, path: str, form: dict[str, str]) -> Any:
    return client.post(
        path, data={**form, "csrf_token": client.headers["x-csrf-token"]}, follow_redirects=False
    )


def _cap_km(world: World, pid: int) -> float | None:
    _record, plan = planning.current_plan(world.ctx, pid)
    return plan.run.weekly_km_cap


def _problem(html: str) -> str:
    """The problem the page shows (for a failing assertion's message)."""
    found = re.search(r'role="alert">(.*?)</p>', html, re.S)
    return found.group(1) if found else html[-1500:]


def _no_km(text: str, where: str) -> None:
    found = KM_WORD.search(text)
    assert not found, (where, text[max(0, found.start() - 300) : found.end() + 100])


@pytest.fixture
def miles_runner(world: World) -> int:
    pid = world.people["runner"]
    _lived_in(world, pid)
    save_unit(world.ctx, pid, DistanceUnit.MI)
    return pid


def test_the_clinicians_runner_view_and_handover_of_a_miles_runner_say_no_km(
    world: World, miles_runner: int, tmp_path: Path
) -> None:
    pid = miles_runner
    pt = _login(world.app, world.users["clinician"])
    page = pt.get(f"/clinic/people/{pid}")
    assert page.status_code == 200
    text = main_text(page.text)
    _no_km(text, "runner view")
    # the answers behind the triage, asked and answered in miles: 25 km a week is 15.53 mi
    assert "About how many miles do you run in a normal week? 15.53 mi" in text, text[:4000]
    # the cap form asks in miles and shows the cap now in miles
    cap = _cap_km(world, pid)
    assert cap is not None
    assert "Cap weekly running (miles)" in text
    shown = f"{cap / KM_PER_MILE:.1f}".rstrip("0").rstrip(".")
    assert re.search(
        rf"Weekly running cap, miles \(cap; the runner's unit; now {re.escape(shown)} mi\b", text
    ), text
    assert 'name="cap_unit" value="mi"' in page.text
    pdf = pt.get(f"/clinic/people/{pid}/handover.pdf")
    assert pdf.status_code == 200
    report = pdf_text(pdf.content, tmp_path)
    _no_km(report, "hand-over report")
    assert "Running load, last 12 weeks (mi)" in report
    assert f"at most {shown} mi a week" in report
    assert "Before these weeks:" in report
    assert MI_WORD.search(report.split("Before these weeks:")[1][:40])
    assert "About how many miles do you run in a normal week? -> 15.53 mi" in report


def test_a_cap_typed_in_miles_is_stored_once_in_km(world: World, miles_runner: int) -> None:
    pid = miles_runner
    pt = _login(world.app, world.users["clinician"])
    before = _cap_km(world, pid)
    assert before is not None
    assert before > 5 * KM_PER_MILE
    done = _post(
        pt,
        f"/clinic/people/{pid}/plan",
        {"kind": "run_cap", "weekly_cap": "5", "cap_unit": "mi", "reason": "Flare after the long run."},
    )
    assert done.status_code == 303, _problem(done.text)
    assert _cap_km(world, pid) == pytest.approx(5 * KM_PER_MILE, abs=0.001)
    text = main_text(pt.get(f"/clinic/people/{pid}").text)
    assert "now 5 mi" in text
    _no_km(text, "runner view after the cap")
    # the runner's own plan says the same number in their unit
    ann = _login(world.app, world.users["runner"])
    plan_page = main_text(ann.get("/plan").text)
    assert re.search(r"\b5 mi\b", plan_page)
    _no_km(plan_page, "the runner's plan")


def test_the_cap_form_says_its_unit_and_an_empty_or_bad_cap_is_explained(
    world: World, miles_runner: int
) -> None:
    pid = miles_runner
    pt = _login(world.app, world.users["clinician"])
    before = _cap_km(world, pid)
    empty = _post(pt, f"/clinic/people/{pid}/plan", {"kind": "run_cap", "cap_unit": "mi", "reason": "Less."})
    assert empty.status_code == 422
    assert "Give the weekly running cap in miles" in empty.text, _problem(empty.text)
    bad = _post(
        pt,
        f"/clinic/people/{pid}/plan",
        {"kind": "run_cap", "weekly_cap": "ten", "cap_unit": "mi", "reason": "x"},
    )
    assert bad.status_code == 422
    assert "give a number, not &#39;ten&#39;" in bad.text, _problem(bad.text)
    _no_km(main_text(bad.text), "the form with a problem")
    assert _cap_km(world, pid) == before


def test_a_form_shown_in_km_is_read_in_km_even_if_the_runner_changed_unit_since(
    world: World, miles_runner: int
) -> None:
    """The form says which unit it asked in: a page opened before the runner chose miles still
    means kilometres, and a script's ``weekly_km`` is kilometres as its name says."""
    pid = miles_runner
    pt = _login(world.app, world.users["clinician"])
    done = _post(
        pt,
        f"/clinic/people/{pid}/plan",
        {"kind": "run_cap", "weekly_cap": "7", "cap_unit": "km", "reason": "Less for now."},
    )
    assert done.status_code == 303, _problem(done.text)
    assert _cap_km(world, pid) == 7
    done = _post(
        pt, f"/clinic/people/{pid}/plan", {"kind": "run_cap", "weekly_km": "6", "reason": "Less again."}
    )
    assert done.status_code == 303, _problem(done.text)
    assert _cap_km(world, pid) == 6


def test_a_kilometres_runner_is_still_shown_km(world: World, tmp_path: Path) -> None:
    pid = world.people["other_runner"]
    _lived_in(world, pid)
    pt = _login(world.app, world.users["clinician"])
    text = main_text(pt.get(f"/clinic/people/{pid}").text)
    assert "About how many kilometres do you run in a normal week? 25 km" in text
    assert "Cap weekly running (kilometres)" in text
    assert not re.search(r"\d\s*(mi|miles?)\b", text)
    report = pdf_text(pt.get(f"/clinic/people/{pid}/handover.pdf").content, tmp_path)
    assert "Running load, last 12 weeks (km)" in report
    assert not re.search(r"\d\s*(mi|miles?)\b", report)


def test_fhir_and_json_keep_km_and_say_the_runners_unit(world: World, miles_runner: int) -> None:
    pid = miles_runner
    planning.make_plan(world.ctx, pid)  # a plan written in miles: its running texts say mi
    _record, plan = planning.current_plan(world.ctx, pid)
    assert MI_WORD.search(plan.run.why), plan.run.why
    pt = _login(world.app, world.users["clinician"])
    bundle = pt.get(f"/clinic/people/{pid}/handover.fhir.json").json()
    running = next(
        a["detail"]["description"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "CarePlan"
        for a in e["resource"]["activity"]
        if a["detail"]["code"]["text"] == "Running"
    )
    assert re.search(r"at most \d+(\.\d+)? km a week", running), running
    assert not MI_WORD.search(running), running
    export = pt.get(f"/api/people/{pid}/export").json()
    assert export["distance_unit"] == "mi"
    progress = pt.get(f"/api/people/{pid}/progress").json()
    assert progress["distance_unit"] == "mi"
    assert any(c.get("run_km") == 6.0 for c in progress["pain"])  # numbers stay in km
    assert pt.get(f"/api/people/{pid}/plan").json()["distance_unit"] == "mi"
    other = world.people["other_runner"]
    assert pt.get(f"/api/people/{other}/export").json()["distance_unit"] == "km"
