"""The questionnaire's autosave races its own submit (a browser sends both when the runner changes an
answer and presses Next at once): no answer may be lost, no submit may fail, and a warning sign's stop
may not be undone by an older session cookie arriving last."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from heelcoach.services.context import AppContext
from heelcoach.web.questions import group_ids
from tests.web.answers import RED_FLAG, form_fields
from tests.web.conftest import csrf_of

COOKIE = "heelcoach_session"


def _post_groups(client: Any, catalogue: Any, groups: list[str], token: str) -> None:
    for group in groups:
        ids = [q.id for q in catalogue.triage.questions if q.group == group]
        response = client.post(f"/start/q/{group}", data={"csrf_token": token, **form_fields(RED_FLAG, ids)})
        assert response.status_code == 200, (group, response.text[-2000:])


def _session_cookie(client: Any) -> str:
    names = [c.name for c in client.cookies.jar]
    assert COOKIE in names, names
    return str(client.cookies.get(COOKIE))


def test_many_autosaves_at_once_keep_every_answer(app: Any) -> None:
    backend = app.state.backend
    errors: list[BaseException] = []

    def save(i: int) -> None:
        try:
            for j in range(10):
                backend.update_draft("one-browser", {f"q{i}_{j}": j})
        except BaseException as exc:  # noqa: BLE001 - the test reports whatever a thread met
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    draft = backend.load_draft("one-browser")
    assert len(draft) == 120
    assert not list(backend.drafts_dir.glob("*.tmp"))


def test_an_older_cookie_cannot_undo_a_warning_signs_stop(client: Any, web_ctx: AppContext) -> None:
    catalogue = web_ctx.catalogue
    groups = group_ids(catalogue)
    token = csrf_of(client)
    _post_groups(client, catalogue, groups[:-1], token)
    before_last = _session_cookie(client)  # what an autosave sent just before the last submit holds
    _post_groups(client, catalogue, groups[-1:], token)
    assert str(client.get("/start/tests").url).endswith("/start/result")

    client.cookies.set(COOKIE, before_last)  # the autosave's answer arrived after the submit's
    for path in ("/start/tests", "/start/extras"):
        assert str(client.get(path).url).endswith("/start/result"), path
    made = client.post("/start/plan", data={"csrf_token": token})
    assert str(made.url).endswith("/start/result")
    backend = client.app.state.backend
    person = backend.default_person()
    assert backend.plan_calendar_ics(person) is None  # no plan was made


def test_the_autosave_sends_back_no_cookie(client: Any, web_ctx: AppContext) -> None:
    catalogue = web_ctx.catalogue
    groups = group_ids(catalogue)
    token = csrf_of(client)
    _post_groups(client, catalogue, groups[:-1], token)
    before_last = _session_cookie(client)
    _post_groups(client, catalogue, groups[-1:], token)  # the runner is stored from now on
    client.cookies.set(COOKIE, before_last)
    saved = client.post(f"/start/q/{groups[0]}/autosave", data={"csrf_token": token, "q_age_years": "44"})
    assert saved.status_code == 200
    assert "Saved" in saved.text
    assert "set-cookie" not in saved.headers


def test_a_browser_that_leaves_mid_request_gets_no_server_error(app: Any) -> None:
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/start/q/about_you/autosave",
        "raw_path": b"/start/q/about_you/autosave",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"origin", b"http://127.0.0.1"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", b"40"),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 400
