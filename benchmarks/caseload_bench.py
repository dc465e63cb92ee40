"""Time per caseload page (``/clinic``) for clinics of 50, 200 and 500 runners, beside baselines.

Each runner shares with the clinic and has a plan and ``--days`` of daily check-ins (a year by
default; some with a warning sign, some with pain rising, some with missed days). The clinician
logs in (password and TOTP code) and the pages are fetched in-process, one after another, through
the ASGI app (Starlette's TestClient: no network, no other load generator on the CPU). In the same
run the two cheapest routes are timed the same way as baselines: ``/api/health`` (no login, no
database) and ``/api/me`` (the session lookup every logged-in page pays). Ratios to them carry over
between machines better than the absolute times on a shared 2-core box.

Usage::

    .venv/bin/python benchmarks/caseload_bench.py                      # SQLite, 50, 200 and 500 runners
    .venv/bin/python benchmarks/caseload_bench.py --postgres-url postgresql+psycopg://...  # and PostgreSQL
    .venv/bin/python benchmarks/caseload_bench.py --sizes 50 --requests 20 --days 90      # quicker

Writes JSON to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_common import time_routes  # noqa: E402
from heelcoach.config import Settings  # noqa: E402
from heelcoach.services import accounts, intake, people, planning  # noqa: E402
from heelcoach.services.context import AppContext  # noqa: E402
from heelcoach.store.accounts import ShareRow  # noqa: E402
from heelcoach.store.base import transaction  # noqa: E402
from heelcoach.store.models import CheckInRow, Person, PlanVersionRow  # noqa: E402
from tests.web.answers import TYPICAL  # noqa: E402

PASSWORD = "a long benchmark passphrase"
ROUTES = ("/api/health", "/api/me", "/clinic")


def _checkins(pid: int, n: int, today: date, days: int, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for back in range(days - 1, -1, -1):
        if n % 5 == 2 and back % 3 == 0:  # every fifth runner misses check-ins
            continue
        pain = 3 + (2 if n % 7 == 3 and back < 7 else 0)  # some with pain rising this week
        flags = ["numbness_or_tingling"] if n % 23 == 0 and back == 1 else []
        rows.append(
            {
                "person_id": pid,
                "day": today - timedelta(days=back),
                "first_step_pain": pain,
                "worst_pain": pain + 1,
                "done_items": [],
                "passive_used": [],
                "red_flag_symptoms": flags,
                "notes": "",
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def seed(ctx: AppContext, runners: int, days: int, today: date) -> accounts.AddedUser:
    """A clinic with one clinician and ``runners`` runners who share with it; returns the clinician."""
    pt = accounts.add_user(ctx, "pt@bench.example", "clinician", "Bench clinic", PASSWORD)
    assert pt.clinic_id is not None
    template = people.create_person(ctx, "Template")
    intake.save_intake(ctx, template.id, TYPICAL)
    plan = planning.make_plan(ctx, template.id, start=today - timedelta(days=days))
    now = datetime.now(UTC)
    with transaction(ctx.sessions) as s:
        for n in range(runners):
            person = Person(name=f"Runner {n:03d}", created_at=now)
            s.add(person)
            s.flush()
            s.add(ShareRow(person_id=person.id, clinic_id=pt.clinic_id, created_at=now))
            s.add(
                PlanVersionRow(
                    person_id=person.id,
                    version=1,
                    created_at=now,
                    starts_on=plan.starts_on,
                    phase=plan.phase,
                    week=plan.week,
                    plan=plan.plan,
                    decision=plan.decision,
                    reason=plan.reason,
                )
            )
            s.execute(insert(CheckInRow), _checkins(person.id, n, today, days, now))
    return pt


def _client(app: Any, pt: accounts.AddedUser) -> Any:
    from tests.clinic.clinic_world import _client as test_client

    client = test_client(app)
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    assert pt.totp_secret is not None
    form = {"email": pt.email, "password": PASSWORD, "csrf_token": token}
    form["code"] = pyotp.TOTP(pt.totp_secret).now()
    done = client.post("/login", data=form, follow_redirects=False)
    if done.status_code != 303:
        raise RuntimeError(f"login failed: {done.status_code} {done.text[:200]}")
    return client


def measure(client: Any, requests: int) -> dict[str, dict[str, float]]:
    """Per route: p50, p95, max in ms over ``requests`` sequential requests (after 3 warm-ups)."""
    return time_routes(client, ROUTES, requests)


def run_one(url: str | None, runners: int, days: int, requests: int) -> dict[str, Any]:
    """Seed, log in, and time every route twice: with the start-up heap in the garbage collector's
    view (a plain ``create_app``), then settled as ``heelcoach serve`` does (``settle_heap``)."""
    import gc

    from heelcoach.web.app import create_app, settle_heap

    with tempfile.TemporaryDirectory() as tmp:
        database_url = url or f"sqlite:///{tmp}/bench.db"
        ctx = AppContext.from_settings(Settings(data_dir=Path(tmp), database_url=database_url, clinic=True))
        try:
            started = time.perf_counter()
            pt = seed(ctx, runners, days, date.today())
            seeded = time.perf_counter() - started
            client = _client(create_app(ctx), pt)
            rows = client.get("/clinic").text.count("data-person=")
            if rows != runners:
                raise RuntimeError(f"the caseload shows {rows} runners, not {runners}")
            unsettled = measure(client, requests)
            settle_heap()
            try:
                timings = measure(client, requests)
            finally:
                gc.unfreeze()
        finally:
            ctx.close()
    return {
        "runners": runners,
        "days": days,
        "seed_s": round(seeded, 1),
        "ms": timings,
        "ms_heap_not_settled": unsettled,
    }


def _fresh_postgres(url: str) -> str:
    """A new empty database on the server of ``url`` (benchmark scratch; :func:`_drop` removes it)."""
    from sqlalchemy import create_engine, text

    name = f"hc_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.rsplit("/", 1)[0] + "/" + name


def _drop(url: str, scratch: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch.rsplit("/", 1)[1]}"'))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 500])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument(
        "--postgres-url", default=None, help="also on PostgreSQL (a scratch database is made)"
    )
    args = parser.parse_args()
    backends: list[tuple[str, str | None]] = [("sqlite", None)]
    if args.postgres_url:
        backends.append(("postgresql", args.postgres_url))
    results = []
    for backend, url in backends:
        for size in args.sizes:
            scratch = _fresh_postgres(url) if url else None
            try:
                one = run_one(scratch, size, args.days, args.requests)
            finally:
                if url and scratch:
                    _drop(url, scratch)
            one["backend"] = backend
            results.append(one)
            for label in ("ms_heap_not_settled", "ms"):
                ms = one[label]
                print(
                    f"{backend:10} {size:4} runners  {'served' if label == 'ms' else 'unsettled':9} "
                    + "  ".join(f"{r} p50 {ms[r]['p50']:6.1f} p95 {ms[r]['p95']:6.1f} ms" for r in ROUTES)
                    + f"  /clinic p95 = {ms['/clinic']['p95'] / ms['/api/me']['p95']:.1f}x /api/me",
                    flush=True,
                )
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = out / f"caseload_bench-{stamp}.json"
    meta = {"python": platform.python_version(), "machine": platform.machine(), "args": vars(args)}
    path.write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    print(f"written {path}")


if __name__ == "__main__":
    main()
