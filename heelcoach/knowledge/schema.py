"""Typed schemas for the clinical knowledge base: the shared vocabulary every layer speaks.

Every clinical item has a stable id, plain-language text for a runner, and ``sources`` that name
entries of ``references.yaml``. Interventions also carry an evidence grade.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", min_length=2, max_length=64)]

#: How strong the evidence is. A-F follow the JOSPT clinical practice guideline grades:
#: A strong, B moderate, C weak, D conflicting, E theoretical/foundational, F expert opinion.
#: ``none``: no trial in plantar heel pain; ``against``: evidence or guideline recommends against;
#: ``rule_of_thumb``: lore or a convention, shown as such and never as evidence;
#: ``not_graded``: facts and education that are not interventions.
EvidenceGrade = Literal["A", "B", "C", "D", "E", "F", "none", "against", "rule_of_thumb", "not_graded"]

#: The drivers that overload the plantar fascia (docs/ARCHITECTURE.md "Driver").
DriverId = Literal[
    "hip_control",
    "knee_control",
    "foot_intrinsics",
    "calf_capacity",
    "ankle_mobility",
    "balance",
    "load_spike",
    "footwear",
    "body_mass",
]
DRIVER_IDS: tuple[DriverId, ...] = (
    "hip_control",
    "knee_control",
    "foot_intrinsics",
    "calf_capacity",
    "ankle_mobility",
    "balance",
    "load_spike",
    "footwear",
    "body_mass",
)

#: Answers that rule out some passive therapies or tools (docs/EVIDENCE.md section 4).
SafetyFlag = Literal[
    "diabetes_reduced_sensation",
    "anticoagulant_or_bleeding",
    "pregnancy",
    "skin_wound_or_infection",
    "suspected_fracture",
    "suspected_clot",
    "poor_circulation",
]
SAFETY_FLAGS: tuple[SafetyFlag, ...] = (
    "diabetes_reduced_sensation",
    "anticoagulant_or_bleeding",
    "pregnancy",
    "skin_wound_or_infection",
    "suspected_fracture",
    "suspected_clot",
    "poor_circulation",
)

#: Plan phases, in order; progression never skips one.
Phase = Literal["settle", "build", "return", "maintain"]
PHASES: tuple[Phase, ...] = ("settle", "build", "return", "maintain")

#: How easily the heel is provoked; decides starting doses.
Irritability = Literal["high", "moderate", "low"]

Target = Literal[
    "foot_intrinsics", "calf", "plantar_fascia", "achilles", "hip", "knee", "ankle", "balance", "power"
]


class Model(BaseModel):
    """Base for every knowledge model: unknown keys are an error, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(Model):
    """A clinical item with a stable id, a runner-facing explanation and its sources."""

    id: Id
    name: str = Field(min_length=2)
    plain: str = Field(min_length=10, description="plain English for a runner")
    sources: list[Id] = Field(min_length=1, description="ids in references.yaml")


class Step(Model):
    """One step of instructions, with its own id so that seed items can point at it."""

    id: Id
    text: str = Field(min_length=3)


class Reference(Model):
    """A source: a seed article, a guideline, a trial, a review."""

    id: Id
    citation: str = Field(min_length=5)
    kind: Literal["seed", "guideline", "trial", "review", "cohort", "case_report", "expert", "other"]
    year: int | None = None
    url: str | None = None
    participants: int | None = Field(default=None, ge=1, description="how many people a study followed")
    population: str = Field(default="people", description="who they were, plural: 'runners'")
    note: str = ""


class Dose(Model):
    """How much of an exercise or adjunct. Ranges are inclusive; unused fields stay None."""

    sets_min: int | None = Field(default=None, ge=1, le=10)
    sets_max: int | None = Field(default=None, ge=1, le=10)
    reps_min: int | None = Field(default=None, ge=1, le=100)
    reps_max: int | None = Field(default=None, ge=1, le=100)
    hold_s_min: float | None = Field(default=None, gt=0, le=600)
    hold_s_max: float | None = Field(default=None, gt=0, le=600)
    minutes_min: float | None = Field(default=None, gt=0, le=120)
    minutes_max: float | None = Field(default=None, gt=0, le=120)
    tempo: str | None = Field(default=None, description="seconds up-hold-down, e.g. '3-2-3'")
    times_per_day: int = Field(default=1, ge=1, le=6)
    days_per_week: int = Field(ge=1, le=7)
    per_side: bool = True
    load: str | None = Field(default=None, description="e.g. 'body weight', 'backpack with books'")
    rm: int | None = Field(default=None, ge=1, le=30, description="repetition maximum, for high-load work")

    @model_validator(mode="after")
    def _ranges_ordered(self) -> Dose:
        for low, high in (
            ("sets_min", "sets_max"),
            ("reps_min", "reps_max"),
            ("hold_s_min", "hold_s_max"),
            ("minutes_min", "minutes_max"),
        ):
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"{low} ({lo}) is larger than {high} ({hi})")
        return self


class ExerciseLevel(Model):
    """One rung of an exercise's ladder, from easiest (level 1) to hardest."""

    level: int = Field(ge=1, le=10)
    name: str
    instructions: list[str] = Field(min_length=1)
    dose: Dose
    advance_when: str = Field(min_length=5, description="the criterion to move to the next level")
    needs: list[str] = Field(
        default_factory=list,
        description="equipment this level cannot do without (no substitute): a runner without it "
        "stays at the level below",
    )


class Exercise(Item):
    """An exercise with its ladder of levels; progression moves one level at a time."""

    category: Literal["strength", "stretch", "mobility", "balance", "power", "motor_control"]
    targets: list[Target] = Field(min_length=1)
    drivers: list[DriverId] = Field(default_factory=list, description="drivers this exercise addresses")
    equipment: list[str] = Field(default_factory=list)
    feel: str = Field(min_length=5, description="what the runner should feel")
    stop_if: str = Field(min_length=5, description="when to stop")
    levels: list[ExerciseLevel] = Field(min_length=1)
    start_level: int = Field(default=1, ge=1)
    earliest_phase: Phase = "settle"
    max_irritability: Irritability = Field(
        default="high", description="the most irritable state in which it may be prescribed"
    )
    evidence: EvidenceGrade
    evidence_note: str = Field(min_length=5)

    @model_validator(mode="after")
    def _levels_consecutive(self) -> Exercise:
        numbers = [lv.level for lv in self.levels]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"levels must be numbered 1..n in order, got {numbers}")
        if self.start_level > len(self.levels):
            raise ValueError(f"start_level {self.start_level} beyond the {len(self.levels)} levels")
        return self


class Norm(Model):
    """How to read a self-test value. ``good`` and ``concern`` are cut-offs in the test's unit."""

    higher_is_better: bool = True
    good: float
    concern: float
    asymmetry_pct: float | None = Field(
        default=None, gt=0, le=100, description="side-to-side difference (% of the better side) that counts"
    )
    grade: EvidenceGrade
    sources: list[Id] = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _cutoffs_ordered(self) -> Norm:
        if self.higher_is_better and self.concern > self.good:
            raise ValueError("with higher_is_better, concern must not exceed good")
        if not self.higher_is_better and self.concern < self.good:
            raise ValueError("with lower values better, concern must not be below good")
        return self


class SelfTest(Item):
    """A test a runner can do at home, with instructions, a unit and a norm."""

    kind: Literal["capacity", "mobility", "balance", "quality", "provocation"]
    unit: Literal["reps", "cm", "s", "score", "yes_no", "deg"]
    sided: bool = True
    measures: list[DriverId] = Field(default_factory=list)
    instructions: list[Step] = Field(min_length=1)
    safety: str = Field(min_length=5, description="when not to do the test")
    value_min: float = 0
    value_max: float
    norm: Norm | None = Field(default=None, description="None for yes/no provocation checks")
    positive_means: str | None = Field(default=None, description="for yes/no checks: what a 'yes' suggests")


class PassiveTherapy(Item):
    """A passive therapy or tool: always an adjunct with a purpose and a time limit."""

    kind: Literal[
        "self_massage",
        "massage",
        "tool",
        "taping",
        "cold",
        "heat",
        "night_splint",
        "orthosis",
        "footwear",
        "clinician",
    ]
    purpose: str = Field(min_length=5)
    how: list[Step] = Field(min_length=1)
    dose: Dose | None = None
    time_limit_weeks: int | None = Field(default=None, ge=1, le=52)
    evidence: EvidenceGrade
    evidence_note: str = Field(min_length=5)
    contraindications: list[SafetyFlag] = Field(default_factory=list)
    cautions: list[str] = Field(default_factory=list)
    self_administered: bool = True
    claims_not_supported: list[str] = Field(
        default_factory=list, description="marketing claims from a source that the evidence does not back"
    )


class Habit(Item):
    """A prevention habit."""

    evidence: EvidenceGrade
    evidence_note: str = ""


class EducationTopic(Item):
    """Something a runner should understand, as a short article."""

    title: str
    body: list[str] = Field(min_length=1, description="paragraphs")


class RiskFactor(Item):
    """A risk factor for heel pain, linked to the driver it feeds where there is one."""

    driver: DriverId | None = None
    modifiable: bool = True
    evidence: EvidenceGrade


class ManagementOption(Item):
    """A management option named by a source, with where it sits in the plan."""

    plan_role: Literal["core", "adjunct", "assessment", "escalation", "load", "education"]
    evidence: EvidenceGrade
    evidence_note: str = ""


class CrossTraining(Item):
    """A lower-impact way to keep fitness while the heel settles."""

    impact: Literal["none", "low", "moderate"]
    heel_load: Literal["minimal", "low", "moderate"]
    evidence: EvidenceGrade


class FootwearAdvice(Item):
    """Footwear or orthosis advice for a foot type or situation."""

    foot_type: Literal["flat", "high_arch", "neutral", "any"]
    evidence: EvidenceGrade
    evidence_note: str = ""
