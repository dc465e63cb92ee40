"""In a real Chromium at phone (390 px) and desktop (1280 px) widths, the clinic's pages as its staff
and runners see them: the caseload reads one card per runner with each value labelled on a phone
(no sideways scrolling, no hidden column) and stays a table on a desktop; a named clinician, a visit
accepted in Madrid time, the invitation form. Screenshots of each, to look at."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyotp
import pytest

from heelcoach.config import Settings
from heelcoach.services import accounts, checkins, clinic_care, intake, planning, visits
from heelcoach.services.context import AppContext
from heelcoach.services.policy import Actor
from tests.clinic.clinic_world import PASSWORD
from tests.web.answers import TYPICAL
from tests.web.browser import DESKTOP, PHONE, chromium, serve, shots_dir

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TODAY = date.today()
ANA = "Dr Ana Ruiz, physiotherapist"
LABELS = ("Needs attention", "First-step pain", "Phase, week", "Adherence", "Last check-in")


@dataclass
class Clinic:
    url: str
    pt: accounts.AddedUser
    admin: accounts.AddedUser
    ann: int


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Clinic]:
    from heelcoach.web.app import create_app

    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None, clinic=True))
    pt = accounts.add_user(ctx, "ana@northside.example", "clinician", "Northside", PASSWORD, name=ANA)
    admin = accounts.add_user(ctx, "boss@northside.example", "admin", "Northside", PASSWORD)
    people = {}
    for name in ("Ann Lee", "Bob Stone", "Carla Jiménez-Oyarzábal"):
        email = name.split()[0].lower() + "@example.org"
        added = accounts.add_user(ctx, email, "runner", "Northside", PASSWORD, name=name)
        assert added.person_id is not None
        people[name] = added.person_id
        intake.save_intake(ctx, added.person_id, TYPICAL)
        planning.make_plan(ctx, added.person_id, start=TODAY - timedelta(days=10))
        for back in range(7, 0, -1):
            entry = checkins.CheckInInput(day=TODAY - timedelta(days=back), first_step_pain=3 + back % 3)
            checkins.record_checkin(ctx, added.person_id, entry, today=TODAY)
    ann = people["Ann Lee"]
    warning = checkins.CheckInInput(day=TODAY, first_step_pain=6, red_flag_symptoms=("numbness_or_tingling",))
    checkins.record_checkin(ctx, ann, warning, today=TODAY)
    runner = Actor(role="runner", account_id=None, person_id=ann, clinic_id=None)
    asked = visits.request_visit(ctx, runner, ann, "Numb heel since Monday", "weekday mornings")
    staff = Actor(role="clinician", account_id=pt.account_id, person_id=None, clinic_id=pt.clinic_id)
    when = datetime(TODAY.year + 1, 3, 30, 10, 0, tzinfo=ZoneInfo("Europe/Madrid"))
    visits.accept_visit(ctx, staff, ann, int(str(asked["id"])), when, "Europe/Madrid")
    bob = people["Bob Stone"]
    clinic_care.change_plan(ctx, staff, bob, clinic_care.PlanChange("note", "Keep the morning routine."))
    with serve(create_app(ctx)) as url:
        yield Clinic(url, pt, admin, ann)
    ctx.close()


#: The labels drawn before the first row's cells (CSS ``::before``, which innerText leaves out).
_LABELS_SHOWN = """() => [...document.querySelectorAll('table.caseload tbody tr:first-child td')].map(td => {
  const before = getComputedStyle(td, '::before');
  return before.display === 'none' ? '' : before.content.replace(/^"|"$/g, '');
})"""


def _login(page: Any, url: str, user: accounts.AddedUser | str) -> None:
    page.goto(url + "/login")
    page.fill("#email", user if isinstance(user, str) else user.email)
    page.fill("#password", PASSWORD)
    if not isinstance(user, str) and user.totp_secret:
        page.fill("#code", pyotp.TOTP(user.totp_secret).now())
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _fits(page: Any, what: str, *, tables: bool = True) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{what} scrolls sideways by {overflow}px"
    if not tables:
        return
    hidden = page.evaluate(
        "() => [...document.querySelectorAll('.table-wrap')].map(w => w.scrollWidth - w.clientWidth)"
    )
    assert max(hidden, default=0) <= 1, f"{what}: a table hides columns ({hidden}px)"


def _shoot_both(page: Any, out: Path, name: str, path: str, *, tables: bool = True) -> None:
    for width, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.goto(path)
        _fits(page, f"{name} at {width}", tables=tables)
        page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)


def test_the_caseload_is_one_labelled_card_per_runner_on_a_phone(clinic: Clinic, tmp_path: Path) -> None:
    out = shots_dir(tmp_path / "shots")
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        page.set_default_timeout(20_000)
        _login(page, clinic.url, clinic.pt)
        page.goto(clinic.url + "/clinic")
        _fits(page, "/clinic at phone width")
        assert page.locator("table.caseload thead").is_hidden()
        rows = page.locator("table.caseload tbody tr")
        assert rows.count() == 3
        first = rows.first
        assert first.get_attribute("data-person") == str(clinic.ann)
        card = first.bounding_box()
        assert card is not None
        assert card["width"] <= PHONE["width"]
        shown = page.evaluate(_LABELS_SHOWN)  # each value says what it is, as the table's header would
        assert shown == list(LABELS)
        cells = first.locator("td")
        boxes = [cells.nth(i).bounding_box() for i in range(cells.count())]
        lefts = {round(b["x"]) for b in boxes if b is not None}
        assert len(lefts) == 1, f"the cells should be stacked, not side by side: {boxes}"
        page.screenshot(path=str(out / "caseload-phone.png"), full_page=True)
        page.set_viewport_size(DESKTOP)
        page.goto(clinic.url + "/clinic")
        _fits(page, "/clinic at desktop width")
        assert page.locator("table.caseload thead").is_visible()
        tops = {round(b["y"]) for b in (first.locator("td").nth(i).bounding_box() for i in range(5)) if b}
        assert len(tops) == 1, "on a desktop the caseload is a table: one row per runner"
        page.screenshot(path=str(out / "caseload-desktop.png"), full_page=True)
        assert ANA in page.inner_text(".who")
        # the runner view's own tables (check-ins, self-tests) still scroll inside their box on a phone
        runner_view = f"{clinic.url}/clinic/people/{clinic.ann}"
        _shoot_both(page, out, "runner-view", runner_view, tables=False)
        visit = page.locator("#visits article.visit").first.inner_text()
        assert "at 10:00, Europe/Madrid time (CE" in visit  # CET or CEST, as that year's date falls
        assert f"accepted by {ANA}" in visit
        _shoot_both(page, out, "invite-clinician", clinic.url + "/clinic/invite")
        _shoot_both(page, out, "account", clinic.url + "/account")
        page.context.clear_cookies()

        _login(page, clinic.url, clinic.admin)
        _shoot_both(page, out, "invite-admin", clinic.url + "/clinic/invite")
        _shoot_both(page, out, "audit-admin", clinic.url + "/clinic/audit")
        page.context.clear_cookies()

        _login(page, clinic.url, "ann@example.org")
        _shoot_both(page, out, "sharing", clinic.url + "/sharing")
        main = page.inner_text("main")
        assert f"{ANA} (ana@northside.example)" in main
        assert "Europe/Madrid time" in main
        _shoot_both(page, out, "audit-runner", clinic.url + "/audit")
        assert f"{ANA} at Northside accepted your visit request" in page.inner_text("main")
        page.context.clear_cookies()
        _login(page, clinic.url, "bob@example.org")
        _shoot_both(page, out, "plan-bob", clinic.url + "/plan")
        assert f"{ANA} at Northside added a note" in page.inner_text("main")
