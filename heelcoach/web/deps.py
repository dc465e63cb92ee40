"""Shared helpers for the routes: the context, the current person, the template context."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from heelcoach import DISCLAIMER
from heelcoach.errors import NotFoundError
from heelcoach.services import people
from heelcoach.services.context import AppContext
from heelcoach.services.units import DistanceUnit
from heelcoach.web.backend import Backend
from heelcoach.web.csrf import csrf_token

#: The main menu: (path, label).
NAV: tuple[tuple[str, str], ...] = (
    ("/today", "Today"),
    ("/plan", "Plan"),
    ("/progress", "Progress"),
    ("/runs", "Runs"),
    ("/gait", "Gait"),
    ("/learn", "Learn"),
    ("/settings", "Settings"),
)


class LoginRequired(Exception):  # noqa: N818 - reads as what it means at the raise site
    """The request needs a logged-in account (clinic mode; :mod:`heelcoach.web.auth` raises it)."""


def get_ctx(request: Request) -> AppContext:
    """The application context the app was built with."""
    ctx: AppContext = request.app.state.ctx
    return ctx


def get_backend(request: Request) -> Backend:
    """The adapter to the services."""
    backend: Backend = request.app.state.backend
    return backend


def existing_person(request: Request) -> int | None:
    """The person this browser works for, or None when nobody has started yet. Never creates one.

    Clinic mode: the logged-in runner. Local mode: the person in the session, else the first
    person stored on this machine (one runner per machine), else None.
    """
    resolve = getattr(request.app.state, "resolve_person", None)
    if resolve is not None:  # clinic mode: the logged-in runner's person (heelcoach.web.auth)
        return int(resolve(request))
    raw = request.session.get("person_id")
    if isinstance(raw, int) and get_backend(request).person_exists(raw):
        return raw
    try:
        pid = int(people.resolve_person(get_ctx(request), None).id)
    except NotFoundError:
        request.session.pop("person_id", None)
        return None
    request.session["person_id"] = pid
    return pid


def person_id(request: Request) -> int:
    """Get or create: the person who starts something here (local mode makes the first one now).

    Only the routes that start a runner off (the questionnaire, the self-tests, a plan, an
    upload, a check-in) use this; pages that only read use :func:`existing_person`.
    """
    pid = existing_person(request)
    if pid is None:
        pid = get_backend(request).default_person()
        request.session["person_id"] = pid
    return pid


def get_today() -> date:
    """Today, from the clock (tests move it with ``app.dependency_overrides[get_today]``)."""
    return date.today()


#: The typed dependencies every handler takes (after the FastAPI full-stack template).
BackendDep = Annotated[Backend, Depends(get_backend)]
CtxDep = Annotated[AppContext, Depends(get_ctx)]
#: The current person, or None for a browser whose runner has not started yet.
MaybePerson = Annotated[int | None, Depends(existing_person)]
#: The current person, created (local mode) when nobody has started yet: routes that start things.
StartingPerson = Annotated[int, Depends(person_id)]
Today = Annotated[date, Depends(get_today)]


def base_context(request: Request) -> dict[str, Any]:
    """What every template needs: the disclaimer, the menu, the CSRF token."""
    path = request.url.path
    active = next((p for p, _ in NAV if path == p or path.startswith(p + "/")), "")
    return {
        "request": request,
        "disclaimer": DISCLAIMER,
        "nav": NAV,
        "active": active,
        "csrf_token": csrf_token(request),
        "flash": request.session.pop("flash", None),
        "stop_referral": _stop_referral(request),
        "units": distance_unit(request),
        "who": _who(request),
    }


def _who(request: Request) -> dict[str, str] | None:
    """Clinic mode: who is logged in (email, role, clinic) for the page header; else None."""
    who = getattr(request.app.state, "who", None)
    return who(request) if who is not None else None


def _logged_in_runner(request: Request) -> int | None:
    """Clinic mode: the logged-in runner's person, or None (staff, or nobody logged in)."""
    try:
        return int(request.app.state.resolve_person(request))
    except (LoginRequired, HTTPException):  # staff and anonymous pages have no runner's banner
        return None


def _stop_referral(request: Request) -> str | None:
    """The referral of a plan paused by a warning sign or red flag: shown on every page."""
    pid = _logged_in_runner(request) if getattr(request.app.state, "resolve_person", None) else None
    pid = pid if pid is not None else request.session.get("person_id")
    if not isinstance(pid, int):
        return None
    try:
        return get_backend(request).stop_referral(pid)
    except NotFoundError:
        return None


def distance_unit(request: Request) -> DistanceUnit:
    """The current runner's distance unit (km when there is no runner or none chosen)."""
    pid = _logged_in_runner(request) if getattr(request.app.state, "resolve_person", None) else None
    pid = pid if pid is not None else request.session.get("person_id")
    if not isinstance(pid, int):
        return DistanceUnit.KM
    return get_backend(request).distance_unit(pid)


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """Render ``template`` with the base context plus ``values``."""
    context = base_context(request)
    context.update(values)
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status_code
    )
    return response


#: Stands for the per-session form token in cached HTML; replaced on every response.
CSRF_PLACEHOLDER = "CSRF-TOKEN-PLACEHOLDER-7c1e9a"


def _page_key(request: Request, name: str) -> tuple[Any, ...] | None:
    pid = request.session.get("person_id")
    if getattr(request.app.state, "clinic", False):  # clinic mode: no HTML shared between sessions
        return None
    if not isinstance(pid, int) or request.session.get("flash"):
        return None
    return (pid, "html", name)


def cached_page(request: Request, name: str) -> HTMLResponse | None:
    """The page ``name`` from the cache (with this session's token), or None."""
    key = _page_key(request, name)
    html = get_backend(request).peek(key) if key is not None else None
    if not isinstance(html, str):
        return None
    return HTMLResponse(html.replace(CSRF_PLACEHOLDER, csrf_token(request)))


def render_cached(request: Request, name: str, template: str, **values: Any) -> HTMLResponse:
    """Render like :func:`render` and keep the HTML for :func:`cached_page` (dropped on writes)."""
    key = _page_key(request, name)
    if key is None:
        return render(request, template, **values)
    context = base_context(request)
    context["csrf_token"] = CSRF_PLACEHOLDER
    context.update(values)
    html = request.app.state.templates.get_template(template).render(context)
    get_backend(request).store(key, html, getattr(request.state, "page_taken", None))
    return HTMLResponse(html.replace(CSRF_PLACEHOLDER, csrf_token(request)))


async def cached_or_build(request: Request, name: str, build: Callable[[Request], Response]) -> Response:
    """The cached page ``name``, else ``build(request)`` (which calls :func:`render_cached`).

    Builds run in a worker thread (they read the database), one per page and person at a time:
    when a cached page expires under load, the requests that arrive meanwhile wait for that one
    build instead of each reading and rendering again.
    """
    hit = cached_page(request, name)
    if hit is not None:
        return hit
    return await run_in_threadpool(_build_once, request, name, build)


def _build_once(request: Request, name: str, build: Callable[[Request], Response]) -> Response:
    key = _page_key(request, name)
    if key is None:  # a first visit: no person in the session yet
        return build(request)
    backend = get_backend(request)
    with backend.build_lock(key):
        hit = cached_page(request, name)
        if hit is not None:
            return hit
        # the page is cached as of now: a write committed while it is built makes it stale
        request.state.page_taken = backend.stamp(key)
        return build(request)
