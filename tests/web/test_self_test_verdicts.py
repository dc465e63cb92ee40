"""The self-tests read back on the page that follows them, with the painful side compared with the
other (the comparison the domain's screen computes)."""

from __future__ import annotations

from typing import Any

from tests.web.answers import TYPICAL
from tests.web.conftest import answer_all, csrf_of, main_text


def _tests(client: Any, left: str, right: str) -> str:
    token = csrf_of(client)
    response = client.post(
        "/start/tests",
        data={
            "csrf_token": token,
            "single_leg_heel_raise_test__left": left,
            "single_leg_heel_raise_test__right": right,
        },
    )
    assert str(response.url).endswith("/start/extras")
    return main_text(response.text)


def test_the_painful_side_is_compared_with_the_other_after_the_self_tests(client: Any, web_ctx: Any) -> None:
    answer_all(client, web_ctx.catalogue, {**TYPICAL, "painful_side": "left"})
    text = _tests(client, "14", "25")
    assert "Your self-tests" in text
    assert "(left, the painful side): 14" in text
    assert "Your painful left side is 44% worse than the other side (14 against 25)." in text


def test_no_side_comparison_when_both_heels_hurt(client: Any, web_ctx: Any) -> None:
    answer_all(client, web_ctx.catalogue, {**TYPICAL, "painful_side": "both"})
    text = _tests(client, "14", "25")
    assert "Your self-tests" in text
    assert "Your painful" not in text
