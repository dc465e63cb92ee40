"""View models for the plan: phase, items with dose, why and evidence, today's share, the run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from heelcoach.domain.units import DistanceUnit, distance
from heelcoach.knowledge import Catalogue
from heelcoach.web.views import SourceView, attr, sources

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PHASE_WORDS = {
    "settle": "Settle: calm the heel down",
    "build": "Build: strength and control",
    "return": "Return: back to normal running",
    "maintain": "Maintain: keep it from coming back",
}
KIND_TITLES = {
    "exercise": "Exercises",
    "adjunct": "Optional relief (passive care)",
    "run": "Running",
    "cross_training": "Other ways to keep fit",
    "education": "Things to read",
    "footwear": "Shoes",
    "escalation": "When to get help",
}
DAY_WORDS = {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"}


def format_dose(dose: Any) -> str:
    """The plan engine's dose line (``text.plan_text.format_dose``) for a dose dict."""
    if not dose:
        return ""
    from heelcoach.text.plan_text import format_dose as engine_format

    return engine_format(dose)


@dataclass(frozen=True, slots=True)
class ItemView:
    """One plan item."""

    id: str
    kind: str
    ref_id: str
    title: str
    level: int | None
    dose: str
    days: str
    why: str
    drivers: list[str]
    evidence: str
    sources: list[SourceView]
    optional: bool
    until: str
    instructions: list[str]
    feel: str
    stop_if: str
    link: str
    #: several times a day: one tick box per time on Today
    times_per_day: int = 1


@dataclass(frozen=True, slots=True)
class RunView:
    """Running allowance and stop rules."""

    mode: str
    headline: str
    runs_per_week: int
    max_single_run_km: float | None
    weekly_km_cap: float | None
    effort: str
    surface: str
    stop_rules: list[str]
    cadence_cue_pct: float | None
    why: str
    sources: list[SourceView]


@dataclass(frozen=True, slots=True)
class PlanView:
    """The whole plan for display."""

    version: int
    phase: str
    phase_title: str
    week: int
    irritability: str
    goal: str
    forward: str
    back: str
    rationale: str
    groups: list[tuple[str, list[ItemView]]]
    excluded: list[tuple[str, str]]
    run: RunView
    escalation_rules: list[str]
    referral: str | None
    #: True when the referral stops running and loading (red box); False for 'see a clinician
    #: soon, keep this gentle plan meanwhile' (amber box) or no referral.
    referral_stops: bool = False
    #: Whether any day has exercises or relief to put in a calendar.
    has_sessions: bool = False


def _instructions(
    catalogue: Catalogue, kind: str, ref_id: str, level: int | None
) -> tuple[list[str], str, str]:
    if kind == "exercise":
        ex = catalogue.exercises.get(ref_id)
        if ex is None:
            return [], "", ""
        lv = next((x for x in ex.levels if x.level == level), ex.levels[0])
        return list(lv.instructions), ex.feel, ex.stop_if
    if kind == "adjunct":
        p = catalogue.passive.get(ref_id)
        if p is None:
            return [], "", ""
        return [s.text for s in p.how], p.purpose, "; ".join(p.cautions)
    return [], "", ""


def item_view(catalogue: Catalogue, item: Any) -> ItemView:
    """One plan item with its instructions from the catalogue."""
    kind = str(attr(item, "kind"))
    ref_id = str(attr(item, "ref_id"))
    level = attr(item, "level")
    steps, feel, stop_if = _instructions(catalogue, kind, ref_id, level)
    days = list(attr(item, "days", ()) or ())
    until = attr(item, "until")
    link = f"/learn/{ref_id}" if kind == "education" and ref_id in catalogue.education else ""
    return ItemView(
        id=str(attr(item, "id")),
        kind=kind,
        ref_id=ref_id,
        title=str(attr(item, "title")),
        level=level,
        dose=format_dose(attr(item, "dose")),
        days="every day" if len(days) == 7 else ", ".join(DAY_WORDS.get(d, d) for d in days),
        why=str(attr(item, "why", "")),
        drivers=[str(d).replace("_", " ") for d in attr(item, "drivers", ()) or ()],
        evidence=str(attr(item, "evidence", "not_graded")),
        sources=sources(catalogue, list(attr(item, "sources", ()) or ())),
        optional=bool(attr(item, "optional", False)),
        until=until.isoformat() if isinstance(until, date) else str(until or ""),
        instructions=steps,
        feel=feel,
        stop_if=stop_if,
        link=link,
        times_per_day=max(1, int((attr(item, "dose") or {}).get("times_per_day", 1) or 1)),
    )


def run_view(catalogue: Catalogue, run: Any, unit: DistanceUnit = DistanceUnit.KM) -> RunView:
    """The running allowance in words (distances in ``unit``)."""
    mode = str(attr(run, "mode", "none"))
    per_week = int(attr(run, "runs_per_week", 0) or 0)
    longest = attr(run, "max_single_run_km")
    if mode == "none" or per_week == 0:
        headline = "No running for now"
    elif mode == "walk_run":
        stage = attr(run, "stage")
        headline = f"Walk/run, stage {stage}, up to {per_week} times a week"
    else:
        headline = f"Easy running, up to {per_week} runs a week"
        if longest:
            headline += f", none longer than {distance(longest, unit)}"
    return RunView(
        mode=mode,
        headline=headline,
        runs_per_week=per_week,
        max_single_run_km=longest,
        weekly_km_cap=attr(run, "weekly_km_cap"),
        effort=str(attr(run, "effort", "")),
        surface=str(attr(run, "surface", "")),
        stop_rules=[str(r) for r in attr(run, "stop_rules", ()) or ()],
        cadence_cue_pct=attr(run, "cadence_cue_pct"),
        why=str(attr(run, "why", "")),
        sources=sources(catalogue, list(attr(run, "sources", ()) or ())),
    )


def plan_view(
    catalogue: Catalogue, plan: Any, version: int, unit: DistanceUnit = DistanceUnit.KM
) -> PlanView:
    """The plan for the Plan page."""
    phase = str(attr(plan, "phase"))
    rules = catalogue.plan
    phase_rule = next((p for p in rules.phases if p.phase == phase), None)
    back = rules.pain_monitoring.plain
    items = [item_view(catalogue, i) for i in attr(plan, "items", ()) or ()]
    groups = []
    for kind, title in KIND_TITLES.items():
        members = [i for i in items if i.kind == kind]
        if members:
            groups.append((title, members))
    excluded = []
    for e in attr(plan, "excluded", ()) or ():
        ref = str(attr(e, "ref_id"))
        name = (
            getattr(catalogue.passive.get(ref), "name", None)
            or getattr(catalogue.exercises.get(ref), "name", None)
            or ref.replace("_", " ")
        )
        reason = str(attr(e, "reason", ""))
        if reason.lower().startswith(f"{name}:".lower()):  # the engine often repeats the name
            reason = reason[len(name) + 1 :].strip()
        excluded.append((str(name)[:1].upper() + str(name)[1:], reason))
    return PlanView(
        version=version,
        phase=phase,
        phase_title=PHASE_WORDS.get(phase, phase),
        week=int(attr(plan, "week", 1)),
        irritability=str(attr(plan, "irritability", "")),
        goal=phase_rule.goal if phase_rule else "",
        forward=phase_rule.exit_text if phase_rule else "",
        back=back,
        rationale=str(attr(plan, "rationale", "")),
        groups=groups,
        excluded=excluded,
        run=run_view(catalogue, attr(plan, "run"), unit),
        escalation_rules=[str(r) for r in attr(plan, "escalation_rules", ()) or ()],
        referral=attr(plan, "referral"),
        referral_stops=referral_stops(plan),
        has_sessions=any(i.kind in ("exercise", "adjunct") and i.days for i in items),
    )


def referral_stops(plan: Any) -> bool:
    """Whether the plan's referral stops loading (``Plan.stops_loading``; also for plan dicts)."""
    from heelcoach.domain.plan import REFER_AND_CONTINUE

    if not attr(plan, "referral"):
        return False
    stops = attr(plan, "stops_loading")
    if isinstance(stops, bool):
        return stops
    return attr(plan, "referral_action") != REFER_AND_CONTINUE


def today_items(view: PlanView, today: date) -> tuple[list[ItemView], list[ItemView]]:
    """(today's exercises, today's optional relief) by weekday."""
    day = WEEKDAYS[today.weekday()]
    todays: list[ItemView] = []
    relief: list[ItemView] = []
    for _title, members in view.groups:
        for item in members:
            if item.kind not in ("exercise", "adjunct"):
                continue
            if item.days and item.days != "every day" and DAY_WORDS[day] not in item.days.split(", "):
                continue
            (relief if item.kind == "adjunct" or item.optional else todays).append(item)
    return todays, relief
