"""A visit's time is read in the zone the clinician gave it in, by the runner and the clinician alike,
with the zone named; across a daylight-saving change too. The calendar file keeps the exact instant
(TZID with its VTIMEZONE, or UTC for a bare offset). On SQLite and PostgreSQL, through real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from icalendar import Calendar

from heelcoach.services import visits
from tests.clinic.clinic_world import World, _login

# (form's local time, zone) -> (the instant, what both sides read)
CASES = [
    # the day before Spain moves its clocks forward (31 March 2030): CET, UTC+1
    (
        "2030-03-30T10:00",
        "Europe/Madrid",
        "2030-03-30T09:00:00+00:00",
        "Saturday 30 March 2030 at 10:00, Europe/Madrid time (CET, UTC+01:00)",
    ),
    # the day after: CEST, UTC+2 (the same 10:00 is an hour earlier in UTC)
    (
        "2030-04-01T10:00",
        "Europe/Madrid",
        "2030-04-01T08:00:00+00:00",
        "Monday 1 April 2030 at 10:00, Europe/Madrid time (CEST, UTC+02:00)",
    ),
    # New York moves its clocks forward on 10 March 2030: EST the day before, EDT on the day
    (
        "2030-03-09T09:30",
        "America/New_York",
        "2030-03-09T14:30:00+00:00",
        "Saturday 9 March 2030 at 09:30, America/New_York time (EST, UTC-05:00)",
    ),
    (
        "2030-03-10T09:30",
        "America/New_York",
        "2030-03-10T13:30:00+00:00",
        "Sunday 10 March 2030 at 09:30, America/New_York time (EDT, UTC-04:00)",
    ),
]


def _post(client: Any, path: str, form: dict[str, str]) -> Any:
    return client.post(path, data=form, follow_redirects=False)


def _event_start(ics: bytes) -> datetime:
    event = next(iter(Calendar.from_ical(ics).walk("VEVENT")))
    start = event.decoded("dtstart")
    assert isinstance(start, datetime)
    return start


@pytest.mark.parametrize(("typed", "zone", "instant", "said"), CASES)
def test_both_sides_read_the_time_in_the_zone_it_was_given(
    world: World, typed: str, zone: str, instant: str, said: str
) -> None:
    pid, vid = world.people["runner"], world.visit_ids["runner"]
    pt = _login(world.app, world.users["clinician"])
    done = _post(pt, f"/clinic/people/{pid}/visits/{vid}/accept", {"starts_at": typed, "tz": zone})
    assert done.status_code == 303, done.text[:500]
    accepted = next(v for v in visits.visits(world.ctx, pid) if v["id"] == vid)
    assert (accepted["starts_at"], accepted["time_zone"]) == (instant, zone)
    runner = _login(world.app, world.users["runner"])
    assert f"Accepted: {said}" in runner.get("/sharing").text
    view = pt.get(f"/clinic/people/{pid}").text
    assert f"Accepted: {said}" in view
    assert f'name="tz" type="text" list="time-zones" maxlength="60" value="{zone}"' in view  # re-timing
    api = runner.get(f"/api/people/{pid}/visits").json()
    mine = next(v for v in api if v["id"] == vid)
    assert (mine["when"], mine["time_zone"], mine["starts_at"]) == (said, zone, instant)
    ics = runner.get(f"/api/people/{pid}/visits/{vid}/calendar.ics")
    assert ics.status_code == 200
    assert f"DTSTART;TZID={zone}:{typed.replace('-', '').replace(':', '')}00" in ics.text
    assert f"TZID:{zone}" in ics.text  # its VTIMEZONE, so any calendar reads it right
    start = _event_start(ics.content)
    assert start.astimezone(UTC) == datetime.fromisoformat(instant)


def test_an_offset_without_a_zone_name_is_said_as_an_offset(world: World) -> None:
    pid, vid = world.people["runner"], world.visit_ids["runner"]
    pt = _login(world.app, world.users["clinician"])
    done = pt.post(
        f"/api/people/{pid}/visits/{vid}/accept", json={"starts_at": "2030-07-01T09:30:00+02:00"}
    )
    assert done.status_code == 200, done.text
    assert done.json()["when"] == "Monday 1 July 2030 at 09:30, UTC+02:00"
    ics = _login(world.app, world.users["runner"]).get(f"/api/people/{pid}/visits/{vid}/calendar.ics")
    assert "DTSTART:20300701T073000Z" in ics.text  # the exact instant in UTC, the offset in words
    assert "UTC+02:00" in ics.text.replace("\r\n ", "")
    named = pt.post(
        f"/api/people/{pid}/visits/{vid}/accept",
        json={"starts_at": "2030-07-01T09:30:00+02:00", "time_zone": "Europe/Madrid"},
    )
    assert named.json()["when"] == "Monday 1 July 2030 at 09:30, Europe/Madrid time (CEST, UTC+02:00)"
    bad = pt.post(
        f"/api/people/{pid}/visits/{vid}/accept",
        json={"starts_at": "2030-07-01T09:30:00+02:00", "time_zone": "Mars/Olympus"},
    )
    assert bad.status_code == 422
    assert "IANA time zone" in bad.text


def test_a_visit_accepted_before_zones_were_kept_reads_in_utc(world: World) -> None:
    pid, vid = world.people["other_runner"], world.visit_ids["other_runner"]  # starts_at set, no zone
    page = _login(world.app, world.users["other_runner"]).get("/sharing").text
    assert "Accepted: Thursday 10 December 2026 at 09:30, UTC" in page
    ics = _login(world.app, world.users["other_runner"]).get(f"/api/people/{pid}/visits/{vid}/calendar.ics")
    assert "DTSTART:20261210T093000Z" in ics.text
