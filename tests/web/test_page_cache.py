"""The page cache across server processes (``heelcoach serve --workers N``) and the shared session key."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from heelcoach.config import Settings
from heelcoach.services.context import AppContext
from tests.web.conftest import _test_client_class, csrf_of


@pytest.fixture
def other_process(web_ctx: AppContext) -> Iterator[Any]:
    """A second app on the same data folder, as a second server worker would build it."""
    from heelcoach.web.app import create_app

    ctx = AppContext.from_settings(Settings(data_dir=web_ctx.settings.data_dir, database_url=None))
    with _test_client_class()(create_app(ctx), raise_server_exceptions=False) as c:
        yield c
    ctx.close()


def test_a_checkin_saved_by_one_process_shows_on_the_page_another_process_cached(
    onboarded: Any, other_process: Any
) -> None:
    other_process.cookies.update(onboarded.cookies)  # the same browser, answered by the other worker
    before = other_process.get("/today")
    assert before.status_code == 200
    assert other_process.get("/today").text == before.text  # now served from that worker's cache
    assert "<b>0</b><span>check-ins" in other_process.get("/progress").text
    response = onboarded.post(
        "/checkin",
        data={
            "csrf_token": csrf_of(onboarded),
            "day": date.today().isoformat(),
            "first_step_pain": "3",
            "worst_pain": "4",
        },
    )
    assert "Check-in saved" in response.text
    after = other_process.get("/today")
    assert after.status_code == 200
    assert after.text != before.text
    assert "<b>1</b><span>check-ins" in other_process.get("/progress").text


def test_the_form_token_from_one_process_is_accepted_by_another(onboarded: Any, other_process: Any) -> None:
    other_process.cookies.update(onboarded.cookies)
    response = other_process.post("/checkin", data={"csrf_token": csrf_of(onboarded), "first_step_pain": "2"})
    assert response.status_code != 403


def test_processes_starting_together_agree_on_one_session_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from heelcoach.web.app import ensure_secret_key

    monkeypatch.delenv("HEELCOACH_SECRET_KEY", raising=False)
    first = ensure_secret_key(tmp_path / "data")
    assert len(first) >= 32
    assert ensure_secret_key(tmp_path / "data") == first
    assert (tmp_path / "data" / "web_secret_key").stat().st_mode & 0o077 == 0
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["web_secret_key"]  # no temporary file left


def test_a_write_drops_every_backend_cache_of_that_person_only(web_ctx: AppContext) -> None:
    from heelcoach.web.backend import Backend

    ctx_b = AppContext.from_settings(Settings(data_dir=web_ctx.settings.data_dir, database_url=None))
    try:
        a, b = Backend(web_ctx), Backend(ctx_b)
        b.store((1, "html", "today"), "person 1")
        b.store((2, "html", "today"), "person 2")
        a.invalidate(1)
        assert b.peek((1, "html", "today")) is None
        assert b.peek((2, "html", "today")) == "person 2"
        calls: list[int] = []
        assert b.cached((2, "n"), lambda: calls.append(1) or len(calls)) == 1
        assert b.cached((2, "n"), lambda: calls.append(1) or len(calls)) == 1
        a.invalidate(None)  # everyone
        assert b.cached((2, "n"), lambda: calls.append(1) or len(calls)) == 2
    finally:
        ctx_b.close()
