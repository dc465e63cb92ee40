"""What the use-case modules of services share: JSON at the edge, the clock, a person that must exist,
a stored plan read back."""

from __future__ import annotations

import base64
import dataclasses
import enum
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from heelcoach.domain import plan as plan_mod
from heelcoach.errors import NotFoundError
from heelcoach.store.repositories import (
    PersonRecord,
    PlanVersionRecord,
    Repos,
)

#: Days in one plan week: a weekly review is due once a plan version is this old.
WEEK_DAYS = 7


def to_jsonable(value: Any) -> Any:
    """Turn dataclasses, dates, enums, tuples and sets into JSON-ready values."""
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
    if hasattr(value, "model_dump"):
        return to_jsonable(value.model_dump())
    return value


def resolve_now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def resolve_today(today: date | None) -> date:
    return today if today is not None else date.today()


def require_person(repos: Repos, person_id: int) -> PersonRecord:
    person = repos.people.get(person_id)
    if person is None:
        raise NotFoundError(f"There is no person with id {person_id}.")
    return person


def plan_of(record: PlanVersionRecord) -> Any:
    return plan_mod.plan_from_dict(record.plan)
