"""Server-side SVG charts: well-formed, accessible, gaps and references drawn."""

from __future__ import annotations

import xml.dom.minidom

from hypothesis import given
from hypothesis import strategies as st

from heelcoach.web.charts import Series, bars_with_line, line_chart

pain = st.one_of(st.none(), st.integers(min_value=0, max_value=10))


@given(st.lists(pain, min_size=0, max_size=400), st.lists(pain, min_size=0, max_size=400))
def test_line_chart_is_valid_svg_for_any_series(first: list[int | None], worst: list[int | None]) -> None:
    n = max(len(first), len(worst))
    labels = [f"d{i}" for i in range(n)]
    first = first + [None] * (n - len(first))
    worst = worst + [None] * (n - len(worst))
    svg = line_chart(
        "Pain", labels, [Series("First", first), Series("Worst", worst, "b")], reference=(3, "mcid")
    )
    doc = xml.dom.minidom.parseString(svg)
    root = doc.documentElement
    assert root.getAttribute("role") == "img"
    assert root.getAttribute("aria-label").startswith("Pain")
    assert len(doc.getElementsByTagName("line")) >= 1


@given(st.lists(st.floats(min_value=0, max_value=400, allow_nan=False), min_size=1, max_size=60))
def test_bars_stay_inside_the_chart(kms: list[float]) -> None:
    svg = bars_with_line("Load", [str(i) for i in range(len(kms))], kms, [5.0] * len(kms))
    doc = xml.dom.minidom.parseString(svg)
    width = float(doc.documentElement.getAttribute("viewBox").split()[2])
    for rect in doc.getElementsByTagName("rect"):
        x, w = float(rect.getAttribute("x")), float(rect.getAttribute("width"))
        assert x >= 0
        assert x + w <= width
        assert float(rect.getAttribute("height")) >= 0


def test_labels_are_escaped() -> None:
    svg = line_chart("<b>", ["<x>"], [Series("a&b", [1])])
    assert "<b>" not in svg
    xml.dom.minidom.parseString(svg)
