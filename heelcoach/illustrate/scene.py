"""An illustration as shapes per keyframe: the same shapes in every frame, only their geometry moves.

Limbs are tapered capsules (two circles and their tangents) filled in one colour with a darker
outline; the side further from the viewer is drawn first and paler. Props are simple shapes placed
in the scene or hung on body points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from heelcoach.illustrate.figure import HEAD_R, Pose, Vec, pose
from heelcoach.knowledge.schema_illustration import Illustration, Prop

Point = tuple[float, float]

#: Colours: a calm two-tone figure, warm props, a grey floor.
NEAR_FILL, FAR_FILL, FIGURE_LINE = "#4f86b8", "#a9c6e0", "#1f3d5a"
PROP_FILL, PROP_LINE = "#d9d3c7", "#7a7263"
BAND, TOWEL, BALL, PACK, MAT = "#e2713a", "#d8a63c", "#d9534f", "#6d8f5e", "#c9dcc3"
FLOOR = "#8c8c8c"
FOCUS = "#e2713a"


@dataclass(frozen=True, slots=True)
class Shape:
    """One drawable thing: a closed polygon, a circle or an open line, in scene units."""

    kind: str  # "poly", "circle", "line"
    points: tuple[Point, ...]
    fill: str | None
    stroke: str | None
    width: float = 0.0
    radius: float = 0.0


@dataclass(frozen=True, slots=True)
class Scene:
    """Shapes for each keyframe (same count and kinds in each), the bounds, and the timing."""

    frames: list[list[Shape]]
    names: list[str]
    move_s: list[float]
    hold_s: list[float]
    bounds: tuple[float, float, float, float]  # x0, y0, x1, y1


def _xy(p: Vec) -> Point:
    return (float(p[0]), float(p[1]))


def capsule(a: Point, b: Point, ra: float, rb: float, steps: int = 10) -> tuple[Point, ...]:
    """The outline of two circles joined by their outer tangents (a tapered limb)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy) or 1e-6
    base = math.atan2(dy, dx)
    # angle of the tangent points from the axis, for circles of different radii
    off = math.acos(max(-1.0, min(1.0, (ra - rb) / length)))
    pts = [
        (
            b[0] + rb * math.cos(base + off - 2 * off * i / steps),
            b[1] + rb * math.sin(base + off - 2 * off * i / steps),
        )
        for i in range(steps + 1)
    ]
    pts += [
        (
            a[0] + ra * math.cos(base - off - (2 * math.pi - 2 * off) * i / steps),
            a[1] + ra * math.sin(base - off - (2 * math.pi - 2 * off) * i / steps),
        )
        for i in range(steps + 1)
    ]
    return tuple(pts)


def _group(segments: list[tuple[Point, Point, float, float]], fill: str, line_w: float) -> list[Shape]:
    """A body part drawn as one silhouette: every outline first, then every fill over it."""
    polys = [capsule(a, b, ra, rb) for a, b, ra, rb in segments]
    outline = [Shape("poly", p, FIGURE_LINE, FIGURE_LINE, line_w * 2) for p in polys]
    return outline + [Shape("poly", p, fill, None) for p in polys]


def _leg(p: Pose, side: str) -> list[tuple[Point, Point, float, float]]:
    g = {k: _xy(v) for k, v in p.points.items() if k.startswith(side)}
    s = side
    return [
        (g[f"{s}_hip"], g[f"{s}_knee"], 0.056, 0.038),
        (g[f"{s}_knee"], g[f"{s}_ankle"], 0.037, 0.024),
        (g[f"{s}_ankle"], g[f"{s}_heel"], 0.025, 0.02),
        (g[f"{s}_heel"], g[f"{s}_arch"], 0.02, 0.0125),
        (g[f"{s}_arch"], g[f"{s}_ball"], 0.0125, 0.016),
        (g[f"{s}_ankle"], g[f"{s}_ball"], 0.024, 0.0165),
        (g[f"{s}_ball"], g[f"{s}_small_toe"], 0.014, 0.0095),
        (g[f"{s}_ball"], g[f"{s}_toe"], 0.0155, 0.011),
    ]


def _arm(p: Pose, side: str) -> list[tuple[Point, Point, float, float]]:
    g = {k: _xy(v) for k, v in p.points.items() if k.startswith(side)}
    s = side
    return [
        (g[f"{s}_shoulder"], g[f"{s}_elbow"], 0.031, 0.025),
        (g[f"{s}_elbow"], g[f"{s}_hand"], 0.024, 0.019),
        (g[f"{s}_hand"], g[f"{s}_hand"], 0.022, 0.0219),
    ]


def _trunk(p: Pose, view: str) -> list[tuple[Point, Point, float, float]]:
    pelvis, chest, neck = _xy(p.points["pelvis"]), _xy(p.points["chest"]), _xy(p.points["neck"])
    hip_r, chest_r = (0.066, 0.072) if view == "side" else (0.09, 0.1)
    return [
        (pelvis, chest, hip_r, chest_r),
        (_xy(p.points["left_shoulder"]), _xy(p.points["right_shoulder"]), 0.04, 0.0399),
        (chest, neck, 0.03, 0.024),
        (_xy(p.points["left_hip"]), _xy(p.points["right_hip"]), 0.06, 0.0599),
    ]


def _head(p: Pose, view: str, eyes: str, line_w: float) -> list[Shape]:
    centre = _xy(p.points["head"])
    shapes = [
        Shape("circle", (centre,), FIGURE_LINE, None, radius=HEAD_R + line_w),
        Shape("circle", (centre,), NEAR_FILL, None, radius=HEAD_R),
    ]
    front, up, left = p.head_frame[:, 0], p.head_frame[:, 1], p.head_frame[:, 2]
    offsets = [0.0] if view == "side" else [-0.022, 0.022]
    forward = 0.045 if view == "side" else 0.0
    for off in offsets:
        e = _xy(p.points["head"] + front * forward + up * 0.012 + left * off)
        if eyes == "open":
            shapes.append(Shape("circle", (e,), FIGURE_LINE, None, radius=0.0075))
        else:
            shapes.append(
                Shape("line", ((e[0] - 0.009, e[1]), (e[0] + 0.009, e[1])), None, FIGURE_LINE, 0.004)
            )
    return shapes


def _rect(x0: float, y0: float, x1: float, y1: float) -> tuple[Point, ...]:
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def _placed_prop(prop: Prop) -> list[Shape]:
    x, y, w, h = prop.x or 0.0, prop.y, prop.width or 0.0, prop.height or 0.0
    line = 0.006
    if prop.kind == "wall":
        thick = prop.width or 0.05
        return [Shape("poly", _rect(x, 0, x + thick, 1.08), PROP_FILL, PROP_LINE, line)]
    if prop.kind == "step":
        return [
            Shape("poly", _rect(x, y, x + w, y + h), PROP_FILL, PROP_LINE, line),
            Shape("line", ((x, y + h - 0.012), (x + w, y + h - 0.012)), None, PROP_LINE, 0.004),
        ]
    if prop.kind == "chair":
        seat = prop.width or 0.26
        legs = [
            Shape("poly", _rect(x + dx, 0, x + dx + 0.025, h), PROP_FILL, PROP_LINE, line)
            for dx in (0.0, seat - 0.025)
        ]
        back = Shape("poly", _rect(x, h, x + 0.03, h + 0.32), PROP_FILL, PROP_LINE, line)
        return [
            *legs,
            back,
            Shape("poly", _rect(x - 0.005, h - 0.03, x + seat + 0.01, h), PROP_FILL, PROP_LINE, line),
        ]
    if prop.kind in ("mat", "cushion"):
        top = 0.014 if prop.kind == "mat" else 0.045
        return [
            Shape(
                "poly", _rect(x, y, x + w, y + top), MAT if prop.kind == "mat" else "#efe3b8", PROP_LINE, line
            )
        ]
    if prop.kind == "tape_measure":
        shapes = [Shape("poly", _rect(x, 0, x + w, 0.01), "#f2cf45", PROP_LINE, 0.004)]
        ticks = int(w / 0.03)
        shapes += [
            Shape("line", ((x + i * w / ticks, 0.0), (x + i * w / ticks, 0.018)), None, PROP_LINE, 0.003)
            for i in range(1, ticks)
        ]
        return shapes
    # small objects: a bowl and three marbles
    bowl = [
        (x + 0.06 * math.cos(t), 0.05 + 0.05 * math.sin(t) - 0.05)
        for t in np.linspace(math.pi, 2 * math.pi, 12)
    ]
    bowl = [(px, py + 0.05) for px, py in bowl]
    shapes = [Shape("poly", tuple(bowl), PROP_FILL, PROP_LINE, line)]
    shapes += [
        Shape("circle", ((x + 0.11 + 0.035 * i, 0.012),), BALL, PROP_LINE, 0.003, radius=0.011)
        for i in range(3)
    ]
    return shapes


def _attached_prop(prop: Prop, p: Pose) -> list[Shape]:
    start = _xy(p.points[prop.from_point or "pelvis"])
    if prop.kind == "towel" and prop.to_point is None:  # rolled up under the toes
        r = 0.02
        return [Shape("circle", ((start[0], start[1] - r - 0.004),), TOWEL, PROP_LINE, 0.004, radius=r)]
    if prop.kind in ("band", "towel"):
        end = _xy(p.points[prop.to_point]) if prop.to_point else (prop.to_xy or start)
        colour, width = (BAND, 0.011) if prop.kind == "band" else (TOWEL, 0.022)
        return [Shape("line", (start, end), None, colour, width)]
    if prop.kind == "ball":
        r = prop.height or 0.032
        return [Shape("circle", ((start[0], start[1] - r - 0.008),), BALL, PROP_LINE, 0.005, radius=r)]
    if prop.kind == "dumbbell":
        x, y = start
        return [
            Shape("poly", _rect(x - 0.05, y - 0.008, x + 0.05, y + 0.008), "#555555", "#333333", 0.004),
            Shape("poly", _rect(x - 0.06, y - 0.03, x - 0.04, y + 0.03), "#555555", "#333333", 0.004),
            Shape("poly", _rect(x + 0.04, y - 0.03, x + 0.06, y + 0.03), "#555555", "#333333", 0.004),
        ]
    # backpack: a rounded block on the back, turning with the trunk
    a, u = p.trunk_frame[:, 0], p.trunk_frame[:, 1]
    centre = p.points[prop.from_point or "chest"] - a * 0.095 - u * 0.02
    corners = [
        centre + a * da + u * du for da, du in ((-0.045, -0.09), (0.03, -0.09), (0.03, 0.08), (-0.045, 0.08))
    ]
    return [Shape("poly", tuple(_xy(c) for c in corners), PACK, "#3d5634", 0.006)]


BEHIND = {"wall", "step", "chair", "mat", "cushion", "tape_measure", "small_objects"}


def _frame(drawing: Illustration, index: int) -> list[Shape]:
    key = drawing.keyframes[index]
    p = pose(drawing.view, key, drawing.turn_deg)
    near, far = drawing.near_side, ("right" if drawing.near_side == "left" else "left")
    line_w = 0.0055
    shapes: list[Shape] = []
    for prop in drawing.props:
        if prop.kind in BEHIND:
            shapes += _placed_prop(prop)
    shapes += _group(_arm(p, far), FAR_FILL, line_w)
    shapes += _group(_leg(p, far), FAR_FILL, line_w)
    for prop in drawing.props:
        if prop.kind in ("backpack", "ball") or (prop.kind == "towel" and prop.to_point is None):
            shapes += _attached_prop(prop, p)
    shapes += _group(_trunk(p, drawing.view), NEAR_FILL, line_w)
    shapes += _head(p, drawing.view, key.eyes, line_w)
    shapes += _group(_leg(p, near), NEAR_FILL, line_w)
    shapes += _group(_arm(p, near), NEAR_FILL, line_w)
    if drawing.focus:
        ring = _xy(p.points[drawing.focus])
        shapes.append(Shape("circle", (ring,), None, FOCUS, 0.006, radius=0.085))
    for prop in drawing.props:
        if prop.kind in ("band", "dumbbell") or (prop.kind == "towel" and prop.to_point is not None):
            shapes += _attached_prop(prop, p)
    return shapes


def _bounds(frames: list[list[Shape]]) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []
    for shapes in frames:
        for s in shapes:
            pad = s.radius + s.width
            for x, y in s.points:
                xs += [x - pad, x + pad]
                ys += [y - pad, y + pad]
    return min(xs), min(min(ys), -0.03), max(xs), max(ys)


def build_scene(drawing: Illustration) -> Scene:
    """Shapes for every keyframe of ``drawing``, with its timing and bounds."""
    frames = [_frame(drawing, i) for i in range(len(drawing.keyframes))]
    return Scene(
        frames=frames,
        names=[k.name for k in drawing.keyframes],
        move_s=[k.move_s for k in drawing.keyframes],
        hold_s=[k.hold_s for k in drawing.keyframes],
        bounds=_bounds(frames),
    )
