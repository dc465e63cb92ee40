"""The daily reminders by e-mail, for a clinic's runners (sent by Celery beat's periodic task).

Usage::

    sent = send_due(ctx, datetime.now(UTC), smtp_sender(ctx.settings))   # a worker, every minute

A runner with reminder settings (Settings -> Reminders) and an account gets, on each local day,
one e-mail for the morning check-in at its time, one for the exercise session at the session time
on the days their current plan has exercises, and one for the run at the run time on the plan's
run days (neither while the plan has no running or a warning sign stopped training) -- each
once its time has come, and not when it is long past (a beat that was down does not send
yesterday's reminder at night). The row that records a mail (person, day, kind) is added before
the mail is sent and committed after: a second worker finds it and sends nothing; a mail server
that fails rolls it back, and the next look tries again.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from heelcoach.config import Settings
from heelcoach.domain.plan import WEEKDAYS, Plan, session_days
from heelcoach.domain.units import DistanceUnit, distance
from heelcoach.errors import NotFoundError
from heelcoach.services import clearance, planning, units
from heelcoach.services.calendar import ReminderError, Reminders
from heelcoach.services.context import AppContext
from heelcoach.store.accounts import AccountRow
from heelcoach.store.base import transaction
from heelcoach.store.reminder_mail import ReminderMailRow
from heelcoach.store.reminders import ReminderRow
from heelcoach.text.plan_text import format_dose

log = logging.getLogger(__name__)

CHECKIN, SESSION, RUN = "checkin", "session", "run"
#: A reminder goes out once its time has come, but not when it is this much later already.
LATE_LIMIT = timedelta(hours=2)

SUBJECT = "Your heel check-in for today"
BODY = (
    "Good morning.\n\n"
    "Time for your daily check-in: how did your heel feel on the first steps this morning?\n"
    "Open heelcoach and answer on Today; it takes a minute and keeps your plan right for you.\n\n"
)
SAFETY = (
    "heelcoach is not a diagnosis. Pain at rest, at night, numbness, or a heel you cannot stand on: "
    "stop training and see a clinician.\n"
)
SESSION_SUBJECT = "Your heel exercises for today"
RUN_SUBJECT = "Your run today (heel plan)"


def due_day(now: datetime, when: Reminders, at: time | None = None) -> date | None:
    """The runner's local day whose reminder at ``at`` (default: the check-in time) is due at
    ``now`` (aware), or None."""
    from zoneinfo import ZoneInfo

    local = now.astimezone(ZoneInfo(when.timezone))
    start = datetime.combine(local.date(), at or when.checkin, tzinfo=local.tzinfo)
    return local.date() if start <= local < start + LATE_LIMIT else None


def _session_text(plan: Plan, day: date) -> str | None:
    """What the session reminder says on ``day``, or None when the plan has no exercise that day."""
    weekday = WEEKDAYS[day.weekday()]
    lines = [
        f"- {i.title}: {format_dose(i.dose)}"
        for i in plan.items
        if i.kind == "exercise" and not i.optional and weekday in i.days
    ]
    if not lines:
        return None
    return (
        "Time for today's heel exercises:\n" + "\n".join(lines) + "\n\nTick them in heelcoach when done.\n\n"
    )


def _run_text(plan: Plan, day: date, unit: DistanceUnit) -> str | None:
    """What the run reminder says on ``day``, or None when it is no run day (or no running)."""
    run = plan.run
    if run.mode == "none" or run.runs_per_week <= 0:
        return None
    if WEEKDAYS[day.weekday()] not in session_days(WEEKDAYS, run.runs_per_week):
        return None
    cap = f" No single run over {distance(run.max_single_run_km, unit)}." if run.max_single_run_km else ""
    return (
        f"Today is a run day in your plan. Effort: {run.effort}. Surface: {run.surface}.{cap}\n"
        "Check in first: if your heel is worse, today's colour tells you to cut the run or rest.\n\n"
    )


def smtp_sender(settings: Settings) -> Callable[[EmailMessage], None]:
    """Sends a message through the configured mail server (``HEELCOACH_SMTP_HOST``)."""

    def send(message: EmailMessage) -> None:
        if not settings.smtp_host:
            raise ConnectionError("HEELCOACH_SMTP_HOST is not set: there is no mail server to send through")
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            smtp.send_message(message)

    return send


def _message(settings: Settings, email: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = email
    message["Subject"] = subject
    message.set_content(body + SAFETY)
    return message


def _send_one(
    ctx: AppContext,
    due: tuple[int, date, str],
    message: EmailMessage,
    now: datetime,
    send: Callable[..., None],
) -> bool:
    """Record and send one reminder (``due``: person, day, kind); False when it was sent already."""
    person_id, day, kind = due
    try:
        with transaction(ctx.sessions) as s:
            s.add(ReminderMailRow(person_id=person_id, day=day, kind=kind, sent_at=now))
            s.flush()  # a second worker waits here until this one commits, then finds it taken
            send(message)
    except IntegrityError:
        return False
    return True


def _due_mails(
    ctx: AppContext, person_id: int, when: Reminders, now: datetime
) -> list[tuple[date, str, str, str]]:
    """The reminders due for the person at ``now``: (day, kind, subject, body) each."""
    out: list[tuple[date, str, str, str]] = []
    day = due_day(now, when)
    if day is not None:
        out.append((day, CHECKIN, SUBJECT, BODY))
    session_day, run_day = due_day(now, when, when.session), due_day(now, when, when.run)
    if session_day is None and run_day is None:
        return out
    if clearance.stop_referral(ctx, person_id) is not None:  # a warning sign stopped training
        return out
    try:
        _record, plan = planning.current_plan(ctx, person_id)
    except NotFoundError:  # no plan yet: nothing to exercise or run
        return out
    session = _session_text(plan, session_day) if session_day is not None else None
    if session_day is not None and session is not None:
        out.append((session_day, SESSION, SESSION_SUBJECT, session))
    run = _run_text(plan, run_day, units.unit_for(ctx, person_id)) if run_day is not None else None
    if run_day is not None and run is not None:
        out.append((run_day, RUN, RUN_SUBJECT, run))
    return out


def send_due(ctx: AppContext, now: datetime, send: Callable[[EmailMessage], None]) -> int:
    """Send every reminder (check-in, exercises, run) due at ``now`` not sent yet; how many were sent."""
    query = select(ReminderRow, AccountRow.email).join(
        AccountRow, AccountRow.person_id == ReminderRow.person_id
    )
    with transaction(ctx.sessions) as s:
        rows = [
            (r.person_id, r.checkin_time, r.session_time, r.run_time, r.timezone, e)
            for r, e in s.execute(query)
        ]
    sent = 0
    for person_id, checkin, session, run, zone, email in rows:
        try:
            when = Reminders.parse(checkin, session, zone, run=run)
        except (ReminderError, ValueError):  # settings saved by an older version: skipped
            log.warning("person %s: reminder settings cannot be read", person_id)
            continue
        for day, kind, subject, body in _due_mails(ctx, person_id, when, now):
            message = _message(ctx.settings, email, subject, body)
            if _send_one(ctx, (person_id, day, kind), message, now, send):
                log.info("person %s: %s reminder sent for %s", person_id, kind, day.isoformat())
                sent += 1
    return sent
