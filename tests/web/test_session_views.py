"""The guided session's offers come from the knowledge data: the level below, the level above, the
equipment substitute or an exercise for the same driver that needs none."""

from __future__ import annotations

from heelcoach.knowledge import load_catalogue
from heelcoach.web.plan_views import ItemView
from heelcoach.web.session_views import session_items, timing_of

CAT = load_catalogue()


def _item(ref: str, level: int) -> ItemView:
    ex = CAT.exercises[ref]
    return ItemView(ref, "exercise", ref, ex.name, level, "", "", "", [], "A", [], False, "", [], "", "", "")


def test_a_level_two_item_offers_level_one_when_it_hurts_and_level_three_when_too_easy() -> None:
    ex = CAT.exercises["intrinsic_foot_control"]
    [card] = session_items(CAT, [_item(ex.id, 2)], {}, gentle_only=False)
    assert card.offers["it_hurts"].name == f"{ex.name}: {ex.levels[0].name}"
    assert card.offers["too_hard"].steps == list(ex.levels[0].instructions)
    assert card.offers["too_easy"].name == f"{ex.name}: {ex.levels[2].name}"
    assert card.illustration == f"/exercises/{ex.id}/illustration.svg"


def test_no_equipment_gives_the_substitute_from_the_data() -> None:
    [card] = session_items(CAT, [_item("ankle_4way_band", 1)], {}, gentle_only=False)
    assert card.offers["no_equipment"].dose == CAT.plan.selection.equipment_substitutes["resistance_band"]


def test_a_red_day_keeps_only_gentle_items() -> None:
    items = [_item("standing_calf_stretch", 1), _item("rathleff_high_load_heel_raise", 1)]
    kept = session_items(CAT, items, {}, gentle_only=True)
    assert [c.ref_id for c in kept] == ["standing_calf_stretch"]


def test_timing_reads_holds_tempo_and_sides() -> None:
    t = timing_of({"sets": 3, "reps": 12, "tempo": "3-2-3", "per_side": True})
    assert (t.sets, t.reps, t.tempo_up_s, t.tempo_hold_s, t.tempo_down_s, t.per_side) == (
        3,
        12,
        3,
        2,
        3,
        True,
    )
    hold = timing_of({"reps": 10, "hold_s": 10.0, "times_per_day": 3})
    assert hold.data()["hold"] == "10"
    assert hold.data()["times"] == "3"
    assert hold.data()["tempo"] == ""
