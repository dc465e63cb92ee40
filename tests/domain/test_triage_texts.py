"""Texts the triage builds for a runner say what is true of that runner."""

from __future__ import annotations

from heelcoach.domain.triage import triage
from heelcoach.knowledge import Catalogue
from tests.domain.plan_helpers import answers


def test_passive_loop_names_only_what_was_tried(catalogue: Catalogue) -> None:
    a = answers(tried=["rolling", "massage", "taping", "new_shoes"], past_episodes=2)
    result = triage(a, catalogue)
    assert result.passive_loop
    note = result.passive_loop_note
    assert "(rolling the foot, massage, taping and new shoes)" in note
    for not_tried in ("insoles", "rest", "ice"):
        assert not_tried not in note.split(")")[0], note
    assert "{tried}" not in note


def test_passive_loop_with_one_thing_tried(catalogue: Catalogue) -> None:
    result = triage(answers(tried=["ice"], past_episodes=1), catalogue)
    assert "everything you have tried so far (ice)" in result.passive_loop_note
