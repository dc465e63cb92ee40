"""The weekly review in plain English for the runner: which exercises move, hold or pause, and
why, without rule ids (those stay in each decision for the clinician)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from heelcoach.domain.checkin import Decision, RuleId
from heelcoach.domain.plan import Plan
from heelcoach.domain.types import PHASES, Phase
from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.schema_plan import PlanRules

__all__ = ["review_summary"]


def _names(titles: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c' or 'N exercises' (short titles, lower case)."""
    short = [re.sub(r"\s*\(.*?\)", "", t).strip() for t in titles]
    short = [t[:1].lower() + t[1:] for t in short]
    if len(short) > 3:
        return f"{len(short)} exercises"
    return short[0] if len(short) == 1 else f"{', '.join(short[:-1])} and {short[-1]}"


@dataclass(frozen=True, slots=True)
class _Verbs:
    """The verb forms that agree with one exercise or several."""

    moves: str
    steps: str
    stays: str
    is_: str
    it: str


_ONE = _Verbs("moves", "steps", "stays", "is", "it")
_MANY = _Verbs("move", "step", "stay", "are", "them")


def _verbs(names: Sequence[str]) -> _Verbs:
    return _ONE if len(names) == 1 else _MANY


#: The running decision in words, by the rule that decided it (else by its action).
_RUN_BY_RULE: dict[RuleId, str] = {
    RuleId.STAGE_COMPLETE: "running moves to the next step",
    RuleId.FLARE_STEP_BACK: "running steps back one step after the flare",
    RuleId.FLARE_RECOVERY: "running climbs back towards what your heel tolerated before the flare",
    RuleId.FOLLOW_WHAT_WAS_RUN: "the running cap follows what you ran without a flare",
}
_RUN_BY_ACTION: dict[str, str] = {
    "progress": "running grows a little",
    "hold": "running stays as it is",
    "regress": "running steps back a little",
    "refer": "no running for now",
}


def _above(rules: PlanRules) -> str:
    return f"because pain went above {rules.pain_monitoring.during_acceptable_max}/10"


def _hold_reasons(rules: PlanRules) -> dict[RuleId, str]:
    """Why exercises stay the same, by rule ('{it}', '{its}' agree with one exercise or several)."""
    return {
        RuleId.PAIN_IN_ACCEPTABLE_BAND: f"until the pain during and after activity stays at "
        f"{rules.pain_monitoring.during_safe_max}/10 or less",
        RuleId.MORNING_PAIN_NOT_SETTLED: "until your morning pain settles",
        RuleId.MORNING_PAIN_NOT_FALLING: "until your morning pain stops creeping up",
        RuleId.LOW_ADHERENCE: "until you do {it} on most of {its} days",
        RuleId.NEXT_MORNING_WORSE: "because a morning after activity was worse",
        RuleId.LEVEL_TOO_RECENT: "for one more week (each of {its} levels lasts at least two weeks)",
        RuleId.PAIN_ABOVE_ACCEPTABLE: _above(rules),
        RuleId.MORNING_PAIN_RISING: "because your morning pain rose",
        RuleId.SESSION_TIME_FULL: "because {its} next level would not fit your session time",
    }


def _back_reasons(rules: PlanRules) -> dict[RuleId, str]:
    """Why exercises step back a level, by rule."""
    return {
        RuleId.PAIN_ABOVE_ACCEPTABLE: _above(rules),
        RuleId.MORNING_PAIN_RISING: "because your morning pain rose",
        RuleId.NEXT_MORNING_WORSE: "because the next morning was worse more than once",
    }


def _by_rule(
    decisions: Sequence[Decision], titles: Mapping[str, str], action: str
) -> dict[RuleId, list[str]]:
    """The titles of the exercises with ``action``, grouped by the rule that decided it."""
    out: dict[RuleId, list[str]] = {}
    for d in decisions:
        if d.action == action:
            out.setdefault(d.rule_id, []).append(titles.get(d.item_id, d.item_id))
    return out


def _progress_clause(names: Sequence[str]) -> str:
    """PROGRESS_CRITERIA_MET: the exercises that move up."""
    v = _verbs(names)
    return (
        f"{_names(names)} {v.moves} up a level because your pain stayed low and you did {v.it} on most days"
    )


def _regress_clause(rule_id: RuleId, names: Sequence[str], rules: PlanRules) -> str:
    """The exercises that pause (irritability) or step back a level (a flare)."""
    v = _verbs(names)
    if rule_id in (RuleId.HIGH_LOAD_IRRITABILITY, RuleId.IRRITABILITY_TOO_HIGH):
        return f"{_names(names)} {v.is_} paused until the heel is less irritable"
    why = _back_reasons(rules)[rule_id]  # each step-back rule of exercise_rules.REGRESS_RULES (tested)
    return f"{_names(names)} {v.steps} back a level {why}"


def _cap_clause(names: Sequence[str], rules: PlanRules) -> str:
    """PROGRESS_CAP: ready to move up, but waiting a week."""
    one = len(names) == 1
    return (
        f"{_names(names)} {_verbs(names).is_} ready too but {'waits' if one else 'wait'} a week "
        f"(at most {rules.progression.max_items_per_review} exercises move up at a time)"
    )


def _hold_clauses(holds: Mapping[RuleId, list[str]], rules: PlanRules, after_others: bool) -> list[str]:
    """The exercises that stay the same, one clause per rule ('the rest' when only one rule held
    several exercises after other news, 'all exercises' when it is the only news)."""
    hold_why = _hold_reasons(rules)
    out: list[str] = []
    for rule_id, names in holds.items():
        one = len(names) == 1
        why = hold_why[rule_id].format(  # every rule in exercise_rules.HOLD_RULES (tested)
            it="it" if one else "them", its="its" if one else "their"
        )
        if len(holds) == 1 and not one:
            who, stay = ("the rest" if after_others else "all exercises"), "stay"
        else:
            who, stay = _names(names), _verbs(names).stays
        out.append(f"{who} {stay} the same {why}")
    return out


def _exercise_clauses(
    ex: Sequence[Decision],
    titles: Mapping[str, str],
    rules: PlanRules,
    paused: Sequence[str],
    added: Sequence[str],
) -> list[str]:
    """The exercises' news: up, back or paused, waiting, at the top, paused or added by the phase,
    then the ones that stay the same."""
    progressed = [titles.get(d.item_id, d.item_id) for d in ex if d.action == "progress"]
    clauses = [_progress_clause(progressed)] if progressed else []
    clauses += [_regress_clause(r, names, rules) for r, names in _by_rule(ex, titles, "regress").items()]
    holds = _by_rule(ex, titles, "hold")
    cap = holds.pop(RuleId.PROGRESS_CAP, [])
    if cap:
        clauses.append(_cap_clause(cap, rules))
    top = holds.pop(RuleId.TOP_LEVEL, [])
    if top:
        clauses.append(f"{_names(top)} {_verbs(top).is_} at the top level: keep going")
    stepped_back = {titles.get(d.item_id) for d in ex if d.action == "regress"}
    paused_titles = [t for t in paused if t not in stepped_back]
    holds = {
        rule_id: [n for n in names if n not in paused_titles]
        for rule_id, names in holds.items()
        if [n for n in names if n not in paused_titles]
    }
    if paused_titles:
        clauses.append(f"{_names(paused_titles)} {_verbs(paused_titles).is_} paused for this phase")
    if added:
        clauses.append(f"{_names(list(added))} {_verbs(added).is_} added to the plan")
    return clauses + _hold_clauses(holds, rules, after_others=bool(clauses))


def _other_clause(d: Decision, titles: Mapping[str, str]) -> str | None:
    """The news of a decision that is not about an exercise: running, relief, escalation."""
    if d.item_id == "run":
        return _RUN_BY_RULE.get(d.rule_id, _RUN_BY_ACTION[d.action])
    if d.item_id in titles and d.rule_id.startswith("adjunct_"):
        return f"{_names([titles[d.item_id]])} leaves the plan for now"
    if d.item_id == "escalation":
        return "progress is slower than expected, so see a clinician (see the top of your plan)"
    return None


def _phase_sentence(phase_change: tuple[Phase, Phase] | None) -> str:
    if phase_change is None:
        return ""
    old, new = phase_change
    if PHASES.index(new) > PHASES.index(old):
        return f" You move on from the {old} phase to the {new} phase."
    return f" You go back from the {old} phase to the {new} phase for a while; that is normal."


def review_summary(
    decisions: Sequence[Decision],
    plan: Plan,
    catalogue: Catalogue,
    phase_change: tuple[Phase, Phase] | None = None,
    paused: Sequence[str] = (),
    added: Sequence[str] = (),
) -> str:
    """The decisions of a weekly review in plain English for the runner (no rule ids).

    E.g. 'This week: high-load heel raise moves up a level because your pain stayed low and you
    did it on most days; the rest stay the same until your morning pain settles.' The rule ids stay
    in each :class:`Decision` for the clinician. ``paused`` and ``added`` are the titles of
    exercises the new phase pauses or brings in.
    """
    titles = {i.id: i.title for i in plan.items}
    exercise_ids = {i.id for i in plan.items if i.kind == "exercise"}
    ex = [d for d in decisions if d.item_id in exercise_ids]
    clauses = _exercise_clauses(ex, titles, catalogue.plan, paused, added)
    clauses += [
        clause
        for d in decisions
        if d.item_id not in exercise_ids and (clause := _other_clause(d, titles)) is not None
    ]
    text = "This week: " + ("; ".join(clauses) if clauses else "nothing changes") + "."
    return text + _phase_sentence(phase_change)
