"""A runner with a month of real records, for the hand-over report and bundle tests.

Intake, a plan started four weeks ago, a gait report from real keypoints (the treadmill clip with
its measured cadence) with its key frames drawn from the real video, daily check-ins with exercises
ticked and km run, FAAM and PSFS questionnaires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from heelcoach.domain.plan import plan_from_dict
from heelcoach.services import checkins, gait, intake, outcomes, people, planning
from heelcoach.services.context import AppContext
from tests.web.answers import TYPICAL

HALPE = Path("keypoints") / "halpe26_treadmill_side" / "treadmill_side_30fps.pose.json"
VIDEO = Path("video") / "treadmill_side_30fps.mp4"
#: First-step pain of the 28 daily check-ins, oldest first (falls from 6 to 3).
PAIN = [6, 6, 5, 6, 5, 5, 5, 5, 4, 5, 4, 4, 4, 4, 4, 3, 4, 4, 3, 3, 4, 3, 3, 3, 3, 3, 3, 3]
PSFS = {"Running 5 km": 4, "Stairs": 7, "Standing at work": 6}


@dataclass(frozen=True)
class Seeded:
    person_id: int
    today: date
    cadence_spm: float
    faam_adl: dict[str, int | None]
    psfs: dict[str, float]


def seed_runner(ctx: AppContext, shared_data: Path, today: date) -> Seeded:
    """Store a month of a runner's records in ``ctx``; what the tests compare against."""
    pid = people.create_person(ctx, "Ann Example").id
    start = today - timedelta(days=28)
    at = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    intake.save_intake(ctx, pid, TYPICAL, now=at)
    out_dir = Path(ctx.settings.data_dir) / "gait" / f"person-{pid}" / "treadmill"
    report = gait.analyse_keypoints(shared_data / HALPE, "side", 172, out_dir, video=shared_data / VIDEO)
    gait.save_report(ctx, pid, report, key_frames_dir=out_dir, now=at)
    record = planning.make_plan(ctx, pid, start=start, now=at)
    plan = plan_from_dict(record.plan)
    exercises = [i.ref_id for i in plan.items if i.kind == "exercise" and not i.optional]
    for n, pain in enumerate(PAIN):
        day = start + timedelta(days=n)
        done = tuple(exercises[: 1 + n % max(len(exercises), 1)])  # the first item every day, others less
        km = 4.0 if n % 3 == 1 else None
        entry = checkins.CheckInInput(
            day=day, first_step_pain=pain, worst_pain=pain + 1, done_items=done, run_km=km
        )
        checkins.record_checkin(
            ctx, pid, entry, today=day, now=datetime.combine(day, datetime.min.time(), tzinfo=UTC)
        )
    faam = {item.id: 3 for item in ctx.catalogue.outcomes.faam.adl.items}
    faam["faam_adl_standing"] = 2
    outcomes.record_outcome(ctx, pid, "faam_adl", faam, taken_on=start, now=at)
    outcomes.record_outcome(ctx, pid, "psfs", PSFS, taken_on=today - timedelta(days=1), now=at)
    return Seeded(
        pid, today, float(report.cadence_spm or 0), dict(faam), {k: float(v) for k, v in PSFS.items()}
    )
