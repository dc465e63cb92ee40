"""Pages that only read the knowledge catalogue: home, Learn, 'when to see a clinician'."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from heelcoach.web.deps import get_ctx, render
from heelcoach.web.views import attr, passive_view, topic_view

router = APIRouter()

#: The order a new runner should read the topics in; others follow.
TOPIC_ORDER = (
    "why_it_keeps_coming_back",
    "what_is_the_plantar_fascia",
    "keep_running_safely",
    "load_management",
    "pain_monitoring",
    "passive_care_has_a_place",
    "prognosis",
    "surgery_is_no_failure",
)
HOME_ROUTINE = "home_fascia_massage_routine"


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    """Start: onboarding if nothing is known yet, else Today."""
    if request.session.get("onboarded"):
        return RedirectResponse("/today", status_code=303)
    return render(request, "home.html", title="Welcome")


@router.get("/see-a-clinician", response_class=HTMLResponse)
def see_a_clinician(request: Request) -> Response:
    """When to see a clinician (linked from every page)."""
    triage = get_ctx(request).catalogue.triage
    flags = [str(attr(f, "plain", "") or attr(f, "text", "")) for f in triage.red_flags]
    return render(
        request, "clinician.html", title="When to see a clinician", red_flags=[f for f in flags if f]
    )


@router.get("/learn", response_class=HTMLResponse)
def learn(request: Request) -> Response:
    """The list of topics."""
    cat = get_ctx(request).catalogue
    order = {tid: i for i, tid in enumerate(TOPIC_ORDER)}
    items = sorted(cat.education.values(), key=lambda t: (order.get(t.id, 99), t.id))
    return render(request, "learn_index.html", title="Learn", topics=[topic_view(cat, t) for t in items])


@router.get("/learn/habits", response_class=HTMLResponse)
def habits(request: Request) -> Response:
    """Prevention habits."""
    cat = get_ctx(request).catalogue
    return render(request, "learn_habits.html", title="Habits", habits=list(cat.habits.values()))


@router.get("/learn/massage", response_class=HTMLResponse)
def massage(request: Request) -> Response:
    """The home massage routine with its warnings, then the other passive options."""
    cat = get_ctx(request).catalogue
    routine = cat.passive.get(HOME_ROUTINE)
    others = [passive_view(p) for p in cat.passive.values() if p.id != HOME_ROUTINE]
    return render(
        request,
        "learn_massage.html",
        title="Massage and rolling",
        routine=passive_view(routine) if routine else None,
        others=others,
    )


@router.get("/learn/{topic_id}", response_class=HTMLResponse)
def topic(request: Request, topic_id: str) -> Response:
    """One education topic."""
    cat = get_ctx(request).catalogue
    item = cat.education.get(topic_id)
    if item is None:
        raise HTTPException(404, f"There is no article called '{topic_id}'. See the list on the Learn page.")
    view = topic_view(cat, item)
    return render(request, "learn_topic.html", title=view.title, topic=view)
