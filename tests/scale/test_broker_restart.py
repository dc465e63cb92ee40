"""Redis stopped and started under a running clinic: pages keep answering, the queued job is not lost.

A Redis of this test's own (append-only file on, as deploy/compose.yaml runs it), so stopping it
touches nothing else.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis

from heelcoach.config import Settings
from heelcoach.services.context import AppContext
from heelcoach.store.activities import ActivityRow
from tests.scale.conftest import READY_LIMIT_S, Worker, wait_for
from tests.scale.test_worker_jobs import FIT, _count, _finished, _upload_run
from tests.web.conftest import _test_client_class, main_text


class OwnRedis:
    """redis-server on a free port with its own folder; stop keeps the append-only file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--daemonize",
                "yes",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--dir",
                str(self.folder),
                "--pidfile",
                str(self.folder / "redis.pid"),
                "--logfile",
                str(self.folder / "log"),
            ],
            check=True,
        )
        client = redis.Redis.from_url(self.url)
        wait_for(lambda: _answers(client), "redis-server starting", READY_LIMIT_S)
        client.close()

    def stop(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown"], check=False, capture_output=True)
        client = redis.Redis.from_url(self.url)
        wait_for(lambda: not _answers(client), "redis-server stopping", READY_LIMIT_S)
        client.close()


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.exceptions.ConnectionError:
        return False


@pytest.fixture
def own_redis(tmp_path: Path, redis_server_url: str) -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed: scripts/setup.sh --test installs it")
    server = OwnRedis(tmp_path / "redis")
    server.start()
    yield server
    subprocess.run(
        ["redis-cli", "-p", str(server.port), "shutdown", "nosave"], check=False, capture_output=True
    )


@pytest.fixture
def own_web(tmp_path: Path, pg_url: str, own_redis: OwnRedis) -> Iterator[tuple[AppContext, Any]]:
    """The web app (its context and a browser's client) on PostgreSQL with this test's own Redis."""
    from heelcoach.web.app import create_app

    settings = Settings(data_dir=tmp_path / "web" / "data", database_url=pg_url, broker_url=own_redis.url)
    ctx = AppContext.from_settings(settings)
    try:
        with _test_client_class()(create_app(ctx), raise_server_exceptions=False) as client:
            yield ctx, client
    finally:
        ctx.close()


def test_redis_stopped_and_started_loses_no_job(
    own_web: tuple[AppContext, Any], own_redis: OwnRedis, start_worker: Callable[..., Worker]
) -> None:
    ctx, client = own_web
    job_id = _upload_run(client, FIT)  # queued: no worker yet
    own_redis.stop()
    page: Any = client.get(f"/runs/import/{job_id}")
    assert page.status_code == 200
    assert "Waiting for the job server" in main_text(page.text)
    assert client.get("/today").status_code == 200  # pages without jobs do not notice
    own_redis.start()
    start_worker("after", HEELCOACH_BROKER_URL=own_redis.url)
    state = wait_for(lambda: _finished(client, job_id), "the import after Redis came back")
    assert state["state"] == "done"
    assert _count(ctx, ActivityRow) == 1


@dataclass
class _RedisBack:
    """Try again on a kept upload: refused while Redis is away, queued once it is back."""

    ctx: AppContext
    client: Any
    redis: OwnRedis
    start_worker: Callable[..., Worker]

    def once_back(self, retry_path: str, token: str, what: str) -> str:
        """Try again with Redis still away (503, the upload still kept), start Redis and a worker,
        try again: the job, finished. Its id."""
        from tests.scale.test_worker_jobs import _blobs

        still: Any = self.client.post(retry_path, data={"csrf_token": token}, follow_redirects=False)
        assert still.status_code == 503  # still away: still kept
        assert _blobs(self.ctx) == 1
        self.redis.start()
        worker = self.start_worker("after", HEELCOACH_BROKER_URL=self.redis.url)
        again: Any = self.client.post(retry_path, data={"csrf_token": token}, follow_redirects=False)
        assert again.status_code == 303, again.text[-2000:]
        job_id = str(again.headers["location"]).rsplit("/", 1)[-1]
        state = wait_for(lambda: _finished(self.client, job_id), what)
        assert state["state"] == "done", (state, worker.text()[-3000:])
        return job_id


def test_redis_down_when_a_video_is_uploaded_keeps_it_and_try_again_analyses_it(
    own_web: tuple[AppContext, Any], own_redis: OwnRedis, start_worker: Callable[..., Worker]
) -> None:
    from heelcoach.store.gait_reports import GaitReportRow
    from tests.scale.test_worker_jobs import SHORT_CLIP, _blobs, _web_files, post_clip
    from tests.web.conftest import csrf_of

    ctx, client = own_web
    own_redis.stop()
    refused = post_clip(client, SHORT_CLIP)
    assert refused.status_code == 503, refused.text[-2000:]
    text = main_text(refused.text)
    assert "the job server does not answer" in text
    assert f"Your video {SHORT_CLIP.name} is kept" in text
    assert "Try again" in text
    assert "Traceback" not in refused.text
    assert "127.0.0.1" not in text  # no address of the broker
    assert _blobs(ctx) == 1  # nothing lost: the video waits in the database
    assert _web_files(ctx) == []
    retry = _RedisBack(ctx, client, own_redis, start_worker)
    retry.once_back("/gait/retry", csrf_of(client, "/gait"), "the analysis after Redis came back")
    assert _count(ctx, GaitReportRow) == 1
    assert _blobs(ctx) == 0
    assert "Try again" not in main_text(client.get("/gait").text)


def _post_fit(client: Any) -> Any:
    from tests.web.conftest import csrf_of

    token = csrf_of(client, "/runs")
    with FIT.open("rb") as fh:
        return client.post(
            "/runs/import",
            data={"csrf_token": token},
            files={"files": (FIT.name, fh, "application/octet-stream")},
            follow_redirects=False,
        )


def test_redis_down_when_a_watch_file_is_uploaded_keeps_it_and_try_again_imports_it(
    own_web: tuple[AppContext, Any], own_redis: OwnRedis, start_worker: Callable[..., Worker]
) -> None:
    from tests.scale.test_worker_jobs import _blobs, _web_files
    from tests.web.conftest import csrf_of

    ctx, client = own_web
    csrf_of(client, "/runs")
    own_redis.stop()
    refused = _post_fit(client)
    assert refused.status_code == 503, refused.text[-2000:]
    text = main_text(refused.text)
    assert "the job server does not answer" in text
    assert f"Your file {FIT.name} is kept" in text
    assert "Try again" in text
    assert "127.0.0.1" not in text  # no address of the broker
    assert _blobs(ctx) == 1  # nothing lost: the file waits in the database...
    assert _web_files(ctx) == []  # ...not on the web host's disk
    assert "Try again" in main_text(client.get("/runs").text)
    retry = _RedisBack(ctx, client, own_redis, start_worker)
    job_id = retry.once_back("/runs/retry", csrf_of(client, "/runs"), "the import after Redis came back")
    assert _count(ctx, ActivityRow) == 1
    assert _blobs(ctx) == 0  # no longer waiting...
    assert _blobs(ctx, "watch_file") == 1  # ...kept for the run's detail
    assert "Try again" not in main_text(client.get("/runs").text)
    assert FIT.name in main_text(client.get(f"/runs/import/{job_id}").text)


def _age_uploads(ctx: AppContext, days: float) -> list[str]:
    """Make every stored upload ``days`` older, as if it had waited that long; their ids."""
    from datetime import timedelta

    from sqlalchemy import select

    from heelcoach.store.base import transaction
    from heelcoach.store.blobs import BlobRow

    with transaction(ctx.sessions) as s:
        rows = s.scalars(select(BlobRow).where(BlobRow.kind == "upload")).all()
        for row in rows:
            row.created_at = row.created_at - timedelta(days=days)
        return [row.id for row in rows]


def test_a_kept_watch_file_never_retried_is_deleted_after_its_time(
    own_web: tuple[AppContext, Any], own_redis: OwnRedis, start_worker: Callable[..., Worker]
) -> None:
    """A file kept while Redis was away does not stay (and count for the quota) for ever: after
    ``UPLOAD_KEEP`` it goes at the person's next upload or at the beat's sweep, and Try again says so."""
    from heelcoach.services.blobs import UPLOAD_KEEP
    from heelcoach.services.jobs_celery import CeleryJobRunner
    from tests.scale.test_worker_jobs import _blobs
    from tests.web.conftest import csrf_of

    ctx, client = own_web
    later = UPLOAD_KEEP.days + 1
    csrf_of(client, "/runs")
    own_redis.stop()
    first = _post_fit(client)
    assert first.status_code == 503
    assert f"is kept for {UPLOAD_KEEP.days} days" in main_text(first.text)
    forgotten = _age_uploads(ctx, later)
    assert _post_fit(client).status_code == 503  # kept again; the forgotten one goes
    assert _blobs(ctx) == 1
    assert forgotten[0] not in _age_uploads(ctx, 0)
    _age_uploads(ctx, later)  # the second one is forgotten too: the beat's sweep takes it
    own_redis.start()
    start_worker("sweeper", HEELCOACH_BROKER_URL=own_redis.url)
    jobs: CeleryJobRunner = client.app.state.backend.jobs
    jobs.app.send_task("heelcoach.sweep_uploads", queue="default")
    wait_for(lambda: _blobs(ctx) == 0, "the sweep of stale uploads")
    token = csrf_of(client, "/runs")
    gone: Any = client.post("/runs/retry", data={"csrf_token": token}, follow_redirects=False)
    assert gone.status_code == 410
    assert "no longer stored" in main_text(gone.text)
