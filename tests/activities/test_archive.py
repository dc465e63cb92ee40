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


def _nested(path: Path, inner_count: int, members: int, size: int) -> Path:
    """A zip of ``inner_count`` zips, each with ``members`` files of ``size`` zero bytes."""
    inner = path.with_name("inner-part.zip")
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(members):
            zf.writestr(f"run{i:03d}.fit", b"\x00" * size)
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(inner_count):
            zf.write(inner, f"part{i}.zip")
    return path


def test_one_byte_budget_across_nesting_levels(tmp_path: Path) -> None:
    # each inner zip alone fits the budget; together they do not: nothing is read at all
    bomb = _nested(tmp_path / "bomb.zip", 2, 10, 60_000)
    limits = ArchiveLimits(max_total_bytes=1_000_000)
    items = list(expand([bomb], limits))
    assert [type(i) for i in items] == [Refusal]
    assert "would expand to more than the limit of 1 MB" in items[0].problem  # type: ignore[union-attr]
    assert "counting the archives inside it" in items[0].problem  # type: ignore[union-attr]
    assert all(isinstance(i, Source) for i in expand([bomb], ArchiveLimits(max_total_bytes=2_000_000)))


def test_one_member_budget_across_nesting_levels(tmp_path: Path) -> None:
    many = _nested(tmp_path / "many.zip", 3, 40, 10)
    [refused] = list(expand([many], ArchiveLimits(max_members=100)))
    assert isinstance(refused, Refusal)
    assert "more entries than the limit of 100" in refused.problem
    assert len(list(expand([many], ArchiveLimits(max_members=200)))) == 120


def test_files_are_found_before_they_are_read(tmp_path: Path) -> None:
    archive = _nested(tmp_path / "export.zip", 2, 5, 10)
    found: list[int] = []
    items = expand([archive], None, found.append)
    first = next(items)
    assert isinstance(first, Source)
    assert found == [10]  # the whole tree was counted before the first file was handed out
    assert len([first, *items]) == 10
