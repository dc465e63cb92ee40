"""What to read: the education topics this runner needs now, each with why it is there."""

from __future__ import annotations

from heelcoach.domain.planning.answers import answer_number, answer_set
from heelcoach.domain.planning.builder import Builder
from heelcoach.domain.planning.model import PlanItem, RunPrescription
from heelcoach.knowledge.schema import EducationTopic

__all__ = ["education", "education_item"]

_PASSIVE_TRIED = frozenset(
    {"rolling", "massage", "taping", "new_shoes", "orthotics", "rest", "ice", "night_splint"}
)
_ACTIVE_TRIED = frozenset({"stretching", "strengthening"})


def _history_topics(b: Builder) -> list[tuple[str, str]]:
    """Topics for what the runner has tried and whether the heel has hurt before."""
    a = b.answers
    tried = answer_set(a, "tried")
    wanted: list[tuple[str, str]] = []
    passive_only = bool(tried & _PASSIVE_TRIED) and not tried & _ACTIVE_TRIED
    if passive_only or answer_number(a, "past_episodes") > 0:
        why = (
            "You have tried passive care only, which calms symptoms without changing why the fascia is "
            "overloaded."
            if passive_only
            else "It has come back before; here is why and how to stop it."
        )
        wanted.append(("why_it_keeps_coming_back", why))
    if any(i.kind == "adjunct" for i in b.items) or passive_only:
        wanted.append(
            ("passive_care_has_a_place", "Where rolling, taping and massage fit, and where they do not.")
        )
    return wanted


def _load_topics(b: Builder, run: RunPrescription, spike: bool) -> list[tuple[str, str]]:
    """Topics for running on, a load spike, a long course and a heel that may need more than rehab."""
    weeks = answer_number(b.answers, "symptom_duration_weeks")
    wanted: list[tuple[str, str]] = []
    if run.mode != "none":
        wanted.append(("keep_running_safely", "You keep running, within rules that protect the heel."))
    if spike or b.strength_of("load_spike") >= b.rules.driver_weighting.active_threshold:
        wanted.append(("load_management", "A jump in load set this off; here is how to build load safely."))
    if weeks >= 12:
        wanted.append(("prognosis", "Most people get better, but it takes months; what to expect."))
    refractory = [e.symptom_weeks_over for e in b.rules.escalation if e.symptom_weeks_over]
    if refractory and weeks > min(refractory):
        wanted.append(("surgery_is_no_failure", "If rehab is not enough, further options are no failure."))
    return wanted


def education(b: Builder, run: RunPrescription, spike: bool) -> None:
    """The 'read this' items: what the fascia is and pain monitoring for everyone, then the rest."""
    wanted: list[tuple[str, str]] = [
        ("what_is_the_plantar_fascia", "Knowing what hurts makes the plan make sense."),
        ("pain_monitoring", "How to use pain to steer your load, day by day."),
        *_history_topics(b),
        *_load_topics(b, run, spike),
    ]
    for topic_id, why in wanted:
        topic = b.catalogue.education.get(topic_id)
        if topic is None:
            continue
        b.items.append(education_item(topic, why))


def education_item(topic: EducationTopic, why: str) -> PlanItem:
    """A 'read this' item of the plan: one education topic and why it is there now."""
    return PlanItem(
        id=topic.id,
        kind="education",
        ref_id=topic.id,
        title=topic.title,
        level=None,
        dose={},
        days=(),
        why=why,
        drivers=(),
        evidence="not_graded",
        sources=tuple(topic.sources),
        optional=False,
        until=None,
    )
