"""Use cases on SQLite and PostgreSQL: intake -> plan -> check-ins -> review -> progress -> export,
and every write all-or-nothing."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from heelcoach.domain import progression
from heelcoach.errors import ConflictError, InvalidInputError, NotFoundError
from heelcoach.services import (
    checkins,
    common,
    intake,
    outcomes,
    people,
    person_data,
    planning,
    progress,
    screening,
    weekly_review,
)
from heelcoach.services.context import AppContext
from heelcoach.services.demo import demo_answers
from heelcoach.store.base import transaction
from heelcoach.store.repositories import Repos

START = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def _planned(ctx: AppContext) -> int:
    person = people.create_person(ctx, "Ana", now=NOW)
    intake.save_intake(ctx, person.id, demo_answers(), now=NOW)
    planning.make_plan(ctx, person.id, start=START, now=NOW)
    return person.id


def _counts(ctx: AppContext, pid: int) -> tuple[int, int, int, int]:
    with transaction(ctx.sessions) as s:
        r = Repos(s)
        return (
            len(r.intakes.history(pid)),
            r.plans.count(pid),
            r.checkins.count(pid),
            len(r.outcomes.history(pid)),
        )


def test_intake_is_stored_with_its_triage(ctx: AppContext) -> None:
    person = people.create_person(ctx, "Ana")
    saved = intake.save_intake(ctx, person.id, demo_answers())
    assert saved.intake.answers["first_step_pain"] == 6
    assert saved.intake.triage_level == "self_manage"
    assert saved.intake.triage["level"] == "self_manage"
    assert saved.intake.questionnaire_version == str(saved.intake.triage["questionnaire_version"])


def test_bad_answers_name_the_field_and_store_nothing(ctx: AppContext) -> None:
    person = people.create_person(ctx, "Ana")
    bad = {**demo_answers(), "first_step_pain": 14}
    with pytest.raises(InvalidInputError, match="first_step_pain") as caught:
        intake.save_intake(ctx, person.id, bad)
    assert [p.question_id for p in caught.value.problems] == ["first_step_pain"]
    assert _counts(ctx, person.id) == (0, 0, 0, 0)


def test_plan_needs_an_intake_and_stores_version_one_with_its_reasons(ctx: AppContext) -> None:
    person = people.create_person(ctx, "Ana")
    with pytest.raises(NotFoundError, match="No questionnaire answers yet"):
        planning.make_plan(ctx, person.id, start=START)
    pid = _planned(ctx)
    record, plan = planning.current_plan(ctx, pid)
    assert record.version == 1
    assert record.decision["kind"] == "initial"
    assert "intake" in record.decision["sources"]
    assert record.phase == plan.phase
    assert record.starts_on == START
    assert record.reason.startswith("First plan")
    week = planning.this_week(ctx, pid, START + timedelta(days=2))
    assert week.day_of_week == 3
    assert not week.review_due
    assert week.text


def test_screen_results_feed_the_next_plan(ctx: AppContext) -> None:
    pid = _planned(ctx)
    results = [
        screening.parse_self_test(ctx, "single_leg_heel_raise_test", 12, "left"),
        screening.parse_self_test(ctx, "single_leg_heel_raise_test", 24, "right"),
    ]
    screening.save_screen(ctx, pid, results, taken_on=START)
    record = planning.make_plan(ctx, pid, start=START)
    assert record.version == 2
    assert record.plan["version"] == 2
    assert record.decision["kind"] == "rebuilt"
    assert record.decision["replaces_version"] == 1
    assert "replaces version 1" in record.reason
    assert any(e["source"] == "self_test" for e in record.decision["evidence"])
    with pytest.raises(InvalidInputError, match="outside"):
        screening.parse_self_test(ctx, "knee_to_wall_test", 99, "left")
    with pytest.raises(InvalidInputError, match="not known"):
        screening.parse_self_test(ctx, "no_such_test", 1)


def test_one_checkin_per_day_second_replaces_first(ctx: AppContext) -> None:
    pid = _planned(ctx)
    first = checkins.record_checkin(
        ctx, pid, checkins.CheckInInput(day=START, first_step_pain=5), today=START
    )
    again = checkins.record_checkin(
        ctx,
        pid,
        checkins.CheckInInput(day=START, first_step_pain=3, run_km=5, run_pain_during=2),
        today=START,
    )
    assert not first.replaced
    assert again.replaced
    assert _counts(ctx, pid)[2] == 1
    with transaction(ctx.sessions) as s:
        stored = Repos(s).checkins.get(pid, START)
    assert stored is not None
    assert stored.first_step_pain == 3
    assert stored.run_km == 5.0


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        (checkins.CheckInInput(day=START, first_step_pain=11), "first_step_pain"),
        (checkins.CheckInInput(day=START + timedelta(days=9), first_step_pain=2), "future"),
        (checkins.CheckInInput(day=START, first_step_pain=2, run_km=-1.0), "run_km"),
        (checkins.CheckInInput(day=START, first_step_pain=2, done_items=("moon_walk",)), "done_items"),
        (checkins.CheckInInput(day=START, first_step_pain=2, run_pain_during=3), "distance"),
    ],
)
def test_invalid_checkins_are_refused_with_the_field(
    ctx: AppContext, entry: checkins.CheckInInput, field: str
) -> None:
    pid = _planned(ctx)
    with pytest.raises(InvalidInputError, match=field):
        checkins.record_checkin(ctx, pid, entry, today=START)
    assert _counts(ctx, pid)[2] == 0


def test_a_batch_with_a_bad_row_saves_nothing_and_keeps_earlier_data(ctx: AppContext) -> None:
    pid = _planned(ctx)
    checkins.record_checkin(
        ctx, pid, checkins.CheckInInput(day=START, first_step_pain=5), today=START + timedelta(days=3)
    )
    batch = [
        checkins.CheckInInput(day=START, first_step_pain=1),  # would replace the stored day
        checkins.CheckInInput(day=START + timedelta(days=1), first_step_pain=4),
        checkins.CheckInInput(day=START + timedelta(days=2), first_step_pain=42),  # bad
    ]
    with pytest.raises(InvalidInputError, match="check-in 3"):
        checkins.record_checkins(ctx, pid, batch, today=START + timedelta(days=3))
    with transaction(ctx.sessions) as s:
        rows = Repos(s).checkins.between(pid)
    assert [(r.day, r.first_step_pain) for r in rows] == [(START, 5)]


def test_a_row_the_database_refuses_rolls_back_the_whole_batch(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = _planned(ctx)
    monkeypatch.setattr(checkins, "validate_checkin", lambda *a, **k: [])  # let the bad row reach the DB
    batch = [
        checkins.CheckInInput(day=START, first_step_pain=4),
        checkins.CheckInInput(day=START + timedelta(days=1), first_step_pain=12),
    ]
    with pytest.raises(IntegrityError):
        checkins.record_checkins(ctx, pid, batch, today=START + timedelta(days=3))
    assert _counts(ctx, pid)[2] == 0


def _week_of_checkins(ctx: AppContext, pid: int, first: int = 3) -> None:
    entries = [
        checkins.CheckInInput(
            day=START + timedelta(days=i),
            first_step_pain=first,
            worst_pain=first,
            run_km=5.0 if i in (1, 3, 5) else None,
            run_minutes=30.0 if i in (1, 3, 5) else None,
            run_pain_during=1 if i in (1, 3, 5) else None,
            run_pain_after=1 if i in (1, 3, 5) else None,
            next_morning_worse=False,
        )
        for i in range(7)
    ]
    checkins.record_checkins(ctx, pid, entries, today=START + timedelta(days=6))


def test_weekly_review_stores_the_next_version_with_its_decision(ctx: AppContext) -> None:
    pid = _planned(ctx)
    _week_of_checkins(ctx, pid)
    saved = weekly_review.run_weekly_review(ctx, pid, START + timedelta(days=6))
    assert (saved.previous.version, saved.record.version) == (1, 2)
    assert saved.record.decision["kind"] == "weekly_review"
    assert saved.record.decision["checkins"] == 7
    assert saved.record.reason
    assert len(saved.record.decision["decisions"]) == len(saved.review.decisions)
    assert saved.record.starts_on == START + timedelta(days=7)
    # The same week cannot be reviewed twice (that would progress twice on one week's evidence).
    with pytest.raises(ConflictError, match="Too early"):
        weekly_review.run_weekly_review(ctx, pid, START + timedelta(days=6))
    with pytest.raises(ConflictError, match="Too early"):
        weekly_review.run_weekly_review(ctx, pid, START + timedelta(days=12))


def test_failure_after_the_plan_version_insert_leaves_no_version(ctx: AppContext) -> None:
    pid = _planned(ctx)
    _week_of_checkins(ctx, pid)
    before = _counts(ctx, pid)

    def boom(session: Session) -> None:
        raise RuntimeError("injected failure after the plan version insert")

    with pytest.raises(RuntimeError, match="injected"):
        weekly_review.run_weekly_review(ctx, pid, START + timedelta(days=6), after_insert=boom)
    assert _counts(ctx, pid) == before
    assert planning.current_plan(ctx, pid)[0].version == 1


def test_progress_export_and_delete(ctx: AppContext, tmp_path: Path) -> None:
    pid = _planned(ctx)
    other = _planned(ctx)
    _week_of_checkins(ctx, pid, first=4)
    weekly_review.run_weekly_review(ctx, pid, START + timedelta(days=6))
    prog = progress.progress(ctx, pid)
    assert len(prog.pain) == 7
    assert prog.pain[0]["first_step_pain"] == 4
    assert [v["version"] for v in prog.plan_history] == [1, 2]
    assert prog.plan_history[1]["kind"] == "weekly_review"
    assert prog.summary["weeks"][0]["checkins"] == 7
    json.dumps(progress.progress_to_dict(prog))

    [path] = person_data.export_person(ctx, pid, tmp_path / "out.json", "json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["person"]["id"] == pid
    assert len(data["tables"]["checkins"]) == 7
    assert len(data["tables"]["plan_versions"]) == 2
    files = person_data.export_person(ctx, pid, tmp_path / "csv", "csv")
    with open(tmp_path / "csv" / "checkins.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 7
    assert rows[0]["first_step_pain"] == "4"
    assert {p.name for p in files} >= {"people.csv", "intakes.csv", "plan_versions.csv", "checkins.csv"}

    counts = person_data.delete_person(ctx, pid)
    assert counts["checkins"] == 7
    assert people.get_person(ctx, pid) is None
    assert _counts(ctx, pid) == (0, 0, 0, 0)
    assert _counts(ctx, other)[:2] == (1, 1)
    with pytest.raises(NotFoundError):
        progress.progress(ctx, pid)


def test_current_person_defaults_to_the_first(ctx: AppContext) -> None:
    with pytest.raises(NotFoundError, match="Nobody is set up yet"):
        people.resolve_person(ctx)
    made = people.resolve_person(ctx, create=True)
    people.create_person(ctx, "Second")
    assert people.resolve_person(ctx).id == made.id
    assert people.first_person(ctx) == made
    with pytest.raises(NotFoundError, match="999"):
        people.resolve_person(ctx, 999)


def test_to_jsonable_handles_core_values() -> None:
    entry = checkins.CheckInInput(day=START, first_step_pain=2, done_items=("a",))
    assert common.to_jsonable(replace(entry, notes="x")) == {
        **dict.fromkeys(("worst_pain", "run_pain_during", "run_pain_after", "next_morning_worse")),
        "day": "2026-03-02",
        "first_step_pain": 2,
        "done_items": ["a"],
        "run_km": None,
        "run_minutes": None,
        "passive_used": [],
        "red_flag_symptoms": [],
        "notes": "x",
    }


def test_outcomes_are_scored_stored_and_compared_with_the_mcid(ctx: AppContext) -> None:
    pid = _planned(ctx)
    items = [item.id for item in ctx.catalogue.outcomes.faam.adl.items]
    outcomes.record_outcome(ctx, pid, "faam_adl", dict.fromkeys(items, 2), taken_on=START)
    record, score = outcomes.record_outcome(
        ctx, pid, "faam_adl", dict.fromkeys(items, 4), taken_on=START + timedelta(days=42)
    )
    assert record.score == 100.0
    assert score.valid
    psfs = {"running 10 km": 3, "stairs": 5, "walking the dog": 4}
    outcomes.record_outcome(ctx, pid, "psfs", psfs, taken_on=START)
    with pytest.raises(InvalidInputError, match="psfs"):
        outcomes.record_outcome(ctx, pid, "psfs", {"running": 14})
    with pytest.raises(InvalidInputError, match="instrument"):
        outcomes.record_outcome(ctx, pid, "koos", {})
    prog = progress.progress(ctx, pid)
    [change] = prog.outcome_changes
    assert change["instrument"] == "faam_adl"
    assert change["delta"] == 50.0
    assert change["meaningful"] is True
    assert [o["instrument"] for o in prog.outcomes] == ["faam_adl", "psfs", "faam_adl"]


def test_a_version_stored_while_the_review_ran_stops_the_review(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = _planned(ctx)
    _week_of_checkins(ctx, pid)
    real_review = progression.weekly_review

    def racing_review(*args: object, **kwargs: object) -> object:
        planning.make_plan(ctx, pid, start=START)  # another window stores version 2 meanwhile
        return real_review(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(progression, "weekly_review", racing_review)
    with pytest.raises(ConflictError, match="changed while the review ran"):
        weekly_review.run_weekly_review(ctx, pid, START + timedelta(days=6))
    assert planning.current_plan(ctx, pid)[0].version == 2
