"""The in-process job runner: states, progress, plain failures, unknown ids."""

from __future__ import annotations

import threading
from typing import Any

from heelcoach.services.jobs import JobError, JobStatus, ThreadJobRunner


def _wait(runner: ThreadJobRunner, job_id: str) -> JobStatus:
    for _ in range(500):
        status = runner.status(job_id)
        assert status is not None
        if status.finished:
            return status
        threading.Event().wait(0.01)
    raise AssertionError("job did not finish")


def test_job_reports_progress_then_result() -> None:
    runner = ThreadJobRunner()
    gate = threading.Event()
    seen = threading.Event()

    def work(x: int, *, progress: Any) -> int:
        progress(0.5, "half way")
        seen.set()
        gate.wait(5)
        return x * 2

    job_id = runner.submit(work, 21)
    assert seen.wait(5)
    middle = runner.status(job_id)
    assert middle is not None
    assert middle.state == "running"
    assert middle.progress == 0.5
    assert middle.message == "half way"
    gate.set()
    done = _wait(runner, job_id)
    assert done.state == "done"
    assert done.result == 42
    assert done.progress == 1.0
    runner.shutdown()


def test_job_failure_keeps_a_plain_message() -> None:
    runner = ThreadJobRunner()

    def plain(*, progress: Any) -> None:
        raise JobError("The clip is too short: film at least 5 seconds.")

    def crash(*, progress: Any) -> None:
        raise KeyError("internal")

    first = _wait(runner, runner.submit(plain))
    assert first.state == "failed"
    assert first.error == "The clip is too short: film at least 5 seconds."
    second = _wait(runner, runner.submit(crash))
    assert second.state == "failed"
    assert second.error is not None
    assert "stopped with an unexpected error (KeyError)" in second.error
    assert "internal" not in second.error  # the exception's text goes to the log only
    runner.shutdown()


def test_unknown_job_is_none_and_progress_is_clamped() -> None:
    runner = ThreadJobRunner(keep=2)
    assert runner.status("nope") is None

    def over(*, progress: Any) -> None:
        progress(7.0, "too far")

    ids = [runner.submit(over) for _ in range(4)]
    _wait(runner, ids[-1])
    last = runner.status(ids[-1])
    assert last is not None
    assert last.progress == 1.0
    runner.shutdown()
