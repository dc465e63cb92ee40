"""Items done several times a day get one tick per time on Today, the check-in stores each tick,
and the guided session's "time 2 today" adds the same tick (issue 12, item 6)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from heelcoach.store.base import transaction
from heelcoach.store.repositories import Repos
from tests.web.conftest import csrf_of

PF = "plantar_fascia_specific_stretch"  # 3 times a day
CALF = "standing_calf_stretch"  # once a day


def _record(web_ctx: Any) -> Any:
    with transaction(web_ctx.sessions) as s:
        person = Repos(s).people.first()
        assert person is not None
        return Repos(s).checkins.get(person.id, date.today())


def _boxes(html: str, item: str) -> list[str]:
    return re.findall(
        rf'<input type="checkbox" id="done-{item}(?:-\d)?" name="done_items" value="{item}"[^>]*>', html
    )


def test_today_has_one_tick_per_time_and_keeps_each(onboarded: Any, web_ctx: Any) -> None:
    page = onboarded.get("/today").text
    assert len(_boxes(page, PF)) == 3
    assert "Time 3" in page
    assert len(_boxes(page, CALF)) == 1
    token = csrf_of(onboarded)
    saved = onboarded.post(
        "/checkin",
        data={"csrf_token": token, "first_step_pain": "3", "done_items": [PF, PF, CALF]},
    )
    assert saved.status_code == 200
    assert _record(web_ctx).done_items.count(PF) == 2
    again = onboarded.get("/today").text
    ticked = [b for b in _boxes(again, PF) if " checked" in b]
    assert len(ticked) == 2
    assert any(" checked" in b for b in _boxes(again, CALF))


def test_the_session_adds_a_tick_per_time(onboarded: Any, web_ctx: Any) -> None:
    token = csrf_of(onboarded, "/session")
    onboarded.post("/session/checkin", data={"csrf_token": token, "first_step_pain": "2"})
    headers = {"X-CSRF-Token": token}
    body = {"item_id": PF, "item_name": "Plantar-fascia-specific stretch", "event": "done"}
    first = onboarded.post("/session/log", json=body, headers=headers).json()
    second = onboarded.post("/session/log", json=body, headers=headers).json()
    assert first["done_items"].count(PF) == 1
    assert second["times_today"] == 2
    assert second["done_items"].count(PF) == 2
    record = _record(web_ctx)
    assert record.done_items.count(PF) == 2
    assert "(time 2 today)" in record.notes
    ticked = [b for b in _boxes(onboarded.get("/today").text, PF) if " checked" in b]
    assert len(ticked) == 2
