"""Visit requests (the "discovery visit"): a runner asks a clinic they share with for a visit, with a
reason and preferred times; a clinician of that clinic accepts with a time; both get a calendar entry.

Callers check the policy first (``request_visit`` on the runner's own data, ``accept_visit`` for a
clinician of a clinic the runner shares with); these functions also refuse a visit id that is not
the named person's, so an id from another person never works.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event
from sqlalchemy import select

from heelcoach.services.accounts import AccountError, _audit, shown_name
from heelcoach.services.context import AppContext
from heelcoach.services.policy import Actor
from heelcoach.store.accounts import AccountRow, ClinicRow, ShareRow, VisitRequestRow
from heelcoach.store.base import transaction

VISIT_LENGTH = timedelta(minutes=45)  # the calendar entry's length; the clinic says the real one


def zone_name(moment: datetime, given: str | None = None) -> str:
    """The zone to keep with a visit's time: ``given`` (an IANA name), else the time's own zone
    ('Europe/Madrid' for a ZoneInfo time, '+01:00' for a fixed offset, 'UTC')."""
    if given and given.strip():
        return given.strip()
    zone = moment.tzinfo
    if isinstance(zone, ZoneInfo):
        return zone.key
    offset = moment.utcoffset()
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _zone(name: str | None) -> tzinfo:
    """The tzinfo of a kept zone name (UTC for none, or one this machine does not know)."""
    if not name or name == "UTC":
        return UTC
    if name[0] in "+-":
        hours, _, minutes = name[1:].partition(":")
        offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
        return timezone(-offset if name[0] == "-" else offset)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return UTC


def _zone_words(name: str | None, local: datetime) -> str:
    """'Europe/Madrid time (CET, UTC+01:00)', 'UTC', 'UTC+01:00'."""
    offset = local.strftime("%z")
    offset_words = f"UTC{offset[:3]}:{offset[3:]}" if offset not in ("", "+0000") else "UTC"
    if not name or name == "UTC":
        return "UTC"
    if name[0] in "+-":
        return offset_words
    abbreviation = local.tzname() or ""
    inside = f"{abbreviation}, {offset_words}" if abbreviation and abbreviation[0].isalpha() else offset_words
    return f"{name} time ({inside})"


def when_local(starts_at: datetime, zone: str | None) -> tuple[datetime, str]:
    """The visit's time in the zone it was given in, and in words:
    'Thursday 10 December 2026 at 09:30, Europe/Madrid time (CET, UTC+01:00)'."""
    local = _aware(starts_at).astimezone(_zone(zone))
    return local, f"{local:%A} {local.day} {local:%B %Y at %H:%M}, {_zone_words(zone, local)}"


def _as_dict(
    row: VisitRequestRow, clinic: str, by: str | None, by_name: str | None = None
) -> dict[str, object]:
    local = when_local(row.starts_at, row.time_zone) if row.starts_at is not None else None
    return {
        "id": row.id,
        "clinic_id": row.clinic_id,
        "clinic": clinic,
        "reason": row.reason,
        "preferred_times": row.preferred_times,
        "requested_at": _aware(row.created_at).isoformat(),
        "state": "accepted" if row.starts_at is not None else "pending",
        "starts_at": _aware(row.starts_at).isoformat() if row.starts_at else None,
        "accepted_by": by,
        # as the runner and the clinician read them: the time in the zone the clinician gave
        "time_zone": (row.time_zone or "UTC") if row.starts_at is not None else None,
        "starts_local": local[0].isoformat() if local else None,
        "when": local[1] if local else None,
        "accepted_by_name": shown_name(by_name, by),
    }


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def request_visit(
    ctx: AppContext,
    actor: Actor,
    person_id: int,
    reason: str,
    preferred_times: str,
    clinic_id: int | None = None,
) -> dict[str, object]:
    """Store a request to a clinic the person shares with (the only one, when ``clinic_id`` is None)."""
    moment = datetime.now(UTC)
    with transaction(ctx.sessions) as s:
        shared = list(
            s.scalars(
                select(ShareRow.clinic_id).where(
                    ShareRow.person_id == person_id, ShareRow.stopped_at.is_(None)
                )
            )
        )
        if clinic_id is None and len(shared) == 1:
            clinic_id = shared[0]
        if clinic_id is None or clinic_id not in shared:
            raise AccountError("clinic_id: name a clinic you share your data with (see your shares)")
        row = VisitRequestRow(
            person_id=person_id,
            clinic_id=clinic_id,
            reason=reason.strip(),
            preferred_times=preferred_times.strip(),
            created_at=moment,
        )
        s.add(row)
        s.flush()
        _audit(s, actor.account_id, person_id, "request_visit", moment, f"clinic {clinic_id}")
        clinic = s.get(ClinicRow, clinic_id)
        return _as_dict(row, clinic.name if clinic else "", None)


def visits(ctx: AppContext, person_id: int, clinic_id: int | None = None) -> list[dict[str, object]]:
    """The person's visit requests (to one clinic, when given), newest first."""
    with transaction(ctx.sessions) as s:
        query = (
            select(VisitRequestRow, ClinicRow.name, AccountRow.email, AccountRow.display_name)
            .join(ClinicRow, ClinicRow.id == VisitRequestRow.clinic_id)
            .outerjoin(AccountRow, AccountRow.id == VisitRequestRow.accepted_by)
            .where(VisitRequestRow.person_id == person_id)
            .order_by(VisitRequestRow.id.desc())
        )
        if clinic_id is not None:
            query = query.where(VisitRequestRow.clinic_id == clinic_id)
        return [_as_dict(row, name, email, shown) for row, name, email, shown in s.execute(query).all()]


def accept_visit(
    ctx: AppContext,
    actor: Actor,
    person_id: int,
    visit_id: int,
    starts_at: datetime,
    time_zone: str | None = None,
) -> dict[str, object] | None:
    """Accept a request to the actor's clinic with a time; None when no such request of this person.

    The time is kept as an instant (UTC) with the zone it was given in (``time_zone``, an IANA name,
    else the time's own zone), so both sides read it as the clinician said it."""
    moment = datetime.now(UTC)
    with transaction(ctx.sessions) as s:
        row = s.get(VisitRequestRow, visit_id)
        if row is None or row.person_id != person_id or row.clinic_id != actor.clinic_id:
            return None
        # stored in UTC: SQLite keeps no offset, so a local time would be read back as UTC
        row.starts_at, row.accepted_by = _aware(starts_at).astimezone(UTC), actor.account_id
        row.time_zone = zone_name(_aware(starts_at), time_zone)[:64]
        _audit(s, actor.account_id, person_id, "accept_visit", moment, f"visit {visit_id}")
        clinic = s.get(ClinicRow, row.clinic_id)
        by = s.get(AccountRow, actor.account_id) if actor.account_id else None
        return _as_dict(
            row, clinic.name if clinic else "", by.email if by else None, by.display_name if by else None
        )


def visit_calendar(ctx: AppContext, person_id: int, visit_id: int) -> bytes | None:
    """An iCalendar invitation for an accepted visit of the person; None otherwise."""
    found = next((v for v in visits(ctx, person_id) if v["id"] == visit_id), None)
    if found is None or found["starts_at"] is None:
        return None
    # the time in the zone it was given in (TZID with its VTIMEZONE), a fixed offset as UTC
    zone = _zone(str(found["time_zone"]))
    start = datetime.fromisoformat(str(found["starts_at"]))
    start = start.astimezone(zone if isinstance(zone, ZoneInfo) else UTC)
    cal = Calendar()
    cal.add("prodid", "-//heelcoach//visit//EN")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"heelcoach-visit-{visit_id}@heelcoach")
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + VISIT_LENGTH)
    event.add("summary", f"Visit at {found['clinic']}")
    event.add("description", f"When: {found['when']}\nReason: {found['reason']}")
    cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
