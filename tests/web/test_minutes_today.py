"""Today, the guided session and `heelcoach plan` say about how long today's session takes: the same
estimate the plan is fitted to the runner's minutes with, and nothing on a day without a session."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from heelcoach.domain.session_time import session_minutes
from heelcoach.services import planning
from heelcoach.store.base import transaction
from heelcoach.store.repositories import Repos
from tests.web.answers import TYPICAL
from tests.web.conftest import csrf_of, main_text

MINUTES = re.compile(r"about (\d+) minutes? today")


def _week(web_ctx: Any, day: date) -> planning.WeekView:
    with transaction(web_ctx.sessions) as s:
        person = Repos(s).people.first()
        assert person is not None
    return planning.this_week(web_ctx, person.id, day)


def test_today_says_about_how_many_minutes_the_session_takes(
    onboarded: Any, web_ctx: Any, clock: Any
) -> None:
    start = date.today()
    seen: dict[int, int] = {}
    for offset in range(7):
        day = start + timedelta(days=offset)
        clock(day)
        week = _week(web_ctx, day)
        expected = session_minutes(week.plan, day, web_ctx.catalogue.plan)
        assert week.minutes_today == expected
        text = main_text(onboarded.get("/today").text)
        found = MINUTES.search(text)
        if expected == 0:
            assert found is None, text
            continue
        assert found is not None, text
        seen[offset] = int(found.group(1))
        assert seen[offset] == expected
    # a week of the typical runner's plan has sessions, each within the minutes they gave
    assert seen, "no day of the week showed a session time"
    assert max(seen.values()) <= TYPICAL["minutes_per_session"]


def test_the_guided_session_and_the_cli_say_it_too(onboarded: Any, web_ctx: Any, clock: Any) -> None:
    from typer.testing import CliRunner

    from heelcoach.cli.main import app as cli_app

    day = next(
        date.today() + timedelta(days=k)
        for k in range(7)
        if _week(web_ctx, date.today() + timedelta(days=k)).minutes_today > 0
    )
    clock(day)
    minutes = _week(web_ctx, day).minutes_today
    token = csrf_of(onboarded, "/session")
    page = onboarded.post("/session/checkin", data={"csrf_token": token, "first_step_pain": "1"})
    assert f"about {minutes} minute" in main_text(page.text)
    result = CliRunner().invoke(
        cli_app,
        ["plan", "--today", day.isoformat()],
        env={
            "HEELCOACH_DATA_DIR": str(web_ctx.settings.data_dir),
            "HEELCOACH_DATABASE_URL": web_ctx.settings.resolved_database_url(),
            "COLUMNS": "200",
        },
    )
    assert result.exit_code == 0, result.output
    assert f"Today's session: about {minutes} minutes." in result.output


def test_a_red_day_does_not_promise_the_full_session(onboarded: Any, web_ctx: Any, clock: Any) -> None:
    day = next(
        date.today() + timedelta(days=k)
        for k in range(7)
        if _week(web_ctx, date.today() + timedelta(days=k)).minutes_today > 0
    )
    clock(day)
    token = csrf_of(onboarded, "/today")
    onboarded.post("/session/checkin", data={"csrf_token": token, "first_step_pain": "8"})
    text = main_text(onboarded.get("/today").text)
    assert "Red: no run today" in text
    assert MINUTES.search(text) is None
