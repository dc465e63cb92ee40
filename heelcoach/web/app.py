"""The FastAPI application factory: pages, the JSON API under /api, static files, error pages.

Usage::

    from heelcoach.web.app import create_app
    app = create_app()          # opens the configured database (SQLite by default)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from heelcoach import __version__
from heelcoach.services.context import AppContext
from heelcoach.services.jobs import JobRunner
from heelcoach.web.api import router as api_router
from heelcoach.web.backend import Backend
from heelcoach.web.csrf import require_csrf
from heelcoach.web.errors import install as install_error_pages
from heelcoach.web.filters import install_filters
from heelcoach.web.pages_daily import router as daily_router
from heelcoach.web.pages_data import router as data_router
from heelcoach.web.pages_learn import router as learn_router
from heelcoach.web.pages_start import router as start_router

HERE = Path(__file__).resolve().parent


def _secret_key(data_dir: Path) -> str:
    """HEELCOACH_SECRET_KEY, else a random key kept in the data folder (so sessions survive restarts)."""
    env = os.environ.get("HEELCOACH_SECRET_KEY")
    if env:
        return env
    path = data_dir / "web_secret_key"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


def create_app(ctx: AppContext | None = None, jobs: JobRunner | None = None) -> FastAPI:
    """Build the web app around ``ctx`` (default: from the environment's settings)."""
    ctx = ctx or AppContext.from_settings()
    app = FastAPI(
        title="heelcoach",
        version=__version__,
        description="The heelcoach JSON API, used by the web pages and by scripts. "
        "heelcoach is not a diagnosis.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.ctx = ctx
    app.state.backend = Backend(ctx, jobs)
    app.state.secret_key = _secret_key(Path(ctx.settings.data_dir))
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    install_filters(templates.env)
    app.state.templates = templates
    app.add_middleware(
        SessionMiddleware,
        secret_key=app.state.secret_key,
        session_cookie="heelcoach_session",
        same_site="lax",
        https_only=False,
        max_age=60 * 60 * 24 * 365,
    )
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    install_error_pages(app)
    csrf = [Depends(require_csrf)]
    for router in (learn_router, start_router, daily_router, data_router):
        app.include_router(router, dependencies=csrf, include_in_schema=False)
    app.include_router(api_router)
    return app
