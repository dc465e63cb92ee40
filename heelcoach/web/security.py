"""Who may talk to the web app: Host allow-list, Origin/Referer checks, the access secret, body limits.

One ASGI middleware (inside the session middleware, so it can read the session) does, per request:

1. **Host**: only the loopback names, the address given to ``serve --host`` and
   ``HEELCOACH_ALLOWED_HOSTS`` are answered; any other Host header gets 400 (a web page that
   re-points its own name at 127.0.0.1, "DNS rebinding", cannot read or change anything).
2. **Origin / Referer**: a state-changing request (anything but GET, HEAD, OPTIONS) that names
   another site in ``Origin`` (or, without it, in ``Referer``) gets 403, pages and API alike.
3. **Access secret**: when one is configured, every request without the access cookie (or an
   ``Authorization: Bearer <secret>`` header) gets the login page, and the API 401.
4. **Body size**: a declared ``Content-Length`` above the limit is answered 413 before anything is
   read; a chunked body is counted as it streams in and stopped at the limit (413 too).
5. **Headers**: Content-Security-Policy (no framing), X-Frame-Options, X-Content-Type-Options,
   Referrer-Policy on every response.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Paths that receive files: their limit is the upload limit; every other body is small.
UPLOAD_PATHS = ("/runs/import", "/gait/upload")
SMALL_BODY_BYTES = 2 * 1024 * 1024
#: Reachable without the access secret: the login page, its styles, the liveness check.
OPEN_PATHS = ("/login", "/static/", "/api/health")
ACCESS_FILE = "web_access_secret.sha256"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
#: The interactive API docs load Swagger UI from its CDN with an inline start script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)


def is_loopback(host: str) -> bool:
    """True for 127.x.x.x, ::1 and 'localhost'."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_name(value: str) -> str:
    """The name part of a Host header or netloc, lower case, without port or IPv6 brackets."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value[1:]
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


def allowed_hosts(extra: Iterable[str] = ()) -> frozenset[str]:
    """The loopback names plus ``extra`` (names or addresses, comma-separated strings allowed)."""
    names = set(LOOPBACK_HOSTS)
    for item in extra:
        names.update(host_name(part) for part in item.split(",") if part.strip())
    return frozenset(names)


# ---------------------------------------------------------------------------------- access secret
def secret_hash(secret: str) -> str:
    """The SHA-256 of an access secret, hex (what is kept on disk and compared)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_access_secret(data_dir: Path) -> str:
    """A new random access secret; only its hash is kept (in the data folder). Shown once."""
    secret = secrets.token_urlsafe(24)
    path = Path(data_dir) / ACCESS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{ACCESS_FILE}.tmp")
    tmp.write_text(secret_hash(secret), encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)
    return secret


def configured_access_hash(secret: str | None, data_dir: Path) -> str | None:
    """The hash to check against: of HEELCOACH_ACCESS_SECRET, else the one kept in the data folder."""
    if secret:
        return secret_hash(secret)
    path = Path(data_dir) / ACCESS_FILE
    if path.is_file():
        text = path.read_text(encoding="utf-8").strip()
        return text or None
    return None


def session_mark(access_hash: str) -> str:
    """What the session keeps once the secret was given (changes when the secret changes)."""
    return hashlib.sha256(("heelcoach-access:" + access_hash).encode()).hexdigest()[:32]


def secret_matches(given: str, access_hash: str) -> bool:
    """Constant-time check of a secret someone typed or sent."""
    return hmac.compare_digest(secret_hash(given), access_hash)


# ---------------------------------------------------------------------------------- the middleware
@dataclass(frozen=True, slots=True)
class GuardConfig:
    """What the guard enforces."""

    hosts: frozenset[str]
    access_hash: str | None
    upload_limit_bytes: int
    upload_limit_mb: int


def origin_problem(headers: Headers) -> str | None:
    """Why a state-changing request looks cross-site (None when it does not)."""
    host = headers.get("host", "").lower()
    origin = headers.get("origin")
    if origin is not None:
        if origin == "null" or urlsplit(origin).netloc.lower() != host:
            return "This request came from another web site, so heelcoach did not act on it."
        return None
    referer = headers.get("referer")
    if referer and urlsplit(referer).netloc.lower() != host:
        return "This request came from another web site, so heelcoach did not act on it."
    return None


def _too_large(limit_mb: int, upload: bool) -> str:
    if upload:
        return (
            f"That upload is larger than the {limit_mb} MB limit, so it was not read. "
            "Send fewer or smaller files (a ZIP of the activities folder only), or ask whoever runs "
            "heelcoach to raise HEELCOACH_MAX_UPLOAD_MB."
        )
    return "That request is too large for heelcoach to read."


class Guard:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: ASGIApp, config: GuardConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        send = _with_headers(send, DOCS_CSP if path == "/api/docs" else CSP)
        headers = Headers(scope=scope)
        refusal = self._refusal(scope, headers, path)
        if refusal is not None:
            await _answer(send, path, *refusal)
            return
        upload = scope["method"] == "POST" and path in UPLOAD_PATHS
        limit = self.config.upload_limit_bytes if upload else SMALL_BODY_BYTES
        message = _too_large(self.config.upload_limit_mb, upload)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _answer(send, path, 413, message)
            return
        await self.app(scope, _counted(receive, limit, message), send)

    def _refusal(self, scope: Scope, headers: Headers, path: str) -> tuple[int, str, str] | None:
        """(status, message, redirect) when the request is refused before the app sees it."""
        if host_name(headers.get("host", "")) not in self.config.hosts:
            return (
                400,
                "heelcoach answers only at its own address (for example http://127.0.0.1:8000/).",
                "",
            )
        if scope["method"] not in SAFE_METHODS:
            problem = origin_problem(headers)
            if problem:
                return 403, problem, ""
        needs_access = self.config.access_hash is not None and not path.startswith(OPEN_PATHS)
        if needs_access and not self._has_access(scope, headers):
            target = path + ("?" + scope["query_string"].decode() if scope.get("query_string") else "")
            return 401, "Give the access secret first.", "/login?next=" + quote(target, safe="")
        return None

    def _has_access(self, scope: Scope, headers: Headers) -> bool:
        access_hash = self.config.access_hash
        assert access_hash is not None
        session: MutableMapping[str, Any] = scope.get("session") or {}
        mark = session.get("access")
        if isinstance(mark, str) and hmac.compare_digest(mark, session_mark(access_hash)):
            return True
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return secret_matches(auth[7:].strip(), access_hash)
        return False


def _with_headers(send: Send, csp: str) -> Send:
    extra = [
        (b"content-security-policy", csp.encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
    ]

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {k.lower() for k, _ in message.get("headers", [])}
            message["headers"] = list(message.get("headers", [])) + [
                (k, v) for k, v in extra if k not in present
            ]
        await send(message)

    return wrapped


def _counted(receive: Receive, limit: int, message: str) -> Receive:
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        msg = await receive()
        if msg["type"] == "http.request":
            seen += len(msg.get("body", b""))
            if seen > limit:
                raise HTTPException(413, message)
        return msg

    return wrapped


async def _answer(send: Send, path: str, status: int, message: str, redirect: str = "") -> None:
    """A short answer from the guard itself: JSON under /api, else a small page (or a redirect)."""
    headers: list[tuple[bytes, bytes]] = []
    if path.startswith("/api"):
        body = json.dumps({"detail": message}).encode()
        headers.append((b"content-type", b"application/json"))
        if status == 401:
            headers.append((b"www-authenticate", b'Bearer realm="heelcoach"'))
    elif redirect:
        status, body = 303, b""
        headers.append((b"location", redirect.encode()))
    else:
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width, initial-scale=1"><title>heelcoach</title>'
            '<link rel="stylesheet" href="/static/app.css"></head><body><main class="container">'
            f"<h1>heelcoach could not take this</h1><p>{_escape(message)}</p>"
            '<p><a href="/">Back to heelcoach</a></p></main></body></html>'
        )
        body = page.encode()
        headers.append((b"content-type", b"text/html; charset=utf-8"))
    headers.append((b"content-length", str(len(body)).encode()))
    headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
