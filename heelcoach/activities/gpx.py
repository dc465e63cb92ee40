"""GPX tracks -> activities, via gpxpy, with a recovering lxml reader for files gpxpy refuses.

Real Strava exports use namespace prefixes they never declare (``gpxdata:cadence``); strict parsers
refuse them, so the fallback reads the same elements by local name. GPX has no timer and no
distance of its own: distance is the 2-D (haversine) length of the track, and the timer is the
elapsed time minus recording gaps longer than a minute.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from heelcoach.activities._xml import (
    build_activity,
    guess_sport,
    local,
    parse_time,
    per_leg_to_steps,
    to_float,
)
from heelcoach.activities.model import (
    FOOT_SPORTS,
    ActivityFileError,
    NotAnActivityError,
    ParseResult,
    Record,
    Sport,
    haversine_m,
)

#: Sport names seen in GPX ``<type>`` (numbers are in :data:`GPX_NUMBERED_TYPES`).
GPX_TYPES: dict[str, Sport] = {
    "running": "running",
    "run": "running",
    "street_running": "running",
    "track_running": "running",
    "trail_running": "trail",
    "trail": "trail",
    "treadmill_running": "treadmill",
    "treadmill": "treadmill",
    "walking": "walking",
    "walk": "walking",
    "hiking": "walking",
    "hike": "walking",
    "cycling": "cycling",
    "biking": "cycling",
    "ride": "cycling",
    "road_biking": "cycling",
    "mountain_biking": "cycling",
}

#: Strava writes its activity type as a number in GPX ``<type>``: the sport and the words shown.
GPX_NUMBERED_TYPES: dict[str, tuple[Sport, str]] = {
    "1": ("cycling", "ride"),
    "4": ("walking", "hike"),
    "9": ("running", "run"),
    "10": ("walking", "walk"),
}


def gpx_sport(kind: str | None) -> tuple[Sport | None, str]:
    """The sport and its words for a GPX ``<type>``: ``("running", "run")`` for Strava's "9".

    A number heelcoach does not know, or no type at all, gives ``(None, "unknown")``: the sport is
    then guessed from the pace, and the number itself is never shown as a sport.
    """
    key = (kind or "").strip().lower()
    if key in GPX_NUMBERED_TYPES:
        return GPX_NUMBERED_TYPES[key]
    if not key or key.isdigit():
        return None, "unknown"
    return GPX_TYPES.get(key), key


Point = tuple[float | None, float | None, float | None, datetime | None, float | None, float | None]


def _ext_values(elements: Any) -> tuple[float | None, float | None]:
    hr = cad = None
    for ext in elements:
        for el in ext.iter():
            name = local(el.tag).lower()
            if name in ("hr", "heartrate"):
                hr = to_float(el.text)
            elif name in ("cad", "cadence", "runcadence"):
                cad = to_float(el.text)
    return hr, cad


def _read_gpxpy(text: str) -> tuple[list[list[Point]], str | None]:
    import gpxpy
    import gpxpy.gpx

    try:
        gpx = gpxpy.parse(text)
    except (gpxpy.gpx.GPXException, ValueError) as exc:
        raise _RefusedError(str(exc)) from exc
    tracks: list[list[Point]] = []
    kind = None
    for track in gpx.tracks:
        kind = kind or track.type
        points: list[Point] = []
        for seg in track.segments:
            for p in seg.points:
                hr, cad = _ext_values(p.extensions)
                when = (
                    p.time.astimezone(UTC)
                    if p.time and p.time.tzinfo
                    else (p.time.replace(tzinfo=UTC) if p.time else None)
                )
                points.append((p.latitude, p.longitude, p.elevation, when, hr, cad))
        tracks.append(points)
    return tracks, kind


class _RefusedError(Exception):
    """gpxpy refused the file; the recovering reader gets a chance."""


#: Track points read from one GPX file at most: a point a second for about 70 hours. Longer files
#: are refused with a message (a 100 MB file of points otherwise costs the server gigabytes).
MAX_TRACK_POINTS = 250_000


def _point_of(pt: Any) -> Point:
    ele = when = None
    exts = []
    for sub in pt:
        sub_name = local(sub.tag)
        if sub_name == "ele":
            ele = to_float(sub.text)
        elif sub_name == "time":
            when = parse_time(sub.text)
        elif sub_name == "extensions":
            exts.append(sub)
    hr, cad = _ext_values(exts)
    return (to_float(pt.get("lat")), to_float(pt.get("lon")), ele, when, hr, cad)


def _drop_done(elem: Any) -> None:
    """Free an element that has been read, and the siblings read before it (streaming)."""
    elem.clear(keep_tail=False)
    parent = elem.getparent()
    while parent is not None and elem.getprevious() is not None:
        del parent[0]


class TooManyPointsError(ActivityFileError):
    """A GPX file with more track points than one run can have (refused, never retried leniently)."""


class _Tracks:
    """The tracks of a GPX file, filled while the XML streams past."""

    def __init__(self, max_points: int) -> None:
        self.tracks: list[list[Point]] = []
        self.kind: str | None = None
        self.points: list[Point] = []
        self.count = 0
        self.max_points = max_points

    def end(self, elem: Any) -> None:
        name = local(elem.tag)
        if name == "trkpt":
            self.count += 1
            if self.count > self.max_points:
                raise TooManyPointsError(
                    f"more than {self.max_points:,} track points (about {self.max_points // 3600} hours "
                    "at a point a second): too long for one run; split the file or export the runs one by one"
                )
            self.points.append(_point_of(elem))
            _drop_done(elem)
        elif name == "type" and local(elem.getparent().tag) == "trk" and not self.kind:
            self.kind = (elem.text or "").strip()
        elif name == "trk":
            self.tracks.append(self.points)
            self.points = []
            _drop_done(elem)


def _read_lxml(
    data: bytes, *, recover: bool = True, max_points: int = MAX_TRACK_POINTS
) -> tuple[list[list[Point]], str | None]:
    """Stream the file (iterparse), keeping only the points: memory grows with the points, not the XML."""
    from lxml import etree

    found = _Tracks(max_points)
    events = etree.iterparse(
        io.BytesIO(data.lstrip(b"\xef\xbb\xbf \t\r\n")),
        events=("start", "end"),
        recover=recover,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
    )
    try:
        for event, elem in events:
            if event == "start":
                if elem.getparent() is None and local(elem.tag) != "gpx":
                    raise ActivityFileError(f"not a GPX file (the root element is <{local(elem.tag)}>)")
                continue
            found.end(elem)
    except etree.XMLSyntaxError as exc:
        raise ActivityFileError(f"not well-formed XML ({exc})") from exc
    return found.tracks, found.kind


def _read_tracks(data: bytes, fast: bool, warnings: list[str]) -> tuple[list[list[Point]], str | None]:
    """The tracks' points and the file's activity kind; a file a strict parser refuses is read
    again leniently, with a warning."""
    try:
        if fast:
            try:
                return _read_lxml(data, recover=False)
            except TooManyPointsError:
                raise
            except ActivityFileError as exc:
                raise _RefusedError(exc.problem) from exc
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        return _read_gpxpy(text)
    except _RefusedError as exc:
        tracks, kind = _read_lxml(data)
        warnings.append(f"the file is not strictly valid GPX ({str(exc)[:120]}); read it leniently")
        return tracks, kind


def _track_records(points: list[Point]) -> tuple[list[Record], float]:
    """A track's records, with the distance along it (metres) so far in each."""
    records: list[Record] = []
    dist = 0.0
    prev: Point | None = None
    for point in points:
        lat, lon, ele, when, hr, cad = point
        if prev is not None and None not in (lat, lon, prev[0], prev[1]):
            dist += haversine_m(prev[0], prev[1], lat, lon)  # type: ignore[arg-type]
        prev = point
        records.append(Record(when, dist, None, int(hr) if hr else None, cad, ele, lat, lon))
    return records, dist


def _track_sport(
    kind: str | None, dist: float, records: list[Record], warnings: list[str]
) -> tuple[Sport, str]:
    """The sport the file says, else one guessed from the pace (with a warning)."""
    sport, detail = gpx_sport(kind)
    if sport is None:
        from heelcoach.activities.model import moving_time_s

        guessed = guess_sport(dist, moving_time_s(records))
        sport = guessed or "other"
        said = f"only the number {kind.strip()}" if kind and kind.strip().isdigit() else f"'{kind or ''}'"
        warnings.append(
            f"the file does not say which sport this is ({said}); treated as {sport} from its pace"
        )
    return sport, detail


def parse_gpx(
    data: bytes, *, source_path: str, source_sha256: str, with_records: bool = False, fast: bool = True
) -> ParseResult:
    """Parse GPX bytes into one activity per track that has points.

    ``fast`` reads the points with lxml directly (6-10x faster than gpxpy on long tracks; tests check
    that both give the same points on every real GPX file); ``fast=False`` uses gpxpy. Either way a
    file a strict parser refuses is read again leniently, with a warning.
    """
    warnings: list[str] = []
    tracks, kind = _read_tracks(data, fast, warnings)
    tracks = [t for t in tracks if t]
    if not tracks:
        raise NotAnActivityError("the GPX file holds no track points (a route or waypoints only?)")
    activities = []
    for index, points in enumerate(tracks):
        records, dist = _track_records(points)
        sport, detail = _track_sport(kind, dist, records, warnings)
        if sport in FOOT_SPORTS:  # GPX cadence from Garmin and Strava is per leg, like FIT
            records = per_leg_to_steps(records)
        activities.append(
            build_activity(
                records,
                sport=sport,
                sport_detail=detail,
                source_format="gpx",
                source_path=source_path,
                source_sha256=source_sha256,
                distance_m=dist,
                timer_s=None,
                start=None,
                with_records=with_records,
                session_index=index,
                warnings=warnings,
            )
        )
    return ParseResult(tuple(activities), tuple(warnings))
