"""The illustration routes: animated SVG and PNG frames per exercise, clear 404s, and a real browser
showing the SVG through an <img> tag under the app's headers."""

from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from PIL import Image

from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.illustrations import illustrated_ids
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, serve

SVG = "{http://www.w3.org/2000/svg}"


def test_every_item_is_served_as_svg(client: Any, catalogue: Catalogue) -> None:
    for item_id in illustrated_ids(catalogue):
        response = client.get(f"/exercises/{item_id}/illustration.svg")
        assert response.status_code == 200, item_id
        assert response.headers["content-type"].startswith("image/svg+xml")
        root = ET.fromstring(response.text)
        assert root.findall(f".//{SVG}animate"), item_id
        item = catalogue.exercises.get(item_id) or catalogue.self_tests[item_id]
        assert root.findtext(f"{SVG}title") == item.name


def test_png_strip_and_single_frames(client: Any) -> None:
    strip = client.get("/exercises/standing_calf_stretch/illustration.png")
    assert strip.status_code == 200
    assert strip.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(strip.content)).size[0] > 2 * 480
    first = client.get("/exercises/standing_calf_stretch/illustration.png?frame=1")
    second = client.get("/exercises/standing_calf_stretch/illustration.png?frame=2")
    assert Image.open(io.BytesIO(first.content)).size == (480, 360)
    assert first.content != second.content


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/exercises/no_such_thing/illustration.svg", 404),
        ("/exercises/NOT-AN-ID/illustration.png", 404),
        ("/exercises/standing_calf_stretch/illustration.png?frame=9", 404),
        ("/exercises/standing_calf_stretch/illustration.png?frame=0", 422),
    ],
)
def test_bad_requests_get_a_clear_answer(client: Any, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert "Traceback" not in response.text


def test_the_svg_shows_and_moves_in_chromium_through_an_img_tag(app: Any) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        raise RuntimeError("Chromium is needed: apt-get install chromium")
    with serve(app) as base, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(f"{base}/see-a-clinician")  # any page of the app, with its headers
            page.evaluate(
                """() => { const img = document.createElement('img');
                   img.id = 'illus'; img.src = '/exercises/single_leg_heel_raise_test/illustration.svg';
                   document.body.prepend(img); }"""
            )
            page.wait_for_function("() => document.getElementById('illus').complete")
            width = page.evaluate("document.getElementById('illus').naturalWidth")
            assert width == 480
            box = page.locator("#illus")
            box.scroll_into_view_if_needed()
            early = box.screenshot()
            page.wait_for_timeout(900)  # the SVG animates itself; two pictures a moment apart differ
            later = box.screenshot()
            assert early != later
        finally:
            browser.close()


def test_the_plan_page_shows_each_exercise_s_illustration(tmp_path: Any) -> None:
    from heelcoach.config import Settings
    from heelcoach.services.context import AppContext
    from heelcoach.web.app import create_app
    from tests.web.answers import TYPICAL
    from tests.web.browser import chromium
    from tests.web.test_browser import answer_questions

    ctx = AppContext.from_settings(Settings(data_dir=tmp_path / "data", database_url=None))
    try:
        with serve(create_app(ctx)) as url, chromium() as browser:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            answer_questions(page, url, ctx, TYPICAL)
            page.goto(url + "/start/extras")
            page.locator("form[action='/start/plan'] button[type=submit]").first.click()
            page.wait_for_url("**/plan")
            images = page.locator("img.illustration")
            assert images.count() >= 3
            for index in range(images.count()):
                image = images.nth(index)
                image.scroll_into_view_if_needed()
                page.wait_for_function("img => img.complete", arg=image.element_handle())
                assert image.evaluate("img => img.naturalWidth") == 480
                assert "how to do it" in (image.get_attribute("alt") or "")
            shots = os.environ.get("HEELCOACH_SHOTS_DIR")
            if shots:  # screenshots to look at, when asked for
                page.screenshot(path=f"{shots}/plan-illustrations-phone.png", full_page=True)
    finally:
        ctx.close()
