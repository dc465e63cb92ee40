"""The plan as calendar reminders: recurring events (RRULE) with alarms (VALARM) in the runner's
time zone, for the morning check-in, the exercise days and the run days.

Usage::

    when = Reminders(checkin=time(7, 0), session=time(18, 30), timezone="Europe/Berlin")
    ics_bytes = plan_calendar(plan, when, weeks=4)

One event per group of weekdays that share the same exercises (``BYDAY=MO,WE,FR``), repeating until
the end of ``weeks``, and one more event per further time of an item done several times a day
(the session holds its first time); the next weekly review makes a new plan, and a new export replaces these
events (stable UIDs per plan version and group).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event

from heelcoach import DISCLAIMER
from heelcoach.domain.plan import WEEKDAYS, Plan, session_days
from heelcoach.domain.units import DistanceUnit, distance, in_unit
from heelcoach.errors import InvalidInputError, NotFoundError
from heelcoach.services.context import AppContext
from heelcoach.services.planning import current_plan
from heelcoach.services.units import unit_for
from heelcoach.store.base import transaction
from heelcoach.store.reminders import ReminderRecord, ReminderSettings
from heelcoach.store.repositories import Repos
from heelcoach.text.plan_text import format_dose

_BYDAY = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}
_CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
#: How long before an exercise session or a run the alarm rings (the check-in rings on time).
ALARM_BEFORE = timedelta(minutes=10)
SESSION_LENGTH = timedelta(minutes=30)
CHECKIN_LENGTH = timedelta(minutes=5)
#: An event for one more time of an item done several times a day (a stretch takes minutes).
EXTRA_TIME_LENGTH = timedelta(minutes=5)


class ReminderError(InvalidInputError):
    """A reminder setting that cannot be used, with the field and what to give instead."""


@dataclass(frozen=True, slots=True)
class Reminders:
    """When the runner wants to be reminded, in their own time zone (an IANA name)."""

    checkin: time = time(7, 0)
    session: time = time(18, 0)
    run: time = time(18, 0)
    timezone: str = "UTC"

    @classmethod
    def parse(cls, checkin: str, session: str, timezone: str, run: str | None = None) -> Reminders:
        """From text ("07:00", "Europe/Berlin"); raises ReminderError naming the field."""
        times: dict[str, time] = {}
        for name, raw in (("checkin", checkin), ("session", session), ("run", run or session)):
            match = _CLOCK.fullmatch(raw.strip())
            if match is None:
                raise ReminderError(f"{name}: expected a time like 07:30, got {raw!r}")
            times[name] = time(int(match.group(1)), int(match.group(2)))
        zone = timezone.strip() or "UTC"
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ReminderError(
                f"timezone: {zone!r} is not a time zone name; use one like Europe/London or America/New_York"
            ) from exc
        return cls(times["checkin"], times["session"], times["run"], zone)


def _uid(owner: str, what: str) -> str:
    # stable across plan versions: a new export updates the same events (SEQUENCE is the version)
    return f"{uuid.uuid5(uuid.NAMESPACE_URL, f'heelcoach/{owner}/{what}')}@heelcoach"


def _alarm(text: str, before: timedelta) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", -before)
    return alarm


def _first_on_or_after(start: date, weekdays: tuple[str, ...]) -> date:
    return next(
        start + timedelta(days=k) for k in range(7) if WEEKDAYS[(start.weekday() + k) % 7] in weekdays
    )


def _event(
    plan: Plan, what: str, summary: str, description: str, first: datetime, length: timedelta, owner: str
) -> Event:
    event = Event()
    event.add("uid", _uid(owner, what))
    event.add("sequence", plan.version)
    event.add("dtstamp", datetime.combine(plan.created, time(0, 0), tzinfo=UTC))
    event.add("dtstart", first)
    event.add("dtend", first + length)
    event.add("summary", summary)
    event.add("description", f"{description}\n\n{DISCLAIMER}")
    return event


def _exercise_groups(plan: Plan) -> list[tuple[tuple[str, ...], list[str]]]:
    """Weekdays that share the same list of exercises, with that list (as lines)."""
    by_day: dict[str, list[str]] = {}
    for day in WEEKDAYS:
        lines = [
            f"- {i.title}: {format_dose(i.dose)}{_first_time_note(i.dose)}"
            for i in plan.items
            if i.kind == "exercise" and not i.optional and day in i.days
        ]
        if lines:
            by_day[day] = lines
    groups: dict[tuple[str, ...], list[str]] = {}
    for day, lines in by_day.items():
        groups.setdefault(tuple(lines), []).append(day)
    return [(tuple(days), list(lines)) for lines, days in groups.items()]


def _times_per_day(dose: dict[str, object]) -> int:
    value = dose.get("times_per_day", 1)
    return max(1, value) if isinstance(value, int) else 1


def _first_time_note(dose: dict[str, object]) -> str:
    n = _times_per_day(dose)
    return f" (time 1 of {n}; the other times have their own reminders)" if n > 1 else ""


def extra_times(when: Reminders, n: int) -> list[time]:
    """When the other ``n`` times of a several-times-a-day item ring: the first just after the
    morning check-in, the rest spread evenly until the exercise session (which holds time 1)."""
    day = date(2000, 1, 1)
    begin = datetime.combine(day, when.checkin) + CHECKIN_LENGTH
    end = datetime.combine(day, when.session)
    if end <= begin:
        end = begin + timedelta(hours=12)
    step = (end - begin) / n
    return [(begin + step * k).time().replace(second=0, microsecond=0) for k in range(n)]


def _extra_time_events(plan: Plan, when: Reminders, until: datetime, owner: str) -> list[Event]:
    """One event per further time of each item done several times a day (time 1 is the session's)."""
    zone = ZoneInfo(when.timezone)
    events = []
    for item in plan.items:
        n = _times_per_day(item.dose)
        if item.kind != "exercise" or item.optional or n < 2 or not item.days:
            continue
        first = _first_on_or_after(plan.created, item.days)
        for k, moment in enumerate(extra_times(when, n - 1), start=2):
            event = _event(
                plan,
                f"times/{item.id}/{k}",
                f"Heel: {item.title} (time {k} of {n})",
                f"{item.title}: {format_dose(item.dose)}. Tick time {k} in today's check-in.",
                datetime.combine(first, moment, tzinfo=zone),
                EXTRA_TIME_LENGTH,
                owner,
            )
            event.add("rrule", {"freq": "weekly", "byday": [_BYDAY[d] for d in item.days], "until": until})
            event.add_component(_alarm(f"{item.title}: time {k} of {n}", timedelta(0)))
            events.append(event)
    return events


def _checkin_event(plan: Plan, when: Reminders, until: datetime, owner: str) -> Event:
    """The morning check-in, every day."""
    zone = ZoneInfo(when.timezone)
    checkin = _event(
        plan,
        "checkin",
        "Heel check-in: how did your first steps feel?",
        "Open heelcoach and answer the morning check-in; it tells you today's colour.",
        datetime.combine(plan.created, when.checkin, tzinfo=zone),
        CHECKIN_LENGTH,
        owner,
    )
    checkin.add("rrule", {"freq": "daily", "until": until})
    checkin.add_component(_alarm("Morning check-in", timedelta(0)))
    return checkin


def _exercise_events(plan: Plan, when: Reminders, until: datetime, owner: str) -> list[Event]:
    """One weekly event per group of exercise days, listing the items of those days."""
    zone = ZoneInfo(when.timezone)
    events = []
    for days, lines in _exercise_groups(plan):
        first = _first_on_or_after(plan.created, days)
        event = _event(
            plan,
            "exercises/" + "-".join(days),
            f"Heel exercises: {len(lines)} item{'s' if len(lines) != 1 else ''}",
            "\n".join(lines),
            datetime.combine(first, when.session, tzinfo=zone),
            SESSION_LENGTH,
            owner,
        )
        event.add("rrule", {"freq": "weekly", "byday": [_BYDAY[d] for d in days], "until": until})
        event.add_component(_alarm("Time for your heel exercises", ALARM_BEFORE))
        events.append(event)
    return events


def _run_event(plan: Plan, when: Reminders, until: datetime, owner: str, unit: DistanceUnit) -> Event | None:
    """The run days of the week (None when the plan has no running)."""
    run = plan.run
    if run.mode == "none" or run.runs_per_week <= 0:
        return None
    days = session_days(WEEKDAYS, run.runs_per_week)
    cap = f" No single run over {distance(run.max_single_run_km, unit)}." if run.max_single_run_km else ""
    first = _first_on_or_after(plan.created, days)
    event = _event(
        plan,
        "runs",
        "Run (heel plan)",
        in_unit(f"Effort: {run.effort}. Surface: {run.surface}.{cap} Check today's colour first.", unit),
        datetime.combine(first, when.run, tzinfo=ZoneInfo(when.timezone)),
        SESSION_LENGTH,
        owner,
    )
    event.add("rrule", {"freq": "weekly", "byday": [_BYDAY[d] for d in days], "until": until})
    event.add_component(_alarm("Run today? Check in first.", ALARM_BEFORE))
    return event


def plan_calendar(
    plan: Plan,
    when: Reminders,
    *,
    weeks: int = 4,
    owner: str = "runner",
    unit: DistanceUnit = DistanceUnit.KM,
) -> bytes:
    """An iCalendar file: check-in every morning, exercise days and run days, repeating ``weeks``.

    ``owner`` keeps event ids apart between runners (a clinic exports many) and stable over plan
    versions, so a calendar that imports the next week's file updates the events it has.
    """
    zone = ZoneInfo(when.timezone)
    start = plan.created
    # RFC 5545: with a TZID start, UNTIL must be given in UTC
    until = datetime.combine(start + timedelta(days=7 * weeks - 1), time(23, 59), tzinfo=zone).astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", "-//heelcoach//plan reminders//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-timezone", when.timezone)
    cal.add_component(_checkin_event(plan, when, until, owner))
    for event in _exercise_events(plan, when, until, owner):
        cal.add_component(event)
    for event in _extra_time_events(plan, when, until, owner):
        cal.add_component(event)
    run_event = _run_event(plan, when, until, owner, unit)
    if run_event is not None:
        cal.add_component(run_event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


# --------------------------------------------------------------------------------------------
# use cases: the runner's stored settings, and the calendar of their current plan


def _text(moment: time) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def reminders_for(ctx: AppContext, person_id: int) -> Reminders:
    """The runner's reminder settings (defaults until they set them)."""
    with transaction(ctx.sessions) as s:
        stored = ReminderSettings(s).get(person_id)
    if stored is None:
        return Reminders()
    return Reminders.parse(stored.checkin_time, stored.session_time, stored.timezone, run=stored.run_time)


def has_reminders(ctx: AppContext, person_id: int) -> bool:
    """Whether the runner has set their reminder times (else the defaults are used)."""
    with transaction(ctx.sessions) as s:
        return ReminderSettings(s).get(person_id) is not None


def save_reminders(ctx: AppContext, person_id: int, when: Reminders, *, now: datetime | None = None) -> None:
    """Store the runner's reminder settings (one row per runner, replaced)."""
    record = ReminderRecord(
        person_id, _text(when.checkin), _text(when.session), _text(when.run), when.timezone
    )
    with transaction(ctx.sessions) as s:
        if Repos(s).people.get(person_id) is None:
            raise NotFoundError("No such person: answer the questions first.")
        ReminderSettings(s).put(record, now or datetime.now(UTC))


def calendar_for(ctx: AppContext, person_id: int, *, weeks: int = 4) -> bytes:
    """The current plan as recurring reminders at the runner's times (NotFoundError without a plan)."""
    _record, plan = current_plan(ctx, person_id)
    return plan_calendar(
        plan,
        reminders_for(ctx, person_id),
        weeks=weeks,
        owner=f"person-{person_id}",
        unit=unit_for(ctx, person_id),
    )
