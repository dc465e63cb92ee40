"""CLI command ``serve``: the local web app on the embedded SQLite store, at 127.0.0.1."""

from __future__ import annotations

import typer

from heelcoach.cli.app import app


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (keep 127.0.0.1 on your own computer)."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    open_browser: bool = typer.Option(False, "--open", help="Open the app in your web browser."),
) -> None:
    """Start the heelcoach web app and print its address."""
    import uvicorn

    from heelcoach.services.context import AppContext
    from heelcoach.web.app import create_app

    try:
        ctx = AppContext.from_settings()
    except Exception as exc:
        typer.echo(f"heelcoach could not open its database: {exc}", err=True)
        raise typer.Exit(1) from exc
    web_app = create_app(ctx)
    url = f"http://{host}:{port}/"
    typer.echo(f"heelcoach is running at {url}  (press Ctrl+C to stop)")
    typer.echo(f"Data: {ctx.settings.data_dir}")
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        uvicorn.run(web_app, host=host, port=port, log_level="warning")
    except OSError as exc:
        typer.echo(f"Could not listen on {host}:{port}: {exc}. Try another port with --port.", err=True)
        raise typer.Exit(1) from exc
    finally:
        ctx.close()
