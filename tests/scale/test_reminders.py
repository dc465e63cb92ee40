"""The daily check-in reminders on Celery beat, sent by SMTP to a real local mail sink (aiosmtpd).

Two real workers, each running its own beat (the worst case: every look is asked for twice),
look for due reminders every second against one PostgreSQL: the runner gets the mail once.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from heelcoach.services import accounts
from heelcoach.services.calendar import Reminders, save_reminders
from heelcoach.services.context import AppContext
from heelcoach.store.base import transaction
from heelcoach.store.reminder_mail import ReminderMailRow
from tests.scale.conftest import Worker, wait_for


class Sink:
    """Keeps every message the mail server receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook
        with self.lock:
            self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def mail_sink() -> Iterator[tuple[Sink, int]]:
    """A real SMTP server on a free local port."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


def _midday_zone(now: datetime) -> str:
    """A fixed-offset zone where it is about noon now (no day boundary near the test)."""
    offset = 12 - now.hour
    return f"Etc/GMT{-offset:+d}"  # Etc/GMT-2 is two hours ahead of UTC


def _runner(ctx: AppContext, email: str, when: Reminders) -> int:
    added = accounts.add_user(ctx, email, "runner", None, "a long passphrase here")
    assert added.person_id is not None
    save_reminders(ctx, added.person_id, when)
    return int(added.person_id)


def _looks(worker: Worker) -> int:
    return worker.text().count("heelcoach.send_reminders[") // 2  # received, then succeeded


def test_a_due_reminder_is_mailed_once_with_two_workers_and_two_beats(
    web_ctx: AppContext, start_worker: Callable[..., Worker], mail_sink: tuple[Sink, int]
) -> None:
    sink, port = mail_sink
    now = datetime.now(UTC)
    zone = _midday_zone(now)
    local = now.astimezone(ZoneInfo(zone))
    due = (local - timedelta(minutes=1)).time().replace(second=0, microsecond=0)
    later = time((local.hour + 3) % 24, 0)
    _runner(web_ctx, "ann@example.org", Reminders(checkin=due, timezone=zone))
    _runner(web_ctx, "bo@example.org", Reminders(checkin=later, timezone=zone))  # not yet due
    env = {
        "HEELCOACH_SMTP_HOST": "127.0.0.1",
        "HEELCOACH_SMTP_PORT": str(port),
        "HEELCOACH_MAIL_FROM": "reminders@clinic.example",
        "HEELCOACH_REMINDER_EVERY_S": "1",
    }
    first = start_worker("one", "--beat", **env)  # both run their own beat: every look is asked twice
    second = start_worker("two", "--beat", **env)
    wait_for(lambda: sink.messages, "the reminder e-mail")
    # every worker took several more looks after the mail went out: none sent it again
    seen = (_looks(first), _looks(second))
    wait_for(lambda: _looks(first) >= seen[0] + 3 and _looks(second) >= seen[1] + 3, "more looks")
    assert len(sink.messages) == 1, [m.rcpt_tos for m in sink.messages]
    mail = sink.messages[0]
    assert mail.rcpt_tos == ["ann@example.org"]
    assert mail.mail_from == "reminders@clinic.example"
    text = mail.content.decode()
    assert "Subject: Your heel check-in for today" in text
    assert "first steps" in text
    with transaction(web_ctx.sessions) as s:
        assert s.scalar(select(func.count()).select_from(ReminderMailRow)) == 1


def test_a_mail_server_away_sends_nothing_and_the_next_look_sends_it(
    pg_url: str, tmp_path: Any, mail_sink: tuple[Sink, int]
) -> None:
    from heelcoach.config import Settings
    from heelcoach.services import reminder_mail

    sink, port = mail_sink
    with socket.socket() as probe:  # a port nothing listens on: the mail server is away
        probe.bind(("127.0.0.1", 0))
        closed = int(probe.getsockname()[1])
    ctx = AppContext.from_settings(Settings(data_dir=tmp_path, database_url=pg_url, smtp_host="127.0.0.1"))
    try:
        now = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)
        _runner(ctx, "ann@example.org", Reminders(checkin=time(7, 0), timezone="UTC"))
        away = reminder_mail.smtp_sender(ctx.settings.model_copy(update={"smtp_port": closed}))
        with pytest.raises(ConnectionRefusedError):
            reminder_mail.send_due(ctx, now, away)
        with transaction(ctx.sessions) as s:  # nothing recorded as sent
            assert s.scalar(select(func.count()).select_from(ReminderMailRow)) == 0
        there = reminder_mail.smtp_sender(ctx.settings.model_copy(update={"smtp_port": port}))
        assert reminder_mail.send_due(ctx, now + timedelta(minutes=1), there) == 1
        assert reminder_mail.send_due(ctx, now + timedelta(minutes=2), there) == 0  # once a day
        assert len(sink.messages) == 1
        # too late (a beat down all morning) or too early: nothing
        assert reminder_mail.due_day(now + timedelta(hours=3), Reminders(checkin=time(7, 0))) is None
        assert reminder_mail.due_day(now - timedelta(hours=1), Reminders(checkin=time(7, 0))) is None
        berlin = Reminders(checkin=time(8, 0), timezone="Europe/Berlin")  # 08:30 in Berlin
        assert reminder_mail.due_day(now, berlin) == now.date()
    finally:
        ctx.close()


def test_doctor_checks_the_mail_server(
    web_ctx: AppContext,
    pg_url: str,
    redis_url: str,
    start_worker: Callable[..., Worker],
    mail_sink: tuple[Sink, int],
    tmp_path: Any,
) -> None:
    from tests.scale.test_doctor import _closed_port, _doctor

    _sink, port = mail_sink
    start_worker("doc")
    fine = _doctor(
        pg_url, redis_url, tmp_path / "d1", HEELCOACH_SMTP_HOST="127.0.0.1", HEELCOACH_SMTP_PORT=str(port)
    )
    assert fine.returncode == 0, fine.stdout + fine.stderr
    assert "ok       mail: the mail server answers" in fine.stdout
    away = str(_closed_port())
    down = _doctor(
        pg_url, redis_url, tmp_path / "d2", HEELCOACH_SMTP_HOST="127.0.0.1", HEELCOACH_SMTP_PORT=away
    )
    assert down.returncode == 1, down.stdout + down.stderr
    assert "PROBLEM  mail: the mail server at HEELCOACH_SMTP_HOST does not answer" in down.stdout
    assert "Traceback" not in down.stdout + down.stderr
