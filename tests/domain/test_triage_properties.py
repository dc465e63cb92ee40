"""Properties of the triage rules over any valid answers: a red flag always wins, self-care only
when plantar fasciitis is clearly ahead, and every reason points at a real question.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from heelcoach.domain.intake import validate_answers
from heelcoach.domain.triage import matches, triage
from heelcoach.domain.types import TriageLevel
from heelcoach.knowledge import load_catalogue
from heelcoach.knowledge.schema_triage import Predicate, Question, RedFlag

CATALOGUE = load_catalogue()
TK = CATALOGUE.triage
QUESTION_IDS = {q.id for q in TK.questions}


def _value(q: Question) -> st.SearchStrategy[Any]:
    low = q.min if q.min is not None else 0
    high = q.max if q.max is not None else 1000
    if q.type == "bool":
        return st.booleans()
    if q.type == "int":
        return st.integers(int(low), int(high))
    if q.type == "scale":
        return st.integers(0, 10)
    if q.type == "number":
        return st.floats(low, high, allow_nan=False, allow_infinity=False)
    if q.type == "choice":
        return st.sampled_from(q.choice_ids())
    if q.type == "multi":
        return st.lists(st.sampled_from(q.choice_ids()), unique=True)
    if q.type == "date":
        return st.dates(date(2020, 1, 1), date(2035, 12, 31))
    return st.text(max_size=40)


def _question(q: Question) -> st.SearchStrategy[Any]:
    return _value(q) if q.required else st.none() | _value(q)


ANSWERS = st.fixed_dictionaries({q.id: _question(q) for q in TK.questions}).map(
    lambda d: {k: v for k, v in d.items() if v is not None}
)


def _satisfy(pred: Predicate, answers: dict[str, Any]) -> None:
    """Change one answer so that ``pred`` holds (keeping it valid)."""
    if matches(pred, answers):
        return
    q = TK.question(pred.question)
    if pred.equals is not None:
        answers[q.id] = pred.equals
    elif pred.one_of is not None:
        answers[q.id] = pred.one_of[0]
    elif pred.includes is not None:
        answers[q.id] = [*answers.get(q.id, []), pred.includes]
    elif pred.excludes is not None:
        answers[q.id] = [v for v in answers.get(q.id, []) if v != pred.excludes]
    elif pred.includes_any is not None:
        answers[q.id] = [*answers.get(q.id, []), pred.includes_any[0]]
    else:
        bound = pred.at_least if pred.at_least is not None else pred.at_most
        assert bound is not None
        answers[q.id] = int(bound) if q.type in ("int", "scale") else bound


def _fire(flag: RedFlag, answers: dict[str, Any]) -> dict[str, Any]:
    out = dict(answers)
    for pred in flag.when:
        _satisfy(pred, out)
    assert all(matches(p, out) for p in flag.when)
    return out


@settings(max_examples=150, deadline=None)
@given(answers=ANSWERS, flag=st.sampled_from(TK.red_flags))
def test_any_red_flag_means_a_clinician(answers: dict[str, Any], flag: RedFlag) -> None:
    clean = validate_answers(_fire(flag, answers), TK)
    result = triage(clean, CATALOGUE)
    assert flag.id in {f.id for f in result.red_flags}
    assert result.level in (TriageLevel.EMERGENCY, TriageLevel.REFER)
    assert result.level.rank <= TriageLevel(flag.level).rank
    assert result.needs_clinician
    # a stopping flag always stops loading, whatever else fired
    if flag.stops_loading:
        assert result.stops_loading
        assert result.referral_action == "stop_and_refer"
    assert result.referral_action in ("stop_and_refer", "refer_and_continue_safely")


@settings(max_examples=200, deadline=None)
@given(answers=ANSWERS)
def test_level_never_below_a_fired_flag_and_reasons_name_questions(answers: dict[str, Any]) -> None:
    clean = validate_answers(answers, TK)
    result = triage(clean, CATALOGUE)
    for flag in result.red_flags:
        assert result.level.rank <= flag.level.rank
        assert {a.question_id for a in flag.answers} <= QUESTION_IDS
    for cond in result.differential:
        for reason in (*cond.supporting, *cond.against):
            assert reason.question_ids
            assert set(reason.question_ids) <= QUESTION_IDS
    for caution in result.cautions:
        assert {a.question_id for a in caution.answers} <= QUESTION_IDS
    # Err toward referral: self-care only when a self-manageable condition (plantar fasciitis or a
    # look-alike with its own plan) clearly leads and nothing flags.
    if result.level in (TriageLevel.SELF_MANAGE, TriageLevel.CAUTION):
        assert not result.red_flags
        diagnoses = [c for c in result.differential if c.kind == "diagnosis"]
        assert TK.condition(diagnoses[0].condition_id).self_manageable
        assert result.treats == diagnoses[0].condition_id
        assert diagnoses[0].likelihood == "most likely"
        assert TK.differential is not None
        assert diagnoses[0].score - diagnoses[1].score >= TK.differential.clear_lead
    if result.level is TriageLevel.SELF_MANAGE:
        assert not result.cautions
    # Continue safely only when every reason to refer is a continue-safely flag.
    if result.referral_action == "refer_and_continue_safely":
        assert result.level is TriageLevel.REFER
        assert result.red_flags
        assert not any(f.stops_loading for f in result.red_flags)
        assert result.top is not None
        assert result.top.self_manageable
    elif result.needs_clinician:
        assert result.referral_action == "stop_and_refer"
    else:
        assert result.referral_action is None
    # A finding is never the top condition.
    assert result.top is None or result.top.kind == "diagnosis"
    assert result == triage(clean, CATALOGUE)  # pure and deterministic


def test_a_stopping_warning_sign_puts_its_condition_first_and_nothing_else_most_likely(  # type: ignore[no-untyped-def]
    catalogue,
) -> None:
    from heelcoach.domain.intake import validate_answers
    from heelcoach.domain.triage import triage
    from tests.domain.test_triage_vignettes import BASE

    checked = 0
    for flag in catalogue.triage.red_flags:
        if not flag.suggests or flag.action != "stop_and_refer":
            continue
        from tests.domain.test_triage_vignettes import SINGLE_CHANGE

        change = SINGLE_CHANGE.get(flag.id)
        if change is None:
            continue
        result = triage(validate_answers({**BASE, **change}, catalogue.triage), catalogue)
        if flag.id not in {f.id for f in result.red_flags}:
            continue
        assert result.top is not None
        assert result.top.condition_id in {f.suggests for f in result.red_flags if f.stops_loading}, flag.id
        assert all(
            c.likelihood != "most likely"
            for c in result.differential
            if c.condition_id not in {f.suggests for f in result.red_flags}
        ), flag.id
        checked += 1
    assert checked >= 5, "too few warning signs that point to a condition were exercised"
