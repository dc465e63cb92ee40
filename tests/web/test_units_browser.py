"""In a real Chromium: a runner who counts in miles is asked the intake's distances in miles and the
answers are stored in km; the clinician's view of a miles runner shows the check-in runs in miles.
Screenshots at phone and desktop widths of the question page and the clinician's runner view."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest

from heelcoach.config import Settings
from heelcoach.domain.units import KM_PER_MILE, DistanceUnit
from heelcoach.services import accounts, checkins, intake, people, planning, units
from heelcoach.services.context import AppContext
from heelcoach.store.base import transaction
from heelcoach.store.repositories import Repos
from tests.clinic.clinic_world import PASSWORD
from tests.web.answers import TYPICAL, form_fields
from tests.web.browser import DESKTOP, PHONE, chromium, serve, shots_dir

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = shots_dir(Path("/tmp/shots-units"))
TODAY = date.today()

#: Fill a group's fields from a {name: value or [values]} map, as a person's clicks leave them.
FILL = """(fields) => {
  for (const [name, value] of Object.entries(fields)) {
    const values = Array.isArray(value) ? value : [value];
    for (const el of document.querySelectorAll(`[name="${name}"]`)) {
      if (el.type === "radio" || el.type === "checkbox") el.checked = values.includes(el.value);
      else el.value = values[0];
    }
  }
}"""


def _shoot(page: Any, name: str) -> None:
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=True)


def test_a_miles_runner_answers_the_distance_questions_in_miles(tmp_path: Path) -> None:
    from heelcoach.web.app import create_app

    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None))
    person = people.create_person(ctx, "Miles")
    units.save_unit(ctx, person.id, DistanceUnit.MI)
    groups = list(dict.fromkeys(q.group for q in ctx.catalogue.triage.questions))
    with serve(create_app(ctx)) as url, chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        page.goto(url + "/start")
        for group in groups:
            page.wait_for_url(f"{url}/start/q/{group}")
            ids = [q.id for q in ctx.catalogue.triage.questions if q.group == group]
            fields = form_fields({k: v for k, v in TYPICAL.items() if k != "weekly_distance_km"}, ids)
            page.evaluate(FILL, json.loads(json.dumps(fields)))
            if group == "running":
                label = page.inner_text("label[for=q_weekly_distance_km]")
                assert label == "About how many miles do you run in a normal week?"
                field = page.locator("#field-weekly_distance_km")
                assert "mi" in field.inner_text().split()
                assert page.get_attribute("#q_weekly_distance_km", "max") == "186"
                assert "kilomet" not in page.inner_text("main").lower()
                page.fill("#q_weekly_distance_km", "200")  # over the bound, said in miles
                page.click("form button[type=submit]")
                error = page.inner_text("#err-weekly_distance_km")
                assert error == "This should be at most 186 mi."
                page.fill("#q_weekly_distance_km", "30")
                page.fill("#q_longest_run_km", "10")
                _shoot(page, "intake-running-miles")
            page.click("form button[type=submit]")
        page.wait_for_url(url + "/start/result")
        page.goto(url + "/start/summary")
        summary = page.inner_text("main")
        assert "About how many miles do you run in a normal week?" in summary
        assert "30 mi" in summary
    with transaction(ctx.sessions) as s:
        stored = Repos(s).intakes.latest(person.id)
        assert stored is not None
        answers = dict(stored.answers)
    ctx.close()
    assert answers["weekly_distance_km"] == pytest.approx(30 * KM_PER_MILE, abs=0.001)
    assert answers["longest_run_km"] == pytest.approx(10 * KM_PER_MILE, abs=0.001)


def test_the_clinician_sees_a_miles_runners_runs_in_miles(tmp_path: Path) -> None:
    from heelcoach.web.app import create_app

    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None, clinic=True))
    pt = accounts.add_user(ctx, "pt@example.org", "clinician", "Northside", PASSWORD)
    ann = accounts.add_user(ctx, "ann@example.org", "runner", "Northside", PASSWORD)
    assert ann.person_id is not None
    assert pt.totp_secret is not None
    intake.save_intake(ctx, ann.person_id, TYPICAL)
    planning.make_plan(ctx, ann.person_id, start=TODAY - timedelta(days=7))
    units.save_unit(ctx, ann.person_id, DistanceUnit.MI)
    for back in range(6, 0, -1):
        entry = checkins.CheckInInput(day=TODAY - timedelta(days=back), first_step_pain=3, run_km=8.0467)
        checkins.record_checkin(ctx, ann.person_id, entry, today=TODAY)
    with serve(create_app(ctx)) as url, chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        page.goto(url + "/login")
        page.fill("#email", pt.email)
        page.fill("#password", PASSWORD)
        page.fill("#code", pyotp.TOTP(pt.totp_secret).now())
        page.click("button[type=submit]")
        page.wait_for_url(url + "/clinic")
        page.goto(f"{url}/clinic/people/{ann.person_id}")
        table = page.locator("table").filter(has=page.locator("thead", has_text="First-step pain"))
        assert "Run, mi" in table.locator("thead").inner_text()
        assert table.locator("tbody tr").first.locator("td").nth(3).inner_text() == "5"  # 8.05 km
        assert "Distances in miles, as this runner chose" in page.inner_text("main")
        _shoot(page, "clinic-runner-miles")
    ctx.close()
