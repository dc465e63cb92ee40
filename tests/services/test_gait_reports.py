"""Stored gait reports feed the plan: pelvic drop -> hip_control evidence, overstriding -> cadence cue.

Runs on SQLite and PostgreSQL (the ``ctx`` fixture), with synthetic keypoints of known kinematics
and the real OpenPose rear-view keypoints.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from heelcoach.errors import NotFoundError
from heelcoach.gait.pipeline import GaitAnalysis
from heelcoach.gait.report import GaitReport
from heelcoach.services import gait, intake, people, person_data, planning
from heelcoach.services.context import AppContext
from heelcoach.services.demo import demo_answers
from tests.gait.synthetic import rear_view, side_view

START = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def _person(ctx: AppContext) -> int:
    person = people.create_person(ctx, "Ana", now=NOW)
    intake.save_intake(ctx, person.id, demo_answers(), now=NOW)
    return person.id


def _pelvic_drop_report(ctx: AppContext) -> GaitReport:
    kp = rear_view(drop_left_deg=3.0, drop_right_deg=13.0, valgus_left_deg=2.0, valgus_right_deg=4.0)
    report = GaitAnalysis(ctx.catalogue.gait).run(kp, "rear.json", "keypoints").report_
    assert ("pelvic_drop", "right") in {(f.metric_id, f.side) for f in report.findings}
    return report


def _overstriding_report(ctx: AppContext) -> GaitReport:
    kp, _ = side_view(cadence_spm=146.0, thigh_ic_deg=30.0, knee_ic_deg=5.0)
    report = GaitAnalysis(ctx.catalogue.gait).run(kp, "side.json", "keypoints").report_
    assert report.cadence_cue_pct is not None
    return report


def _gait_evidence(decision: dict) -> list[dict]:  # type: ignore[type-arg]
    return [e for e in decision["evidence"] if e["source"] == "gait"]


def test_save_and_read_back(ctx: AppContext, tmp_path: Path) -> None:
    pid = _person(ctx)
    report = _pelvic_drop_report(ctx)
    report_id = gait.save_report(ctx, pid, report, key_frames_dir=tmp_path, now=NOW)
    stored = gait.latest_report(ctx, pid)
    assert stored is not None
    assert stored.id == report_id
    assert (stored.view, stored.activity, stored.key_frames_dir) == ("rear", "running", str(tmp_path))
    assert stored.cadence_spm == pytest.approx(report.cadence_spm)
    assert stored.cadence_cue_pct is None
    assert stored.report["metrics"]["pelvic_drop"]["right"] == pytest.approx(13.0, abs=1.5)
    assert gait.latest_report(ctx, pid, view="side") is None


def test_unknown_person_is_refused(ctx: AppContext) -> None:
    with pytest.raises(NotFoundError, match="no person"):
        gait.save_report(ctx, 999, _pelvic_drop_report(ctx), now=NOW)


def test_pelvic_drop_gives_hip_control_evidence_in_the_plan(ctx: AppContext) -> None:
    pid = _person(ctx)
    planning.make_plan(ctx, pid, start=START, now=NOW)
    _, before = planning.current_plan(ctx, pid)
    gait.save_report(ctx, pid, _pelvic_drop_report(ctx), now=NOW)
    record = planning.make_plan(ctx, pid, start=START, now=NOW)
    found = _gait_evidence(record.decision)
    assert {(e["driver"], e["item_id"]) for e in found} >= {("hip_control", "gait_pelvic_drop_right")}
    assert "gait/watch evidence" in record.decision["sources"]
    assert not any(e["item_id"].startswith("gait_pelvic_drop_left") for e in found)
    _, plan = planning.current_plan(ctx, pid)
    assert plan.run.cadence_cue_pct is None  # a rear clip says nothing about overstriding
    assert before.run.cadence_cue_pct is None


def test_overstriding_report_puts_the_cue_in_the_run_prescription(ctx: AppContext) -> None:
    pid = _person(ctx)
    report = _overstriding_report(ctx)
    gait.save_report(ctx, pid, report, now=NOW)
    assert gait.person_cadence_cue_pct(ctx, pid) == report.cadence_cue_pct
    record = planning.make_plan(ctx, pid, start=START, now=NOW)
    assert any(e["driver"] == "knee_control" for e in _gait_evidence(record.decision))
    _, plan = planning.current_plan(ctx, pid)
    assert plan.run.cadence_cue_pct == report.cadence_cue_pct


def test_real_rear_clip_without_drop_adds_no_evidence(ctx: AppContext, shared_data: Path) -> None:
    pid = _person(ctx)
    report = gait.analyse_keypoints(shared_data / "keypoints" / "openpose_running_back")
    assert report.metrics["pelvic_drop"].value is not None
    gait.save_report(ctx, pid, report, now=NOW)
    assert gait.person_gait_evidence(ctx, pid, START) == gait.gait_evidence(report)
    assert not [e for e in gait.person_gait_evidence(ctx, pid, START) if e.driver == "hip_control"]


def test_newer_clip_of_the_same_view_replaces_the_older(ctx: AppContext) -> None:
    pid = _person(ctx)
    gait.save_report(ctx, pid, _overstriding_report(ctx), now=NOW)
    kp, _ = side_view(cadence_spm=172.0, thigh_ic_deg=14.0, knee_ic_deg=18.0)
    fixed = GaitAnalysis(ctx.catalogue.gait).run(kp, "retest.json", "keypoints").report_
    assert not fixed.findings
    later = NOW + timedelta(days=14)
    gait.save_report(ctx, pid, fixed, now=later)
    gait.save_report(ctx, pid, _pelvic_drop_report(ctx), now=later + timedelta(hours=1))
    # on the first day only the first clip existed; two weeks later the re-test counts
    assert gait.person_gait_evidence(ctx, pid, NOW.date())
    assert {e.item_id for e in gait.person_gait_evidence(ctx, pid, later.date())} == {
        "gait_pelvic_drop_right"
    }
    assert gait.person_cadence_cue_pct(ctx, pid) is None  # the newer side clip shows no overstriding


def test_export_and_delete_cover_gait_reports(ctx: AppContext) -> None:
    pid = _person(ctx)
    gait.save_report(ctx, pid, _pelvic_drop_report(ctx), now=NOW)
    data = person_data.export_person_data(ctx, pid)
    assert len(data["tables"]["gait_reports"]) == 1
    assert data["tables"]["gait_reports"][0]["view"] == "rear"
    counts = person_data.delete_person(ctx, pid)
    assert counts["gait_reports"] == 1
    assert gait.latest_report(ctx, pid) is None
