"""GPX and TCX import against the values in ../shared/data/PROVENANCE.md."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from heelcoach.activities.gpx import parse_gpx
from heelcoach.activities.importer import ParsedFile
from heelcoach.activities.model import ActivityFileError, same_activity


def test_tcx_run_matches_fit(parse: Callable[..., ParsedFile]) -> None:
    [tcx] = parse("tcx/6782987395.tcx").activities
    [fit] = parse("fit/6782987395.fit").activities
    assert tcx.sport == "running"
    assert tcx.distance_m == pytest.approx(14004.85, rel=0.005)
    assert abs(tcx.elapsed_s - (3600 + 23 * 60 + 9)) <= 2
    assert abs(tcx.timer_s - fit.timer_s) <= 2
    assert tcx.avg_cadence_spm == pytest.approx(2 * 79, abs=2)
    assert tcx.max_cadence_spm == 2 * 111
    assert tcx.start == fit.start
    assert same_activity(tcx, fit)


def test_treadmill_tcx_without_positions(parse: Callable[..., ParsedFile]) -> None:
    [act] = parse("tcx/6860622783.tcx", with_records=True).activities
    assert act.records is not None
    assert len(act.records) == 3101
    assert all(r.lat_deg is None for r in act.records)
    assert act.sport == "treadmill"
    assert act.distance_m == pytest.approx(10630.37, rel=0.005)
    assert abs(act.timer_s - (51 * 60 + 38)) <= 2
    assert abs(act.elapsed_s - (3600 + 2 * 60 + 44)) <= 2
    assert act.moving_s == pytest.approx(48 * 60 + 43, rel=0.04)


def test_ski_tcx_is_cross_training(parse: Callable[..., ParsedFile]) -> None:
    [act] = parse("tcx/cross-country-skiing_activity_1.tcx").activities
    assert act.sport == "other"
    assert not act.is_running


def test_gpx_runs(parse: Callable[..., ParsedFile]) -> None:
    [short] = parse("gpx/2067489619.gpx", with_records=True).activities
    assert short.records is not None
    assert len(short.records) == 502
    assert short.distance_m == pytest.approx(4400, rel=0.01)  # 2-D track length
    assert short.sport == "running"
    [long] = parse("gpx/6782987395.gpx").activities
    assert long.distance_m == pytest.approx(14170, rel=0.01)
    assert long.ascent_m == pytest.approx(363, rel=0.1)
    assert abs(long.elapsed_s - (3600 + 23 * 60 + 9)) <= 2


def test_strava_gpx_with_undeclared_prefix(parse: Callable[..., ParsedFile]) -> None:
    parsed = parse("gpx/6037744996.gpx")
    assert parsed.status == "ok", parsed.problem
    [act] = parsed.activities
    assert act.distance_m == pytest.approx(5115, rel=0.01)
    assert abs(act.elapsed_s - (3600 + 7 * 60 + 19)) <= 2
    assert act.sport == "running"  # Strava's <type>9</type>
    assert act.avg_cadence_spm is not None  # read from the undeclared gpxdata: prefix
    assert any("leniently" in w for w in parsed.warnings)


@pytest.mark.parametrize(
    ("rel", "status"),
    [
        ("gpx/cerknicko-without-times.gpx", "not_activity"),
        ("gpx/unicode_with_bom.gpx", "not_activity"),
        ("gpx/track-with-empty-segment.gpx", "ok"),
        ("gpx/gpx1.0_with_all_fields.gpx", "ok"),
    ],
)
def test_gpx_edge_cases(parse: Callable[..., ParsedFile], rel: str, status: str) -> None:
    parsed = parse(rel)
    assert parsed.status == status
    if status != "ok":
        assert len(parsed.problem) > 20
    else:
        assert parsed.activities
        assert parsed.warnings  # the sport had to be guessed: say so


def test_fast_gpx_reader_matches_gpxpy_on_every_real_file(activities_dir: Path) -> None:
    files = sorted((activities_dir / "gpx").glob("*.gpx"))
    assert len(files) == 7
    for path in files:
        data = path.read_bytes()
        outcomes = []
        for fast in (True, False):
            try:
                result = parse_gpx(data, source_path="x", source_sha256="x", fast=fast, with_records=True)
                outcomes.append((result.activities, bool(result.warnings)))
            except ActivityFileError as exc:
                outcomes.append((type(exc).__name__, exc.problem))
        assert outcomes[0] == outcomes[1], path.name


def test_a_gpx_with_more_points_than_a_run_can_have_is_refused_while_streaming() -> None:
    from heelcoach.activities import gpx

    point = '<trkpt lat="46.0" lon="14.5"><time>2026-06-01T07:00:00Z</time></trkpt>'
    data = (
        '<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
        + point * 50
        + "</trkseg></trk></gpx>"
    ).encode()
    tracks, _kind = gpx._read_lxml(data, max_points=50)
    assert len(tracks[0]) == 50
    with pytest.raises(gpx.TooManyPointsError, match="more than 49 track points"):
        gpx._read_lxml(data, max_points=49)
