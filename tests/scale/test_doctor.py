"""``heelcoach doctor`` and the readiness endpoint against a real Redis, PostgreSQL and worker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from heelcoach.config import Settings
from heelcoach.services.context import AppContext
from tests.scale.conftest import ROOT, Worker
from tests.web.conftest import _test_client_class


def _doctor(pg_url: str, broker_url: str, data_dir: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEELCOACH_")}
    env.update(
        PYTHONPATH=str(ROOT),
        HEELCOACH_DATABASE_URL=pg_url,
        HEELCOACH_BROKER_URL=broker_url,
        HEELCOACH_DATA_DIR=str(data_dir),
        **extra,
    )
    return subprocess.run(
        [sys.executable, "-m", "heelcoach", "doctor"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_doctor_finds_the_missing_worker_then_the_running_one(
    web_ctx: AppContext, pg_url: str, redis_url: str, start_worker: Callable[..., Worker], tmp_path: Path
) -> None:
    alone = _doctor(pg_url, redis_url, tmp_path / "d1")
    assert alone.returncode == 1, alone.stdout + alone.stderr
    assert "ok       database" in alone.stdout
    assert "ok       broker" in alone.stdout
    assert "PROBLEM  workers: no worker answered" in alone.stdout
    start_worker("doc")
    fine = _doctor(pg_url, redis_url, tmp_path / "d2")
    assert fine.returncode == 0, fine.stdout + fine.stderr
    assert "workers: 1 answered: doc@" in fine.stdout
    nobody = _doctor(pg_url, f"redis://127.0.0.1:{_closed_port()}/0", tmp_path / "d3")
    assert nobody.returncode == 1
    assert "PROBLEM  broker: Redis at HEELCOACH_BROKER_URL does not answer" in nobody.stdout
    assert "Traceback" not in nobody.stdout + nobody.stderr


def test_readiness_says_which_part_is_missing(web_ctx: AppContext, tmp_path: Path) -> None:
    from heelcoach.web.app import create_app

    with _test_client_class()(create_app(web_ctx)) as client:
        answer: Any = client.get("/api/health/ready")
        assert answer.status_code == 200
        assert answer.json() == {"status": "ready", "checks": {"database": True, "broker": True}}
    settings = Settings(
        data_dir=tmp_path / "other",
        database_url=web_ctx.settings.database_url,
        broker_url=f"redis://127.0.0.1:{_closed_port()}/0",
    )
    other = AppContext.from_settings(settings)
    try:
        with _test_client_class()(create_app(other)) as client:
            answer = client.get("/api/health/ready")
            assert answer.status_code == 503
            assert answer.json()["checks"] == {"database": True, "broker": False}
            assert "redis" not in answer.text.lower()  # no addresses for whoever asks
            assert client.get("/api/health").status_code == 200  # alive, only not ready
    finally:
        other.close()
