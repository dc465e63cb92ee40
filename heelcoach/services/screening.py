"""Self-tests: check each result against its test, score them and store them with the report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal

from heelcoach.domain import screen as screen_mod
from heelcoach.errors import InvalidInputError
from heelcoach.services.common import json_object, require_person, resolve_now, resolve_today
from heelcoach.services.context import AppContext
from heelcoach.services.intake import latest_intake
from heelcoach.store.base import transaction
from heelcoach.store.repositories import Repos, ScreenRecord

_SIDES: dict[str, Literal["left", "right", "both"]] = {"left": "left", "right": "right", "both": "both"}


def parse_self_test(
    ctx: AppContext, test_id: str, value: float, side: str = "both"
) -> screen_mod.SelfTestResult:
    """A validated ``SelfTestResult``: the test must exist and the value lie in its range."""
    test = ctx.catalogue.self_tests.get(test_id)
    if test is None:
        known = ", ".join(sorted(ctx.catalogue.self_tests)) or "none loaded"
        raise InvalidInputError(f"self-test '{test_id}' is not known; known tests: {known}")
    if not test.value_min <= value <= test.value_max:
        raise InvalidInputError(
            f"{test_id}: value {value:g} {test.unit} is outside {test.value_min:g}-{test.value_max:g}"
        )
    if side not in _SIDES:
        raise InvalidInputError(f"{test_id}: side must be left, right or both, not '{side}'")
    return screen_mod.SelfTestResult(test_id=test_id, value=value, side=_SIDES[side])


def save_screen(
    ctx: AppContext,
    person_id: int,
    results: Sequence[screen_mod.SelfTestResult],
    *,
    taken_on: date | None = None,
    now: datetime | None = None,
) -> tuple[ScreenRecord, screen_mod.ScreenReport]:
    """Score the self-tests and store the results with the report."""
    if not results:
        raise InvalidInputError("self-tests: give at least one result")
    intake = latest_intake(ctx, person_id)
    painful = intake.answers.get("painful_side") if intake else None
    report = screen_mod.screen(tuple(results), ctx.catalogue, painful_side=painful)
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        require_person(repos, person_id)
        record = repos.screens.add(
            person_id,
            taken_on=resolve_today(taken_on),
            results=[json_object(r) for r in results],
            report=json_object(report),
            now=resolve_now(now),
        )
    return record, report


def screen_verdicts(ctx: AppContext, person_id: int) -> tuple[str, ...]:
    """The latest self-tests read against their norms, one sentence a result, the painful side
    compared with the other (empty when no self-tests are stored)."""
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        require_person(repos, person_id)
        record = repos.screens.latest(person_id)
        intake = repos.intakes.latest(person_id)
    if record is None:
        return ()
    painful = intake.answers.get("painful_side") if intake else None
    report = screen_mod.screen(screen_results(record), ctx.catalogue, painful_side=painful)
    return tuple(v.explanation for v in report.verdicts)


def screen_results(record: ScreenRecord) -> tuple[screen_mod.SelfTestResult, ...]:
    """The self-test results stored in ``record``."""
    return tuple(
        screen_mod.SelfTestResult(
            test_id=r["test_id"], value=r["value"], side=_SIDES.get(r.get("side") or "both", "both")
        )
        for r in record.results
    )
