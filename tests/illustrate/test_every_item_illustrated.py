"""Every exercise and self-test in the knowledge data has a valid illustration that renders.

The list comes from the catalogue, so an exercise added later without a drawing fails here.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from heelcoach.illustrate import render_png, render_svg
from heelcoach.illustrate.figure import pose
from heelcoach.illustrate.scene import NEAR_FILL
from heelcoach.knowledge import Catalogue, load_catalogue
from heelcoach.knowledge.illustrations import check_against, illustrated_ids, load_illustrations
from heelcoach.knowledge.schema_illustration import LIMB_LIMITS_DEG, PROP_NEEDS, Illustration

SVG = "{http://www.w3.org/2000/svg}"
ITEMS = illustrated_ids(load_catalogue())
#: Every drawing: each exercise and self-test, and the self-massage items drawn as well.
DRAWN = [*ITEMS, *sorted(set(load_illustrations()) - set(ITEMS))]

#: Equipment named in the exercise data -> the props that show it.
EQUIPMENT_PROPS = {
    "step": {"step"},
    "towel": {"towel"},
    "towel_or_strap": {"towel"},
    "resistance_band": {"band"},
    "backpack_or_weights": {"backpack", "dumbbell"},
    "small_objects": {"small_objects"},
}


def _drawing(item_id: str) -> Illustration:
    drawing = load_illustrations().get(item_id)
    assert drawing is not None, f"{item_id} has no illustration in illustrations.yaml"
    return drawing


def test_the_catalogue_and_the_drawings_match(catalogue: Catalogue) -> None:
    assert len(ITEMS) == len(catalogue.exercises) + len(catalogue.self_tests) >= 30
    assert check_against(catalogue, load_illustrations()) == []


@pytest.mark.parametrize("item_id", DRAWN)
def test_keyframes_stay_within_joint_limits_and_above_the_floor(item_id: str) -> None:
    drawing = _drawing(item_id)
    assert len(drawing.keyframes) >= 2, "at least a start and an end position"
    for key in drawing.keyframes:
        figure = pose(drawing.view, key, drawing.turn_deg)
        # the schema checked the angles as written; the worked-out ankles and toes are checked here
        for name, value in figure.angles.items():
            low, high = LIMB_LIMITS_DEG[name.split("_", 1)[1]]
            assert low - 0.5 <= value <= high + 0.5, f"{item_id} '{key.name}': {name} {value:.0f} deg"
        lowest = min(point[1] for point in figure.points.values())
        assert lowest >= -0.015, f"{item_id} '{key.name}': a body point is {-lowest:.3f} below the floor"
    moved = {str(pose(drawing.view, k, drawing.turn_deg).points) for k in drawing.keyframes}
    assert len(moved) == len(drawing.keyframes), f"{item_id}: two keyframes draw the same position"


@pytest.mark.parametrize("item_id", ITEMS)
def test_props_are_named_and_cover_the_required_equipment(catalogue: Catalogue, item_id: str) -> None:
    drawing = _drawing(item_id)
    kinds = {p.kind for p in drawing.props}
    assert kinds <= set(PROP_NEEDS)
    exercise = catalogue.exercises.get(item_id)
    for needed in exercise.equipment if exercise else []:
        assert kinds & EQUIPMENT_PROPS[needed], (
            f"{item_id} needs {needed} but draws {sorted(kinds) or 'no props'}"
        )


@pytest.mark.parametrize("item_id", DRAWN)
def test_renders_to_an_animated_svg_and_to_png(item_id: str) -> None:
    drawing = _drawing(item_id)
    root = ET.fromstring(render_svg(drawing))
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox")
    assert root.find(f"{SVG}title") is not None
    assert drawing.alt in (root.findtext(f"{SVG}desc") or "")
    animations = root.findall(f".//{SVG}animate")
    assert animations, "the SVG does not move"
    frames = len(drawing.keyframes)
    for anim in animations:
        values, times = anim.get("values", "").split(";"), anim.get("keyTimes", "").split(";")
        assert len(values) == len(times) >= frames + 1
        assert float(times[0]) == 0
        assert float(times[-1]) == 1
    assert root.find(f".//{SVG}script") is None
    for index in range(frames):
        image = Image.open(io.BytesIO(render_png(drawing, frame=index)))
        assert image.size == (480, 360)
        figure_px = _count_colour(image, NEAR_FILL)
        assert figure_px > 2000, f"{item_id} frame {index + 1}: only {figure_px} figure pixels"
    strip = Image.open(io.BytesIO(render_png(drawing)))
    assert strip.size[0] > 480 * frames


def _count_colour(image: Image.Image, hex_colour: str) -> int:
    want = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    rgb = image.convert("RGB")
    return sum(count for count, colour in rgb.getcolors(maxcolors=1 << 20) or [] if _near(colour, want))


def _near(colour: tuple[int, ...], want: tuple[int, ...]) -> bool:
    return all(abs(a - b) <= 6 for a, b in zip(colour, want, strict=True))
