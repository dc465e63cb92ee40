"""Jobs on real Celery workers with a real Redis and PostgreSQL, submitted through the web app.

The workers run as separate processes in folders of their own: everything they read comes from
the database (the uploads) and everything the pages show comes from the database and Redis.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import func, select

from heelcoach.services.context import AppContext
from heelcoach.services.jobs import JobStatus, is_remote
from heelcoach.services.jobs_celery import KEY_PREFIX, CeleryJobRunner
from heelcoach.store.activities import ActivityRow
from heelcoach.store.base import transaction
from heelcoach.store.blobs import BlobRow
from heelcoach.store.gait_reports import GaitReportRow
from tests.conftest import DATA
from tests.scale.conftest import Worker, wait_for
from tests.web.conftest import _test_client_class, csrf_of, main_text

FIT = DATA / "activities" / "fit" / "6782987395.fit"
SHORT_CLIP = DATA / "video" / "running_side_480p30.mp4"
LONG_CLIP = DATA / "video" / "treadmill_side_30fps.mp4"


@pytest.fixture
def client(web_ctx: AppContext) -> Iterator[Any]:
    """A browser's session on the web app with the broker on."""
    from heelcoach.web.app import create_app

    app = create_app(web_ctx)
    with _test_client_class()(app, raise_server_exceptions=False) as c:
        yield c


def _count(ctx: AppContext, row: Any) -> int:
    with transaction(ctx.sessions) as s:
        return int(s.scalar(select(func.count()).select_from(row)) or 0)


def _blobs(ctx: AppContext, kind: str = "upload") -> int:
    """How many blobs of this kind are stored (``upload``: waiting for a job)."""
    with transaction(ctx.sessions) as s:
        return int(s.scalar(select(func.count()).select_from(BlobRow).where(BlobRow.kind == kind)) or 0)


def _finished(client: Any, job_id: str) -> dict[str, Any] | None:
    state: dict[str, Any] = client.get(f"/api/jobs/{job_id}").json()
    return state if state["state"] in ("done", "failed") else None


done_not = JobStatus("", "queued")


def _web_files(ctx: AppContext) -> list[Path]:
    uploads = Path(ctx.settings.data_dir) / "uploads"
    return [p for p in uploads.rglob("*") if p.is_file()] if uploads.is_dir() else []


def _upload_run(client: Any, path: Path) -> str:
    token = csrf_of(client, "/runs")
    with path.open("rb") as fh:
        response = client.post(
            "/runs/import",
            data={"csrf_token": token},
            files={"files": (path.name, fh, "application/octet-stream")},
            follow_redirects=False,
        )
    assert response.status_code == 303, response.text[-1500:]
    return str(response.headers["location"]).rsplit("/", 1)[-1]


def post_clip(client: Any, path: Path) -> Any:
    """Upload ``path`` as a side-view running video through the Gait page's form; the answer."""
    token = csrf_of(client, "/gait")
    with path.open("rb") as fh:
        return client.post(
            "/gait/upload",
            data={"csrf_token": token, "view": "side"},
            files={"video": (path.name, fh, "video/mp4")},
            follow_redirects=False,
        )


def _upload_clip(client: Any, path: Path) -> str:
    response = post_clip(client, path)
    assert response.status_code == 303, response.text[-1500:]
    return str(response.headers["location"]).rsplit("/", 1)[-1]


def test_an_import_uploaded_to_the_web_app_is_done_by_a_worker(
    client: Any, web_ctx: AppContext, start_worker: Callable[..., Worker], redis_url: str
) -> None:
    assert is_remote(client.app.state.backend.jobs)
    worker = start_worker("one")
    job_id = _upload_run(client, FIT)
    assert _web_files(web_ctx) == []  # the upload went to the database, not to a path for the worker
    state = wait_for(lambda: _finished(client, job_id), "the import job")
    assert state["state"] == "done", (state, worker.text()[-3000:])
    page = main_text(client.get(f"/runs/import/{job_id}").text)
    assert "6782987395.fit" in page
    assert "1 new" in page or "imported" in page.lower(), page[:2000]
    assert _count(web_ctx, ActivityRow) == 1
    assert _blobs(web_ctx) == 0  # the stored upload no longer waits for a job...
    assert _blobs(web_ctx, "watch_file") == 1  # ...it is kept for the run's detail
    # another web process (another runner on the same broker) follows the same job
    other = CeleryJobRunner(web_ctx, redis_url)
    seen = other.status(job_id)
    assert seen is not None
    assert seen.state == "done"
    assert seen.result is not None
    assert seen.result.new == 1
    assert "6782987395.fit" in seen.result.lines[0].file
    # the worker logs one JSON object per line, naming the job it runs
    entries = [json.loads(line) for line in worker.text().splitlines() if line.startswith("{")]
    assert entries, worker.text()[-2000:]
    assert any(e.get("job_id") == job_id and "attempt 1" in e["message"] for e in entries), entries[-10:]
    assert any(" ready." in e["message"] for e in entries)  # Celery's own lines too
    # the worker kept nothing in its own folder: the watch file is in the database
    assert not any(worker.folder.rglob("*.fit"))
    # the web app, with a data folder of its own, draws the run's detail from the database
    link = re.search(r'href="(/runs/detail/[0-9a-f]{64}/0)"', client.get("/runs").text)
    assert link, "no detail link on the Runs page"
    detail = client.get(link.group(1))
    assert detail.status_code == 200
    assert "no longer where it was imported from" not in detail.text
    assert detail.text.count('<svg class="chart"') == 3, main_text(detail.text)[:2000]


def test_a_duplicate_delivery_is_done_once(
    client: Any, web_ctx: AppContext, start_worker: Callable[..., Worker], redis_url: str
) -> None:
    jobs: CeleryJobRunner = client.app.state.backend.jobs
    start_worker("one")
    job_id = _upload_run(client, FIT)
    wait_for(lambda: _finished(client, job_id), "the import job")
    raw = redis.Redis.from_url(redis_url).hgetall(KEY_PREFIX + job_id)
    payload = {"person_id": 1, "blobs": [], "refused": []}
    jobs.app.send_task("heelcoach.run_job", args=[job_id, "imports.uploads", payload], queue="default")
    marker = jobs.submit_named("imports.uploads", {"person_id": 1, "blobs": [], "refused": []})
    # one worker, one job at a time, in order: once the later job ended, the duplicate was delivered
    wait_for(lambda: (jobs.status(marker) or done_not).finished, "a later job")
    again = redis.Redis.from_url(redis_url).hgetall(KEY_PREFIX + job_id)
    assert again[b"attempts"] == raw[b"attempts"] == b"1"
    assert again[b"finished_at"] == raw[b"finished_at"]
    assert _count(web_ctx, ActivityRow) == 1


def test_a_gait_video_is_analysed_by_a_worker_and_the_page_shows_it(
    client: Any, web_ctx: AppContext, start_worker: Callable[..., Worker]
) -> None:
    worker = start_worker("one")
    job_id = _upload_clip(client, SHORT_CLIP)
    assert _web_files(web_ctx) == []
    running = client.get(f"/gait/job/{job_id}")
    assert running.status_code == 200
    state = wait_for(lambda: _finished(client, job_id), "the gait job")
    assert state["state"] == "done", (state, worker.text()[-3000:])
    page = client.get(f"/gait/job/{job_id}")
    assert page.status_code == 200
    text = main_text(page.text)
    assert "cadence" in text.lower(), text[:2000]
    assert _count(web_ctx, GaitReportRow) == 1
    assert _blobs(web_ctx) == 0
    assert not list(worker.folder.rglob("*.mp4"))  # the worker's copy of the clip is gone too
    # the key frames and the signal chart the worker drew are served by the web app from the database
    pictures = re.findall(r'src="(/gait/pictures/[0-9a-f]{32})"', page.text)
    assert len(pictures) >= 2, page.text[-3000:]
    assert len(pictures) == _blobs(web_ctx, "gait_picture")
    assert not list(worker.folder.rglob("*.png"))  # nothing left in the worker's folder...
    assert not list(Path(web_ctx.settings.data_dir).rglob("*.png"))  # ...nor written to the web's
    for url in pictures:
        picture = client.get(url)
        assert picture.status_code == 200
        assert picture.headers["content-type"] == "image/png"
        assert picture.content.startswith(b"\x89PNG")
    assert "Feet, knees and pelvis over the clip" in page.text  # the signal chart's caption

    # the Gait page (the latest stored report) shows the same pictures at once: the worker counted
    # its write in Redis, so the page cached before the upload is not reused
    gait_page = client.get("/gait").text
    assert set(pictures) <= set(re.findall(r'src="(/gait/pictures/[0-9a-f]{32})"', gait_page))
    assert client.get("/gait/pictures/" + "0" * 32).status_code == 404


def test_a_gait_picture_is_served_only_to_its_own_person(web_ctx: AppContext, tmp_path: Path) -> None:
    from heelcoach.services import people
    from heelcoach.services.blobs import GAIT_PICTURE, DatabaseBlobStore

    owner = people.create_person(web_ctx, "Owner").id
    other = people.create_person(web_ctx, "Other").id
    png = tmp_path / "clip_keyframe_left.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    store = DatabaseBlobStore(web_ctx)
    blob_id = store.put(owner, png, png.name, GAIT_PICTURE)
    assert store.read(blob_id, owner, GAIT_PICTURE) == png.read_bytes()
    assert store.read(blob_id, other, GAIT_PICTURE) is None
    assert store.read(blob_id, owner, "upload") is None  # an upload is never served as a picture
    # pictures do not count for the upload quota
    tight = DatabaseBlobStore(web_ctx, quota_bytes=1)
    tight.put(owner, png, "more.png", GAIT_PICTURE)


def test_a_worker_killed_mid_analysis_leaves_the_job_to_another_which_finishes_it_once(
    client: Any, web_ctx: AppContext, start_worker: Callable[..., Worker], redis_url: str
) -> None:
    quick = {"HEELCOACH_JOB_REDELIVER_S": "6"}
    first = start_worker("first", **quick)
    job_id = _upload_clip(client, LONG_CLIP)

    def reading_frames() -> bool:
        state = client.get(f"/api/jobs/{job_id}").json()
        assert state["state"] in ("queued", "running"), (state, first.text()[-3000:])
        return bool(re.match(r"reading frame [1-9]", state["message"]))

    wait_for(reading_frames, "the first worker reading frames")
    first.kill_hard()
    assert client.get(f"/api/jobs/{job_id}").json()["state"] == "running"
    second = start_worker("second", **quick)
    state = wait_for(lambda: _finished(client, job_id), "the job on the second worker")
    assert state["state"] == "done", (state, second.text()[-3000:])
    raw = redis.Redis.from_url(redis_url).hgetall(KEY_PREFIX + job_id)
    assert raw[b"attempts"] == b"2"  # once on the killed worker, once on the retry
    assert _count(web_ctx, GaitReportRow) == 1
    assert "attempt 2" in second.text()
    assert _blobs(web_ctx) == 0


def test_a_person_deleted_takes_their_stored_uploads(web_ctx: AppContext, tmp_path: Path) -> None:
    from heelcoach.services import people, person_data
    from heelcoach.services.blobs import DatabaseBlobStore

    pid = people.create_person(web_ctx, "Runner").id
    store = DatabaseBlobStore(web_ctx)
    copy = tmp_path / "clip.mp4"
    shutil.copyfile(SHORT_CLIP, copy)
    blob_id = store.put(pid, copy, "clip.mp4")
    back = store.fetch(blob_id, tmp_path / "back.mp4")
    assert back.read_bytes() == SHORT_CLIP.read_bytes()
    assert _count(web_ctx, BlobRow) == 1
    person_data.delete_person(web_ctx, pid)
    assert _count(web_ctx, BlobRow) == 0
    assert store.name(blob_id) is None


def test_bad_input_fails_at_once_and_a_job_over_its_time_limit_is_stopped(
    client: Any, web_ctx: AppContext, start_worker: Callable[..., Worker], redis_url: str, tmp_path: Path
) -> None:
    worker = start_worker("limited", HEELCOACH_JOB_TIME_LIMIT_S="4")
    garbage = tmp_path / "clip.mp4"
    garbage.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4096)
    bad = _upload_clip(client, garbage)
    state = wait_for(lambda: _finished(client, bad), "the job on a file that is no video")
    assert state["state"] == "failed"
    assert "clip.mp4" in state["error"]
    assert "Traceback" not in state["error"]
    assert "/tmp" not in state["error"]  # no server path
    states = redis.Redis.from_url(redis_url)
    assert states.hget(KEY_PREFIX + bad, "attempts") == b"1"  # bad input: never tried again
    long = _upload_clip(client, LONG_CLIP)
    state = wait_for(lambda: _finished(client, long), "the job over its time limit")
    assert state["state"] == "failed", worker.text()[-2000:]
    assert "took longer than" in state["error"]
    assert states.hget(KEY_PREFIX + long, "attempts") == b"1"
    assert _count(web_ctx, GaitReportRow) == 0
    assert _blobs(web_ctx) == 0  # failed for good: the stored uploads are gone too


def test_uploads_over_the_size_limit_or_the_quota_are_refused_before_any_byte_is_stored(
    web_ctx: AppContext, tmp_path: Path
) -> None:
    from heelcoach.services import people
    from heelcoach.services.blobs import BlobError, DatabaseBlobStore

    pid = people.create_person(web_ctx, "Runner").id
    clip = tmp_path / "clip.mp4"
    shutil.copyfile(SHORT_CLIP, clip)
    size = clip.stat().st_size
    small = DatabaseBlobStore(web_ctx, max_bytes=size - 1, quota_bytes=10 * size)
    with pytest.raises(BlobError, match=r"clip\.mp4 is .* MB; uploads are limited to"):
        small.put(pid, clip, "clip.mp4")
    tight = DatabaseBlobStore(web_ctx, max_bytes=size, quota_bytes=2 * size)
    tight.put(pid, clip, "first.mp4")
    tight.put(pid, clip, "second.mp4")
    with pytest.raises(BlobError, match="would pass"):
        tight.put(pid, clip, "third.mp4")
    assert _count(web_ctx, BlobRow) == 2


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def test_a_worker_steps_back_for_the_web_server_on_a_shared_machine(
    start_worker: Callable[..., Worker],
) -> None:
    """Gait work takes every core for seconds: a worker and its job processes run at nice 10 by
    default (pages first on a machine shared with the web server), or as told with ``--nice``."""
    import os

    own = os.getpriority(os.PRIO_PROCESS, 0)
    stepped = start_worker("polite")
    pool = _children(stepped.process.pid)
    assert pool, "the worker started no job process"
    for pid in [stepped.process.pid, *pool]:
        assert os.getpriority(os.PRIO_PROCESS, pid) == max(10, own)
    level = start_worker("level", "--nice", "0")
    assert os.getpriority(os.PRIO_PROCESS, level.process.pid) == own


def test_a_worker_kept_to_fewer_cores_leaves_the_rest_to_the_web(
    start_worker: Callable[..., Worker],
) -> None:
    """``--cores 1``: the worker and its job processes run on one core (a gait analysis then runs
    one pose model); without it they may use every core this machine gives them."""
    import os

    everything = os.sched_getaffinity(0)
    free = start_worker("free")
    assert os.sched_getaffinity(free.process.pid) == everything
    kept = start_worker("kept", "--cores", "1")
    pool = _children(kept.process.pid)
    assert pool, "the worker started no job process"
    for pid in [kept.process.pid, *pool]:
        assert os.sched_getaffinity(pid) == {min(everything)}


def test_a_worker_asked_for_more_cores_than_it_has_says_so(
    tmp_path: Path, pg_url: str, redis_url: str
) -> None:
    import os

    too_many = len(os.sched_getaffinity(0)) + 1
    env = {**os.environ, "HEELCOACH_DATABASE_URL": pg_url, "HEELCOACH_BROKER_URL": redis_url}
    env["HEELCOACH_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "-m", "heelcoach", "worker", "--cores", str(too_many)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert f"--cores {too_many}: this machine lets the worker use {too_many - 1} core(s)" in done.stderr
    assert "Traceback" not in done.stderr
