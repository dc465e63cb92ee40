"""CLI command ``serve``: the local web app on the embedded SQLite store, at 127.0.0.1."""

from __future__ import annotations

import typer

from heelcoach.cli.app import app


def _run_workers(host: str, port: int, workers: int) -> None:
    """``uvicorn --workers``: processes sharing one listening socket, each building its own app."""
    import socket

    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    config = Config(
        "heelcoach.web.app:create_app",
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


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (keep 127.0.0.1 on your own computer)."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    open_browser: bool = typer.Option(False, "--open", help="Open the app in your web browser."),
    workers: int = typer.Option(
        1,
        min=1,
        max=16,
        help="Server processes. 1 suits one runner; more answer many browsers at once (pages stay "
        "in step: a change saved by one process shows in all), but the live progress of a gait "
        "video is kept by the process that got the upload, so its page may lose track of it (the "
        "finished report still shows on the Gait page).",
    ),
    clinic: bool = typer.Option(
        False, "--clinic", help="Clinic mode: accounts and roles (`heelcoach users add`), login at /login."
    ),
) -> None:
    """Start the heelcoach web app and print its address."""
    if clinic:  # through the environment, so every worker process builds its app in clinic mode too
        import os

        os.environ["HEELCOACH_CLINIC"] = "1"
    import uvicorn

    from heelcoach.services.context import AppContext
    from heelcoach.web.app import create_app, ensure_secret_key

    try:
        ctx = AppContext.from_settings()
    except Exception as exc:
        typer.echo(f"heelcoach could not open its database: {exc}", err=True)
        raise typer.Exit(1) from exc
    url = f"http://{host}:{port}/"
    typer.echo(f"heelcoach is running at {url}  (press Ctrl+C to stop)")
    typer.echo(f"Data: {ctx.settings.data_dir}")
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        if workers == 1:
            uvicorn.run(create_app(ctx), host=host, port=port, log_level="warning")
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
