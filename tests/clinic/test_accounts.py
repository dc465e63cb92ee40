"""Clinic accounts on SQLite and PostgreSQL: argon2id, lock-out, TOTP for staff, session time-outs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from heelcoach.services import accounts, person_data
from heelcoach.services.context import AppContext
from heelcoach.store.accounts import AccountSecretRow
from heelcoach.store.base import transaction

PASSWORD = "correct horse battery staple"
T0 = datetime(2026, 9, 7, 8, 0, tzinfo=UTC)


def test_password_is_stored_as_argon2id_only(ctx: AppContext) -> None:
    added = accounts.add_user(ctx, "Ann@Example.org", "runner", "Northside", PASSWORD, now=T0)
    with transaction(ctx.sessions) as s:
        stored = s.scalars(select(AccountSecretRow.password_hash)).one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert added.email == "ann@example.org"
    assert added.person_id is not None


def test_a_password_stored_with_other_settings_is_hashed_again_at_login(ctx: AppContext) -> None:
    """The stored hash says its own settings: an older, costlier one still logs in, and is replaced
    by one at the project's setting (OWASP's 19 MiB, 2 passes, 1 lane); a wrong password changes nothing."""
    from argon2 import PasswordHasher

    accounts.add_user(ctx, "ann@example.org", "runner", None, PASSWORD, now=T0)
    with transaction(ctx.sessions) as s:
        secret = s.scalars(select(AccountSecretRow)).one()
        assert secret.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        secret.password_hash = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash(PASSWORD)
    assert accounts.login(ctx, "ann@example.org", "not it", now=T0).token is None
    with transaction(ctx.sessions) as s:
        assert s.scalars(select(AccountSecretRow.password_hash)).one().startswith("$argon2id$v=19$m=65536")
    assert accounts.login(ctx, "ann@example.org", PASSWORD, now=T0).token is not None
    with transaction(ctx.sessions) as s:
        again = s.scalars(select(AccountSecretRow.password_hash)).one()
    assert again.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert accounts.login(ctx, "ann@example.org", PASSWORD, now=T0).token is not None


def test_runner_logs_in_and_session_times_out(ctx: AppContext) -> None:
    added = accounts.add_user(ctx, "ann@example.org", "runner", None, PASSWORD, now=T0)
    result = accounts.login(ctx, "ann@example.org", PASSWORD, now=T0)
    assert result.token is not None
    actor = accounts.actor_for_token(ctx, result.token, now=T0 + timedelta(minutes=5))
    assert actor is not None
    assert (actor.role, actor.person_id) == ("runner", added.person_id)
    # idle: 31 minutes after the last request the session is gone for good
    assert accounts.actor_for_token(ctx, result.token, now=T0 + timedelta(minutes=36)) is None
    assert accounts.actor_for_token(ctx, result.token, now=T0 + timedelta(minutes=37)) is None


def test_absolute_timeout_even_when_active(ctx: AppContext) -> None:
    accounts.add_user(ctx, "ann@example.org", "runner", None, PASSWORD, now=T0)
    token = accounts.login(ctx, "ann@example.org", PASSWORD, now=T0).token
    moment = T0
    for _ in range(35):  # a request every 20 minutes keeps it alive ... for 11 h 40 min
        moment += timedelta(minutes=20)
        assert accounts.actor_for_token(ctx, token, now=moment) is not None
    moment += timedelta(minutes=25)
    assert accounts.actor_for_token(ctx, token, now=moment) is None


def test_logout_and_revoke(ctx: AppContext) -> None:
    added = accounts.add_user(ctx, "ann@example.org", "runner", None, PASSWORD, now=T0)
    first = accounts.login(ctx, "ann@example.org", PASSWORD, now=T0).token
    second = accounts.login(ctx, "ann@example.org", PASSWORD, now=T0).token
    accounts.logout(ctx, first, now=T0)
    assert accounts.actor_for_token(ctx, first, now=T0) is None
    assert accounts.actor_for_token(ctx, second, now=T0) is not None
    assert accounts.revoke_sessions(ctx, added.account_id, now=T0) == 1
    assert accounts.actor_for_token(ctx, second, now=T0) is None


def test_lockout_after_five_failures(ctx: AppContext) -> None:
    accounts.add_user(ctx, "ann@example.org", "runner", None, PASSWORD, now=T0)
    for _ in range(accounts.MAX_FAILED_LOGINS):
        assert accounts.login(ctx, "ann@example.org", "wrong password!!", now=T0).problem == "bad"
    # locked: even the right password is refused, until the lock-out ends
    assert accounts.login(ctx, "ann@example.org", PASSWORD, now=T0 + timedelta(minutes=1)).problem == "locked"
    later = T0 + accounts.LOCKOUT + timedelta(seconds=1)
    assert accounts.login(ctx, "ann@example.org", PASSWORD, now=later).token is not None


def test_unknown_email_is_just_bad(ctx: AppContext) -> None:
    assert accounts.login(ctx, "nobody@example.org", PASSWORD, now=T0).problem == "bad"


def test_staff_need_a_totp_code(ctx: AppContext) -> None:
    added = accounts.add_user(ctx, "pt@example.org", "clinician", "Northside", PASSWORD, now=T0)
    assert added.totp_secret is not None
    assert added.totp_secret not in repr(added)
    assert accounts.login(ctx, "pt@example.org", PASSWORD, now=T0).problem == "code"
    assert accounts.login(ctx, "pt@example.org", PASSWORD, "000000", now=T0).token is None
    code = pyotp.TOTP(added.totp_secret).at(T0)
    token = accounts.login(ctx, "pt@example.org", PASSWORD, code, now=T0).token
    actor = accounts.actor_for_token(ctx, token, now=T0)
    assert actor is not None
    assert (actor.role, actor.clinic_id, actor.person_id) == ("clinician", added.clinic_id, None)


@pytest.mark.parametrize("role", ["clinician", "admin"])
def test_staff_need_a_clinic(ctx: AppContext, role: str) -> None:
    with pytest.raises(accounts.AccountError, match="clinic"):
        accounts.add_user(ctx, "pt@example.org", role, None, PASSWORD, now=T0)


def test_export_never_holds_password_or_totp_secret(ctx: AppContext) -> None:
    runner_added = accounts.add_user(ctx, "ann@example.org", "runner", "Northside", PASSWORD, now=T0)
    staff = accounts.add_user(ctx, "pt@example.org", "clinician", "Northside", PASSWORD, now=T0)
    assert staff.totp_secret is not None
    accounts.login(ctx, "ann@example.org", PASSWORD, now=T0)
    assert runner_added.person_id is not None
    data = person_data.export_person_data(ctx, runner_added.person_id)
    text = json.dumps(data)
    with transaction(ctx.sessions) as s:
        hashes = list(s.scalars(select(AccountSecretRow.password_hash)))
    assert "ann@example.org" in text  # the account itself is part of the person's data
    assert data["tables"]["shares"], "the share is part of the export"
    for secret in [PASSWORD, staff.totp_secret, *hashes]:
        assert secret not in text
    assert "argon2" not in text
    assert "token_hash" not in text
