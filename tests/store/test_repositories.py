"""Repositories on both backends: round trips, one check-in per day, versions, deletes, rollbacks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from heelcoach.services.context import AppContext
from heelcoach.store.base import transaction
from heelcoach.store.repositories import CheckInRecord, Repos

NOW = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)


def _person(ctx: AppContext, name: str = "Ana") -> int:
    with transaction(ctx.sessions) as s:
        return Repos(s).people.add(name, NOW).id


def test_person_and_intake_round_trip(ctx: AppContext) -> None:
    pid = _person(ctx)
    answers = {"age_years": 41, "pain_location": ["inner_heel_bottom"], "first_step_pain": 6}
    with transaction(ctx.sessions) as s:
        Repos(s).intakes.add(
            pid,
            questionnaire_version="1",
            answers=answers,
            triage_level="self_manage",
            triage={"level": "self_manage", "differential": []},
            now=NOW,
        )
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        person = repos.people.get(pid)
        intake = repos.intakes.latest(pid)
    assert person is not None
    assert person.name == "Ana"
    assert person.created_at == NOW
    assert intake is not None
    assert intake.answers == answers
    assert intake.triage_level == "self_manage"


def test_checkin_upsert_keeps_one_row_per_day(ctx: AppContext) -> None:
    pid = _person(ctx)
    day = date(2026, 3, 2)
    with transaction(ctx.sessions) as s:
        _, created = Repos(s).checkins.upsert(
            CheckInRecord(pid, day, first_step_pain=5, done_items=("short_foot",)), NOW
        )
    assert created
    with transaction(ctx.sessions) as s:
        stored, created = Repos(s).checkins.upsert(
            CheckInRecord(pid, day, first_step_pain=3, worst_pain=4, run_km=5.0), NOW + timedelta(hours=2)
        )
    assert not created
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        assert repos.checkins.count(pid) == 1
        got = repos.checkins.get(pid, day)
    assert got is not None
    assert (got.first_step_pain, got.worst_pain, got.run_km, got.done_items) == (3, 4, 5.0, ())
    assert got == stored


def test_database_rejects_impossible_pain_even_without_validation(ctx: AppContext) -> None:
    pid = _person(ctx)
    with pytest.raises(IntegrityError), transaction(ctx.sessions) as s:
        Repos(s).checkins.upsert(CheckInRecord(pid, date(2026, 3, 2), first_step_pain=11), NOW)
    with transaction(ctx.sessions) as s:
        assert Repos(s).checkins.count(pid) == 0


def test_plan_versions_number_from_one_and_keep_history(ctx: AppContext) -> None:
    pid = _person(ctx)
    for week in (1, 2, 3):
        with transaction(ctx.sessions) as s:
            Repos(s).plans.add(
                pid,
                plan={"week": week},
                starts_on=date(2026, 3, 2),
                phase="settle",
                week=week,
                decision={"decisions": []},
                reason=f"week {week}",
                now=NOW,
            )
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        history = repos.plans.history(pid)
        latest = repos.plans.latest(pid)
    assert [p.version for p in history] == [1, 2, 3]
    assert latest is not None
    assert latest.version == 3
    assert latest.plan == {"week": 3}


def test_rollback_mid_write_keeps_earlier_data_and_adds_nothing(ctx: AppContext) -> None:
    pid = _person(ctx)
    with transaction(ctx.sessions) as s:
        Repos(s).checkins.upsert(CheckInRecord(pid, date(2026, 3, 1), first_step_pain=4), NOW)

    class BoomError(RuntimeError):
        pass

    def write_then_fail() -> None:
        with transaction(ctx.sessions) as s:
            repos = Repos(s)
            repos.checkins.upsert(CheckInRecord(pid, date(2026, 3, 1), first_step_pain=9), NOW)
            repos.checkins.upsert(CheckInRecord(pid, date(2026, 3, 2), first_step_pain=2), NOW)
            repos.plans.add(
                pid,
                plan={},
                starts_on=date(2026, 3, 2),
                phase="settle",
                week=1,
                decision={},
                reason="x",
                now=NOW,
            )
            raise BoomError("injected failure after the plan version insert")

    with pytest.raises(BoomError):
        write_then_fail()
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        rows = repos.checkins.between(pid)
        assert repos.plans.count(pid) == 0
    assert [(r.day, r.first_step_pain) for r in rows] == [(date(2026, 3, 1), 4)]


def test_delete_person_removes_everything_of_theirs_only(ctx: AppContext) -> None:
    keep, gone = _person(ctx, "Keep"), _person(ctx, "Gone")
    for pid in (keep, gone):
        with transaction(ctx.sessions) as s:
            repos = Repos(s)
            repos.checkins.upsert(CheckInRecord(pid, date(2026, 3, 1), first_step_pain=4), NOW)
            repos.outcomes.add(
                pid,
                instrument="psfs",
                taken_on=date(2026, 3, 1),
                answers={"a": 5},
                score=5.0,
                details={},
                now=NOW,
            )
    with transaction(ctx.sessions) as s:
        assert Repos(s).people.delete(gone)
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        assert repos.people.get(gone) is None
        assert repos.checkins.count(gone) == 0
        assert repos.outcomes.history(gone) == []
        assert repos.checkins.count(keep) == 1
        assert len(repos.outcomes.history(keep)) == 1
        assert not repos.people.delete(gone)
