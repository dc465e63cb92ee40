"""The plan as plain text, as a physical therapist would hand it over, and its dose lines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from heelcoach import DISCLAIMER
from heelcoach.domain.plan import WEEKDAYS, ItemKind, Plan, PlanItem, RunPrescription, run_for_stage
from heelcoach.domain.units import DistanceUnit, distance, in_unit
from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.catalogue import short_citation

__all__ = ["format_dose", "format_plan_text", "grade_label"]

_GROUPS: tuple[tuple[str, ItemKind], ...] = (
    ("EXERCISES", "exercise"),
    ("RUNNING ALTERNATIVES", "cross_training"),
    ("OPTIONAL SYMPTOM RELIEF (adjuncts, time-limited)", "adjunct"),
    ("FOOTWEAR", "footwear"),
    ("READ THIS", "education"),
    ("CLINICIAN", "escalation"),
)


def _amount(dose: Mapping[str, Any]) -> list[str]:
    """Sets, repetitions, hold and minutes: '3 x 12', 'hold 10 s', '5 min'."""
    parts: list[str] = []
    if "sets" in dose and "reps" in dose:
        parts.append(f"{dose['sets']} x {dose['reps']}")
    elif "reps" in dose:
        parts.append(f"{dose['reps']} times")
    elif "sets" in dose:
        parts.append(f"{dose['sets']} sets")
    if "hold_s" in dose:
        parts.append(f"hold {dose['hold_s']:g} s")
    if "minutes" in dose:
        parts.append(f"{dose['minutes']:g} min")
    return parts


def _how(dose: Mapping[str, Any]) -> list[str]:
    """How heavy and how slow, each side."""
    parts: list[str] = []
    if dose.get("rm"):
        parts.append(f"heavy enough that {dose['rm']} is all you can do ({dose['rm']}RM)")
    if dose.get("tempo"):
        parts.append(f"tempo {dose['tempo']} s up-hold-down")
    if dose.get("load"):
        parts.append(str(dose["load"]))
    if dose.get("per_side"):
        parts.append("each side")
    return parts


def _how_often(dose: Mapping[str, Any]) -> list[str]:
    """Times a day, days a week, and what a running alternative replaces."""
    parts: list[str] = []
    if dose.get("times_per_day", 1) > 1:
        parts.append(f"{dose['times_per_day']} times a day")
    if "days_per_week" in dose:
        parts.append(f"{dose['days_per_week']} days a week")
    parts += [str(dose[key]) for key in ("instead_of", "effort") if dose.get(key)]
    return parts


def format_dose(dose: Mapping[str, Any]) -> str:
    """A dose as a short line: '3 x 12 (12RM), tempo 3-2-3, 3 days a week'."""
    return ", ".join([*_amount(dose), *_how(dose), *_how_often(dose)])


def grade_label(grade: str) -> str:
    """A plain label of an evidence grade, e.g. 'grade B (moderate evidence)'."""
    return {
        "A": "grade A (strong evidence)",
        "B": "grade B (moderate evidence)",
        "C": "grade C (weak evidence)",
        "D": "grade D (conflicting evidence)",
        "E": "grade E (theory / expert consensus)",
        "F": "grade F (expert opinion)",
        "none": "no trial in heel pain",
        "against": "evidence against",
        "rule_of_thumb": "rule of thumb, not evidence",
        "not_graded": "background",
    }.get(grade, grade)


def _wrap(text: str, indent: str = "    ", width: int = 96) -> list[str]:
    words, lines, line = text.split(), [], indent
    # continuation lines of a bullet ("- ...") hang under its text
    hang = indent + "  " if text.startswith("- ") else indent
    for w in words:
        if len(line) + len(w) + 1 > width and line.strip():
            lines.append(line.rstrip())
            line = hang
        line += w + " "
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _sources_line(ids: Sequence[str], catalogue: Catalogue) -> str:
    """Sources as author and year ("Rathleff et al. 2015"), never as ids."""
    names = [short_citation(catalogue.references[i]) for i in ids if i in catalogue.references]
    return f"sources: {'; '.join(dict.fromkeys(names))}" if names else "no published source"


def _heading(plan: Plan, catalogue: Catalogue) -> list[str]:
    """Title, the referral (if any), where you are and why, and the next step."""
    if plan.stops_loading:
        # no phase or week for someone told not to load until a clinician has seen them
        title = "YOUR HEEL PLAN - PAUSED until a clinician has seen you"
    else:
        title = f"YOUR HEEL PLAN - week {plan.week}, {plan.phase.upper()} phase"
    title += f" (plan v{plan.version}, {plan.created})"
    out = [title, "=" * len(title)]
    if plan.referral and plan.stops_loading:
        out += ["", "SEE A CLINICIAN FIRST", *_wrap(plan.referral, "  ")]
    elif plan.referral:
        out += ["", "SEE A CLINICIAN SOON - AND KEEP THIS GENTLE PLAN MEANWHILE", *_wrap(plan.referral, "  ")]
    out += ["", "Where you are and why", *_wrap(plan.rationale, "  ")]
    if not plan.stops_loading:
        out += ["", "Next step", *_wrap(catalogue.plan.phase(plan.phase).exit_text, "  ")]
    return out


def _item_lines(n: int, item: PlanItem, catalogue: Catalogue) -> list[str]:
    """One numbered item: title, dose, note, days, until, why, stop-if and evidence."""
    lvl = f" (level {item.level})" if item.level else ""
    out = [f"  {n}. {item.title}{lvl}{' [optional]' if item.optional else ''}"]
    dose = format_dose(item.dose)
    if dose:
        out += _wrap(f"Dose: {dose}")
    if item.dose.get("note"):
        out += _wrap(f"Note: {item.dose['note']}")
    if item.days:
        days = "every day" if item.days == WEEKDAYS else ", ".join(d.capitalize() for d in item.days)
        out.append(f"    Days: {days}")
    if item.until:
        out.append(f"    Until: {item.until.isoformat()} at the latest")
    out += _wrap(f"Why: {item.why}")
    ex = catalogue.exercises.get(item.ref_id) if item.kind == "exercise" else None
    if ex is not None:
        out += _wrap(f"Stop if: {ex.stop_if}")
    out.append(f"    Evidence: {grade_label(item.evidence)}; {_sources_line(item.sources, catalogue)}")
    return out


def _items(plan: Plan, catalogue: Catalogue) -> list[str]:
    """The items, grouped by kind, each group numbered from 1."""
    out: list[str] = []
    for heading, kind in _GROUPS:
        items = [i for i in plan.items if i.kind == kind]
        if not items:
            continue
        out += ["", heading]
        for n, item in enumerate(items, 1):
            out += _item_lines(n, item, catalogue)
    return out


def _run_lines(run: RunPrescription, catalogue: Catalogue, unit: DistanceUnit) -> list[str]:
    """This week's running: the mode, the caps, effort and surface, the step-rate cue and why."""
    out = ["", "RUNNING THIS WEEK"]
    if run.mode == "none":
        out.append("  No running this week.")
    elif run.mode == "walk_run":
        stage_text = run_for_stage(run.stage or 1, catalogue, unit)[1]
        out.append(
            f"  Walk/run, stage {run.stage}: {stage_text}; "
            f"{run.runs_per_week} times a week, rest day between."
        )
    else:
        out.append(f"  Continuous easy running, {run.runs_per_week} runs a week.")
    if run.max_single_run_km is not None:
        out.append(
            f"  Longest single run: {distance(run.max_single_run_km, unit)}. "
            f"Week total: at most {distance(run.weekly_km_cap or 0.0, unit)}."
        )
    if run.mode != "none":
        out.append(f"  Effort: {run.effort}. Surface: {run.surface}.")
    if run.cadence_cue_pct:
        out.append(f"  Step rate: +{run.cadence_cue_pct:g}% (shorter, quicker steps).")
    return out + _wrap(f"Why: {run.why}", "  ")


def _closing(plan: Plan, catalogue: Catalogue) -> list[str]:
    """Stop rules, what was left out on purpose, when to see a clinician, the disclaimer."""
    out: list[str] = []
    if not plan.stops_loading:
        out += ["", "STOP RULES (pain monitoring)"]
        out += [line for rule in plan.run.stop_rules for line in _wrap(f"- {rule}", "  ")]
        out += _wrap(f"({catalogue.plan.pain_monitoring.note.strip()})", "  ")
    if plan.excluded:
        out += ["", "LEFT OUT ON PURPOSE"]
        for e in plan.excluded:
            out += _wrap(f"- {e.reason}", "  ")
    out += ["", "WHEN TO SEE A CLINICIAN"]
    for rule in plan.escalation_rules:
        out += _wrap(f"- {rule}", "  ")
    return [*out, "", *_wrap(DISCLAIMER, "")]


def format_plan_text(plan: Plan, catalogue: Catalogue, unit: DistanceUnit = DistanceUnit.KM) -> str:
    """The plan as a physical therapist would hand it over, in plain text (distances in ``unit``,
    also in the texts the plan version stored when it was written in the other unit)."""
    out = [
        *_heading(plan, catalogue),
        *_items(plan, catalogue),
        *_run_lines(plan.run, catalogue, unit),
        *_closing(plan, catalogue),
    ]
    return in_unit("\n".join(out), unit) + "\n"
