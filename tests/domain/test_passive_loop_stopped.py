"""The passive-care note never promises a plan that keeps going when running and loading stop."""

from __future__ import annotations

import yaml

from heelcoach.domain.triage import triage
from heelcoach.services.assess import assess, sample_answers_path

KEEPS = "The plan keeps what helps"


def _sample(name: str) -> dict:  # type: ignore[type-arg]
    answers = yaml.safe_load(sample_answers_path(name).read_text(encoding="utf-8"))
    answers.update(tried=["rolling", "ice"], past_episodes=2)
    return dict(answers)


def test_a_stopped_plan_does_not_say_the_plan_keeps_what_helps(catalogue) -> None:  # type: ignore[no-untyped-def]
    stopped = assess(_sample("red_flag_runner"), catalogue)
    assert stopped.stops_loading
    assert stopped.passive_loop
    assert KEEPS not in stopped.passive_loop_note
    assert "First a clinician should see your heel" in stopped.passive_loop_note
    assert "rolling the foot and ice" in stopped.passive_loop_note
    assert KEEPS not in "\n".join(stopped.explain())


def test_a_going_plan_still_says_it(catalogue) -> None:  # type: ignore[no-untyped-def]
    going = triage(assess(_sample("typical_runner"), catalogue).answers, catalogue)
    assert not going.stops_loading
    assert going.passive_loop
    assert KEEPS in going.passive_loop_note
