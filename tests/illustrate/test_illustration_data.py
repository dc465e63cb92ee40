"""The illustration data is validated on load: bad angles, props and points are named clearly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from heelcoach.knowledge import Catalogue, KnowledgeError
from heelcoach.knowledge.catalogue import data_dir
from heelcoach.knowledge.illustrations import FILE, check_against, load_illustrations_from


def _with(tmp_path: Path, change: dict[str, object], index: int = 0) -> Path:
    raw = yaml.safe_load((data_dir() / FILE).read_text(encoding="utf-8"))
    raw["illustrations"][index].update(change)
    (tmp_path / FILE).write_text(yaml.safe_dump(raw), encoding="utf-8")
    return tmp_path


def _first_keyframe(**limb: float) -> list[dict[str, object]]:
    return [
        {"name": "start", "left": limb, "anchor": {"point": "left_heel", "at": [0, 0]}},
        {"name": "end", "anchor": {"point": "left_heel", "at": [0, 0]}},
    ]


def test_a_knee_bent_past_its_range_is_refused_with_file_item_and_field(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as err:
        load_illustrations_from(_with(tmp_path, {"keyframes": _first_keyframe(knee=170)}))
    message = str(err.value)
    assert FILE in message
    assert "illustrations[standing_calf_stretch].keyframes.0.left" in message
    assert "knee 170 deg is outside the joint's range 0 to 150 deg" in message


def test_an_unknown_prop_or_point_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="kind"):
        load_illustrations_from(_with(tmp_path, {"props": [{"kind": "trampoline", "x": 0}]}))
    with pytest.raises(KnowledgeError, match="from_point 'left_wing' is not a body point"):
        load_illustrations_from(_with(tmp_path, {"props": [{"kind": "towel", "from_point": "left_wing"}]}))
    with pytest.raises(KnowledgeError, match="a step needs width, height"):
        load_illustrations_from(_with(tmp_path, {"props": [{"kind": "step", "x": 0}]}))
    with pytest.raises(KnowledgeError, match="unknown point 'tail'"):
        load_illustrations_from(
            _with(tmp_path, {"keyframes": [{"name": "a", "anchor": {"point": "tail", "at": [0, 0]}}] * 2})
        )


def test_a_single_position_is_not_an_illustration(tmp_path: Path) -> None:
    one = _first_keyframe()[:1]
    with pytest.raises(KnowledgeError, match="at least 2 items"):
        load_illustrations_from(_with(tmp_path, {"keyframes": one}))


def test_an_exercise_without_a_drawing_is_reported(tmp_path: Path, catalogue: Catalogue) -> None:
    shutil.copy(data_dir() / FILE, tmp_path / FILE)
    drawings = load_illustrations_from(tmp_path)
    drawings.pop("clamshell")
    drawings["not_an_exercise"] = drawings["lunge"]
    assert check_against(catalogue, drawings) == [
        f"{FILE}: no illustration for 'clamshell'",
        f"{FILE}: 'not_an_exercise' is not an exercise or self-test",
    ]


def test_a_missing_or_broken_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="cannot read the illustrations file"):
        load_illustrations_from(tmp_path)
    (tmp_path / FILE).write_text("illustrations: [", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="not valid YAML"):
        load_illustrations_from(tmp_path)
