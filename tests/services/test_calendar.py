"""The calendar export parsed back with icalendar: recurrence, alarms and the runner's time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from heelcoach.config import Settings
from heelcoach.domain.plan import WEEKDAYS
from heelcoach.services import intake, people, planning
from heelcoach.services.calendar import ReminderError, Reminders, plan_calendar
from heelcoach.services.context import AppContext
from tests.web.answers import TYPICAL

MONDAY = date(2026, 12, 7)


@pytest.fixture
def plan(tmp_path: Path) -> object:
    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None))
    person = people.create_person(ctx, "R")
    intake.save_intake(ctx, person.id, TYPICAL)
    planning.make_plan(ctx, person.id, start=MONDAY)
    _record, plan = planning.current_plan(ctx, person.id)
    ctx.close()
    return plan


def _events(body: bytes) -> dict[str, object]:
    cal = Calendar.from_ical(body)
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


def _occurrences(event: object) -> list[datetime]:
    start = event["dtstart"].dt  # type: ignore[index]
    rule = event["rrule"].to_ical().decode()  # type: ignore[index]
    return list(rrulestr(rule, dtstart=start))


def test_checkin_exercises_and_runs_recur_with_alarms_in_the_runners_time_zone(plan: object) -> None:
    when = Reminders.parse("06:45", "18:30", "America/New_York", run="07:30")
    body = plan_calendar(plan, when, weeks=4)  # type: ignore[arg-type]
    cal = Calendar.from_ical(body)
    zones = [str(z["tzid"]) for z in cal.walk("VTIMEZONE")]
    assert zones == ["America/New_York"]
    events = _events(body)
    checkin = events["Heel check-in: how did your first steps feel?"]
    assert checkin["dtstart"].params["TZID"] == "America/New_York"  # type: ignore[index]
    assert checkin["dtstart"].dt == datetime(2026, 12, 7, 6, 45, tzinfo=ZoneInfo("America/New_York"))  # type: ignore[index]
    assert checkin["rrule"]["FREQ"] == ["DAILY"]  # type: ignore[index]
    days = _occurrences(checkin)
    assert len(days) == 28
    assert {d.time() for d in days} == {time(6, 45)}
    alarms = checkin.walk("VALARM")  # type: ignore[attr-defined]
    assert [a["trigger"].dt for a in alarms] == [timedelta(0)]
    assert alarms[0]["action"] == "DISPLAY"
    # exercise days: each group repeats weekly on its own weekdays, 10 minutes' warning
    exercise_days: set[str] = set()
    for summary, event in events.items():
        if not summary.startswith("Heel exercises"):
            continue
        byday = event["rrule"]["BYDAY"]  # type: ignore[index]
        assert event["rrule"]["FREQ"] == ["WEEKLY"]  # type: ignore[index]
        assert [a["trigger"].dt for a in event.walk("VALARM")] == [timedelta(minutes=-10)]  # type: ignore[attr-defined]
        for when_dt in _occurrences(event):
            assert when_dt.time() == time(18, 30)
            assert MONDAY <= when_dt.date() < MONDAY + timedelta(weeks=4)
            assert when_dt.strftime("%a")[:2].upper() in byday
            exercise_days.add(WEEKDAYS[when_dt.weekday()])
    heel_raise = next(i for i in plan.items if i.ref_id == "rathleff_high_load_heel_raise")  # type: ignore[attr-defined]
    assert set(heel_raise.days) <= exercise_days
    mwf = next(
        e
        for s, e in events.items()
        if s.startswith("Heel exercises") and "High-load heel raise" in str(e["description"])
    )
    assert sorted(mwf["rrule"]["BYDAY"]) == ["FR", "MO", "WE"]  # type: ignore[index]
    # run days: as many as the plan allows a week, at the run time
    runs = events["Run (heel plan)"]
    per_week = plan.run.runs_per_week  # type: ignore[attr-defined]
    assert len(runs["rrule"]["BYDAY"]) == per_week  # type: ignore[index]
    assert len(_occurrences(runs)) == 4 * per_week
    assert runs["dtstart"].dt.time() == time(7, 30)  # type: ignore[index]


@pytest.mark.parametrize(
    ("checkin", "zone", "field"),
    [("7.30", "UTC", "checkin"), ("25:00", "UTC", "checkin"), ("07:00", "Mars/Olympus", "timezone")],
)
def test_bad_settings_name_the_field(checkin: str, zone: str, field: str) -> None:
    with pytest.raises(ReminderError, match=f"^{field}:"):
        Reminders.parse(checkin, "18:00", zone)


def test_the_next_export_updates_the_same_events(plan: object) -> None:
    from dataclasses import replace

    first = _events(plan_calendar(plan, Reminders(), owner="person-1"))  # type: ignore[arg-type]
    later = _events(plan_calendar(replace(plan, version=2), Reminders(), owner="person-1"))  # type: ignore[type-var]
    other = _events(plan_calendar(plan, Reminders(), owner="person-2"))  # type: ignore[arg-type]
    for summary, event in first.items():
        assert later[summary]["uid"] == event["uid"]  # type: ignore[index]
        assert int(later[summary]["sequence"]) == int(event["sequence"]) + 1  # type: ignore[index]
        assert other[summary]["uid"] != event["uid"]  # type: ignore[index]


def test_an_item_done_three_times_a_day_gets_an_event_per_time(plan: object) -> None:
    when = Reminders.parse("07:00", "18:00", "Europe/London")
    events = _events(plan_calendar(plan, when, weeks=1))  # type: ignore[arg-type]
    pf = next(i for i in plan.items if i.ref_id == "plantar_fascia_specific_stretch")  # type: ignore[attr-defined]
    assert pf.dose["times_per_day"] == 3
    extra = {s: e for s, e in events.items() if s.startswith(f"Heel: {pf.title} (time ")}
    assert sorted(extra) == [f"Heel: {pf.title} (time 2 of 3)", f"Heel: {pf.title} (time 3 of 3)"]
    starts = sorted(e["dtstart"].dt.time() for e in extra.values())  # type: ignore[index]
    assert starts[0] == time(7, 5)  # just after the morning check-in
    assert time(7, 5) < starts[1] < time(18, 0)  # before the session, which holds time 1
    for event in extra.values():
        assert len(_occurrences(event)) == 7  # every day of the week
        assert event.walk("VALARM")  # type: ignore[attr-defined]
    session = next(e for s, e in events.items() if s.startswith("Heel exercises"))
    assert "time 1 of 3" in str(session["description"])


def test_run_days_are_reminders_in_the_runners_unit(plan: object) -> None:
    """Issue 15 item 4: the run days are in the export (weekly RRULE on as many days as the plan
    allows, an alarm before each), and their text names the cap in the runner's unit."""
    import re

    from heelcoach.domain.units import DistanceUnit

    when = Reminders.parse("07:00", "18:00", "Europe/London", run="17:15")
    for unit, word in ((DistanceUnit.MI, "mi"), (DistanceUnit.KM, "km")):
        runs = _events(plan_calendar(plan, when, weeks=2, unit=unit))["Run (heel plan)"]  # type: ignore[arg-type]
        assert runs["rrule"]["FREQ"] == ["WEEKLY"]  # type: ignore[index]
        assert len(_occurrences(runs)) == 2 * plan.run.runs_per_week  # type: ignore[attr-defined]
        assert {d.time() for d in _occurrences(runs)} == {time(17, 15)}
        alarms = runs.walk("VALARM")  # type: ignore[attr-defined]
        assert [a["trigger"].dt for a in alarms] == [timedelta(minutes=-10)]
        text = str(runs["description"])  # type: ignore[index]
        assert re.search(rf"No single run over \d+(\.\d)? {word}\.", text), text
        assert not re.search(r"\bkm\b" if word == "mi" else r"\bmi\b", text), text
