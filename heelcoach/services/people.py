"""People: create, list and find the runner (or a clinic's patient) to work on, and their unit."""

from __future__ import annotations

from datetime import UTC, datetime

from heelcoach.errors import InvalidInputError
from heelcoach.services.common import NobodyYetError, UnknownPersonError, resolve_now
from heelcoach.services.context import AppContext
from heelcoach.store.base import transaction
from heelcoach.store.repositories import PersonRecord, Repos


def create_person(ctx: AppContext, name: str = "", *, now: datetime | None = None) -> PersonRecord:
    """Create a person (a runner, or a clinic's patient)."""
    name = name.strip()
    if len(name) > 200:
        raise InvalidInputError("name: at most 200 characters, please shorten it")
    with transaction(ctx.sessions) as s:
        return Repos(s).people.add(name, resolve_now(now))


def list_people(ctx: AppContext) -> list[PersonRecord]:
    """Everyone, oldest first."""
    with transaction(ctx.sessions) as s:
        return Repos(s).people.everyone()


def get_person(ctx: AppContext, person_id: int) -> PersonRecord | None:
    """The person with this id, or None."""
    with transaction(ctx.sessions) as s:
        return Repos(s).people.get(person_id)


def first_person(ctx: AppContext) -> PersonRecord | None:
    """The first person created (the local runner), or None when nobody is set up yet."""
    with transaction(ctx.sessions) as s:
        return Repos(s).people.first()


def resolve_person(ctx: AppContext, person_id: int | None = None, *, create: bool = False) -> PersonRecord:
    """The person to work on: ``person_id``, else the first person (single-user default).

    With ``create``, a first person is made when there is nobody yet.
    """
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        if person_id is not None:
            person = repos.people.get(person_id)
            if person is None:
                raise UnknownPersonError(f"There is no person with id {person_id}.")
            return person
        person = repos.people.first()
        if person is not None:
            return person
        if not create:
            raise NobodyYetError("Nobody is set up yet: answer the questionnaire first.")
        return repos.people.add("", datetime.now(UTC))
