"""Latency of the Today and Progress pages under concurrent load, on the embedded SQLite store.

Seeds a runner with a year of daily check-ins and 300 stored activities, starts the app the way
``heelcoach serve`` runs it (its own process, ``--workers`` uvicorn workers), takes the session
cookie a browser would get, then drives the pages with ``wrk`` (C, keep-alive connections, each
sending the cookie; ``-c 20 -t 2 --latency``; a Lua ``done()`` hook prints p50/p95/p99). The
cheapest route, ``/api/health``, is driven in the same run as the baseline, so ratios are reported.
Without ``wrk`` on the PATH (``apt-get install wrk``) it falls back to an httpx async generator,
which competes with the server for the CPU and so reports pessimistic numbers.

Usage::

    .venv/bin/python benchmarks/web_bench.py [--workers 1] [--users 20] [--duration 10]
    .venv/bin/python benchmarks/web_bench.py --tool httpx --requests 30   # the fallback

Writes JSON to benchmarks/results/. Goal (issue 6): p95 under 100 ms at 20 concurrent users.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from heelcoach.activities.model import Activity  # noqa: E402
from heelcoach.config import Settings  # noqa: E402
from heelcoach.services import checkins, intake, people, planning  # noqa: E402
from heelcoach.services.context import AppContext  # noqa: E402
from heelcoach.services.imports import to_record  # noqa: E402
from heelcoach.store.activities import Activities  # noqa: E402
from heelcoach.store.base import transaction  # noqa: E402
from tests.web.answers import TYPICAL  # noqa: E402

PAGES = ("/today", "/progress")
#: The cheapest route, driven the same way: the floor set by the framework, the server and the machine.
BASELINE = "/api/health"


def seed(data_dir: Path, today: date, activities: int = 300) -> dict[str, int]:
    """A runner with an intake, a plan, 365 daily check-ins and ``activities`` runs."""
    ctx = AppContext.from_settings(Settings(data_dir=data_dir, database_url=None))
    try:
        person = people.create_person(ctx, "Bench")
        intake.save_intake(ctx, person.id, TYPICAL)
        planning.make_plan(ctx, person.id, start=today - timedelta(days=3))
        entries = []
        for back in range(365, 0, -1):
            day = today - timedelta(days=back - 1)
            pain = max(0, min(10, 7 - (365 - back) // 60 + (back % 3 == 0)))
            ran = back % 2 == 0
            entries.append(
                checkins.CheckInInput(
                    day=day,
                    first_step_pain=pain,
                    worst_pain=min(10, pain + 1),
                    run_km=6.0 if ran else None,
                    run_pain_during=max(0, pain - 2) if ran else None,
                )
            )
        checkins.record_checkins(ctx, person.id, entries, today=today)
        now = datetime.now(UTC)
        with transaction(ctx.sessions) as session:
            repo = Activities(session)
            for i in range(activities):
                start = datetime.combine(today, datetime.min.time(), UTC) - timedelta(
                    days=i * 365 // activities, hours=-7
                )
                distance = 5000.0 + 300.0 * (i % 12)
                act = Activity(
                    sport="running",
                    start=start,
                    distance_m=distance,
                    elapsed_s=distance / 3.0,
                    timer_s=distance / 3.0,
                    moving_s=distance / 3.0,
                    ascent_m=40.0,
                    avg_cadence_spm=168.0,
                    max_cadence_spm=180.0,
                    avg_hr_bpm=140.0,
                    max_hr_bpm=170.0,
                    source_path=f"bench-{i}.fit",
                    source_sha256=hashlib.sha256(str(i).encode()).hexdigest(),
                    source_format="fit",
                )
                repo.add(person.id, to_record(act), now)
        return {"person_id": person.id, "checkins": len(entries), "activities": activities}
    finally:
        ctx.close()


def free_port() -> int:
    """A free TCP port on localhost."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    """``heelcoach serve`` on ``data_dir`` in its own process, once /api/health answers."""
    env = {**os.environ, "HEELCOACH_DATA_DIR": str(data_dir)}
    env.pop("HEELCOACH_DATABASE_URL", None)
    cmd = [
        sys.executable,
        "-c",
        "from heelcoach.cli.main import run; run()",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"heelcoach serve stopped (exit code {proc.returncode})")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def session_cookie(base: str) -> str:
    """The ``Cookie`` header a browser sends after its first visit (person and form token set)."""
    with httpx.Client(base_url=base, timeout=30) as client:
        for page in PAGES:
            client.get(page).raise_for_status()
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    for page in PAGES:  # what wrk will get: the runner's page itself, not a redirect
        r = httpx.get(base + page, headers={"Cookie": cookie}, timeout=30)
        if r.status_code != 200 or "check-in" not in r.text.lower():
            raise RuntimeError(f"{page} with the session cookie answered {r.status_code}")
    return cookie


#: wrk's report hook: one JSON line with the latency percentiles (wrk measures in microseconds).
WRK_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "errors_status": %d, "errors_socket": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
"""


def drive_wrk(
    base: str, path: str, users: int, duration_s: float, cookie: str, script: Path
) -> dict[str, float]:
    """``users`` keep-alive connections (wrk, 2 threads) asking for ``path`` for ``duration_s``."""
    threads = max(1, min(2, users))
    cmd = ["wrk", "-c", str(users), "-t", str(threads), "-d", f"{duration_s:g}s", "--latency"]
    cmd += ["--timeout", "10s", "-H", f"Cookie: {cookie}", "-s", str(script), base + path]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=duration_s + 60).stdout
    found = re.search(r"^WRK_JSON (\{.*\})$", out, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk printed no report:\n{out}")
    raw = json.loads(found.group(1))
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "errors": raw["errors_status"] + raw["errors_socket"],
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "mean_ms": round(raw["mean_us"] / 1000, 1),
        "max_ms": round(raw["max_us"] / 1000, 1),
        "throughput_rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
    }


async def drive_httpx(base: str, path: str, users: int, per_user: int, cookie: str) -> dict[str, float]:
    """Fallback: ``users`` httpx clients (one process), each making ``per_user`` requests to ``path``."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    headers = {"Cookie": cookie}
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30, headers=headers) as client:

        async def user() -> None:
            nonlocal errors
            for _ in range(per_user):
                t0 = time.perf_counter()
                r = await client.get(path)
                latencies.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200:
                    errors += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(user() for _ in range(users)))
        wall = time.perf_counter() - t0
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    return {
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": round(pct(0.50), 1),
        "p95_ms": round(pct(0.95), 1),
        "p99_ms": round(pct(0.99), 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
        "max_ms": round(latencies[-1], 1),
        "throughput_rps": round(len(latencies) / wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--users", type=int, default=20, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=1, help="heelcoach serve --workers (default 1)")
    parser.add_argument("--tool", choices=("auto", "wrk", "httpx"), default="auto")
    parser.add_argument("--duration", type=float, default=10.0, help="wrk: seconds per route and load")
    parser.add_argument("--requests", type=int, default=30, help="httpx: requests per user per route")
    parser.add_argument("--keep", action="store_true", help="keep the seeded data folder")
    args = parser.parse_args()
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "httpx"
    elif tool == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not on the PATH (apt-get install wrk), or use --tool httpx")
    data_dir = Path(tempfile.mkdtemp(prefix="heelcoach-webbench-"))
    script = data_dir / "report.lua"
    script.write_text(WRK_LUA, encoding="utf-8")
    today = date.today()
    routes = (BASELINE, *PAGES)
    try:
        t0 = time.perf_counter()
        seeded = seed(data_dir, today)
        seed_s = time.perf_counter() - t0
        port = free_port()
        proc = start_server(data_dir, port, args.workers)
        try:
            base = f"http://127.0.0.1:{port}"
            cookie = session_cookie(base)

            def drive(path: str, users: int) -> dict[str, float]:
                if tool == "wrk":
                    drive_wrk(base, path, users, 1.0, cookie, script)  # warm every worker
                    return drive_wrk(base, path, users, args.duration, cookie, script)
                asyncio.run(drive_httpx(base, path, users, 3, cookie))
                return asyncio.run(drive_httpx(base, path, users, args.requests, cookie))

            load_before = os.getloadavg()[0]
            results = {page: drive(page, args.users) for page in routes}
            single = {page: drive(page, 1) for page in routes}
            load_after = os.getloadavg()[0]
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    report: dict[str, Any] = {
        "benchmark": "web_bench",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "store": f"sqlite (embedded default), heelcoach serve --workers {args.workers}",
        "load_tool": (
            f"wrk -c {args.users} -t 2 -d {args.duration:g}s --latency (cookie sent)"
            if tool == "wrk"
            else f"httpx async, {args.users} users x {args.requests} requests (same machine, Python)"
        ),
        "load_average_1m": {"before": round(load_before, 2), "after": round(load_after, 2)},
        "seed": {**seeded, "seconds": round(seed_s, 1)},
        "users": args.users,
        "concurrent": results,
        "single_user": single,
        "goal": "p95 < 100 ms at 20 concurrent users",
        "goal_met": all(results[p]["p95_ms"] < 100 and results[p]["errors"] == 0 for p in PAGES),
        "p95_ratio_to_baseline": {
            p: round(results[p]["p95_ms"] / max(results[BASELINE]["p95_ms"], 0.1), 2) for p in PAGES
        },
    }
    out = ROOT / "benchmarks" / "results" / f"web_bench-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"{report['load_tool']}; {report['store']}")
    for page, r in results.items():
        s = single[page]
        print(
            f"{page:12s} {args.users} users: p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  "
            f"p99 {r['p99_ms']:6.1f} ms  {r['throughput_rps']:7.1f} req/s  errors {r['errors']}   "
            f"(1 user: p50 {s['p50_ms']:.1f} ms, p95 {s['p95_ms']:.1f} ms)"
        )
    print(
        f"p95 relative to {BASELINE}: {report['p95_ratio_to_baseline']}  "
        f"(load average {load_before:.1f} -> {load_after:.1f})"
    )
    print(f"goal p95 < 100 ms met: {report['goal_met']}   -> {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
