"""The runner's distance unit (kilometres or miles): read and stored here, applied where shown."""

from __future__ import annotations

from datetime import UTC, datetime

from heelcoach.domain.units import DistanceUnit, parse_unit
from heelcoach.errors import NotFoundError
from heelcoach.services.context import AppContext
from heelcoach.store.base import transaction
from heelcoach.store.preferences import Preferences
from heelcoach.store.repositories import Repos

__all__ = ["DistanceUnit", "parse_unit", "save_unit", "unit_for"]


def unit_for(ctx: AppContext, person_id: int) -> DistanceUnit:
    """The runner's unit (kilometres until they choose)."""
    with transaction(ctx.sessions) as s:
        return Preferences(s).distance_unit(person_id) or DistanceUnit.KM


def save_unit(ctx: AppContext, person_id: int, unit: DistanceUnit, *, now: datetime | None = None) -> None:
    """Store the runner's unit (NotFoundError when there is no such person)."""
    with transaction(ctx.sessions) as s:
        if Repos(s).people.get(person_id) is None:
            raise NotFoundError("No such person: answer the questions first.")
        Preferences(s).put_distance_unit(person_id, unit, now or datetime.now(UTC))
