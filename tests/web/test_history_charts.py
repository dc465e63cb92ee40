"""Charts a runner reads at a glance: the whole imported history by week with spikes and the cap,
km from check-ins when there is no watch file, first-step pain on its zones, the adherence
calendar, and one run's detail from its watch file."""

from __future__ import annotations

import shutil
import xml.dom.minidom
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from heelcoach.config import Settings
from heelcoach.services import checkins, history, imports, intake, people, planning
from heelcoach.services.context import AppContext
from heelcoach.web.charts import CalendarDay, adherence_calendar, pain_zone_chart, weekly_km_chart
from tests.web.answers import TYPICAL
from tests.web.conftest import main_text
from tests.web.test_uploads import finished_import

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "activities"
FILES = [
    "fit/2013-02-06-12-11-14.fit",
    "fit/activity-small-fenix2-run.fit",
    "fit/2067489619.fit",
    "fit/6782987395.fit",
    "gpx/6037744996.gpx",
]
TODAY = date(2026, 12, 5)


@pytest.fixture
def ctx(tmp_path: Path) -> Any:
    c = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None))
    yield c
    c.close()


def _runner(ctx: AppContext, start: date = TODAY - timedelta(days=20)) -> int:
    person = people.create_person(ctx, "R")
    intake.save_intake(ctx, person.id, TYPICAL)
    planning.make_plan(ctx, person.id, start=start)
    return person.id


def test_the_whole_imported_history_is_drawn_week_by_week(ctx: AppContext, tmp_path: Path) -> None:
    pid = _runner(ctx)
    imports.import_paths(ctx, pid, [DATA / f for f in FILES])
    hist = history.running_history(ctx, pid, TODAY)
    assert hist.weeks[0].week_start == date(2013, 2, 4)  # the Monday of the oldest run
    assert hist.weeks[-1].week_start == date(2026, 11, 30)
    assert [w.week_start for w in hist.weeks if w.km] == [
        date(2013, 2, 4),
        date(2015, 8, 10),
        date(2017, 10, 2),
        date(2019, 6, 10),
        date(2020, 12, 21),
    ]
    assert hist.cap_km
    assert hist.cap_km > 0
    svg = weekly_km_chart(
        "w",
        [str(w.week_start) for w in hist.weeks],
        [w.km for w in hist.weeks],
        [w.spike for w in hist.weeks],
        cap_km=hist.cap_km,
    )
    doc = xml.dom.minidom.parseString(svg)
    bars = list(doc.getElementsByTagName("rect"))
    assert len(bars) == len(hist.weeks)
    assert [ln for ln in doc.getElementsByTagName("line") if ln.getAttribute("class") == "cap"]


def test_a_single_run_spike_is_marked_on_its_week() -> None:
    svg = weekly_km_chart("w", ["a", "b", "c"], [5.0, 5.5, 14.0], ["", "", "a run 150% longer"], cap_km=12.0)
    doc = xml.dom.minidom.parseString(svg)
    marks = [pth for pth in doc.getElementsByTagName("path") if pth.getAttribute("class") == "spike-mark"]
    assert len(marks) == 1
    assert "150%" in marks[0].toxml()
    assert [r.getAttribute("class") for r in doc.getElementsByTagName("rect")] == ["bar", "bar", "bar spike"]


def test_km_logged_in_checkins_reach_the_progress_chart(ctx: AppContext) -> None:
    """Issue 12: km logged in check-ins never appeared (the watch table, all zeros, hid them)."""
    pid = _runner(ctx)
    for k, km in ((9, 6.0), (7, 8.5), (2, 4.0)):
        checkins.record_checkin(
            ctx,
            pid,
            checkins.CheckInInput(day=TODAY - timedelta(days=k), first_step_pain=3, run_km=km),
            today=TODAY,
        )
    hist = history.running_history(ctx, pid, TODAY)
    by_week = {w.week_start: w for w in hist.weeks if w.km}
    assert {d: (w.km, w.source) for d, w in by_week.items()} == {
        date(2026, 11, 23): (14.5, "check-ins"),
        date(2026, 11, 30): (4.0, "check-ins"),
    }


def test_progress_page_shows_checkin_km_pain_zones_and_the_calendar(
    onboarded: Any, web_ctx: AppContext
) -> None:
    pid = 1
    today = date.today()
    for k in range(1, 6):
        checkins.record_checkin(
            web_ctx,
            pid,
            checkins.CheckInInput(
                day=today - timedelta(days=k), first_step_pain=k, run_km=5.0 if k % 2 else None
            ),
            today=today,
        )
    page = onboarded.get("/progress")
    assert page.status_code == 200
    assert "km per week (from your check-ins)" in main_text(page.text)
    assert 'class="zone-ok"' in page.text
    assert 'class="chart cal-chart"' in page.text
    assert 'class="pain-axis"' not in page.text  # no floating second axis any more


def test_pain_zones_and_calendar_are_drawn_from_the_values_given() -> None:
    svg = pain_zone_chart("p", ["a", "b", "c"], [7, None, 2], 2, 5)
    doc = xml.dom.minidom.parseString(svg)
    dots = {c.getAttribute("class") for c in doc.getElementsByTagName("circle")}
    assert dots == {"dot-high", "dot-a"}
    cal = adherence_calendar(
        "c", [CalendarDay(date(2026, 12, 7) + timedelta(days=k), k % 3, k % 2) for k in range(9)]
    )
    groups = [g.getAttribute("class") for g in xml.dom.minidom.parseString(cal).getElementsByTagName("g")]
    today = adherence_calendar("c", [CalendarDay(date(2026, 12, 7), 3, 1, is_today=True)])
    assert 'class="cal-today"' in today
    assert "today: 1 of 3 done so far" in today
    assert groups == [
        "cal-rest",
        "cal-full",
        "cal-none",
        "cal-rest",
        "cal-none",
        "cal-part",
        "cal-rest",
        "cal-full",
        "cal-none",
    ]


def test_adherence_days_follow_the_plan_and_the_ticks(ctx: AppContext) -> None:
    pid = _runner(ctx, start=date(2026, 12, 7))
    _record, plan = planning.current_plan(ctx, pid)
    monday = [i.ref_id for i in plan.items if i.kind == "exercise" and not i.optional and "mon" in i.days]
    checkins.record_checkin(
        ctx,
        pid,
        checkins.CheckInInput(day=date(2026, 12, 7), first_step_pain=2, done_items=tuple(monday[:2])),
        today=date(2026, 12, 8),
    )
    days = history.adherence_days(ctx, pid, date(2026, 12, 8))
    assert [(d.day, d.planned, d.done) for d in days] == [
        (date(2026, 12, 7), len(monday), 2),
        (
            date(2026, 12, 8),
            len([i for i in plan.items if i.kind == "exercise" and not i.optional and "tue" in i.days]),
            0,
        ),
    ]


def test_run_detail_from_an_uploaded_watch_file(onboarded: Any) -> None:
    token_page = onboarded.get("/runs").text
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', token_page).group(1)  # type: ignore[union-attr]
    with open(DATA / "fit/6782987395.fit", "rb") as fh:
        done = onboarded.post(
            "/runs/import",
            data={"csrf_token": token},
            files={"files": ("6782987395.fit", fh, "application/octet-stream")},
        )
    assert done.status_code == 200
    finished_import(onboarded, done)  # the import runs as a background job
    link = re.search(r'href="(/runs/detail/[0-9a-f]{64}/0)"', onboarded.get("/runs").text)
    assert link, "no detail link on the Runs page"
    page = onboarded.get(link.group(1))
    assert page.status_code == 200
    text = main_text(page.text)
    assert "14 km" in text
    for heading in ("Pace (minutes per km", "Heart rate (beats per minute)", "Cadence (steps per minute)"):
        assert heading in text
    assert page.text.count('<svg class="chart"') == 3
    missing = onboarded.get("/runs/detail/" + "0" * 64 + "/0")
    assert missing.status_code == 404
    assert "No such run" in missing.text
    bad = onboarded.get("/runs/detail/not-a-hash/0")
    assert bad.status_code == 404


def test_run_detail_says_when_the_file_is_gone(ctx: AppContext, tmp_path: Path) -> None:
    pid = _runner(ctx)
    copy = tmp_path / "gone.fit"
    shutil.copy(DATA / "fit/2067489619.fit", copy)
    imports.import_paths(ctx, pid, [copy])
    act = imports.list_runs(ctx, pid)[0]
    detail = history.run_detail(ctx, pid, act.source_sha256, act.session_index)
    assert detail.problem == ""
    assert len(detail.distance_km) <= history.DETAIL_POINTS
    assert any(v is not None for v in detail.heart_rate_bpm)
    copy.unlink()
    gone = history.run_detail(ctx, pid, act.source_sha256, act.session_index)
    assert "no longer where it was imported from" in gone.problem
