"""Clinic-mode accounts: adding users, logging in (argon2id, lock-out, TOTP for staff), server-side
sessions with idle and absolute time-outs, sharing, and the audit log.

Usage::

    added = add_user(ctx, "pt@example.org", "clinician", "Northside", "a long passphrase")
    result = login(ctx, "pt@example.org", "a long passphrase", code=pyotp.TOTP(added.totp_secret).now())
    actor = actor_for_token(ctx, result.token)
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from heelcoach.errors import InvalidInputError
from heelcoach.services.context import AppContext
from heelcoach.services.policy import ANONYMOUS, Actor, PersonResource, Role, can_invite
from heelcoach.store.accounts import (
    AccountRow,
    AccountSecretRow,
    ApiTokenRow,
    AuditRow,
    AuthSessionRow,
    ClinicRow,
    InvitationRow,
    ShareRow,
)
from heelcoach.store.base import transaction
from heelcoach.store.models import Person

#: Roles an account can have.
ACCOUNT_ROLES: tuple[Role, ...] = ("runner", "clinician", "admin")
#: Roles that must give a TOTP code as well as the password.
STAFF_ROLES = frozenset({"clinician", "admin"})
MIN_PASSWORD_CHARS = 12
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
#: What a share lets the clinic's clinicians see (shown to the runner).
SHARED_WHAT = (
    "everything you record: answers, self-tests, plan, check-ins, runs, gait reports, questionnaires"
)
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
INVITATION_VALID = timedelta(days=7)
#: The longest display name ("Dr Ana Ruiz, physiotherapist"); the column holds this many.
MAX_NAME_CHARS = 120
#: A role in a sentence a person reads ("an admin" would be a clinic admin).
ROLE_WORDS: dict[str, str] = {"runner": "runner", "clinician": "clinician", "admin": "clinic admin"}

#: argon2id at the first setting the OWASP Password Storage Cheat Sheet recommends (19 MiB of
#: memory, 2 passes, 1 lane). A clinic's 2-core server checks a morning's logins (hundreds in a few
#: minutes) without the hashing starving every page: argon2-cffi's own default (64 MiB, 3 passes,
#: 4 lanes) costs about five times the CPU per login and four threads at once. A password stored
#: with other settings is hashed again with these at its next successful login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_DUMMY_HASH = _hasher.hash("not a password of anyone")


#: The actor of set-up work done outside a request (the CLI, tests): nothing is audited as anyone.
ANONYMOUS_ACTOR = ANONYMOUS


class AccountError(InvalidInputError):
    """Bad input for an account operation; the message says what to do."""


class NotAllowedError(AccountError, PermissionError):
    """The actor's role does not allow this account operation (also a PermissionError for now)."""


@dataclass(frozen=True, slots=True)
class AddedUser:
    """A new account; ``totp_secret`` (staff only) is shown once to enrol an authenticator app."""

    account_id: int
    email: str
    role: str
    clinic_id: int | None
    person_id: int | None
    totp_secret: str | None

    def __repr__(self) -> str:  # never print the secret by accident
        return f"AddedUser(account_id={self.account_id}, email={self.email!r}, role={self.role!r})"


@dataclass(frozen=True, slots=True)
class LoginResult:
    """``token`` when logged in; else ``problem``: bad, locked or code (a TOTP code is needed)."""

    token: str | None = None
    problem: str | None = None


def role_words(role: str, *, article: bool = False) -> str:
    """A role as a person reads it: ``clinic admin``; with ``article``, ``a clinician``/``an ...``."""
    said = ROLE_WORDS.get(role, role.replace("_", " "))
    if not article:
        return said
    return f"{'an' if said[:1].lower() in 'aeiou' else 'a'} {said}"


def clean_name(raw: str | None) -> str | None:
    """A display name as typed (ends trimmed, nothing else changed); None for an empty one.

    AccountError for a name too long or with a line break or another control character."""
    name = (raw or "").strip()
    if not name:
        return None
    if len(name) > MAX_NAME_CHARS:
        raise AccountError(f"Name: at most {MAX_NAME_CHARS} characters (this one has {len(name)}).")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise AccountError("Name: one line of text, without line breaks or tabs.")
    return name


def shown_name(name: str | None, email: str | None) -> str | None:
    """How an account is named to others: its display name, else its email."""
    return name or email


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _clinic(s: Session, name: str, now: datetime) -> ClinicRow:
    row = s.scalars(select(ClinicRow).where(ClinicRow.name == name)).first()
    if row is None:
        row = ClinicRow(name=name, created_at=now)
        s.add(row)
        s.flush()
    return row


def add_user(
    ctx: AppContext,
    email: str,
    role: str,
    clinic: str | None,
    password: str,
    *,
    name: str | None = None,
    now: datetime | None = None,
) -> AddedUser:
    """Create an account; a runner gets a person, and shares with ``clinic`` when one is named.

    ``name`` is how others read the account ("Dr Ana Ruiz, physiotherapist"; the email without it)."""
    display_name = clean_name(name)
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise AccountError(f"email: expected an address like name@example.org, got '{email}'")
    if role not in ACCOUNT_ROLES:
        raise AccountError(f"role: expected one of {', '.join(ACCOUNT_ROLES)}, got '{role}'")
    if role in STAFF_ROLES and not clinic:
        raise AccountError(f"clinic: {role_words(role, article=True)} belongs to a clinic; name it")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"password: use at least {MIN_PASSWORD_CHARS} characters")
    moment = _now(now)
    with transaction(ctx.sessions) as s:
        if s.scalars(select(AccountRow.id).where(AccountRow.email == email)).first() is not None:
            raise AccountError(f"email: an account for {email} exists already")
        clinic_row = _clinic(s, clinic, moment) if clinic else None
        person_id = None
        if role == "runner":
            person = Person(name=display_name or email.split("@")[0], created_at=moment)
            s.add(person)
            s.flush()
            person_id = person.id
            if clinic_row is not None:
                s.add(ShareRow(person_id=person_id, clinic_id=clinic_row.id, created_at=moment))
        account = AccountRow(
            email=email,
            display_name=display_name,
            role=role,
            clinic_id=clinic_row.id if clinic_row else None,
            person_id=person_id,
            created_at=moment,
            failed_logins=0,
        )
        s.add(account)
        s.flush()
        secret = pyotp.random_base32() if role in STAFF_ROLES else None
        s.add(
            AccountSecretRow(account_id=account.id, password_hash=_hasher.hash(password), totp_secret=secret)
        )
        return AddedUser(account.id, email, role, account.clinic_id, person_id, secret)


def _password_ok(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def login(
    ctx: AppContext, email: str, password: str, code: str | None = None, *, now: datetime | None = None
) -> LoginResult:
    """Check the password (and a staff member's TOTP code); start a session on success.

    Five failures in a row lock the account for 15 minutes; a locked account says so (even with the
    right password) without revealing whether the password was right.
    """
    moment = _now(now)
    with transaction(ctx.sessions) as s:
        account = s.scalars(select(AccountRow).where(AccountRow.email == email.strip().lower())).first()
        secret = s.get(AccountSecretRow, account.id) if account is not None else None
        password_ok = _password_ok(secret.password_hash if secret else None, password)
        if account is None or secret is None:
            return LoginResult(problem="bad")
        if account.locked_until is not None and _aware(account.locked_until) > moment:
            return LoginResult(problem="locked")
        code_ok = account.role not in STAFF_ROLES or (
            bool(code)
            and secret.totp_secret is not None
            and pyotp.TOTP(secret.totp_secret).verify(str(code).strip(), valid_window=1, for_time=moment)
        )
        if not (password_ok and code_ok):
            account.failed_logins += 1
            if account.failed_logins >= MAX_FAILED_LOGINS:
                account.locked_until, account.failed_logins = moment + LOCKOUT, 0
                _audit(s, account.id, None, "account_locked", moment)
            return LoginResult(problem="code" if password_ok else "bad")
        account.failed_logins, account.locked_until = 0, None
        if _hasher.check_needs_rehash(secret.password_hash):  # stored with other settings
            secret.password_hash = _hasher.hash(password)
        token = secrets.token_urlsafe(32)
        s.add(
            AuthSessionRow(
                token_hash=_digest(token),
                account_id=account.id,
                created_at=moment,
                last_seen_at=moment,
                second_factor_ok=account.role in STAFF_ROLES,
            )
        )
        _audit(s, account.id, None, "login", moment)
        return LoginResult(token=token)


def actor_for_token(ctx: AppContext, token: str | None, *, now: datetime | None = None) -> Actor | None:
    """The actor of a live session (and its idle clock restarted), or None (unknown, revoked, timed out)."""
    if not token:
        return None
    moment = _now(now)
    with transaction(ctx.sessions) as s:
        row = s.scalars(select(AuthSessionRow).where(AuthSessionRow.token_hash == _digest(token))).first()
        if row is None or row.revoked_at is not None:
            return None
        if (
            moment - _aware(row.last_seen_at) > IDLE_TIMEOUT
            or moment - _aware(row.created_at) > ABSOLUTE_TIMEOUT
        ):
            row.revoked_at = moment
            return None
        account = s.get(AccountRow, row.account_id)
        if account is None or (account.role in STAFF_ROLES and not row.second_factor_ok):
            return None
        row.last_seen_at = moment
        role: Role = account.role  # type: ignore[assignment]  # the column only holds ACCOUNT_ROLES
        return Actor(
            role=role, account_id=account.id, person_id=account.person_id, clinic_id=account.clinic_id
        )


def logout(ctx: AppContext, token: str | None, *, now: datetime | None = None) -> None:
    """Revoke the session of ``token`` (nothing happens for an unknown token)."""
    if token:
        with transaction(ctx.sessions) as s:
            s.execute(
                update(AuthSessionRow)
                .where(AuthSessionRow.token_hash == _digest(token), AuthSessionRow.revoked_at.is_(None))
                .values(revoked_at=_now(now))
            )


def revoke_sessions(ctx: AppContext, account_id: int, *, now: datetime | None = None) -> int:
    """Revoke every live session of an account; returns how many."""
    with transaction(ctx.sessions) as s:
        result = s.execute(
            update(AuthSessionRow)
            .where(AuthSessionRow.account_id == account_id, AuthSessionRow.revoked_at.is_(None))
            .values(revoked_at=_now(now))
        )
        return int(getattr(result, "rowcount", 0) or 0)


def account_summary(ctx: AppContext, account_id: int) -> dict[str, str] | None:
    """The account's email, display name ('' when none), role and clinic name (for "logged in as"),
    None if it is gone."""
    with transaction(ctx.sessions) as s:
        row = s.execute(
            select(AccountRow.email, AccountRow.role, ClinicRow.name, AccountRow.display_name)
            .outerjoin(ClinicRow, ClinicRow.id == AccountRow.clinic_id)
            .where(AccountRow.id == account_id)
        ).first()
        if row is None:
            return None
        return {"email": row[0], "role": row[1], "clinic": row[2] or "", "name": row[3] or ""}


def set_display_name(ctx: AppContext, actor: Actor, name: str | None) -> str | None:
    """Set (or clear, with an empty one) the actor's own display name; the name as stored.

    A runner's name is also their person's name (what their clinic's caseload shows)."""
    if actor.account_id is None:
        raise NotAllowedError("a name belongs to a clinic account")
    display_name = clean_name(name)
    with transaction(ctx.sessions) as s:
        mine = AccountRow.id == actor.account_id
        s.execute(update(AccountRow).where(mine).values(display_name=display_name))
        if actor.person_id is not None and display_name:  # a runner: the name their clinic's list shows
            s.execute(update(Person).where(Person.id == actor.person_id).values(name=display_name[:200]))
        _audit(s, actor.account_id, None, "set_name", datetime.now(UTC))
    return display_name


def person_resource(ctx: AppContext, person_id: int) -> PersonResource | None:
    """The person as a policy resource (with the clinics they share with now), None if unknown."""
    with transaction(ctx.sessions) as s:
        if s.get(Person, person_id) is None:
            return None
        clinics = s.scalars(
            select(ShareRow.clinic_id).where(ShareRow.person_id == person_id, ShareRow.stopped_at.is_(None))
        )
        return PersonResource(person_id, frozenset(clinics))


def shares(ctx: AppContext, person_id: int) -> list[dict[str, object]]:
    """The clinics a person shares with (and did), with who at each clinic can see the data."""
    with transaction(ctx.sessions) as s:
        rows = s.execute(
            select(ShareRow, ClinicRow)
            .join(ClinicRow, ClinicRow.id == ShareRow.clinic_id)
            .where(ShareRow.person_id == person_id)
            .order_by(ShareRow.id)
        ).all()
        out: list[dict[str, object]] = []
        for share, clinic in rows:
            staff = s.execute(
                select(AccountRow.email, AccountRow.display_name)
                .where(AccountRow.clinic_id == clinic.id, AccountRow.role == "clinician")
                .order_by(AccountRow.email)
            ).all()
            out.append(
                {
                    "clinic_id": clinic.id,
                    "clinic": clinic.name,
                    "since": _aware(share.created_at).isoformat(),
                    "active": share.stopped_at is None,
                    "clinicians": [email for email, _n in staff],
                    # as the runner reads them: "Dr Ana Ruiz, physiotherapist (ana@...)", else the email
                    "clinician_names": [f"{n} ({email})" if n else email for email, n in staff],
                    "what": SHARED_WHAT,
                }
            )
        return out


def stop_sharing(
    ctx: AppContext, actor: Actor, person_id: int, clinic_id: int, *, now: datetime | None = None
) -> bool:
    """Stop sharing a person's data with a clinic; False when there was no active share."""
    moment = _now(now)
    with transaction(ctx.sessions) as s:
        result = s.execute(
            update(ShareRow)
            .where(
                ShareRow.person_id == person_id,
                ShareRow.clinic_id == clinic_id,
                ShareRow.stopped_at.is_(None),
            )
            .values(stopped_at=moment)
        )
        done = bool(getattr(result, "rowcount", 0))
        if done:
            _audit(s, actor.account_id, person_id, "stop_sharing", moment, f"clinic {clinic_id}")
        return done


def share_with(ctx: AppContext, person_id: int, clinic_id: int, *, now: datetime | None = None) -> None:
    """Share a person's data with a clinic (again, if they had stopped)."""
    moment = _now(now)
    with transaction(ctx.sessions) as s:
        row = s.scalars(
            select(ShareRow).where(ShareRow.person_id == person_id, ShareRow.clinic_id == clinic_id)
        ).first()
        if row is None:
            s.add(ShareRow(person_id=person_id, clinic_id=clinic_id, created_at=moment))
        else:
            row.created_at, row.stopped_at = moment, None


def _audit(
    s: Session, account_id: int | None, person_id: int | None, action: str, at: datetime, detail: str = ""
) -> None:
    s.add(AuditRow(at=at, actor_account_id=account_id, person_id=person_id, action=action, detail=detail))


def audit(ctx: AppContext, actor: Actor, person_id: int | None, action: str, detail: str = "") -> None:
    """Record that ``actor`` did ``action`` on a person's data (local mode: nothing is recorded)."""
    if actor.account_id is None:
        return
    with transaction(ctx.sessions) as s:
        _audit(s, actor.account_id, person_id, action, datetime.now(UTC), detail)


def audit_trail(ctx: AppContext, person_id: int) -> list[dict[str, object]]:
    """Who did what with a person's data (their email, display name, role and clinic), newest first."""
    found = audit_page(ctx, person_id=person_id, per_page=AUDIT_TRAIL_MAX)
    keys = ("at", "who", "name", "role", "clinic", "action", "detail")
    return [{k: e[k] for k in keys} for e in found.entries]


#: Entries on one page of an audit log page; the most the API's trail returns at once.
AUDIT_PAGE_SIZE = 25
AUDIT_TRAIL_MAX = 500


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of an audit log, newest first: each entry a dict (see :func:`audit_page`)."""

    entries: list[dict[str, object]]
    page: int
    pages: int
    total: int


def _clinic_people(clinic_id: int) -> Select[tuple[int]]:
    return select(ShareRow.person_id).where(ShareRow.clinic_id == clinic_id, ShareRow.stopped_at.is_(None))


def audit_page(
    ctx: AppContext,
    *,
    person_id: int | None = None,
    clinic_id: int | None = None,
    page: int = 1,
    per_page: int = AUDIT_PAGE_SIZE,
) -> AuditPage:
    """A page of the audit log on one person, or on every runner who shares with ``clinic_id`` now.

    Each entry: ``at`` (ISO, UTC), ``who`` (the actor's email), ``name`` (their display name or
    None), ``role``, ``clinic`` (the actor's clinic) and ``actor_clinic_id``,
    ``actor_person_id`` (a runner acting on their own data), ``action``, ``detail``,
    ``person_id`` and ``person`` (whose data). Callers decide who may see which (the policy).
    Neither a person nor a clinic: no entries.
    """
    if person_id is not None:
        where = AuditRow.person_id == person_id
    else:  # no clinic: no entries (clinic ids start at 1)
        where = AuditRow.person_id.in_(_clinic_people(clinic_id or 0))
    with transaction(ctx.sessions) as s:
        total = int(s.scalar(select(func.count()).select_from(AuditRow).where(where)) or 0)
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        rows = s.execute(
            select(
                AuditRow,
                AccountRow.email,
                AccountRow.role,
                AccountRow.person_id,
                ClinicRow.name,
                Person.name,
                AccountRow.display_name,
                AccountRow.clinic_id,
            )
            .outerjoin(AccountRow, AccountRow.id == AuditRow.actor_account_id)
            .outerjoin(ClinicRow, ClinicRow.id == AccountRow.clinic_id)
            .outerjoin(Person, Person.id == AuditRow.person_id)
            .where(where)
            .order_by(AuditRow.at.desc(), AuditRow.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
        entries: list[dict[str, object]] = [
            {
                "at": _aware(r.at).isoformat(),
                "who": email,
                "name": shown if role in STAFF_ROLES else None,
                "role": role,
                "clinic": clinic if role in STAFF_ROLES else None,
                "actor_clinic_id": actor_clinic if role in STAFF_ROLES else None,
                "actor_person_id": actor_person,
                "action": r.action,
                "detail": r.detail,
                "person_id": r.person_id,
                "person": person,
            }
            for r, email, role, actor_person, clinic, person, shown, actor_clinic in rows
        ]
    return AuditPage(entries, page, pages, total)


def clinic_runners(ctx: AppContext, clinic_id: int) -> list[tuple[int, str]]:
    """(person id, name) of every runner who shares with the clinic now, by name."""
    with transaction(ctx.sessions) as s:
        rows = s.execute(
            select(Person.id, Person.name)
            .where(Person.id.in_(_clinic_people(clinic_id)))
            .order_by(Person.name)
        ).all()
        return [(int(pid), str(name)) for pid, name in rows]


def invite(
    ctx: AppContext,
    actor: Actor,
    email: str,
    role: str,
    *,
    name: str | None = None,
    now: datetime | None = None,
) -> str:
    """A one-time invitation token for ``email`` to join the actor's clinic as ``role`` (and the name
    they will be shown by, which they may change when they join)."""
    if not can_invite(actor, role) or actor.clinic_id is None:
        raise NotAllowedError(
            f"{role_words(actor.role, article=True)} cannot invite {role_words(role, article=True)}"
        )
    display_name = clean_name(name)
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise AccountError(f"email: expected an address like name@example.org, got '{email}'")
    moment, token = _now(now), secrets.token_urlsafe(32)
    with transaction(ctx.sessions) as s:
        s.add(
            InvitationRow(
                token_hash=_digest(token),
                clinic_id=actor.clinic_id,
                email=email,
                display_name=display_name,
                role=role,
                invited_by=actor.account_id,
                created_at=moment,
                expires_at=moment + INVITATION_VALID,
            )
        )
        _audit(s, actor.account_id, None, "invite", moment, f"{role} {email}")
    return token


def invitation(ctx: AppContext, token: str, *, now: datetime | None = None) -> dict[str, str] | None:
    """The open invitation behind ``token`` (email, name as invited or '', role, clinic), or None
    (unknown, used, expired)."""
    with transaction(ctx.sessions) as s:
        row = s.scalars(select(InvitationRow).where(InvitationRow.token_hash == _digest(token))).first()
        if row is None or row.used_at is not None or _aware(row.expires_at) <= _now(now):
            return None
        clinic = s.get(ClinicRow, row.clinic_id)
        return {
            "email": row.email,
            "name": row.display_name or "",
            "role": row.role,
            "clinic": clinic.name if clinic else "",
        }


def accept_invitation(
    ctx: AppContext, token: str, password: str, *, name: str | None = None, now: datetime | None = None
) -> AddedUser:
    """Create the invited account (a runner shares with the clinic: that is what joining means).

    ``name``: the name the person chose on joining; None keeps the one they were invited with."""
    found = invitation(ctx, token, now=now)
    if found is None:
        raise AccountError("This invitation link is used, expired or wrong: ask the clinic for a new one.")
    claim = (
        update(InvitationRow)
        .where(InvitationRow.token_hash == _digest(token), InvitationRow.used_at.is_(None))
        .values(used_at=_now(now))
    )
    with transaction(ctx.sessions) as s:  # claim first: two requests with one link make one account
        if not getattr(s.execute(claim), "rowcount", 0):
            raise AccountError("This invitation link was used already.")
    try:
        chosen = found["name"] if name is None else name
        return add_user(ctx, found["email"], found["role"], found["clinic"], password, name=chosen, now=now)
    except AccountError:  # e.g. a short password: the link stays usable
        with transaction(ctx.sessions) as s:
            s.execute(
                update(InvitationRow).where(InvitationRow.token_hash == _digest(token)).values(used_at=None)
            )
        raise


TOKEN_PREFIX = "hc_"


def create_api_token(
    ctx: AppContext, actor: Actor, name: str, *, now: datetime | None = None
) -> tuple[int, str]:
    """A new API token for the actor's account: (id, token). The token is shown once, never stored."""
    if actor.account_id is None:
        raise NotAllowedError("API tokens belong to clinic accounts")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    moment = _now(now)
    with transaction(ctx.sessions) as s:
        row = ApiTokenRow(
            token_hash=_digest(token), account_id=actor.account_id, name=name[:100], created_at=moment
        )
        s.add(row)
        s.flush()
        _audit(s, actor.account_id, None, "api_token_created", moment, name[:100])
        return row.id, token


def api_tokens(ctx: AppContext, actor: Actor) -> list[dict[str, object]]:
    """The actor's API tokens (names and dates only)."""
    with transaction(ctx.sessions) as s:
        rows = s.scalars(
            select(ApiTokenRow).where(ApiTokenRow.account_id == actor.account_id).order_by(ApiTokenRow.id)
        )
        return [
            {
                "id": r.id,
                "name": r.name,
                "created_at": _aware(r.created_at).isoformat(),
                "active": r.revoked_at is None,
            }
            for r in rows
        ]


def revoke_api_token(ctx: AppContext, actor: Actor, token_id: int, *, now: datetime | None = None) -> bool:
    """Revoke one of the actor's own API tokens; False when there is no such live token of theirs."""
    with transaction(ctx.sessions) as s:
        result = s.execute(
            update(ApiTokenRow)
            .where(
                ApiTokenRow.id == token_id,
                ApiTokenRow.account_id == actor.account_id,
                ApiTokenRow.revoked_at.is_(None),
            )
            .values(revoked_at=_now(now))
        )
        return bool(getattr(result, "rowcount", 0))


def actor_for_api_token(ctx: AppContext, token: str) -> Actor | None:
    """The actor of a live API token, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    with transaction(ctx.sessions) as s:
        row = s.scalars(
            select(ApiTokenRow).where(
                ApiTokenRow.token_hash == _digest(token), ApiTokenRow.revoked_at.is_(None)
            )
        ).first()
        account = s.get(AccountRow, row.account_id) if row is not None else None
        if account is None:
            return None
        role: Role = account.role  # type: ignore[assignment]  # the column only holds ACCOUNT_ROLES
        return Actor(
            role=role, account_id=account.id, person_id=account.person_id, clinic_id=account.clinic_id
        )
