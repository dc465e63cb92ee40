"""A contact sheet: every illustration's keyframes on one PNG, to look over them all at once."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from heelcoach.illustrate.render import frame_images
from heelcoach.knowledge.schema_illustration import Illustration

_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.truetype(str(_FONT), size) if _FONT.is_file() else ImageFont.load_default()


def contact_sheet(
    entries: Sequence[tuple[str, Illustration]], *, columns: int = 2, frame_px: int = 240
) -> bytes:
    """PNG with one row per (title, illustration): the title above its keyframes, start to end."""
    frame_h = frame_px * 3 // 4
    label_h, gap = 26, 10
    most = max(len(d.keyframes) for _, d in entries)
    cell_w = most * (frame_px + 4) + gap
    cell_h = label_h + frame_h + gap
    rows = -(-len(entries) // columns)
    sheet = Image.new("RGB", (columns * cell_w + gap, rows * cell_h + gap), "#ffffff")
    draw = ImageDraw.Draw(sheet)
    font = _font(15)
    small = _font(11)
    for n, (title, drawing) in enumerate(entries):
        x = gap + (n % columns) * cell_w
        y = gap + (n // columns) * cell_h
        draw.text((x, y + 4), title, fill="#1f3d5a", font=font)
        for i, image in enumerate(frame_images(drawing, width=frame_px, height=frame_h)):
            fx = x + i * (frame_px + 4)
            sheet.paste(image, (fx, y + label_h))
            draw.rectangle((fx, y + label_h, fx + frame_px - 1, y + label_h + frame_h - 1), outline="#d0d0d0")
            draw.text(
                (fx + 5, y + label_h + 3), f"{i + 1}. {drawing.keyframes[i].name}", fill="#555555", font=small
            )
    buffer = io.BytesIO()
    sheet.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
