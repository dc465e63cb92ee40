"""The Gait page after the report rework: every analysis kept, no plan update from a walking clip or
a clip whose time scale is in doubt, pictures described in words, one number per metric."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from heelcoach.services import gait
from heelcoach.services.context import AppContext
from heelcoach.web.gait_views import gait_report_view
from tests.gait.synthetic import side_view
from tests.web.conftest import csrf_of, main_text


def _person(client: Any) -> int:
    return int(client.get("/api/export").json()["person"]["id"])


def _store(ctx: AppContext, pid: int, report: gait.GaitReport, minutes_ago: int) -> None:
    gait.save_report(ctx, pid, report, now=datetime.now(UTC) - timedelta(minutes=minutes_ago))


def test_walking_clip_offers_no_plan_update_and_history_is_kept(
    onboarded: Any, web_ctx: AppContext, shared_data: Path
) -> None:
    pid = _person(onboarded)
    running = gait.analyse_keypoints(shared_data / "keypoints" / "openpose_running_side")
    kp, _ = side_view(cadence_spm=112.0, walking=True, duration_s=8.0)
    walking = gait.analyse_loaded(kp, "walk.mp4", "video")
    assert walking.activity == "walking"
    _store(web_ctx, pid, running, minutes_ago=30)
    _store(web_ctx, pid, walking, minutes_ago=1)
    page = onboarded.get("/gait")
    text = main_text(page.text)
    assert "Your latest analysis" in text
    assert "Update my plan with this" not in text  # the latest clip is a walk
    assert "does not show running" in text
    # the earlier running analysis is still listed, with its cadence as the report shows it
    assert 'id="gait-history"' in page.text
    assert f"cadence {running.metrics['cadence'].shown()}" in text


def test_slowed_clip_is_not_used_for_the_plan(onboarded: Any, web_ctx: AppContext) -> None:
    pid = _person(onboarded)
    kp, _ = side_view(cadence_spm=85.0, duration_s=12.0, slowed=2.0)
    slowed = gait.analyse_loaded(kp, "slowmo.mp4", "video")
    assert slowed.time_scale == "slowed"
    _store(web_ctx, pid, slowed, minutes_ago=1)
    text = main_text(onboarded.get("/gait").text)
    assert "Update my plan with this" not in text
    assert "as filmed, not real time" in text
    assert "not your real cadence" in text


def test_sided_metric_shows_one_value_and_both_sides(shared_data: Path, tmp_path: Path) -> None:
    report = gait.analyse_keypoints(
        shared_data / "keypoints" / "halpe26_treadmill_side" / "treadmill_side_30fps.pose.json",
        out_dir=tmp_path,
    )
    view = gait_report_view(report, frames_root=tmp_path, use_action="/x")
    assert view is not None
    assert view.can_update_plan
    over = report.metrics["overstride"]
    # the mean of the sides (rounded after), so it sits between them, never outside
    assert over.value == pytest.approx((over.left + over.right) / 2, abs=0.051)
    shown = next(m.value for m in view.metrics if m.name == over.name)
    assert shown.startswith(over.shown())
    assert f"left {over.shown('left')}" in shown
    assert f"right {over.shown('right')}" in shown
    # the same numbers in the notes and the JSON
    assert any(over.shown("left") in n for n in report.notes)
    assert report.to_dict()["metrics"]["overstride"]["value"] == over.value
    alts = {f.caption: f.alt for f in view.frames}
    assert alts, "key frames and chart are shown"
    for caption, alt in alts.items():
        assert alt != f"Key frame: {caption}"
        assert len(alt) > 40
    assert any(report.metrics["cadence"].shown() in alt for alt in alts.values())
    assert any(over.shown("left") in alt for alt in alts.values())


def test_upload_passes_the_slow_motion_factor(
    onboarded: Any, monkeypatch: pytest.MonkeyPatch, shared_data: Path
) -> None:
    told: list[Any] = []

    def analyse_video(path: Path, view: Any, height_cm: Any, out_dir: Path, progress: Any, **kw: Any) -> Any:
        told.append(kw.get("slowed_down"))
        return gait.analyse_keypoints(shared_data / "keypoints" / "openpose_running_side", out_dir=out_dir)

    monkeypatch.setattr(gait, "analyse_video", analyse_video)
    page = onboarded.get("/gait")
    assert 'name="slowed_down"' in page.text
    for typed, expected in (("4", 4.0), ("", None), ("fast", None)):
        response = onboarded.post(
            "/gait/upload",
            data={"csrf_token": csrf_of(onboarded), "view": "side", "slowed_down": typed},
            files={"video": ("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4096, "video/mp4")},
            follow_redirects=False,
        )
        assert response.status_code == 303
        job_id = response.headers["location"].rsplit("/", 1)[-1]
        for _ in range(600):
            if onboarded.get(f"/api/jobs/{job_id}").json()["state"] in ("done", "failed"):
                break
            threading.Event().wait(0.05)
        assert told[-1] == expected


def test_each_finding_says_what_the_plan_does_with_it(onboarded: Any, web_ctx: AppContext) -> None:
    """A rear clip with a dropping pelvis and a knee falling in: each finding names the driver it
    points to and what the runner's current plan does about it (its exercises by name, or that it
    has none yet)."""
    from heelcoach.domain.drivers import DRIVER_LABELS
    from heelcoach.services import planning
    from heelcoach.text.gait_plan import finding_in_plan
    from tests.gait.synthetic import rear_view

    pid = _person(onboarded)
    kp = rear_view(drop_right_deg=10.0, valgus_right_deg=14.0)
    report = gait.analyse_loaded(kp, "rear.mp4", "video", view="rear")
    drivers = {f.driver for f in report.findings if f.driver}
    assert drivers, [f.metric_id for f in report.findings]
    _store(web_ctx, pid, report, minutes_ago=1)
    plan = planning.this_week(web_ctx, pid).plan
    text = main_text(onboarded.get("/gait").text)
    for f in report.findings:
        if not f.driver:
            continue
        label = DRIVER_LABELS[f.driver]
        assert f"Points to {label}" in text
        said = finding_in_plan(f.driver, f.metric_id, plan, can_update=True)
        assert said in text
        titles = [i.title for i in plan.items if i.kind == "exercise" and f.driver in i.drivers]
        if titles:
            assert said.startswith(f"Your plan works on {label} with ")
            assert all(t in said for t in titles)
        else:
            assert said.startswith(f"Your plan has no exercise for {label} yet")
    assert "come first when you update your plan" not in text
