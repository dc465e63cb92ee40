"""Error pages and JSON errors: a clear message, never a stack trace in the browser."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from heelcoach.errors import (
    AnalysisError,
    ConflictError,
    HeelcoachError,
    InvalidInputError,
    JobError,
    NotFoundError,
)

log = logging.getLogger(__name__)

TITLES = {
    400: "That request did not make sense",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed here",
    409: "Not possible right now",
    413: "File too large",
    422: "Please check what you entered",
    500: "Something went wrong on our side",
    503: "Busy for a moment",
}


#: The one place the web app maps the error tree to HTTP: kind -> status. The message shown is the
#: error's own (it is written for a person); any other HeelcoachError (a schema or knowledge error)
#: is the server's fault and gets the generic 500 page, like a bug.
STATUS_OF: tuple[tuple[type[HeelcoachError], int], ...] = (
    (InvalidInputError, 422),
    (AnalysisError, 422),
    (NotFoundError, 404),
    (ConflictError, 409),
    (JobError, 500),
)

#: What a person sees for a bug: no message of the error itself, ever.
SERVER_ERROR = (
    "heelcoach hit an unexpected problem and could not finish. Nothing you saved before "
    "was lost. Try again; if it keeps happening, export your data from Settings and report it."
)


#: What a person sees when the database does not answer (restarting, or every connection busy).
DATABASE_AWAY = (
    "The database did not answer in time, so this could not be done just now. What you saved "
    "before is kept. Try again in a minute."
)
#: Seconds a client is told to wait before trying again after a 503.
RETRY_AFTER_S = 30


def status_of(exc: HeelcoachError) -> int | None:
    """The HTTP status for an error of the tree, or None when it is the server's fault."""
    return next((status for kind, status in STATUS_OF if isinstance(exc, kind)), None)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or "application/json" in request.headers.get("accept", "")


def _page(request: Request, status: int, message: str) -> Response:
    templates = request.app.state.templates
    from heelcoach.web.deps import base_context  # local: deps imports this module's siblings

    context: dict[str, Any] = base_context(request)
    context.update(status=status, title=TITLES.get(status, "Something went wrong"), message=message)
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


async def database_away(request: Request, exc: Exception) -> Response:
    """503 with Retry-After: the database is restarting or every pooled connection is busy.

    The request's transaction was rolled back; no address or SQL of the error reaches the person.
    """
    log.warning("database away on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    headers = {"Retry-After": str(RETRY_AFTER_S)}
    if _wants_json(request):
        return JSONResponse({"detail": DATABASE_AWAY}, status_code=503, headers=headers)
    response = _page(request, 503, DATABASE_AWAY)
    response.headers.update(headers)
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    """A bug (or the database away in a middleware): the generic page, the error in the log only."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeoutError):  # raised in a middleware
        return await database_away(request, exc)
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    if _wants_json(request):
        return JSONResponse({"detail": SERVER_ERROR}, status_code=500)
    return _page(request, 500, SERVER_ERROR)


async def client_gone(request: Request, exc: Exception) -> Response:
    """The browser left while still sending the request (a page left while its autosave was on
    the way): nothing was read, nothing saved, and nobody is there to read an answer."""
    log.info("client left during %s %s", request.method, request.url.path)
    return Response(status_code=400)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
        if exc.status_code == 404 and message == "Not Found":
            message = "There is no page at this address. Use the menu to find your way."
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=exc.status_code, headers=exc.headers)
        return _page(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {
                "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"),
                "message": err.get("msg", ""),
            }
            for err in exc.errors()
        ]
        if _wants_json(request):
            return JSONResponse({"detail": "Please check the fields listed.", "errors": problems}, 422)
        text = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return _page(request, 422, f"Some values were not valid ({text}). Go back and check them.")

    @app.exception_handler(HeelcoachError)
    async def tree_error(request: Request, exc: HeelcoachError) -> Response:
        status = status_of(exc)
        if status is None:
            return await server_error(request, exc)
        if status >= 500:
            log.warning("%s on %s %s: %s", type(exc).__name__, request.method, request.url.path, exc)
        message = str(exc).strip("'\"")
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=status)
        return _page(request, status, message)

    app.add_exception_handler(OperationalError, database_away)
    app.add_exception_handler(InterfaceError, database_away)  # a connection closed under us
    app.add_exception_handler(PoolTimeoutError, database_away)
    app.add_exception_handler(ClientDisconnect, client_gone)
    app.add_exception_handler(Exception, server_error)
