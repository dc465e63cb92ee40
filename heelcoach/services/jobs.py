"""One interface for background jobs (gait analysis, big imports); the default runs in-process.

Usage::

    runner = ThreadJobRunner(max_workers=1)
    job_id = runner.submit(work, path)          # work(path, progress=...) -> result
    runner.status(job_id).state                 # "queued" | "running" | "done" | "failed"

A job function receives a ``progress`` keyword: call ``progress(fraction, message)`` with a
fraction in 0-1 so that a page can show how far it got.

At clinic scale (``HEELCOACH_BROKER_URL`` set) the runner is
:class:`heelcoach.services.jobs_celery.CeleryJobRunner`: a function cannot travel to another
machine, so the work is a *named job* (:func:`named_job`) called with plain JSON values, through
:meth:`RemoteJobRunner.submit_named`. :func:`runner_for` picks the runner from the settings.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from heelcoach.errors import HeelcoachError, JobError

JobState = Literal["queued", "running", "done", "failed"]
ProgressFn = Callable[[float, str], None]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class JobStatus:
    """A snapshot of one job: its state, progress 0-1, a message, and the result or error."""

    job_id: str
    state: JobState
    progress: float = 0.0
    message: str = ""
    result: Any = None
    error: str | None = None
    created_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        """True once the job is done or failed."""
        return self.state in ("done", "failed")


class JobRunner(Protocol):
    """Runs functions in the background and reports their state by job id."""

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
        """Start ``fn(*args, progress=..., **kwargs)``; return its job id at once."""
        ...

    def status(self, job_id: str) -> JobStatus | None:
        """The job's current state, or None for an unknown id."""
        ...


class CacheVersions(Protocol):
    """Write counters every web process and worker share (Redis), for the pages' read cache.

    A write made anywhere (a web process, a worker finishing a job) bumps its person's counter;
    a cached page is reused only while the counters it was built at are unchanged.
    """

    def read(self, person_id: object) -> tuple[object, object]:
        """The person's and everyone's counters now (a value equal to nothing when unreadable)."""
        ...

    def bump(self, person_id: int | None) -> None:
        """Count a write for one person (or for everyone)."""
        ...


class JobServerAwayError(HeelcoachError):
    """A job could not be queued: the broker (Redis) does not answer. Nothing was lost."""


@dataclass(frozen=True, slots=True)
class NamedJob:
    """Work any worker process can do from plain values.

    ``fn(ctx, progress=..., **payload)`` returns a JSON value; ``decode(ctx, value)`` turns that
    value back into what the pages expect (the same object a local job leaves);
    ``cleanup(ctx, payload)`` runs once the job ended for good (done, or failed without a retry).
    """

    name: str
    fn: Callable[..., Any]
    decode: Callable[[Any, Any], Any]
    queue: str = "default"
    cleanup: Callable[[Any, dict[str, Any]], None] | None = None


#: Every named job, by name (filled by the modules that define them, imported by the worker).
NAMED_JOBS: dict[str, NamedJob] = {}


def named_job(
    name: str,
    decode: Callable[[Any, Any], Any],
    queue: str = "default",
    cleanup: Callable[[Any, dict[str, Any]], None] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn`` as the named job ``name`` (a decorator); the function is returned unchanged."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        NAMED_JOBS[name] = NamedJob(name, fn, decode, queue, cleanup)
        return fn

    return register


class RemoteJobRunner(JobRunner, Protocol):
    """A runner whose jobs run in other processes, maybe on other machines."""

    def submit_named(self, name: str, payload: dict[str, Any], once: str | None = None) -> str:
        """Queue the named job with its JSON payload; return its job id at once (the unfinished
        job already queued under ``once``, when one is)."""
        ...

    def failed(self, name: str, error: str) -> str:
        """A job of ``name`` that failed before it could start (``error`` for the person); its id."""
        ...


def is_remote(runner: JobRunner) -> bool:
    """True when ``runner`` sends named jobs to other processes (a broker is configured)."""
    return callable(getattr(runner, "submit_named", None))


def runner_for(ctx: Any, max_workers: int = 1) -> JobRunner:
    """The runner the settings ask for: Celery with ``broker_url``, else threads in this process."""
    broker_url = getattr(ctx.settings, "broker_url", None)
    if broker_url:
        from heelcoach.services.jobs_celery import CeleryJobRunner  # Celery only when configured

        return CeleryJobRunner(ctx, broker_url)
    return ThreadJobRunner(max_workers=max_workers)


#: Niceness of job threads: long imports and analyses leave the CPU to the server's answers first.
JOB_NICENESS = 10


def _run_in_background() -> None:
    """Lower this thread's CPU priority (Linux: a thread is its own task); elsewhere a no-op."""
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, max(current, JOB_NICENESS))
    except (AttributeError, OSError):  # no per-thread priorities here, or not allowed
        pass


class ThreadJobRunner:
    """The embedded default: a thread pool in this process, job state kept in memory."""

    def __init__(self, max_workers: int = 1, keep: int = 200) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="heelcoach-job")
        self._jobs: dict[str, JobStatus] = {}
        self._lock = threading.Lock()
        self._keep = keep

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            current = self._jobs.get(job_id)
            if current is not None:
                self._jobs[job_id] = replace(current, **changes)

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.finished]
        extra = len(self._jobs) - self._keep
        for job in sorted(finished, key=lambda j: j.created_at or datetime.min.replace(tzinfo=UTC))[:extra]:
            self._jobs.pop(job.job_id, None)

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
        """Queue ``fn``; it is called with a ``progress`` keyword argument."""
        job_id = uuid.uuid4().hex
        with self._lock:
            self._forget_old()
            self._jobs[job_id] = JobStatus(job_id, "queued", created_at=datetime.now(UTC))

        def progress(fraction: float, message: str = "") -> None:
            self._update(job_id, progress=max(0.0, min(1.0, float(fraction))), message=message)

        def run() -> None:
            _run_in_background()
            self._update(job_id, state="running")
            try:
                result = fn(*args, progress=progress, **kwargs)
            except JobError as exc:
                self._update(job_id, state="failed", error=str(exc), finished_at=datetime.now(UTC))
            except Exception as exc:
                log.exception("background job %s failed", job_id)
                # the exception's own text can hold server paths or internals: it goes to the log only
                self._update(
                    job_id,
                    state="failed",
                    error=(
                        f"The work stopped with an unexpected error ({type(exc).__name__}). "
                        "Try again; if it happens again, report it."
                    ),
                    finished_at=datetime.now(UTC),
                )
            else:
                self._update(job_id, state="done", progress=1.0, result=result, finished_at=datetime.now(UTC))

        self._pool.submit(run)
        return job_id

    def status(self, job_id: str) -> JobStatus | None:
        """The job's current snapshot, or None if the id is unknown (or long forgotten)."""
        with self._lock:
            return self._jobs.get(job_id)

    def shutdown(self, wait: bool = True) -> None:
        """Stop accepting jobs; wait for the running ones when ``wait``."""
        self._pool.shutdown(wait=wait, cancel_futures=not wait)
