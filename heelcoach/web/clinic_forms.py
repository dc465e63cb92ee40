"""Clinic-mode forms for what staff and runners do every day, through the same services and policy
as the API: a clinic admin or clinician invites someone (``/clinic/invite``, the one-time join link
shown once), a runner asks for a visit from Sharing, a clinician accepts one with a time from the
runner view, anyone logged in sets the name others read them by (``/account``). Bad input
re-renders the page with the message and the form as typed (400/422)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from heelcoach.services import accounts, visits
from heelcoach.services.policy import INVITES, Actor
from heelcoach.web.audit_pages import ADMIN_NAV, when_words
from heelcoach.web.auth import LoginRequired, RowId, authorize, clinic_person, current_actor
from heelcoach.web.clinic_pages import STAFF_NAV, runner_page_view, sharing_view
from heelcoach.web.deps import get_ctx, render

router = APIRouter()

#: The roles in the order the form offers them.
ROLE_ORDER = ("runner", "clinician", "admin")


def _inviter(request: Request) -> Actor:
    actor = current_actor(request)
    if actor.role == "anonymous":
        raise LoginRequired
    if actor.clinic_id is None or not INVITES.get(actor.role):
        raise HTTPException(403, "Invitations are made by a clinic's admins and clinicians.")
    return actor


def _invite_page(
    request: Request,
    actor: Actor,
    status: int = 200,
    problem: str = "",
    form: dict[str, str] | None = None,
    made: dict[str, str] | None = None,
) -> Response:
    roles = [r for r in ROLE_ORDER if r in INVITES.get(actor.role, frozenset())]
    response = render(
        request,
        "clinic_invite.html",
        status,
        title="Invite",
        nav=ADMIN_NAV if actor.role == "admin" else STAFF_NAV,
        active="/clinic/invite",
        roles=[(r, accounts.role_words(r)) for r in roles],
        problem=problem,
        form=form or {"email": "", "name": "", "role": roles[0]},
        max_name=accounts.MAX_NAME_CHARS,
        made=made,
        valid_days=accounts.INVITATION_VALID.days,
    )
    response.headers["Cache-Control"] = "no-store"  # the join link is shown once
    return response


def _whom_you_invite(actor: Actor) -> str:
    """'As a clinic admin you can invite a clinician or a clinic admin.'"""
    allowed = [accounts.role_words(r, article=True) for r in ROLE_ORDER if r in INVITES.get(actor.role, ())]
    return f"As {accounts.role_words(actor.role, article=True)} you can invite {' or '.join(allowed)}."


@router.get("/clinic/invite", response_class=HTMLResponse)
def invite_page(request: Request) -> Response:
    """The invitation form: admins invite clinicians or admins, clinicians invite runners."""
    return _invite_page(request, _inviter(request))


@router.post("/clinic/invite", response_class=HTMLResponse)
def invite_submit(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    name: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """Make a one-time link (as ``POST /api/invitations``) and show it once, with when it expires."""
    actor = _inviter(request)
    form = {"email": email.strip(), "role": role, "name": name}
    if role not in ROLE_ORDER:
        return _invite_page(request, actor, 422, "Choose whom you invite: a role from the list.", form)
    try:
        token = accounts.invite(get_ctx(request), actor, email, role, name=name)
    except accounts.NotAllowedError:
        return _invite_page(request, actor, 403, _whom_you_invite(actor), form)
    except accounts.AccountError as exc:
        return _invite_page(request, actor, 422, str(exc), form)
    expires = datetime.now(UTC) + accounts.INVITATION_VALID
    made = {
        "link": str(request.base_url).rstrip("/") + f"/join/{token}",
        "email": email.strip().lower(),
        "name": name.strip(),
        "role": accounts.role_words(role),
        "expires": when_words(expires.isoformat()),
    }
    return _invite_page(request, actor, made=made)


@router.post("/sharing/visits", response_class=HTMLResponse)
def ask_for_visit(
    request: Request,
    reason: Annotated[str, Form(max_length=1000)] = "",
    preferred_times: Annotated[str, Form(max_length=500)] = "",
    clinic_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """A runner asks a clinic they share with for a visit (as ``POST /api/people/{id}/visits``)."""
    me = clinic_person(request)
    actor = authorize(request, me, "request_visit")
    form = {"reason": reason, "preferred_times": preferred_times, "clinic_id": clinic_id}
    if len(reason.strip()) < 3:
        return sharing_view(request, 422, "Say in a few words why you would like a visit.", form)
    clinic = int(clinic_id) if clinic_id.strip().isdigit() else None
    try:
        visits.request_visit(get_ctx(request), actor, me, reason, preferred_times, clinic)
    except accounts.AccountError:
        problem = "Choose a clinic you share your data with: only they can see you."
        return sharing_view(request, 422, problem, form)
    return RedirectResponse("/sharing#visits", status_code=303)


def _visit_time(starts_at: str, tz: str) -> datetime:
    """The visit's time from the form (local date and time, time zone name); AccountError if bad."""
    try:
        zone = ZoneInfo(tz.strip() or "UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        said = f"Time zone: {tz.strip()[:40]!r} is not one we know; give one like Europe/London."
        raise accounts.AccountError(said) from exc
    try:
        moment = datetime.fromisoformat(starts_at.strip())
    except ValueError as exc:
        raise accounts.AccountError("Give the date and time of the visit, e.g. 2026-12-10 09:30.") from exc
    moment = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment
    if moment <= datetime.now(UTC):
        raise accounts.AccountError("That time has passed: give a time in the future.")
    return moment


@router.post("/clinic/people/{person_id}/visits/{visit_id}/accept", response_class=HTMLResponse)
def accept_visit(
    request: Request,
    person_id: RowId,
    visit_id: RowId,
    starts_at: Annotated[str, Form(max_length=40)] = "",
    tz: Annotated[str, Form(max_length=60)] = "UTC",
) -> Response:
    """A clinician accepts a visit request to their clinic with a time (the runner sees it on Sharing)."""
    actor = authorize(request, person_id, "accept_visit")
    form = {"visit_id": str(visit_id), "starts_at": starts_at, "tz": tz}
    try:
        moment = _visit_time(starts_at, tz)
    except accounts.AccountError as exc:
        return runner_page_view(request, actor, person_id, 422, str(exc), visit_form=form)
    if visits.accept_visit(get_ctx(request), actor, person_id, visit_id, moment, tz.strip() or "UTC") is None:
        raise HTTPException(404, "No such visit request to your clinic.")
    return RedirectResponse(f"/clinic/people/{person_id}#visits", status_code=303)


def _account_actor(request: Request) -> Actor:
    actor = current_actor(request)
    if actor.role == "anonymous" or actor.account_id is None:
        raise LoginRequired
    return actor


def _account_page(
    request: Request, actor: Actor, status: int = 200, problem: str = "", typed: str | None = None
) -> Response:
    me = accounts.account_summary(get_ctx(request), actor.account_id or 0) or {}
    nav = {"admin": ADMIN_NAV, "clinician": STAFF_NAV}.get(actor.role)
    return render(
        request,
        "account.html",
        status,
        title="Your account",
        **({"nav": nav} if nav else {}),
        active="/account",
        me=me,
        role=accounts.role_words(actor.role),
        name=me.get("name", "") if typed is None else typed,
        problem=problem,
        max_name=accounts.MAX_NAME_CHARS,
        saved=request.query_params.get("saved") == "1",
    )


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request) -> Response:
    """Your account: the name the people you work with read you by (the email when there is none)."""
    return _account_page(request, _account_actor(request))


@router.post("/account/name", response_class=HTMLResponse)
def account_name(request: Request, name: Annotated[str, Form(max_length=400)] = "") -> Response:
    """Set or clear your own display name (printed as you typed it)."""
    actor = _account_actor(request)
    try:
        accounts.set_display_name(get_ctx(request), actor, name)
    except accounts.AccountError as exc:
        return _account_page(request, actor, 422, str(exc), typed=name)
    return RedirectResponse("/account?saved=1", status_code=303)
