"""Pieces several benchmarks share: a runner's steady check-in rows, and timing routes one request
after another with p50/p95/max."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any


def steady_checkins(person_id: int, today: date, days: int, now: datetime) -> list[dict[str, Any]]:
    """``days`` daily check-ins before ``today`` (first-step pain 3, worst 4), as rows to insert."""
    return [
        {
            "person_id": person_id,
            "day": today - timedelta(days=back),
            "first_step_pain": 3,
            "worst_pain": 4,
            "done_items": [],
            "passive_used": [],
            "red_flag_symptoms": [],
            "notes": "",
            "created_at": now,
            "updated_at": now,
        }
        for back in range(days, 0, -1)
    ]


def time_routes(client: Any, routes: Iterable[str], requests: int) -> dict[str, dict[str, float]]:
    """Per route: p50, p95 and max in ms over ``requests`` sequential requests (after 3 warm-ups);
    any answer but 200 stops the run."""
    out: dict[str, dict[str, float]] = {}
    for route in routes:
        for _ in range(3):
            client.get(route)
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            got = client.get(route)
            times.append((time.perf_counter() - start) * 1000)
            if got.status_code != 200:
                raise RuntimeError(f"{route}: {got.status_code}")
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
        out[route] = {"p50": statistics.median(times), "p95": p95, "max": times[-1]}
    return out
