"""Browser reminders in a real Chromium: permission asked only from the button in Settings ->
Reminders, then a notification at the check-in time and at the exercise time while a page is open
(the clock faked; ``window.Notification`` stubbed at the seam to record what was asked for, its
permission and its permission request left to the browser). Also: the PNG icons that let a phone
install the app."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from heelcoach.config import Settings
from heelcoach.services import intake, people, planning
from heelcoach.services.context import AppContext
from tests.web.answers import TYPICAL
from tests.web.browser import PHONE, chromium, serve, shots_dir
from tests.web.conftest import move_clock

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MONDAY = date(2026, 12, 7)
SHOTS = shots_dir(Path("/tmp/shots-coach2"))
STATIC = Path(__file__).resolve().parents[2] / "heelcoach" / "web" / "static"

#: The seam: the browser's own permission state and prompt, a recorder instead of the OS pop-up.
STUB = """
(() => {
  const Real = window.Notification;
  const shown = [];
  window.__notifications = shown;
  window.__asked = 0;
  function Recorder(title, options) {
    const o = options || {};
    shown.push({ title: title, body: o.body, tag: o.tag, at: new Date().toTimeString().slice(0, 5) });
    this.title = title;
  }
  Object.defineProperty(Recorder, "permission", { get: () => Real.permission });
  Recorder.requestPermission = function () { window.__asked += 1; return Real.requestPermission(); };
  window.Notification = Recorder;
})();
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def live(tmp_path: Path) -> Iterator[str]:
    from heelcoach.web.app import create_app

    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None))
    person = people.create_person(ctx, "Runner")
    intake.save_intake(ctx, person.id, TYPICAL)
    planning.make_plan(ctx, person.id, start=MONDAY)
    app = create_app(ctx)
    move_clock(app, MONDAY)
    with serve(app) as url:
        yield url
    ctx.close()


def _shown(page: Any) -> list[dict[str, str]]:
    return list(page.evaluate("window.__notifications"))


def test_reminders_notify_at_the_set_times_while_a_page_is_open(browser: Any, live: str) -> None:
    url = live
    context = browser.new_context(viewport=PHONE, timezone_id="Europe/London")
    context.grant_permissions(["notifications"], origin=url)
    context.add_init_script(STUB)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.clock.install(time=datetime(2026, 12, 7, 6, 30, tzinfo=UTC))  # London is on UTC in December
    page.goto(url + "/today")
    page.clock.run_for(20 * 60_000)
    assert page.evaluate("window.__asked") == 0  # never asked without the runner pressing the button
    assert _shown(page) == []  # not turned on: nothing is shown
    page.goto(url + "/settings/reminders")
    page.fill("#checkin_time", "07:00")
    page.fill("#session_time", "18:30")
    page.fill("#timezone", "Europe/London")
    page.click("text=Save reminder times")
    page.wait_for_selector("text=Reminder times saved")
    page.click("text=Turn on browser reminders")
    page.wait_for_function("() => document.getElementById('reminders-state').textContent.indexOf('on') > 0")
    assert page.evaluate("window.__asked") == 1
    state = page.text_content("#reminders-state") or ""
    assert "check-in at 07:00, exercises at 18:30" in state
    page.screenshot(path=str(SHOTS / "reminders-on-phone.png"), full_page=True)
    assert _shown(page) == []  # 06:50: nothing due yet
    page.goto(url + "/today")
    page.clock.run_for(11 * 60_000)  # 07:01
    shown = _shown(page)
    assert [n["title"] for n in shown] == ["heelcoach: morning check-in"]
    assert shown[0]["at"] in ("07:00", "07:01")
    assert "first steps" in shown[0]["body"]
    page.clock.run_for(2 * 3600_000)  # no second check-in reminder the same day, even on a new page
    page.goto(url + "/plan")
    page.clock.run_for(60_000)
    assert _shown(page) == []  # this page's recorder is new: nothing more was asked for
    page.clock.run_for(int(9.5 * 3600_000))  # past 18:30
    shown = _shown(page)
    assert [n["title"] for n in shown] == ["heelcoach: today's exercises"]
    stored = json.loads(page.evaluate("localStorage.getItem('heelcoach-reminders')"))
    assert stored["on"] is True
    assert stored["shown"] == {"checkin": "2026-12-07", "session": "2026-12-07"}
    assert errors == []
    context.close()


def test_no_check_in_reminder_once_today_is_checked_in(browser: Any, live: str) -> None:
    url = live
    context = browser.new_context(viewport=PHONE, timezone_id="Europe/London")
    context.grant_permissions(["notifications"], origin=url)
    context.add_init_script(STUB)
    page = context.new_page()
    page.clock.install(time=datetime(2026, 12, 7, 6, 0, tzinfo=UTC))
    page.goto(url + "/settings/reminders")
    page.click("text=Turn on browser reminders")
    page.wait_for_function("() => document.getElementById('reminders-state').textContent.indexOf('on') > 0")
    page.goto(url + "/today")
    page.check('input[name="first_step_pain"][value="1"]', force=True)
    page.click("#checkin > .actions button[type=submit]")
    page.wait_for_selector("text=Check-in saved")
    assert page.evaluate("document.body.dataset.checkedIn") == "yes"
    page.clock.run_for(3 * 3600_000)  # past the default 07:30
    assert _shown(page) == []
    context.close()


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_the_manifest_lists_png_icons_a_phone_installs_with(live: str) -> None:
    import httpx

    manifest = httpx.get(live + "/manifest.webmanifest").json()
    sizes = {}
    for icon in manifest["icons"]:
        if icon["type"] != "image/png":
            continue
        served = httpx.get(live + icon["src"])
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/png"
        path = STATIC / icon["src"].removeprefix("/static/")
        assert _png_size(path) == tuple(int(n) for n in icon["sizes"].split("x"))
        sizes.setdefault(icon["purpose"], set()).add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes["any"]
    assert "512x512" in sizes["maskable"]
