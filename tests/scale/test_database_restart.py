"""PostgreSQL restarted while a worker analyses a video: the job completes (on a retry if need be)
and leaves no half-written rows.

A PostgreSQL cluster of this test's own (``scripts/pg.sh`` with a private folder and port), so
restarting it touches nothing else.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import select

from heelcoach.config import Settings
from heelcoach.services.context import AppContext
from heelcoach.services.jobs_celery import KEY_PREFIX
from heelcoach.store.base import transaction
from heelcoach.store.gait_reports import GaitReportRow
from tests.scale.conftest import ROOT, Worker, wait_for
from tests.scale.test_worker_jobs import LONG_CLIP, _blobs, _count, _finished, _upload_clip
from tests.web.conftest import _test_client_class


class OwnPostgres:
    """A throwaway cluster on a free port; ``restart`` is a fast stop (connections cut) and a start."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.folder = Path(f"/tmp/heelcoach-pg-restart-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        self.env = {**os.environ, "HEELCOACH_PG_DIR": str(self.folder), "HEELCOACH_PG_PORT": str(self.port)}

    def _run(self, action: str) -> str:
        done = subprocess.run(
            ["bash", str(ROOT / "scripts" / "pg.sh"), action],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return done.stdout.strip()

    def start(self) -> str:
        return self._run("start")

    def stop(self) -> None:
        self._run("stop")


@pytest.fixture
def own_postgres(redis_server_url: str) -> Iterator[OwnPostgres]:
    if shutil.which("initdb") is None and not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        pytest.fail("PostgreSQL is not installed: scripts/setup.sh --test installs it")
    server = OwnPostgres()
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.folder, ignore_errors=True)
    Path(f"{server.folder}.lock").unlink(missing_ok=True)


def _pictures_named(ctx: AppContext) -> list[str]:
    with transaction(ctx.sessions) as s:
        reports = s.scalars(select(GaitReportRow.report_json)).all()
    names: list[str] = []
    for report in reports:
        document = report if isinstance(report, dict) else json.loads(report)
        names += [*document.get("key_frames", []), *document.get("plots", [])]
    return names


def test_postgres_restarted_mid_analysis_the_job_completes_once_with_no_half_written_rows(
    tmp_path: Path, own_postgres: OwnPostgres, redis_url: str, start_worker: Callable[..., Worker]
) -> None:
    from heelcoach.web.app import create_app

    url = own_postgres.start()
    settings = Settings(data_dir=tmp_path / "web" / "data", database_url=url, broker_url=redis_url)
    ctx = AppContext.from_settings(settings)
    try:
        with _test_client_class()(create_app(ctx), raise_server_exceptions=False) as client:
            worker = start_worker("one", HEELCOACH_DATABASE_URL=url)
            job_id = _upload_clip(client, LONG_CLIP)

            def reading_frames() -> bool:
                state: dict[str, Any] = client.get(f"/api/jobs/{job_id}").json()
                assert state["state"] in ("queued", "running"), (state, worker.text()[-3000:])
                return bool(re.match(r"reading frame [1-9]", state["message"]))

            wait_for(reading_frames, "the worker reading frames")
            own_postgres.stop()  # every connection the worker and the web app hold is cut
            own_postgres.start()
            restarted_at = datetime.now(UTC)
            state = wait_for(lambda: _finished(client, job_id), "the job after the restart")
            assert state["state"] == "done", (state, worker.text()[-3000:])
            finished = redis.Redis.from_url(redis_url).hget(KEY_PREFIX + job_id, "finished_at")
            assert finished is not None
            assert datetime.fromisoformat(finished.decode()) > restarted_at  # it ran across the restart
            assert _count(ctx, GaitReportRow) == 1  # once, even if it was tried again
            pictures = _pictures_named(ctx)
            assert pictures
            assert all(p.startswith("blob:") for p in pictures)
            assert _blobs(ctx, "gait_picture") == len(pictures)  # no picture without its report
            assert _blobs(ctx) == 0
            assert client.get("/gait").status_code == 200
    finally:
        ctx.close()


def test_pages_fail_cleanly_while_postgres_is_down_and_work_again_after(
    tmp_path: Path, own_postgres: OwnPostgres
) -> None:
    """PostgreSQL stopped: a page and an API call answer 503 with a plain message and Retry-After
    (no traceback, no address, no SQL); started again, the same browser goes on as before."""
    from heelcoach.web.app import create_app
    from tests.web.conftest import main_text

    url = own_postgres.start()
    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=url))
    try:
        with _test_client_class()(create_app(ctx), raise_server_exceptions=False) as client:
            assert client.get("/today").status_code == 200
            own_postgres.stop()
            page = client.get("/today")
            assert page.status_code == 503, page.text[-1500:]
            assert page.headers["retry-after"] == "30"
            text = main_text(page.text)
            assert "The database did not answer in time" in text
            assert "What you saved before is kept" in text
            for leak in ("Traceback", "psycopg", "OperationalError", "127.0.0.1", "SELECT"):
                assert leak not in page.text
            api = client.get("/api/me")
            assert api.status_code == 503
            assert api.json()["detail"].startswith("The database did not answer in time")
            own_postgres.start()
            assert client.get("/today").status_code == 200
    finally:
        ctx.close()
