"""Schemas for the plan engine's rules (phases, pain monitoring, return to run, load caps,
escalation, drivers, adjuncts, recurrence) and for the outcome instruments (FAAM, PSFS, pain NRS).

Every rule carries ``grade`` and ``sources`` so that a number shown to a runner can always say
where it comes from; cut-offs chosen by convention are graded ``rule_of_thumb``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field, model_validator

from heelcoach.knowledge.schema import (
    DriverId,
    EvidenceGrade,
    Id,
    Irritability,
    Model,
    Phase,
    SafetyFlag,
)
from heelcoach.knowledge.templating import fill_in


class SourcedRule(Model):
    """A rule with its evidence grade, sources and a note (e.g. 'applied by analogy')."""

    grade: EvidenceGrade
    sources: list[Id] = Field(min_length=1)
    note: str = ""


class PainMonitoring(SourcedRule):
    """Silbernagel's pain-monitoring model, NRS 0-10."""

    during_safe_max: int = Field(ge=0, le=10)
    during_acceptable_max: int = Field(ge=0, le=10)
    after_max: int = Field(ge=0, le=10)
    settle_by_next_morning: bool = True
    morning_pain_may_not_rise: bool = True
    morning_rise_points: float = Field(
        gt=0, le=10, description="rise in weekly mean first-step pain that counts as 'rising'"
    )
    next_morning_rise_points: int = Field(
        ge=1, le=10, description="rise in first-step pain the morning after a run that marks it as harmful"
    )
    plain: str = Field(min_length=10, description="templated: {field} is filled from this rule")

    @model_validator(mode="before")
    @classmethod
    def _fill_plain(cls, data: Any) -> Any:
        return fill_in(data, "plain")

    @model_validator(mode="after")
    def _ordered(self) -> PainMonitoring:
        if self.during_safe_max > self.during_acceptable_max:
            raise ValueError("during_safe_max must not exceed during_acceptable_max")
        return self


class IrritabilityRule(SourcedRule):
    """How intake answers map to high / moderate / low irritability."""

    high_first_step_pain_min: int = Field(ge=0, le=10)
    high_worst_pain_min: int = Field(ge=0, le=10)
    high_if_rest_or_night_pain: bool = True
    low_first_step_pain_max: int = Field(ge=0, le=10)
    low_worst_pain_max: int = Field(ge=0, le=10)
    low_run_pain_max: int = Field(ge=0, le=10)
    recent_onset_weeks: int = Field(ge=0, le=52, description="under this, irritability is at least moderate")
    start_phase: dict[Irritability, Phase]


class PhaseRule(SourcedRule):
    """One phase: its goal, how it starts and the criteria to move to the next."""

    phase: Phase
    goal: str = Field(min_length=10)
    entry: str = Field(min_length=10)
    exit_to: Phase | None = None
    exit_text: str = Field(min_length=5, description="templated: {field} is filled from this phase's rule")
    min_weeks: int = Field(ge=1, le=52)
    exit_first_step_pain_max: int | None = Field(default=None, ge=0, le=10)
    exit_activity_pain_max: int | None = Field(default=None, ge=0, le=10)
    exit_sustained_days: int = Field(default=7, ge=1, le=56)
    exit_min_adherence: float | None = Field(default=None, ge=0, le=1)
    exit_no_next_morning_worse: bool = False
    exit_requires_run_mode: str | None = Field(
        default=None, description="'continuous': the walk/run stages must be complete first"
    )
    run_volume_pct: float = Field(gt=0, le=200, description="weekly distance vs the runner's usual")
    strength_days_max: int = Field(ge=1, le=7)
    power_exercises: bool = False

    @model_validator(mode="before")
    @classmethod
    def _fill_exit_text(cls, data: Any) -> Any:
        return fill_in(data, "exit_text")


class WalkRunStage(Model):
    """One stage of the walk/run return table."""

    stage: int = Field(ge=1, le=20)
    walk_min: float = Field(ge=0, le=10)
    run_min: float = Field(gt=0, le=60)
    distance_km: float = Field(gt=0, le=20)
    text: str = Field(min_length=5)


class ReturnToRun(SourcedRule):
    """The walk/run table with its rules (Trials 2023)."""

    stages: list[WalkRunStage] = Field(min_length=2)
    effort: str = Field(min_length=3)
    repeats_per_stage_min: int = Field(ge=1, le=10)
    rest_day_between_runs: bool = True
    runs_per_week_max: int = Field(ge=1, le=7)
    no_progress_if: list[str] = Field(min_length=1)
    surface: str = Field(min_length=3)

    @model_validator(mode="after")
    def _stages_consecutive(self) -> ReturnToRun:
        numbers = [s.stage for s in self.stages]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"stages must be numbered 1..n in order, got {numbers}")
        return self


class RuleValue(SourcedRule):
    """A single number with its meaning."""

    value: float
    plain: str = Field(min_length=5, description="templated: {value} is filled from the value")

    @model_validator(mode="before")
    @classmethod
    def _fill_plain(cls, data: Any) -> Any:
        return fill_in(data, "plain")


class LoadCaps(Model):
    """Caps on single runs and weekly distance."""

    single_run_increase_pct: RuleValue
    after_spike_increase_pct: RuleValue
    weekly_increase_pct: RuleValue
    weekly_increase_danger_pct: RuleValue
    ten_percent_rule: RuleValue
    continuous_min_km: RuleValue


class CadenceCue(SourcedRule):
    """Step-rate cue when the gait analysis reports overstriding."""

    increase_pct_min: float = Field(gt=0, le=20)
    increase_pct_max: float = Field(gt=0, le=20)
    plain: str = Field(min_length=10)


class EscalationRule(SourcedRule):
    """When to involve a clinician and what they can offer."""

    id: Id
    plain: str = Field(min_length=10)
    after_weeks: int | None = Field(default=None, ge=1, le=104)
    symptom_weeks_over: int | None = Field(default=None, ge=1, le=520)
    min_adherence: float | None = Field(default=None, ge=0, le=1)
    meaningful_first_step_drop: float | None = Field(default=None, gt=0, le=10)
    options: list[str] = Field(default_factory=list)


class DriverWeighting(SourcedRule):
    """How evidence weights combine into a driver strength."""

    method: str = Field(pattern=r"^noisy_or$")
    active_threshold: float = Field(gt=0, lt=1)
    plain: str = Field(min_length=10)


class AdjunctLimits(SourcedRule):
    """Passive adjuncts: limited in time, number and to when pain is high enough."""

    max_weeks: int = Field(ge=1, le=52)
    min_first_step_pain: int = Field(ge=0, le=10)
    max_items: int = Field(ge=0, le=10)
    never_more_days_than_strength: bool = True
    night_splint_min_first_step_pain: int = Field(ge=0, le=10)
    equipment_to_therapy: dict[str, Id] = Field(default_factory=dict)
    tried_to_therapy: dict[str, Id] = Field(default_factory=dict)
    safety_excludes_kinds: dict[SafetyFlag, list[str]] = Field(default_factory=dict)


class HighLoadRule(SourcedRule):
    """When heavy (Rathleff-style) heel raises are allowed."""

    exercise_ids: list[Id] = Field(min_length=1)
    allowed_irritability: list[Irritability] = Field(min_length=1)


class RecurrenceRule(SourcedRule):
    """The passive-care loop of seed 000, with thresholds."""

    window_days: int = Field(ge=7, le=120)
    passive_only_days_min: int = Field(ge=1, le=60)
    relief_points: float = Field(gt=0, le=10)
    pain_back_points: float = Field(gt=0, le=10)
    strength_done_share_max: float = Field(ge=0, le=1)
    message: str = Field(min_length=20)


class SessionTime(SourcedRule):
    """How long one time of an item takes, estimated from its dose (to fit the runner's session)."""

    seconds_per_rep: float = Field(gt=0, le=20, description="one repetition without a tempo")
    rest_between_sets_s: float = Field(ge=0, le=300)
    setup_s: float = Field(ge=0, le=300, description="getting into place, per item")
    plain: str = Field(min_length=10)


class Selection(Model):
    """Which exercises the plan picks for what (clinical reasoning, ordered by preference)."""

    stretches: list[Id] = Field(min_length=1)
    stretch_grade_note: str = Field(min_length=5)
    foot_intrinsics: list[Id] = Field(min_length=1)
    calf: list[Id] = Field(min_length=1)
    per_driver: dict[DriverId, list[Id]]
    per_driver_count: int = Field(ge=1, le=5)
    power: list[Id] = Field(default_factory=list)
    minutes_per_exercise: float = Field(gt=0, le=30)
    min_strength_exercises: int = Field(ge=1, le=10)
    household_equipment_note: str = ""
    equipment_substitutes: dict[str, str] = Field(
        default_factory=dict, description="missing equipment -> how to do it without"
    )
    maintenance_strength_days: int = Field(ge=1, le=7)
    session_time: SessionTime
    shoe_replace_km: RuleValue
    footwear_old_shoes: Id
    footwear_general_count: int = Field(ge=0, le=5)
    cross_training_count: int = Field(ge=0, le=4)


class ScreenRules(SourcedRule):
    """How self-test verdicts turn into driver evidence."""

    concern_weight: float = Field(ge=0, le=1)
    borderline_weight: float = Field(ge=0, le=1)
    asymmetry_weight: float = Field(ge=0, le=1)
    referral_tests: list[Id] = Field(default_factory=list, description="a positive result means referral")


class IntakeEvidenceRules(SourcedRule):
    """How intake answers turn into driver evidence."""

    recent_load_increase_weight: float = Field(ge=0, le=1)
    onset_after_training_increase_weight: float = Field(ge=0, le=1)
    bmi_high: float = Field(gt=15, lt=60)
    bmi_high_weight: float = Field(ge=0, le=1)
    bmi_caveat: str = Field(min_length=10)
    foot_type_weight: float = Field(ge=0, le=1)
    old_shoes_weight: float = Field(ge=0, le=1)
    spike_weights: dict[str, float] = Field(description="LoadSnapshot spike_band -> weight")


class ProgressionRule(SourcedRule):
    """How fast the weekly review moves exercises up (the pace of progression).

    An exercise moves up only in a week whose pain during and after activity stayed in the safe
    band (``pain_monitoring.during_safe_max``), whose morning pain is mild and not rising, and when
    it was done on most of its days; then at most ``max_items_per_review`` exercises move up, the
    highest priority first.
    """

    max_items_per_review: int = Field(ge=1, le=20, description="exercises moved up per weekly review")
    progress_first_step_pain_mean_max: float = Field(
        ge=0, le=10, description="highest weekly mean first-step pain (NRS) in a week that may progress"
    )
    progress_morning_rise_max_points: float = Field(
        ge=0, le=10, description="largest rise of mean first-step pain vs the week before that may progress"
    )
    item_adherence_min: float = Field(
        gt=0, le=1, description="share of an exercise's prescribed days done for it to move up"
    )
    min_weeks_at_level: dict[Id, int] = Field(
        default_factory=dict, description="exercise id -> weeks at a level before it may move up (default 1)"
    )
    adherence_window_days: int = Field(
        default=14, ge=7, le=28, description="days over which overall adherence is judged (phases, referral)"
    )
    priority_first: list[Id] = Field(
        default_factory=list, description="exercises that move up before all others (the core loading)"
    )
    category_order: list[Literal["strength", "stretch", "mobility", "balance", "power", "motor_control"]] = (
        Field(min_length=1, description="exercise categories in order of priority (strength first)")
    )
    plain: str = Field(min_length=10)


class FlareResponse(SourcedRule):
    """What a flare costs the running: one step back, then back to the last tolerated week."""

    step_back_pct: float = Field(gt=0, le=50, description="cut below the last tolerated week's km")
    return_weeks: int = Field(ge=1, le=6, description="pain-free weeks to climb back to it")
    floor_share_of_ran: float = Field(
        ge=0, le=1, description="the cap stays at least this share of the km run, unless pain was too high"
    )
    phase_back_after_flare_weeks: int = Field(
        ge=1, le=4, description="flare weeks in a row that step a phase back"
    )
    plain: str = Field(min_length=10)


class WarningSign(Model):
    """A symptom a check-in may report that stops running and loading until a clinician has seen it."""

    id: Id
    plain: str = Field(min_length=3)


class CheckinWarningSigns(SourcedRule):
    """Warning signs asked at every check-in, and the referral they trigger."""

    signs: list[WarningSign] = Field(min_length=1)
    referral: str = Field(min_length=20, description="text with {what}: the signs reported")

    def plain(self, ids: Sequence[str]) -> str:
        """The reported signs in words ('a fever and pain at night'); unknown ids as words."""
        known = {s.id: s.plain for s in self.signs}
        words = [known.get(i, i.replace("_", " ")) for i in dict.fromkeys(ids)]
        if not words:
            return "a warning sign"
        return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


class DailyColour(Model):
    """What one colour of the same-day answer tells the runner to do."""

    title: str = Field(min_length=3)
    do: list[str] = Field(min_length=1)


class DailyAnswerRule(SourcedRule):
    """The same-day answer to the morning check-in (green / amber / red).

    The pain bands are those of ``pain_monitoring`` and the red first-step cut-off is
    ``irritability.high_first_step_pain_min``; only what they do not say is held here.
    """

    amber_run_share_pct: float = Field(gt=0, le=100, description="share of the planned run on an amber day")
    green: DailyColour
    amber: DailyColour
    red: DailyColour
    warning_sign: DailyColour = Field(description="red because of a warning sign: the plan pauses")
    watch_for: list[str] = Field(min_length=1, description="what to watch for on a red day")
    plain: str = Field(min_length=10)


class GuidedSessionRule(SourcedRule):
    """Numbers the guided session uses that are not an exercise's dose."""

    metronome_bpm: int = Field(ge=20, le=240, description="the heel-raise test's pace")
    metronome_test: str = Field(min_length=3, description="the self-test that asks for the metronome")
    rest_between_sets_s: int = Field(ge=0, le=600)
    relax_between_holds_s: int = Field(ge=0, le=120)
    plain: str = Field(min_length=10)


class RuleTexts(Model):
    """What each named rule of the engine means, for a clinician (``RuleId``, ``DailyRuleId``)."""

    weekly_review: dict[Id, str] = Field(min_length=1)
    daily_answer: dict[Id, str] = Field(min_length=1)


class PlanRules(Model):
    """Numbers and criteria the plan engine uses, each with its sources."""

    screen: ScreenRules
    intake_evidence: IntakeEvidenceRules

    pain_monitoring: PainMonitoring
    irritability: IrritabilityRule
    phases: list[PhaseRule] = Field(min_length=4, max_length=4)
    return_to_run: ReturnToRun
    load_caps: LoadCaps
    cadence_cue: CadenceCue
    escalation: list[EscalationRule] = Field(min_length=1)
    driver_weighting: DriverWeighting
    adjuncts: AdjunctLimits
    high_load: HighLoadRule
    recurrence: RecurrenceRule
    selection: Selection
    keep_running: RuleValue
    min_checkins_per_week: RuleValue
    progression: ProgressionRule
    flare_response: FlareResponse
    checkin_warning_signs: CheckinWarningSigns
    daily_answer: DailyAnswerRule
    guided_session: GuidedSessionRule
    rule_texts: RuleTexts

    @model_validator(mode="before")
    @classmethod
    def _fill_texts(cls, data: Any) -> Any:
        """Texts that quote another section's numbers (the pain bands) are filled with both."""
        if not isinstance(data, dict) or not isinstance(data.get("pain_monitoring"), dict):
            return data
        pain = {f"pain_{k}": v for k, v in data["pain_monitoring"].items()}
        data = dict(data)
        for key in ("progression", "flare_response", "cadence_cue", "driver_weighting", "guided_session"):
            if isinstance(data.get(key), dict):
                data[key] = fill_in(data[key], "plain", {**pain, **data[key]})
        caps = data.get("load_caps")
        if isinstance(caps, dict):  # a cap's text may quote another cap: {weekly_increase_danger_pct}
            values = {k: v["value"] for k, v in caps.items() if isinstance(v, dict) and "value" in v}
            data["load_caps"] = {
                k: fill_in(v, "plain", {**values, **v}) if isinstance(v, dict) else v for k, v in caps.items()
            }
        if isinstance(data.get("escalation"), list):
            data["escalation"] = [
                fill_in(rule, "plain", {**pain, **rule}) if isinstance(rule, dict) else rule
                for rule in data["escalation"]
            ]
        return data

    @model_validator(mode="after")
    def _phases_in_order(self) -> PlanRules:
        order = [p.phase for p in self.phases]
        if order != ["settle", "build", "return", "maintain"]:
            raise ValueError(f"phases must be settle, build, return, maintain in order, got {order}")
        for rule, nxt in zip(self.phases, [*order[1:], None], strict=True):
            if rule.exit_to != nxt:
                raise ValueError(f"phase {rule.phase} must exit to {nxt} (phases never skip)")
        return self

    def phase(self, phase: Phase) -> PhaseRule:
        """The rule of one phase."""
        return next(p for p in self.phases if p.phase == phase)

    def check_refs(self, known_sources: set[str]) -> list[str]:
        """Return cross-reference problems (empty when consistent); sources are walked by the loader."""
        problems: list[str] = []
        ids = [e.id for e in self.escalation]
        if len(ids) != len(set(ids)):
            problems.append("escalation: duplicate rule ids")
        return problems


class FaamItem(Model):
    """One FAAM item (short label in our own words)."""

    id: Id
    label: str = Field(min_length=3)


class FaamSubscale(Model):
    """A FAAM subscale with its scoring rule."""

    items: list[FaamItem] = Field(min_length=1)
    min_answered: int = Field(ge=1)
    mcid_points: RuleValue

    @model_validator(mode="after")
    def _min_fits(self) -> FaamSubscale:
        if self.min_answered > len(self.items):
            raise ValueError("min_answered exceeds the number of items")
        return self


class Faam(SourcedRule):
    """Foot and Ankle Ability Measure."""

    name: str
    scale: dict[int, str] = Field(description="answer value -> label, 4 best .. 0 unable")
    not_applicable_label: str
    scoring: str = Field(min_length=10)
    adl: FaamSubscale
    sports: FaamSubscale

    @model_validator(mode="after")
    def _unique_ids(self) -> Faam:
        ids = [i.id for i in (*self.adl.items, *self.sports.items)]
        if len(ids) != len(set(ids)):
            raise ValueError("FAAM item ids must be unique across subscales")
        return self


class Psfs(SourcedRule):
    """Patient-Specific Functional Scale."""

    name: str
    activities_min: int = Field(ge=1, le=10)
    activities_max: int = Field(ge=1, le=10)
    rating_min: float
    rating_max: float
    anchors: str = Field(min_length=5)
    mcid_points: RuleValue


class PainNrs(SourcedRule):
    """First-step pain on a 0-10 numeric rating scale."""

    name: str
    value_min: int
    value_max: int
    question: str = Field(min_length=10)
    mcid_points: RuleValue


class OutcomeInstruments(Model):
    """Outcome questionnaires: items, scales, scoring rules, minimal important differences."""

    faam: Faam
    psfs: Psfs
    first_step_pain: PainNrs

    def check_refs(self, known_sources: set[str]) -> list[str]:
        """Return cross-reference problems (empty when consistent)."""
        problems = []
        if sorted(self.faam.scale) != [0, 1, 2, 3, 4]:
            problems.append("faam.scale must define the values 0..4")
        return problems
