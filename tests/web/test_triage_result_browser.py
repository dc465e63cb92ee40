"""The triage result and plan pages for the issue-14 cases, in a real Chromium at phone and desktop
widths: a self-manageable look-alike says what its plan treats, a dangerous look-alike is listed
first with same-day advice, an answers file of the earlier questionnaire names what is not answered,
and the new questions are answered through the real form.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from heelcoach.config import Settings
from heelcoach.services import intake, people, planning
from heelcoach.services.context import AppContext
from heelcoach.web.questions import group_ids
from tests.domain.test_triage_vignettes_v3 import ACHILLES, FAT_PAD
from tests.web.answers import TYPICAL
from tests.web.browser import DESKTOP, PHONE, chromium, serve, shots_dir
from tests.web.test_browser import answer_questions, fill_group

pytestmark = [pytest.mark.browser, pytest.mark.slow]

V2_FILE = Path(__file__).parents[1] / "domain" / "data" / "answers_v2_typical_runner.yaml"

#: name -> (answers, texts the result page must show, in order of appearance)
CASES: dict[str, tuple[dict[str, Any], list[str]]] = {
    "fat-pad": (
        {**TYPICAL, **FAT_PAD},
        ["Your plan will treat: Heel fat pad syndrome", "Heel fat pad syndrome"],
    ),
    "insertional-achilles": (
        {**TYPICAL, **ACHILLES},
        ["Your plan will treat: Insertional Achilles tendinopathy"],
    ),
    "diabetic-hot-heel": (
        {**TYPICAL, "diabetes": True, "swelling_warmth_redness": True, "fever_or_unwell": True},
        ["Get urgent care today", "Hot, swollen foot with diabetes", "Infection of the heel"],
    ),
    "calf-after-flight": (
        {**TYPICAL, "calf_swelling_or_warmth": True, "clot_risk_factors": ["long_travel"]},
        ["Get urgent care today", "Swollen, warm calf with a risk of clots", "Blood clot in a deep vein"],
    ),
    "first-steps-8": (
        {**TYPICAL, "first_step_pain": 8},
        ["You can manage this yourself", "changes where your plan starts"],
    ),
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, AppContext]]:
    from heelcoach.web.app import create_app

    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None))
    with serve(create_app(ctx)) as url:
        yield url, ctx
    ctx.close()


def _shoot(page: Any, name: str, tmp_path: Path) -> None:
    folder = shots_dir(tmp_path / "shots")
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(folder / f"triage-{name}-{label}.png"), full_page=True)


def _store(ctx: AppContext, answers: dict[str, Any]) -> None:
    person = people.resolve_person(ctx, None, create=True)
    intake.save_intake(ctx, person.id, answers)


@pytest.mark.parametrize("name", sorted(CASES))
def test_result_page_of_each_new_case(
    browser: Any, live: tuple[str, AppContext], tmp_path: Path, name: str
) -> None:
    url, ctx = live
    answers, texts = CASES[name]
    _store(ctx, answers)
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(20_000)
    page.goto(url + "/start/result")
    main = page.inner_text("main")
    at = -1
    for text in texts:
        assert text in main, (name, text, main[:1500])
        assert main.index(text) > at, (name, text)
        at = main.index(text)
    assert "{condition}" not in main
    assert "{'" not in main  # no raw dicts
    _shoot(page, name, tmp_path)
    page.close()


def test_answers_of_the_earlier_questionnaire_name_what_is_not_answered(
    browser: Any, live: tuple[str, AppContext], tmp_path: Path
) -> None:
    url, ctx = live
    _store(ctx, yaml.safe_load(V2_FILE.read_text(encoding="utf-8")))
    page = browser.new_page(viewport=PHONE)
    page.goto(url + "/start/result")
    main = page.inner_text("main")
    assert "You can start, with care" in main
    assert "a wound through the sole" in main
    assert "Answer the questions added since you last answered" in main
    assert "14 new questions to answer" in main
    _shoot(page, "answers-v2", tmp_path)
    # the form asks the new questions, with every earlier answer kept: answer only those
    page.get_by_role("link", name="Answer the new questions").click()
    page.wait_for_url("**/start/q/your_pain")
    assert page.locator('input[name="q_first_step_pain"][value="6"]').is_checked()  # kept
    missing = {"painful_side", "worse_barefoot_hard_floor", "puncture_wound", "cancer_history"}
    for group in group_ids(ctx.catalogue)[group_ids(ctx.catalogue).index("your_pain") :]:
        page.wait_for_url(f"**/start/q/{group}")
        questions = [q for q in ctx.catalogue.triage.questions if q.group == group and q.added_in == 3]
        missing -= {q.id for q in questions}
        fill_group(page, questions, TYPICAL)
        page.locator("form button[type=submit]").click()
    page.wait_for_url("**/start/result")
    assert not missing
    main = page.inner_text("main")
    assert "You can manage this yourself" in main
    assert "new questions to answer" not in main
    _shoot(page, "answers-v2-completed", tmp_path)
    page.close()


def test_a_fat_pad_runner_answers_the_form_and_gets_the_fat_pad_plan(
    browser: Any, live: tuple[str, AppContext], tmp_path: Path
) -> None:
    url, ctx = live
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(20_000)
    answer_questions(page, url, ctx, {**TYPICAL, **FAT_PAD})
    assert "Your plan will treat: Heel fat pad syndrome" in page.inner_text("main")
    person = people.resolve_person(ctx, None)
    assert intake.latest_intake(ctx, person.id).answers["painful_side"] == "left"  # type: ignore[union-attr]
    planning.make_plan(ctx, person.id)
    page.goto(url + "/plan")
    main = page.inner_text("main")
    assert "What this plan treats: Heel fat pad syndrome" in main
    assert "Cushioning heel cups" in main
    assert "Taping that holds the fat pad together" in main
    _shoot(page, "plan-fat-pad", tmp_path)
    page.close()


PLAN_CASES: dict[str, tuple[dict[str, Any], list[str]]] = {
    "plan-insertional-achilles": (
        {**TYPICAL, **ACHILLES},
        ["What this plan treats: Insertional Achilles tendinopathy", "Heel raise on flat ground"],
    ),
    "plan-stress-fracture": (
        {**TYPICAL, "squeeze_test": "positive", "pain_builds_with_activity": True},
        ["Return to running after a heel stress fracture: only once a clinician has cleared you"],
    ),
}


@pytest.mark.parametrize("name", sorted(PLAN_CASES))
def test_plan_page_of_insertional_achilles_and_a_stress_fracture(
    browser: Any, live: tuple[str, AppContext], tmp_path: Path, name: str
) -> None:
    url, ctx = live
    answers, texts = PLAN_CASES[name]
    _store(ctx, answers)
    planning.make_plan(ctx, people.resolve_person(ctx, None).id)
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(20_000)
    page.goto(url + "/plan")
    main = page.inner_text("main")
    for text in texts:
        assert text in main, (name, text, main[:2000])
    _shoot(page, name, tmp_path)
    page.close()
