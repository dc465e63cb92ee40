"""Imports that cannot take the server down, through the web import of the real server.

The nested zip bomb and a 1,500-file account export are made here, at run time. While they are
imported the server's peak memory (VmHWM of its process) is read, /api/health is asked every
0.2 s (each answer must come within HEALTH_LIMIT_S: a loose check that the server is not blocked,
with room for a loaded machine; the 1 s target is measured by benchmarks/import_bench.py), and the
server must never fork a worker process.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.security_server import (
    HealthWatch,
    Server,
    browser_session,
    finished_import,
    many_runs_archive,
    nested_bomb,
    post_import,
    running_server,
)

#: The server's peak memory must stay under this, bombs and big exports included.
PEAK_MB = 300
#: /api/health must answer within this while imports run (a blocked event loop takes far longer).
HEALTH_LIMIT_S = 3.0
#: Each import must end within this (a hang fails the test instead of blocking it).
IMPORT_LIMIT_S = 240


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("archives")
    return {
        "bomb.zip": nested_bomb(folder / "bomb.zip").read_bytes(),
        "export.zip": many_runs_archive(folder / "export.zip").read_bytes(),
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("imports")) as srv:
        yield srv


class ForkWatch:
    """Looks for child processes of the server every 50 ms while it imports."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.seen: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.seen.update(self.server.children())
            self._stop.wait(0.05)

    def __enter__(self) -> ForkWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def _import(server: Server, name: str, data: bytes) -> str:
    client, token = browser_session(server)
    sent = post_import(client, token, [(name, data)])
    assert sent.status_code == 303, sent.text[-1500:]
    return finished_import(client, sent.headers["location"], IMPORT_LIMIT_S)


def test_nested_bomb_is_refused_without_memory_or_a_blocked_server(
    server: Server, archives: dict[str, bytes]
) -> None:
    with HealthWatch(server).watching() as health, ForkWatch(server) as forks:
        page = _import(server, "bomb.zip", archives["bomb.zip"])
    assert "bomb.zip" in page
    assert "would expand to more than the limit" in page
    assert "No new activities" in page
    assert server.peak_rss_mb() < PEAK_MB, f"peak {server.peak_rss_mb():.0f} MB"
    assert health.asked > 0
    assert not health.failures
    assert health.slowest_s < HEALTH_LIMIT_S
    assert not forks.seen


def test_a_1500_file_export_imports_in_the_background(server: Server, archives: dict[str, bytes]) -> None:
    with HealthWatch(server).watching() as health, ForkWatch(server) as forks:
        page = _import(server, "export.zip", archives["export.zip"])
    assert "1500 new activities imported" in page
    assert server.peak_rss_mb() < PEAK_MB, f"peak {server.peak_rss_mb():.0f} MB"
    assert health.asked > 0
    assert not health.failures
    assert health.slowest_s < HEALTH_LIMIT_S
    assert not forks.seen, "the server forked worker processes"
    client, _token = browser_session(server)
    assert len(client.get("/api/runs").json()["runs"]) == 1500


def test_twenty_imports_in_a_row_never_hang(server: Server, archives: dict[str, bytes]) -> None:
    started = time.monotonic()
    with HealthWatch(server).watching() as health, ForkWatch(server) as forks:
        for i in range(20):
            name = "bomb.zip" if i % 2 == 0 else "export.zip"
            page = _import(server, name, archives[name])  # each bounded in time by IMPORT_LIMIT_S
            assert 'id="import-result"' in page, name
    assert time.monotonic() - started < 20 * IMPORT_LIMIT_S
    assert server.peak_rss_mb() < PEAK_MB, f"peak {server.peak_rss_mb():.0f} MB"
    assert not health.failures
    assert health.slowest_s < HEALTH_LIMIT_S
    assert not forks.seen
    left = [p.name for p in (server.data_dir / "uploads").rglob("*") if p.is_file()]
    assert not [n for n in left if n.endswith("bomb.zip")]  # refused: deleted
    assert len([n for n in left if n.endswith("export.zip")]) <= 1  # only the one its runs came from


# ---------------------------------------------------------------------------------------- the import page
def test_import_with_no_file_says_so_on_the_runs_page(server: Server) -> None:
    client, token = browser_session(server)
    empty = client.post(
        "/runs/import",
        data={"csrf_token": token},
        files=[("files", ("", b"", "application/octet-stream"))],  # what a browser sends for none
        headers={"Origin": server.base},
    )
    assert empty.status_code == 422
    assert "No file was chosen" in empty.text
    assert "<h1>Runs</h1>" in empty.text
    bare = client.post("/runs/import", data={"csrf_token": token}, headers={"Origin": server.base})
    assert bare.status_code == 422
    assert "No file was chosen" in bare.text


def test_import_redirects_to_a_job_page_and_a_reload_does_not_import_again(
    server: Server, shared_data: Path
) -> None:
    client, token = browser_session(server)
    gpx = shared_data / "activities" / "gpx" / "6037744996.gpx"
    sent = post_import(client, token, [(gpx.name, gpx.read_bytes())])
    assert sent.status_code == 303
    location = sent.headers["location"]
    assert re.fullmatch(r"/runs/import/[0-9a-f]{32}", location)
    first = finished_import(client, location)
    again = client.get(location).text  # a reload: the same result, no second import
    assert again.count("6037744996.gpx") == first.count("6037744996.gpx")
    runs = client.get("/api/runs").json()["runs"]
    assert sum(1 for r in runs if "6037744996" in str(r.get("source_path", ""))) <= 1
    # the parser's note is said once, in plain words
    main = first.split('id="main"', 1)[1]
    assert main.count("not strictly valid GPX") == 1
    assert "Namespace prefix" not in main
    assert "line 17" not in main
    assert str(server.data_dir) not in main
