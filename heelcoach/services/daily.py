"""Same-day use cases: the answer to this morning's check-in, and logging a guided session into it.

Usage::

    answer = todays_answer(ctx, person_id, today)          # None before the first check-in of the day
    saved = log_session_item(ctx, person_id, today, SessionLog(item_id="...", event="done"))
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from heelcoach.domain.daily import DailyAnswer, daily_answer
from heelcoach.domain.progression import CheckIn
from heelcoach.errors import InvalidInputError, NotFoundError
from heelcoach.services.checkins import known_item_ids
from heelcoach.services.context import AppContext
from heelcoach.store.base import transaction
from heelcoach.store.repositories import CheckInRecord, Repos

#: How far back the answer looks for "the check-in before" (a rise since then counts).
LOOKBACK_DAYS = 7
#: Notes are capped at 2000 characters by the check-in; session lines stop before that.
_NOTES_MAX = 2000
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")

Reason = Literal["too_hard", "it_hurts", "no_equipment", "too_easy"]
REASON_WORDS: dict[str, str] = {
    "too_hard": "too hard",
    "it_hurts": "it hurts",
    "no_equipment": "no equipment",
    "too_easy": "too easy",
}


def domain_checkin(record: CheckInRecord) -> CheckIn:
    """The stored check-in as the core's value."""
    names = [f.name for f in dataclasses.fields(CheckIn)]
    return CheckIn(**{n: getattr(record, n) for n in names})


def answer_for(record: CheckInRecord, earlier: list[CheckInRecord], ctx: AppContext) -> DailyAnswer:
    """The same-day answer for one stored check-in, given the ones before it."""
    return daily_answer(domain_checkin(record), [domain_checkin(r) for r in earlier], ctx.catalogue.plan)


def todays_state(
    ctx: AppContext, person_id: int, today: date
) -> tuple[CheckInRecord | None, DailyAnswer | None]:
    """Today's check-in as stored now and its answer (both None before the first check-in)."""
    with transaction(ctx.sessions) as s:
        rows = Repos(s).checkins.between(person_id, today - timedelta(days=LOOKBACK_DAYS), today)
    todays = next((r for r in rows if r.day == today), None)
    if todays is None:
        return None, None
    return todays, answer_for(todays, [r for r in rows if r.day < today], ctx)


def todays_answer(ctx: AppContext, person_id: int, today: date) -> DailyAnswer | None:
    """Green / amber / red for ``today``'s check-in (None when there is none yet)."""
    return todays_state(ctx, person_id, today)[1]


#: The most times a day an item is done (``knowledge.schema.Dose.times_per_day``'s bound).
_MAX_TIMES_PER_DAY = 6


@dataclass(frozen=True, slots=True)
class SessionLog:
    """One event of a guided session: an item done (with what was done) or a reason given."""

    item_id: str
    event: Literal["done", "reason"]
    detail: str = ""
    reason: Reason | None = None
    item_name: str = ""
    #: the runner's own clock ("07:42"), so notes read in local time; else the server's UTC time
    at_local: str = ""


@dataclass(frozen=True, slots=True)
class SessionLogged:
    """The check-in after the event, and how many times the item was done today."""

    record: CheckInRecord
    times_today: int


def _note_line(log: SessionLog, times: int, at: datetime) -> str:
    name = log.item_name or log.item_id.replace("_", " ")
    clock = log.at_local if _CLOCK.fullmatch(log.at_local) else f"{at:%H:%M}"
    if log.event == "done":
        nth = f" (time {times} today)" if times > 1 else ""
        detail = f": {log.detail}" if log.detail else ""
        return f"Session {clock}: {name} done{nth}{detail}"
    return f"Session {clock}: {name}: {REASON_WORDS.get(log.reason or '', 'no reason')}"


def _times_done(notes: str, name: str) -> int:
    return sum(1 for line in notes.splitlines() if line.startswith("Session ") and f": {name} done" in line)


def log_session_item(
    ctx: AppContext, person_id: int, today: date, log: SessionLog, *, now: datetime | None = None
) -> SessionLogged:
    """Add a guided-session event to today's check-in (done items and a line in the notes).

    Needs today's check-in (the session asks for first-step pain first): it is the day's record.
    """
    if log.item_id not in known_item_ids(ctx):
        raise InvalidInputError(f"item_id: unknown item {log.item_id!r}; reload today's session")
    if log.event == "reason" and log.reason not in REASON_WORDS:
        raise InvalidInputError("reason: expected too_hard, it_hurts, no_equipment or too_easy")
    at = now or datetime.now(UTC)
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        record = repos.checkins.get(person_id, today)
        if record is None:
            raise NotFoundError("No check-in today yet: answer the first-step question first.")
        name = log.item_name or log.item_id.replace("_", " ")
        times = _times_done(record.notes, name) + (1 if log.event == "done" else 0)
        line = _note_line(log, times, at)
        notes = f"{record.notes}\n{line}".strip() if record.notes else line
        if len(notes) > _NOTES_MAX:
            notes = record.notes  # the notes are full; the done box below still counts
        done = record.done_items
        # one tick per time: the item's ticks follow the times done today (as Today's tick boxes)
        if log.event == "done" and done.count(log.item_id) < min(times, _MAX_TIMES_PER_DAY):
            done = (*done, log.item_id)
        stored, _created = repos.checkins.upsert(
            dataclasses.replace(record, done_items=done, notes=notes), at
        )
    return SessionLogged(stored, times)


def start_checkin(
    ctx: AppContext, person_id: int, today: date, first_step_pain: int, *, now: datetime | None = None
) -> CheckInRecord:
    """Record (or update) only today's first-step pain, keeping everything else of today's check-in."""
    if isinstance(first_step_pain, bool) or not 0 <= first_step_pain <= 10:
        raise InvalidInputError("first_step_pain: expected a whole number from 0 (no pain) to 10 (worst)")
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        if repos.people.get(person_id) is None:
            raise NotFoundError("No such person: answer the questions first.")
        record = repos.checkins.get(person_id, today) or CheckInRecord(
            person_id=person_id, day=today, first_step_pain=first_step_pain
        )
        stored, _ = repos.checkins.upsert(
            dataclasses.replace(record, first_step_pain=first_step_pain), now or datetime.now(UTC)
        )
    return stored
