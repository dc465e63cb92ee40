"""A slow-motion file says so itself: capture-rate tag and stretching edit list (files made here).

Made without re-encoding from a 2 s cut of the real treadmill clip. A real phone's file differs:
an iPhone keeps 120-240 frames/s media and stretches only the slowed part with several edits;
Android writes ``com.android.capture.fps`` in its own metadata box with 30 frames/s timestamps.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from heelcoach.gait.container import edit_list_stretch, read_timing
from heelcoach.services.gait import analyse_clip_keypoints
from tests.gait.synthetic import side_view
from tests.gait.variants import stretch_edit_list

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is needed to make the files")


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, timeout=120)


@pytest.fixture(scope="module")
def base(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("container") / "base.mp4"
    _ffmpeg(
        "-t", "2", "-i", str(shared_data / "video" / "treadmill_side_30fps.mp4"),
        "-vf", "scale=-2:240,fps=25", "-an", "-c:v", "libx264", "-preset", "ultrafast", str(out),
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def tagged(base: Path) -> Path:
    out = base.with_name("tagged.mp4")
    _ffmpeg(
        "-itsscale", "4", "-i", str(base), "-c", "copy", "-movflags", "use_metadata_tags",
        "-metadata", "com.android.capture.fps=25", str(out),
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def edit_listed(base: Path) -> Path:
    out = base.with_name("editlist.mp4")
    shutil.copyfile(base, out)
    stretch_edit_list(out, 4.0)
    return out


def test_plain_file_is_real_time(base: Path) -> None:
    timing = read_timing(base, 25.0)
    assert (timing.capture_fps, timing.slowed, timing.says_slowed) == (25.0, 1.0, False)
    assert edit_list_stretch(base) == pytest.approx(1.0, abs=0.01)  # ffmpeg's own one-entry edit list


def test_capture_rate_tag(tagged: Path) -> None:
    timing = read_timing(tagged, 6.27)
    assert timing.says_slowed
    assert timing.capture_fps == 25.0
    assert timing.slowed == pytest.approx(4.0, rel=0.01)
    assert "capture-rate" in timing.how


def test_stretching_edit_list(edit_listed: Path) -> None:
    assert edit_list_stretch(edit_listed) == pytest.approx(4.0, rel=0.001)
    timing = read_timing(edit_listed, 25.0)
    assert timing.says_slowed
    assert timing.capture_fps == 25.0  # the media keeps the capture rate; the edit stretches playback
    assert "edit list" in timing.how


def test_not_a_video_container(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00\x00\x00\x08free" + b"x" * 100)
    assert edit_list_stretch(junk) is None
    assert read_timing(junk, 30.0).slowed == 1.0


def test_analysis_runs_at_the_capture_rate(tagged: Path, gait_rules) -> None:
    kp, _ = side_view(cadence_spm=170.0, fps=25.0, duration_s=8.0)
    as_decoded = replace(kp, fps=25.0 / 3.99)  # what a decoder reports for the stretched timestamps
    report = analyse_clip_keypoints(tagged, as_decoded, rules=gait_rules)
    assert report.time_scale == "given"
    assert report.fps == pytest.approx(25.0, rel=0.01)
    assert report.cadence_spm == pytest.approx(170.0, abs=1.5)
    assert report.slowed_by == "the file"
    assert any("capture-rate tag" in n for n in report.notes)
