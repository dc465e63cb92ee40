"""When the heel has hurt longer than an escalation rule allows: talk to a physician about options."""

from __future__ import annotations

from heelcoach.domain.planning.answers import answer_number
from heelcoach.domain.planning.builder import Builder
from heelcoach.domain.planning.model import PlanItem
from heelcoach.domain.planning.words import sentence

__all__ = ["escalation_items"]


def escalation_items(b: Builder) -> None:
    """One 'talk to a physician' item per escalation rule whose symptom duration has passed."""
    weeks = answer_number(b.answers, "symptom_duration_weeks")
    for rule in b.rules.escalation:
        if rule.symptom_weeks_over is not None and weeks > rule.symptom_weeks_over:
            options = "; ".join(rule.options)
            why = " ".join(
                sentence(part)
                for part in (
                    f"Your heel has hurt for {weeks:g} weeks",
                    rule.plain,
                    f"Options: {options}",
                    rule.note,
                )
            )
            b.items.append(
                PlanItem(
                    id=rule.id,
                    kind="escalation",
                    ref_id=rule.id,
                    title="Talk to a physician about further options",
                    level=None,
                    dose={},
                    days=(),
                    why=why,
                    drivers=(),
                    evidence=rule.grade,
                    sources=tuple(rule.sources),
                    optional=False,
                    until=None,
                )
            )
