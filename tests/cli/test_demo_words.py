"""``heelcoach demo`` and ``heelcoach review`` speak in words: no internal ids, no "(rule: ...)"."""

from __future__ import annotations

import re
from datetime import date, timedelta

from typer.testing import CliRunner

from heelcoach.cli.main import app
from heelcoach.domain.checkin import RuleId
from heelcoach.domain.rule_words import RULE_WORDS
from heelcoach.services.assess import sample_answers_path

RUNNER = CliRunner()
#: an id as the knowledge data and the review's rules spell them (``progress_criteria_met``)
ID = re.compile(r"\b[a-z]+_[a-z_]+\b")
#: file paths may name the bundled sample (``heelcoach/samples/typical_runner.yaml``)
PATH = re.compile(r"\S+/\S+\.ya?ml")


def test_the_demo_shows_no_internal_id() -> None:
    result = RUNNER.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    text = PATH.sub("", result.stdout)
    assert "(rule:" not in text
    assert ID.findall(text) == []
    # the reviews still say why, in the rule's words
    assert f"({RULE_WORDS[RuleId.FLARE_STEP_BACK]})" in text
    assert "Running: one step back" in text


def test_every_review_rule_has_words() -> None:
    assert set(RULE_WORDS) == {str(r) for r in RuleId}
    assert not [w for w in RULE_WORDS.values() if ID.search(w)]


def test_the_weekly_review_shows_no_rule_id() -> None:
    start = date.today() - timedelta(days=7)
    made = RUNNER.invoke(app, ["plan", "--answers", str(sample_answers_path()), "--today", str(start)])
    assert made.exit_code == 0, made.output
    for back in range(7, 0, -1):
        day = str(date.today() - timedelta(days=back))
        checkin = RUNNER.invoke(app, ["checkin", "--first-step", "2", "--worst", "2", "--day", day])
        assert checkin.exit_code == 0, checkin.output
    review = RUNNER.invoke(app, ["review", "--today", str(date.today())])
    assert review.exit_code == 0, review.output
    assert "(rule:" not in review.stdout
    assert ID.findall(review.stdout) == [], review.stdout
