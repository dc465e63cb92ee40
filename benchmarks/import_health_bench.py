"""How quickly the web app answers while it imports: /api/health latency idle and during imports.

Usage::

    .venv/bin/python benchmarks/import_health_bench.py          # bomb, 1,500-file export, 100 MB GPX

A real ``heelcoach serve`` process is started on a free loopback port. /api/health is asked every
0.2 s, first for 5 s with nothing running (the baseline measured in the same run), then while the
nested zip bomb and then the 1,500-file account export are imported through the web import (as
background jobs), then one GPX file at the track-point limit (a point a second with heart rate,
about 45 MB), then one 100 MB GPX (refused at the limit while it streams). Reported: median, 95th
percentile and slowest answer per phase, their ratio to the idle median, and the server's peak
memory. The goal (issue 13): every answer within 1 s.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from heelcoach.activities.gpx import MAX_TRACK_POINTS  # noqa: E402 - after the path is set
from tests.web.security_server import (  # noqa: E402 - after the path is set
    Server,
    browser_session,
    finished_import,
    many_runs_archive,
    nested_bomb,
    post_import,
    running_server,
)


def sample_health(server: Server, work: Callable[[], object]) -> list[float]:
    """Latencies of /api/health (s) asked every 0.2 s while ``work`` runs."""
    stop = threading.Event()
    latencies: list[float] = []

    def ask() -> None:
        with server.client(timeout=30) as client:
            while not stop.is_set():
                started = time.monotonic()
                client.get("/api/health")
                latencies.append(time.monotonic() - started)
                stop.wait(0.2)

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    try:
        work()
    finally:
        stop.set()
        thread.join(timeout=60)
    return latencies


def big_gpx(megabytes: int, max_points: int | None = None) -> bytes:
    """One GPX run of about ``megabytes`` MB (or ``max_points`` points): a point a second."""
    start = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
    head = (
        '<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"><trk><type>running</type><trkseg>'
    )
    parts = [head]
    size, i = len(head), 0
    while size < megabytes * 1_000_000 and (max_points is None or i < max_points):
        when = (start + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lat = 46 + i * 3e-5
        point = f'<trkpt lat="{lat:.6f}" lon="14.500000"><ele>300.0</ele><time>{when}</time>'
        point += "<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>150</gpxtpx:hr>"
        point += "</gpxtpx:TrackPointExtension></extensions></trkpt>"
        parts.append(point)
        size += len(point)
        i += 1
    parts.append("</trkseg></trk></gpx>")
    return "".join(parts).encode()


def web_import(server: Server, name: str, data: bytes) -> None:
    client, token = browser_session(server)
    sent = post_import(client, token, [(name, data)])
    finished_import(client, sent.headers["location"], 600)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bomb = nested_bomb(folder / "bomb.zip").read_bytes()
        export = many_runs_archive(folder / "export.zip").read_bytes()
        longest = big_gpx(1000, MAX_TRACK_POINTS)
        gpx = big_gpx(100)
        with running_server(folder / "server") as server:
            phases = {
                "idle (baseline)": sample_health(server, lambda: time.sleep(5)),
                "nested zip bomb": sample_health(server, lambda: web_import(server, "bomb.zip", bomb)),
                "1,500-file export": sample_health(server, lambda: web_import(server, "export.zip", export)),
                f"GPX {len(longest) // 1_000_000} MB, at limit": sample_health(
                    server, lambda: web_import(server, "longest.gpx", longest)
                ),
                "100 MB GPX": sample_health(server, lambda: web_import(server, "long.gpx", gpx)),
            }
            peak = server.peak_rss_mb()
    base = statistics.median(phases["idle (baseline)"])
    print(f"{'phase':<20} {'asked':>6} {'median s':>9} {'p95 s':>7} {'max s':>7} {'median/idle':>12}")
    for name, lat in phases.items():
        p95 = statistics.quantiles(lat, n=20)[-1] if len(lat) >= 20 else max(lat)
        med = statistics.median(lat)
        print(f"{name:<20} {len(lat):>6} {med:>9.4f} {p95:>7.4f} {max(lat):>7.4f} {med / base:>12.1f}")
    print(f"server peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
