"""The web app handles only the error tree: its kinds map to 4xx with their message, a bug is a 500.

A bug that happens to raise ``ValueError`` or ``KeyError`` inside a service must not pass for bad
input (a 422 showing its message): the person sees the generic 500 text, never the bug's words.
"""

from __future__ import annotations

from typing import Any

import pytest

from heelcoach.errors import (
    AnalysisError,
    ConflictError,
    InvalidInputError,
    JobError,
    KnowledgeError,
    NotFoundError,
)
from heelcoach.services import assess as assess_service
from heelcoach.store.migrate import SchemaError
from heelcoach.web.backend import Backend
from heelcoach.web.errors import SERVER_ERROR, status_of
from tests.web.answers import TYPICAL

SECRET = "internal detail 7f3a of a bug"


def _raiser(exc: BaseException) -> Any:
    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise exc

    return boom


@pytest.mark.parametrize("bug", [ValueError(SECRET), KeyError(SECRET)])
def test_a_bug_in_a_service_is_a_500_without_its_message_in_the_api(
    client: Any, monkeypatch: pytest.MonkeyPatch, bug: Exception
) -> None:
    monkeypatch.setattr(assess_service, "assess", _raiser(bug))
    response = client.post("/api/triage", json={"answers": TYPICAL})
    assert response.status_code == 500
    assert response.json() == {"detail": SERVER_ERROR}
    assert SECRET not in response.text


@pytest.mark.parametrize("bug", [ValueError(SECRET), KeyError(SECRET)])
def test_a_bug_in_a_service_is_a_500_without_its_message_on_a_page(
    onboarded: Any, monkeypatch: pytest.MonkeyPatch, bug: Exception
) -> None:
    monkeypatch.setattr(Backend, "progress", _raiser(bug))
    response = onboarded.get("/progress")
    assert response.status_code == 500
    assert "unexpected problem" in response.text
    assert SECRET not in response.text


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidInputError("That answer does not fit."), 422),
        (AnalysisError("Nobody could be seen in the video."), 422),
        (NotFoundError("Nothing is stored under that id."), 404),
        (ConflictError("Too early for a review."), 409),
    ],
)
def test_the_tree_maps_to_its_status_with_its_own_message(
    client: Any, monkeypatch: pytest.MonkeyPatch, error: Exception, status: int
) -> None:
    monkeypatch.setattr(assess_service, "assess", _raiser(error))
    response = client.post("/api/triage", json={"answers": TYPICAL})
    assert response.status_code == status
    assert response.json() == {"detail": str(error)}


def test_a_failed_job_shows_its_message_and_other_kinds_are_the_servers_fault() -> None:
    assert status_of(JobError("The video could not be read.")) == 500
    assert status_of(KnowledgeError("bad data")) is None
    assert status_of(SchemaError("old schema")) is None
