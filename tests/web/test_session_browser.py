"""The guided session in a real Chromium with a controlled clock: a whole session ends in today's
check-in; "it hurts" offers the easier version; Today and the session open with the network off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from heelcoach.config import Settings
from heelcoach.services import checkins, intake, people, planning
from heelcoach.services.context import AppContext
from heelcoach.store.base import transaction
from heelcoach.store.repositories import Repos
from tests.web.answers import TYPICAL
from tests.web.browser import DESKTOP, PHONE, chromium, serve, shots_dir
from tests.web.conftest import move_clock

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: A Monday of the plan's first week: six exercises are due (stretches, heel raise, foot, hip).
MONDAY = date(2026, 12, 7)
SHOTS = shots_dir(Path("/tmp/shots-coach"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, AppContext, int]]:
    """A runner with a plan starting on MONDAY, the app's clock on MONDAY, served on a free port."""
    from heelcoach.web.app import create_app

    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None))
    person = people.create_person(ctx, "Runner")
    intake.save_intake(ctx, person.id, TYPICAL)
    planning.make_plan(ctx, person.id, start=MONDAY)
    app = create_app(ctx)
    move_clock(app, MONDAY)
    with serve(app) as url:
        yield url, ctx, person.id
    ctx.close()


def _checkin(ctx: AppContext, pid: int) -> Any:
    with transaction(ctx.sessions) as s:
        return Repos(s).checkins.get(pid, MONDAY)


def _first_step(page: Any, url: str, pain: int) -> None:
    page.goto(url + "/session")
    page.check(f'input[name="first_step_pain"][value="{pain}"]', force=True)
    page.click("text=Save and start")
    page.wait_for_selector("#item-1 .timer-box")


def test_whole_session_with_a_controlled_clock_ends_in_the_checkin(
    browser: Any, live: tuple[str, AppContext, int]
) -> None:
    url, ctx, pid = live
    page = browser.new_page(viewport=PHONE)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.clock.install(time=datetime(2026, 12, 7, 7, 0))
    _first_step(page, url, 2)
    assert page.locator("#daily-answer").get_attribute("data-colour") == "green"
    items = page.locator(".session-item[data-item]")
    count = items.count()
    _record, plan = planning.current_plan(ctx, pid)
    monday = [i for i in plan.items if i.kind == "exercise" and "mon" in i.days]
    assert count == len(monday) == 5  # every exercise of Monday fits the runner's 30-minute session
    names = []
    for index in range(1, count + 1):
        card = page.locator(f"#item-{index}")
        expect(card).to_be_visible()  # waits for the session script to show it
        assert page.locator(".session-item:visible").count() == 1  # one item at a time
        img = card.locator(".illustration img, .illustration figcaption").first
        assert img.count() == 1
        names.append(card.get_attribute("data-item"))
        card.locator("[data-action=start]").click()
        if index == 1:  # the DiGiovanni stretch: 10 holds of 10 s, a visible count
            page.clock.run_for(3_000)
            assert card.locator(".cue").inner_text() == "Hold 1 of 10"
            assert card.locator(".big-count").inner_text() == "7"
            page.screenshot(path=str(SHOTS / "session-hold-phone.png"), full_page=False)
        if card.get_attribute("data-tempo"):  # the heel raise: 3 s up, 2 s hold, 3 s down
            page.clock.run_for(3_000)
            assert card.locator(".cue").inner_text().endswith(": hold")
            page.clock.run_for(2_000)
            assert card.locator(".cue").inner_text().endswith(": down")
            page.screenshot(path=str(SHOTS / "session-tempo-phone.png"), full_page=False)
        if card.locator("[data-action=rep]").is_visible():  # counted reps: the runner taps each one
            total = int(card.get_attribute("data-reps") or 0)
            sets = int(card.get_attribute("data-sets") or 1) * int(card.get_attribute("data-sides") or 1)
            for done_sets in range(sets):
                for _ in range(total):
                    card.locator("[data-action=rep]").click()
                if done_sets < sets - 1:
                    page.clock.run_for(61_000)  # rest or change sides, then the next set starts
        page.clock.run_for(30 * 60_000)  # every timed hold, rest and side of the dose
        assert card.locator(".big-count").inner_text() == "Done"
        page.wait_for_function(
            "el => el.textContent.startsWith('Saved to today')", arg=card.locator(".saved").element_handle()
        )
        card.locator("[data-action=next]").click()
    expect(page.locator("#finish")).to_be_visible()
    assert f"{count} of {count}" in page.locator("#finish .done-count").inner_text()
    page.screenshot(path=str(SHOTS / "session-finish-phone.png"), full_page=True)
    record = _checkin(ctx, pid)
    assert record.first_step_pain == 2
    assert sorted(record.done_items) == sorted(names)
    lines = record.notes.splitlines()
    assert len(lines) == count
    assert all(" done: " in line for line in lines)
    assert lines[0].startswith("Session 07:05: Plantar-fascia-specific stretch")  # the runner's clock
    # the DiGiovanni stretch is meant 3 times a day: a second round counts as the second time
    page.click("#finish [data-action=restart]")
    page.locator("#item-1 [data-action=start]").click()
    page.clock.run_for(30 * 60_000)
    saved = "() => document.querySelector('#item-1 .saved').textContent"
    page.wait_for_function(f"{saved}.includes('2 times today')")
    assert "(time 2 today)" in _checkin(ctx, pid).notes
    assert _checkin(ctx, pid).done_items.count(names[0]) == 2  # one tick per time
    # Today shows the ticks of what was done: the stretch done twice has two of its three ticked
    page.goto(url + "/today")
    for name in names:
        assert page.locator(f'input[name="done_items"][value="{name}"]').first.is_checked()
    stretch = page.locator(f'input[name="done_items"][value="{names[0]}"]')
    assert stretch.count() == 3
    assert [stretch.nth(k).is_checked() for k in range(3)] == [True, True, False]
    assert errors == []


def test_it_hurts_offers_the_easier_version_and_logs_the_reason(
    browser: Any, live: tuple[str, AppContext, int]
) -> None:
    url, ctx, pid = live
    page = browser.new_page(viewport=PHONE)
    page.clock.install(time=datetime(2026, 12, 7, 7, 0))
    _first_step(page, url, 3)
    heel = page.locator('.session-item[data-item="rathleff_high_load_heel_raise"]')
    page.goto(url + "/session#" + (heel.get_attribute("id") or ""))
    heel.locator("[data-action=start]").click()
    page.clock.run_for(4_000)
    heel.locator("[data-reason=it_hurts]").click()
    offer = heel.locator('.offer[data-offer="it_hurts"]')
    expect(offer).to_be_visible()
    assert "Stop this one for now" in offer.inner_text()
    assert "easiest level" in offer.inner_text() or "easier level" in offer.inner_text()
    page.wait_for_function(
        "el => el.textContent.startsWith('Noted')", arg=heel.locator(".saved").element_handle()
    )
    page.screenshot(path=str(SHOTS / "session-it-hurts-phone.png"), full_page=False)
    assert "heavy heel raise" in _checkin(ctx, pid).notes.lower() or "it hurts" in _checkin(ctx, pid).notes
    assert ": it hurts" in _checkin(ctx, pid).notes
    # "too easy" on the hip exercise offers the next level from the knowledge data
    hip = page.locator('.session-item[data-item="side_lying_hip_abduction"]')
    page.goto(url + "/session#" + (hip.get_attribute("id") or ""))
    hip.locator("[data-reason=too_easy]").click()
    nxt = hip.locator('.offer[data-offer="too_easy"]')
    expect(nxt).to_be_visible()
    assert "next level" in nxt.inner_text()
    nxt.locator("[data-action=use-offer]").click()
    assert "Today's version" in hip.locator(".cue").inner_text()


def test_today_and_the_session_work_offline_after_a_first_visit(
    browser: Any, live: tuple[str, AppContext, int]
) -> None:
    url, ctx, pid = live
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    _first_step(page, url, 4)
    page.goto(url + "/today")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the service worker, which keeps this visit
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.goto(url + "/session")
    page.goto(url + "/today")
    context.set_offline(True)
    page.goto(url + "/today")
    assert "Morning check-in" in page.inner_text("main")
    page.goto(url + "/session")
    expect(page.locator("#item-1")).to_be_visible()
    page.locator("#item-1 [data-action=done]").click()
    saved = "() => document.querySelector('#item-1 .saved').textContent"
    page.wait_for_function(f"{saved}.includes('back online')")
    page.screenshot(path=str(SHOTS / "session-offline-phone.png"), full_page=False)
    assert "plantar_fascia_specific_stretch" not in _checkin(ctx, pid).done_items
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("() => localStorage.getItem('heelcoach-session-pending') === '[]'")
    assert "plantar_fascia_specific_stretch" in _checkin(ctx, pid).done_items
    context.close()


CHART_TEXT_PX = """() => Array.from(document.querySelectorAll('svg.chart text')).map(t => {
  const svg = t.ownerSVGElement;
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [t.textContent, parseFloat(getComputedStyle(t).fontSize) * scale];
})"""
ACTIVITIES = Path(__file__).resolve().parents[3] / "shared" / "data" / "activities"


def test_charts_have_no_text_under_12_px_on_a_phone_and_screenshots(
    browser: Any, live: tuple[str, AppContext, int]
) -> None:
    url, ctx, pid = live
    from heelcoach.services import imports

    for day in range(1, 15):  # two weeks of mornings with a few runs logged, so Progress has data
        checkins.record_checkin(
            ctx,
            pid,
            checkins.CheckInInput(
                day=MONDAY - timedelta(days=day),
                first_step_pain=2 + day % 5,
                run_km=5.0 if day % 3 == 0 else None,
            ),
            today=MONDAY,
        )
    imports.import_paths(ctx, pid, [ACTIVITIES / "fit/6782987395.fit", ACTIVITIES / "fit/2067489619.fit"])
    pages = ["/today", "/session", "/progress", "/runs", "/settings", "/settings/reminders"]
    for viewport, tag in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = browser.new_page(viewport=viewport)
        if tag == "phone":
            _first_step(page, url, 7)
        page.goto(url + "/runs")
        detail = page.locator("a:has-text('Pace, heart rate')").first.get_attribute("href")
        for path in [*pages, detail]:
            page.goto(url + path)
            assert page.locator("main h1").count() == 1
            name = "run-detail" if path == detail else path.strip("/").replace("/", "-")
            page.screenshot(path=str(SHOTS / f"{name}-{tag}.png"), full_page=True)
            if tag == "phone":
                sizes = page.evaluate(CHART_TEXT_PX)
                small = [(text, round(px, 1)) for text, px in sizes if px < 12]
                assert small == [], f"{path}: chart text under 12 px: {small[:5]}"
                if path in ("/progress", "/runs") or path == detail:
                    assert sizes, f"{path}: no chart drawn"
        page.close()
