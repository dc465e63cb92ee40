"""The FastAPI application factory: pages, the JSON API under /api, static files, error pages.

Usage::

    from heelcoach.web.app import create_app
    app = create_app()          # opens the configured database (SQLite by default)
"""

from __future__ import annotations

import gc
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
from heelcoach.web.auth import install as install_accounts
from heelcoach.web.backend import Backend
from heelcoach.web.csrf import require_csrf
from heelcoach.web.errors import install as install_error_pages
from heelcoach.web.filters import install_filters
from heelcoach.web.illustrations import router as illustrations_router
from heelcoach.web.login import router as login_router
from heelcoach.web.pages_charts import router as charts_router
from heelcoach.web.pages_daily import router as daily_router
from heelcoach.web.pages_data import router as data_router
from heelcoach.web.pages_learn import router as learn_router
from heelcoach.web.pages_runs import router as runs_router
from heelcoach.web.pages_session import router as session_router
from heelcoach.web.pages_start import router as start_router
from heelcoach.web.report_jobs import router as reports_router
from heelcoach.web.security import Guard, GuardConfig, allowed_hosts, configured_access_hash

HERE = Path(__file__).resolve().parent


def ensure_secret_key(data_dir: Path) -> str:
    """HEELCOACH_SECRET_KEY, else a random key kept in the data folder (so sessions survive restarts).

    The key file is created exclusively, so server processes starting together agree on one key.
    """
    env = os.environ.get("HEELCOACH_SECRET_KEY")
    if env:
        return env
    path = Path(data_dir) / "web_secret_key"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".web_secret_key.{os.getpid()}")
        tmp.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # fails when another process made the key first: keep theirs
        except FileExistsError:
            pass
        except OSError:  # no hard links on this file system
            if not path.is_file():
                tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text(encoding="utf-8").strip()


def create_app(
    ctx: AppContext | None = None, jobs: JobRunner | None = None, hosts: tuple[str, ...] = ()
) -> FastAPI:
    """Build the web app around ``ctx`` (default: from the environment's settings).

    ``hosts``: names the app answers to besides the loopback ones and HEELCOACH_ALLOWED_HOSTS.
    """
    ctx = ctx or AppContext.from_settings()
    settings = ctx.settings
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
    app.state.secret_key = ensure_secret_key(Path(settings.data_dir))
    secret = None if settings.clinic else settings.access_secret  # clinic mode: account logins
    app.state.access_hash = configured_access_hash(secret, Path(settings.data_dir))
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    install_filters(templates.env)
    app.state.templates = templates
    guard = GuardConfig(
        hosts=allowed_hosts([settings.allowed_hosts, *hosts]),
        access_hash=app.state.access_hash,
        upload_limit_bytes=(settings.max_upload_mb + 1) * 1024 * 1024,  # 1 MB for the form around it
        upload_limit_mb=settings.max_upload_mb,
    )
    app.state.allowed_hosts = guard.hosts
    app.add_middleware(Guard, config=guard)  # added first: runs inside the session middleware
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
    # the access-secret login of the local app; clinic mode has account logins instead (install_accounts)
    access = () if settings.clinic else (login_router,)
    pages = (*access, learn_router, start_router, daily_router, runs_router, data_router, reports_router)
    for router in (*pages, session_router, charts_router):
        app.include_router(router, dependencies=csrf, include_in_schema=False)
    app.include_router(api_router)
    app.include_router(illustrations_router, include_in_schema=False)
    install_accounts(app)
    return app


def settle_heap() -> None:
    """Move everything alive after start-up (modules, knowledge catalogue, templates, the ORM's
    mappers: about 130,000 objects) out of the garbage collector's view.

    Without it every full collection walks them all again: 100-250 ms on this machine, once every
    few requests of a page that builds many rows (the caseload of 200 runners), which was its p95.
    Only the serving processes call it (``heelcoach serve``), never tests building many apps.
    """
    gc.collect()
    gc.freeze()


def create_served_app() -> FastAPI:
    """The app factory of each ``heelcoach serve --workers N`` process: built, then its heap settled."""
    app = create_app()
    settle_heap()
    return app
