"""The pages' read cache across processes: what a worker or another web process wrote shows at once.

Two web app instances, each with a data folder of its own (as on two machines), share PostgreSQL
and Redis; their page caches are set to keep a page for an hour, so only the write counters in
Redis can tell them that a page is out of date.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from heelcoach.config import Settings
from heelcoach.services import people
from heelcoach.services.context import AppContext
from tests.scale.conftest import Worker, wait_for
from tests.scale.test_worker_jobs import SHORT_CLIP, _finished, _upload_clip
from tests.web.conftest import _test_client_class, csrf_of

HOUR_S = 3600.0
PICTURE = re.compile(r'src="(/gait/pictures/[0-9a-f]{32})"')


def test_a_job_finished_by_a_worker_shows_at_once_on_both_web_processes(
    web_ctx: AppContext,
    pg_url: str,
    redis_url: str,
    tmp_path: Path,
    start_worker: Callable[..., Worker],
) -> None:
    from heelcoach.web.app import create_app

    pid = people.create_person(web_ctx, "Runner").id  # the one runner both browsers work for
    other_ctx = AppContext.from_settings(
        Settings(data_dir=tmp_path / "web2" / "data", database_url=pg_url, broker_url=redis_url),
        migrate=False,
    )
    try:
        first_app, second_app = create_app(web_ctx), create_app(other_ctx)
        for app in (first_app, second_app):
            app.state.backend.cache_ttl_s = HOUR_S  # only an invalidation can refresh a page
        client_cls = _test_client_class()
        with (
            client_cls(first_app, raise_server_exceptions=False) as first,
            client_cls(second_app, raise_server_exceptions=False) as second,
        ):
            for client in (first, second):  # both cache the Gait page without a report
                assert PICTURE.findall(client.get("/gait").text) == []
            worker = start_worker("one")
            job_id = _upload_clip(first, SHORT_CLIP)
            state = wait_for(lambda: _finished(first, job_id), "the gait job")
            assert state["state"] == "done", (state, worker.text()[-3000:])
            shown = PICTURE.findall(first.get(f"/gait/job/{job_id}").text)
            assert len(shown) >= 2
            for client in (first, second):  # at once, on both, without waiting for the cache
                assert PICTURE.findall(client.get("/gait").text) == shown
            # a write through one web process shows on the other at once, too
            assert second_app.state.backend.distance_unit(pid).value == "km"  # cached now
            token = csrf_of(first, "/settings")
            saved: Any = first.post("/settings/units", data={"csrf_token": token, "unit": "mi"})
            assert saved.status_code == 200
            assert second_app.state.backend.distance_unit(pid).value == "mi"
    finally:
        other_ctx.close()
