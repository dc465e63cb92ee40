"""The real server for the security tests: ``heelcoach serve`` in its own process on a free port.

A separate process (not a thread of the test) so that its peak memory (``VmHWM``), the bytes it
wrote (``wchar``) and its child processes can be read from ``/proc`` as they really are.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.web.answers import TYPICAL
from tests.web.browser import free_port

ROOT = Path(__file__).resolve().parents[2]
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Server:
    """A running ``heelcoach serve`` process."""

    proc: subprocess.Popen[str]
    port: int
    data_dir: Path
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, **kwargs: Any) -> httpx.Client:
        """A client of this server (keeps cookies like a browser)."""
        kwargs.setdefault("timeout", 60)
        kwargs.setdefault("follow_redirects", True)
        client = httpx.Client(base_url=self.base, **kwargs)
        self.clients.append(client)  # closed when the server stops
        return client

    def _proc_file(self, name: str) -> str:
        return (Path("/proc") / str(self.proc.pid) / name).read_text()

    def peak_rss_mb(self) -> float:
        """The most memory the server process has held so far (VmHWM), in MB."""
        line = next(x for x in self._proc_file("status").splitlines() if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024

    def written_bytes(self) -> int:
        """Bytes the server process has written so far (files and sockets alike)."""
        line = next(x for x in self._proc_file("io").splitlines() if x.startswith("wchar:"))
        return int(line.split()[1])

    def children(self) -> list[int]:
        """Processes whose parent is the server (a forked worker pool shows up here)."""
        kids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                kids.append(int(stat.parent.name))
        return kids


def server_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment for a server on its own data folder (SQLite), with HEELCOACH_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEELCOACH_")}
    env["PYTHONPATH"] = str(ROOT)
    env["HEELCOACH_DATA_DIR"] = str(data_dir)
    env["TMPDIR"] = str(data_dir.parent)
    env.update({f"HEELCOACH_{k.upper()}": v for k, v in settings.items()})
    return env


def serve_command(port: int, *args: str) -> list[str]:
    """``heelcoach serve`` as this Python runs it."""
    return [sys.executable, "-m", "heelcoach", "serve", "--port", str(port), *args]


@contextmanager
def running_server(tmp_path: Path, *args: str, **settings: str) -> Iterator[Server]:
    """Start ``heelcoach serve`` (extra CLI ``args``, HEELCOACH_* ``settings``); stop it after."""
    data_dir = tmp_path / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc = subprocess.Popen(
        serve_command(port, *args),
        env=server_env(data_dir, **settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(proc, port, data_dir)
    try:
        _wait_until_up(server)
        yield server
    finally:
        for client in server.clients:
            client.close()
        proc.terminate()
        try:
            proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate(timeout=15)
        except ValueError:  # the test read the output already
            proc.wait(timeout=15)


def _wait_until_up(server: Server) -> None:
    for _ in range(1200):
        if server.proc.poll() is not None:
            out = server.proc.stdout.read() if server.proc.stdout else ""
            raise RuntimeError(f"the server stopped: {out}")
        try:
            if httpx.get(server.base + "/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError("the server did not start")


def browser_session(server: Server) -> tuple[httpx.Client, str]:
    """A client that visited a page like a browser and answered the questions (a runner who has
    started): its session cookie and the page's form token."""
    client = server.client()
    page = client.get("/settings")
    match = CSRF_RE.search(page.text)
    assert match, page.text[-1000:]
    token = html.unescape(match.group(1))
    started = client.post("/api/intake", json={"answers": TYPICAL}, headers={"X-CSRF-Token": token})
    assert started.status_code == 200, started.text
    return client, token


# ---------------------------------------------------------------------------------------------- health
@dataclass
class HealthWatch:
    """Asks /api/health every 0.2 s in a thread while the server works; keeps the slowest answer."""

    server: Server
    slowest_s: float = 0.0
    asked: int = 0
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _run(self) -> None:
        with self.server.client(timeout=10) as client:
            while not self._stop.is_set():
                started = time.monotonic()
                try:
                    status = client.get("/api/health").status_code
                    if status != 200:
                        self.failures.append(f"status {status}")
                except httpx.HTTPError as exc:
                    self.failures.append(repr(exc))
                self.slowest_s = max(self.slowest_s, time.monotonic() - started)
                self.asked += 1
                self._stop.wait(0.2)

    @contextmanager
    def watching(self) -> Iterator[HealthWatch]:
        thread = threading.Thread(target=self._run, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join(timeout=15)


# ---------------------------------------------------------------------------------------------- import
def post_import(client: httpx.Client, token: str, files: list[tuple[str, bytes]]) -> httpx.Response:
    """POST files to the Runs import like the page's form does (without following the redirect)."""
    return client.post(
        "/runs/import",
        data={"csrf_token": token},
        files=[("files", (name, data, "application/octet-stream")) for name, data in files],
        headers={"Origin": str(client.base_url).rstrip("/")},
        follow_redirects=False,
    )


def finished_import(client: httpx.Client, location: str, limit_s: float = 300) -> str:
    """The import job page's text once the import ended (bounded in time: a hang fails)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        page = client.get(location).text
        if 'id="import-result"' in page or 'id="import-failed"' in page:
            return page
        time.sleep(0.2)
    raise AssertionError(f"the import at {location} did not finish within {limit_s} s")


# ---------------------------------------------------------------------------------------------- archives
def nested_bomb(path: Path, inner_files: int = 1500, member_bytes: int = 1_000_000) -> Path:
    """The bomb of the report: a zip holding two zips of ``inner_files`` x 1 MB zero files.

    Each zero file is just under the size where a compression ratio check starts (1,000,000 bytes),
    so only a budget shared across the nesting levels stops it.
    """
    inner = path.with_name("inner.zip")
    zeros = b"\x00" * member_bytes
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for i in range(inner_files):
            zf.writestr(f"activities/run{i:04d}.fit", zeros)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.write(inner, "part1.zip")
        zf.write(inner, "part2.zip")
    inner.unlink()
    return path


def gpx_run(start: datetime, km: float = 5.0) -> bytes:
    """A small, valid GPX run: a straight line north, one point a minute at 12 km/h."""
    points = []
    steps = max(2, int(km * 5))
    for i in range(steps + 1):
        lat = 46.0 + (km / 111.0) * i / steps
        when = (start + timedelta(minutes=i * (km / 12 * 60) / steps)).strftime("%Y-%m-%dT%H:%M:%SZ")
        points.append(f'<trkpt lat="{lat:.6f}" lon="14.500000"><time>{when}</time></trkpt>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="test" '
        'xmlns="http://www.topografix.com/GPX/1/1"><trk><type>running</type><trkseg>'
        + "".join(points)
        + "</trkseg></trk></gpx>"
    ).encode()


def many_runs_archive(path: Path, count: int = 1500) -> Path:
    """A zip export of ``count`` GPX runs, one a day going back from 2026-06-01."""
    first = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(count):
            zf.writestr(f"activities/{i:05d}.gpx", gpx_run(first - timedelta(days=i), 4.0 + i % 7))
    return path
