"""The API refuses a race date already past, with a message naming it (issue 12)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.web.answers import TYPICAL


def test_api_intake_and_triage_refuse_a_past_race_date(client: Any) -> None:
    client.get("/today")  # the API works for the session's person: a page visit makes the session
    past = (date.today() - timedelta(days=10)).isoformat()
    answers = {**TYPICAL, "running_goal": "race", "race_date": past}
    for path in ("/api/intake", "/api/triage"):
        response = client.post(path, json={"answers": answers})
        assert response.status_code == 422, path
        assert f"{past} has already passed" in response.text, path
    coming = {**answers, "race_date": (date.today() + timedelta(days=10)).isoformat()}
    assert client.post("/api/intake", json={"answers": coming}).status_code == 200
