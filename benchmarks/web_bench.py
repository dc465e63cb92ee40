"""Latency of the Today and Progress pages under concurrent load, on the embedded SQLite store.

Seeds a runner with a year of daily check-ins and 300 stored activities, starts ``heelcoach``'s app
with uvicorn in its own process (one worker, as ``heelcoach serve`` runs it), then drives N
concurrent users with httpx (async), each requesting the page again as soon as the last answer
arrived. Reports p50/p95/p99 and throughput per page; writes JSON to benchmarks/results/.

Usage::

    .venv/bin/python benchmarks/web_bench.py [--users 20] [--requests 30] [--keep]

Goal (issue 6): p95 under 100 ms at 20 concurrent users.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from heelcoach.activities.model import Activity  # noqa: E402
from heelcoach.config import Settings  # noqa: E402
from heelcoach.services import runner  # noqa: E402
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
        person = runner.create_person(ctx, "Bench")
        runner.save_intake(ctx, person.id, TYPICAL)
        runner.make_plan(ctx, person.id, start=today - timedelta(days=3))
        entries = []
        for back in range(365, 0, -1):
            day = today - timedelta(days=back - 1)
            pain = max(0, min(10, 7 - (365 - back) // 60 + (back % 3 == 0)))
            ran = back % 2 == 0
            entries.append(
                runner.CheckInInput(
                    day=day,
                    first_step_pain=pain,
                    worst_pain=min(10, pain + 1),
                    run_km=6.0 if ran else None,
                    run_pain_during=max(0, pain - 2) if ran else None,
                )
            )
        runner.record_checkins(ctx, person.id, entries, today=today)
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
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HEELCOACH_DATA_DIR": str(data_dir), "HEELCOACH_DATABASE_URL": ""}
    env.pop("HEELCOACH_DATABASE_URL")
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "heelcoach.web.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


async def drive(base: str, path: str, users: int, per_user: int) -> dict[str, float]:
    """``users`` concurrent clients, each making ``per_user`` sequential requests to ``path``."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        for _ in range(3):  # warm caches, templates, the first person's session
            await client.get(path)

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
        "throughput_rps": round(len(latencies) / wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=30, help="requests per user per page")
    parser.add_argument("--keep", action="store_true", help="keep the seeded data folder")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (serve uses 1)")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="heelcoach-webbench-"))
    today = date.today()
    try:
        t0 = time.perf_counter()
        seeded = seed(data_dir, today)
        seed_s = time.perf_counter() - t0
        port = free_port()
        proc = start_server(data_dir, port, args.workers)
        try:
            base = f"http://127.0.0.1:{port}"
            results = {
                page: asyncio.run(drive(base, page, args.users, args.requests)) for page in (BASELINE, *PAGES)
            }
            single = {page: asyncio.run(drive(base, page, 1, 20)) for page in (BASELINE, *PAGES)}
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    report = {
        "benchmark": "web_bench",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "store": f"sqlite (embedded default), {args.workers} uvicorn worker(s)",
        "load_average_1m": os.getloadavg()[0],
        "seed": {**seeded, "seconds": round(seed_s, 1)},
        "users": args.users,
        "requests_per_user": args.requests,
        "concurrent": results,
        "single_user": single,
        "goal": "p95 < 100 ms at 20 concurrent users",
        "goal_met": all(results[p]["p95_ms"] < 100 and results[p]["errors"] == 0 for p in PAGES),
        "p95_ratio_to_baseline": {
            p: round(results[p]["p95_ms"] / results[BASELINE]["p95_ms"], 2) for p in PAGES
        },
    }
    out = ROOT / "benchmarks" / "results" / f"web_bench-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    for page, r in results.items():
        s = single[page]
        print(
            f"{page:12s} {args.users} users: p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  "
            f"p99 {r['p99_ms']:6.1f} ms  {r['throughput_rps']:6.1f} req/s  errors {r['errors']}   "
            f"(1 user: p50 {s['p50_ms']:.1f} ms)"
        )
    print(
        f"p95 relative to {BASELINE}: {report['p95_ratio_to_baseline']}  "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    print(f"goal p95 < 100 ms met: {report['goal_met']}   -> {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
