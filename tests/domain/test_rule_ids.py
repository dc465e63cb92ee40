"""Every rule the engine names is a member of its enum and has its explanation text.

The weekly review names its rules with ``RuleId`` (``domain/checkin.py``), the same-day answer with
``DailyRuleId`` (``domain/daily.py``); ``plan_rules.yaml: rule_texts`` says what each one means.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from heelcoach.domain.checkin import Decision, RuleId, rule_text
from heelcoach.domain.daily import DailyRuleId
from heelcoach.knowledge import load_catalogue

DOMAIN = Path(__file__).resolve().parents[2] / "heelcoach" / "domain"
#: The modules that decide with named rules.
ENGINE = ("progression.py", "exercise_rules.py", "running.py", "phases.py", "review_text.py", "daily.py")
ALL_IDS = {r.value for r in RuleId} | {r.value for r in DailyRuleId}


def test_every_weekly_rule_has_its_text_and_every_text_its_rule() -> None:
    texts = load_catalogue().plan.rule_texts.weekly_review
    assert set(texts) == {r.value for r in RuleId}
    assert all(len(rule_text(r, load_catalogue().plan)) > 20 for r in RuleId)


def test_every_daily_rule_has_its_text_and_every_text_its_rule() -> None:
    texts = load_catalogue().plan.rule_texts.daily_answer
    assert set(texts) == {r.value for r in DailyRuleId}


def test_an_escalation_rule_the_review_names_is_in_the_knowledge() -> None:
    ids = {e.id for e in load_catalogue().plan.escalation}
    assert RuleId.NO_PROGRESS_PHYSIO.value in ids


def test_a_decision_refuses_a_bare_string_rule() -> None:
    with pytest.raises(TypeError, match="RuleId"):
        Decision(item_id="run", action="hold", rule_id="pain_above_acceptible", reason="typo")  # type: ignore[arg-type]
    assert (
        Decision(item_id="run", action="hold", rule_id=RuleId.NO_CHECKINS, reason="ok").rule_id
        == "no_checkins"
    )


def _string_rule_ids(path: Path) -> list[str]:
    """String literals equal to a rule id used as a call argument, a dict key or in a comparison."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []

    def check(node: ast.AST | None) -> None:
        if isinstance(node, ast.Constant) and node.value in ALL_IDS:
            found.append(f"{path.name}:{node.lineno} {node.value!r}")
        elif isinstance(node, ast.Tuple | ast.List | ast.Set):
            for elt in node.elts:
                check(elt)

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                check(arg)
        elif isinstance(node, ast.Dict):
            for key in node.keys:
                check(key)
        elif isinstance(node, ast.Compare):
            for part in [node.left, *node.comparators]:
                check(part)
    return found


def test_the_engine_names_rules_by_enum_not_by_string() -> None:
    found = [hit for name in ENGINE for hit in _string_rule_ids(DOMAIN / name)]
    assert found == []


def test_the_scan_finds_a_string_rule_id() -> None:
    probe = DOMAIN.parent.parent / "tests" / "domain" / "test_rule_ids.py"
    assert _string_rule_ids(probe)  # this file compares a rule id with the string "no_checkins"


def _rule_ids_named_in(source: str) -> set[str]:
    """Every ``RuleId.X`` a module names, as 'x' values."""
    return {
        RuleId[node.attr].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "RuleId"
    }


def test_every_rule_an_exercise_decision_names_is_a_hold_regress_or_progress_rule() -> None:
    """The review's text for a held or stepped-back exercise is looked up by rule with no fallback,
    so every rule the exercise rules (and the progress blockers they use) can name must be in one of
    the two declared sets."""
    from heelcoach.domain.exercise_rules import HOLD_RULES, REGRESS_RULES

    named = _rule_ids_named_in((DOMAIN / "exercise_rules.py").read_text(encoding="utf-8"))
    checkin = ast.parse((DOMAIN / "checkin.py").read_text(encoding="utf-8"))
    blocker = next(
        n for n in ast.walk(checkin) if isinstance(n, ast.FunctionDef) and n.name == "progress_blocker"
    )
    named |= _rule_ids_named_in(ast.unparse(blocker))
    assert {"pain_in_acceptable_band", "morning_pain_not_settled"} <= named
    declared = {r.value for r in HOLD_RULES | REGRESS_RULES} | {RuleId.PROGRESS_CRITERIA_MET.value}
    assert named <= declared, named - declared


@pytest.mark.parametrize("rule", sorted(RuleId, key=lambda r: r.value))
def test_a_held_or_stepped_back_exercise_gets_its_own_reason(rule: RuleId) -> None:
    from heelcoach.domain import review_text
    from heelcoach.domain.exercise_rules import HOLD_RULES, REGRESS_RULES

    rules = load_catalogue().plan
    titles = {"x": "Heel raise", "y": "Side plank"}
    for action, members in (("hold", HOLD_RULES), ("regress", REGRESS_RULES)):
        if rule not in members:
            continue
        decisions = [
            Decision(item_id=i, action=action, rule_id=rule, reason="r")  # type: ignore[arg-type]
            for i in titles
        ]
        clauses = review_text._exercise_clauses(decisions, titles, rules, (), ())
        assert clauses, (action, rule)
        text = " ".join(clauses)
        assert "heel raise" in text.lower() or "all exercises" in text
        assert "for now" not in text
