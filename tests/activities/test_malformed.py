"""Every malformed file gives a clear per-file message and the batch goes on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from heelcoach.activities.archive import expand
from heelcoach.activities.importer import ParsedFile, parse_sources

# file -> (expected status, a word the message must contain)
MALFORMED = {
    "activity-activity-filecrc.fit": ("ok", "checksum"),
    "activity-filecrc.fit": ("ok", "checksum"),
    "activity-settings-corruptheader.fit": ("ok", "corrupt header"),
    "activity-settings-nodata.fit": ("ok", "end of file"),
    "activity-unexpected-eof.fit": ("ok", "end of file"),
    "broken-dates.fit": ("ok", "start time is missing"),
    "empty-sessions.fit": ("error", "empty"),
    "inverted-times.fit": ("ok", "longer than elapsed"),
    "nick.fit": ("ok", "no session summary"),
    "strava-android-app-201.10-b1218918.fit": ("ok", "undefined local message"),
}


def test_every_malformed_file_is_listed(activities_dir: Path) -> None:
    assert {p.name for p in (activities_dir / "malformed").iterdir()} == set(MALFORMED)


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_file_gives_a_clear_message(parse: Callable[..., ParsedFile], name: str) -> None:
    status, word = MALFORMED[name]
    parsed = parse(f"malformed/{name}")
    assert parsed.status == status
    text = " ".join((parsed.problem, *parsed.warnings))
    assert word in text
    if status == "ok":
        assert parsed.activities  # the readable part is kept
        for act in parsed.activities:
            assert act.timer_s <= act.elapsed_s + 1
            assert act.start.year >= 2000


def test_batch_continues_past_bad_files(activities_dir: Path) -> None:
    sources = [s for s in expand([activities_dir]) if not hasattr(s, "problem")]
    results = list(parse_sources(sources))  # type: ignore[arg-type]
    assert len(results) == len(sources)
    assert [r.display for r in results] == [s.display for s in sources]  # type: ignore[union-attr]
    statuses = {Path(r.display).name: r.status for r in results}
    assert statuses["empty-sessions.fit"] == "error"
    assert statuses["6782987395.tcx"] == "ok"  # a file after the bad ones still imports
    assert sum(1 for r in results if r.status == "ok") >= 25


def test_garbage_and_unknown_formats(tmp_path: Path) -> None:
    from heelcoach.activities.importer import parse_bytes

    assert parse_bytes(b"hello", "x.txt").status == "error"
    assert "FIT, GPX or TCX" in parse_bytes(b"hello", "x.txt").problem
    bad_xml = parse_bytes(b"<gpx><trk><trkseg><trkpt lat='1'", "x.gpx")
    assert bad_xml.status in ("error", "not_activity")
    fake_fit = parse_bytes(b"\x0e\x10\x00\x00\x10\x00\x00\x00.FIT\x00\x00" + b"\x00" * 4, "x.fit")
    assert fake_fit.status in ("error", "not_activity")
    assert fake_fit.problem
