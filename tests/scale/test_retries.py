"""Which failures a worker tries again (the database or broker away for a moment) and which not.

The Celery task is replaced at its seam by a recorder of ``retry`` calls; the job state is kept in
the real test Redis, as on a worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import redis
from celery.exceptions import Retry
from sqlalchemy.exc import OperationalError

from heelcoach.config import Settings
from heelcoach.services.jobs import JobError
from heelcoach.services.jobs_celery import MAX_RETRIES, JobStates, _run


class RecordingTask:
    """Stands for the Celery task: how often it was already retried, and the retries asked for."""

    def __init__(self, retries: int = 0) -> None:
        self.request = SimpleNamespace(retries=retries)
        self.asked: list[float] = []

    def retry(self, countdown: float, exc: BaseException | None = None, **_: Any) -> Retry:
        self.asked.append(countdown)
        return Retry(exc=exc, when=countdown)


@pytest.fixture
def states(redis_url: str) -> Iterator[JobStates]:
    client = redis.Redis.from_url(redis_url)
    states = JobStates(client)
    states.create("job", "test.job")
    yield states
    client.close()


CTX = SimpleNamespace(settings=Settings(job_time_limit_s=60))


def _fails_with(exc: BaseException) -> Any:
    def fn(_ctx: Any, *, progress: Any) -> None:
        progress(0.5, "half way")
        raise exc

    return fn


def test_a_database_out_of_reach_is_tried_again_later_and_later(states: JobStates) -> None:
    down = OperationalError("SELECT 1", {}, Exception("connection refused"))
    waits = []
    for retries in range(MAX_RETRIES):
        task = RecordingTask(retries)
        with pytest.raises(Retry):
            _run(task, CTX, states, _fails_with(down), "job", {})  # type: ignore[arg-type]
        assert states.raw("job")["state"] == "queued"
        assert states.raw("job")["message"] == "waiting to try again"
        waits.append(task.asked[0])
    assert waits == sorted(waits)
    assert 4 <= waits[0] <= 6
    last = RecordingTask(MAX_RETRIES)
    _run(last, CTX, states, _fails_with(down), "job", {})  # type: ignore[arg-type]
    assert last.asked == []
    assert states.raw("job")["state"] == "failed"
    assert "OperationalError" in states.raw("job")["error"]


@pytest.mark.parametrize(
    ("exc", "error"),
    [
        (JobError("The clip is too short: film at least 5 seconds."), "The clip is too short"),
        (KeyError("internal"), "unexpected error (KeyError)"),
    ],
)
def test_bad_input_and_bugs_are_not_tried_again(states: JobStates, exc: BaseException, error: str) -> None:
    task = RecordingTask()
    _run(task, CTX, states, _fails_with(exc), "job", {})  # type: ignore[arg-type]
    assert task.asked == []
    raw = states.raw("job")
    assert raw["state"] == "failed"
    assert error in raw["error"]
    assert "internal" not in raw["error"]
    assert raw["attempts"] == "1"


def test_a_job_killed_at_its_hard_time_limit_is_marked_failed(
    states: JobStates,
    web_ctx: Any,
    pg_url: str,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    """The worker's main process hears of the kill (``on_failure``) and says so to the page."""
    from billiard.exceptions import TimeLimitExceeded

    from heelcoach.services import jobs_celery

    for name, value in {
        "HEELCOACH_DATABASE_URL": pg_url,
        "HEELCOACH_BROKER_URL": redis_url,
        "HEELCOACH_DATA_DIR": str(tmp_path / "worker"),
        "HEELCOACH_JOB_TIME_LIMIT_S": "300",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(jobs_celery, "_worker", {})
    states.begin("job")
    task = jobs_celery.make_celery(Settings(broker_url=redis_url)).tasks["heelcoach.run_job"]
    task.on_failure(
        TimeLimitExceeded(330), "celery-id", ["job", "gait.analyse", {"blob_id": "gone"}], {}, None
    )
    raw = states.raw("job")
    assert raw["state"] == "failed"
    assert raw["error"] == "The work took longer than 5 minutes and was stopped. Try a shorter file."
    jobs_celery._worker["ctx"].close()
