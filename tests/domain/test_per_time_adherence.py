"""Adherence counts each time of an item done several times a day (one tick per time)."""

from __future__ import annotations

from datetime import date, timedelta

from heelcoach.domain.checkin import CheckIn, item_sessions, overall_adherence, times_done
from tests.domain.plan_helpers import make_plan

PF = "plantar_fascia_specific_stretch"


def _days(ticks: tuple[str, ...], n: int = 7) -> list[CheckIn]:
    end = date(2026, 11, 29)
    return [CheckIn(day=end - timedelta(days=k), first_step_pain=2, done_items=ticks) for k in range(n)]


def test_each_time_counts(catalogue) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(catalogue)
    pf = next(i for i in plan.items if i.ref_id == PF)
    assert pf.dose["times_per_day"] == 3
    once = item_sessions(pf, _days((PF,)), 0.7)
    assert (once.done, once.expected) == (7, 21)
    assert not once.enough
    thrice = item_sessions(pf, _days((PF, PF, PF, PF)), 0.7)  # a fourth tick adds nothing
    assert (thrice.done, thrice.expected) == (21, 21)
    assert thrice.enough
    assert times_done(pf, _days((PF, PF))[0]) == 2
    adherence = overall_adherence([pf], _days((PF, PF)), date(2026, 11, 29), 7)
    assert (adherence.done, adherence.expected) == (14, 21)
    assert adherence.share == round(14 / 21, 3)


def test_items_done_once_a_day_count_a_day_once(catalogue) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(catalogue)
    calf = next(i for i in plan.items if i.ref_id == "standing_calf_stretch")
    counted = item_sessions(calf, _days(("standing_calf_stretch", "standing_calf_stretch")), 0.7)
    assert (counted.done, counted.expected) == (7, 7)
