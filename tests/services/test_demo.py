"""The demo story: the flare in week 4 is caught and pain falls over eight weeks."""

from __future__ import annotations

import json
from datetime import date

from heelcoach.services import demo
from heelcoach.services.context import AppContext


def test_eight_week_story_changes_the_plan_and_explains_why(ctx: AppContext) -> None:
    story = demo.run_demo(ctx, start=date(2026, 1, 5))
    assert [w.week for w in story.weeks] == list(range(1, 9))
    assert [w.version for w in story.weeks] == list(range(2, 10))
    assert all(w.reason for w in story.weeks)
    assert story.progress is not None
    weeks = story.progress.summary["weeks"]
    assert weeks[-1]["first_step_pain_mean"] < weeks[0]["first_step_pain_mean"]
    # The flare week (4) must not progress anything.
    assert not any(d["action"] == "progress" for d in story.weeks[3].decisions)
    # Something progressed at some point, and the plan left the settle phase.
    assert any(d["action"] == "progress" for w in story.weeks for d in w.decisions)
    json.dumps(demo.story_to_dict(story))
