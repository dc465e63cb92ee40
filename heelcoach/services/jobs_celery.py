"""Background jobs on Celery workers with a Redis broker: a clinic's runner behind the job interface.

Usage::

    runner = CeleryJobRunner(ctx, "redis://127.0.0.1:6379/0")   # in every web process
    job_id = runner.submit_named("gait.analyse", {"person_id": 1, ...})
    runner.status(job_id).progress                                # from any web process

The state of each job (queued, running, progress, result) lives in Redis under
``heelcoach:job:<id>``, so whichever web process answers can show it. Tasks are acknowledged late
(a worker killed mid-job leaves the message to be handed to another worker), idempotent (a job
already finished is not done again; a lease in Redis keeps two workers off the same job), bounded
by a time limit, and retried with back-off for transient failures only (database or broker out of
reach), never for bad input (:class:`JobError`).
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import random
import smtplib
import socket
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import kombu.exceptions
import redis
from celery import Celery, Task
from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from sqlalchemy.exc import DBAPIError, OperationalError

from heelcoach.services.jobs import NAMED_JOBS, JobError, JobServerAwayError, JobStatus, ThreadJobRunner

if TYPE_CHECKING:
    from collections.abc import Callable

    from heelcoach.config import Settings
    from heelcoach.services.context import AppContext

log = logging.getLogger(__name__)

KEY_PREFIX = "heelcoach:job:"
#: The job doing a piece of work that must not be queued twice at once (``submit_named(once=)``).
ONCE_PREFIX = "heelcoach:once:"
#: Job states are kept this long after their last change (seconds), then forgotten.
STATE_TTL_S = 7 * 24 * 3600
#: A worker holds a job's lease this long and renews it every third of it while the job runs;
#: a killed worker's lease runs out within this time and another worker may take the job.
LEASE_S = 20
#: Transient failures are tried again this many times, waiting 5 s, 10 s, 20 s... (with jitter).
MAX_RETRIES = 4
#: How often the clinic's beat asks for uploads no job took in time to be deleted (``UPLOAD_KEEP``).
SWEEP_EVERY_S = 3600.0
#: How often a job may find another worker holding its lease before it gives up.
MAX_LEASE_WAITS = 1000
#: Progress is written to Redis at most this often (seconds), and always at the end.
PROGRESS_EVERY_S = 0.25

#: Failures worth another try: the database or the broker was out of reach for a moment.
TRANSIENT = (
    OperationalError,
    DBAPIError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,
    TimeoutError,
)

SUBMIT_AWAY = "The work could not be started: the job server does not answer right now."
BROKER_AWAY = "Waiting for the job server to answer again; this page keeps checking."
UNEXPECTED = "The work stopped with an unexpected error ({}). Try again; if it happens again, report it."


#: The job the current worker thread runs (for the logs), empty outside a job.
current_job: contextvars.ContextVar[str] = contextvars.ContextVar("heelcoach_job", default="")


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the job id while a job runs."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line (an exception's traceback goes into ``exc``)."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        job_id = current_job.get()
        if job_id:
            entry["job_id"] = job_id
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def json_logging(level: str) -> None:
    """Send every log line of this process (Celery's and heelcoach's) to stderr as JSON."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLogFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def _now() -> str:
    return datetime.now(UTC).isoformat()


class JobStates:
    """Job state in Redis: one hash per job, a lease key per running job."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def create(self, job_id: str, name: str) -> None:
        """Record a queued job."""
        key = KEY_PREFIX + job_id
        self.client.hset(key, mapping={"state": "queued", "name": name, "created_at": _now(), "attempts": 0})
        self.client.expire(key, STATE_TTL_S)

    def update(self, job_id: str, **fields: Any) -> None:
        """Change some fields (values stored as JSON where not plain text)."""
        key = KEY_PREFIX + job_id
        mapping: dict[Any, Any] = {  # redis-py types its keys invariantly
            k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()
        }
        self.client.hset(key, mapping=mapping)
        self.client.expire(key, STATE_TTL_S)

    def begin(self, job_id: str) -> int:
        """Mark the job running; the number of this attempt (1 the first time)."""
        attempts = int(self.client.hincrby(KEY_PREFIX + job_id, "attempts", 1))
        self.update(job_id, state="running", started_at=_now())
        return attempts

    def raw(self, job_id: str) -> dict[str, str]:
        """The stored fields as text (empty for an unknown id)."""
        data = self.client.hgetall(KEY_PREFIX + job_id)
        return {_text(k): _text(v) for k, v in data.items()}

    def acquire(self, job_id: str, owner: str) -> bool:
        """Take the job's lease; False when another live worker holds it."""
        return bool(self.client.set(f"{KEY_PREFIX}{job_id}:lease", owner, nx=True, ex=LEASE_S))

    def renew(self, job_id: str, owner: str) -> None:
        """Extend the lease if ``owner`` still holds it."""
        key = f"{KEY_PREFIX}{job_id}:lease"
        if _text(self.client.get(key) or b"") == owner:
            self.client.expire(key, LEASE_S)

    def release(self, job_id: str, owner: str) -> None:
        """Give the lease back if ``owner`` holds it."""
        key = f"{KEY_PREFIX}{job_id}:lease"
        if _text(self.client.get(key) or b"") == owner:
            self.client.delete(key)


#: The pages' read-cache counters: ``heelcoach:cache:person-<id>`` and ``heelcoach:cache:everyone``.
CACHE_PREFIX = "heelcoach:cache:"


class RedisCacheVersions:
    """The pages' write counters in Redis, so every web process on every machine sees a write at once.

    Read on every cache hit (one round trip); Redis away: every read is a miss (pages are built
    from the database), never a stale page.
    """

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    @staticmethod
    def _key(person_id: object) -> str:
        return CACHE_PREFIX + (f"person-{person_id}" if isinstance(person_id, int) else "everyone")

    def read(self, person_id: object) -> tuple[object, object]:
        """The counters of the person and of everyone (a fresh object, equal to nothing, on error)."""
        try:
            mine, everyone = self.client.mget([self._key(person_id), self._key(None)])
        except redis.exceptions.RedisError:
            return (object(), object())
        return (mine, everyone)

    def bump(self, person_id: int | None) -> None:
        """Count a write (nothing happens when Redis is away: the pages' short TTL still holds)."""
        try:
            self.client.incr(self._key(person_id))
        except redis.exceptions.RedisError:
            log.warning("the page cache counter could not be bumped: Redis does not answer")


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def status_from(job_id: str, raw: dict[str, str], decode: Callable[[str, Any], Any]) -> JobStatus | None:
    """A :class:`JobStatus` from the stored fields (``decode(name, value)`` rebuilds the result)."""
    if not raw:
        return None
    state = raw.get("state", "queued")
    result = None
    if state == "done" and "result" in raw:
        result = decode(raw.get("name", ""), json.loads(raw["result"]))
    return JobStatus(
        job_id,
        state if state in ("queued", "running", "done", "failed") else "queued",  # type: ignore[arg-type]
        progress=float(json.loads(raw.get("progress", "0"))),
        message=raw.get("message", ""),
        result=result,
        error=raw.get("error") or None,
        created_at=_moment(raw.get("created_at")),
        finished_at=_moment(raw.get("finished_at")),
    )


# ------------------------------------------------------------------------------------------ the app
def redeliver_s(settings: Settings) -> int:
    """Seconds before a job a worker took but never finished goes to another worker."""
    return int(settings.job_redeliver_s or settings.job_time_limit_s + 60)


def make_celery(settings: Settings) -> Celery:
    """The Celery app for ``settings.broker_url`` with the one task that runs every named job."""
    if not settings.broker_url:
        raise ValueError("HEELCOACH_BROKER_URL is not set: there is no broker to send jobs to.")
    app = Celery("heelcoach", broker=settings.broker_url, set_as_current=False)
    visible_s = redeliver_s(settings)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue="default",
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        broker_transport_options={
            "visibility_timeout": visible_s,
            "unacked_restore_interval": max(1, min(10, visible_s // 3)),
            "unacked_restore_throttle": 1,
        },
    )
    limit_s = int(settings.job_time_limit_s)

    @app.task(
        base=JobTask,
        bind=True,
        shared=False,  # this app's own: another app made in the same process registers its own
        name="heelcoach.run_job",
        soft_time_limit=limit_s,
        time_limit=limit_s + 30,
        max_retries=MAX_RETRIES,
    )
    def run_job(task: Task, job_id: str, name: str, payload: dict[str, Any]) -> None:
        execute(task, job_id, name, payload)

    every_s = float(settings.reminder_every_s)

    @app.task(shared=False, name="heelcoach.send_reminders", soft_time_limit=limit_s, time_limit=limit_s + 30)
    def send_reminders() -> None:
        send_due_reminders()

    @app.task(shared=False, name="heelcoach.sweep_uploads", soft_time_limit=limit_s, time_limit=limit_s + 30)
    def sweep_uploads() -> None:
        sweep_stale_uploads()

    app.conf.beat_schedule = _beat_schedule(every_s)
    return app


def _beat_schedule(every_s: float) -> dict[str, dict[str, Any]]:
    """Celery beat (``heelcoach worker --beat``, one per clinic) asks for the reminders every
    ``every_s`` and for the sweep of stale uploads every hour; a look not taken in time is dropped,
    the next one does its work."""
    return {
        "daily-reminders": {
            "task": "heelcoach.send_reminders",
            "schedule": every_s,
            "options": {"queue": "default", "expires": every_s},
        },
        "stale-uploads": {
            "task": "heelcoach.sweep_uploads",
            "schedule": SWEEP_EVERY_S,
            "options": {"queue": "default", "expires": SWEEP_EVERY_S},
        },
    }


def sweep_stale_uploads() -> int:
    """Delete uploads no job took in time (a periodic task); how many went."""
    from heelcoach.services.blobs import DatabaseBlobStore

    ctx, _states = _worker_parts()
    try:
        removed = DatabaseBlobStore(ctx).sweep_stale_uploads(datetime.now(UTC))
    except TRANSIENT:  # the next look tries again
        log.exception("stale uploads could not be swept now; trying again at the next look")
        return 0
    if removed:
        log.info("deleted %d upload(s) no job took in time", removed)
    return removed


def send_due_reminders() -> int:
    """Send the reminders that are due (check-in, exercises, run; a periodic task); how many were sent."""
    from heelcoach.services import reminder_mail

    ctx, _states = _worker_parts()
    try:
        return reminder_mail.send_due(ctx, datetime.now(UTC), reminder_mail.smtp_sender(ctx.settings))
    except (*TRANSIENT, smtplib.SMTPException):  # the next look tries again
        log.exception("the reminders could not be sent now; trying again at the next look")
        return 0


class JobTask(Task):
    """The task class: a job whose process was killed at the hard time limit is marked failed."""

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        """Called in the worker's main process when the hard limit killed the job's process."""
        if isinstance(exc, TimeLimitExceeded) and len(args) == 3:  # job id, name, payload
            timed_out(str(args[0]), str(args[1]), dict(args[2]))


def _time_limit_error(settings: Settings) -> str:
    limit_s = int(settings.job_time_limit_s)
    took = f"{limit_s} seconds" if limit_s < 120 else f"{round(limit_s / 60)} minutes"
    return f"The work took longer than {took} and was stopped. Try a shorter file."


def timed_out(job_id: str, name: str, payload: dict[str, Any]) -> None:
    """Mark a job failed for its time limit (unless it finished) and drop its stored uploads."""
    ctx, states = _worker_parts()
    if states.raw(job_id).get("state") in ("done", "failed"):
        return
    states.update(job_id, state="failed", error=_time_limit_error(ctx.settings), finished_at=_now())
    spec = NAMED_JOBS.get(name)
    if spec is not None and spec.cleanup is not None:
        _clean(spec.cleanup, ctx, job_id, payload)


# --------------------------------------------------------------------------------- the worker side
_worker: dict[str, Any] = {}


def _worker_parts() -> tuple[AppContext, JobStates]:
    """This worker process's context and state store (made once per process, after any fork)."""
    pid = os.getpid()
    if _worker.get("pid") != pid:
        from heelcoach.services import background  # noqa: F401 - registers the named jobs
        from heelcoach.services.context import AppContext

        ctx = AppContext.from_settings(migrate=False)
        _worker.update(pid=pid, ctx=ctx, states=JobStates(redis.Redis.from_url(str(ctx.settings.broker_url))))
    return _worker["ctx"], _worker["states"]


class _Lease:
    """Holds a job's lease while it runs: renewed from a small thread, given back at the end."""

    def __init__(self, states: JobStates, job_id: str) -> None:
        self.states, self.job_id = states, job_id
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, name="heelcoach-lease", daemon=True)

    def _renew(self) -> None:
        while not self._stop.wait(LEASE_S / 3):
            try:
                self.states.renew(self.job_id, self.owner)
            except redis.exceptions.RedisError:  # the broker is away for a moment: try again later
                continue

    def acquire(self) -> bool:
        if not self.states.acquire(self.job_id, self.owner):
            return False
        self._thread.start()
        return True

    def release(self) -> None:
        self._stop.set()
        self.states.release(self.job_id, self.owner)


def _progress_writer(states: JobStates, job_id: str) -> Callable[[float, str], None]:
    last = [0.0]

    def progress(fraction: float, message: str = "") -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_S or fraction >= 1.0:
            last[0] = now
            states.update(job_id, progress=max(0.0, min(1.0, float(fraction))), message=message)

    return progress


def execute(task: Task, job_id: str, name: str, payload: dict[str, Any]) -> None:
    """Run one delivery of a job: at most once at a time, never again once finished."""
    token = current_job.set(job_id)
    try:
        _deliver(task, job_id, name, payload)
    finally:
        current_job.reset(token)


def _deliver(task: Task, job_id: str, name: str, payload: dict[str, Any]) -> None:
    ctx, states = _worker_parts()
    raw = states.raw(job_id)
    if raw.get("state") in ("done", "failed"):
        log.info("job %s (%s) was already finished: this delivery is dropped", job_id, name)
        return
    spec = NAMED_JOBS.get(name)
    if spec is None:
        states.update(job_id, state="failed", error=UNEXPECTED.format("unknown job"), finished_at=_now())
        return
    lease = _Lease(states, job_id)
    if not lease.acquire():  # another worker is on it: look again later, in case that worker dies
        raise task.retry(countdown=LEASE_S, max_retries=MAX_LEASE_WAITS)
    try:
        _run(task, ctx, states, spec.fn, job_id, payload)  # raises Retry when it will be tried again
        if isinstance(payload.get("person_id"), int):  # every web process shows what the job wrote
            RedisCacheVersions(states.client).bump(payload["person_id"])
        if spec.cleanup is not None:  # the job ended for good: its stored uploads are not needed
            _clean(spec.cleanup, ctx, job_id, payload)
    finally:
        lease.release()


def _clean(
    cleanup: Callable[[Any, dict[str, Any]], None], ctx: AppContext, job_id: str, payload: dict[str, Any]
) -> None:
    try:
        cleanup(ctx, payload)
    except Exception:  # the result stands; what is left goes with its person
        log.exception("job %s: cleaning up after it failed", job_id)


def _run(
    task: Task,
    ctx: AppContext,
    states: JobStates,
    fn: Callable[..., Any],
    job_id: str,
    payload: dict[str, Any],
) -> None:
    attempt = states.begin(job_id)
    log.info("job %s: attempt %d", job_id, attempt)
    try:
        result = fn(ctx, progress=_progress_writer(states, job_id), **payload)
    except JobError as exc:  # bad input: never tried again
        states.update(job_id, state="failed", error=str(exc), finished_at=_now())
    except SoftTimeLimitExceeded:
        states.update(job_id, state="failed", error=_time_limit_error(ctx.settings), finished_at=_now())
    except TRANSIENT as exc:
        retries = int(task.request.retries or 0)
        if retries >= MAX_RETRIES:
            log.exception("job %s failed after %d tries", job_id, retries + 1)
            error = UNEXPECTED.format(type(exc).__name__)
            states.update(job_id, state="failed", error=error, finished_at=_now())
            return
        wait_s = 5 * 2**retries * random.uniform(0.8, 1.2)
        log.warning("job %s: %s, trying again in %.0f s", job_id, type(exc).__name__, wait_s)
        states.update(job_id, state="queued", message="waiting to try again")
        raise task.retry(countdown=wait_s, exc=exc) from exc
    except Exception as exc:
        log.exception("background job %s failed", job_id)
        states.update(job_id, state="failed", error=UNEXPECTED.format(type(exc).__name__), finished_at=_now())
    else:
        states.update(job_id, state="done", progress=1.0, result=result, finished_at=_now())


# ------------------------------------------------------------------------------------ the web side
class CeleryJobRunner:
    """Sends named jobs to Celery workers; reads their state from Redis (any web process can)."""

    def __init__(self, ctx: AppContext, broker_url: str) -> None:
        self.ctx = ctx
        self.app = make_celery(ctx.settings.model_copy(update={"broker_url": broker_url}))
        self.states = JobStates(redis.Redis.from_url(broker_url))
        self.cache_versions = RedisCacheVersions(self.states.client)
        # functions that cannot travel (closures) still run here, in a thread, as in local mode
        self._local = ThreadJobRunner(max_workers=1)

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
        """Run a plain function in this process (only named jobs go to the workers)."""
        return self._local.submit(fn, *args, **kwargs)

    def submit_named(self, name: str, payload: dict[str, Any], once: str | None = None) -> str:
        """Queue the named job for a worker; its job id. JobServerAwayError when Redis does not answer.

        ``once``: what the work is (the same report of the same person on the same day, whoever
        asks). While a job queued under it is unfinished, its id is returned and nothing is queued.
        """
        spec = NAMED_JOBS[name]
        job_id = uuid.uuid4().hex
        try:
            joined = self._join(once, job_id)
            if joined is not None:
                return joined
            self.states.create(job_id, name)
            self.app.send_task(
                "heelcoach.run_job", args=[job_id, name, payload], queue=spec.queue, retry=False
            )
        except (redis.exceptions.RedisError, kombu.exceptions.OperationalError) as exc:
            log.warning("job %s (%s) not queued: the broker does not answer (%s)", job_id, name, exc)
            raise JobServerAwayError(SUBMIT_AWAY) from exc
        return job_id

    def _join(self, once: str | None, job_id: str) -> str | None:
        """The unfinished job already queued under ``once``, else None with ``job_id`` claimed for it."""
        if once is None:
            return None
        key, ttl = f"{ONCE_PREFIX}{once}", redeliver_s(self.ctx.settings)
        client = self.states.client
        while not client.set(key, job_id, nx=True, ex=ttl):
            other = client.get(key)
            status = self.status(other.decode()) if isinstance(other, bytes) else None
            if status is not None and not status.finished:
                return status.job_id
            client.delete(key)  # that job ended (or was forgotten): this one takes its place
        return None

    def failed(self, name: str, error: str) -> str:
        """Record a job that failed before it started (its upload was refused); its id."""
        job_id = uuid.uuid4().hex
        self.states.create(job_id, name)
        self.states.update(job_id, state="failed", error=error, finished_at=_now())
        return job_id

    def status(self, job_id: str) -> JobStatus | None:
        """The job's state as the workers last wrote it (or a local job's), None when unknown."""
        local = self._local.status(job_id)
        if local is not None:
            return local
        try:
            raw = self.states.raw(job_id)
        except redis.exceptions.RedisError:  # the broker is away for a moment: the page keeps asking
            log.warning("job %s: Redis does not answer", job_id)
            return JobStatus(job_id, "running", message=BROKER_AWAY)
        return status_from(job_id, raw, self._decode)

    def _decode(self, name: str, value: Any) -> object:
        """The job's stored JSON result rebuilt by its named job's decoder (as it is when unnamed)."""
        spec = NAMED_JOBS.get(name)
        return value if spec is None else spec.decode(self.ctx, value)

    def shutdown(self, wait: bool = True) -> None:
        """Stop the local threads (the workers keep their jobs)."""
        self._local.shutdown(wait=wait)
