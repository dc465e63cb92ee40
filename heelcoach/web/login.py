"""The login page, used only when an access secret is configured (``serve`` off this computer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from heelcoach.web.deps import render
from heelcoach.web.security import secret_matches, session_mark

router = APIRouter()


def _safe_next(target: str) -> str:
    """Only a path on this site (never '//other.site' or a full address)."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    """Ask for the access secret."""
    if request.app.state.access_hash is None:
        return RedirectResponse("/", status_code=303)
    return render(request, "access_login.html", status_code=401, title="Access secret", next=_safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request, secret: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/"
) -> Response:
    """Check the secret; remember it in the session cookie."""
    access_hash = request.app.state.access_hash
    if access_hash is None:
        return RedirectResponse("/", status_code=303)
    if not secret_matches(secret.strip(), access_hash):
        return render(
            request,
            "access_login.html",
            status_code=401,
            title="Access secret",
            next=_safe_next(next),
            error="That is not the access secret. Check it and try again.",
        )
    request.session["access"] = session_mark(access_hash)
    return RedirectResponse(_safe_next(next), status_code=303)
