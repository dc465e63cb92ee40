"""Schemas for the triage knowledge: the intake questionnaire, the conditions, the red flags,
the safety flags and cautions derived from answers, and the numbers the differential uses.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from heelcoach.knowledge.schema import EvidenceGrade, Id, Irritability, Item, Model, Phase, SafetyFlag

#: How an answer is typed. ``scale`` is a 0-10 numeric rating (pain, for instance).
AnswerType = Literal["int", "number", "bool", "choice", "multi", "date", "text", "scale"]

#: Questionnaire sections, in the order they are asked.
QuestionGroup = Literal["about_you", "running", "your_pain", "warning_signs", "health_and_safety", "history"]
QUESTION_GROUPS: tuple[QuestionGroup, ...] = (
    "about_you",
    "running",
    "your_pain",
    "warning_signs",
    "health_and_safety",
    "history",
)

#: Red flags only ever send a person to a clinician: today (emergency) or soon (refer).
RedFlagLevel = Literal["emergency", "refer"]
TriageLevelId = Literal["emergency", "refer", "caution", "self_manage"]
#: What a red flag does to the plan. ``stop_and_refer``: no running and no loading until a clinician
#: has seen the heel (danger signs). ``refer_and_continue_safely``: see a clinician, and meanwhile keep
#: a gentle, conservative plan (the flag is about the course of the problem, not a danger sign).
RedFlagAction = Literal["stop_and_refer", "refer_and_continue_safely"]
RED_FLAG_ACTIONS: tuple[RedFlagAction, ...] = ("stop_and_refer", "refer_and_continue_safely")


class Choice(Model):
    """One allowed answer of a choice or multi question."""

    id: Id
    label: str = Field(min_length=1, description="plain words shown to the runner")


class MilesWording(Model):
    """How a distance question is asked of a runner who counts in miles (the answer is still
    stored in kilometres; the bounds are the question's own, converted)."""

    prompt: str = Field(min_length=5)
    help: str = Field(min_length=5)


class Question(Model):
    """One intake question: its id, type, allowed values and the words shown to a runner."""

    id: Id
    group: QuestionGroup
    type: AnswerType
    prompt: str = Field(min_length=5)
    short: str | None = Field(
        default=None, min_length=3, description="a few words naming the topic, for lists"
    )
    help: str = Field(min_length=5, description="plain help text: what is meant and how to answer")
    required: bool = True
    added_in: int = Field(
        default=1,
        ge=1,
        description="the questionnaire version that added it; answers written before it may lack it",
    )
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    in_miles: MilesWording | None = Field(
        default=None, description="a distance question (unit km): its words for a runner who counts in miles"
    )
    max_length: int | None = Field(default=None, ge=1, le=10_000, description="for text answers")
    choices: list[Choice] = Field(default_factory=list)
    sources: list[Id] = Field(default_factory=list, description="where the question is clinical")
    ask_if: list[Predicate] = Field(
        default_factory=list,
        description="asked only when all hold: an 'equals' on an earlier yes/no or choice question of "
        "the same group; such a question is optional (an answers file may leave it out)",
    )

    @model_validator(mode="after")
    def _shape_fits_type(self) -> Question:
        if self.type in ("choice", "multi"):
            if len(self.choices) < 2:
                raise ValueError(f"a {self.type} question needs at least two choices")
            ids = [c.id for c in self.choices]
            if len(set(ids)) != len(ids):
                raise ValueError(f"duplicate choice ids in {ids}")
        elif self.choices:
            raise ValueError(f"a {self.type} question takes no choices")
        if self.type == "scale" and (self.min != 0 or self.max != 10):
            raise ValueError("a scale question runs from min 0 to max 10")
        if self.type in ("bool", "choice", "multi", "date", "text") and (
            self.min is not None or self.max is not None
        ):
            raise ValueError(f"a {self.type} question takes no min or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is larger than max ({self.max})")
        if (self.unit == "km") != (self.in_miles is not None):
            raise ValueError("a distance question (unit km) needs its words in miles (in_miles), and only it")
        return self

    def choice_ids(self) -> list[str]:
        """The allowed answer ids of a choice or multi question (empty otherwise)."""
        return [c.id for c in self.choices]


Scalar = bool | int | float | str


class Predicate(Model):
    """A test on one answer. Exactly one operator is set.

    ``equals`` compares the answer; ``one_of`` checks a choice against several values;
    ``at_least``/``at_most`` bound a number (both may be set together: a range);
    ``includes``/``excludes`` look inside a multi answer; ``includes_any`` holds when the multi
    answer has at least one of the listed choices. A missing answer never matches.
    """

    question: Id
    equals: Scalar | None = None
    one_of: list[str] | None = None
    at_least: float | None = None
    at_most: float | None = None
    includes: Id | None = None
    excludes: Id | None = None
    includes_any: list[Id] | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Predicate:
        ops = [
            name
            for name in ("equals", "one_of", "includes", "excludes", "includes_any")
            if getattr(self, name) is not None
        ]
        if self.at_least is not None or self.at_most is not None:
            ops.append("range")
        if len(ops) != 1:
            raise ValueError(
                f"predicate on '{self.question}' needs exactly one operator "
                f"(equals, one_of, at_least/at_most, includes, includes_any, excludes), got {ops or 'none'}"
            )
        return self


class Feature(Model):
    """A pattern of answers (all predicates hold) that points toward or away from a condition."""

    when: list[Predicate] = Field(min_length=1)
    weight: float = Field(gt=0, le=10)
    reason: str = Field(min_length=5, description="plain words: why this answer matters")


class Condition(Item):
    """A cause of heel pain in the differential, scored from its features.

    ``kind: finding`` is something seen on imaging that may sit beside the real cause (a heel spur):
    it is scored and explained but never ranked as the cause of the pain.
    """

    kind: Literal["diagnosis", "finding"] = "diagnosis"
    prior: float = Field(default=0.0, ge=-5, le=5, description="base score: how common it is in runners")
    self_manageable: bool = False
    toward: list[Feature] = Field(default_factory=list)
    away: list[Feature] = Field(default_factory=list)
    what_to_do: str = Field(min_length=5)
    note: str = ""


class RedFlag(Model):
    """Answers that mean a clinician should see the heel: today (emergency) or soon (refer)."""

    id: Id
    name: str = Field(min_length=3)
    level: RedFlagLevel
    when: list[Predicate] = Field(min_length=1, description="all must hold")
    reason: str = Field(min_length=10)
    what_to_do: str = Field(min_length=10)
    suggests: Id | None = Field(default=None, description="a condition id this flag points to")
    sources: list[Id] = Field(min_length=1)
    action: RedFlagAction = Field(description="stop loading and refer, or refer and continue safely")
    action_reason: str = Field(
        min_length=10, description="the clinical reason for the action (for reviewers)"
    )
    meanwhile: str | None = Field(
        default=None, description="continue-safely flags: what to keep doing until the appointment"
    )
    continue_phase: Phase | None = Field(
        default=None, description="continue-safely flags: the plan starts no later than this phase"
    )
    continue_irritability_min: Irritability | None = Field(
        default=None, description="continue-safely flags: treat the heel as at least this irritable"
    )

    @model_validator(mode="after")
    def _action_fits(self) -> RedFlag:
        if self.level == "emergency" and self.action != "stop_and_refer":
            raise ValueError(f"red flag '{self.id}': an emergency always has action stop_and_refer")
        if self.action == "refer_and_continue_safely" and (self.continue_phase is None or not self.meanwhile):
            raise ValueError(
                f"red flag '{self.id}': refer_and_continue_safely needs continue_phase (where the gentle "
                "plan starts) and meanwhile (what to keep doing until the appointment)"
            )
        if self.action == "stop_and_refer" and (
            self.continue_phase is not None or self.continue_irritability_min is not None or self.meanwhile
        ):
            raise ValueError(
                f"red flag '{self.id}': continue_phase, continue_irritability_min and meanwhile only apply "
                "to refer_and_continue_safely"
            )
        return self

    @property
    def stops_loading(self) -> bool:
        """True when the flag pauses running and loading until a clinician has seen the heel."""
        return self.action == "stop_and_refer"

    @property
    def plain(self) -> str:
        """One plain line for lists of warning signs: the name and why it matters."""
        return f"{self.name}: {self.reason}"


class SafetyRule(Model):
    """An answer pattern that raises a safety flag (rules out some passive therapies or tools)."""

    flag: SafetyFlag
    when: list[Predicate] = Field(min_length=1)
    note: str = Field(min_length=5)
    sources: list[Id] = Field(min_length=1)


class CautionRule(Model):
    """An answer pattern that makes self-management possible only with care (level ``caution``)."""

    id: Id
    when: list[Predicate] = Field(min_length=1)
    reason: str = Field(min_length=10)
    sources: list[Id] = Field(min_length=1)


class DifferentialRules(Model):
    """Score bands for the likelihood words and the lead plantar fasciitis needs for self-care."""

    clear_lead: float = Field(gt=0, description="PF must lead the next diagnosis by this much")
    min_score_most_likely: float = Field(description="top score below this is only 'possible'")
    min_score_possible: float = Field(description="from this score on: 'possible' (else 'less likely')")
    self_manage_condition: Id = "plantar_fasciitis"
    note: str = ""
    sources: list[Id] = Field(min_length=1)


class PassiveLoopRule(Model):
    """How to spot the seed-000 loop: passive care only, and the pain keeps coming back."""

    passive: list[Id] = Field(min_length=1, description="'tried' answers that are passive care")
    breaks_loop: list[Id] = Field(min_length=1, description="'tried' answers that address the drivers")
    min_past_episodes: int = Field(ge=0)
    plain: str = Field(min_length=10)
    plain_when_stopped: str | None = Field(
        default=None, description="said instead of 'plain' when a red flag stops running and loading"
    )
    sources: list[Id] = Field(min_length=1)


class LevelText(Model):
    """How a triage level is said to a runner, and the next steps it brings."""

    title: str = Field(min_length=3)
    plain: str = Field(min_length=10)
    next_steps: list[str] = Field(min_length=1)


class NotAnsweredRule(Model):
    """The safer assumption for questions added after an answers file was written.

    A required question of these groups that is absent from the answers is "not answered": it
    never counts as "no"; the level becomes at least ``level`` and the result names the questions.
    """

    groups: list[QuestionGroup] = Field(min_length=1)
    level: Literal["caution", "refer"]
    reason: str = Field(min_length=10, description="runner-facing; '{questions}' lists the prompts")
    next_step: str = Field(min_length=10)
    sources: list[Id] = Field(min_length=1)


class SourcedNote(Model):
    """A documented decision shown to the runner, with its sources."""

    plain: str = Field(min_length=10)
    sources: list[Id] = Field(min_length=1)


class PlanExercise(Model):
    """An exercise of a condition plan: an id of ``exercises.yaml`` and why it is in this plan."""

    exercise: Id
    why: str = Field(min_length=10)
    grade: EvidenceGrade | None = Field(
        default=None, description="the grade in THIS condition when it differs from the exercise's own"
    )
    grade_note: str = ""


class PlanAdvice(Model):
    """A non-exercise item of a condition plan (footwear, taping, habits, education), graded."""

    id: Id
    kind: Literal["adjunct", "footwear", "education", "cross_training"]
    title: str = Field(min_length=3)
    text: str = Field(min_length=10)
    grade: EvidenceGrade
    sources: list[Id] = Field(min_length=1)
    optional: bool = False
    not_with: list[SafetyFlag] = Field(
        default_factory=list, description="safety flags that rule it out (contraindications)"
    )


class AvoidItem(Model):
    """Something a condition plan leaves out on purpose, with the reason."""

    id: Id
    text: str = Field(min_length=10)
    sources: list[Id] = Field(min_length=1)
    exercises: list[Id] = Field(
        default_factory=list,
        description="exercises.yaml ids this rule bars from the plan: neither the drivers nor a later "
        "phase (power work) brings them in",
    )


class ConditionRunning(Model):
    """Running rules of a condition plan: the share of the usual week by irritability, and rules."""

    weekly_volume_pct: dict[Irritability, int] = Field(description="share of the usual weekly km")
    walk_run_when: list[Irritability] = Field(description="irritability levels that start with walk/run")
    surface: str = Field(min_length=5)
    rules: list[str] = Field(min_length=1)
    grade: EvidenceGrade
    sources: list[Id] = Field(min_length=1)

    @model_validator(mode="after")
    def _every_level(self) -> ConditionRunning:
        missing = {"high", "moderate", "low"} - set(self.weekly_volume_pct)
        if missing:
            raise ValueError(f"weekly_volume_pct needs high, moderate and low; missing {sorted(missing)}")
        if any(not 0 <= v <= 100 for v in self.weekly_volume_pct.values()):
            raise ValueError("weekly_volume_pct values are percentages from 0 to 100")
        return self


class ClearanceStep(Model):
    """One step of a graded return after a clinician has cleared the runner.

    ``with_run_stages`` appends the walk/run stages of ``plan_rules.yaml`` (return_to_run) to the
    step, so the stages live in one place.
    """

    text: str = Field(min_length=10)
    with_run_stages: bool = False


class ConditionPlan(Model):
    """The plan knowledge of one condition of the differential.

    A self-manageable condition (``condition.self_manageable``) gets a plan of its own built by the
    plan engine from ``exercises``, ``advice``, ``avoid``, ``running`` and ``see_clinician``. A
    condition that stays a referral may carry ``after_clearance``: a graded return the runner starts
    only once a clinician has cleared them, shown with the referral.
    """

    condition: Id
    title: str = Field(min_length=5)
    goal: str = Field(min_length=10)
    exercises: list[PlanExercise] = Field(default_factory=list)
    advice: list[PlanAdvice] = Field(default_factory=list)
    avoid: list[AvoidItem] = Field(default_factory=list)
    running: ConditionRunning | None = None
    see_clinician: list[str] = Field(default_factory=list)
    driver_menus: list[Id] = Field(
        default_factory=list,
        description="drivers (plan_rules selection.per_driver) whose engine exercises the plan adds "
        "when the runner has them, unless an avoid rule bars the exercise",
    )
    driver_grade: EvidenceGrade | None = Field(
        default=None, description="the grade of the driver exercises in this condition (none: their own)"
    )
    driver_grade_note: str = ""
    after_clearance: list[ClearanceStep] = Field(default_factory=list)
    evidence_note: str = Field(min_length=10)
    sources: list[Id] = Field(min_length=1)


class TriageKnowledge(Model):
    """Everything triage reads: the questionnaire, the conditions and the red flags."""

    version: int = Field(default=1, ge=1, description="questionnaire version; bump on any id change")
    questions: list[Question] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)
    red_flags: list[RedFlag] = Field(default_factory=list)
    safety_rules: list[SafetyRule] = Field(default_factory=list)
    cautions: list[CautionRule] = Field(default_factory=list)
    differential: DifferentialRules | None = None
    passive_loop: PassiveLoopRule | None = None
    levels: dict[TriageLevelId, LevelText] = Field(default_factory=dict)
    refer_and_continue: LevelText | None = Field(
        default=None,
        description="how the refer level is said when every reason is a refer-and-continue-safely flag",
    )
    not_answered: NotAnsweredRule | None = None
    high_pain_rule: SourcedNote | None = None
    condition_plans: list[ConditionPlan] = Field(default_factory=list)

    def condition_plan(self, condition_id: str) -> ConditionPlan | None:
        """The plan knowledge of a condition, or None."""
        return next((p for p in self.condition_plans if p.condition == condition_id), None)

    def barred_exercises(self, ref_ids: set[str]) -> dict[str, str]:
        """Exercise id -> the avoid rule's text, for the avoid rules among ``ref_ids`` (the ids a
        condition plan leaves out on purpose)."""
        return {
            ex: a.text for p in self.condition_plans for a in p.avoid if a.id in ref_ids for ex in a.exercises
        }

    def question(self, question_id: str) -> Question:
        """The question with this id (KeyError if unknown)."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def questions_by_id(self) -> dict[str, Question]:
        """Questions keyed by id, in questionnaire order."""
        return {q.id: q for q in self.questions}

    def condition(self, condition_id: str) -> Condition:
        """The condition with this id (KeyError if unknown)."""
        for c in self.conditions:
            if c.id == condition_id:
                return c
        raise KeyError(condition_id)

    def check_refs(self, known_sources: set[str]) -> list[str]:
        """Return cross-reference problems (empty when consistent).

        Every predicate must name an existing question and compare it with a value that the
        question can take; ids must be unique; ``suggests`` must name a condition.
        """
        questions = self.questions_by_id()
        problems = self._duplicate_problems()
        problems.extend(self._predicate_refs(questions))
        problems.extend(self._section_problems(questions))
        problems.extend(self._version_problems())
        problems.extend(self._ask_if_problems())
        problems.extend(self._condition_plan_problems())
        if self.questions:
            missing_levels = {"emergency", "refer", "caution", "self_manage"} - set(self.levels)
            if missing_levels:
                problems.append(f"levels: missing {sorted(missing_levels)}")
        return problems

    def _duplicate_problems(self) -> list[str]:
        problems: list[str] = []
        for kind, ids in (
            ("question", [q.id for q in self.questions]),
            ("condition", [c.id for c in self.conditions]),
            ("red flag", [r.id for r in self.red_flags]),
            ("caution", [c.id for c in self.cautions]),
        ):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                problems.append(f"duplicate {kind} ids: {dupes}")
        return problems

    def _predicate_refs(self, questions: dict[str, Question]) -> list[str]:
        """Problems of every predicate (conditions, red flags, safety rules, cautions), and red
        flags that suggest an unknown condition."""
        problems: list[str] = []
        condition_ids = {c.id for c in self.conditions}

        def check(where: str, preds: list[Predicate]) -> None:
            for pred in preds:
                problems.extend(f"{where}: {p}" for p in _predicate_problems(pred, questions))

        for cond in self.conditions:
            for direction in ("toward", "away"):
                for index, feat in enumerate(getattr(cond, direction)):
                    check(f"conditions[{cond.id}].{direction}[{index}]", feat.when)
        for flag in self.red_flags:
            check(f"red_flags[{flag.id}]", flag.when)
            if flag.suggests is not None and flag.suggests not in condition_ids:
                problems.append(f"red_flags[{flag.id}].suggests: unknown condition '{flag.suggests}'")
        for index, rule in enumerate(self.safety_rules):
            check(f"safety_rules[{index}]", rule.when)
        for caution in self.cautions:
            check(f"cautions[{caution.id}]", caution.when)
        return problems

    def _section_problems(self, questions: dict[str, Question]) -> list[str]:
        """The differential, passive-loop and refer-and-continue sections name what exists."""
        problems: list[str] = []
        condition_ids = {c.id for c in self.conditions}
        if self.differential is not None and self.differential.self_manage_condition not in condition_ids:
            problems.append(
                f"differential.self_manage_condition: unknown condition "
                f"'{self.differential.self_manage_condition}'"
            )
        if self.passive_loop is not None:
            tried = questions.get("tried")
            allowed = set(tried.choice_ids()) if tried else set()
            for name in ("passive", "breaks_loop"):
                for value in getattr(self.passive_loop, name):
                    if value not in allowed:
                        problems.append(f"passive_loop.{name}: '{value}' is not a choice of question 'tried'")
            if "past_episodes" not in questions:
                problems.append("passive_loop: needs the question 'past_episodes'")
        if self.questions and (self.differential is None or self.passive_loop is None):
            problems.append("a questionnaire needs the 'differential' and 'passive_loop' sections")
        if (
            any(f.action == "refer_and_continue_safely" for f in self.red_flags)
            and self.refer_and_continue is None
        ):
            problems.append(
                "refer_and_continue: needed because a red flag has action refer_and_continue_safely"
            )
        return problems

    def _version_problems(self) -> list[str]:
        return [
            f"question '{q.id}': added_in {q.added_in} is later than the questionnaire version {self.version}"
            for q in self.questions
            if q.added_in > self.version
        ]

    def _ask_if_problems(self) -> list[str]:
        """``ask_if`` names an earlier yes/no or choice question of the same group with 'equals'."""
        out: list[str] = []
        earlier: dict[str, Question] = {}
        for q in self.questions:
            if q.ask_if and q.required:
                out.append(f"question '{q.id}': a question with ask_if must be required: false")
            for pred in q.ask_if:
                on = earlier.get(pred.question)
                if on is None or on.group != q.group or on.type not in ("bool", "choice"):
                    out.append(
                        f"question '{q.id}'.ask_if: '{pred.question}' must be an earlier yes/no or choice "
                        "question of the same group"
                    )
                elif pred.equals is None:
                    out.append(f"question '{q.id}'.ask_if: only 'equals' is allowed")
                else:
                    out.extend(f"question '{q.id}'.ask_if: {p}" for p in _predicate_problems(pred, earlier))
            earlier[q.id] = q
        return out

    def _condition_plan_problems(self) -> list[str]:
        out: list[str] = []
        ids = {c.id: c for c in self.conditions}
        seen: set[str] = set()
        for plan in self.condition_plans:
            cond = ids.get(plan.condition)
            if cond is None:
                out.append(f"condition_plans: unknown condition '{plan.condition}'")
                continue
            if plan.condition in seen:
                out.append(f"condition_plans: two plans for '{plan.condition}'")
            seen.add(plan.condition)
            if cond.self_manageable and (
                not plan.exercises or plan.running is None or not plan.see_clinician
            ):
                out.append(
                    f"condition_plans[{plan.condition}]: a self-manageable condition needs exercises, "
                    "running and see_clinician"
                )
            if not cond.self_manageable and (plan.exercises or plan.running is not None):
                out.append(
                    f"condition_plans[{plan.condition}]: the condition is not self-manageable; "
                    "only after_clearance steps are allowed"
                )
        return out


def _predicate_problems(pred: Predicate, questions: dict[str, Question]) -> list[str]:
    """Why a predicate cannot be evaluated against the questionnaire (empty when fine)."""
    q = questions.get(pred.question)
    if q is None:
        return [f"unknown question '{pred.question}'"]
    choices = set(q.choice_ids())
    return [
        *_equals_problems(pred, q, choices),
        *_one_of_problems(pred, q, choices),
        *_bound_problems(pred, q),
        *_multi_problems(pred, q, choices),
    ]


def _equals_problems(pred: Predicate, q: Question, choices: set[str]) -> list[str]:
    if pred.equals is None:
        return []
    value = pred.equals
    if q.type == "bool" and not isinstance(value, bool):
        return [f"'{q.id}' is yes/no; equals must be true or false, got {value!r}"]
    if q.type == "choice" and value not in choices:
        return [f"'{q.id}' has no choice {value!r} (choices: {sorted(choices)})"]
    if q.type in ("int", "number", "scale") and (isinstance(value, (bool, str))):
        return [f"'{q.id}' is a number; equals got {value!r}"]
    if q.type in ("multi", "date", "text"):
        return [f"'{q.id}' is a {q.type} question; use includes/excludes or no predicate"]
    return []


def _one_of_problems(pred: Predicate, q: Question, choices: set[str]) -> list[str]:
    if pred.one_of is None:
        return []
    if q.type != "choice":
        return [f"one_of needs a choice question; '{q.id}' is {q.type}"]
    return [
        f"'{q.id}' has no choice {v!r} (choices: {sorted(choices)})" for v in pred.one_of if v not in choices
    ]


def _bound_problems(pred: Predicate, q: Question) -> list[str]:
    if pred.at_least is None and pred.at_most is None:
        return []
    if q.type not in ("int", "number", "scale"):
        return [f"at_least/at_most need a number question; '{q.id}' is {q.type}"]
    out: list[str] = []
    for name in ("at_least", "at_most"):
        bound = getattr(pred, name)
        if bound is None:
            continue
        if (q.min is not None and bound < q.min) or (q.max is not None and bound > q.max):
            out.append(f"{name} {bound} is outside the range of '{q.id}' ({q.min}-{q.max})")
    return out


def _multi_problems(pred: Predicate, q: Question, choices: set[str]) -> list[str]:
    out: list[str] = []
    for name in ("includes", "excludes", "includes_any"):
        value = getattr(pred, name)
        if value is None:
            continue
        if q.type != "multi":
            out.append(f"{name} needs a multi question; '{q.id}' is {q.type}")
            continue
        for one in value if isinstance(value, list) else [value]:
            if one not in choices:
                out.append(f"'{q.id}' has no choice '{one}' (choices: {sorted(choices)})")
    return out


Question.model_rebuild()
