"""How many activities a person has stored, and from when to when (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from heelcoach.activities.importer import parse_bytes
from heelcoach.services import imports
from heelcoach.services.context import AppContext


def test_stored_activities_counts_every_day(ctx: AppContext, shared_data: Path) -> None:
    person = imports.resolve_person(ctx, None, create=True).id
    assert imports.stored_activities(ctx, person) == imports.StoredActivities(0, None, None)
    gpx = shared_data / "activities" / "gpx"
    imports.import_paths(ctx, person, [gpx / "6037744996.gpx", gpx / "2067489619.gpx"])
    starts = sorted(
        a.start.astimezone(UTC).date()
        for name in ("6037744996.gpx", "2067489619.gpx")
        for a in parse_bytes((gpx / name).read_bytes(), str(gpx / name), name).activities
    )
    stored = imports.stored_activities(ctx, person)
    assert stored.count == 2
    assert (stored.first_day, stored.last_day) == (starts[0], starts[-1])
    assert isinstance(stored.first_day, date)
    assert stored.first_day < datetime.now(UTC).date()
