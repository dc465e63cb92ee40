"""CLI command ``worker``: a Celery worker that runs a clinic's background jobs (gait, imports).

Needs ``HEELCOACH_BROKER_URL`` (Redis) and the clinic's ``HEELCOACH_DATABASE_URL``; the worker
reads uploads from the database, so it may run on any machine that reaches both.
"""

from __future__ import annotations

import os

import typer

from heelcoach.cli.app import app
from heelcoach.cli.common import fail, open_context

#: Queues a worker serves unless told otherwise: quick jobs, and the gait analyses.
DEFAULT_QUEUES = "default,gait"
#: How far a worker steps back for other processes on its machine (Unix nice, 0 to 19). Gait
#: analysis takes every core it is given for seconds at a time; on a machine it shares with the web
#: server, pages must come first, and a worker alone on its machine loses nothing by it.
DEFAULT_NICE = 10


def _pin(cores: int | None) -> None:
    """Keep this process (and every job process it starts) on its first ``cores`` usable cores,
    leaving the others to the web server on a shared machine; a gait analysis then runs one pose
    model per pinned core."""
    if cores is None:
        return
    usable = sorted(os.sched_getaffinity(0))
    if cores > len(usable):
        fail(f"--cores {cores}: this machine lets the worker use {len(usable)} core(s)", 2)
    os.sched_setaffinity(0, usable[:cores])


def _step_back(nice: int) -> None:
    """Lower this process's CPU priority to ``nice`` (never raise it); jobs and children inherit it."""
    if nice > os.getpriority(os.PRIO_PROCESS, 0):
        os.setpriority(os.PRIO_PROCESS, 0, nice)


@app.command("worker")
def worker(
    concurrency: int = typer.Option(
        1, "--concurrency", "-c", min=1, max=64, help="Jobs run at once (processes); one per two cores."
    ),
    queues: str = typer.Option(
        DEFAULT_QUEUES, "--queues", "-Q", help="Comma-separated queues to take jobs from: default, gait."
    ),
    loglevel: str = typer.Option("INFO", "--loglevel", help="DEBUG, INFO, WARNING or ERROR."),
    hostname: str = typer.Option(None, "--hostname", "-n", help="This worker's name (default: celery@host)."),
    log_format: str = typer.Option(
        "json", "--log-format", help="json (one object per line, with the job id) or text (Celery's own)."
    ),
    beat: bool = typer.Option(
        False, "--beat", help="Also run the clock for the daily reminders (Celery beat); one per clinic."
    ),
    nice: int = typer.Option(
        DEFAULT_NICE, "--nice", min=0, max=19, help="CPU priority below the web server (0: same, 19: lowest)."
    ),
    cores: int | None = typer.Option(
        None, "--cores", min=1, help="Use only this many cores (default: all), leaving the rest to the web."
    ),
) -> None:
    """Run background jobs from the broker until stopped (Ctrl-C, or SIGTERM from systemd)."""
    from heelcoach.config import get_settings

    settings = get_settings()
    if not settings.broker_url:
        fail("set HEELCOACH_BROKER_URL (for example redis://127.0.0.1:6379/0) to run a worker", 2)
    chosen = [q.strip() for q in queues.split(",") if q.strip()]
    unknown = sorted(set(chosen) - set(DEFAULT_QUEUES.split(",")))
    if not chosen or unknown:
        fail(f"unknown queue(s) {', '.join(unknown) or '(none given)'}: choose among {DEFAULT_QUEUES}", 2)
    _pin(cores)  # before Celery starts its pool: every job process inherits it
    with open_context():  # the database is reachable and migrated before any job is taken
        pass
    from heelcoach.services import background  # noqa: F401 - registers the named jobs
    from heelcoach.services.jobs_celery import json_logging, make_celery

    if log_format not in ("json", "text"):
        fail(f"--log-format: choose json or text, not {log_format!r}", 2)

    argv = ["worker", f"--concurrency={concurrency}", f"--queues={','.join(chosen)}"]
    argv.append(f"--loglevel={loglevel}")
    if log_format == "json":  # Celery's start-up banner stays plain text
        json_logging(loglevel)
    if hostname:
        argv.append(f"--hostname={hostname}")
    if beat:  # its schedule file lives in this worker's data folder
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        argv += ["--beat", f"--schedule={settings.data_dir / 'celerybeat-schedule'}"]
    _step_back(nice)  # before Celery starts its pool: every job process inherits it
    make_celery(settings).worker_main(argv)
