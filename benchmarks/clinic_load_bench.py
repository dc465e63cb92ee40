"""A clinic's morning under video load: runners' pages while workers analyse running videos.

All in one run on this machine, with real processes: ``heelcoach serve --clinic --workers 2`` and
``heelcoach worker`` processes (each in folders of its own) on a scratch PostgreSQL database
(dropped afterwards) and a private Redis started on a spare port. ``--runners`` runners (accounts
made with the services, each with a plan and ``--days`` of check-ins) each do a morning's work:
log in, open Today, check in, open Today again, open Plan. Each runner connects from an address of
their own in 127.0.1.0/24 (as runners at home do; the login rate limit is per address). Runners
start spread over ``--ramp`` seconds and wait ``--think`` seconds (on average) between pages.

Phases: (1) the baseline, the mornings without video work; (2) ``--videos`` uploads of a running
video (through the web app, by as many runners) with one worker process, mornings repeated until
every report is done; (3) the same with two worker processes. Reported: p50/p95 of each page per
phase, each video's time from upload to report, jobs per minute, and checks that no job was lost
or done twice (every job done, one report per video, no upload left waiting).

Usage::

    .venv/bin/python benchmarks/clinic_load_bench.py                        # 200 runners, 20 videos
    .venv/bin/python benchmarks/clinic_load_bench.py --runners 20 --videos 4 # quicker

Writes JSON to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_common import steady_checkins  # noqa: E402
from heelcoach.config import Settings  # noqa: E402
from heelcoach.services import accounts, intake, planning  # noqa: E402
from heelcoach.services.context import AppContext  # noqa: E402
from heelcoach.store.base import transaction  # noqa: E402
from heelcoach.store.blobs import BlobRow  # noqa: E402
from heelcoach.store.gait_reports import GaitReportRow  # noqa: E402
from heelcoach.store.models import CheckInRow  # noqa: E402
from tests.web.answers import TYPICAL  # noqa: E402

PASSWORD = "a long benchmark passphrase"
DATA = ROOT.parent / "shared" / "data"
CLIP = DATA / "video" / "treadmill_side_30fps.mp4"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PAGES = ("GET /login", "POST /login", "GET /today", "POST /checkin", "GET /plan")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(ctx: AppContext, runners: int, days: int, today: date) -> list[str]:
    """Runner accounts of one clinic, each with a plan and ``days`` of check-ins; their e-mails."""
    emails = []
    plan_start = today - timedelta(days=min(days, 42))
    now = datetime.now(UTC)
    for n in range(runners):
        user = accounts.add_user(ctx, f"runner{n:03d}@bench.example", "runner", "Bench clinic", PASSWORD)
        assert user.person_id is not None
        intake.save_intake(ctx, user.person_id, TYPICAL)
        planning.make_plan(ctx, user.person_id, start=plan_start)
        rows = steady_checkins(user.person_id, today, days, now)
        with transaction(ctx.sessions) as s:
            s.execute(insert(CheckInRow), rows)
        emails.append(user.email)
    return emails


class PageFailedError(RuntimeError):
    """A page answered with an error: that runner's morning ends here (counted in the results)."""


class Runner:
    """One runner's browser: its own address, cookies and timings."""

    def __init__(self, base: str, n: int, email: str, timings: dict[str, list[float]]) -> None:
        transport = httpx.AsyncHTTPTransport(local_address=f"127.0.1.{1 + n % 250}")
        self.client = httpx.AsyncClient(base_url=base, transport=transport, timeout=120)
        self.email = email
        self.timings = timings

    async def timed(self, name: str, method: str, url: str, **kw: Any) -> httpx.Response:
        start = time.perf_counter()
        response = await self.client.request(method, url, **kw)
        self.timings[name].append((time.perf_counter() - start) * 1000)
        if response.status_code >= 400:  # counted and reported (the web log is kept), the run goes on
            self.timings[f"{name} {response.status_code}"].append(0.0)
            raise PageFailedError(f"{name}: {response.status_code}")
        return response

    async def login(self) -> None:
        page = await self.timed("GET /login", "GET", "/login")
        token = _token(page.text)
        form = {"email": self.email, "password": PASSWORD, "csrf_token": token}
        await self.timed("POST /login", "POST", "/login", data=form)

    async def morning(self, think: float) -> None:
        self.client.cookies.clear()
        await self.login()
        await _pause(think)
        today = await self.timed("GET /today", "GET", "/today")
        await _pause(think)
        form = {
            "csrf_token": _token(today.text),
            "first_step_pain": str(random.randint(1, 5)),
            "worst_pain": "4",
        }
        await self.timed("POST /checkin", "POST", "/checkin", data=form)
        await self.timed("GET /today", "GET", "/today?saved=1")
        await _pause(think)
        await self.timed("GET /plan", "GET", "/plan")

    async def upload(self, clip: Path) -> str:
        await self.login()
        gait = await self.client.get("/gait")
        with clip.open("rb") as fh:
            done = await self.client.post(
                "/gait/upload",
                data={"csrf_token": _token(gait.text), "view": "side"},
                files={"video": (clip.name, fh, "video/mp4")},
            )
        if done.status_code != 303:
            raise RuntimeError(f"upload: {done.status_code} {done.text[:300]}")
        return str(done.headers["location"]).rsplit("/", 1)[-1]


def _token(html: str) -> str:
    found = CSRF.search(html)
    if not found:
        raise RuntimeError("no form token on the page")
    return found.group(1)


async def _pause(think: float) -> None:
    await asyncio.sleep(random.uniform(0.5 * think, 1.5 * think))


async def mornings(
    base: str, emails: list[str], ramp: float, think: float, until: asyncio.Event | None
) -> dict[str, list[float]]:
    """Every runner's morning, starts spread over ``ramp`` s; repeated until ``until`` is set."""
    timings: dict[str, list[float]] = defaultdict(list)
    runners = [Runner(base, n, e, timings) for n, e in enumerate(emails)]

    async def one(r: Runner, delay: float) -> None:
        await asyncio.sleep(delay)
        with contextlib.suppress(PageFailedError):
            await r.morning(think)

    try:
        while True:
            await asyncio.gather(*(one(r, ramp * i / len(runners)) for i, r in enumerate(runners)))
            if until is None or until.is_set():
                return timings
    finally:
        for r in runners:
            await r.client.aclose()


async def videos(base: str, emails: list[str], clip: Path, done: asyncio.Event) -> dict[str, Any]:
    """Upload one clip per runner (all at once); poll each job until it is done or failed."""
    uploaders = [Runner(base, 100 + n, e, defaultdict(list)) for n, e in enumerate(emails)]
    started = time.monotonic()

    async def one(r: Runner) -> tuple[str, float, float, str]:
        t0 = time.monotonic()
        job = await r.upload(clip)
        while True:
            state = (await r.client.get(f"/api/jobs/{job}")).json()
            if state.get("state") in ("done", "failed"):
                return job, t0 - started, time.monotonic() - t0, str(state["state"])
            await asyncio.sleep(1.0)

    try:
        results = await asyncio.gather(*(one(r) for r in uploaders))
    finally:
        done.set()
        for r in uploaders:
            await r.client.aclose()
    wall = time.monotonic() - started
    return {
        "jobs": [
            {"job": j, "uploaded_at_s": round(a, 1), "to_report_s": round(t, 1), "state": s}
            for j, a, t, s in results
        ],
        "wall_s": round(wall, 1),
        "jobs_per_minute": round(len(results) / wall * 60, 2),
    }


def _stats(timings: dict[str, list[float]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "errors": {k: len(v) for k, v in timings.items() if k not in PAGES},
    }
    for name in PAGES:
        t = sorted(timings.get(name, []))
        if t:
            out[name] = {
                "n": len(t),
                "p50": round(statistics.median(t), 1),
                "p95": round(t[min(len(t) - 1, round(0.95 * len(t)) - 1)], 1),
                "max": round(t[-1], 1),
            }
    return out


def start_process(args: list[str], env: dict[str, str], folder: Path, ready: str) -> subprocess.Popen[bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    log = (folder / "log").open("wb")
    process = subprocess.Popen(
        args, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while ready not in (folder / "log").read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{args[2:4]} did not start: {(folder / 'log').read_text()[-2000:]}")
        time.sleep(0.2)
    return process


def _wait_for_health(base: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base + "/api/health", timeout=5).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError("the web server did not answer /api/health")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _env(db: str, broker: str, data: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("HEELCOACH_")}
    return {
        **base,
        "PYTHONPATH": str(ROOT),
        "HEELCOACH_DATABASE_URL": db,
        "HEELCOACH_BROKER_URL": broker,
        "HEELCOACH_DATA_DIR": str(data),
    }


def run(args: argparse.Namespace, tmp: Path, db: str, broker: str) -> dict[str, Any]:
    ctx = AppContext.from_settings(Settings(data_dir=tmp / "seed", database_url=db, clinic=True))
    started = time.perf_counter()
    emails = seed(ctx, args.runners, args.days, date.today())
    seeded = round(time.perf_counter() - started, 1)
    print(f"seeded {args.runners} runners in {seeded} s", flush=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    py = sys.executable
    procs: list[subprocess.Popen[bytes]] = []
    phases: dict[str, Any] = {}
    nice = [] if args.worker_nice is None else ["--nice", str(args.worker_nice)]
    nice += [] if args.worker_cores is None else ["--cores", str(args.worker_cores)]
    try:
        web = start_process(
            [py, "-m", "heelcoach", "serve", "--clinic", "--workers", "2", "--port", str(port)],
            _env(db, broker, tmp / "web" / "data"),
            tmp / "web",
            "running at",
        )
        procs.append(web)
        _wait_for_health(base)
        workers = [_worker(py, db, broker, tmp, 1, nice)]
        procs += workers
        time.sleep(3)
        phases["baseline"] = {
            "pages": _stats(asyncio.run(mornings(base, emails, args.ramp, args.think, None)))
        }
        print("baseline", json.dumps(phases["baseline"]["pages"]), flush=True)
        for n_workers in range(1, args.max_workers + 1):
            if n_workers == 2:
                workers.append(_worker(py, db, broker, tmp, 2, nice))
                procs.append(workers[-1])
            phases[f"videos, {n_workers} worker(s)"] = asyncio.run(_loaded(base, emails, args))
            print(n_workers, "worker(s)", json.dumps(phases[f"videos, {n_workers} worker(s)"]), flush=True)
        phases["checks"] = _checks(ctx, phases, args.videos * args.max_workers)
    finally:
        for p in procs:
            stop(p)
        ctx.close()
        logs = ROOT / "benchmarks" / "results" / f"clinic_load_logs-{datetime.now(UTC):%Y%m%dT%H%M%S}"
        for log in tmp.glob("*/log"):  # the web's and the workers' logs, to read what went wrong
            logs.mkdir(parents=True, exist_ok=True)
            shutil.copy(log, logs / f"{log.parent.name}.log")
    return {"seed_s": seeded, "phases": phases}


def _worker(py: str, db: str, broker: str, tmp: Path, n: int, nice: list[str]) -> subprocess.Popen[bytes]:
    folder = tmp / f"worker{n}"
    return start_process(
        [py, "-m", "heelcoach", "worker", "-c", "1", "-n", f"bench{n}@%h", "--log-format", "text", *nice],
        _env(db, broker, folder / "data"),
        folder,
        " ready.",
    )


async def _loaded(base: str, emails: list[str], args: argparse.Namespace) -> dict[str, Any]:
    done = asyncio.Event()
    uploaders = emails[-args.videos :]
    page_task = asyncio.create_task(mornings(base, emails, args.ramp, args.think, done))
    video = await videos(base, uploaders, args.clip, done)
    pages = await page_task
    times = [j["to_report_s"] for j in video["jobs"]]
    video["to_report_p50_s"] = round(statistics.median(times), 1)
    video["to_report_max_s"] = max(times)
    return {"pages": _stats(pages), "videos": video}


def _checks(ctx: AppContext, phases: dict[str, Any], uploads: int) -> dict[str, Any]:
    """Nothing lost or done twice: every job done, one report per upload, no upload left waiting."""
    jobs = [j for k, v in phases.items() if k.startswith("videos") for j in v["videos"]["jobs"]]
    with transaction(ctx.sessions) as s:
        reports = int(s.scalar(select(func.count()).select_from(GaitReportRow)) or 0)
        waiting = int(
            s.scalar(select(func.count()).select_from(BlobRow).where(BlobRow.kind == "upload")) or 0
        )
    return {
        "jobs": len(jobs),
        "done": sum(j["state"] == "done" for j in jobs),
        "distinct_job_ids": len({j["job"] for j in jobs}),
        "reports_stored": reports,
        "uploads_waiting": waiting,
        "expected_reports": uploads,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", type=int, default=200)
    parser.add_argument("--videos", type=int, default=20)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--ramp", type=float, default=60.0, help="seconds over which the runners start")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between a runner's pages")
    parser.add_argument("--clip", type=Path, default=CLIP)
    parser.add_argument(
        "--worker-nice", type=int, default=None, help="the workers' --nice (default: theirs)"
    )
    parser.add_argument(
        "--worker-cores", type=int, default=None, help="the workers' --cores (default: every core)"
    )
    parser.add_argument("--max-workers", type=int, choices=(1, 2), default=2, help="stop after this phase")
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:55433/postgres")
    args = parser.parse_args()
    if args.videos > args.runners:
        parser.error("--videos must not exceed --runners (each video is a runner's)")
    admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
    name = f"hc_load_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = args.postgres_url.rsplit("/", 1)[0] + "/" + name
    redis_port = _free_port()
    tmp = Path(tempfile.mkdtemp(prefix="hc-load-"))
    redis = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp),
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    load_before = os.getloadavg()
    try:
        time.sleep(0.5)
        result = run(args, tmp, db, f"redis://127.0.0.1:{redis_port}/0")
    finally:
        redis.terminate()
        redis.wait()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
    meta = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "args": {k: str(v) for k, v in vars(args).items()},
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "finished": datetime.now(UTC).isoformat(),
    }
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"clinic_load_bench-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps({"meta": meta, **result}, indent=2))
    print(json.dumps(result["phases"].get("checks")), "load", meta["load_before"], meta["load_after"])
    print(f"written {path}")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
