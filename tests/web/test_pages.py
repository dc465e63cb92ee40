"""Every page renders, the journey works end to end through the pages, bad input is shown at the field."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from typing import Any

import pytest

from heelcoach import DISCLAIMER
from tests.web.answers import RED_FLAG, TYPICAL, form_fields
from tests.web.conftest import answer_all, csrf_of, main_text

STATIC_PAGES = [
    "/",
    "/learn",
    "/learn/habits",
    "/learn/massage",
    "/see-a-clinician",
    "/start",
    "/settings",
    "/gait",
]
PERSON_PAGES = ["/today", "/plan", "/progress", "/runs"]


@pytest.mark.parametrize("path", STATIC_PAGES + PERSON_PAGES)
def test_every_page_renders_with_disclaimer_and_clinician_link(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text[-1500:]
    assert "Not a diagnosis." in response.text
    assert DISCLAIMER[:60] in response.text
    assert 'href="/see-a-clinician"' in response.text
    assert 'name="viewport"' in response.text


def test_every_education_topic_has_a_page(client: Any, web_ctx: Any) -> None:
    assert web_ctx.catalogue.education, "the education content is missing"
    for topic_id, topic in web_ctx.catalogue.education.items():
        response = client.get(f"/learn/{topic_id}")
        assert response.status_code == 200
        assert topic.title in response.text


def test_massage_page_shows_seed_routine_with_warnings(client: Any, web_ctx: Any) -> None:
    routine = web_ctx.catalogue.passive["home_fascia_massage_routine"]
    text = main_text(client.get("/learn/massage").text)
    assert routine.name in text
    assert "optional relief" in text
    assert "Stop and check first" in text
    for caution in routine.cautions[:2]:
        assert caution.split()[0] in text


def test_unknown_page_is_a_friendly_404(client: Any) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Traceback" not in response.text


def test_server_error_shows_no_stack_trace(app: Any, client: Any) -> None:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert "Nothing you saved before was lost" in response.text
    api = client.get("/boom", headers={"accept": "application/json"})
    assert api.json()["detail"].startswith("heelcoach hit an unexpected problem")


def test_post_without_csrf_token_is_refused(client: Any) -> None:
    response = client.post("/start/q/about_you", data={"q_age_years": "40"})
    assert response.status_code == 403
    assert "expired" in response.text
    forged = client.post("/checkin", data={"csrf_token": "forged", "first_step_pain": "3"})
    assert forged.status_code == 403


def test_questionnaire_error_is_shown_next_to_the_field(client: Any) -> None:
    token = csrf_of(client)
    response = client.post(
        "/start/q/about_you",
        data={"csrf_token": token, "q_age_years": "four", "q_height_cm": "900", "q_foot_type": "neutral"},
    )
    assert response.status_code == 422
    html = response.text
    age_block = html.split('id="field-age_years"', 1)[1].split('class="q', 1)[0]
    assert "whole number" in age_block
    height_block = html.split('id="field-height_cm"', 1)[1].split('class="q', 1)[0]
    assert "at most 230" in height_block
    weight_block = html.split('id="field-weight_kg"', 1)[1].split('class="q', 1)[0]
    assert "Please answer this question" in weight_block
    # the valid answer was kept
    assert 'value="neutral" checked' in html


def test_answers_are_saved_as_you_go(client: Any) -> None:
    token = csrf_of(client)
    saved = client.post("/start/q/about_you/autosave", data={"csrf_token": token, "q_age_years": "44"})
    assert saved.status_code == 200
    assert "Saved" in saved.text
    page = client.get("/start/q/about_you").text
    assert 'value="44"' in page


def test_red_flag_runner_is_stopped_and_told_why(client: Any, web_ctx: Any) -> None:
    response = answer_all(client, web_ctx.catalogue, RED_FLAG)
    text = main_text(response.text)
    assert 'id="triage-stop"' in response.text
    assert "will not build a running plan" in text
    assert "self-tests" not in text.lower().split("change my answers")[0]
    # the rest of onboarding stays closed
    assert str(client.get("/start/tests").url).endswith("/start/result")
    token = csrf_of(client)
    assert str(client.post("/start/plan", data={"csrf_token": token}).url).endswith("/start/result")


def test_typical_runner_gets_a_plan_and_today(onboarded: Any, web_ctx: Any) -> None:
    plan = main_text(onboarded.get("/plan").text)
    assert "week 1" in plan
    assert "What moves you forward" in plan
    assert "What would move you back" in plan
    assert "Why:" in plan
    today = onboarded.get("/today")
    assert today.status_code == 200
    text = main_text(today.text)
    assert text.index("first steps") < text.index("Today's exercises")
    assert "Stop rules" in text
    assert 'name="done_items"' in today.text


def test_self_test_values_are_checked_per_field(client: Any, web_ctx: Any) -> None:
    answer_all(client, web_ctx.catalogue, TYPICAL)
    token = csrf_of(client)
    response = client.post(
        "/start/tests", data={"csrf_token": token, "single_leg_heel_raise_test__left": "-4"}
    )
    assert response.status_code == 422
    block = response.text.split('id="test-single_leg_heel_raise_test"', 1)[1].split("</section>", 1)[0]
    assert "should be between" in block
    ok = client.post(
        "/start/tests",
        data={
            "csrf_token": token,
            "single_leg_heel_raise_test__left": "14",
            "single_leg_heel_raise_test__right": "25",
        },
    )
    assert str(ok.url).endswith("/start/extras")


def test_checkins_on_several_days_show_in_progress(onboarded: Any) -> None:
    from datetime import date, timedelta

    token = csrf_of(onboarded)
    today = date.today()
    for back, pain in ((3, 6), (2, 5), (1, 4), (0, 3)):
        response = onboarded.post(
            "/checkin",
            data={
                "csrf_token": token,
                "day": (today - timedelta(days=back)).isoformat(),
                "first_step_pain": str(pain),
                "worst_pain": str(pain + 1),
            },
        )
        assert response.status_code == 200
        assert "Check-in saved" in response.text
    progress = onboarded.get("/progress")
    assert progress.status_code == 200
    assert "<svg" in progress.text
    assert "4 check-ins" in main_text(progress.text)
    data = onboarded.get("/api/progress").json()
    assert [p["first_step_pain"] for p in data["pain"]] == [6, 5, 4, 3]


def test_checkin_errors_are_shown_next_to_the_field(onboarded: Any) -> None:
    token = csrf_of(onboarded)
    response = onboarded.post(
        "/checkin", data={"csrf_token": token, "first_step_pain": "", "run_km": "lots", "day": "2999-01-01"}
    )
    assert response.status_code == 422
    html = response.text
    assert "Please rate your first steps" in html.split('id="field-first_step_pain"', 1)[1][:3000]
    assert 'id="err-run_km"' in html
    assert 'id="err-day"' in html


def test_weekly_review_adds_a_plan_version_with_its_reason(onboarded: Any, clock: Any) -> None:
    from datetime import date, timedelta

    token = csrf_of(onboarded)
    early = onboarded.post("/plan/review", data={"csrf_token": token})
    assert "Too early" in main_text(early.text)
    clock(date.today() + timedelta(days=7))
    assert "weekly review is due" in onboarded.get("/today").text
    response = onboarded.post("/plan/review", data={"csrf_token": token})
    assert response.status_code == 200
    assert "Your week was reviewed" in response.text
    history = onboarded.get("/api/progress").json()["plan_history"]
    assert len(history) == 2
    assert history[-1]["reason"] in response.text


def test_export_json_and_csv_then_delete(onboarded: Any) -> None:
    exported = onboarded.get("/settings/export.json")
    assert exported.status_code == 200
    data = json.loads(exported.content)
    assert data["tables"]["intakes"][0]["answers"]["age_years"] == TYPICAL["age_years"]
    zipped = onboarded.get("/settings/export.zip")
    names = zipfile.ZipFile(BytesIO(zipped.content)).namelist()
    assert "intakes.csv" in names
    assert "person.csv" in names
    token = csrf_of(onboarded)
    refused = onboarded.post("/settings/delete", data={"csrf_token": token, "confirm": "yes"})
    assert refused.status_code == 422
    assert "Nothing was deleted" in refused.text
    deleted = onboarded.post("/settings/delete", data={"csrf_token": token, "confirm": "DELETE"})
    assert deleted.status_code == 200
    assert "All your data was deleted" in deleted.text
    assert "No plan yet" in onboarded.get("/plan").text


def test_form_fields_helper_covers_every_question(web_ctx: Any) -> None:
    ids = [q.id for q in web_ctx.catalogue.triage.questions if q.required]
    fields = form_fields(TYPICAL, ids)
    assert {f"q_{i}" for i in ids} <= set(fields)


def test_outcome_questionnaires_are_scored_and_charted(onboarded: Any, web_ctx: Any) -> None:
    token = csrf_of(onboarded)
    empty = onboarded.post("/progress/outcome", data={"csrf_token": token})
    assert empty.status_code == 422
    assert "Nothing was filled in" in empty.text
    half = onboarded.post("/progress/outcome", data={"csrf_token": token, "psfs_activity_1": "running 5 km"})
    assert half.status_code == 422
    assert "Give both the activity" in half.text
    adl = {item.id: "3" for item in web_ctx.catalogue.outcomes.faam.adl.items}
    psfs = {
        "psfs_activity_1": "running 5 km",
        "psfs_rating_1": "3",
        "psfs_activity_2": "stairs",
        "psfs_rating_2": "6",
        "psfs_activity_3": "standing at work",
        "psfs_rating_3": "5",
    }
    saved = onboarded.post("/progress/outcome", data={"csrf_token": token, **adl, **psfs})
    assert saved.status_code == 200
    assert "Saved." in saved.text
    outcomes = {o["instrument"]: o["score"] for o in onboarded.get("/api/progress").json()["outcomes"]}
    assert outcomes["faam_adl"] == 75.0
    assert outcomes["psfs"] == pytest.approx(14 / 3, abs=0.05)
    assert "meaningful change" in onboarded.get("/progress").text
