"""Typed schema for exercise illustrations: a figure's joint angles at a few keyframes, and its props.

An illustration is data, like the rest of the knowledge base: for each exercise or self-test id, a
camera view, the props it needs and two or more keyframes (start, end, ...). Each keyframe gives the
joint angles of a standard figure in degrees (anatomical conventions, checked against joint limits)
and pins one body point to a place in the scene, so the renderer can draw and animate it.

Scene units are body heights: the floor is y = 0 and a standing figure is about 1.0 tall.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from heelcoach.knowledge.schema import Id, Model

View = Literal["side", "front"]
Side = Literal["left", "right"]

#: Anatomical ranges in degrees (min, max) for each joint angle of one side. Flexion, abduction,
#: dorsiflexion and toe extension are positive; the opposite motions are negative.
LIMB_LIMITS_DEG: dict[str, tuple[float, float]] = {
    "hip_flex": (-30.0, 140.0),
    "hip_abd": (-30.0, 60.0),
    "hip_rot": (-45.0, 50.0),  # external rotation positive
    "knee": (0.0, 150.0),
    "ankle": (-50.0, 35.0),  # dorsiflexion positive, plantarflexion negative
    "toes": (-40.0, 80.0),  # extension positive
    "small_toes": (-40.0, 80.0),  # the four small toes, when they move apart from the big toe
    "shoulder_flex": (-60.0, 180.0),
    "shoulder_abd": (-10.0, 180.0),
    "elbow": (0.0, 150.0),
}

#: Ranges for the whole body: its tilt in the picture (lying down is +-90) and the spine and neck.
BODY_LIMITS_DEG: dict[str, tuple[float, float]] = {
    "body_deg": (-180.0, 180.0),
    "spine_deg": (-30.0, 90.0),  # trunk flexion on the pelvis
    "spine_side_deg": (-40.0, 40.0),  # side bend of the trunk, towards the left positive
    "neck_deg": (-45.0, 60.0),  # chin down positive
}

#: Named points of the figure that anchors and props can refer to.
SIDE_POINTS: tuple[str, ...] = (
    "hip",
    "knee",
    "ankle",
    "heel",
    "arch",
    "ball",
    "toe",
    "small_toe",
    "shoulder",
    "elbow",
    "hand",
)
BODY_POINTS: tuple[str, ...] = ("pelvis", "chest", "neck", "head")
POINTS: frozenset[str] = frozenset(
    (*BODY_POINTS, *(f"{side}_{p}" for side in ("left", "right") for p in SIDE_POINTS))
)

PropKind = Literal[
    "wall",
    "step",
    "chair",
    "mat",
    "band",
    "towel",
    "ball",
    "small_objects",
    "backpack",
    "dumbbell",
    "cushion",
    "tape_measure",
]
#: Which fields each prop needs: placed props sit at a place, attached props follow body points.
PROP_NEEDS: dict[str, tuple[str, ...]] = {
    "wall": ("x",),
    "step": ("x", "width", "height"),
    "chair": ("x", "height"),
    "mat": ("x", "width"),
    "band": ("from_point",),  # to_point or to_xy
    "towel": ("from_point",),  # to_point: a strap to the hands; none: rolled up under the point
    "ball": ("from_point",),
    "small_objects": ("x",),
    "backpack": ("from_point",),
    "dumbbell": ("from_point",),
    "cushion": ("x", "width"),
    "tape_measure": ("x", "width"),
}


class Limb(Model):
    """Joint angles of one side, in degrees; anything left out is 0 (standing, arms down)."""

    hip_flex: float = 0.0
    hip_abd: float = 0.0
    hip_rot: float = 0.0
    knee: float = 0.0
    ankle: float = 0.0
    toes: float = 0.0
    small_toes: float | None = Field(default=None, description="None: the small toes follow the big toe")
    arch: float = Field(default=0.0, ge=0, le=1, description="how far the arch is domed (short foot), 0-1")
    shoulder_flex: float = 0.0
    shoulder_abd: float = 0.0
    elbow: float = 0.0
    #: "foot": the ankle turns so the sole lies flat (ankle is then worked out); "toes": the toes lie
    #: flat while the heel is up (toes worked out). The renderer checks the worked-out angle's range.
    ground: Literal["none", "foot", "toes"] = "none"

    @model_validator(mode="after")
    def _within_limits(self) -> Limb:
        for name, (low, high) in LIMB_LIMITS_DEG.items():
            value = getattr(self, name)
            if value is not None and not low <= value <= high:
                raise ValueError(f"{name} {value:g} deg is outside the joint's range {low:g} to {high:g} deg")
        return self


class Anchor(Model):
    """Pins one body point to a place in the scene (x, y in body heights; the floor is y = 0)."""

    point: str
    at: tuple[float, float]

    @model_validator(mode="after")
    def _known_point(self) -> Anchor:
        if self.point not in POINTS:
            raise ValueError(f"unknown point '{self.point}'; known: {', '.join(sorted(POINTS))}")
        return self


class Keyframe(Model):
    """One position of the movement, held for ``hold_s`` after ``move_s`` of moving into it."""

    name: str = Field(min_length=2, description="what this position is, e.g. 'start', 'top'")
    move_s: float = Field(default=1.0, gt=0, le=10)
    hold_s: float = Field(default=0.6, ge=0, le=10)
    body_deg: float = 0.0
    spine_deg: float = 0.0
    spine_side_deg: float = 0.0
    neck_deg: float = 0.0
    eyes: Literal["open", "closed"] = "open"
    left: Limb = Field(default_factory=Limb)
    right: Limb = Field(default_factory=Limb)
    anchor: Anchor

    @model_validator(mode="after")
    def _within_limits(self) -> Keyframe:
        for name, (low, high) in BODY_LIMITS_DEG.items():
            value = getattr(self, name)
            if not low <= value <= high:
                raise ValueError(f"{name} {value:g} deg is outside {low:g} to {high:g} deg")
        return self


class Prop(Model):
    """Equipment drawn with the figure: placed in the scene or attached to body points."""

    kind: PropKind
    x: float | None = None
    y: float = 0.0
    width: float | None = Field(default=None, gt=0, le=3)
    height: float | None = Field(default=None, gt=0, le=2)
    from_point: str | None = None
    to_point: str | None = None
    to_xy: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _complete(self) -> Prop:
        missing = [f for f in PROP_NEEDS[self.kind] if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.kind} needs {', '.join(missing)}")
        for name in ("from_point", "to_point"):
            point = getattr(self, name)
            if point is not None and point not in POINTS:
                raise ValueError(f"{name} '{point}' is not a body point")
        if self.kind == "band" and self.to_point is None and self.to_xy is None:
            raise ValueError("a band needs to_point or to_xy (where its other end is fixed)")
        return self


class Illustration(Model):
    """How to draw one exercise or self-test: view, props and the keyframes of its movement."""

    id: Id = Field(description="the exercise or self-test id it illustrates")
    view: View
    near_side: Side = Field(default="left", description="the side nearer the viewer, drawn on top")
    turn_deg: float = Field(
        default=0.0,
        ge=-60,
        le=60,
        description="turns the figure about the vertical, for a three-quarter view",
    )
    alt: str = Field(min_length=10, description="what the picture shows, in words (alt text)")
    focus: str | None = Field(default=None, description="a body point to ring, where the movement is small")
    props: list[Prop] = Field(default_factory=list)
    keyframes: list[Keyframe] = Field(min_length=2)

    @model_validator(mode="after")
    def _focus_known(self) -> Illustration:
        if self.focus is not None and self.focus not in POINTS:
            raise ValueError(f"focus '{self.focus}' is not a body point")
        return self
