"""Checks of a configuration, for ``heelcoach doctor`` and the readiness endpoint.

Usage::

    for check in run_checks(ctx, ping_workers=True):
        print(check.name, check.ok, check.detail)

Each check says in plain words what it found and, when something is wrong, what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import text

from heelcoach.store.migrate import current_revision, head_revision

if TYPE_CHECKING:
    from heelcoach.config import Settings
    from heelcoach.services.context import AppContext


@dataclass(frozen=True, slots=True)
class Check:
    """One finding: what was checked, whether it is fine, and the detail (what to do when not)."""

    name: str
    ok: bool
    detail: str


def database(ctx: AppContext) -> Check:
    """The database answers and its schema is at the newest revision."""
    url = ctx.engine.url.render_as_string(hide_password=True)
    try:
        with ctx.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        current = current_revision(ctx.engine)
    except Exception as exc:  # noqa: BLE001 - any failure is reported the same way
        return Check(
            "database",
            False,
            f"{url} does not answer ({type(exc).__name__}): check "
            "HEELCOACH_DATABASE_URL and that the database server runs.",
        )
    head = head_revision()
    if current != head:
        return Check(
            "database",
            False,
            f"{url} is at schema revision {current or 'none'}, not {head}: "
            "run any heelcoach command once (it upgrades the schema) or check the version installed.",
        )
    return Check("database", True, f"{url} answers, schema at revision {head}")


def broker(settings: Settings) -> Check:
    """The Redis broker answers (or there is none: jobs run in the web process)."""
    if not settings.broker_url:
        return Check("broker", True, "none configured: background jobs run inside the web process")
    import redis

    client = redis.Redis.from_url(settings.broker_url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        return Check(
            "broker",
            False,
            f"Redis at HEELCOACH_BROKER_URL does not answer ({type(exc).__name__}): "
            "check the address and that redis-server runs.",
        )
    finally:
        client.close()
    return Check("broker", True, "Redis answers")


def workers(settings: Settings, timeout_s: float = 2.0) -> Check:
    """At least one ``heelcoach worker`` answers a ping through the broker."""
    if not settings.broker_url:
        return Check("workers", True, "none needed: background jobs run inside the web process")
    from heelcoach.services.jobs_celery import make_celery

    app = make_celery(settings)
    try:
        replies = app.control.ping(timeout=timeout_s) or []
    except Exception as exc:  # noqa: BLE001 - the broker check says more
        return Check("workers", False, f"could not ask the workers ({type(exc).__name__})")
    finally:
        app.close()
    names = sorted(name for reply in replies for name in reply)
    if not names:
        return Check(
            "workers",
            False,
            "no worker answered: start one with `heelcoach worker` "
            "(same HEELCOACH_BROKER_URL and HEELCOACH_DATABASE_URL).",
        )
    return Check("workers", True, f"{len(names)} answered: {', '.join(names)}")


def mail(settings: Settings, timeout_s: float = 5.0) -> Check:
    """The mail server for the reminder e-mails answers (when one is configured)."""
    import smtplib

    if not settings.smtp_host:
        return Check("mail", True, "none configured: no reminder e-mails are sent")
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout_s) as smtp:
            smtp.noop()
    except (OSError, smtplib.SMTPException) as exc:
        return Check(
            "mail",
            False,
            f"the mail server at HEELCOACH_SMTP_HOST does not answer ({type(exc).__name__}): check "
            "HEELCOACH_SMTP_HOST and HEELCOACH_SMTP_PORT; reminder e-mails wait until it answers",
        )
    return Check("mail", True, "the mail server answers")


def run_checks(ctx: AppContext, *, ping_workers: bool = True) -> list[Check]:
    """Every check in order: database, broker, then (when asked) the workers and the mail server."""
    checks = [database(ctx), broker(ctx.settings)]
    if ping_workers and checks[-1].ok:
        checks.append(workers(ctx.settings))
    if ping_workers:  # the doctor, not the readiness endpoint: a page needs no mail server
        checks.append(mail(ctx.settings))
    return checks
