"""The hand-over record as a FHIR R4 bundle a clinic's record system can take in.

A ``collection`` Bundle of: the Patient; the Condition (SNOMED CT 202882003 plantar fasciitis when
the triage's most likely condition is that, else the condition in words); the CarePlan now with one
activity per plan item (dose, days, adherence as progress notes); a QuestionnaireResponse per FAAM
and PSFS questionnaire (each answer and the score); an Observation per first-step and worst pain
score (LOINC 72514-3, 0-10 numeric rating). Entries refer to each other by ``urn:uuid`` full URLs.

Built with the R4B models of ``fhir.resources`` (8.x has no R4 package on pydantic 2); every
resource used here is the same on the wire in R4 and R4B. The bundle is validated by parsing it
with those models before it is returned. Distances stay in km (SI) whatever unit the runner
reads: a record system gets one unit from every runner.

Usage::

    doc = handover_bundle(ctx, person_id, today=date.today())   # a JSON-ready dict
"""

from __future__ import annotations

import html
import uuid
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from heelcoach.domain.plan import plan_from_dict
from heelcoach.domain.units import DistanceUnit, in_unit
from heelcoach.services import handover_record
from heelcoach.services.context import AppContext
from heelcoach.services.handover_record import HandoverRecord
from heelcoach.store.repositories import OutcomeRecord
from heelcoach.text.plan_text import format_dose, grade_label

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
PLANTAR_FASCIITIS = ("202882003", "Plantar fasciitis")
#: LOINC "Pain severity - 0-10 verbal numeric rating [Score] - Reported".
PAIN_NRS = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
#: The pain scores of a check-in that become Observations: (field, what was asked).
PAIN_FIELDS = (
    ("first_step_pain", "First-step pain in the morning (0-10)"),
    ("worst_pain", "Worst pain of the day (0-10)"),
)
INSTRUMENTS = {
    "faam_adl": "Foot and Ankle Ability Measure (FAAM), activities of daily living subscale",
    "faam_sports": "Foot and Ankle Ability Measure (FAAM), sports subscale",
    "psfs": "Patient-Specific Functional Scale (PSFS)",
}
_NAMESPACE = uuid.UUID("7f0d6c1e-3b8a-4f53-9a51-4b1f0c7e2d10")


class _Ids:
    """Stable urn:uuid full URLs per resource of one bundle (the same record gives the same ids)."""

    def __init__(self, person_id: int, today: str) -> None:
        self.seed = f"heelcoach/{person_id}/{today}"

    def __call__(self, *parts: object) -> str:
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, '/'.join([self.seed, *map(str, parts)]))}"


def _patient(record: HandoverRecord) -> dict[str, Any]:
    doc: dict[str, Any] = {"resourceType": "Patient", "active": True}
    if record.person.name:
        doc["name"] = [{"text": record.person.name}]
    return doc


def _condition(record: HandoverRecord, patient: str) -> dict[str, Any]:
    triage = dict(record.intake.triage) if record.intake is not None else {}
    top = (triage.get("differential") or [{}])[0]
    if top.get("condition_id") == "plantar_fasciitis":
        code: dict[str, Any] = {
            "coding": [{"system": SNOMED, "code": PLANTAR_FASCIITIS[0], "display": PLANTAR_FASCIITIS[1]}],
            "text": PLANTAR_FASCIITIS[1],
        }
    else:
        code = {"text": str(top.get("name") or "Plantar heel pain")}
    doc: dict[str, Any] = {
        "resourceType": "Condition",
        "clinicalStatus": {"coding": [{"system": _TERM + "condition-clinical", "code": "active"}]},
        "verificationStatus": {"coding": [{"system": _TERM + "condition-ver-status", "code": "provisional"}]},
        "code": code,
        "subject": {"reference": patient},
        "note": [{"text": _triage_note(triage)}],
    }
    if record.intake is not None:
        doc["recordedDate"] = record.intake.created_at.isoformat()
    return doc


_TERM = "http://terminology.hl7.org/CodeSystem/"


def _triage_note(triage: dict[str, Any]) -> str:
    if not triage:
        return "No questionnaire answered yet."
    text = f"From the runner's questionnaire (not a diagnosis): triage level {triage.get('level')}."
    flags = [str(f.get("name") if isinstance(f, dict) else f) for f in triage.get("red_flags") or []]
    if flags:
        text += " Warning signs: " + "; ".join(flags) + "."
    return text


def _activity(item: Any, adherence: dict[str, handover_record.ItemAdherence], since: str) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "status": "in-progress",
        "code": {"text": item.title},
        "description": f"{format_dose(item.dose) if item.dose else item.title}. "
        f"Evidence: {grade_label(item.evidence)}.",
    }
    if item.days:
        detail["scheduledString"] = ", ".join(item.days)
    activity: dict[str, Any] = {"detail": detail}
    done = adherence.get(item.ref_id)
    if done is not None and done.planned_days:
        note = f"Since {since}: done on {done.done_days} of {done.planned_days} planned days ({done.pct}%)."
        activity["progress"] = [{"text": note}]
    return activity


def _care_plan(record: HandoverRecord, patient: str, condition: str) -> dict[str, Any] | None:
    if not record.versions:
        return None
    latest = record.versions[-1]
    plan = plan_from_dict(latest.plan)
    adherence = {a.ref_id: a for a in record.adherence}
    since = record.adherence_since.isoformat()
    activities = [_activity(i, adherence, since) for i in plan.items]
    run = plan.run
    # A record system takes SI units whatever the runner reads (the PDF uses their km or miles):
    # distances in km, a text the plan wrote in miles shown in km too.
    cap = f", at most {run.weekly_km_cap:g} km a week" if run.weekly_km_cap is not None else ""
    activities.append(
        {
            "detail": {
                "status": "in-progress",
                "code": {"text": "Running"},
                "description": f"{run.runs_per_week} runs a week{cap}. {in_unit(run.why, DistanceUnit.KM)}",
            }
        }
    )
    return {
        "resourceType": "CarePlan",
        "status": "active",
        "intent": "plan",
        "title": f"Plantar heel pain plan, version {latest.version}",
        "description": f"Phase {latest.phase}, week {latest.week}. {latest.reason}",
        "subject": {"reference": patient},
        "addresses": [{"reference": condition}],
        "period": {"start": record.versions[0].starts_on.isoformat()},
        "created": latest.created_at.isoformat(),
        "activity": activities,
    }


def _faam_items(ctx: AppContext, outcome: OutcomeRecord) -> list[dict[str, Any]]:
    faam = ctx.catalogue.outcomes.faam
    labels = {i.id: i.label for i in (*faam.adl.items, *faam.sports.items)}
    items = []
    for item_id, value in outcome.answers.items():
        answer = (
            {"valueInteger": int(value)}
            if isinstance(value, int) and not isinstance(value, bool)
            else {"valueString": faam.not_applicable_label}
        )
        items.append({"linkId": item_id, "text": labels.get(item_id, item_id), "answer": [answer]})
    return items


def _psfs_items(outcome: OutcomeRecord) -> list[dict[str, Any]]:
    return [
        {
            "linkId": f"activity-{n}",
            "text": "Activity and rating (0 unable, 10 as before the problem)",
            "item": [
                {"linkId": f"activity-{n}-name", "text": "Activity", "answer": [{"valueString": str(name)}]},
                {
                    "linkId": f"activity-{n}-rating",
                    "text": "Rating",
                    "answer": [{"valueDecimal": float(rating)}],
                },
            ],
        }
        for n, (name, rating) in enumerate(outcome.answers.items(), start=1)
    ]


def _questionnaire_response(ctx: AppContext, outcome: OutcomeRecord, patient: str) -> dict[str, Any]:
    items = _psfs_items(outcome) if outcome.instrument == "psfs" else _faam_items(ctx, outcome)
    unit = "mean rating 0-10" if outcome.instrument == "psfs" else "%"
    name = INSTRUMENTS.get(outcome.instrument, outcome.instrument)
    items.append(
        {
            "linkId": "score",
            "text": f"Score ({unit})",
            "answer": [{"valueDecimal": round(float(outcome.score), 2)}],
        }
    )
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "subject": {"reference": patient},
        "authored": outcome.taken_on.isoformat(),
        "text": {
            "status": "generated",
            "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{html.escape(name)}</div>',
        },
        "item": items,
    }


def _pain_observation(patient: str, day: str, field: str, asked: str, value: int) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": _TERM + "observation-category", "code": "survey"}]}],
        "code": {"coding": [{"system": LOINC, "code": PAIN_NRS[0], "display": PAIN_NRS[1]}], "text": asked},
        "subject": {"reference": patient},
        "effectiveDateTime": day,
        "valueInteger": int(value),
        "note": [{"text": f"Reported by the runner in the daily check-in ({field.replace('_', ' ')})."}],
    }


def handover_bundle(
    ctx: AppContext, person_id: int, *, today: Any, now: datetime | None = None
) -> dict[str, Any]:
    """The runner's hand-over record as a validated FHIR bundle (a JSON-ready dict)."""
    record = handover_record.gather(ctx, person_id, today=today)
    ids = _Ids(person_id, today.isoformat())
    patient, condition = ids("patient"), ids("condition")
    entries: list[tuple[str, dict[str, Any]]] = [
        (patient, _patient(record)),
        (condition, _condition(record, patient)),
    ]
    care_plan = _care_plan(record, patient, condition)
    if care_plan is not None:
        entries.append((ids("careplan"), care_plan))
    for n, outcome in enumerate(record.outcomes):
        entries.append((ids("outcome", n), _questionnaire_response(ctx, outcome, patient)))
    for c in record.checkins:
        for field, asked in PAIN_FIELDS:
            value = getattr(c, field)
            if value is not None:
                entries.append(
                    (
                        ids("pain", c.day, field),
                        _pain_observation(patient, c.day.isoformat(), field, asked, value),
                    )
                )
    doc = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": (now or datetime.now(UTC)).isoformat(),
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
    }
    Bundle.model_validate(doc)  # a bundle that does not parse is a bug here, never sent on
    return doc
