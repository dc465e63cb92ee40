"""Report PDFs on a real worker: the plan handout and the hand-over report, at clinic scale.

With a broker the web process does not draw the PDF: a worker in another process (its own folders)
makes it and stores it in the database; the browser follows the job and downloads the PDF from
whichever web process answers. The PDF goes with its person.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from heelcoach.config import Settings
from heelcoach.services import accounts, intake, person_data, planning
from heelcoach.services.context import AppContext
from tests.pdf_text import pdf_text
from tests.scale.conftest import Worker, wait_for
from tests.scale.test_worker_jobs import _blobs, _finished
from tests.web.answers import TYPICAL
from tests.web.conftest import _test_client_class, answer_all, csrf_of, main_text

KEY = "a-session-key-both-web-processes-share-0123456789"


@pytest.fixture
def shared_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every web process of the clinic signs sessions with the same key (as deploy/ sets it)."""
    monkeypatch.setenv("HEELCOACH_SECRET_KEY", KEY)


def _pdfs_on_disk(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob("*.pdf")]


def _follow_to_download(client: Any, path: str, worker: Worker) -> tuple[str, str]:
    """Ask for the PDF; it is a job: wait for it, then the page offers the download. (job id, link)"""
    started = client.get(path, follow_redirects=False)
    assert started.status_code == 303, started.text[-1500:]
    page_url = str(started.headers["location"])
    job_id = page_url.rsplit("/", 1)[-1]
    assert page_url == f"/reports/job/{job_id}"
    assert client.get(page_url).status_code == 200
    state = wait_for(lambda: _finished(client, job_id), "the report job")
    assert state["state"] == "done", (state, worker.text()[-3000:])
    page = client.get(page_url)
    link = re.search(r'href="(/reports/job/[0-9a-f]+/download)"', page.text)
    assert link, main_text(page.text)
    assert "Your PDF is ready" in main_text(page.text)
    return job_id, link.group(1)


def test_the_plan_handout_is_made_by_a_worker_and_served_by_any_web_process(
    shared_key: None,
    web_ctx: AppContext,
    pg_url: str,
    redis_url: str,
    tmp_path: Path,
    start_worker: Callable[..., Worker],
) -> None:
    from heelcoach.web.app import create_app

    worker = start_worker("one")
    web_dir = Path(web_ctx.settings.data_dir)
    with _test_client_class()(create_app(web_ctx), raise_server_exceptions=False) as client:
        answer_all(client, web_ctx.catalogue, TYPICAL)
        assert client.post("/start/plan", data={"csrf_token": csrf_of(client)}).status_code == 200
        job_id, link = _follow_to_download(client, "/plan/handout.pdf", worker)
        got = client.get(link)
        assert got.status_code == 200
        assert got.headers["content-type"] == "application/pdf"
        assert got.content.startswith(b"%PDF")
        text = pdf_text(got.content, tmp_path, layout=False)
        assert "heelcoach" in text.lower()
        assert _blobs(web_ctx, "report_pdf") == 1
        assert _pdfs_on_disk(web_dir, worker.folder) == []  # made and kept in neither process's folder
        other_settings = Settings(
            data_dir=tmp_path / "web2" / "data", database_url=pg_url, broker_url=redis_url
        )
        other_ctx = AppContext.from_settings(other_settings, migrate=False)
        try:  # a second web process (its own data folder) serves the same PDF to the same browser
            with _test_client_class()(create_app(other_ctx), raise_server_exceptions=False) as other:
                other.cookies.update(client.cookies)
                again = other.get(link)
                assert again.status_code == 200, again.text[-1500:]
                assert again.content == got.content
                stranger = _test_client_class()(create_app(other_ctx), raise_server_exceptions=False)
                assert stranger.get(link).status_code == 404  # not this browser's job
        finally:
            other_ctx.close()
        pid = client.app.state.backend.default_person()
        person_data.delete_person(web_ctx, pid)
        assert _blobs(web_ctx, "report_pdf") == 0  # the PDF went with its person
        assert client.get(link).status_code in (404, 410)
        assert job_id


@dataclass
class Clinic:
    """A clinic on PostgreSQL with a broker: Ann (a runner with a plan), two of its clinicians,
    and a clinician of another clinic."""

    ctx: AppContext
    settings: Settings
    users: dict[str, accounts.AddedUser]
    pid: int


@pytest.fixture
def clinic(pg_url: str, redis_url: str, tmp_path: Path) -> Iterator[Clinic]:
    from tests.clinic.clinic_world import PASSWORD

    settings = Settings(
        data_dir=tmp_path / "web" / "data", database_url=pg_url, broker_url=redis_url, clinic=True
    )
    ctx = AppContext.from_settings(settings)
    try:
        users = {
            "runner": accounts.add_user(ctx, "ann@example.org", "runner", "Northside", PASSWORD),
            "clinician": accounts.add_user(ctx, "pt@example.org", "clinician", "Northside", PASSWORD),
            "colleague": accounts.add_user(ctx, "pt2@example.org", "clinician", "Northside", PASSWORD),
            "elsewhere": accounts.add_user(ctx, "pt@elsewhere.org", "clinician", "Elsewhere", PASSWORD),
        }
        pid = users["runner"].person_id
        assert pid is not None
        intake.save_intake(ctx, pid, TYPICAL)
        planning.make_plan(ctx, pid)
        yield Clinic(ctx, settings, users, pid)
    finally:
        ctx.close()


def test_the_handover_report_is_made_by_a_worker_for_the_clinician(
    clinic: Clinic, tmp_path: Path, start_worker: Callable[..., Worker]
) -> None:
    from heelcoach.web.app import create_app
    from tests.clinic.clinic_world import PASSWORD, _login

    pid = clinic.pid
    worker = start_worker("one")
    app = create_app(clinic.ctx)
    pt = _login(app, clinic.users["clinician"])
    _job_id, link = _follow_to_download(pt, f"/clinic/people/{pid}/handover.pdf", worker)
    got = pt.get(link)
    assert got.status_code == 200
    assert got.headers["content-disposition"] == f'attachment; filename="handover-{pid}.pdf"'
    text = pdf_text(got.content, tmp_path, layout=False)
    assert "Hand-over report" in text
    assert "References" in text
    assert PASSWORD not in text
    assert _login(app, clinic.users["elsewhere"]).get(link).status_code == 404  # another clinic's
    assert _pdfs_on_disk(Path(clinic.settings.data_dir), worker.folder) == []


def test_a_report_asked_for_twice_while_it_is_made_is_one_job_and_its_page_says_what_it_is(
    shared_key: None, web_ctx: AppContext, start_worker: Callable[..., Worker]
) -> None:
    """A second click or a reload while the PDF is queued goes to the same job; the page is named
    for the report and leads back to where the person came from before the PDF is ready too."""
    from heelcoach.web.app import create_app

    with _test_client_class()(create_app(web_ctx), raise_server_exceptions=False) as client:
        answer_all(client, web_ctx.catalogue, TYPICAL)
        assert client.post("/start/plan", data={"csrf_token": csrf_of(client)}).status_code == 200
        first = client.get("/plan/handout.pdf", follow_redirects=False)  # no worker yet: it waits
        second = client.get("/plan/handout.pdf", follow_redirects=False)
        assert first.status_code == second.status_code == 303
        assert first.headers["location"] == second.headers["location"]
        waiting = client.get(first.headers["location"])
        assert "<title>Plan handout" in waiting.text, waiting.text[:500]
        assert "Your PDF is being made" in main_text(waiting.text)
        assert 'href="/plan">' in waiting.text
        assert "Back to the plan" in waiting.text
        worker = start_worker("one")
        job_id = str(first.headers["location"]).rsplit("/", 1)[-1]
        state = wait_for(lambda: _finished(client, job_id), "the report job")
        assert state["state"] == "done", (state, worker.text()[-3000:])
        assert _blobs(web_ctx, "report_pdf") == 1  # made once
        third = client.get("/plan/handout.pdf", follow_redirects=False)  # the last one is done: a new one
        assert third.headers["location"] != first.headers["location"]


def test_the_same_report_asked_by_several_people_at_once_is_made_once(
    clinic: Clinic, start_worker: Callable[..., Worker]
) -> None:
    """The runner and two clinicians of her clinic ask for her hand-over report while it waits for
    a worker: one job, one PDF, and each of them downloads it. Another clinic's clinician is refused
    before anything is queued, and cannot follow the shared job either."""
    from heelcoach.web.app import create_app
    from tests.clinic.clinic_world import _login

    app = create_app(clinic.ctx)
    path = f"/clinic/people/{clinic.pid}/handover.pdf"
    clients = [_login(app, clinic.users[k]) for k in ("clinician", "colleague", "runner")]
    asked = [c.get(path, follow_redirects=False) for c in clients]  # no worker yet: it waits
    assert {a.status_code for a in asked} == {303}
    assert len({a.headers["location"] for a in asked}) == 1, [a.headers["location"] for a in asked]
    page = str(asked[0].headers["location"])
    other = _login(app, clinic.users["elsewhere"])
    assert other.get(path, follow_redirects=False).status_code == 404
    assert other.get(page).status_code == 404
    worker = start_worker("one")
    state = wait_for(lambda: _finished(clients[0], page.rsplit("/", 1)[-1]), "the report job")
    assert state["state"] == "done", (state, worker.text()[-3000:])
    assert _blobs(clinic.ctx, "report_pdf") == 1  # made once
    for client in clients:
        link = re.search(r'href="(/reports/job/[0-9a-f]+/download)"', client.get(page).text)
        assert link
        got = client.get(link.group(1))
        assert got.status_code == 200
        assert got.content.startswith(b"%PDF")
    again = clients[1].get(path, follow_redirects=False)  # that one is done: a new one is made
    assert again.headers["location"] != page
