"""The triage result as a runner reads it: cautions in words, advice said once, a summary to print."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from heelcoach.services.context import AppContext
from tests.web.answers import RED_FLAG, TYPICAL, form_fields
from tests.web.conftest import answer_all, csrf_of, main_text

HIGH_PAIN = {**TYPICAL, "first_step_pain": 9, "worst_pain": 9}
RED_FLAG_HIGH_PAIN = {**RED_FLAG, "first_step_pain": 8, "worst_pain": 9}


def _list_items(html: str) -> list[str]:
    body = html.split("<main", 1)[-1].split("</main>", 1)[0]
    return [main_text(f"<main>{li}</main>") for li in re.findall(r"<li>(.*?)</li>", body, flags=re.S)]


def test_high_pain_cautions_are_words_not_dicts(client: Any, web_ctx: AppContext) -> None:
    answer_all(client, web_ctx.catalogue, HIGH_PAIN)
    page = client.get("/start/result")
    text = main_text(page.text)
    assert "{'" not in text
    assert "'id'" not in text
    assert "Your worst pain is very high (8/10 or more)" in text
    assert "cautions below" not in text  # the cautions sit above the next steps
    assert text.index("Take care") < text.index("Act on each caution")


def test_red_flag_result_says_urgent_care_once_and_makes_no_plan_promise(
    client: Any, web_ctx: AppContext
) -> None:
    answer_all(client, web_ctx.catalogue, RED_FLAG_HIGH_PAIN)
    page = client.get("/start/result")
    text = main_text(page.text)
    assert "will not build a running plan" in text
    urgent_today = [li for li in _list_items(page.text) if "urgent care" in li and "today" in li]
    assert len(urgent_today) == 1, urgent_today
    assert "next day or two" not in text  # slower advice from the lesser flags contradicts "today"
    assert "the plan starts" not in text
    assert "plan focuses" not in text
    assert 'href="/start/summary"' in page.text


def test_summary_to_print_lists_the_answers_in_words(client: Any, web_ctx: AppContext) -> None:
    answer_all(client, web_ctx.catalogue, RED_FLAG_HIGH_PAIN)
    page = client.get("/start/summary")
    assert page.status_code == 200
    text = main_text(page.text)
    assert "Heel pain summary" in text
    assert "Cannot stand on the foot after an injury" in text
    assert "Raised by:" in text
    assert "No running or strength plan was made" in text
    assert "data-print" in page.text
    # every answer by its prompt, with choice labels and units, never the stored ids
    for q in web_ctx.catalogue.triage.questions:
        if RED_FLAG_HIGH_PAIN.get(q.id) is not None:
            assert q.prompt in text, q.id
    assert "after_fall_or_injury" not in text
    assert "inner_heel_bottom" not in text
    assert f"{TYPICAL['height_cm']} cm" in text


def test_summary_without_answers_asks_for_them(client: Any) -> None:
    page = client.get("/start/summary")
    assert page.status_code == 200
    assert "Answer the questions first" in main_text(page.text)


def test_today_and_plan_after_a_red_flag_say_see_a_clinician_first(client: Any, web_ctx: AppContext) -> None:
    answer_all(client, web_ctx.catalogue, RED_FLAG)
    for path in ("/today", "/plan"):
        text = main_text(client.get(path).text)
        assert "See a clinician first" in text, path
        assert "Answer the questions first" not in text, path
        assert "Start the questions" not in text, path


def test_today_before_any_answers_still_asks_for_them(client: Any) -> None:
    assert "Answer the questions first" in main_text(client.get("/today").text)
    assert "See a clinician first" not in main_text(client.get("/plan").text)


def _post_running(client: Any, web_ctx: AppContext, race_date: str) -> Any:
    ids = [q.id for q in web_ctx.catalogue.triage.questions if q.group == "running"]
    data = {"csrf_token": csrf_of(client), **form_fields({**TYPICAL, "running_goal": "race"}, ids)}
    return client.post("/start/q/running", data={**data, "q_race_date": race_date})


def test_a_race_date_in_the_past_gets_a_word(client: Any, web_ctx: AppContext) -> None:
    past = (date.today() - timedelta(days=3)).isoformat()
    page = _post_running(client, web_ctx, past)
    assert page.status_code == 422
    assert f"{past} has already passed" in main_text(page.text)
    soon = (date.today() + timedelta(days=60)).isoformat()
    assert _post_running(client, web_ctx, soon).status_code == 200
    assert _post_running(client, web_ctx, "").status_code == 200
