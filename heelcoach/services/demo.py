"""The eight-week demo: a sample runner is assessed, screened and planned, then eight weeks of
realistic check-ins are replayed with a weekly review each week; returns the story of how the plan
changed and why.

The check-ins are made up but follow the usual course of plantar heel pain under a loading plan:
first-step pain eases over weeks, with a flare after a too-long run in week 4 that the pain
monitoring catches and settles.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from heelcoach.domain.screen import ScreenReport
from heelcoach.errors import InvalidInputError
from heelcoach.services import (
    checkins,
    common,
    intake,
    outcomes,
    people,
    planning,
    progress,
    screening,
    weekly_review,
)
from heelcoach.services.assess import TriageResult, load_answers_file, sample_answers_path
from heelcoach.services.context import AppContext
from heelcoach.services.progress import Progress
from heelcoach.services.units import DistanceUnit, save_unit
from heelcoach.store.repositories import PlanVersionRecord


def demo_answers() -> dict[str, Any]:
    """The bundled sample runner (heelcoach/samples/typical_runner.yaml): a 38-year-old whose heel
    pain came on after a mileage jump and keeps coming back despite rolling, new shoes and insoles."""
    return load_answers_file(sample_answers_path("typical_runner"))


#: Her home self-tests (the painful side is the left): a weak, stiff calf, so-so balance and hip control.
DEMO_SELF_TESTS: tuple[tuple[str, float, str], ...] = (
    ("single_leg_heel_raise_test", 14, "left"),
    ("single_leg_heel_raise_test", 23, "right"),
    ("knee_to_wall_test", 7, "left"),
    ("knee_to_wall_test", 11, "right"),
    ("single_leg_balance_eyes_open_test", 26, "left"),
    ("single_leg_balance_eyes_open_test", 41, "right"),
    ("single_leg_squat_quality_test", 2, "left"),
    ("single_leg_squat_quality_test", 1, "right"),
    ("short_foot_toe_control_test", 2, "left"),
    ("side_plank_hold_test", 35, "left"),
    ("side_plank_hold_test", 50, "right"),
    ("windlass_self_check", 1, "left"),
    ("calcaneal_squeeze_self_check", 0, "left"),
)

#: Per week: first-step pain, worst pain, runs (km) and run pain during/after.
#: Week 4 has a long run over the cap that flares the heel; week 5 settles; then she keeps to the
#: caps while the running climbs back to what she ran before the flare.
_WEEKS: tuple[dict[str, Any], ...] = (
    {"first": 5, "worst": 4, "runs": (4.0, 5.0, 4.0), "during": 3, "after": 3},
    {"first": 5, "worst": 4, "runs": (5.0, 5.0, 6.0), "during": 2, "after": 2},
    {"first": 4, "worst": 3, "runs": (5.0, 6.0, 7.0), "during": 2, "after": 2},
    {"first": 4, "worst": 5, "runs": (6.0, 6.0, 14.0), "during": 5, "after": 6, "flare": True},
    {"first": 4, "worst": 3, "runs": (4.0, 5.0), "during": 2, "after": 2},
    {"first": 3, "worst": 2, "runs": (4.0, 5.0, 5.0), "during": 1, "after": 1},
    {"first": 2, "worst": 1, "runs": (5.0, 5.0, 6.0), "during": 1, "after": 1},
    {"first": 1, "worst": 1, "runs": (5.0, 6.0, 7.0), "during": 0, "after": 1},
)
#: Days of the week (0 = plan start day) with a run.
_RUN_DAYS = (1, 3, 5)
#: Day-to-day wobble around the week's pain levels (real check-ins are never flat).
_FIRST_WOBBLE = (0, 0, 0, -1, 0, 0, -1)
_WORST_WOBBLE = (0, 1, 0, -1, 0, 1, -1)
WEEKS = len(_WEEKS)


@dataclass(frozen=True, slots=True)
class WeekStory:
    """One replayed week: what the runner reported and what the review decided."""

    week: int
    start: date
    end: date
    first_step_pain_mean: float
    worst_pain_mean: float
    run_km: float
    exercise_days: int
    previous_version: int
    version: int
    phase: str
    plan_week: int
    reason: str
    decisions: list[dict[str, Any]]
    messages: list[str]
    referral: str | None
    phase_change: str | None


@dataclass(frozen=True, slots=True)
class DemoStory:
    """The whole demo: triage, screen, first plan, eight weeks, final progress."""

    person_id: int
    start: date
    answers: dict[str, Any]
    triage: TriageResult
    triage_doc: dict[str, Any]
    screen_report: ScreenReport | None
    first_plan: PlanVersionRecord
    first_plan_text: str
    weeks: list[WeekStory] = field(default_factory=list)
    progress: Progress | None = None
    final_plan_text: str = ""


def _scheduled(plan_doc: Mapping[str, Any], day: date) -> tuple[str, ...]:
    """Exercise and adjunct items the plan schedules on ``day`` (by weekday), once per time."""
    weekday = day.strftime("%a").lower()
    ids: list[str] = []
    for item in plan_doc.get("items", []):
        if not isinstance(item, Mapping) or item.get("kind") not in {"exercise", "adjunct"}:
            continue
        if weekday in [str(d).lower() for d in item.get("days", [])] and isinstance(item.get("id"), str):
            times = (item.get("dose") or {}).get("times_per_day", 1)
            ids.extend([item["id"]] * max(1, int(times)))  # one tick per time of the day
    return tuple(ids)


def _week_checkins(week: int, start: date, plan_doc: Mapping[str, Any]) -> list[checkins.CheckInInput]:
    """Seven check-ins for one week of the story (deterministic)."""
    spec = _WEEKS[week]
    flare = bool(spec.get("flare"))
    runs = list(spec["runs"])
    # She does what is scheduled most days and skips one day a week (two in the flare week).
    skipped = {2, 6} if flare else {6}
    entries: list[checkins.CheckInInput] = []
    for day_index in range(7):
        day = start + timedelta(days=day_index)
        morning_after_flare = flare and day_index == 6
        first = spec["first"] + _FIRST_WOBBLE[day_index] + (2 if morning_after_flare else 0)
        worst = spec["worst"] + (_WORST_WOBBLE[day_index] if spec["worst"] > 2 else 0)
        run_km = run_minutes = None
        during = after = None
        if day_index in _RUN_DAYS and runs:
            run_km = runs.pop(0)
            run_minutes = round(run_km * 6.2, 1)
            # In the flare week only the last (too long) run hurts; the others are easy.
            quiet = flare and bool(runs)
            during, after = (2, 2) if quiet else (spec["during"], spec["after"])
        entries.append(
            checkins.CheckInInput(
                day=day,
                first_step_pain=max(0, min(10, first)),
                worst_pain=max(0, min(10, worst)),
                run_pain_during=during,
                run_pain_after=after,
                next_morning_worse=morning_after_flare,
                done_items=() if day_index in skipped else _scheduled(plan_doc, day),
                run_km=run_km,
                run_minutes=run_minutes,
                notes="long run with friends, much longer than lately" if flare and run_km == 14.0 else "",
            )
        )
    return entries


def _faam_answers(ctx: AppContext, subscale: str, level: float) -> dict[str, Any]:
    """FAAM answers at ``level`` (0 = unable .. 1 = no difficulty), from the catalogue's items."""
    instruments = ctx.catalogue.outcomes
    faam = getattr(instruments, "faam", None)
    scale = getattr(faam, subscale, None) if faam is not None else None
    items = getattr(scale, "items", None) or []
    top = int(getattr(faam, "max_item_score", 4) or 4)
    out: dict[str, Any] = {}
    for index, item in enumerate(items):
        item_id = getattr(item, "id", None) or str(index)
        out[item_id] = max(0, min(top, round(level * top + (0.4 if index % 3 == 0 else -0.3))))
    return out


def _psfs_answers(ctx: AppContext, scores: tuple[int, ...]) -> dict[str, Any]:
    activities = (
        "running 10 km",
        "walking the dog first thing in the morning",
        "playing with my kids in the park",
    )
    return dict(zip(activities, scores, strict=True))


def _record_outcomes(ctx: AppContext, person_id: int, day: date, level: float, psfs: tuple[int, ...]) -> None:
    for subscale in ("adl", "sports"):
        answers = _faam_answers(ctx, subscale, level if subscale == "adl" else level * 0.8)
        if answers:
            # If the instrument's format differs from this demo's guess, skip it and keep the story.
            with contextlib.suppress(InvalidInputError):
                outcomes.record_outcome(ctx, person_id, f"faam_{subscale}", answers, taken_on=day)
    with contextlib.suppress(InvalidInputError):
        outcomes.record_outcome(ctx, person_id, "psfs", _psfs_answers(ctx, psfs), taken_on=day)


def _replay_week(
    ctx: AppContext, person_id: int, week: int, start: date, clock: datetime, current: PlanVersionRecord
) -> tuple[WeekStory, PlanVersionRecord]:
    """Check in every day of week ``week`` (0-based) of ``current``, review it; the story and new version."""
    week_start = start + timedelta(days=7 * week)
    week_end = week_start + timedelta(days=6)
    entries = _week_checkins(week, week_start, current.plan)
    checkins.record_checkins(
        ctx, person_id, entries, today=week_end, now=clock + timedelta(days=7 * week + 6)
    )
    if week == 3:
        _record_outcomes(ctx, person_id, week_end, 0.7, (5, 8, 7))
    if week == WEEKS - 1:
        _record_outcomes(ctx, person_id, week_end, 0.9, (8, 9, 9))
    saved = weekly_review.run_weekly_review(
        ctx, person_id, week_end, now=clock + timedelta(days=7 * week + 6, hours=12)
    )
    review = saved.review
    story = WeekStory(
        week=week + 1,
        start=week_start,
        end=week_end,
        first_step_pain_mean=round(sum(e.first_step_pain for e in entries) / len(entries), 1),
        worst_pain_mean=round(sum(e.worst_pain or 0 for e in entries) / len(entries), 1),
        run_km=round(sum(e.run_km or 0.0 for e in entries), 1),
        exercise_days=sum(1 for e in entries if e.done_items),
        previous_version=saved.previous.version,
        version=saved.record.version,
        phase=saved.record.phase,
        plan_week=saved.record.week,
        reason=saved.record.reason,
        decisions=[common.json_object(d) for d in review.decisions],
        messages=[str(m) for m in review.messages],
        referral=None if not review.referral else str(common.to_jsonable(review.referral)),
        phase_change=" -> ".join(map(str, review.phase_change)) if review.phase_change else None,
    )
    return story, saved.record


def run_demo(
    ctx: AppContext, start: date | None = None, weeks: int = WEEKS, unit: DistanceUnit = DistanceUnit.KM
) -> DemoStory:
    """Replay the sample runner's first ``weeks`` weeks (at most 8) on the given (throwaway) store."""
    start = start or date.today() - timedelta(days=7 * weeks)
    clock = datetime.combine(start, time(7, 0), tzinfo=UTC)
    person = people.create_person(ctx, "Demo runner (sample data)", now=clock)
    save_unit(ctx, person.id, unit, now=clock)
    answers = demo_answers()
    intake_saved = intake.save_intake(ctx, person.id, answers, now=clock)
    results = [
        screening.parse_self_test(ctx, t, v, s)
        for t, v, s in DEMO_SELF_TESTS
        if t in ctx.catalogue.self_tests
    ]
    report = None
    if results:
        _record, report = screening.save_screen(ctx, person.id, results, taken_on=start, now=clock)
    _record_outcomes(ctx, person.id, start, 0.55, (3, 6, 5))
    first = planning.make_plan(ctx, person.id, start=start, now=clock)
    _record_first, first_plan = planning.current_plan(ctx, person.id)
    story = DemoStory(
        person_id=person.id,
        start=start,
        answers=answers,
        triage=intake_saved.triage,
        triage_doc=intake_saved.intake.triage,
        screen_report=report,
        first_plan=first,
        first_plan_text=planning.format_plan(ctx, first_plan, unit),
    )
    current = first
    for week in range(min(weeks, WEEKS)):
        week_story, current = _replay_week(ctx, person.id, week, start, clock, current)
        story.weeks.append(week_story)
    _final_record, final_plan = planning.current_plan(ctx, person.id)
    return _finish(story, progress.progress(ctx, person.id), planning.format_plan(ctx, final_plan, unit))


def _finish(story: DemoStory, prog: Progress, final_text: str) -> DemoStory:
    return DemoStory(
        person_id=story.person_id,
        start=story.start,
        answers=story.answers,
        triage=story.triage,
        triage_doc=story.triage_doc,
        screen_report=story.screen_report,
        first_plan=story.first_plan,
        first_plan_text=story.first_plan_text,
        weeks=story.weeks,
        progress=prog,
        final_plan_text=final_text,
    )


def story_to_dict(story: DemoStory) -> dict[str, Any]:
    """The story as JSON-ready data (for ``heelcoach demo --json``)."""
    return {
        "person_id": story.person_id,
        "start": story.start.isoformat(),
        "answers": story.answers,
        "triage": story.triage_doc,
        "screen": common.to_jsonable(story.screen_report),
        "first_plan": {
            "version": story.first_plan.version,
            "reason": story.first_plan.reason,
            "plan": story.first_plan.plan,
            "decision": story.first_plan.decision,
        },
        "weeks": common.to_jsonable(story.weeks),
        "progress": None if story.progress is None else progress.progress_to_dict(story.progress),
    }
