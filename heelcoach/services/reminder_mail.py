"""The daily check-in reminder by e-mail, for a clinic's runners (sent by Celery beat's periodic task).

Usage::

    sent = send_due(ctx, datetime.now(UTC), smtp_sender(ctx.settings))   # a worker, every minute

A runner with reminder settings (Settings -> Reminders) and an account gets one e-mail on each
local day once their check-in time has come (not when it is long past: a beat that was down does
not send yesterday's reminder at night). The row that records it is added before the mail is sent
and committed after: a second worker finds it and sends nothing; a mail server that fails rolls it
back, and the next look tries again.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from heelcoach.config import Settings
from heelcoach.services.calendar import ReminderError, Reminders
from heelcoach.services.context import AppContext
from heelcoach.store.accounts import AccountRow
from heelcoach.store.base import transaction
from heelcoach.store.reminder_mail import ReminderMailRow
from heelcoach.store.reminders import ReminderRow

log = logging.getLogger(__name__)

CHECKIN = "checkin"
#: A reminder goes out once its time has come, but not when it is this much later already.
LATE_LIMIT = timedelta(hours=2)

SUBJECT = "Your heel check-in for today"
BODY = (
    "Good morning.\n\n"
    "Time for your daily check-in: how did your heel feel on the first steps this morning?\n"
    "Open heelcoach and answer on Today; it takes a minute and keeps your plan right for you.\n\n"
    "heelcoach is not a diagnosis. Pain at rest, at night, numbness, or a heel you cannot stand on: "
    "stop training and see a clinician.\n"
)


def due_day(now: datetime, when: Reminders) -> date | None:
    """The runner's local day whose check-in reminder is due at ``now`` (aware), or None."""
    from zoneinfo import ZoneInfo

    local = now.astimezone(ZoneInfo(when.timezone))
    at = datetime.combine(local.date(), when.checkin, tzinfo=local.tzinfo)
    return local.date() if at <= local < at + LATE_LIMIT else None


def smtp_sender(settings: Settings) -> Callable[[EmailMessage], None]:
    """Sends a message through the configured mail server (``HEELCOACH_SMTP_HOST``)."""

    def send(message: EmailMessage) -> None:
        if not settings.smtp_host:
            raise ConnectionError("HEELCOACH_SMTP_HOST is not set: there is no mail server to send through")
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            smtp.send_message(message)

    return send


def _message(settings: Settings, email: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = email
    message["Subject"] = SUBJECT
    message.set_content(BODY)
    return message


def _send_one(
    ctx: AppContext, person_id: int, email: str, day: date, now: datetime, send: Callable[..., None]
) -> bool:
    try:
        with transaction(ctx.sessions) as s:
            s.add(ReminderMailRow(person_id=person_id, day=day, kind=CHECKIN, sent_at=now))
            s.flush()  # a second worker waits here until this one commits, then finds it taken
            send(_message(ctx.settings, email))
    except IntegrityError:
        return False
    return True


def send_due(ctx: AppContext, now: datetime, send: Callable[[EmailMessage], None]) -> int:
    """Send every check-in reminder due at ``now`` that was not sent yet; how many were sent."""
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
        day = due_day(now, when)
        if day is not None and _send_one(ctx, person_id, email, day, now, send):
            log.info("person %s: check-in reminder sent for %s", person_id, day.isoformat())
            sent += 1
    return sent
