"""View models: what each template shows, built from service results and catalogue items.

Templates receive these plain values (never ORM rows), so a change in storage never reaches HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.catalogue import citation_text

#: Safety flags in a runner's words.
SAFETY_WORDS = {
    "diabetes_reduced_sensation": "you have diabetes or reduced feeling in your feet",
    "anticoagulant_or_bleeding": "you take blood thinners or bruise or bleed easily",
    "pregnancy": "you are pregnant",
    "skin_wound_or_infection": "there is a wound, rash or infection on the foot",
    "suspected_fracture": "a bone injury is possible",
    "suspected_clot": "your calf is swollen, warm or painful",
    "poor_circulation": "you have poor circulation",
}


def attr(obj: Any, name: str, default: Any = None) -> Any:
    """Read ``name`` from a model, a dataclass or a dict alike."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


@dataclass(frozen=True, slots=True)
class SourceView:
    """A reference, shortened for display."""

    citation: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class TopicView:
    """An education topic."""

    id: str
    title: str
    summary: str
    paragraphs: list[str]
    sources: list[SourceView] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PassiveView:
    """A passive therapy or home routine, with its warnings."""

    id: str
    name: str
    plain: str
    purpose: str
    steps: list[str]
    dose: str
    evidence: str
    evidence_note: str
    cautions: list[str]
    contraindications: list[str]
    claims_not_supported: list[str]


def sources(catalogue: Catalogue, ids: list[str]) -> list[SourceView]:
    """The references behind ``ids`` (unknown ids are skipped)."""
    out = []
    for ref_id in ids:
        ref = catalogue.references.get(ref_id)
        if ref is not None:
            out.append(SourceView(citation_text(ref), ref.note))
    return out


def _span(lo: Any, hi: Any) -> str:
    """'12', '8–12' or '' from a minimum and a maximum (either may be missing)."""
    if lo is None and hi is None:
        return ""
    if lo is None or hi is None or lo == hi:
        value = lo if lo is not None else hi
        return f"{value:g}" if isinstance(value, float) else str(value)
    return f"{lo:g}–{hi:g}" if isinstance(lo, float) else f"{lo}–{hi}"


def _volume_words(dose: Any) -> list[str]:
    """Sets, reps, hold and minutes in words."""
    parts: list[str] = []
    sets = _span(attr(dose, "sets_min"), attr(dose, "sets_max"))
    reps = _span(attr(dose, "reps_min"), attr(dose, "reps_max"))
    hold = _span(attr(dose, "hold_s_min"), attr(dose, "hold_s_max"))
    minutes = _span(attr(dose, "minutes_min"), attr(dose, "minutes_max"))
    if sets and reps:
        parts.append(f"{sets} sets of {reps}")
    elif reps:
        parts.append(f"{reps} reps")
    elif sets:
        parts.append(f"{sets} sets")
    if hold:
        parts.append(f"hold {hold} s")
    if minutes:
        parts.append(f"{minutes} min")
    return parts


def _how_often_words(dose: Any) -> list[str]:
    """Load, tempo, side and how often, in words."""
    parts: list[str] = []
    if attr(dose, "rm"):
        parts.append(f"a load you can lift only {attr(dose, 'rm')} times")
    if attr(dose, "tempo"):
        parts.append(f"tempo {attr(dose, 'tempo')} s")
    if attr(dose, "per_side", False):
        parts.append("each side")
    times = attr(dose, "times_per_day", 1) or 1
    if times > 1:
        parts.append(f"{times} times a day")
    days = attr(dose, "days_per_week")
    if days:
        parts.append("every day" if days == 7 else f"{days} days a week")
    if attr(dose, "load"):
        parts.append(f"load: {attr(dose, 'load')}")
    return parts


def dose_text(dose: Any) -> str:
    """A dose in words: '3 sets of 12, every other day'."""
    if dose is None:
        return ""
    if isinstance(dose, str):
        return dose
    return ", ".join([*_volume_words(dose), *_how_often_words(dose)])


def topic_view(catalogue: Catalogue, item: Any) -> TopicView:
    """An education topic for display."""
    body = [str(p) for p in attr(item, "body", []) or []]
    return TopicView(
        id=attr(item, "id"),
        title=attr(item, "title") or attr(item, "name"),
        summary=attr(item, "plain", ""),
        paragraphs=body,
        sources=sources(catalogue, list(attr(item, "sources", []) or [])),
    )


def passive_view(item: Any) -> PassiveView:
    """A passive therapy for display."""
    return PassiveView(
        id=attr(item, "id"),
        name=attr(item, "name"),
        plain=attr(item, "plain", ""),
        purpose=attr(item, "purpose", ""),
        steps=[str(attr(s, "text", s)) for s in attr(item, "how", []) or []],
        dose=dose_text(attr(item, "dose")),
        evidence=str(attr(item, "evidence", "not_graded")),
        evidence_note=attr(item, "evidence_note", ""),
        cautions=list(attr(item, "cautions", []) or []),
        contraindications=[SAFETY_WORDS.get(c, c) for c in attr(item, "contraindications", []) or []],
        claims_not_supported=list(attr(item, "claims_not_supported", []) or []),
    )


@dataclass(frozen=True, slots=True)
class FlagView:
    """A red flag that fired."""

    name: str
    reason: str
    what_to_do: str
    level: str


@dataclass(frozen=True, slots=True)
class ConditionView:
    """One condition of the differential."""

    name: str
    likelihood: str
    reasons: list[str]
    plain: str = ""


@dataclass(frozen=True, slots=True)
class TriageView:
    """The triage result as the runner reads it."""

    level: str
    stop: bool
    headline: str
    summary: str
    red_flags: list[FlagView]
    differential: list[ConditionView]
    safety_flags: list[str]
    next_steps: list[str]
    notes: list[str] = field(default_factory=list)
    #: The condition the plan will treat (its name), when it is not plantar fasciitis.
    treats: str = ""
    #: Documented notes that inform rather than warn (how high pain changes the plan).
    info: list[str] = field(default_factory=list)
    #: How many questions added since these answers were given are not answered yet.
    unanswered: int = 0


HEADLINES = {
    "emergency": (
        "Get medical care today",
        "Some of your answers need a doctor today, before any exercise or running.",
    ),
    "refer": (
        "Please see a clinician before you go on",
        (
            "Some of your answers point to something other than ordinary plantar heel pain, "
            "or need a check first."
        ),
    ),
    "caution": (
        "You can start, with care",
        "Your answers fit heel pain you can work on yourself, with a few things to watch.",
    ),
    "self_manage": (
        "This fits heel pain you can work on yourself",
        "Your answers fit plantar heel pain. A plan of exercise and smarter running is the right start.",
    ),
}


def _stops(data: dict[str, Any], level: str) -> bool:
    """Whether the triage stops the plan: its ``stops_loading``, else any emergency or referral.

    A referral for 'see a clinician soon, keep going gently' does not stop the plan.
    """
    stops = data.get("stops_loading")
    return stops if isinstance(stops, bool) else level in ("emergency", "refer")


def _said_once(flags: list[FlagView], steps: list[str], *, emergency: bool) -> list[FlagView]:
    """The flags without advice the next steps already give; in an emergency, the flags' slower
    advice ("see a clinician in a day or two") is left out too: today's care covers it."""
    return [
        replace(f, what_to_do="") if emergency or f.what_to_do in steps else f for f in flags
    ]


def _note_text(note: Any) -> str:
    """A safety note or caution in words: its text or reason, never the dict it came in."""
    if isinstance(note, dict):
        return str(note.get("text") or note.get("reason") or note.get("plain") or "")
    return str(attr(note, "reason", None) or attr(note, "text", None) or note)


def triage_view(data: dict[str, Any], catalogue: Catalogue) -> TriageView:
    """Build the view from ``triage_to_dict`` output (tolerant of missing keys)."""
    level = str(data.get("level", "refer"))
    headline, summary = HEADLINES.get(level, HEADLINES["refer"])
    headline = str(data.get("level_title") or headline)
    summary = str(data.get("level_plain") or summary)
    conditions = {str(attr(c, "id")): c for c in catalogue.triage.conditions}
    flags = []
    for f in data.get("red_flags", []) or []:
        if isinstance(f, str):
            f = {"id": f}
        known = next((r for r in catalogue.triage.red_flags if attr(r, "id") == f.get("id")), None)
        flags.append(
            FlagView(
                name=str(f.get("name") or attr(known, "name", "") or str(f.get("id", "")).replace("_", " ")),
                reason=str(f.get("reason") or attr(known, "reason", "")),
                what_to_do=str(f.get("what_to_do") or attr(known, "what_to_do", "")),
                level=str(f.get("level") or attr(known, "level", "refer")),
            )
        )
    diff = []
    for d in (data.get("differential", []) or [])[:4]:
        cid = str(d.get("condition") or d.get("condition_id") or d.get("id") or "")
        cond = conditions.get(cid)
        likelihood = d.get("likelihood", "")
        if isinstance(likelihood, int | float):
            likelihood = f"{likelihood:.0%}" if likelihood <= 1 else f"{likelihood:g}"
        diff.append(
            ConditionView(
                name=str(d.get("name") or attr(cond, "name", "") or cid.replace("_", " ")),
                likelihood=str(likelihood),
                reasons=[
                    str(r.get("text", "")) if isinstance(r, dict) else str(r)
                    for r in (d.get("supporting") or d.get("reasons") or [])
                ][:3],
                plain=str(d.get("plain", "") or ""),
            )
        )
    safety = [SAFETY_WORDS.get(str(s), str(s)) for s in data.get("safety_flags", []) or []]
    notes = [_note_text(n) for n in data.get("safety_notes", []) or []]
    notes += [_note_text(c) for c in data.get("cautions", []) or []]
    notes = [n for n in dict.fromkeys(notes) if n]
    steps = list(dict.fromkeys(str(s) for s in data.get("next_steps", []) or []))
    return TriageView(
        level=level,
        stop=_stops(data, level),
        headline=headline,
        summary=summary,
        red_flags=_said_once(flags, steps, emergency=level == "emergency"),
        differential=diff,
        safety_flags=safety,
        next_steps=steps,
        notes=notes,
        treats=str(data.get("treats_name") or "") if data.get("treats") != "plantar_fasciitis" else "",
        info=[str(n) for n in data.get("notes", []) or []],
        unanswered=len(data.get("unanswered", []) or []),
    )
