"""Real parts for the clinic deployment: a real Redis, a real PostgreSQL, real ``heelcoach worker`` processes.

Redis comes from ``HEELCOACH_TEST_REDIS_URL`` (``scripts/test.sh`` starts one with
``scripts/redis.sh``). Without it the tests skip with the reason, except under CI where they fail.
Each test gets a Redis database number of its own (pytest-xdist workers never share queues) and a
PostgreSQL database of its own; each worker process runs in its own working and data folders, so
it cannot read anything the web app wrote to disk.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from heelcoach.config import Settings
from heelcoach.services.context import AppContext
from tests.db_fixtures import postgres_server_url  # noqa: F401 - the fixture, for this folder

ROOT = Path(__file__).resolve().parents[2]
#: Bounds that turn a hang into a failure (never a measure of speed).
READY_LIMIT_S = 120.0
JOB_LIMIT_S = 600.0


@pytest.fixture(scope="session")
def redis_server_url() -> str:
    """The test Redis (skip, or fail under CI, when there is none)."""
    url = os.environ.get("HEELCOACH_TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                "HEELCOACH_TEST_REDIS_URL is not set under CI: the clinic's job broker must be tested "
                "on a real Redis. Run the suite through scripts/test.sh (it starts Redis: scripts/redis.sh)."
            )
        pytest.skip("no Redis for the clinic tests: set HEELCOACH_TEST_REDIS_URL (scripts/redis.sh start)")
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.RedisError as exc:
        pytest.fail(f"the test Redis at {url} does not answer: {exc}")
    return url


@pytest.fixture
def redis_url(redis_server_url: str, worker_id: str) -> Iterator[str]:
    """A Redis database of this pytest worker's own (1-15), emptied before and after the test."""
    number = 1 + (int(re.sub(r"\D", "", worker_id) or 0) % 15)
    url = re.sub(r"/\d*$", "", redis_server_url.rstrip("/")) + f"/{number}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def pg_url(postgres_server_url: str, worker_id: str, request: pytest.FixtureRequest) -> Iterator[str]:  # noqa: F811
    """A PostgreSQL database of this test's own, dropped at the end."""
    name = re.sub(r"[^a-z0-9_]", "_", f"scale_{worker_id}_{os.getpid()}_{request.node.name}".lower())[:60]
    admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def web_ctx(tmp_path: Path, pg_url: str, redis_url: str) -> Iterator[AppContext]:
    """The web side's context: PostgreSQL, the broker on, its own data folder."""
    settings = Settings(data_dir=tmp_path / "web" / "data", database_url=pg_url, broker_url=redis_url)
    ctx = AppContext.from_settings(settings)
    yield ctx
    ctx.close()


@dataclass
class Worker:
    """A ``heelcoach worker`` process in a session of its own (so kill -9 reaches its children)."""

    process: subprocess.Popen[bytes]
    folder: Path
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill_hard(self) -> None:
        """kill -9 the worker and every process it started, as a machine failing would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill_hard()


@pytest.fixture
def start_worker(tmp_path: Path, pg_url: str, redis_url: str) -> Iterator[Callable[..., Worker]]:
    """Start real worker processes (each in its own folders); all are stopped at the end."""
    started: list[Worker] = []

    def start(name: str, *options: str, **env: str) -> Worker:
        folder = tmp_path / f"worker-{name}"
        (folder / "data").mkdir(parents=True)
        log = folder / "log"
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith("HEELCOACH_")},
            "PYTHONPATH": str(ROOT),
            "HEELCOACH_DATABASE_URL": pg_url,
            "HEELCOACH_BROKER_URL": redis_url,
            "HEELCOACH_DATA_DIR": str(folder / "data"),
            **env,
        }
        with log.open("wb") as fh:
            process = subprocess.Popen(
                [sys.executable, "-m", "heelcoach", "worker", "-c", "1", "-n", f"{name}@%h", *options],
                cwd=folder,
                env=environment,
                stdout=fh,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(process, folder, log)
        started.append(worker)
        deadline = time.monotonic() + READY_LIMIT_S
        while " ready." not in worker.text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the worker {name} did not start:\n{worker.text()[-3000:]}")
            time.sleep(0.2)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_for(check: Callable[[], Any], what: str, limit_s: float = JOB_LIMIT_S) -> Any:
    """Poll ``check`` until it returns something true; a hang fails after ``limit_s`` (not a speed test)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: still waiting after {limit_s:.0f} s")
