"""Triage of heel pain from intake answers: red flags, a ranked differential, safety flags,
cautions and the resulting level. Pure: every rule and number comes from the catalogue.

Usage::

    result = triage(answers, catalogue)
    result.level, result.top.condition_id, result.explain()
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from heelcoach.domain.intake import format_answer
from heelcoach.domain.plan import REFER_AND_CONTINUE, STOP_AND_REFER
from heelcoach.domain.types import SafetyFlag, TriageLevel
from heelcoach.knowledge.schema_triage import (
    Condition,
    Feature,
    LevelText,
    Predicate,
    Question,
    TriageKnowledge,
)

if TYPE_CHECKING:
    from heelcoach.knowledge.catalogue import Catalogue

__all__ = [
    "LIKELIHOOD_WORDS",
    "AnswerRef",
    "CautionHit",
    "ConditionScore",
    "Reason",
    "RedFlagHit",
    "TriageResult",
    "fired_red_flags",
    "matches",
    "passive_loop_history",
    "plain_name",
    "triage",
    "unanswered_questions",
]

#: Likelihood words, most to least likely. Findings (a heel spur) get "possible finding".
LIKELIHOOD_WORDS = ("most likely", "possible", "possible finding", "less likely", "unlikely")


@dataclass(frozen=True, slots=True)
class AnswerRef:
    """One answer that a rule looked at: the question id and the value given."""

    question_id: str
    value: Any

    def __str__(self) -> str:
        return f"{self.question_id} = {format_answer(self.value)}"


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a condition gained or lost points: plain words, the weight, the answers behind it."""

    text: str
    weight: float
    answers: tuple[AnswerRef, ...]

    @property
    def question_ids(self) -> tuple[str, ...]:
        """The question ids this reason rests on."""
        return tuple(a.question_id for a in self.answers)


@dataclass(frozen=True, slots=True, kw_only=True)
class ConditionScore:
    """One entry of the differential, with its score (points, not a probability) and reasons."""

    condition_id: str
    name: str
    kind: str
    likelihood: str
    score: float
    supporting: tuple[Reason, ...]
    against: tuple[Reason, ...]
    plain: str
    what_to_do: str
    note: str = ""
    #: True when the runner can manage it with a plan of its own (no warning sign, clearly ahead).
    self_manageable: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RedFlagHit:
    """A red flag that fired: its level, why it matters, what to do and the answers behind it.

    ``action`` is ``stop_and_refer`` (no running or loading until a clinician has seen the heel) or
    ``refer_and_continue_safely`` (see a clinician, and keep a gentle plan meanwhile, starting no
    later than ``continue_phase`` with the heel treated as at least ``continue_irritability_min``).
    """

    id: str
    name: str
    level: TriageLevel
    reason: str
    what_to_do: str
    answers: tuple[AnswerRef, ...]
    suggests: str | None = None
    action: str = STOP_AND_REFER
    continue_phase: str | None = None
    continue_irritability_min: str | None = None

    @property
    def stops_loading(self) -> bool:
        """True when this flag pauses running and loading until a clinician has seen the heel."""
        return self.action != REFER_AND_CONTINUE


@dataclass(frozen=True, slots=True)
class CautionHit:
    """A reason to self-manage only with care."""

    id: str
    reason: str
    answers: tuple[AnswerRef, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class TriageResult:
    """The whole triage: level, red flags, differential, safety flags, cautions, next steps."""

    level: TriageLevel
    level_title: str
    level_plain: str
    level_reasons: tuple[str, ...]
    red_flags: tuple[RedFlagHit, ...]
    differential: tuple[ConditionScore, ...]
    safety_flags: frozenset[SafetyFlag]
    safety_notes: tuple[str, ...]
    cautions: tuple[CautionHit, ...]
    next_steps: tuple[str, ...]
    passive_loop: bool
    passive_loop_note: str
    questionnaire_version: int
    answers: Mapping[str, Any] = field(default_factory=dict, compare=False)
    #: None below the refer level; else ``stop_and_refer`` or ``refer_and_continue_safely``.
    referral_action: str | None = None
    #: Required questions added to the questionnaire after these answers were written, not answered.
    unanswered: tuple[str, ...] = ()
    #: Documented notes shown with the result (how a high pain level is used, for instance).
    notes: tuple[str, ...] = ()

    @property
    def treats(self) -> str | None:
        """The condition a plan would treat: the top diagnosis when no warning sign stops loading
        and it is self-manageable; None when the runner must see a clinician first."""
        top = self.top
        if top is None or self.stops_loading or not top.self_manageable:
            return None
        return top.condition_id

    @property
    def stops_loading(self) -> bool:
        """True when running and loading must pause until a clinician has seen the heel."""
        return self.referral_action == STOP_AND_REFER

    @property
    def top(self) -> ConditionScore | None:
        """The highest-ranked diagnosis (never a finding such as a heel spur)."""
        return next((c for c in self.differential if c.kind == "diagnosis"), None)

    @property
    def needs_clinician(self) -> bool:
        """True for the emergency and refer levels."""
        return self.level in (TriageLevel.EMERGENCY, TriageLevel.REFER)

    def explain(self) -> list[str]:
        """Plain lines explaining the result, red flags first."""
        lines = [f"Level: {self.level_title} ({self.level.value})", self.level_plain]
        lines.extend(f"Why: {r}" for r in self.level_reasons)
        for flag in self.red_flags:
            answers = "; ".join(str(a) for a in flag.answers)
            lines.append(f"Red flag [{flag.level.value}] {flag.name}: {flag.reason} ({answers})")
            lines.append(f"  What to do: {flag.what_to_do}")
        if self.stops_loading:
            lines.append("Plan: no running and no strength work until a clinician has seen the heel.")
        elif self.referral_action == REFER_AND_CONTINUE:
            lines.append(
                "Plan: see a clinician soon, and keep a gentle plan meanwhile "
                "(none of these is a danger sign)."
            )
        lines.extend(f"Not answered yet: {q}" for q in self.unanswered)
        lines.extend(f"Note: {n}" for n in self.notes)
        for cond in self.differential:
            if cond.likelihood == "unlikely":
                continue
            lines.append(f"{cond.name}: {cond.likelihood} (score {cond.score:g})")
            lines.extend(f"  + {r.text} [{', '.join(r.question_ids)}]" for r in cond.supporting)
            lines.extend(f"  - {r.text} [{', '.join(r.question_ids)}]" for r in cond.against)
            if cond.note:
                lines.append(f"  Note: {cond.note}")
        lines.extend(f"Safety: {note}" for note in self.safety_notes)
        lines.extend(f"Caution: {c.reason}" for c in self.cautions)
        if self.passive_loop:
            lines.append(f"Pattern: {self.passive_loop_note}")
        lines.extend(f"Next: {step}" for step in self.next_steps)
        return lines


def _knowledge(catalogue: Catalogue | TriageKnowledge) -> TriageKnowledge:
    return catalogue if isinstance(catalogue, TriageKnowledge) else catalogue.triage


def matches(pred: Predicate, answers: Mapping[str, Any]) -> bool:
    """Whether one answer satisfies a predicate; a missing answer never does."""
    value = answers.get(pred.question)
    if value is None:
        return False
    if pred.equals is not None:
        if isinstance(pred.equals, bool) or isinstance(value, bool):
            return value is pred.equals
        return bool(value == pred.equals)
    if pred.one_of is not None:
        return value in pred.one_of
    if pred.includes is not None:
        return isinstance(value, list | tuple) and pred.includes in value
    if pred.excludes is not None:
        return isinstance(value, list | tuple) and pred.excludes not in value
    if pred.includes_any is not None:
        return isinstance(value, list | tuple) and any(v in value for v in pred.includes_any)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if pred.at_least is not None and value < pred.at_least:
        return False
    return not (pred.at_most is not None and value > pred.at_most)


def _all_match(preds: Sequence[Predicate], answers: Mapping[str, Any]) -> bool:
    return all(matches(p, answers) for p in preds)


def _refs(preds: Sequence[Predicate], answers: Mapping[str, Any]) -> tuple[AnswerRef, ...]:
    seen: list[str] = []
    for p in preds:
        if p.question not in seen:
            seen.append(p.question)
    return tuple(AnswerRef(q, _frozen(answers.get(q))) for q in seen)


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _reasons(features: Sequence[Feature], answers: Mapping[str, Any]) -> tuple[Reason, ...]:
    return tuple(
        Reason(f.reason, f.weight, _refs(f.when, answers)) for f in features if _all_match(f.when, answers)
    )


def fired_red_flags(
    answers: Mapping[str, Any], catalogue: Catalogue | TriageKnowledge
) -> tuple[RedFlagHit, ...]:
    """Every red flag whose answers all match, most urgent first, flags that stop loading before
    flags that let a gentle plan continue (then questionnaire order).

    When every flag that fired lets the plan continue, their ``what_to_do`` also says what to keep
    doing meanwhile; when any flag stops loading, it does not (the stop wins).
    """
    tk = _knowledge(catalogue)
    fired = [flag for flag in tk.red_flags if _all_match(flag.when, answers)]
    continuing = all(not flag.stops_loading for flag in fired)
    hits = [
        RedFlagHit(
            id=flag.id,
            name=flag.name,
            level=TriageLevel(flag.level),
            reason=flag.reason,
            what_to_do=f"{flag.what_to_do} {flag.meanwhile}"
            if (continuing and flag.meanwhile)
            else flag.what_to_do,
            answers=_refs(flag.when, answers),
            suggests=flag.suggests,
            action=flag.action,
            continue_phase=flag.continue_phase,
            continue_irritability_min=flag.continue_irritability_min,
        )
        for flag in fired
    ]
    return tuple(sorted(hits, key=lambda h: (h.level.rank, not h.stops_loading)))


@dataclass(frozen=True, slots=True)
class _Scored:
    """One condition's points: its prior plus the reasons for, minus the reasons against."""

    cond: Condition
    score: float
    supporting: tuple[Reason, ...]
    against: tuple[Reason, ...]


def _score(cond: Condition, answers: Mapping[str, Any]) -> _Scored:
    supporting = _reasons(cond.toward, answers)
    against = _reasons(cond.away, answers)
    score = cond.prior + sum(r.weight for r in supporting) - sum(r.weight for r in against)
    return _Scored(cond, round(score, 2), supporting, against)


def _differential(tk: TriageKnowledge, answers: Mapping[str, Any]) -> tuple[ConditionScore, ...]:
    rules = tk.differential
    if rules is None:
        return ()
    scored = [_score(cond, answers) for cond in tk.conditions]
    diagnoses = sorted((s for s in scored if s.cond.kind == "diagnosis"), key=lambda s: -s.score)
    findings = sorted((s for s in scored if s.cond.kind == "finding"), key=lambda s: -s.score)
    out: list[ConditionScore] = []
    for rank, s in enumerate(diagnoses):
        if rank == 0 and s.score >= rules.min_score_most_likely:
            word = "most likely"
        elif s.score >= rules.min_score_possible:
            word = "possible"
        elif s.score > 0:
            word = "less likely"
        else:
            word = "unlikely"
        out.append(_entry(s, word))
    # Findings come after every diagnosis: a spur sits beside a cause, it is never the cause.
    for s in findings:
        out.append(_entry(s, "possible finding" if s.score >= rules.min_score_possible else "unlikely"))
    return tuple(out)


def _entry(s: _Scored, word: str) -> ConditionScore:
    cond = s.cond
    return ConditionScore(
        condition_id=cond.id,
        name=cond.name,
        kind=cond.kind,
        likelihood=word,
        score=s.score,
        supporting=s.supporting,
        against=s.against,
        plain=cond.plain,
        what_to_do=cond.what_to_do,
        note=cond.note,
        self_manageable=cond.self_manageable,
    )


def _respect_warning_signs(
    differential: tuple[ConditionScore, ...], red_flags: Sequence[RedFlagHit], min_possible: float
) -> tuple[ConditionScore, ...]:
    """Err toward the serious cause: when a stopping warning sign points to a condition, that
    condition is listed first and at least 'possible', and nothing else is called 'most likely'.

    When several warning signs point to different conditions, the best-scoring of them leads, and
    the others are moved up only when their own answers make them at least 'possible' (numbness in
    both feet points to neuropathy, not to a trapped nerve at the heel).
    """
    pointed = [
        c
        for c in differential
        if c.kind == "diagnosis"
        and c.condition_id in {f.suggests for f in red_flags if f.stops_loading and f.suggests}
    ]
    if not pointed:
        return differential
    lead = max(pointed, key=lambda c: c.score)
    suggested = {lead.condition_id} | {c.condition_id for c in pointed if c.score >= min_possible}
    out = []
    for cond in differential:
        pointed_to = cond.condition_id in suggested
        promote = pointed_to and cond.likelihood in ("less likely", "unlikely")
        demote = not pointed_to and cond.likelihood == "most likely"
        out.append(replace(cond, likelihood="possible") if promote or demote else cond)
    # Stable sort: diagnoses a warning sign points to first, then the rest in score order.
    out.sort(key=lambda c: (c.kind != "diagnosis", c.condition_id not in suggested))
    return tuple(out)


def passive_loop_history(answers: Mapping[str, Any], catalogue: Catalogue | TriageKnowledge) -> bool:
    """Whether the answers show the seed-000 loop: it came back before, and everything tried is
    passive care (rolling, massage, taping, shoes, insoles, rest, ice, night splint).
    """
    rule = _knowledge(catalogue).passive_loop
    if rule is None:
        return False
    tried = answers.get("tried") or []
    episodes = answers.get("past_episodes")
    if not isinstance(episodes, int) or isinstance(episodes, bool) or episodes < rule.min_past_episodes:
        return False
    if not tried or any(t in rule.breaks_loop for t in tried):
        return False
    return all(t in rule.passive for t in tried)


def _passive_loop_note(tk: TriageKnowledge, answers: Mapping[str, Any], stopped: bool = False) -> str:
    """The loop's note, its ``{tried}`` naming what this runner tried (in the question's words).

    When running and loading stop (``stopped``) the note does not promise a plan that keeps going.
    """
    if tk.passive_loop is None:
        return ""
    question = next((q for q in tk.questions if q.id == "tried"), None)
    labels = {c.id: c.label for c in question.choices} if question is not None else {}
    words = [labels.get(t, t.replace("_", " ")).split(" (")[0] for t in answers.get("tried") or []]
    words = [w[:1].lower() + w[1:] for w in words]
    tried = ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else "".join(words)
    text = (tk.passive_loop.plain_when_stopped if stopped else None) or tk.passive_loop.plain
    return text.replace("{tried}", tried)


def _flag_reason(red_flags: Sequence[RedFlagHit]) -> str | None:
    if not red_flags:
        return None
    names = ", ".join(f.name.lower() for f in red_flags)
    if any(f.stops_loading for f in red_flags):
        return f"Warning signs in your answers: {names}."
    return f"Reasons in your answers to see a clinician soon (not danger signs): {names}."


@dataclass(frozen=True, slots=True)
class _Cautions:
    """The caution rules that fired, with the not-answered caution (also kept on its own)."""

    hits: tuple[CautionHit, ...]
    not_answered: CautionHit | None


def _cautions(tk: TriageKnowledge, answers: Mapping[str, Any], unanswered: Sequence[str]) -> _Cautions:
    """The caution rules that fired, plus the not-answered caution."""
    cautions = tuple(
        CautionHit(c.id, c.reason, _refs(c.when, answers)) for c in tk.cautions if _all_match(c.when, answers)
    )
    not_answered = _not_answered(tk, unanswered)
    return _Cautions((*cautions, not_answered) if not_answered else cautions, not_answered)


@dataclass(frozen=True, slots=True)
class _Safety:
    """The safety flags that fired (massage, tools) and their notes, each once."""

    flags: frozenset[SafetyFlag]
    notes: tuple[str, ...]


def _safety(tk: TriageKnowledge, answers: Mapping[str, Any]) -> _Safety:
    fired = [rule for rule in tk.safety_rules if _all_match(rule.when, answers)]
    return _Safety(frozenset(r.flag for r in fired), tuple(dict.fromkeys(r.note for r in fired)))


def _referral_action(
    level: TriageLevel, differential_refers: bool, red_flags: Sequence[RedFlagHit]
) -> str | None:
    """None below the refer level; else stop, or continue safely when every reason allows it."""
    if level not in (TriageLevel.EMERGENCY, TriageLevel.REFER):
        return None
    # An uncertain diagnosis stops loading too: the heel may not be plantar fasciitis at all.
    stops = level is TriageLevel.EMERGENCY or differential_refers or any(f.stops_loading for f in red_flags)
    return STOP_AND_REFER if stops else REFER_AND_CONTINUE


def _next_steps(
    tk: TriageKnowledge,
    text: LevelText | None,
    red_flags: Sequence[RedFlagHit],
    not_answered: CautionHit | None,
    top_name: str,
) -> tuple[str, ...]:
    """Answer the missing questions first; in an emergency the flags' own urgent advice next
    (otherwise it is shown with each flag); then the level's steps, each once."""
    steps: list[str] = [tk.not_answered.next_step] if (not_answered and tk.not_answered) else []
    for flag in red_flags:
        if flag.level is TriageLevel.EMERGENCY and flag.what_to_do not in steps:
            steps.append(flag.what_to_do)
    if text is not None:
        steps.extend(_named(s, top_name) for s in text.next_steps if s not in steps)
    return tuple(steps)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Level:
    """The triage level, the reasons behind it and whether the differential alone refers."""

    level: TriageLevel
    reasons: tuple[str, ...]
    differential_refers: bool
    top_name: str


def _level(
    tk: TriageKnowledge,
    red_flags: Sequence[RedFlagHit],
    diagnoses: Sequence[ConditionScore],
    cautions: _Cautions,
) -> _Level:
    """The most urgent of: every red flag; ``refer`` when the differential does not clearly favour a
    self-manageable condition; ``caution`` for a caution or unanswered warning-sign questions."""
    flag_reason = _flag_reason(red_flags)
    diff_reason = (
        _differential_reason(diagnoses, tk.differential.clear_lead) if tk.differential and diagnoses else None
    )
    reasons = [r for r in (flag_reason, diff_reason) if r]
    levels = [TriageLevel.SELF_MANAGE, *(f.level for f in red_flags)]
    if diff_reason:
        levels.append(TriageLevel.REFER)
    if cautions.hits:
        levels.append(TriageLevel.CAUTION)
    if cautions.not_answered is not None and tk.not_answered is not None:
        levels.append(TriageLevel(tk.not_answered.level))
    level = TriageLevel.most_urgent(*levels)
    top_name = plain_name(diagnoses[0].name) if diagnoses else "plantar fasciitis"
    if level is TriageLevel.CAUTION:
        reasons.append(f"Your answers fit {top_name}, with a few things to watch (see the cautions).")
    elif level is TriageLevel.SELF_MANAGE:
        reasons.append(f"Your answers fit {top_name} clearly and show no warning signs.")
    return _Level(
        level=level, reasons=tuple(reasons), differential_refers=diff_reason is not None, top_name=top_name
    )


def triage(answers: Mapping[str, Any], catalogue: Catalogue | TriageKnowledge) -> TriageResult:
    """Triage validated answers (see :func:`heelcoach.domain.intake.validate_answers`).

    The level is the most urgent of: every red flag that fired; ``refer`` when the differential
    does not clearly favour a self-manageable condition; ``caution`` when a caution rule fires or
    newer warning-sign questions are not answered; otherwise ``self_manage``. A red flag always wins.
    """
    tk = _knowledge(catalogue)
    red_flags = fired_red_flags(answers, tk)
    min_possible = tk.differential.min_score_possible if tk.differential else 0.0
    differential = _respect_warning_signs(_differential(tk, answers), red_flags, min_possible)
    diagnoses = [c for c in differential if c.kind == "diagnosis"]
    unanswered = unanswered_questions(answers, tk)
    cautions = _cautions(tk, answers, unanswered)
    lv = _level(tk, red_flags, diagnoses, cautions)
    referral_action = _referral_action(lv.level, lv.differential_refers, red_flags)
    text = tk.levels.get(lv.level.value)
    if referral_action == REFER_AND_CONTINUE and tk.refer_and_continue is not None:
        text = tk.refer_and_continue
    safety = _safety(tk, answers)
    loop = passive_loop_history(answers, tk)
    return TriageResult(
        level=lv.level,
        level_title=text.title if text else lv.level.value,
        level_plain=_named(text.plain, lv.top_name) if text else "",
        level_reasons=lv.reasons,
        red_flags=red_flags,
        differential=differential,
        safety_flags=safety.flags,
        safety_notes=safety.notes,
        cautions=cautions.hits,
        next_steps=_next_steps(tk, text, red_flags, cautions.not_answered, lv.top_name),
        passive_loop=loop,
        passive_loop_note=(
            _passive_loop_note(tk, answers, referral_action == STOP_AND_REFER) if loop else ""
        ),
        questionnaire_version=tk.version,
        answers=dict(answers),
        referral_action=referral_action,
        unanswered=unanswered,
        notes=_notes(tk, catalogue, answers),
    )


def plain_name(name: str) -> str:
    """A condition name inside a sentence: first letter small unless the first word is a proper
    name or an abbreviation ('Insertional Achilles tendinopathy' -> 'insertional Achilles ...')."""
    first = name.split(" ", 1)[0]
    if first[1:2].isupper() or first.endswith("'s"):
        return name
    return name[:1].lower() + name[1:]


def _named(text: str, condition_name: str) -> str:
    """Level texts name the condition the answers fit ('{condition}' in triage.yaml)."""
    return text.replace("{condition}", condition_name)


def _differential_reason(diagnoses: Sequence[ConditionScore], clear_lead: float) -> str | None:
    """Why the differential alone sends the runner to a clinician, or None when the top diagnosis
    is self-manageable, 'most likely' and clearly ahead of the next one."""
    top = diagnoses[0]
    runner_up = diagnoses[1] if len(diagnoses) > 1 else None
    name = plain_name(top.name)
    if not top.self_manageable:
        return f"Your answers fit {name} best, which needs a clinician to confirm and treat it."
    if top.likelihood != "most likely":
        return (
            f"Your answers do not clearly fit {name} or anything else, "
            "so a clinician should confirm the cause."
        )
    if runner_up is not None and top.score - runner_up.score < clear_lead:
        return (
            f"{top.name} is only slightly ahead of {runner_up.name.lower()}, "
            "so a clinician should tell them apart."
        )
    return None


def unanswered_questions(
    answers: Mapping[str, Any], catalogue: Catalogue | TriageKnowledge
) -> tuple[str, ...]:
    """Required questions added after the first questionnaire that the answers lack (their ids).

    Answers written for an earlier questionnaire still load; these are the questions to ask.
    """
    tk = _knowledge(catalogue)
    return tuple(q.id for q in tk.questions if _is_new_required(q) and answers.get(q.id) is None)


def _is_new_required(question: Question) -> bool:
    return question.required and question.added_in > 1


def _not_answered(tk: TriageKnowledge, unanswered: Sequence[str]) -> CautionHit | None:
    """The safer assumption for unanswered warning-sign questions: never 'no', at least caution."""
    rule = tk.not_answered
    if rule is None:
        return None
    questions = tk.questions_by_id()
    missing = [questions[q] for q in unanswered if questions[q].group in rule.groups]
    if not missing:
        return None
    listed = ", ".join(q.short or q.prompt for q in missing)
    refs = tuple(AnswerRef(q.id, "not answered") for q in missing)
    return CautionHit("not_answered", rule.reason.replace("{questions}", listed), refs)


def _notes(
    tk: TriageKnowledge, catalogue: Catalogue | TriageKnowledge, answers: Mapping[str, Any]
) -> tuple[str, ...]:
    """The high-pain decision, said when it applies (its threshold is the plan's irritability rule)."""
    if tk.high_pain_rule is None or isinstance(catalogue, TriageKnowledge):
        return ()
    first = answers.get("first_step_pain")
    threshold = catalogue.plan.irritability.high_first_step_pain_min
    if isinstance(first, int | float) and not isinstance(first, bool) and first >= threshold:
        return (tk.high_pain_rule.plain,)
    return ()
