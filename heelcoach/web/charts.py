"""Server-side SVG charts: small, accessible (title + description), no JavaScript.

Text sizes are set in ``app.css`` per screen width, in the chart's own units: the view box is 400
units wide so that 15-unit text is still 12 px or more when a phone draws the chart about 320 px
wide (``tests/web/test_session_browser.py`` measures it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from heelcoach.domain.units import DistanceUnit, from_km

WIDTH = 400
HEIGHT = 230
PAD_L, PAD_R, PAD_T, PAD_B = 40, 30, 14, 30


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
        # right-hand axis: pain 0-10, drawn as an axis with ticks so its numbers sit on it
        x = WIDTH - PAD_R
        parts.append(
            f'<line class="axis" x1="{x}" x2="{x}" y1="{_y(hi, 0, hi):.1f}" y2="{_y(0, 0, hi):.1f}"/>'
        )
        for k in (0, 5, 10):
            y = _y(k * hi / 10, 0, hi)
            parts.append(f'<line class="axis" x1="{x}" x2="{x + 4}" y1="{y:.1f}" y2="{y:.1f}"/>')
            parts.append(
                f'<text x="{x + 6}" y="{y + 5:.1f}" text-anchor="start" class="pain-axis">{k}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _nice_top(top: float) -> float:
    """A round axis top at or above ``top`` (10, 20, 25, 50, 100, ...)."""
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if top <= step * 5:
            return float(step * max(1, int(-(-top // step))))
    return float(int(top) + 1)


def _x_ticks(labels: Sequence[str], count: int = 4) -> list[int]:
    n = len(labels)
    if n <= count:
        return list(range(n))
    return sorted({round(k * (n - 1) / (count - 1)) for k in range(count)})


def _x_labels(labels: Sequence[str], where: Callable[[int], float]) -> list[str]:
    """About four labels along the x axis; the first and last kept inside the chart."""
    out = []
    ticks = _x_ticks(labels)
    for i in ticks:
        x = where(i)
        anchor = "middle"
        if len(ticks) > 1 and i == ticks[0] and x - PAD_L < 30:
            anchor, x = "start", max(x - 12, 2)
        elif len(ticks) > 1 and i == ticks[-1]:
            anchor, x = "end", min(x + 12, WIDTH - 2)
        out.append(f'<text x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}">{escape(labels[i])}</text>')
    return out


def weekly_km_chart(
    title: str,
    labels: Sequence[str],
    km: Sequence[float],
    spikes: Sequence[str] = (),
    cap_km: float | None = None,
    cap_label: str = "",
    unit: DistanceUnit = DistanceUnit.KM,
) -> str:
    """Weekly running distance: bars, weeks with a single-run spike marked (a triangle above the
    bar, ``spikes[i]`` its words), and the plan's weekly cap as a dashed line; drawn in ``unit``."""
    km = [round(from_km(k, unit), 1) for k in km]
    cap_km = round(from_km(cap_km, unit), 1) if cap_km else cap_km
    n = len(labels)
    top = max([*km, cap_km or 0.0, 5.0])
    hi = _nice_top(top * 1.08)
    marked = [i for i, words in enumerate(spikes) if words]
    desc = (
        f"{n} weeks; highest {max(km, default=0):g} {unit.label}"
        + (f"; {len(marked)} week(s) with a single-run spike" if marked else "")
        + (f"; weekly cap {cap_km:g} {unit.label}" if cap_km else "")
    )
    parts = _frame(title, desc, [], 0, hi, [hi * k / 4 for k in range(5)])
    parts.extend(_x_labels(labels, lambda i: _xb(i, n)))
    inner = WIDTH - PAD_L - PAD_R
    width = max(0.6, inner / max(n, 1) * 0.7)
    for i, value in enumerate(km):
        y = _y(value, 0, hi)
        spike = i < len(spikes) and bool(spikes[i])
        note = f" (spike: {spikes[i]})" if spike else ""
        parts.append(
            f'<rect class="bar{" spike" if spike else ""}" x="{_xb(i, n) - width / 2:.1f}" y="{y:.1f}" '
            f'width="{width:.1f}" height="{_y(0, 0, hi) - y:.1f}">'
            f"<title>week of {escape(labels[i])}: {value:g} {unit.label}{escape(note)}</title></rect>"
        )
        if spike:
            cx, top_y = _xb(i, n), y - 4
            parts.append(
                f'<path class="spike-mark" d="M{cx - 5:.1f},{top_y - 8:.1f} L{cx + 5:.1f},{top_y - 8:.1f} '
                f'L{cx:.1f},{top_y:.1f} Z"><title>{escape(spikes[i])}</title></path>'
            )
    if cap_km:
        y = _y(cap_km, 0, hi)
        parts.append(f'<line class="cap" x1="{PAD_L}" x2="{WIDTH - PAD_R}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="cap-label" x="{PAD_L + 4}" y="{y - 5:.1f}" text-anchor="start">'
            f"{escape(cap_label or f'cap {cap_km:g} {unit.label}')}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def pain_zone_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    safe_max: float,
    acceptable_max: float,
) -> str:
    """First-step pain (0-10) over days, on the pain-monitoring zones: safe and acceptable shaded."""
    n = len(values)
    latest = next((v for v in reversed(values) if v is not None), None)
    desc = (f"latest {latest:g} out of 10; " if latest is not None else "") + (
        f"0-{safe_max:g} is safe, up to {acceptable_max:g} acceptable"
    )
    parts = _frame(title, desc, [], 0, 10, (0, 5, 10))
    top_safe, top_ok, base = _y(safe_max, 0, 10), _y(acceptable_max, 0, 10), _y(0, 0, 10)
    inner = WIDTH - PAD_L - PAD_R
    parts.insert(
        2,
        f'<rect class="zone-safe" x="{PAD_L}" y="{top_safe:.1f}" width="{inner}" '
        f'height="{base - top_safe:.1f}"/>'
        f'<rect class="zone-ok" x="{PAD_L}" y="{top_ok:.1f}" width="{inner}" '
        f'height="{top_safe - top_ok:.1f}"/>',
    )
    for i in _x_ticks(labels):
        parts.append(
            f'<text x="{_x(i, n):.1f}" y="{HEIGHT - 8}" text-anchor="middle">{escape(labels[i])}</text>'
        )
    segments: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            segments.append([])
            continue
        segments[-1].append(f"{_x(i, n):.1f},{_y(v, 0, 10):.1f}")
    for seg in segments:
        if len(seg) > 1:
            parts.append(f'<polyline class="line-a" points="{" ".join(seg)}"/>')
    for i, v in enumerate(values):
        if v is not None and n <= 90:
            css = "dot-a" if v <= acceptable_max else "dot-high"
            parts.append(
                f'<circle class="{css}" cx="{_x(i, n):.1f}" cy="{_y(v, 0, 10):.1f}" r="3.5">'
                f"<title>{escape(labels[i])}: {v:g}/10</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """One day of the adherence calendar: how many planned exercises, how many done."""

    day: date
    planned: int
    done: int
    checked_in: bool = False
    is_today: bool = False


_CELL = 44
_CAL_TOP = 26


def adherence_calendar(title: str, days: Sequence[CalendarDay]) -> str:
    """Weeks as rows, Monday to Sunday as columns; each day coloured by the share of its planned
    exercises done (all, some, none, or a rest day), with the day of the month written in it."""
    if not days:
        return ""
    first = days[0].day - timedelta(days=days[0].day.weekday())
    rows = (days[-1].day - first).days // 7 + 1
    width, height = 7 * _CELL + 8, _CAL_TOP + rows * _CELL + 4
    full = sum(1 for d in days if d.planned and d.done >= d.planned)
    planned = sum(1 for d in days if d.planned)
    desc = f"{full} of {planned} exercise days fully done"
    parts = [
        (
            f'<svg class="chart cal-chart" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(title)}. {escape(desc)}" xmlns="http://www.w3.org/2000/svg">'
        ),
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>",
    ]
    for k, name in enumerate("MTWTFSS"):
        parts.append(f'<text x="{4 + k * _CELL + _CELL / 2:.0f}" y="18" text-anchor="middle">{name}</text>')
    for d in days:
        row, col = (d.day - first).days // 7, d.day.weekday()
        x, y = 4 + col * _CELL, _CAL_TOP + row * _CELL
        if not d.planned:
            css, words = "cal-rest", "rest day"
        elif d.is_today and d.done < d.planned:
            css, words = "cal-today", f"today: {d.done} of {d.planned} done so far"
        elif d.done >= d.planned:
            css, words = "cal-full", f"all {d.planned} done"
        elif d.done:
            css, words = "cal-part", f"{d.done} of {d.planned} done"
        else:
            css, words = "cal-none", f"0 of {d.planned} done"
        parts.append(
            f'<g class="{css}"><rect x="{x + 2}" y="{y + 2}" width="{_CELL - 4}" height="{_CELL - 4}" rx="6">'
            f"<title>{d.day:%a %d %b}: {words}</title></rect>"
            f'<text x="{x + _CELL / 2:.0f}" y="{y + _CELL / 2 + 6:.0f}" text-anchor="middle">'
            f"{d.day.day}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
