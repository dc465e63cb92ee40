"""Safe XML parsing and the summary shared by the GPX and TCX parsers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise

from lxml import etree

from heelcoach.activities.model import (
    FOOT_SPORTS,
    Activity,
    ActivityFileError,
    NotAnActivityError,
    Record,
    SourceFormat,
    Sport,
    ascent_from_altitudes,
    aware,
    haversine_m,
    moving_time_s,
    summarise_records,
)

#: A recording gap longer than this counts as a pause when a file has no timer of its own.
PAUSE_GAP_S = 60.0


def safe_parser(*, recover: bool = False) -> etree.XMLParser:
    """An lxml parser that never fetches anything and never expands entities (no XXE, no bombs)."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, recover=recover, remove_comments=True
    )


def parse_xml(data: bytes, *, recover: bool = False) -> etree._Element:
    """The root element, or ActivityFileError naming the XML problem."""
    try:
        root = etree.fromstring(data.lstrip(b"\xef\xbb\xbf \t\r\n"), parser=safe_parser(recover=recover))
    except etree.XMLSyntaxError as exc:
        raise ActivityFileError(f"not well-formed XML ({exc})") from exc
    if root is None:
        raise ActivityFileError("not well-formed XML (no root element)")
    return root


_LOCAL: dict[object, str] = {}


def local(tag: object) -> str:
    """The tag without its namespace (or undeclared prefix, which a recovering parser keeps)."""
    name = _LOCAL.get(tag)
    if name is None:
        name = tag.rpartition("}")[2].rpartition(":")[2] if isinstance(tag, str) else ""
        if len(_LOCAL) < 10_000:  # tags are few; the cap only guards against hostile files
            _LOCAL[tag] = name
    return name


def parse_time(text: str | None) -> datetime | None:
    """An ISO 8601 timestamp as an aware datetime (naive ones are UTC), or None if unreadable."""
    if not text:
        return None
    try:
        return aware(datetime.fromisoformat(text.strip()))
    except ValueError:
        return None


def to_float(text: str | None) -> float | None:
    """A float, or None for missing or unreadable text."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value else None


def path_length_m(records: Sequence[Record]) -> float:
    """2-D length of the positions in ``records`` (haversine)."""
    total = 0.0
    prev: Record | None = None
    for rec in records:
        if rec.lat_deg is None or rec.lon_deg is None:
            continue
        if prev is not None:
            total += haversine_m(prev.lat_deg, prev.lon_deg, rec.lat_deg, rec.lon_deg)  # type: ignore[arg-type]
        prev = rec
    return total


def timer_from_gaps(records: Sequence[Record]) -> float:
    """Elapsed time minus gaps longer than PAUSE_GAP_S (for formats with no timer)."""
    times = [r.time for r in records if r.time is not None]
    total = 0.0
    for a, b in pairwise(times):
        dt = (b - a).total_seconds()
        if 0 < dt <= PAUSE_GAP_S:
            total += dt
    return total


def guess_sport(distance_m: float, moving_s: float | None) -> Sport | None:
    """A sport guessed from pace when the file does not say; None if no guess is safe."""
    if not moving_s or distance_m <= 0:
        return None
    speed = distance_m / moving_s
    if speed < 1.8:
        return "walking"
    if speed <= 6.0:
        return "running"
    return "cycling"


def per_leg_to_steps(records: list[Record]) -> list[Record]:
    """Records with cadence in steps/min, from cadence stored per leg (strides/min)."""
    return [
        Record(
            r.time,
            r.distance_m,
            r.speed_mps,
            r.heart_rate_bpm,
            r.cadence_spm * 2 if r.cadence_spm else r.cadence_spm,
            r.altitude_m,
            r.lat_deg,
            r.lon_deg,
        )
        for r in records
    ]


def _time_span(
    records: list[Record], start: datetime | None, warnings: list[str]
) -> tuple[list[Record], datetime, float]:
    """(records in time order, start, elapsed seconds) from the samples' times and the file's start."""
    timed = [r for r in records if r.time is not None]
    if not timed:
        if start is None:
            raise NotAnActivityError(
                "the track has no timestamps, so it cannot be placed on a calendar (a planned route?)"
            )
        warnings.append("the track has no timestamps; durations are unknown")
    times: list[datetime] = [r.time for r in timed if r.time is not None]
    first = min(times) if times else start
    last = max(times) if times else start
    assert first is not None
    assert last is not None
    if times and any(b < a for a, b in pairwise(times)):
        warnings.append("some samples go back in time; they were kept but ignored for durations")
        records = sorted(records, key=lambda r: (r.time is None, r.time or first))
    elapsed = (last - first).total_seconds()
    if start is None or (times and start > first):
        start = first
    else:
        elapsed = max(elapsed, (last - start).total_seconds())
    return records, start, elapsed


def _cadences(
    given: tuple[float | None, float | None], sport: Sport, stats: dict[str, float | None]
) -> tuple[float | None, float | None]:
    """(average, maximum) cadence: the file's own, else from the samples; None when not on foot."""
    if sport not in FOOT_SPORTS:
        return None, None
    avg_cad, max_cad = given
    if avg_cad is None:
        avg_cad = stats["avg_cadence_spm"]
    if max_cad is None:
        max_cad = stats["max_cadence_spm"]
    return avg_cad, max_cad


def build_activity(
    records: list[Record],
    *,
    sport: Sport,
    sport_detail: str,
    source_format: SourceFormat,
    source_path: str,
    source_sha256: str,
    distance_m: float | None,
    timer_s: float | None,
    start: datetime | None,
    with_records: bool,
    session_index: int = 0,
    hr: tuple[float | None, float | None] = (None, None),
    cadence_spm: tuple[float | None, float | None] = (None, None),
    warnings: list[str],
) -> Activity:
    """Assemble an activity from samples, preferring the file's own totals where it has them."""
    timed = any(r.time is not None for r in records)
    records, start, elapsed = _time_span(records, start, warnings)
    if distance_m is None:
        dists = [r.distance_m for r in records if r.distance_m is not None]
        distance_m = max(dists) if dists else path_length_m(records)
    if timer_s is None:
        timer_s = timer_from_gaps(records) if timed else 0.0
    if timer_s > elapsed + 1.0:
        warnings.append(
            f"timer time ({timer_s:.0f} s) is longer than elapsed time ({elapsed:.0f} s); capped at elapsed"
        )
        timer_s = elapsed
    stats = summarise_records(records)
    avg_cad, max_cad = _cadences(cadence_spm, sport, stats)
    alts = [r.altitude_m for r in records if r.altitude_m is not None]
    return Activity(
        sport=sport,
        start=start,
        distance_m=round(distance_m, 2),
        elapsed_s=round(elapsed, 3),
        timer_s=round(timer_s, 3),
        moving_s=moving_time_s(records),
        ascent_m=ascent_from_altitudes(alts) if sport != "treadmill" else None,
        avg_cadence_spm=avg_cad,
        max_cadence_spm=max_cad,
        avg_hr_bpm=hr[0] if hr[0] is not None else stats["avg_hr_bpm"],
        max_hr_bpm=hr[1] if hr[1] is not None else stats["max_hr_bpm"],
        source_path=source_path,
        source_sha256=source_sha256,
        source_format=source_format,
        session_index=session_index,
        sport_detail=sport_detail,
        records=tuple(records) if with_records else None,
    )
