"""Folders, zip account exports with .gz members, and zip-bomb refusal."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

from heelcoach.activities.archive import ArchiveLimits, Refusal, Source, expand
from heelcoach.activities.importer import parse_sources


def _export(tmp_path: Path, activities_dir: Path) -> Path:
    """A Strava-like export: activities/*.fit.gz, *.gpx, *.tcx.gz, plus files that are not activities."""
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activities.csv", "id,name\n1,run\n")
        zf.writestr(
            "activities/1.fit.gz", gzip.compress((activities_dir / "fit/2067489619.fit").read_bytes())
        )
        zf.writestr("activities/2.gpx", (activities_dir / "gpx/6037744996.gpx").read_bytes())
        zf.writestr(
            "activities/3.tcx.gz", gzip.compress((activities_dir / "tcx/6860622783.tcx").read_bytes())
        )
        zf.writestr("activities/4.fit", (activities_dir / "malformed/nick.fit").read_bytes())
        inner = tmp_path / "inner.zip"
        with zipfile.ZipFile(inner, "w") as izf:
            izf.writestr("walk.fit", (activities_dir / "fit/garmin-fenix-5-walk.fit").read_bytes())
        zf.write(inner, "uploads/part1.zip")
    return path


def test_zip_export_with_gz_members(tmp_path: Path, activities_dir: Path) -> None:
    items = list(expand([_export(tmp_path, activities_dir)]))
    assert all(isinstance(i, Source) for i in items)
    assert len(items) == 5  # the CSV is not an activity file
    results = list(parse_sources(items))  # type: ignore[arg-type]
    assert all(r.status == "ok" for r in results), [r.problem for r in results]
    sports = sorted(a.sport for r in results for a in r.activities)
    assert sports == ["cycling", "running", "running", "treadmill", "walking"]
    fit_gz = next(r for r in results if r.display.endswith("1.fit.gz"))
    plain = (activities_dir / "fit/2067489619.fit").read_bytes()
    import hashlib

    assert fit_gz.sha256 == hashlib.sha256(plain).hexdigest()  # hash of the content, not of the .gz


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activities/huge.fit", b"\x00" * (20 * 1024 * 1024))
    [item] = list(expand([bomb]))
    assert isinstance(item, Refusal)
    assert "zip bomb" in item.problem
    [small] = list(expand([bomb], ArchiveLimits(max_total_bytes=1024 * 1024, max_ratio=1e9)))
    assert isinstance(small, Refusal)
    assert "limit" in small.problem


def test_gz_bomb_is_capped(tmp_path: Path) -> None:
    from heelcoach.activities.importer import parse_source

    path = tmp_path / "bomb.fit.gz"
    path.write_bytes(gzip.compress(b"\x00" * (5 * 1024 * 1024)))
    parsed = parse_source(Source(str(path), str(path)), ArchiveLimits(max_member_bytes=1024 * 1024))
    assert parsed.status == "error"
    assert "too large" in parsed.problem


def test_missing_path_and_broken_zip(tmp_path: Path) -> None:
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really")
    items = list(expand([tmp_path / "nope.fit", broken]))
    assert [type(i) for i in items] == [Refusal, Refusal]
    assert "no such file" in items[0].problem  # type: ignore[union-attr]
    assert "zip" in items[1].problem  # type: ignore[union-attr]


def test_workers_give_the_same_results_in_the_same_order(activities_dir: Path) -> None:
    sources = [
        s for s in expand([activities_dir / "fit", activities_dir / "malformed"]) if isinstance(s, Source)
    ]
    one = list(parse_sources(sources, workers=1))
    two = list(parse_sources(sources, workers=2))
    assert one == two
