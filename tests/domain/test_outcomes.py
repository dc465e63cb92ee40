"""FAAM, PSFS scoring and meaningful change."""

from __future__ import annotations

import pytest

from heelcoach.domain.outcomes import FaamScore, PsfsScore, outcome_change, score_faam, score_psfs
from heelcoach.errors import InvalidInputError


def _adl(catalogue, value: int | None = 3) -> dict[str, int | None]:  # type: ignore[no-untyped-def]
    return {i.id: value for i in catalogue.outcomes.faam.adl.items}


def test_instrument_shape(catalogue) -> None:  # type: ignore[no-untyped-def]
    faam = catalogue.outcomes.faam
    assert len(faam.adl.items) == 21
    assert len(faam.sports.items) == 8
    assert faam.adl.min_answered == 19
    assert faam.sports.min_answered == 7
    assert faam.adl.mcid_points.value == 8
    assert faam.sports.mcid_points.value == 9
    assert "free to use" in faam.note


def test_faam_full_score(catalogue) -> None:  # type: ignore[no-untyped-def]
    s = score_faam(_adl(catalogue, 4), "adl", catalogue)
    assert s.valid
    assert s.score_pct == 100.0
    assert s.answered == 21
    s = score_faam(_adl(catalogue, 3), "adl", catalogue)
    assert s.score_pct == 75.0


def test_faam_not_applicable_is_left_out(catalogue) -> None:  # type: ignore[no-untyped-def]
    a = _adl(catalogue, 2)
    ids = list(a)
    a[ids[0]] = None
    a[ids[1]] = None
    s = score_faam(a, "adl", catalogue)
    assert s.valid
    assert s.answered == 19
    assert s.score_pct == 50.0
    a[ids[2]] = None  # 18 of 21: too few
    s = score_faam(a, "adl", catalogue)
    assert not s.valid
    assert s.score_pct is None
    assert "19" in s.message


def test_faam_sports_needs_seven_of_eight(catalogue) -> None:  # type: ignore[no-untyped-def]
    items = [i.id for i in catalogue.outcomes.faam.sports.items]
    seven = dict.fromkeys(items[:7], 4)
    assert score_faam(seven, "sports", catalogue).valid
    assert score_faam(seven, "sports", catalogue).score_pct == 100.0
    six = dict.fromkeys(items[:6], 4)
    assert not score_faam(six, "sports", catalogue).valid


def test_faam_bad_input(catalogue) -> None:  # type: ignore[no-untyped-def]
    a = _adl(catalogue)
    a["faam_adl_standing"] = 5
    with pytest.raises(InvalidInputError, match="faam_adl_standing"):
        score_faam(a, "adl", catalogue)
    with pytest.raises(InvalidInputError, match="unknown item"):
        score_faam({"faam_sports_running": 3}, "adl", catalogue)


def test_psfs(catalogue) -> None:  # type: ignore[no-untyped-def]
    s = score_psfs({"running 10 km": 3, "stairs": 7, "walking the dog": 8}, catalogue)
    assert s.valid
    assert s.score == 6.0
    assert s.activities == 3
    assert not score_psfs({"running": 3}, catalogue).valid
    assert score_psfs({}, catalogue).score is None
    with pytest.raises(InvalidInputError, match="running"):
        score_psfs({"running": 11}, catalogue)


def test_meaningful_change_messages(catalogue) -> None:  # type: ignore[no-untyped-def]
    before = FaamScore(subscale="adl", score_pct=60.0, answered=21, valid=True, message="")
    ch = outcome_change(
        before, FaamScore(subscale="adl", score_pct=68.0, answered=21, valid=True, message=""), catalogue
    )
    assert ch.meaningful
    assert ch.delta == 8.0
    assert "real improvement" in ch.message
    ch = outcome_change(
        before, FaamScore(subscale="adl", score_pct=65.0, answered=21, valid=True, message=""), catalogue
    )
    assert not ch.meaningful
    assert "not yet" in ch.message
    ch = outcome_change(
        FaamScore(subscale="sports", score_pct=60.0, answered=8, valid=True, message=""),
        FaamScore(subscale="sports", score_pct=68.0, answered=8, valid=True, message=""),
        catalogue,
    )
    assert not ch.meaningful  # the Sports MCID is 9
    ch = outcome_change(
        before, FaamScore(subscale="adl", score_pct=50.0, answered=21, valid=True, message=""), catalogue
    )
    assert ch.meaningful
    assert "worsening" in ch.message
    invalid = outcome_change(
        before, FaamScore(subscale="adl", score_pct=None, answered=10, valid=False, message=""), catalogue
    )
    assert invalid.delta is None
    assert not invalid.meaningful
    ps = outcome_change(
        PsfsScore(score=4.0, activities=3, valid=True, message=""),
        PsfsScore(score=6.0, activities=3, valid=True, message=""),
        catalogue,
    )
    assert ps.meaningful
    assert ps.delta == 2.0
    with pytest.raises(TypeError):
        outcome_change(before, PsfsScore(score=4.0, activities=3, valid=True, message=""), catalogue)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="sports"):
        outcome_change(
            before,
            FaamScore(subscale="sports", score_pct=60.0, answered=8, valid=True, message=""),
            catalogue,
        )
