"""Property: whatever order check-ins arrive in, the store keeps one per day, the last one given."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from heelcoach.config import Settings
from heelcoach.services.context import AppContext
from heelcoach.store.base import transaction
from heelcoach.store.models import CheckInRow
from heelcoach.store.repositories import CheckInRecord, Repos

NOW = datetime(2026, 3, 2, tzinfo=UTC)
DAY0 = date(2026, 3, 1)

entries = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 10), st.one_of(st.none(), st.floats(0, 40, allow_nan=False))),
    max_size=20,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=entries)
def test_one_row_per_day_holding_the_last_values(
    tmp_path: Path, batch: list[tuple[int, int, float | None]]
) -> None:
    ctx = AppContext.from_settings(Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}", data_dir=tmp_path))
    try:
        with transaction(ctx.sessions) as s:
            repos = Repos(s)
            pid = repos.people.first().id if repos.people.first() else repos.people.add("P", NOW).id
            s.execute(delete(CheckInRow))
        for offset, pain, km in batch:
            with transaction(ctx.sessions) as s:
                Repos(s).checkins.upsert(
                    CheckInRecord(pid, DAY0 + timedelta(days=offset), first_step_pain=pain, run_km=km), NOW
                )
        expected: dict[date, tuple[int, float | None]] = {}
        for offset, pain, km in batch:
            expected[DAY0 + timedelta(days=offset)] = (pain, km)
        with transaction(ctx.sessions) as s:
            rows = Repos(s).checkins.between(pid)
        assert {r.day: (r.first_step_pain, r.run_km) for r in rows} == expected
        assert [r.day for r in rows] == sorted(expected)
    finally:
        ctx.close()
