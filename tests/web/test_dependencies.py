"""The typed dependencies: reading pages never makes a person; starting does; tests can move them."""

from __future__ import annotations

from datetime import date
from typing import Any

from heelcoach.services import people as people_service
from heelcoach.services.context import AppContext
from heelcoach.web.deps import existing_person
from tests.web.answers import TYPICAL
from tests.web.conftest import answer_all, main_text

READ_PAGES = (
    "/",
    "/today",
    "/plan",
    "/progress",
    "/runs",
    "/gait",
    "/settings",
    "/session",
    "/settings/reminders",
    "/start/result",
    "/start/summary",
    "/start/extras",
)


def test_reading_pages_for_nobody_makes_no_person_and_shows_where_to_start(
    client: Any, web_ctx: AppContext
) -> None:
    for path in READ_PAGES:
        assert client.get(path).status_code == 200, path
    assert people_service.list_people(web_ctx) == []
    assert "No plan yet" in main_text(client.get("/today").text)
    assert "Start the questions" in client.get("/today").text
    assert client.get("/settings/export.json").status_code == 404
    assert client.get("/api/export").status_code == 401


def test_answering_the_questions_makes_the_person(client: Any, web_ctx: AppContext) -> None:
    answer_all(client, web_ctx.catalogue, TYPICAL)
    people = people_service.list_people(web_ctx)
    assert len(people) == 1
    assert client.get("/api/export").json()["person"]["id"] == people[0].id


def test_a_new_browser_on_this_machine_works_for_the_runner_stored_here(
    onboarded: Any, app: Any, web_ctx: AppContext
) -> None:
    from tests.web.conftest import _test_client_class

    with _test_client_class()(app, raise_server_exceptions=False) as fresh:
        assert "No plan yet" not in main_text(fresh.get("/today").text)
    assert len(people_service.list_people(web_ctx)) == 1


def test_the_person_and_the_clock_are_overridable(onboarded: Any, app: Any, clock: Any) -> None:
    clock(date(2030, 1, 7))
    assert onboarded.get("/api/today").json()["today"] == "2030-01-07"
    app.dependency_overrides[existing_person] = lambda: None
    assert "No plan yet" in main_text(onboarded.get("/plan").text)
