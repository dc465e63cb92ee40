"""Fuzz: mutated real FIT/GPX/TCX bytes never crash, never hang, never half-store a file."""

from __future__ import annotations

import math
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from heelcoach.activities.importer import parse_bytes

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "activities"
SEEDS = [
    "fit/garmin-fenix-5-run.fit",
    "fit/compressed-speed-distance.fit",
    "fit/2067489619.fit",
    "fit/sample_mulitple_header.fit",
    "malformed/activity-activity-filecrc.fit",
    "gpx/2067489619.gpx",
    "gpx/track-with-empty-segment.gpx",
    "tcx/cross-country-skiing_activity_1.tcx",
]
PER_EXAMPLE_S = 10


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail (instead of hanging) when the body runs longer than ``seconds``."""

    def _alarm(_signum: int, _frame: FrameType | None) -> None:
        raise TimeoutError(f"parsing took more than {seconds} s: a hang")

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(SEEDS))
    data = bytearray((DATA / name).read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "truncate", "insert", "zero_run", "duplicate"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] ^= draw(st.integers(1, 255))
        elif op == "truncate":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif op == "zero_run":
            data[pos : pos + draw(st.integers(1, 64))] = b"\x00" * 8
        elif op == "duplicate":
            data[pos:pos] = data[max(0, pos - 64) : pos]
    return name, bytes(data)


@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(mutated())
def test_mutated_files_never_crash_or_hang(case: tuple[str, bytes]) -> None:
    name, data = case
    with time_limit(PER_EXAMPLE_S):
        parsed = parse_bytes(data, f"fuzz/{name}", name.rsplit("/", 1)[-1])
    assert parsed.status in ("ok", "not_activity", "error")
    if parsed.status != "ok":
        assert parsed.problem
        assert not parsed.activities
    for act in parsed.activities:
        for value in (act.distance_m, act.elapsed_s, act.timer_s):
            assert math.isfinite(value)
        assert act.timer_s <= act.elapsed_s + 1 or act.elapsed_s <= 0
        assert act.start.tzinfo is not None


@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(mutated())
def test_mutated_files_are_stored_whole_or_not_at_all(
    tmp_path_factory: pytest.TempPathFactory, catalogue: Any, case: tuple[str, bytes]
) -> None:
    from heelcoach.config import Settings
    from heelcoach.services import imports
    from heelcoach.services.context import AppContext
    from heelcoach.store import all_tables  # noqa: F401 - registers every table
    from heelcoach.store.activities import ActivityRow
    from heelcoach.store.base import Base, make_engine, make_session_factory, transaction
    from heelcoach.store.repositories import People

    name, data = case
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / name.rsplit("/", 1)[-1]
    path.write_bytes(data)
    url = f"sqlite:///{folder / 'hc.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    ctx = AppContext(
        Settings(data_dir=folder, database_url=url), engine, make_session_factory(engine), catalogue
    )
    try:
        with transaction(ctx.sessions) as s:
            person = People(s).add("", datetime(2026, 1, 1, tzinfo=UTC)).id
        with time_limit(PER_EXAMPLE_S):
            summary = imports.import_paths(ctx, person, [path], workers=1)
        parsed = parse_bytes(data, str(path), path.name)
        with transaction(ctx.sessions) as s:
            stored = int(s.scalar(select(func.count()).select_from(ActivityRow)) or 0)
        [message] = summary.messages
        assert stored == message.new_activities
        assert stored in (0, len(parsed.activities))
    finally:
        ctx.close()
