"""A GPX ``<type>`` given as a number (Strava) is read as a sport in words, never shown as "9"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from heelcoach.activities.gpx import gpx_sport
from heelcoach.activities.importer import ParsedFile, parse_bytes


def test_strava_numbered_run_reads_as_a_run(parse: Callable[..., ParsedFile]) -> None:
    [act] = parse("gpx/6037744996.gpx").activities  # <type>9</type>
    assert act.sport == "running"
    assert act.sport_detail == "run"


def test_an_unknown_number_is_unknown_and_the_pace_decides(activities_dir: Path) -> None:
    path = activities_dir / "gpx" / "6037744996.gpx"
    data = path.read_bytes().replace(b"<type>9</type>", b"<type>53</type>", 1)
    parsed = parse_bytes(data, str(path), "numbered.gpx")
    [act] = parsed.activities
    assert act.sport_detail == "unknown"
    assert act.sport != "53"
    assert any("only the number 53" in w for w in parsed.warnings), parsed.warnings


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("9", ("running", "run")),
        (" 10 ", ("walking", "walk")),
        ("1", ("cycling", "ride")),
        ("Running", ("running", "running")),
        ("77", (None, "unknown")),
        ("", (None, "unknown")),
        (None, (None, "unknown")),
        ("kayaking", (None, "kayaking")),
    ],
)
def test_gpx_sport(kind: str | None, expected: tuple[str | None, str]) -> None:
    assert gpx_sport(kind) == expected
