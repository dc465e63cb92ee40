"""The audit log as pages (clinic mode): the clinic admin's log of their clinic's runners at
``/clinic/audit`` and a runner's own at ``/audit``, in plain words ("pt@clinic.example at Northside
looked at your plan on ..."). Who may see what is decided in :mod:`heelcoach.services.policy`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from heelcoach.services import accounts, calendar, visits
from heelcoach.services.policy import Actor, can_in_clinic
from heelcoach.web.auth import LoginRequired, authorize, clinic_person, current_actor
from heelcoach.web.deps import get_ctx, render

router = APIRouter()

#: The clinic admin's navigation.
ADMIN_NAV: tuple[tuple[str, str], ...] = (("/clinic/audit", "Audit log"), ("/clinic/invite", "Invite"))
PageNo = Annotated[int, Query(ge=1, le=100_000)]
PersonNo = Annotated[int | None, Query(ge=1, le=2_147_483_647)]

#: What someone else did with a runner's data, in the runner's words ("... looked at your plan").
DONE_TO_YOU = {
    "view_runner": "looked at your record",
    "view_progress": "looked at your progress",
    "view_plan": "looked at your plan",
    "view_visits": "looked at your visit requests",
    "visit_calendar": "downloaded your visit's calendar entry",
    "export": "exported your data",
    "change_plan": "changed your plan",
    "add_note": "wrote a clinic note about you",
    "accept_visit": "accepted your visit request",
    "handover_report": "printed your hand-over report",
}
#: What the runner did themselves.
DONE_BY_YOU = {
    "stop_sharing": "You stopped sharing your data",
    "request_visit": "You asked for a visit",
}
#: The same actions for the clinic admin (precise, short).
STAFF_WORDS = {
    "view_runner": "viewed the runner view",
    "view_progress": "read progress (API)",
    "view_plan": "read the plan (API)",
    "view_visits": "read visit requests",
    "visit_calendar": "downloaded a visit's calendar entry",
    "export": "exported all data",
    "change_plan": "changed the plan",
    "add_note": "added a clinic note",
    "accept_visit": "accepted a visit request",
    "handover_report": "downloaded the hand-over report",
    "stop_sharing": "stopped sharing",
    "request_visit": "requested a visit",
}


def when_words(iso: str) -> str:
    """'Saturday 5 December 2026 at 21:50 UTC' from a stored ISO time (always UTC)."""
    moment = datetime.fromisoformat(iso)
    return f"{moment:%A} {moment.day} {moment:%B %Y at %H:%M} UTC"


def local_words(iso: str, zone: str) -> str:
    """'Saturday 5 December 2026 at 22:50' in ``zone`` (the page names the zone once)."""
    local, _words_of_zone = visits.when_local(datetime.fromisoformat(iso), zone)
    return f"{local:%A} {local.day} {local:%B %Y at %H:%M}"


def runner_zone(request: Request, person_id: int) -> tuple[str, str]:
    """The zone a runner reads their log in (the one set in Reminders, else UTC) and its words
    for the page ('Europe/Madrid time', 'UTC')."""
    zone = calendar.reminders_for(get_ctx(request), person_id).timezone
    return zone, ("UTC" if zone == "UTC" else f"{zone} time")


def _words(action: str, table: dict[str, str]) -> str:
    return table.get(action, action.replace("_", " "))


def runner_sentence(entry: dict[str, object], me: int, zone: str = "UTC") -> tuple[str, str]:
    """One entry of a runner's own log as a sentence: (who, as typed, or ''; the rest), its time
    in ``zone``."""
    action, when = str(entry["action"]), local_words(str(entry["at"]), zone)
    if entry.get("actor_person_id") == me:
        return "", f"{DONE_BY_YOU.get(action, 'You: ' + action.replace('_', ' '))} on {when}."
    who = str(entry.get("name") or entry.get("who") or "Someone whose account was removed")
    said = f" at {entry['clinic']}" if entry.get("clinic") else ""
    said += f" {_words(action, DONE_TO_YOU)} on {when}"
    if action == "change_plan" and entry.get("detail"):
        said += f" ({entry['detail']})"
    return who, said + "."


def staff_who(entry: dict[str, object], clinic_id: int | None) -> tuple[str, str]:
    """(who, how) for the admin's log: the name (else email) of their own clinic's staff and of
    runners, with the email and role beside it; another clinic's staff by role and clinic only."""
    role = str(entry.get("role") or "")
    theirs = entry.get("actor_clinic_id")
    if theirs is not None and theirs != clinic_id:  # never another clinic's names
        return f"{accounts.role_words(role, article=True).capitalize()} at {entry.get('clinic')}", ""
    email = str(entry.get("who") or "")
    if not email:
        return "a removed account", ""
    name = str(entry.get("name") or "")
    parts = (email if name else "", accounts.role_words(role), str(entry.get("clinic") or ""))
    how = ", ".join(p for p in parts if p)
    return name or email, how


def _staff_actor(request: Request) -> Actor:
    actor = current_actor(request)
    if actor.role == "anonymous":
        raise LoginRequired
    if not can_in_clinic(actor, "view_clinic_audit"):
        raise HTTPException(403, "The clinic's audit log is for the clinic's admins.")
    return actor


@router.get("/clinic/audit", response_class=HTMLResponse)
def clinic_audit(request: Request, page: PageNo = 1, person: PersonNo = None) -> Response:
    """The clinic admin's audit log: who viewed or changed which runner's data, newest first.

    All runners who share with the clinic now, or one (``?person=ID``, which the policy must allow
    as ``view_audit``); ``?page=N`` pages back in time.
    """
    actor = _staff_actor(request)  # the role first: a refusal says nothing about the id
    if person is not None:
        authorize(request, person, "view_audit")
    ctx = get_ctx(request)
    found = accounts.audit_page(ctx, person_id=person, clinic_id=actor.clinic_id, page=page)
    entries = [
        {**e, "what": _words(str(e["action"]), STAFF_WORDS), "by": staff_who(e, actor.clinic_id)}
        for e in found.entries
    ]
    return render(
        request,
        "audit_clinic.html",
        title="Audit log",
        nav=ADMIN_NAV,
        active="/clinic/audit",
        found=found,
        entries=entries,
        runners=accounts.clinic_runners(ctx, actor.clinic_id or 0),
        person=person,
    )


@router.get("/audit", response_class=HTMLResponse)
def my_audit(request: Request, page: PageNo = 1) -> Response:
    """A runner's own log: who looked at or changed their data and when, in plain words."""
    me = clinic_person(request)
    authorize(request, me, "view_audit")
    found = accounts.audit_page(get_ctx(request), person_id=me, page=page)
    zone, zone_words = runner_zone(request, me)
    return render(
        request,
        "audit_runner.html",
        title="Who looked at your data",
        active="/audit",
        found=found,
        zone_words=zone_words,
        sentences=[runner_sentence(e, me, zone) for e in found.entries],
    )
