"""Shared helpers for the routes: the context, the current person, the template context."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from heelcoach import DISCLAIMER
from heelcoach.services.context import AppContext
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


def get_ctx(request: Request) -> AppContext:
    """The application context the app was built with."""
    ctx: AppContext = request.app.state.ctx
    return ctx


def get_backend(request: Request) -> Backend:
    """The adapter to the services."""
    backend: Backend = request.app.state.backend
    return backend


def person_id(request: Request) -> int | None:
    """The person this browser works for: the id in the session, else the first person (created)."""
    backend = get_backend(request)
    raw = request.session.get("person_id")
    if isinstance(raw, int) and backend.person_exists(raw):
        return raw
    pid = backend.default_person()
    if pid is not None:
        request.session["person_id"] = pid
    return pid


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
    }


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """Render ``template`` with the base context plus ``values``."""
    context = base_context(request)
    context.update(values)
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status_code
    )
    return response
