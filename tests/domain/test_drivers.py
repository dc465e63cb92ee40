"""Driver evidence from intake answers and its noisy-or combination."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from heelcoach.domain.drivers import Driver, infer_drivers, intake_evidence, load_evidence
from heelcoach.domain.types import DRIVER_IDS, DriverEvidence
from heelcoach.errors import InvalidInputError
from heelcoach.knowledge import load_catalogue
from tests.domain.plan_helpers import answers


def test_all_nine_drivers_strongest_first(catalogue) -> None:  # type: ignore[no-untyped-def]
    ev = [
        DriverEvidence("hip_control", 0.6, "self_test", "side_plank_hold_test", "side plank 20 s"),
        DriverEvidence("hip_control", 0.5, "gait", "pelvic_drop", "pelvic drop 8 deg"),
        DriverEvidence("balance", 0.3, "self_test", "single_leg_balance_eyes_open_test", "balance 25 s"),
    ]
    drivers = infer_drivers(ev, catalogue)
    assert {d.id for d in drivers} == set(DRIVER_IDS)
    assert len(drivers) == 9
    assert drivers[0].id == "hip_control"
    assert drivers[0].strength == pytest.approx(1 - 0.4 * 0.5)
    assert drivers[0].active
    assert not drivers[1].active
    assert "pelvic drop" in drivers[0].why()
    assert "side plank" in drivers[0].why()
    assert [d.strength for d in drivers] == sorted((d.strength for d in drivers), reverse=True)
    assert "Nothing" in next(d for d in drivers if d.id == "footwear").why()


def test_intake_evidence(catalogue) -> None:  # type: ignore[no-untyped-def]
    ev = intake_evidence(
        answers(
            recent_load_increase=True,
            onset="after_training_increase",
            weight_kg=100,
            height_cm=170,
            foot_type="flat",
            shoe_age_km=1200,
        ),
        catalogue,
    )
    by = {(e.driver, e.item_id): e for e in ev}
    assert ("load_spike", "recent_load_increase") in by
    assert ("load_spike", "onset") in by
    bmi = by[("body_mass", "bmi")]
    assert bmi.value == pytest.approx(34.6, abs=0.1)
    assert "non-athletes" in bmi.summary
    assert ("footwear", "foot_type") in by
    assert ("footwear", "shoe_age_km") in by
    drivers = {d.id: d for d in infer_drivers(ev, catalogue)}
    assert drivers["load_spike"].active
    assert drivers["footwear"].active
    assert not intake_evidence(answers(), catalogue)


def test_bad_number_names_the_answer(catalogue) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInputError, match="weight_kg"):
        intake_evidence(answers(weight_kg="heavy"), catalogue)


def test_watch_spike_evidence(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert load_evidence("none", None, catalogue) == []
    (ev,) = load_evidence("over_100", 21.0, catalogue)
    assert ev.source == "activities"
    assert ev.driver == "load_spike"
    assert "21.0 km" in ev.summary


@given(st.lists(st.tuples(st.sampled_from(DRIVER_IDS), st.floats(0, 1)), max_size=20))
def test_strength_is_bounded_and_monotone(pairs: list[tuple[str, float]]) -> None:
    cat = load_catalogue()
    ev = [DriverEvidence(d, w, "gait", "x", "x") for d, w in pairs]  # type: ignore[arg-type]
    drivers = infer_drivers(ev, cat)
    more = infer_drivers([*ev, DriverEvidence("balance", 0.5, "checkin", "y", "y")], cat)
    for d in drivers:
        assert 0.0 <= d.strength <= 1.0
        assert d.active == (d.strength >= cat.plan.driver_weighting.active_threshold)
        assert isinstance(d, Driver)
    before = next(d for d in drivers if d.id == "balance").strength
    after = next(d for d in more if d.id == "balance").strength
    assert after >= before
