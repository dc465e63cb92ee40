"""The guided session's server side: its one-question check-in, logging events into today's check-in,
the reminder settings and the calendar they shape, the manifest and the service worker."""

from __future__ import annotations

from datetime import date
from typing import Any

from icalendar import Calendar

from heelcoach.services import checkins
from heelcoach.store.base import transaction
from heelcoach.store.repositories import Repos
from tests.web.conftest import csrf_of, main_text


def _checkin(web_ctx: Any) -> Any:
    with transaction(web_ctx.sessions) as s:
        person = Repos(s).people.first()
        assert person is not None
        return Repos(s).checkins.get(person.id, date.today())


def test_session_asks_first_step_pain_then_logs_into_todays_checkin(onboarded: Any, web_ctx: Any) -> None:
    page = onboarded.get("/session")
    assert page.status_code == 200
    assert "How much did your first steps out of bed hurt" in page.text
    token = csrf_of(onboarded, "/session")
    headers = {"X-CSRF-Token": token}
    early = onboarded.post(
        "/session/log", json={"item_id": "standing_calf_stretch", "event": "done"}, headers=headers
    )
    assert early.status_code == 409
    assert "first-step question" in early.json()["error"]
    saved = onboarded.post("/session/checkin", data={"csrf_token": token, "first_step_pain": "8"})
    assert saved.status_code == 200
    text = main_text(saved.text)
    assert "Red: no run today" in text
    assert "Your first steps hurt 8/10" in text
    # a red day: gentle items only (no heel raise, no hip strength)
    assert "rathleff_high_load_heel_raise" not in saved.text
    assert 'src="/exercises/standing_calf_stretch/illustration.svg"' in saved.text
    ok = onboarded.post(
        "/session/log",
        json={
            "item_id": "standing_calf_stretch",
            "item_name": "Standing calf stretch",
            "event": "done",
            "detail": "2 holds of 60 s, each side",
            "at": "07:12",
        },
        headers=headers,
    )
    assert ok.status_code == 200
    assert ok.json() == {"done_items": ["standing_calf_stretch"], "times_today": 1}
    why = onboarded.post(
        "/session/log",
        json={
            "item_id": "standing_calf_stretch",
            "item_name": "Standing calf stretch",
            "event": "reason",
            "reason": "too_hard",
            "at": "07:15",
        },
        headers=headers,
    )
    assert why.status_code == 200
    record = _checkin(web_ctx)
    assert record.first_step_pain == 8
    assert record.done_items == ("standing_calf_stretch",)
    assert record.notes.splitlines() == [
        "Session 07:12: Standing calf stretch done: 2 holds of 60 s, each side",
        "Session 07:15: Standing calf stretch: too hard",
    ]
    # Today shows the same answer at once, and the tick
    today = onboarded.get("/today").text
    assert 'data-colour="red"' in today
    assert 'value="standing_calf_stretch" checked' in today


def test_session_log_rejects_what_it_cannot_store(onboarded: Any) -> None:
    token = csrf_of(onboarded, "/session")
    onboarded.post("/session/checkin", data={"csrf_token": token, "first_step_pain": "2"})
    headers = {"X-CSRF-Token": token}
    unknown = onboarded.post("/session/log", json={"item_id": "made_up", "event": "done"}, headers=headers)
    assert unknown.status_code == 422
    assert "unknown item" in unknown.json()["error"]
    not_json = onboarded.post(
        "/session/log", content=b"[1, 2]", headers={**headers, "Content-Type": "application/json"}
    )
    assert not_json.status_code == 422
    no_token = onboarded.post("/session/log", json={"item_id": "standing_calf_stretch", "event": "done"})
    assert no_token.status_code == 403
    bad = onboarded.post(
        "/session/checkin", data={"csrf_token": token, "first_step_pain": "11"}, follow_redirects=True
    )
    assert "Pick how much your first steps hurt" in bad.text


def test_a_warning_sign_stops_the_session(onboarded: Any, web_ctx: Any) -> None:
    with transaction(web_ctx.sessions) as s:
        pid = Repos(s).people.first().id  # type: ignore[union-attr]
    checkins.record_checkin(
        web_ctx,
        pid,
        checkins.CheckInInput(day=date.today(), first_step_pain=2, red_flag_symptoms=("night_pain",)),
    )
    page = onboarded.get("/session").text
    assert 'data-colour="red"' in page
    assert "No exercises today" in page
    assert "data-item=" not in page


def test_reminder_settings_shape_the_calendar(onboarded: Any) -> None:
    token = csrf_of(onboarded, "/settings/reminders")
    bad = onboarded.post(
        "/settings/reminders",
        data={
            "csrf_token": token,
            "checkin_time": "06:45",
            "session_time": "18:30",
            "run_time": "07:30",
            "timezone": "Atlantis/Capital",
        },
    )
    assert bad.status_code == 422
    assert "timezone: &#39;Atlantis/Capital&#39; is not a time zone name" in bad.text
    saved = onboarded.post(
        "/settings/reminders",
        data={
            "csrf_token": token,
            "checkin_time": "06:45",
            "session_time": "18:30",
            "run_time": "07:30",
            "timezone": "Australia/Sydney",
        },
    )
    assert saved.status_code == 200
    assert 'value="06:45"' in saved.text
    assert 'value="Australia/Sydney"' in saved.text
    cal = Calendar.from_ical(onboarded.get("/plan/calendar.ics").content)
    assert [str(z["tzid"]) for z in cal.walk("VTIMEZONE")] == ["Australia/Sydney"]
    checkin = next(e for e in cal.walk("VEVENT") if "check-in" in str(e["summary"]))
    assert checkin["dtstart"].params["TZID"] == "Australia/Sydney"
    assert checkin["dtstart"].dt.strftime("%H:%M") == "06:45"


def test_manifest_and_service_worker(client: Any) -> None:
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assert manifest.json()["start_url"] == "/today"
    sw = client.get("/sw.js")
    assert sw.status_code == 200
    assert sw.headers["service-worker-allowed"] == "/"
    assert '"/session"' in sw.text
    assert client.get("/static/icon.svg").status_code == 200
    assert '<link rel="manifest" href="/manifest.webmanifest">' in client.get("/settings").text
