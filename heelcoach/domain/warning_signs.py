"""Warning signs reported in a check-in: they stop running and loading the same day, like the same
sign in the questionnaire, until the runner records that a clinician has seen them.

The signs and the referral text are data (``plan_rules.yaml: checkin_warning_signs``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from heelcoach.domain.checkin import CheckIn
from heelcoach.domain.plan import STOP_AND_REFER, Plan, no_running, see_a_clinician_first
from heelcoach.knowledge.schema_plan import PlanRules

__all__ = ["open_warning_signs", "resume_after_clinician", "stop_for_warning_signs", "warning_referral"]


def open_warning_signs(checkins: Sequence[CheckIn], plan: Plan, since: date | None = None) -> tuple[str, ...]:
    """Warning signs reported after the last recorded clinician visit (and on or after ``since``)."""
    cleared = plan.warnings_cleared_on
    out: list[str] = []
    for c in checkins:
        if cleared is not None and c.day <= cleared:
            continue
        if since is not None and c.day < since:
            continue
        out.extend(c.red_flag_symptoms)
    return tuple(dict.fromkeys(out))


def warning_referral(symptoms: Sequence[str], rules: PlanRules) -> str:
    """The referral a check-in's warning signs trigger, naming them in plain words."""
    signs = rules.checkin_warning_signs
    return signs.referral.strip().format(what=signs.plain(symptoms))


def stop_for_warning_signs(plan: Plan, symptoms: Sequence[str], today: date, rules: PlanRules) -> Plan:
    """The next plan version: no running, no exercises, the referral on top (stop and refer).

    Reading (education) and the escalation rules stay; the stopped items come back when the runner
    records a clinician's visit (:func:`resume_after_clinician`).
    """
    referral = warning_referral(symptoms, rules)
    keep = [i for i in plan.items if i.kind in ("education", "escalation") and i.id != "see_a_clinician"]
    return replace(
        plan,
        version=plan.version + 1,
        created=today,
        items=(see_a_clinician_first(rules), *keep),
        run=no_running(rules, plan.run.surface, plan.run.stop_rules),
        referral=referral,
        rationale=referral,
        referral_action=STOP_AND_REFER,
    )


def resume_after_clinician(before: Plan, paused: Plan, seen_on: date) -> Plan:
    """The plan as it was before the warning sign, as the next version after ``paused``; warning
    signs reported up to ``seen_on`` no longer stop it."""
    return replace(
        before,
        version=paused.version + 1,
        created=seen_on,
        warnings_cleared_on=seen_on,
        rationale=(
            f"A clinician has seen you (recorded {seen_on.isoformat()}): the plan picks up where it "
            "stopped. Follow anything the clinician told you first."
        ),
    )
