"""Import service against the real files on a temporary SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from heelcoach.config import Settings
from heelcoach.errors import NotFoundError
from heelcoach.services import imports
from heelcoach.services.context import AppContext
from heelcoach.store import all_tables  # noqa: F401 - registers every table
from heelcoach.store.activities import ActivityCopyRow, ActivityRow
from heelcoach.store.base import Base, make_engine, make_session_factory, transaction
from heelcoach.store.repositories import CheckInRecord, CheckIns, People


@pytest.fixture
def ictx(tmp_path: Path, catalogue: Any) -> Iterator[AppContext]:
    """An application context on a fresh SQLite file with every table."""
    url = f"sqlite:///{tmp_path / 'hc.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    ctx = AppContext(
        Settings(data_dir=tmp_path, database_url=url), engine, make_session_factory(engine), catalogue
    )
    yield ctx
    ctx.close()


@pytest.fixture
def person(ictx: AppContext) -> int:
    with transaction(ictx.sessions) as s:
        return People(s).add("runner", datetime(2026, 1, 1, tzinfo=UTC)).id


def _count(ctx: AppContext, table: type) -> int:
    with transaction(ctx.sessions) as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_three_formats_of_one_run_are_stored_once(ictx: AppContext, person: int, shared_data: Path) -> None:
    acts = shared_data / "activities"
    paths = [acts / "gpx/6782987395.gpx", acts / "tcx/6782987395.tcx", acts / "fit/6782987395.fit"]
    summary = imports.import_paths(ictx, person, paths, workers=1)
    assert summary.activities_new == 1
    assert summary.duplicates == 2
    [run] = imports.list_runs(ictx, person)
    assert run.source_format == "fit"  # the richest copy wins even when it comes last
    assert run.distance_m == pytest.approx(14004.85)
    assert _count(ictx, ActivityCopyRow) == 2
    again = imports.import_paths(ictx, person, paths, workers=1)
    assert again.activities_new == 0
    assert again.already_imported == 3
    assert _count(ictx, ActivityRow) == 1


def test_whole_folder_import(ictx: AppContext, person: int, shared_data: Path) -> None:
    seen: list[tuple[int, int]] = []
    summary = imports.import_paths(
        ictx, person, [shared_data / "activities"], lambda d, t, m: seen.append((d, t)), workers=1
    )
    assert seen[-1][0] == seen[-1][1] == summary.files == 35
    assert summary.errors == 1  # the empty file
    assert summary.not_activities == 4
    assert summary.activities_new > 20
    by_name = {Path(m.source).name: m for m in summary.messages}
    assert "empty" in by_name["empty-sessions.fit"].message
    assert by_name["Settings.fit"].status == "not_activity"
    assert by_name["6860622783.tcx"].status == "duplicate"  # same treadmill run as the FIT
    stored = imports.list_runs(ictx, person)
    assert len(stored) == summary.activities_new
    sports = {a.sport for a in stored}
    assert {"running", "treadmill", "walking", "cycling", "other"} <= sports
    walk = next(a for a in stored if a.sport == "walking")
    assert not walk.is_running
    # idempotent
    again = imports.import_paths(ictx, person, [shared_data / "activities"], workers=2)
    assert again.activities_new == 0
    assert _count(ictx, ActivityRow) == len(stored)


def test_load_for_the_plan(ictx: AppContext, person: int, shared_data: Path) -> None:
    acts = shared_data / "activities/fit"
    imports.import_paths(
        ictx,
        person,
        [acts / "garmin-fenix-5-run.fit", acts / "garmin-fenix-5-walk.fit", acts / "garmin-fenix-5-bike.fit"],
        workers=1,
    )
    today = date(2017, 6, 14)
    snap = imports.load_snapshot(ictx, person, today)
    assert snap is not None
    assert snap.runs_last_7d == 1  # the walk and the ride are not running load
    assert snap.weekly_run_km == pytest.approx(0.15756, abs=1e-3)
    assert imports.load_snapshot(ictx, person, date(2010, 1, 1)) is None
    assert imports.load_evidence(ictx, person, today) == []
    report = imports.load_report(ictx, person, today)
    assert len(report.recent) == 3
    assert report.weeks[-1].cross_sessions == 1  # the ride on Monday 12 June; the walk was Sunday
    assert "Impellizzeri" in report.acwr.caveat


def test_runs_beside_pain(ictx: AppContext, person: int, shared_data: Path) -> None:
    imports.import_paths(ictx, person, [shared_data / "activities/fit/garmin-fenix-5-run.fit"], workers=1)
    now = datetime(2017, 6, 13, tzinfo=UTC)
    with transaction(ictx.sessions) as s:
        CheckIns(s).upsert(CheckInRecord(person, date(2017, 6, 11), 2, run_pain_during=3), now)
        CheckIns(s).upsert(CheckInRecord(person, date(2017, 6, 12), 5), now)
    [row] = imports.runs_beside_pain(ictx, person, date(2017, 6, 1), date(2017, 6, 30))
    assert row.day == date(2017, 6, 11)
    assert row.pain_during == 3
    assert row.next_first_step_pain == 5
    assert row.first_step_change == 3
    assert row.made_it_worse


def test_a_storage_failure_keeps_nothing_from_that_file_and_the_batch_goes_on(
    ictx: AppContext, person: int, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from heelcoach.store.activities import Activities

    real_add = Activities.add
    calls = {"n": 0}

    def flaky_add(self: Activities, *args: object, **kwargs: object) -> int:
        calls["n"] += 1
        if calls["n"] == 3:  # the third session of the multisport file
            raise RuntimeError("disk full")
        return real_add(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Activities, "add", flaky_add)
    fit = shared_data / "activities/fit"
    summary = imports.import_paths(
        ictx,
        person,
        [fit / "activity-large-fenxi2-multisport.fit", fit / "garmin-fenix-5-run.fit"],
        workers=1,
    )
    multi, run = summary.messages
    assert multi.status == "error"
    assert "nothing from it was kept" in multi.message
    assert run.status == "imported"
    [stored] = imports.list_runs(ictx, person)  # no partial write from the failed file
    assert stored.distance_m == pytest.approx(157.56)


def test_unknown_person(ictx: AppContext, shared_data: Path) -> None:
    with pytest.raises(NotFoundError, match="no person"):
        imports.import_paths(ictx, 999, [shared_data / "activities/fit/Activity.fit"])


def test_nested_bomb_is_refused_as_one_file_and_nothing_is_stored(
    ictx: AppContext, person: int, tmp_path: Path
) -> None:
    import zipfile

    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(30):
            zf.writestr(f"run{i:02d}.fit", b"\x00" * 1_000_000)
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w") as zf:
        zf.write(inner, "a.zip")
        zf.write(inner, "b.zip")
    ictx.settings.max_archive_uncompressed_mb = 50  # each inner zip fits; both do not
    seen: list[tuple[int, int]] = []
    summary = imports.import_paths(ictx, person, [bomb], lambda d, t, _m: seen.append((d, t)), workers=1)
    assert (summary.files, summary.errors, summary.activities_new) == (1, 1, 0)
    assert "would expand to more than the limit" in summary.messages[0].message
    assert seen == [(1, 1)]
