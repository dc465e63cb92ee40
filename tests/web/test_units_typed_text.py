"""Distances are shown in the runner's unit, but what a person typed is never converted: a miles
runner's check-in note that says "5 km" comes back in the form as written, and saving the form
again stores it unchanged."""

from __future__ import annotations

from datetime import date
from typing import Any

from heelcoach.store.base import transaction
from heelcoach.store.repositories import Repos
from tests.web.conftest import csrf_of

NOTE = "Ran 5 km on the trail, then 2 km easy."


def _stored_note(web_ctx: Any) -> str | None:
    with transaction(web_ctx.sessions) as s:
        person = Repos(s).people.first()
        assert person is not None
        checkin = Repos(s).checkins.get(person.id, date.today())
        return None if checkin is None else checkin.notes


def test_a_typed_note_keeps_its_unit_when_the_form_is_saved_again(onboarded: Any, web_ctx: Any) -> None:
    token = csrf_of(onboarded, "/settings")
    assert onboarded.post("/settings/units", data={"csrf_token": token, "unit": "mi"}).status_code in (
        200,
        303,
    )
    token = csrf_of(onboarded, "/today")
    form = {"csrf_token": token, "first_step_pain": "2", "notes": NOTE, "day": date.today().isoformat()}
    assert onboarded.post("/checkin", data=form).status_code in (200, 303)
    assert _stored_note(web_ctx) == NOTE
    page = onboarded.get("/today").text
    # the textarea holds the note as typed (HTML-escaped), not "3.1 mi"
    assert f'name="notes" rows="2">{NOTE}</textarea>' in page
    # the plan's own texts on the same page are in miles
    assert " mi" in page
    form["csrf_token"] = csrf_of(onboarded, "/today")
    assert onboarded.post("/checkin", data=form).status_code in (200, 303)
    assert _stored_note(web_ctx) == NOTE
