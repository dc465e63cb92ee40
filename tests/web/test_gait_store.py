"""Gait reports kept across restarts: the job stores the report, the Gait page shows the latest one,
'Update my plan with this' works from it, and key frames are served only from the person's folder."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from heelcoach.services import gait, people
from heelcoach.services.context import AppContext
from heelcoach.web.gait_views import frame_file
from tests.web.conftest import _test_client_class, csrf_of, main_text

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4096


@pytest.fixture
def keypoint_analysis(monkeypatch: pytest.MonkeyPatch, shared_data: Path) -> list[Path]:
    """Replace the pose model with the real rear-view keypoint file (same report, no MediaPipe)."""
    seen: list[Path] = []

    def analyse_video(
        path: Path, view: Any, height_cm: Any, out_dir: Path, progress: Any, *, max_upload_mb: float
    ) -> Any:
        seen.append(out_dir)
        progress(1, 2)
        return gait.analyse_keypoints(shared_data / "keypoints" / "openpose_running_back", out_dir=out_dir)

    monkeypatch.setattr(gait, "analyse_video", analyse_video)
    return seen


def _finish(client: Any, job_id: str) -> dict[str, Any]:
    for _ in range(600):
        state = client.get(f"/api/jobs/{job_id}").json()
        if state["state"] in ("done", "failed"):
            return dict(state)
        threading.Event().wait(0.05)
    raise AssertionError("the gait job did not finish")


def test_gait_report_is_stored_and_shown_after_a_restart(
    onboarded: Any, web_ctx: AppContext, keypoint_analysis: list[Path]
) -> None:
    token = csrf_of(onboarded)
    response = onboarded.post(
        "/gait/upload",
        data={"csrf_token": token, "view": "rear"},
        files={"video": ("back.mp4", MP4_HEAD, "video/mp4")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    job_id = response.headers["location"].rsplit("/", 1)[-1]
    assert _finish(onboarded, job_id)["state"] == "done"
    job_page = onboarded.get(f"/gait/job/{job_id}")
    assert 'id="gait-report"' in job_page.text
    # key frames are written under the data folder, in the person's own gait folder
    data_dir = Path(web_ctx.settings.data_dir).resolve()
    assert keypoint_analysis
    assert keypoint_analysis[0].resolve().is_relative_to(data_dir / "gait")
    pid = onboarded.get("/api/export").json()["person"]["id"]
    stored = gait.latest_report(web_ctx, pid)
    assert stored is not None
    assert stored.view == "rear"

    # "restart": a new app on the same data folder, a new browser; the job list is gone
    from heelcoach.web.app import create_app

    with _test_client_class()(create_app(web_ctx), raise_server_exceptions=False) as fresh:
        assert fresh.get(f"/gait/job/{job_id}").status_code == 404
        page = fresh.get("/gait")
        assert page.status_code == 200
        text = main_text(page.text)
        assert "Your latest analysis" in text
        assert "filmed from the rear" in text
        frames = [u for u in page.text.split('src="')[1:] if u.startswith("/gait/frames/")]
        assert len(frames) == 3  # left and right landing, and the signals plot
        for url in (u.split('"', 1)[0] for u in frames):
            picture = fresh.get(url)
            assert picture.status_code == 200
            assert picture.headers["content-type"] == "image/png"
            assert picture.content.startswith(PNG_MAGIC)
        before = fresh.get("/api/plan").json()["version"]
        used = fresh.post("/gait/latest/use", data={"csrf_token": csrf_of(fresh)})
        assert used.status_code == 200
        assert str(used.url).endswith("/plan")
        assert "Your plan now includes what the video showed" in used.text
        assert fresh.get("/api/plan").json()["version"] == before + 1


def test_update_plan_without_a_stored_report_is_a_clear_404(onboarded: Any) -> None:
    response = onboarded.post("/gait/latest/use", data={"csrf_token": csrf_of(onboarded)})
    assert response.status_code == 404
    assert "no stored gait report yet" in response.text


def test_key_frames_cannot_be_reached_outside_the_persons_folder(
    onboarded: Any, web_ctx: AppContext, shared_data: Path
) -> None:
    data_dir = Path(web_ctx.settings.data_dir)
    pid = onboarded.get("/api/export").json()["person"]["id"]
    other = people.create_person(web_ctx, "someone else")
    # another person's stored report, with its pictures in their own folder
    other_dir = data_dir / "gait" / f"person-{other.id}" / "clip"
    report = gait.analyse_keypoints(shared_data / "keypoints" / "openpose_running_back", out_dir=other_dir)
    gait.save_report(web_ctx, other.id, report, key_frames_dir=other_dir)
    name = Path(report.key_frames[0]).name
    assert (other_dir / name).is_file()
    (data_dir / "secret.png").write_bytes(PNG_MAGIC + b"not yours")
    own = data_dir / "gait" / f"person-{pid}"
    own.mkdir(parents=True, exist_ok=True)
    (own / "mine.png").write_bytes(PNG_MAGIC + b"mine")
    assert onboarded.get("/gait/frames/mine.png").content == PNG_MAGIC + b"mine"
    for attempt in (
        f"%2e%2e/person-{other.id}/clip/{name}",
        f"..%2fperson-{other.id}%2fclip%2f{name}",
        "%2e%2e/%2e%2e/secret.png",
        f"%2F{(other_dir / name).resolve().as_posix().lstrip('/')}",
        "%2e%2e/%2e%2e/web_secret_key",
        "mine.png%00.txt",
    ):
        response = onboarded.get(f"/gait/frames/{attempt}")
        assert response.status_code == 404, attempt
        assert PNG_MAGIC not in response.content
    # the Gait page of this person does not show the other person's report
    assert "Your latest analysis" not in onboarded.get("/gait").text


def test_frame_file_refuses_links_and_other_files(tmp_path: Path) -> None:
    root = tmp_path / "person-1"
    root.mkdir()
    (root / "a.png").write_bytes(PNG_MAGIC)
    (root / "notes.txt").write_text("x", encoding="utf-8")
    outside = tmp_path / "outside.png"
    outside.write_bytes(PNG_MAGIC)
    (root / "link.png").symlink_to(outside)
    assert frame_file(root, "a.png") == (root / "a.png").resolve()
    for name in ("notes.txt", "link.png", "../outside.png", str(outside), "", "missing.png", "a.png\x00"):
        assert frame_file(root, name) is None, name
