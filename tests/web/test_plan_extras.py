"""The Plan page's referral boxes (red for 'stop', amber for 'see someone soon, keep going gently')
and the take-away handout: a PDF and a calendar file."""

from __future__ import annotations

from typing import Any

from icalendar import Calendar

from heelcoach.services.context import AppContext
from tests.web.answers import TYPICAL
from tests.web.conftest import answer_all, csrf_of, main_text

#: Not better after weeks of strengthening: see a clinician soon, keep the gentle plan meanwhile.
NOT_IMPROVING = {**TYPICAL, "symptom_duration_weeks": 10, "tried": ["rolling", "strengthening"]}
#: Poor circulation: a clinician first, no loading until then.
POOR_CIRCULATION = {**TYPICAL, "poor_circulation": True}


def test_see_a_clinician_soon_plan_shows_the_amber_box(client: Any, web_ctx: AppContext) -> None:
    answer_all(client, web_ctx.catalogue, NOT_IMPROVING)
    result = client.get("/start/result")
    assert 'id="triage-stop"' not in result.text
    assert 'id="triage-see-soon"' in result.text
    assert "Continue to the self-tests" in result.text
    made = client.post("/start/plan", data={"csrf_token": csrf_of(client)})
    assert str(made.url).endswith("/plan")
    for path in ("/plan", "/today"):
        page = client.get(path).text
        assert 'id="referral-soon"' in page, path
        assert 'id="referral-stop"' not in page, path
        assert "See a clinician soon — keep going gently" in main_text(page)
        box = page.split('id="referral-soon"', 1)[1].split("</section>", 1)[0]
        assert "keep this gentle plan" in box
        assert 'class="notice danger"' not in page.split("<main", 1)[1].split('id="referral-soon"', 1)[0]


def test_stopping_referral_keeps_the_red_box(client: Any) -> None:
    client.get("/today")  # the API works for the session's person: a page visit makes the session
    assert client.post("/api/intake", json={"answers": POOR_CIRCULATION}).status_code == 200
    assert client.post("/api/plan", json={}).status_code == 200  # API writes are JSON
    for path in ("/plan", "/today"):
        page = client.get(path).text
        assert 'id="referral-stop"' in page, path
        assert 'id="referral-soon"' not in page, path
        box = page.split('id="referral-stop"', 1)[0].rsplit("<section", 1)[1]
        assert 'class="notice danger"' in box
        assert "See a clinician first" in main_text(page)
        assert "Stop rules" not in main_text(page)  # no running, so no rules for running
    plan_text = main_text(client.get("/plan").text)
    assert "What moves you forward" not in plan_text
    assert "Until a clinician has seen you" in plan_text
    assert "Handout (PDF)" in plan_text
    assert "Add to calendar" not in plan_text  # no exercise days to put in a calendar


def test_plan_without_referral_has_no_referral_box(onboarded: Any) -> None:
    page = onboarded.get("/plan").text
    assert 'id="referral-stop"' not in page
    assert 'id="referral-soon"' not in page


def test_handout_pdf_and_calendar(onboarded: Any) -> None:
    plan_page = onboarded.get("/plan").text
    assert 'href="/plan/handout.pdf"' in plan_page
    assert 'href="/plan/calendar.ics"' in plan_page
    pdf = onboarded.get("/plan/handout.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert pdf.content.rstrip().endswith(b"%%EOF")
    ics = onboarded.get("/plan/calendar.ics")
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "heelcoach-plan.ics" in ics.headers["content-disposition"]
    calendar = Calendar.from_ical(ics.content)
    events = list(calendar.walk("VEVENT"))
    assert 2 <= len(events) <= 9  # check-in, exercise-day groups, runs: each a recurring event
    assert all(str(e["summary"]).startswith(("Heel", "Run")) for e in events)
    assert all("RRULE" in e and e.walk("VALARM") for e in events)
    one = Calendar.from_ical(onboarded.get("/plan/calendar.ics?weeks=1").content)
    ends = {e["rrule"]["UNTIL"][0] for e in one.walk("VEVENT")}
    four_ends = {e["rrule"]["UNTIL"][0] for e in calendar.walk("VEVENT")}
    assert min(four_ends) > max(ends)  # the default is four weeks of reminders


def test_handout_without_a_plan_is_a_clear_404(client: Any) -> None:
    for path in ("/plan/handout.pdf", "/plan/calendar.ics"):
        response = client.get(path)
        assert response.status_code == 404
        assert "No plan yet" in response.text
