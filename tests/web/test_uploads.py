"""Upload limits: type by extension and by the first bytes, size from the settings, clear messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import csrf_of, main_text


def finished_import(client: Any, response: Any) -> Any:
    """The import job's page once the background import is done (it answers with a redirect)."""
    import time

    assert "/runs/import/" in str(response.url), response.text[-1500:]
    for _ in range(600):
        page = client.get(str(response.url))
        if 'id="import-result"' in page.text or 'id="import-failed"' in page.text:
            return page
        time.sleep(0.05)
    raise AssertionError("the import did not finish")


def test_watch_file_import_reads_a_real_file_and_refuses_a_fake(onboarded: Any, shared_data: Path) -> None:
    real = shared_data / "activities" / "fit" / "activity-small-fenix2-run.fit"
    token = csrf_of(onboarded)
    response = onboarded.post(
        "/runs/import",
        data={"csrf_token": token},
        files=[
            ("files", (real.name, real.read_bytes(), "application/octet-stream")),
            ("files", ("notes.fit", b"this is not a FIT file at all", "application/octet-stream")),
            ("files", ("photo.jpg", b"\xff\xd8\xff\xe0", "image/jpeg")),
        ],
    )
    assert response.status_code == 200
    text = main_text(finished_import(onboarded, response).text)
    assert "activity-small-fenix2-run.fit" in text
    assert "does not look like a FIT file" in text
    assert "'photo.jpg' is not a file type" in text
    runs = onboarded.get("/api/runs").json()["runs"]
    assert len(runs) == 1
    assert round(runs[0]["distance_m"]) == 9008


def test_only_the_files_runs_came_from_stay_on_disk(onboarded: Any, shared_data: Path) -> None:
    real = shared_data / "activities" / "fit" / "activity-small-fenix2-run.fit"
    token = csrf_of(onboarded)
    files = [
        ("files", (real.name, real.read_bytes(), "application/octet-stream")),
        ("files", ("broken.gpx", b"<gpx><trk><trkseg></trkseg></trk>", "application/gpx+xml")),
    ]
    finished_import(onboarded, onboarded.post("/runs/import", data={"csrf_token": token}, files=files))
    uploads = onboarded.app.state.backend.uploads_dir
    kept = sorted(p.name for p in uploads.rglob("*") if p.is_file())
    assert len(kept) == 1, kept  # the run's file; the failed one is gone
    assert kept[0].endswith(real.name)
    again = [("files", (real.name, real.read_bytes(), "application/octet-stream"))]
    finished_import(onboarded, onboarded.post("/runs/import", data={"csrf_token": token}, files=again))
    assert sorted(p.name for p in uploads.rglob("*") if p.is_file()) == kept  # the duplicate went
    run = onboarded.get("/api/runs").json()["runs"][0]
    assert onboarded.get(f"/runs/detail/{run['source_sha256']}/0").status_code == 200


def test_malformed_watch_file_gets_a_message_not_a_crash(onboarded: Any, shared_data: Path) -> None:
    bad = shared_data / "activities" / "malformed" / "activity-unexpected-eof.fit"
    token = csrf_of(onboarded)
    response = onboarded.post(
        "/runs/import",
        data={"csrf_token": token},
        files=[("files", (bad.name, bad.read_bytes(), "application/octet-stream"))],
    )
    assert response.status_code == 200
    assert bad.name in main_text(finished_import(onboarded, response).text)


def test_video_type_and_size_limits(onboarded: Any, shared_data: Path) -> None:
    token = csrf_of(onboarded)
    fake = onboarded.post(
        "/gait/upload",
        data={"csrf_token": token, "view": "side"},
        files={"video": ("run.mp4", b"not a video" * 10, "video/mp4")},
    )
    assert fake.status_code == 422
    assert "does not look like a MP4 video" in fake.text
    assert 'id="err-video"' in fake.text
    big = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * (3 * 1024 * 1024)
    too_big = onboarded.post(
        "/gait/upload", data={"csrf_token": token}, files={"video": ("big.mp4", big, "video/mp4")}
    )
    assert too_big.status_code == 413  # refused from its Content-Length, before it is read
    assert "larger than the 2 MB limit" in too_big.text
    stored = list((Path(onboarded.app.state.ctx.settings.data_dir) / "uploads").rglob("*big.mp4"))
    assert stored == []


@pytest.mark.parametrize(
    ("name", "head", "ok"),
    [
        ("a.gpx", b"\xef\xbb\xbf<?xml version='1.0'?><gpx>", True),
        ("a.tcx", b"<?xml version='1.0'?>", True),
        ("a.zip", b"PK\x03\x04rest", True),
        ("a.zip", b"MZ", False),
        ("a.webm", b"\x1a\x45\xdf\xa3", True),
        ("a.mov", b"\x00\x00\x00\x14ftypqt  ", True),
    ],
)
def test_magic_bytes(name: str, head: bytes, ok: bool) -> None:
    from heelcoach.web.uploads import _magic_ok

    assert _magic_ok(Path(name).suffix, head) is ok
