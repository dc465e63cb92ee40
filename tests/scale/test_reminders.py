"""The daily check-in reminders on Celery beat, sent by SMTP to a real local mail sink (aiosmtpd).

Two real workers, each running its own beat (the worst case: every look is asked for twice),
look for due reminders every second against one PostgreSQL: the runner gets the mail once.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
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


def _runner_with_plan(ctx: AppContext, email: str, when: Reminders) -> int:
    from heelcoach.services import intake, planning
    from tests.web.answers import TYPICAL

    pid = _runner(ctx, email, when)
    intake.save_intake(ctx, pid, TYPICAL)
    planning.make_plan(ctx, pid)
    return pid


def _subjects(sink: Sink) -> list[str]:
    import email

    return sorted(str(email.message_from_bytes(m.content)["Subject"]) for m in sink.messages)


def test_session_and_run_reminders_are_mailed_once_with_two_workers_and_two_beats(
    web_ctx: AppContext, start_worker: Callable[..., Worker], mail_sink: tuple[Sink, int]
) -> None:
    from heelcoach.domain.plan import WEEKDAYS, session_days
    from heelcoach.services import planning

    sink, port = mail_sink
    now = datetime.now(UTC)
    zone = _midday_zone(now)
    local = now.astimezone(ZoneInfo(zone))
    due = (local - timedelta(minutes=1)).time().replace(second=0, microsecond=0)
    later = time((local.hour + 3) % 24, 0)
    pid = _runner_with_plan(
        web_ctx, "ann@example.org", Reminders(checkin=later, session=due, run=due, timezone=zone)
    )
    _record, plan = planning.current_plan(web_ctx, pid)
    run_day = WEEKDAYS[local.weekday()] in session_days(WEEKDAYS, plan.run.runs_per_week)
    expected = sorted(["Your heel exercises for today", *(["Your run today (heel plan)"] if run_day else [])])
    env = {
        "HEELCOACH_SMTP_HOST": "127.0.0.1",
        "HEELCOACH_SMTP_PORT": str(port),
        "HEELCOACH_MAIL_FROM": "reminders@clinic.example",
        "HEELCOACH_REMINDER_EVERY_S": "1",
    }
    first = start_worker("one", "--beat", **env)
    second = start_worker("two", "--beat", **env)
    wait_for(lambda: len(sink.messages) >= len(expected), "the reminder e-mails", 180)
    seen = (_looks(first), _looks(second))
    wait_for(lambda: _looks(first) >= seen[0] + 3 and _looks(second) >= seen[1] + 3, "more looks")
    assert _subjects(sink) == expected  # each once, and no check-in mail before its time
    assert all(m.rcpt_tos == ["ann@example.org"] for m in sink.messages)
    session_mail = next(m for m in sink.messages if b"exercises for today" in m.content)
    assert "Time for today's heel exercises" in session_mail.content.decode()


def test_run_reminders_only_on_run_days_and_none_once_a_warning_sign_stopped_training(
    pg_url: str, tmp_path: Any, mail_sink: tuple[Sink, int]
) -> None:
    from heelcoach.config import Settings
    from heelcoach.services import checkins, reminder_mail

    sink, port = mail_sink
    ctx = AppContext.from_settings(Settings(data_dir=tmp_path, database_url=pg_url, smtp_host="127.0.0.1"))
    try:
        when = Reminders(checkin=time(7, 0), session=time(18, 0), run=time(12, 0), timezone="Europe/Berlin")
        pid = _runner_with_plan(ctx, "ann@example.org", when)
        send = reminder_mail.smtp_sender(ctx.settings.model_copy(update={"smtp_port": port}))
        monday = datetime(2026, 12, 7, tzinfo=ZoneInfo("Europe/Berlin"))  # a run day of the plan
        sent = [
            reminder_mail.send_due(ctx, monday.replace(hour=h, minute=m), send)
            for h, m in [(7, 30), (7, 31), (12, 10), (12, 40), (18, 5), (18, 6), (21, 0)]
        ]
        assert sent == [1, 0, 1, 0, 1, 0, 0]  # at each time, once; not at night
        assert _subjects(sink) == sorted(
            ["Your heel check-in for today", "Your run today (heel plan)", "Your heel exercises for today"]
        )
        tuesday = monday + timedelta(days=1)  # no run on Tuesday; the exercises go on
        assert reminder_mail.send_due(ctx, tuesday.replace(hour=12, minute=10), send) == 0
        assert reminder_mail.send_due(ctx, tuesday.replace(hour=18, minute=5), send) == 1
        run_mail = next(m for m in sink.messages if b"run today" in m.content).content.decode()
        assert "Effort:" in run_mail
        assert "Check in first" in run_mail
        warning = checkins.CheckInInput(
            day=date(2026, 12, 9), first_step_pain=5, red_flag_symptoms=("numbness_or_tingling",)
        )
        checkins.record_checkin(ctx, pid, warning, today=date(2026, 12, 9))
        wednesday = monday + timedelta(days=2)  # a run day, but training stopped: neither mail
        assert reminder_mail.send_due(ctx, wednesday.replace(hour=12, minute=10), send) == 0
        assert reminder_mail.send_due(ctx, wednesday.replace(hour=18, minute=5), send) == 0
    finally:
        ctx.close()
