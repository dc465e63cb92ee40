"""Each weekly-review rule in a few plain words, for text a runner reads (never the rule's id).

The id stays in each stored decision for a clinician and for the JSON output; what a person reads
says what the rule saw. Unknown ids (a rule added later) read as "a rule of the weekly review".
"""

from __future__ import annotations

from heelcoach.domain.checkin import RuleId

__all__ = ["ACTION_WORDS", "RULE_WORDS", "action_words", "rule_words"]

RULE_WORDS: dict[str, str] = {
    RuleId.RED_FLAG: "a red flag: a clinician first",
    RuleId.WARNING_SIGN: "a warning sign in a check-in: paused until a clinician has seen you",
    RuleId.REFERRAL_PENDING: "waiting until a clinician has seen you",
    RuleId.PAIN_ABOVE_ACCEPTABLE: "pain went above the acceptable level",
    RuleId.MORNING_PAIN_RISING: "first-step pain rose from one week to the next",
    RuleId.NEXT_MORNING_WORSE: "the next morning was worse",
    RuleId.PAIN_IN_ACCEPTABLE_BAND: "pain stayed acceptable but not yet low",
    RuleId.MORNING_PAIN_NOT_SETTLED: "first-step pain has not settled yet",
    RuleId.MORNING_PAIN_NOT_FALLING: "first-step pain is not falling yet",
    RuleId.HIGH_LOAD_IRRITABILITY: "heavy loading waits until the heel is calmer",
    RuleId.IRRITABILITY_TOO_HIGH: "the heel is too irritable for the next level",
    RuleId.TOP_LEVEL: "already at the top level",
    RuleId.LOW_ADHERENCE: "not done on enough of its sessions",
    RuleId.LEVEL_TOO_RECENT: "not long enough at this level yet",
    RuleId.PROGRESS_CRITERIA_MET: "done on most of its sessions with low pain",
    RuleId.PROGRESS_CAP: "only a few exercises move up in one week",
    RuleId.SESSION_TIME_FULL: "the next level would not fit your session time",
    RuleId.NO_RUNNING: "no running for now",
    RuleId.NO_CHECKINS: "no check-ins to go on",
    RuleId.STAGE_REPEATS: "the walk/run stage is repeated",
    RuleId.STAGE_COMPLETE: "the walk/run stage went well",
    RuleId.LOAD_INCREASE: "running went well",
    RuleId.FLARE_STEP_BACK: "a flare: one step back",
    RuleId.FLARE_RECOVERY: "a pain-free week after a flare",
    RuleId.FOLLOW_WHAT_WAS_RUN: "the cap follows what you ran",
    RuleId.PHASE_BACK_FLARE: "flares two weeks in a row",
    RuleId.PHASE_EXIT_CRITERIA_MET: "the phase's goals were reached",
    RuleId.NO_PROGRESS_PHYSIO: "no clear progress after weeks of good work: time to see a clinician",
    RuleId.ADJUNCT_TIME_LIMIT: "passive care has a time limit",
    RuleId.ADJUNCT_NOT_NEEDED: "first-step pain is low enough to stop it",
}

ACTION_WORDS: dict[str, str] = {
    "progress": "up",
    "hold": "kept",
    "keep": "kept",
    "continue": "kept",
    "regress": "one step back",
    "refer": "see a clinician",
}


def rule_words(rule_id: object) -> str:
    """The rule in plain words (its id never)."""
    return RULE_WORDS.get(str(rule_id), "a rule of the weekly review")


def action_words(action: object) -> str:
    """A review action ('progress', 'regress', ...) in plain words."""
    return ACTION_WORDS.get(str(action), "changed")
