"""Today and Plan with and without the per-person cache (rendered HTML and service reads), same run.

Local mode (the cache is off in clinic mode): one runner with a plan and ``--days`` of check-ins,
pages fetched one after another in-process (Starlette's TestClient) after three warm-ups, with
``/api/health`` as the baseline. "Without" sets the cache's time to live to 0, so every request
reads the database and renders the page, as it would with no cache at all.

Usage::

    .venv/bin/python benchmarks/page_cache_bench.py [--postgres-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_common import steady_checkins, time_routes  # noqa: E402
from heelcoach.config import Settings  # noqa: E402
from heelcoach.services import intake, people, planning  # noqa: E402
from heelcoach.services.context import AppContext  # noqa: E402
from heelcoach.store.base import transaction  # noqa: E402
from heelcoach.store.models import CheckInRow  # noqa: E402
from tests.web.answers import TYPICAL  # noqa: E402

ROUTES = ("/api/health", "/today", "/plan")


def _seed(ctx: AppContext, days: int, today: date) -> None:
    person = people.create_person(ctx, "Bench")
    intake.save_intake(ctx, person.id, TYPICAL)
    planning.make_plan(ctx, person.id, start=today - timedelta(days=42))
    rows = steady_checkins(person.id, today, days, datetime.now(UTC))
    with transaction(ctx.sessions) as s:
        s.execute(insert(CheckInRow), rows)


def _measure(client: Any, requests: int) -> dict[str, dict[str, float]]:
    timed = time_routes(client, ROUTES, requests)
    return {route: {"p50": round(t["p50"], 2), "p95": round(t["p95"], 2)} for route, t in timed.items()}


def run_one(url: str | None, days: int, requests: int) -> dict[str, Any]:
    from heelcoach.web.app import create_app
    from tests.web.conftest import _test_client_class

    with tempfile.TemporaryDirectory() as tmp:
        ctx = AppContext.from_settings(
            Settings(data_dir=Path(tmp), database_url=url or f"sqlite:///{tmp}/bench.db")
        )
        try:
            _seed(ctx, days, date.today())
            app = create_app(ctx)
            client = _test_client_class()(app)
            cached = _measure(client, requests)
            app.state.backend.cache_ttl_s = 0.0  # every read and every page built again
            uncached = _measure(client, requests)
        finally:
            ctx.close()
    return {"with_cache": cached, "without_cache": uncached}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--postgres-url", default=None)
    args = parser.parse_args()
    results = {"sqlite": run_one(None, args.days, args.requests)}
    if args.postgres_url:
        admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
        name = f"hc_cache_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            results["postgresql"] = run_one(
                args.postgres_url.rsplit("/", 1)[0] + "/" + name, args.days, args.requests
            )
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    for backend, res in results.items():
        for mode, ms in res.items():
            print(
                f"{backend:10} {mode:13} "
                + "  ".join(f"{r} p50 {ms[r]['p50']:6.1f} p95 {ms[r]['p95']:6.1f} ms" for r in ROUTES)
            )
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"page_cache_bench-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps({"args": vars(args), "results": results}, indent=2))
    print(f"written {path}")


if __name__ == "__main__":
    main()
