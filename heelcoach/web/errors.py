"""Error pages and JSON errors: a clear message, never a stack trace in the browser."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

TITLES = {
    400: "That request did not make sense",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed here",
    413: "File too large",
    422: "Please check what you entered",
    500: "Something went wrong on our side",
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or "application/json" in request.headers.get("accept", "")


def _page(request: Request, status: int, message: str) -> Response:
    templates = request.app.state.templates
    from heelcoach.web.deps import base_context  # local: deps imports this module's siblings

    context: dict[str, Any] = base_context(request)
    context.update(status=status, title=TITLES.get(status, "Something went wrong"), message=message)
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


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

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        message = (
            "heelcoach hit an unexpected problem and could not finish. Nothing you saved before "
            "was lost. Try again; if it keeps happening, export your data from Settings and report it."
        )
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=500)
        return _page(request, 500, message)
