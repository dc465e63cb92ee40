"""Who is asking: the actor of a request, the clinic-mode login (``/login``), ``GET /api/me``, and
the person-scoped API (``/api/people/{person_id}/...``) where every call goes through the policy.

Local mode (the default): the actor is the one runner of this browser, no login. Clinic mode
(``heelcoach serve --clinic``): the actor comes from a server-side session whose random token is in
the ``heelcoach_auth`` cookie (HttpOnly, SameSite=Lax); anonymous requests get 401 (API) or the
login page.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Annotated, Any

import pyotp
from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from heelcoach.errors import NotFoundError
from heelcoach.services import accounts, planning
from heelcoach.services.policy import ANONYMOUS, Action, Actor, allowed, can
from heelcoach.web import api_models as models
from heelcoach.web.csrf import require_csrf
from heelcoach.web.deps import BackendDep, LoginRequired, existing_person, get_ctx, render

COOKIE = "heelcoach_auth"
#: An id in a path: a positive 32-bit integer, as the tables store (a larger one is a clear 422).
RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]
#: Login attempts allowed per client address per window (on top of the per-account lock-out).
LOGIN_ATTEMPTS_PER_WINDOW = 10
LOGIN_WINDOW_S = 60.0



def clinic_mode(request: Request) -> bool:
    """Whether the app serves a clinic (accounts) rather than one local runner."""
    return bool(getattr(request.app.state, "clinic", False))


def current_actor(request: Request) -> Actor:
    """The actor of this request (cached on the request)."""
    cached = getattr(request.state, "actor", None)
    if isinstance(cached, Actor):
        return cached
    if clinic_mode(request):
        bearer = _bearer(request)
        if bearer is not None:
            found = accounts.actor_for_api_token(get_ctx(request), bearer)
        else:
            found = accounts.actor_for_token(get_ctx(request), request.cookies.get(COOKIE))
        actor = found or ANONYMOUS
    else:
        pid = existing_person(request)
        if pid is None:  # local mode before anyone started: the API acts for nobody
            raise HTTPException(401, "Nobody has started here yet: answer the questions first (/start).")
        actor = Actor.local_runner(pid)
    request.state.actor = actor
    return actor


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def csrf_unless_token(request: Request) -> None:
    """The form token, except for scripts that authenticate with an API token (no cookies involved)."""
    if clinic_mode(request) and _bearer(request) is not None:
        return
    await require_csrf(request)


def clinic_person(request: Request) -> int:
    """Clinic mode's answer to "whose pages are these": the logged-in runner's person."""
    actor = current_actor(request)
    if actor.role == "anonymous":
        raise LoginRequired
    if actor.role != "runner" or actor.person_id is None:
        raise HTTPException(403, "These pages are a runner's own; clinic staff use the API for now.")
    return actor.person_id


def logged_in_as(request: Request) -> dict[str, str] | None:
    """Who is logged in (email, role, clinic) for every page's header; None when nobody is."""
    actor = current_actor(request)
    if actor.account_id is None:
        return None
    return accounts.account_summary(get_ctx(request), actor.account_id)


def authorize(request: Request, person_id: int, action: Action) -> Actor:
    """The actor, if the policy lets them take ``action`` on the person; else 401, 404 or 403.

    404 when the actor may do nothing at all with this person (so ids reveal nothing), 403 when
    they may see the person but not do this.
    """
    actor = current_actor(request)
    if actor.role == "anonymous":
        raise LoginRequired
    resource = accounts.person_resource(get_ctx(request), person_id)
    if resource is None or not allowed(actor, resource):
        raise HTTPException(404, "No such person, or not shared with you.")
    if not can(actor, action, resource):
        raise HTTPException(403, f"Your role may not do this ({action}) with this person's data.")
    return actor


# -- login ------------------------------------------------------------------------------------


class _LoginAttempts:
    """Recent login attempts per client address, for this app (one per process)."""

    def __init__(self) -> None:
        self.seen: dict[str, deque[float]] = {}
        self.lock = threading.Lock()


def _too_many_attempts(request: Request) -> bool:
    key = request.client.host if request.client else "?"
    now = time.monotonic()
    state: _LoginAttempts = request.app.state.login_attempts
    _attempts = state.seen
    with state.lock:
        if len(_attempts) > 10000:
            _attempts.clear()
        seen = _attempts.setdefault(key, deque())
        while seen and now - seen[0] > LOGIN_WINDOW_S:
            seen.popleft()
        seen.append(now)
        return len(seen) > LOGIN_ATTEMPTS_PER_WINDOW


PROBLEMS = {
    "bad": "That email and password do not match an account (staff: check the 6-digit code too).",
    "code": "Staff accounts need the 6-digit code from the authenticator app as well.",
    "locked": "Too many failed attempts: this account is locked for 15 minutes. Try again later.",
    "rate": "Too many attempts from here: wait a minute and try again.",
}

login_router = APIRouter()


@login_router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    """The login form (email, password and, for staff, the authenticator code)."""
    return render(request, "login.html", title="Log in", problem=None, email="", nav=())


@login_router.post("/login", response_class=HTMLResponse)
async def login_submit(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    code: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """Check the credentials; on success a new session (cookie) and the runner's or staff's start page."""
    if _too_many_attempts(request):
        return render(
            request, "login.html", 429, title="Log in", problem=PROBLEMS["rate"], email=email, nav=()
        )
    result = await run_in_threadpool(accounts.login, get_ctx(request), email, password, code or None)
    if result.token is None:
        problem = PROBLEMS[result.problem or "bad"]
        return render(request, "login.html", 401, title="Log in", problem=problem, email=email, nav=())
    request.session.clear()  # nothing of an earlier visitor's browser session carries over
    actor = await run_in_threadpool(accounts.actor_for_token, get_ctx(request), result.token)
    start = {"runner": "/", "clinician": "/clinic", "admin": "/clinic/audit"}.get(
        actor.role if actor else "", "/api/me"
    )
    response = RedirectResponse(start, status_code=303)
    response.set_cookie(
        COOKIE, result.token, httponly=True, samesite="lax", secure=request.url.scheme == "https", path="/"
    )
    return response


@login_router.post("/logout")
def logout(request: Request) -> Response:
    """End this session on the server and forget the cookie."""
    accounts.logout(get_ctx(request), request.cookies.get(COOKIE))
    request.session.clear()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@login_router.get("/join/{token}", response_class=HTMLResponse)
def join_page(request: Request, token: str) -> Response:
    """An invitation: who it is for and a password to choose."""
    found = accounts.invitation(get_ctx(request), token)
    if found is None:
        raise HTTPException(
            404, "This invitation link is used, expired or wrong: ask the clinic for a new one."
        )
    return render(request, "join.html", title="Join", invitation=found, token=token, problem=None, enrol=None)


@login_router.post("/join/{token}", response_class=HTMLResponse)
def join_submit(
    request: Request,
    token: str,
    password: Annotated[str, Form(max_length=1000)],
    name: Annotated[str | None, Form(max_length=400)] = None,
) -> Response:
    """Create the invited account; a runner now shares with the clinic (shown, and can be stopped)."""
    ctx = get_ctx(request)
    found = accounts.invitation(ctx, token)
    if found is None:
        raise HTTPException(
            404, "This invitation link is used, expired or wrong: ask the clinic for a new one."
        )
    try:
        added = accounts.accept_invitation(ctx, token, password, name=name)
    except accounts.AccountError as exc:
        return render(
            request,
            "join.html",
            422,
            title="Join",
            invitation={**found, "name": name if name is not None else found["name"]},
            token=token,
            problem=str(exc),
            enrol=None,
        )
    enrol = None
    if added.totp_secret:
        enrol = pyotp.TOTP(added.totp_secret).provisioning_uri(name=added.email, issuer_name="heelcoach")
    return render(
        request, "join.html", title="Joined", invitation=found, token=None, problem=None, enrol=enrol
    )


class InvitationIn(BaseModel):
    """Whom to invite into your clinic, as what (admins: clinician or admin; clinicians: runner)."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    role: str = Field(pattern="^(runner|clinician|admin)$")
    name: str | None = Field(default=None, max_length=120)


# -- the API of who is asking, and the person-scoped routes -------------------------------------

api_router = APIRouter(prefix="/api", tags=["people"])
Json = dict[str, Any]


@api_router.get("/me", response_model=models.Me)
def me(request: Request) -> Json:
    """Who is logged in: role, person id (runners), clinic id (staff), and the mode."""
    actor = current_actor(request)
    if actor.role == "anonymous":
        raise LoginRequired
    return {
        "mode": "clinic" if clinic_mode(request) else "local",
        "role": actor.role,
        "person_id": actor.person_id,
        "clinic_id": actor.clinic_id,
        "account_id": actor.account_id,
    }


def _audited(request: Request, person_id: int, action: Action, what: str) -> Actor:
    actor = authorize(request, person_id, action)
    if actor.person_id != person_id:  # someone else's data: leave a trace
        accounts.audit(get_ctx(request), actor, person_id, what)
    return actor


@api_router.get("/people/{person_id}/export", response_model=models.Export)
def person_export(request: Request, backend: BackendDep, person_id: RowId) -> Json:
    """Everything stored about the person (never passwords or second-factor secrets)."""
    _audited(request, person_id, "export", "export")
    return backend.export(person_id)


@api_router.get("/people/{person_id}/progress", response_model=models.Progress)
def person_progress(request: Request, backend: BackendDep, person_id: RowId) -> Json:
    """Pain series, outcome scores, adherence and plan history of the person."""
    _audited(request, person_id, "read", "view_progress")
    return backend.progress(person_id)


@api_router.get("/people/{person_id}/plan", response_model=models.PlanVersion)
def person_plan(request: Request, backend: BackendDep, person_id: RowId) -> Json:
    """The person's current plan version."""
    _audited(request, person_id, "read", "view_plan")
    try:
        record, _plan = planning.current_plan(get_ctx(request), person_id)
    except NotFoundError as exc:
        raise HTTPException(404, "No plan yet.") from exc
    unit = backend.distance_unit(person_id).value  # the reason's distances are as it was written
    return {
        "version": record.version,
        "phase": record.phase,
        "week": record.week,
        "reason": record.reason,
        "distance_unit": unit,
    }


@api_router.get("/people/{person_id}/shares", response_model=list[models.Share])
def person_shares(request: Request, person_id: RowId) -> list[Json]:
    """The clinics the person shares with: since when, who can see it, what they see."""
    authorize(request, person_id, "manage_sharing")
    return accounts.shares(get_ctx(request), person_id)


@api_router.post(
    "/people/{person_id}/shares/{clinic_id}/stop",
    dependencies=[Depends(csrf_unless_token)],
    response_model=models.SharingStopped,
)
def person_stop_sharing(request: Request, person_id: RowId, clinic_id: RowId) -> Json:
    """Stop sharing with a clinic (its clinicians lose access at once)."""
    actor = authorize(request, person_id, "manage_sharing")
    if not accounts.stop_sharing(get_ctx(request), actor, person_id, clinic_id):
        raise HTTPException(404, "You do not share with that clinic.")
    return {"stopped": True, "clinic_id": clinic_id}


@api_router.get("/people/{person_id}/audit", response_model=list[models.AuditEntry])
def person_audit(request: Request, person_id: RowId) -> list[Json]:
    """Who viewed or changed the person's data, newest first."""
    authorize(request, person_id, "view_audit")
    return accounts.audit_trail(get_ctx(request), person_id)


@api_router.post(
    "/invitations", dependencies=[Depends(csrf_unless_token)], response_model=models.Invitation
)
def create_invitation(request: Request, body: InvitationIn) -> Json:
    """A one-time link (valid 7 days) for someone to join your clinic."""
    actor = current_actor(request)
    if actor.role == "anonymous":
        raise LoginRequired
    try:
        token = accounts.invite(get_ctx(request), actor, body.email, body.role, name=body.name)
    except PermissionError as exc:
        raise HTTPException(403, f"Not allowed: {exc}.") from exc
    except accounts.AccountError as exc:
        raise HTTPException(422, str(exc)) from exc
    return {"link": f"/join/{token}", "email": body.email.strip().lower(), "role": body.role}


class TokenIn(BaseModel):
    """A name for the new API token (what the script is for)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)


def _account_actor(request: Request) -> Actor:
    actor = current_actor(request)
    if actor.role == "anonymous":
        raise LoginRequired
    if actor.account_id is None:
        raise HTTPException(404, "API tokens exist in clinic mode only.")
    return actor


@api_router.post("/me/tokens", dependencies=[Depends(require_csrf)], response_model=models.TokenMade)
def create_token(request: Request, body: TokenIn) -> Json:
    """A new API token for scripts (``Authorization: Bearer TOKEN``); shown once, keep it safe."""
    token_id, token = accounts.create_api_token(get_ctx(request), _account_actor(request), body.name)
    return {"id": token_id, "name": body.name, "token": token}


@api_router.get("/me/tokens", response_model=list[models.Token])
def list_tokens(request: Request) -> list[Json]:
    """Your API tokens (names and dates, never the tokens)."""
    return accounts.api_tokens(get_ctx(request), _account_actor(request))


@api_router.post(
    "/me/tokens/{token_id}/revoke",
    dependencies=[Depends(csrf_unless_token)],
    response_model=models.TokenRevoked,
)
def revoke_token(request: Request, token_id: RowId) -> Json:
    """Revoke one of your API tokens at once."""
    if not accounts.revoke_api_token(get_ctx(request), _account_actor(request), token_id):
        raise HTTPException(404, "You have no such live token.")
    return {"revoked": True, "id": token_id}


# -- wiring -----------------------------------------------------------------------------------


def install(app: FastAPI) -> None:
    """Add the person-scoped API to ``app``, and in clinic mode the login and the actor resolution."""
    ctx = app.state.ctx
    app.state.clinic = bool(getattr(ctx.settings, "clinic", False))
    app.include_router(api_router)
    from heelcoach.web.visits_api import router as visits_router  # it imports this module

    app.include_router(visits_router)
    from heelcoach.web.clinic_pages import handover_router  # it imports this module

    app.include_router(handover_router, dependencies=[Depends(require_csrf)], include_in_schema=False)
    if not app.state.clinic:
        return
    app.state.resolve_person = clinic_person
    app.state.who = logged_in_as
    app.state.login_attempts = _LoginAttempts()
    app.include_router(login_router, dependencies=[Depends(require_csrf)], include_in_schema=False)
    from heelcoach.web.audit_pages import router as audit_router  # they import this module
    from heelcoach.web.clinic_pages import router as clinic_router

    app.include_router(clinic_router, dependencies=[Depends(require_csrf)], include_in_schema=False)
    app.include_router(audit_router, dependencies=[Depends(require_csrf)], include_in_schema=False)
    from heelcoach.web.clinic_forms import router as forms_router

    app.include_router(forms_router, dependencies=[Depends(require_csrf)], include_in_schema=False)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": "Log in first."}, status_code=401)
        return RedirectResponse("/login", status_code=303)
