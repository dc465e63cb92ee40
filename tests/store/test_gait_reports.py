"""The gait_reports table and repository on SQLite and PostgreSQL: order, filters, cascade."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete

from heelcoach.services.context import AppContext
from heelcoach.store.base import transaction
from heelcoach.store.gait_reports import GaitReportRecord, GaitReports
from heelcoach.store.models import Person
from heelcoach.store.repositories import Repos

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def _record(person_id: int, view: str, at: datetime, activity: str = "running") -> GaitReportRecord:
    return GaitReportRecord(
        person_id=person_id,
        created_at=at,
        source=f"{view}.mp4",
        view=view,
        activity=activity,
        cadence_spm=170.0,
        cadence_cue_pct=5.0 if view == "side" else None,
        report={"view": view, "findings": [], "metrics": {"cadence": {"value": 170.0}}},
    )


def test_history_latest_and_filters(ctx: AppContext) -> None:
    with transaction(ctx.sessions) as s:
        pid = Repos(s).people.add("Ana", NOW).id
        reports = GaitReports(s)
        first = reports.add(_record(pid, "side", NOW))
        rear = reports.add(_record(pid, "rear", NOW + timedelta(days=1)))
        walk = reports.add(_record(pid, "side", NOW + timedelta(days=2), activity="walking"))
    with transaction(ctx.sessions) as s:
        reports = GaitReports(s)
        assert [r.id for r in reports.history(pid)] == [walk, rear, first]
        assert [r.id for r in reports.history(pid, until=NOW + timedelta(hours=1))] == [first]
        latest_run = reports.latest(pid, view="side", activity="running")
        assert latest_run is not None
        assert latest_run.id == first
        assert latest_run.created_at == NOW
        assert latest_run.report["metrics"]["cadence"]["value"] == 170.0
        assert reports.count(pid) == 3
        assert reports.latest(pid + 1) is None


def test_rows_go_with_their_person(ctx: AppContext) -> None:
    with transaction(ctx.sessions) as s:
        pid = Repos(s).people.add("Ana", NOW).id
        other = Repos(s).people.add("Ben", NOW).id
        GaitReports(s).add(_record(pid, "side", NOW))
        GaitReports(s).add(_record(other, "rear", NOW))
    with transaction(ctx.sessions) as s:  # the database itself cascades (ON DELETE CASCADE)
        s.execute(delete(Person).where(Person.id == pid))
    with transaction(ctx.sessions) as s:
        assert GaitReports(s).count(pid) == 0
        assert GaitReports(s).count(other) == 1
