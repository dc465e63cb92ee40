"""The weekly review in plain English for the runner: which exercises move, hold or pause, and
why, without rule ids (those stay in each decision for the clinician)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from heelcoach.domain.checkin import Decision, RuleId
from heelcoach.domain.plan import Plan
from heelcoach.domain.types import PHASES, Phase
from heelcoach.knowledge import Catalogue

__all__ = ["review_summary"]


def _names(titles: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c' or 'N exercises' (short titles, lower case)."""
    short = [re.sub(r"\s*\(.*?\)", "", t).strip() for t in titles]
    short = [t[:1].lower() + t[1:] for t in short]
    if len(short) > 3:
        return f"{len(short)} exercises"
    return short[0] if len(short) == 1 else f"{', '.join(short[:-1])} and {short[-1]}"


def review_summary(  # noqa: C901, PLR0915 - split pending (next wave)
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
    rules = catalogue.plan
    pr = rules.progression
    titles = {i.id: i.title for i in plan.items}
    exercise_ids = {i.id for i in plan.items if i.kind == "exercise"}
    ex = [d for d in decisions if d.item_id in exercise_ids]
    verb = {
        True: ("moves", "steps", "stays", "is", "it", "leaves"),
        False: ("move", "step", "stay", "are", "them", "leave"),
    }

    def group(action: str) -> dict[RuleId, list[str]]:
        out: dict[RuleId, list[str]] = {}
        for d in ex:
            if d.action == action:
                out.setdefault(d.rule_id, []).append(titles.get(d.item_id, d.item_id))
        return out

    above = f"because pain went above {rules.pain_monitoring.during_acceptable_max}/10"
    hold_why: dict[RuleId, str] = {
        RuleId.PAIN_IN_ACCEPTABLE_BAND: f"until the pain during and after activity stays at "
        f"{rules.pain_monitoring.during_safe_max}/10 or less",
        RuleId.MORNING_PAIN_NOT_SETTLED: "until your morning pain settles",
        RuleId.MORNING_PAIN_NOT_FALLING: "until your morning pain stops creeping up",
        RuleId.LOW_ADHERENCE: "until you do {it} on most of {its} days",
        RuleId.NEXT_MORNING_WORSE: "because a morning after activity was worse",
        RuleId.LEVEL_TOO_RECENT: "for one more week (each of {its} levels lasts at least two weeks)",
        RuleId.PAIN_ABOVE_ACCEPTABLE: above,
        RuleId.MORNING_PAIN_RISING: "because your morning pain rose",
    }
    back_why: dict[RuleId, str] = {
        RuleId.PAIN_ABOVE_ACCEPTABLE: above,
        RuleId.MORNING_PAIN_RISING: "because your morning pain rose",
        RuleId.NEXT_MORNING_WORSE: "because the next morning was worse more than once",
    }
    clauses: list[str] = []
    progressed = [titles.get(d.item_id, d.item_id) for d in ex if d.action == "progress"]
    if progressed:
        one = len(progressed) == 1
        clauses.append(
            f"{_names(progressed)} {verb[one][0]} up a level because your pain stayed low and you did "
            f"{verb[one][4]} on most days"
        )
    for rule_id, names in group("regress").items():
        one = len(names) == 1
        if rule_id in (RuleId.HIGH_LOAD_IRRITABILITY, RuleId.IRRITABILITY_TOO_HIGH):
            clauses.append(f"{_names(names)} {verb[one][3]} paused until the heel is less irritable")
        else:
            why = back_why.get(rule_id, "to let the heel settle")
            clauses.append(f"{_names(names)} {verb[one][1]} back a level {why}")
    holds = group("hold")
    cap = holds.pop(RuleId.PROGRESS_CAP, [])
    if cap:
        one = len(cap) == 1
        clauses.append(
            f"{_names(cap)} {verb[one][3]} ready too but {'waits' if one else 'wait'} a week "
            f"(at most {pr.max_items_per_review} exercises move up at a time)"
        )
    top = holds.pop(RuleId.TOP_LEVEL, [])
    if top:
        clauses.append(f"{_names(top)} {verb[len(top) == 1][3]} at the top level: keep going")
    paused_titles = [
        t for t in paused if t not in {titles.get(d.item_id) for d in ex if d.action == "regress"}
    ]
    holds = {
        rule_id: [n for n in names if n not in paused_titles]
        for rule_id, names in holds.items()
        if [n for n in names if n not in paused_titles]
    }
    if paused_titles:
        one = len(paused_titles) == 1
        clauses.append(f"{_names(paused_titles)} {verb[one][3]} paused for this phase")
    if added:
        clauses.append(f"{_names(list(added))} {verb[len(added) == 1][3]} added to the plan")
    only_one_group = len(holds) == 1
    for rule_id, names in holds.items():
        one = len(names) == 1
        why = hold_why.get(rule_id, "for now").format(
            it="it" if one else "them", its="its" if one else "their"
        )
        if only_one_group and not one:
            who, stay = ("the rest", "stay") if (progressed or clauses) else ("all exercises", "stay")
        else:
            who, stay = _names(names), verb[one][2]
        clauses.append(f"{who} {stay} the same {why}")
    for d in decisions:
        if d.item_id in exercise_ids:
            continue
        if d.item_id == "run":
            by_rule: dict[RuleId, str] = {
                RuleId.STAGE_COMPLETE: "running moves to the next step",
                RuleId.FLARE_STEP_BACK: "running steps back one step after the flare",
                RuleId.FLARE_RECOVERY: (
                    "running climbs back towards what your heel tolerated before the flare"
                ),
                RuleId.FOLLOW_WHAT_WAS_RUN: "the running cap follows what you ran without a flare",
            }
            run_text = {
                "progress": "running grows a little",
                "hold": "running stays as it is",
                "regress": "running steps back a little",
                "refer": "no running for now",
            }
            clauses.append(by_rule.get(d.rule_id, run_text[d.action]))
        elif d.item_id in titles and d.rule_id.startswith("adjunct_"):
            clauses.append(f"{_names([titles[d.item_id]])} leaves the plan for now")
        elif d.item_id == "escalation":
            clauses.append("progress is slower than expected, so see a clinician (see the top of your plan)")
    text = "This week: " + ("; ".join(clauses) if clauses else "nothing changes") + "."
    if phase_change is not None:
        old, new = phase_change
        forward = PHASES.index(new) > PHASES.index(old)
        text += (
            f" You move on from the {old} phase to the {new} phase."
            if forward
            else f" You go back from the {old} phase to the {new} phase for a while; that is normal."
        )
    return text
