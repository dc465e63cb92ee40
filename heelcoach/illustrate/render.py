"""Draw a scene as an animated SVG (SMIL, no script) or as PNG frames (Pillow).

Usage::

    from heelcoach.illustrate import render_svg, render_png
    svg_text = render_svg(drawing)           # loops through the keyframes
    png_bytes = render_png(drawing, frame=0)  # one keyframe; frame=None for a strip of all of them
"""

from __future__ import annotations

import io
from collections.abc import Callable
from html import escape
from itertools import pairwise

from PIL import Image, ImageDraw

from heelcoach.illustrate.scene import FLOOR, Scene, Shape, build_scene
from heelcoach.knowledge.schema_illustration import Illustration

WIDTH_PX, HEIGHT_PX = 480, 360
PAD_PX = 18
MAX_SCALE = 300.0  # pixels per body height: a standing figure never fills more than this
EASE = ".42 0 .58 1"

Mapper = Callable[[float, float], tuple[float, float]]


def _mapper(scene: Scene, width: int, height: int) -> tuple[Mapper, float]:
    x0, y0, x1, y1 = scene.bounds
    scale = min(
        (width - 2 * PAD_PX) / (x1 - x0), (height - 2 * PAD_PX) / (y1 - y0), MAX_SCALE * height / HEIGHT_PX
    )
    off_x = (width - (x1 - x0) * scale) / 2 - x0 * scale
    floor_px = height - PAD_PX - (0 - y0) * scale - ((height - 2 * PAD_PX) - (y1 - y0) * scale) / 2

    def to_px(x: float, y: float) -> tuple[float, float]:
        return (x * scale + off_x, floor_px - y * scale)

    return to_px, scale


# ------------------------------------------------------------------ SVG


def _path(points: tuple[tuple[float, float], ...], to_px: Mapper, closed: bool) -> str:
    coords = [to_px(x, y) for x, y in points]
    d = "M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in coords)
    return d + (" Z" if closed else "")


def _attrs(shape: Shape, scale: float) -> str:
    parts = [f'fill="{shape.fill or "none"}"']
    if shape.stroke:
        parts.append(f'stroke="{shape.stroke}" stroke-width="{shape.width * scale:.2f}"')
        parts.append('stroke-linejoin="round" stroke-linecap="round"')
        if shape.kind == "circle" and shape.fill is None:  # the focus ring
            parts.append('stroke-dasharray="7 5"')
    return " ".join(parts)


def _timing(scene: Scene) -> tuple[list[int], list[float], float]:
    """(frame index per value, keyTimes, total seconds): hold each frame, ease to the next, loop."""
    order: list[int] = []
    times: list[float] = []
    t = 0.0
    n = len(scene.frames)
    for i in range(n):
        if i:
            t += scene.move_s[i]
        order.append(i)
        times.append(t)
        if scene.hold_s[i] > 0:
            t += scene.hold_s[i]
            order.append(i)
            times.append(t)
    t += scene.move_s[0]
    order.append(0)
    times.append(t)
    return order, [x / t for x in times], t


def _animate(attr: str, values: list[str], order: list[int], key_times: list[float], total: float) -> str:
    if len(set(values)) == 1:
        return ""
    splines = ["0 0 1 1" if a == b else EASE for a, b in pairwise(order)]
    return (
        f'<animate attributeName="{attr}" dur="{total:.2f}s" repeatCount="indefinite" calcMode="spline" '
        f'values="{";".join(values[i] for i in order)}" keyTimes="{";".join(f"{k:.4f}" for k in key_times)}" '
        f'keySplines="{";".join(splines)}"/>'
    )


def render_svg(drawing: Illustration, *, title: str = "") -> str:
    """An animated SVG of ``drawing``: it holds each keyframe and eases to the next, in a loop."""
    scene = build_scene(drawing)
    to_px, scale = _mapper(scene, WIDTH_PX, HEIGHT_PX)
    order, key_times, total = _timing(scene)
    label = escape(title or drawing.alt)
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH_PX} {HEIGHT_PX}" '
            f'width="{WIDTH_PX}" height="{HEIGHT_PX}" role="img" aria-label="{label}">'
        ),
        f"<title>{label}</title><desc>{escape(drawing.alt)}</desc>",
        f'<rect width="{WIDTH_PX}" height="{HEIGHT_PX}" fill="#ffffff"/>',
    ]
    _, floor_y = to_px(0, 0)
    y = f"{floor_y:.1f}"
    out.append(f'<rect x="0" y="{y}" width="{WIDTH_PX}" height="{HEIGHT_PX - floor_y:.1f}" fill="#f1efea"/>')
    out.append(f'<line x1="0" y1="{y}" x2="{WIDTH_PX}" y2="{y}" stroke="{FLOOR}" stroke-width="2"/>')
    for index, shape in enumerate(scene.frames[0]):
        frames = [f[index] for f in scene.frames]
        if shape.kind == "circle":
            centres = [to_px(*f.points[0]) for f in frames]
            anim = _animate("cx", [f"{c[0]:.1f}" for c in centres], order, key_times, total)
            anim += _animate("cy", [f"{c[1]:.1f}" for c in centres], order, key_times, total)
            out.append(
                f'<circle cx="{centres[0][0]:.1f}" cy="{centres[0][1]:.1f}" r="{shape.radius * scale:.1f}" '
                f"{_attrs(shape, scale)}>{anim}</circle>"
            )
        else:
            paths = [_path(f.points, to_px, shape.kind == "poly") for f in frames]
            anim = _animate("d", paths, order, key_times, total)
            out.append(f'<path d="{paths[0]}" {_attrs(shape, scale)}>{anim}</path>')
    out.append("</svg>")
    return "\n".join(out)


# ------------------------------------------------------------------ PNG

SUPERSAMPLE = 3


def _draw_shape(draw: ImageDraw.ImageDraw, shape: Shape, to_px: Mapper, scale: float) -> None:
    k = SUPERSAMPLE
    pts = [(x * k, y * k) for x, y in (to_px(px, py) for px, py in shape.points)]
    stroke_px = max(1, round(shape.width * scale * k))
    if shape.kind == "circle":
        (cx, cy), r = pts[0], shape.radius * scale * k
        draw.ellipse(
            (cx - r, cy - r, cx + r, cy + r),
            fill=shape.fill,
            outline=shape.stroke,
            width=stroke_px if shape.stroke else 0,
        )
        return
    if shape.kind == "poly" and shape.stroke:
        draw.polygon(pts, fill=shape.fill)
        draw.line([*pts, pts[0], pts[1]], fill=shape.stroke, width=stroke_px, joint="curve")
        return
    if shape.kind == "poly":
        draw.polygon(pts, fill=shape.fill)
        return
    draw.line(pts, fill=shape.stroke, width=stroke_px, joint="curve")
    half = stroke_px / 2
    for x, y in (pts[0], pts[-1]):  # round caps
        draw.ellipse((x - half, y - half, x + half, y + half), fill=shape.stroke)


def _frame_image(scene: Scene, index: int, width: int, height: int) -> Image.Image:
    to_px, scale = _mapper(scene, width, height)
    k = SUPERSAMPLE
    image = Image.new("RGB", (width * k, height * k), "#ffffff")
    draw = ImageDraw.Draw(image)
    _, floor_y = to_px(0, 0)
    draw.rectangle((0, floor_y * k, width * k, height * k), fill="#f1efea")
    draw.line((0, floor_y * k, width * k, floor_y * k), fill=FLOOR, width=2 * k)
    for shape in scene.frames[index]:
        _draw_shape(draw, shape, to_px, scale)
    return image.resize((width, height), Image.Resampling.LANCZOS)


def frame_images(
    drawing: Illustration, *, width: int = WIDTH_PX, height: int = HEIGHT_PX
) -> list[Image.Image]:
    """One picture per keyframe, all drawn at the same scale."""
    scene = build_scene(drawing)
    return [_frame_image(scene, i, width, height) for i in range(len(scene.frames))]


def render_png(
    drawing: Illustration, *, frame: int | None = None, width: int = WIDTH_PX, height: int = HEIGHT_PX
) -> bytes:
    """PNG of one keyframe, or with ``frame=None`` a strip of every keyframe side by side."""
    images = frame_images(drawing, width=width, height=height)
    if frame is not None:
        image = images[frame]
    else:
        gap = 6
        image = Image.new("RGB", (len(images) * width + (len(images) - 1) * gap, height), "#ffffff")
        for i, im in enumerate(images):
            image.paste(im, (i * (width + gap), 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
