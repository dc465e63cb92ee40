"""What the use-case modules of services share: JSON at the edge, the clock, a person that must exist,
a stored plan read back."""

from __future__ import annotations

import base64
import dataclasses
import enum
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, TypeAlias

from heelcoach.domain import plan as plan_mod
from heelcoach.domain.plan import Plan
from heelcoach.errors import NotFoundError
from heelcoach.store.repositories import PersonRecord, PlanVersionRecord, Repos

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


class UnknownPersonError(NotFoundError):
    """No person is stored under the id given."""


class NobodyYetError(NotFoundError):
    """Nobody is set up yet (no id given, and no first person to fall back on)."""


class NoAnswersError(NotFoundError):
    """The person has not answered the questionnaire yet, so there is nothing to plan from."""


class NoPlanError(NotFoundError):
    """The person has no plan yet."""


#: Days in one plan week: a weekly review is due once a plan version is this old.
WEEK_DAYS = 7

#: A JSON document: what :func:`to_jsonable` makes.
JSON: TypeAlias = dict[str, "JSON"] | list["JSON"] | str | int | float | bool | None


def to_jsonable(value: object) -> JSON:
    """Turn dataclasses, dates, enums, tuples and sets into JSON-ready values.

    Anything without a JSON form (it would not serialise) becomes its ``str``.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((to_jsonable(v) for v in value), key=str)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    model_dump = getattr(value, "model_dump", None)
    if callable(model_dump):
        return to_jsonable(model_dump())
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)


def json_object(value: Mapping[str, object] | DataclassInstance) -> dict[str, JSON]:
    """A mapping or a dataclass as a JSON object (its values as :func:`to_jsonable` makes them)."""
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}


def resolve_now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def resolve_today(today: date | None) -> date:
    return today if today is not None else date.today()


def require_person(repos: Repos, person_id: int) -> PersonRecord:
    person = repos.people.get(person_id)
    if person is None:
        raise UnknownPersonError(f"There is no person with id {person_id}.")
    return person


def plan_of(record: PlanVersionRecord) -> Plan:
    return plan_mod.plan_from_dict(record.plan)
