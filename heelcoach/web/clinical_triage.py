"""The triage result in a clinician's words, for the runner view: one precise headline (urgency,
the leading condition with its likelihood and score, the warning signs found), the look-alikes
considered with the evidence for and against each, and every warning sign with its action.

Built from the stored triage (``services.assess.triage_to_dict``) of the same intake the runner's
plain-words result comes from; the runner's own pages keep :func:`heelcoach.web.views.triage_view`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from heelcoach.knowledge import Catalogue

#: Urgency in a clinician's words, by triage level (and whether loading is stopped).
URGENCY = {
    "emergency": "Urgent: same-day medical assessment",
    "refer": "Refer: clinical assessment before loading",
    "refer_continue": "Refer: clinical assessment advised; a gentle plan continues",
    "caution": "Self-management with cautions",
    "self_manage": "Self-management appropriate",
}
#: A red flag's action in a clinician's words.
ACTIONS = {
    "stop_and_refer": "stop loading, refer",
    "refer_and_continue": "refer, gentle plan continues",
}


@dataclass(frozen=True, slots=True)
class LookAlike:
    """One condition of the differential: likelihood, score, the answers for and against."""

    name: str
    likelihood: str
    score: str
    supporting: list[str]
    against: list[str]


@dataclass(frozen=True, slots=True)
class WarningSign:
    """A red flag that fired: its name, level, action and the condition it points to."""

    name: str
    level: str
    action: str
    suggests: str
    reason: str


@dataclass(frozen=True, slots=True)
class ClinicalTriage:
    """The triage for the clinician: headline, differential (leading first), warning signs."""

    headline: str
    urgency: str
    differential: list[LookAlike]
    warning_signs: list[WarningSign]
    screened: str
    unanswered: int
    cautions: list[str]


def _score(value: object) -> str:
    return f"{value:.1f}" if isinstance(value, int | float) else str(value or "-")


def _texts(reasons: object) -> list[str]:
    items = reasons if isinstance(reasons, list) else []
    return [str(r.get("text", "")) if isinstance(r, dict) else str(r) for r in items if r]


def _urgency(data: dict[str, Any]) -> str:
    level = str(data.get("level", "refer"))
    if level == "refer" and data.get("stops_loading") is False:
        level = "refer_continue"
    return URGENCY.get(level, URGENCY["refer"])


def _signs(data: dict[str, Any], names: dict[str, str]) -> list[WarningSign]:
    signs = []
    for flag in data.get("red_flags") or []:
        f = flag if isinstance(flag, dict) else {"id": str(flag)}
        suggests = str(f.get("suggests") or "")
        signs.append(
            WarningSign(
                name=str(f.get("name") or str(f.get("id", "")).replace("_", " ")),
                level=str(f.get("level") or "refer").replace("_", " "),
                action=ACTIONS.get(str(f.get("action") or ""), str(f.get("action") or "refer")),
                suggests=names.get(suggests, suggests.replace("_", " ")),
                reason=str(f.get("reason") or ""),
            )
        )
    return signs


def _headline(urgency: str, top: LookAlike | None, signs: list[WarningSign], screened: str) -> str:
    lead = f"leading: {top.name}, {top.likelihood} (score {top.score})" if top else "no leading condition"
    if not signs:
        return f"{urgency}; {lead}; no warning sign ({screened})."
    levels = [s.level for s in signs]
    counted = ", ".join(f"{levels.count(lv)} {lv}" for lv in dict.fromkeys(levels))
    named = "; ".join(s.name for s in signs)
    noun = "warning sign" if len(signs) == 1 else "warning signs"
    return f"{urgency}; {len(signs)} {noun} ({counted}): {named}; {lead}."


def clinical_triage(data: dict[str, Any], catalogue: Catalogue) -> ClinicalTriage:
    """The stored triage ``data`` as a clinician reads it (tolerant of missing keys)."""
    names = {str(c.id): str(c.name) for c in catalogue.triage.conditions}
    differential = [
        LookAlike(
            name=str(d.get("name") or names.get(str(d.get("condition_id") or d.get("condition")), "?")),
            likelihood=str(d.get("likelihood") or "-"),
            score=_score(d.get("score")),
            supporting=_texts(d.get("supporting")),
            against=_texts(d.get("against")),
        )
        for d in data.get("differential") or []
        if isinstance(d, dict)
    ]
    signs = _signs(data, names)
    version = data.get("questionnaire_version")
    screened = f"{len(catalogue.triage.red_flags)} red flags screened" + (
        f", questionnaire version {version}" if version else ""
    )
    urgency = _urgency(data)
    top = differential[0] if differential else None
    cautions = [
        str(c.get("reason", "")) if isinstance(c, dict) else str(c) for c in data.get("cautions") or []
    ]
    return ClinicalTriage(
        headline=_headline(urgency, top, signs, screened),
        urgency=urgency,
        differential=differential,
        warning_signs=signs,
        screened=screened,
        unanswered=len(data.get("unanswered") or []),
        cautions=[c for c in cautions if c],
    )


def checkin_pause(decision: dict[str, Any], signs: Mapping[str, str] | None = None) -> str | None:
    """The current plan version's pause by a check-in warning sign, in a clinician's words, or None.

    The intake triage above does not know of it; the clinician must see it first. ``signs``: the
    knowledge base's words for each sign id (``plan_rules.yaml: checkin_warning_signs``).
    """
    if decision.get("kind") != "warning_sign":
        return None
    words = signs or {}
    named = [words.get(str(x), str(x).replace("_", " ")) for x in decision.get("symptoms") or []]
    said = "; ".join(named) or "unspecified"
    day = decision.get("reported_on") or "a check-in"
    return (
        f"Plan paused: warning sign reported in the check-in of {day} ({said}); loading stopped until seen."
    )
