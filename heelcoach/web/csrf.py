"""CSRF protection: a signed token per session, put in every form and checked on every POST."""

from __future__ import annotations

import secrets
from functools import lru_cache

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeSerializer

FIELD = "csrf_token"
HEADER = "x-csrf-token"
_SALT = "heelcoach-csrf"


@lru_cache(maxsize=8)
def _serializer_for(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=_SALT)


def _serializer(request: Request) -> URLSafeSerializer:
    return _serializer_for(request.app.state.secret_key)


@lru_cache(maxsize=4096)
def _token_for(secret_key: str, seed: str) -> str:
    # the token is a pure function of key and seed: sign it once per session, not per page
    return str(_serializer_for(secret_key).dumps(seed))


def csrf_token(request: Request) -> str:
    """The token for this session (the session gets a random seed on first use)."""
    seed = request.session.get("csrf_seed")
    if not isinstance(seed, str):
        seed = secrets.token_urlsafe(16)
        request.session["csrf_seed"] = seed
    return _token_for(request.app.state.secret_key, seed)


def token_is_valid(request: Request, token: str | None) -> bool:
    """True when ``token`` was signed by this app for this session."""
    seed = request.session.get("csrf_seed")
    if not token or not isinstance(seed, str):
        return False
    try:
        value = _serializer(request).loads(token)
    except BadSignature:
        return False
    return isinstance(value, str) and secrets.compare_digest(value, seed)


async def require_csrf(request: Request) -> None:
    """FastAPI dependency for page routers: POSTs need the token (form field or htmx header)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    token = request.headers.get(HEADER)
    if not token:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            raw = form.get(FIELD)
            token = raw if isinstance(raw, str) else None
    if not token_is_valid(request, token):
        raise HTTPException(
            status_code=403,
            detail=(
                "This form has expired or did not come from heelcoach. "
                "Go back, reload the page and send it again."
            ),
        )
