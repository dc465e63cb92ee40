"""CLI commands ``users``: the first accounts of a clinic (``heelcoach users add``)."""

from __future__ import annotations

import sys

import typer

from heelcoach.cli.app import app
from heelcoach.cli.common import fail, open_context, out

users_app = typer.Typer(help="Clinic accounts (clinic mode: heelcoach serve --clinic).", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def add(
    email: str = typer.Argument(..., help="The account's email address (its login name)."),
    role: str = typer.Option(..., "--role", help="runner, clinician or admin."),
    clinic: str = typer.Option(None, "--clinic", help="The clinic's name (created if new)."),
    name: str = typer.Option(
        None, "--name", help='How others read who did something, e.g. "Dr Ana Ruiz, physiotherapist".'
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input (first line)."
    ),
) -> None:
    """Add an account. A runner added with --clinic shares their data with it (they can stop)."""
    from heelcoach.services import accounts

    if not password_stdin:
        fail(
            "pass the password on standard input with --password-stdin (it never goes on the command line)", 2
        )
    password = sys.stdin.readline().rstrip("\r\n")
    with open_context() as ctx:
        try:
            added = accounts.add_user(ctx, email, role, clinic, password, name=name)
        except accounts.AccountError as exc:
            fail(str(exc), 2)
    named = f' as "{name.strip()}"' if name and name.strip() else ""
    said = f"Added {accounts.role_words(added.role)} {added.email}{named} (account {added.account_id})."
    out.print(said, markup=False)  # the name as typed, brackets and all
    if added.totp_secret:
        import pyotp

        uri = pyotp.TOTP(added.totp_secret).provisioning_uri(name=added.email, issuer_name="heelcoach")
        out.print("Staff log in with a 6-digit code: add this to an authenticator app now (shown once):")
        out.print(uri)
