"""CLI command ``serve``: the local web app on the embedded SQLite store, at 127.0.0.1.

Any other address is refused unless an access secret is configured (``--new-access-secret`` or
HEELCOACH_ACCESS_SECRET); the start message says which protection is in place.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from heelcoach.cli.app import app

if TYPE_CHECKING:
    from heelcoach.services.context import AppContext


def _run_workers(host: str, port: int, workers: int) -> None:
    """``uvicorn --workers``: processes sharing one listening socket, each building its own app."""
    import socket

    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    config = Config(
        "heelcoach.web.app:create_served_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
    )
    sock = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        # uvicorn binds with protocol 0, so asyncio leaves Nagle's algorithm on for the connections
        # (uvicorn issue 3149) and every keep-alive answer waits ~40 ms for the browser's delayed
        # ACK; the same socket marked as TCP gets TCP_NODELAY like the one-process server.
        sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    Multiprocess(config, sockets=[sock]).run()


def _answer_names(host: str) -> tuple[str, ...]:
    """The names browsers may use for this server: the address given, or this computer's names."""
    import socket

    if host not in ("0.0.0.0", "::", ""):
        return (host,)
    names = {socket.gethostname(), socket.getfqdn()}
    with contextlib.suppress(OSError):
        names.update(str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None))
    return tuple(sorted(n for n in names if n))


def _access_check(host: str, new_secret: bool, data_dir: Path, secret: str | None) -> bool:
    """Say how the app is protected; exit when it would be open to the network. True: secret in use."""
    from heelcoach.web.security import configured_access_hash, is_loopback, new_access_secret

    if new_secret:
        token = new_access_secret(data_dir)
        typer.echo("New access secret (shown only this once; keep it somewhere safe):")
        typer.echo(f"    {token}")
        if secret:
            typer.echo("Note: HEELCOACH_ACCESS_SECRET is set and is used instead of this one.", err=True)
    protected = configured_access_hash(secret, data_dir) is not None
    if not is_loopback(host) and not protected:
        typer.echo(
            f"heelcoach will not listen on {host}: other computers could read and delete this health "
            "data. Keep the default 127.0.0.1, or require an access secret: start once with "
            "--new-access-secret (a random secret is made and shown once), or set "
            "HEELCOACH_ACCESS_SECRET to a long password.",
            err=True,
        )
        raise typer.Exit(2)
    return protected


@app.command()
def serve(
    host: str = typer.Option(
        "127.0.0.1",
        help="Address to listen on. Keep 127.0.0.1 on your own computer; any other address needs an "
        "access secret (--new-access-secret or HEELCOACH_ACCESS_SECRET).",
    ),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    open_browser: bool = typer.Option(False, "--open", help="Open the app in your web browser."),
    new_access_secret: bool = typer.Option(
        False,
        "--new-access-secret",
        help="Make a new random access secret (shown once), required by every browser and script.",
    ),
    workers: int = typer.Option(
        1,
        min=1,
        max=16,
        help="Server processes. 1 suits one runner; more answer many browsers at once (pages stay "
        "in step: a change saved by one process shows in all), but the live progress of a gait "
        "video or an import is kept by the process that got the upload, so its page may lose track "
        "of it (the finished report and the imported runs still show on their pages); with "
        "HEELCOACH_BROKER_URL, workers run the jobs and every process follows them.",
    ),
    clinic: bool = typer.Option(
        False, "--clinic", help="Clinic mode: accounts and roles (`heelcoach users add`), login at /login."
    ),
) -> None:
    """Start the heelcoach web app and print its address."""
    import os

    if clinic:  # through the environment, so every worker process builds its app in clinic mode too
        os.environ["HEELCOACH_CLINIC"] = "1"
    from heelcoach.config import get_settings
    from heelcoach.services.context import AppContext

    settings = get_settings()
    # clinic mode: every account logs in, so the access secret of the local app is not used
    protected = settings.clinic or _access_check(
        host, new_access_secret, settings.data_dir, settings.access_secret
    )
    names = _answer_names(host)
    # worker processes build their app from the environment: they answer to the same names
    os.environ["HEELCOACH_ALLOWED_HOSTS"] = ",".join([settings.allowed_hosts, *names]).strip(",")
    try:
        ctx = AppContext.from_settings()
    except Exception as exc:
        typer.echo(f"heelcoach could not open its database: {exc}", err=True)
        raise typer.Exit(1) from exc
    url = f"http://{host}:{port}/"
    _say_where(url, ctx.settings.data_dir, settings.clinic, protected, names)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    _run(ctx, host, port, workers)


def _say_where(url: str, data_dir: Path, clinic: bool, protected: bool, names: tuple[str, ...]) -> None:
    """The address, the data folder, and who can reach the app."""
    typer.echo(f"heelcoach is running at {url}  (press Ctrl+C to stop)")
    typer.echo(f"Data: {data_dir}")
    if clinic:
        typer.echo("Clinic mode: every page needs a login (accounts: `heelcoach users add`).")
    elif protected:
        typer.echo(
            "Access secret required: browsers get a login page, scripts send "
            "'Authorization: Bearer <secret>'. Answers to: " + ", ".join(["127.0.0.1", "localhost", *names])
        )
    else:
        typer.echo("Only this computer can reach it (no access secret needed).")


def _run(ctx: AppContext, host: str, port: int, workers: int) -> None:
    """Serve until stopped: one process, or ``workers`` processes with one session key."""
    import uvicorn

    from heelcoach.web.app import create_app, ensure_secret_key, settle_heap

    try:
        if workers == 1:
            served = create_app(ctx)
            settle_heap()
            uvicorn.run(served, host=host, port=port, log_level="warning")
        else:
            # each worker process builds its own app from the same settings (environment); the
            # session key is made once here so every worker signs cookies with the same key
            ensure_secret_key(ctx.settings.data_dir)
            ctx.close()
            _run_workers(host, port, workers)
    except OSError as exc:
        typer.echo(f"Could not listen on {host}:{port}: {exc}. Try another port with --port.", err=True)
        raise typer.Exit(1) from exc
    finally:
        ctx.close()
