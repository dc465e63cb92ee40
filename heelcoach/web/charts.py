"""Server-side SVG charts: small, accessible (title + description), no JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 480
HEIGHT = 210
PAD_L, PAD_R, PAD_T, PAD_B = 34, 26, 12, 26


@dataclass(frozen=True, slots=True)
class Series:
    """One line: values (None for a gap) over the chart's x labels."""

    name: str
    values: Sequence[float | None]
    css: str = "a"


def _xb(i: int, n: int) -> float:
    """Centre of band ``i`` of ``n`` (bars never touch the chart's edges)."""
    inner = WIDTH - PAD_L - PAD_R
    return PAD_L + inner * (i + 0.5) / max(n, 1)


def _x(i: int, n: int) -> float:
    inner = WIDTH - PAD_L - PAD_R
    return PAD_L + (inner * i / (n - 1) if n > 1 else inner / 2)


def _y(v: float, lo: float, hi: float) -> float:
    inner = HEIGHT - PAD_T - PAD_B
    span = (hi - lo) or 1.0
    return PAD_T + inner * (1 - (v - lo) / span)


def _frame(
    title: str,
    desc: str,
    labels: Sequence[str],
    lo: float,
    hi: float,
    ticks: Sequence[float],
    banded: bool = False,
) -> list[str]:
    parts = [
        (
            f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-label="{escape(title)}. {escape(desc)}" xmlns="http://www.w3.org/2000/svg">'
        ),
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>",
    ]
    for t in ticks[::2] if len(ticks) > 4 else ticks:
        y = _y(t, lo, hi)
        parts.append(f'<line class="grid" x1="{PAD_L}" x2="{WIDTH - PAD_R}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end">{t:g}</text>')
    n = len(labels)
    step = max(1, n // 4)
    for i in range(0, n, step):
        parts.append(
            f'<text x="{_x(i, n):.1f}" y="{HEIGHT - 8}" text-anchor="middle">{escape(labels[i])}</text>'
        )
    base = _y(lo, lo, hi)
    parts.append(f'<line class="axis" x1="{PAD_L}" x2="{WIDTH - PAD_R}" y1="{base:.1f}" y2="{base:.1f}"/>')
    return parts


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    lo: float = 0,
    hi: float = 10,
    ticks: Sequence[float] = (0, 2, 4, 6, 8, 10),
    reference: tuple[float, str] | None = None,
) -> str:
    """Lines over labelled points; ``reference`` draws a dashed line with a label (a meaningful change)."""
    desc = "; ".join(
        f"{s.name}: "
        + (
            f"latest {next((v for v in reversed(s.values) if v is not None), 0):g}"
            if any(v is not None for v in s.values)
            else "no data"
        )
        for s in series
    )
    parts = _frame(title, desc, labels, lo, hi, ticks)
    n = len(labels)
    if reference is not None:
        y = _y(reference[0], lo, hi)
        parts.append(f'<line class="mcid" x1="{PAD_L}" x2="{WIDTH - PAD_R}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text x="{WIDTH - PAD_R}" y="{y - 4:.1f}" text-anchor="end">{escape(reference[1])}</text>'
        )
    for s in series:
        segments: list[list[str]] = [[]]
        for i, v in enumerate(s.values):
            if v is None:
                segments.append([])
                continue
            segments[-1].append(f"{_x(i, n):.1f},{_y(v, lo, hi):.1f}")
        for seg in segments:
            if len(seg) > 1:
                parts.append(f'<polyline class="line-{s.css}" points="{" ".join(seg)}"/>')
        if n <= 60:
            for i, v in enumerate(s.values):
                if v is not None:
                    parts.append(
                        f'<circle class="dot-{s.css}" cx="{_x(i, n):.1f}" cy="{_y(v, lo, hi):.1f}" r="3"/>'
                    )
    parts.append("</svg>")
    return "".join(parts)


def bars_with_line(
    title: str,
    labels: Sequence[str],
    bars: Sequence[float],
    line: Sequence[float | None],
    spikes: Sequence[bool] = (),
    line_name: str = "pain",
) -> str:
    """Weekly bars (km, scaled to their max) with a 0-10 line (pain) on the same chart."""
    top = max([*bars, 10.0])
    nice = 10 ** len(str(int(top))) / 10
    hi = max(nice, (int(top / nice) + 1) * nice)
    desc = f"Bars: weekly kilometres (highest {top:g})" + (f"; line: {line_name}, 0-10." if line else ".")
    parts = _frame(title, desc, labels, 0, hi, [hi * k / 5 for k in range(6)], banded=True)
    n = len(labels)
    inner = WIDTH - PAD_L - PAD_R
    width = max(2.0, inner / max(n, 1) * 0.6)
    for i, km in enumerate(bars):
        x = _xb(i, n) - width / 2
        y = _y(km, 0, hi)
        css = "bar spike" if i < len(spikes) and spikes[i] else "bar"
        parts.append(
            f'<rect class="{css}" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
            f'height="{_y(0, 0, hi) - y:.1f}">'
            f"<title>{escape(labels[i])}: {km:g} km</title></rect>"
        )
    points = [f"{_xb(i, n):.1f},{_y(v * hi / 10, 0, hi):.1f}" for i, v in enumerate(line) if v is not None]
    if len(points) > 1:
        parts.append(f'<polyline class="line-b" points="{" ".join(points)}"/>')
    for i, v in enumerate(line):
        if v is not None:
            parts.append(
                f'<circle class="dot-b" cx="{_xb(i, n):.1f}" cy="{_y(v * hi / 10, 0, hi):.1f}" r="3"/>'
            )
    if any(v is not None for v in line):
        # right-hand axis: pain 0-10
        for k in (0, 5, 10):
            y = _y(k * hi / 10, 0, hi)
            parts.append(
                f'<text x="{WIDTH - 4}" y="{y + 4:.1f}" text-anchor="end" class="pain-axis">{k}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
