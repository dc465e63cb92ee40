"""``heelcoach gait``: JSON out, key frames, and plain messages with a non-zero exit on bad input."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from heelcoach.cli.main import app

pytestmark = pytest.mark.filterwarnings("ignore:SymbolDatabase.GetPrototype:UserWarning")


def _text(result) -> str:  # type: ignore[no-untyped-def]
    out = result.output
    with contextlib.suppress(ValueError):  # older click: stderr already mixed into output
        out += result.stderr
    return str(out)


def test_keypoints_json(shared_data: Path) -> None:
    result = CliRunner().invoke(
        app, ["gait", "--keypoints", str(shared_data / "keypoints" / "openpose_running_back"), "--json"]
    )
    assert result.exit_code == 0, _text(result)
    data = json.loads(result.stdout)
    assert data["view"] == "rear"
    assert data["metrics"]["pelvic_drop"]["left"] is not None
    assert data["metrics"]["knee_fppa"]["right"] is not None
    assert "not a diagnosis" in data["disclaimer"]


def test_keypoints_human_output(shared_data: Path) -> None:
    path = shared_data / "keypoints" / "halpe26_treadmill_side" / "treadmill_side_30fps.pose.json"
    result = CliRunner().invoke(app, ["gait", "--keypoints", str(path)])
    assert result.exit_code == 0, _text(result)
    assert "Cadence" in result.stdout
    assert "not a diagnosis" in result.stdout


@pytest.mark.slow
def test_video_with_key_frames(shared_data: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["gait", str(shared_data / "video" / "running_side_480p30.mp4"), "--out", str(tmp_path), "--json"],
    )
    assert result.exit_code == 0, _text(result)
    data = json.loads(result.stdout)
    assert data["activity"] == "running"
    assert {Path(p).name for p in data["key_frames"]} == {
        "running_side_480p30_keyframe_left.png",
        "running_side_480p30_keyframe_right.png",
    }
    for path in (*data["key_frames"], *data["plots"]):
        img = cv2.imread(path)
        assert img is not None
        assert img.shape[0] > 200


def _pattern_clip(path: Path, seconds: float = 3.0, fps: float = 30.0) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (320, 240))
    assert writer.isOpened()
    for i in range(int(seconds * fps)):
        frame = np.full((240, 320, 3), 40, dtype=np.uint8)
        x = (i * 7) % 280
        cv2.rectangle(frame, (x, 80), (x + 40, 160), (0, 200, 255), -1)
        cv2.circle(frame, (160, 120 + int(30 * np.sin(i / 5))), 20, (255, 255, 255), -1)
        writer.write(frame)
    writer.release()


@pytest.mark.slow
def test_video_without_person_fails_plainly(tmp_path: Path) -> None:
    clip = tmp_path / "pattern.mp4"
    _pattern_clip(clip)
    result = CliRunner().invoke(app, ["gait", str(clip)])
    assert result.exit_code != 0
    assert "no person" in _text(result)
    assert "Traceback" not in _text(result)


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [("notes.txt", b"hello", "not a video"), ("broken.mp4", b"\x00" * 2000, "cannot be decoded")],
)
def test_bad_files_fail_plainly(tmp_path: Path, name: str, content: bytes, match: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = CliRunner().invoke(app, ["gait", str(path)])
    assert result.exit_code == 2
    assert match in _text(result)


def test_missing_input_fails_plainly(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["gait"])
    assert result.exit_code == 2
    result = CliRunner().invoke(app, ["gait", str(tmp_path / "nope.mp4")])
    assert result.exit_code == 2
    assert "no such file" in _text(result)


def _db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, person: bool) -> str:
    from heelcoach.services import people
    from heelcoach.services.context import AppContext

    url = f"sqlite:///{tmp_path / 'heelcoach.db'}"
    monkeypatch.setenv("HEELCOACH_DATABASE_URL", url)
    ctx = AppContext.from_settings()
    try:
        if person:
            people.create_person(ctx, "Ana")
    finally:
        ctx.close()
    return url


def _stored(url: str) -> int:
    from sqlalchemy import create_engine, func, select

    from heelcoach.store.gait_reports import GaitReportRow

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(GaitReportRow)).scalar_one())
    finally:
        engine.dispose()


REAR = ("keypoints", "openpose_running_back")


def test_report_saved_for_the_current_person(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _db(tmp_path, monkeypatch, person=True)
    result = CliRunner().invoke(app, ["gait", "--keypoints", str(shared_data.joinpath(*REAR)), "--json"])
    assert result.exit_code == 0, _text(result)
    assert json.loads(result.stdout)["view"] == "rear"  # stdout stays pure JSON
    assert "Saved gait report" in _text(result)
    assert _stored(url) == 1


def test_no_save_and_no_person(shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = _db(tmp_path, monkeypatch, person=True)
    path = str(shared_data.joinpath(*REAR))
    result = CliRunner().invoke(app, ["gait", "--keypoints", path, "--no-save"])
    assert result.exit_code == 0, _text(result)
    assert _stored(url) == 0
    (tmp_path / "empty").mkdir()
    url = _db(tmp_path / "empty", monkeypatch, person=False)
    result = CliRunner().invoke(app, ["gait", "--keypoints", path])
    assert result.exit_code == 0, _text(result)
    assert "not saved" in _text(result)
    assert "Pelvic drop" in result.stdout or "pelvic" in result.stdout.lower()
    assert _stored(url) == 0


def test_no_database_just_prints(shared_data: Path, own_data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["gait", "--keypoints", str(shared_data.joinpath(*REAR))])
    assert result.exit_code == 0, _text(result)
    assert "not saved" in _text(result)
    assert not (own_data_dir / "heelcoach.db").exists()  # printing never creates a database
