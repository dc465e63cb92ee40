"""Activity value types shared by the FIT, GPX and TCX parsers, with units in every name.

Moving time (``moving_s``) is computed the same way for every format from the per-record samples:
the sum of the intervals between consecutive samples that are at most ``MOVING_MAX_GAP_S`` apart and
whose speed (distance delta over time delta, or the recorded speed when there is no distance) is at
least ``MOVING_MIN_SPEED_MPS``. Intervals longer than the gap are pauses (auto-pause, a watch left
running at a traffic light). Garmin and Strava each use their own, undocumented rule, so expect a few
percent of difference from their "moving time".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Literal, NamedTuple

from heelcoach.domain.load import RUNNING_SPORTS as DOMAIN_RUNNING_SPORTS
from heelcoach.errors import InvalidInputError

Sport = Literal["running", "trail", "treadmill", "walking", "cycling", "other"]
SPORTS: tuple[Sport, ...] = ("running", "trail", "treadmill", "walking", "cycling", "other")
#: Sports whose load counts as running load (everything else is cross-training).
RUNNING_SPORTS: frozenset[str] = DOMAIN_RUNNING_SPORTS
#: Sports whose cadence is in steps (FIT and TCX store strides per leg for these).
FOOT_SPORTS: frozenset[str] = frozenset({"running", "trail", "treadmill", "walking"})

SourceFormat = Literal["fit", "gpx", "tcx"]

#: Moving-time rule (see the module docstring).
MOVING_MIN_SPEED_MPS = 0.3
MOVING_MAX_GAP_S = 30.0


class ActivityFileError(InvalidInputError):
    """A file that cannot be imported; ``problem`` says why in plain words."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class NotAnActivityError(ActivityFileError):
    """A readable file that holds no activity (settings, monitoring data, an empty track)."""


class Record(NamedTuple):
    """One sample of an activity. ``time`` is aware UTC, or None when the file has no clock.

    A named tuple rather than a frozen dataclass: an hour's run has thousands of samples, and a
    tuple is several times cheaper to build.
    """

    time: datetime | None
    distance_m: float | None = None
    speed_mps: float | None = None
    heart_rate_bpm: int | None = None
    cadence_spm: float | None = None
    altitude_m: float | None = None
    lat_deg: float | None = None
    lon_deg: float | None = None


@dataclass(frozen=True, slots=True)
class Activity:
    """One activity (one session of a multisport file), as imported.

    ``start`` is an aware datetime in the local time zone of the activity when the file records it,
    otherwise UTC. Durations are seconds; cadence is steps per minute (both feet).
    """

    sport: Sport
    start: datetime
    distance_m: float
    elapsed_s: float
    timer_s: float
    moving_s: float | None
    ascent_m: float | None
    avg_cadence_spm: float | None
    max_cadence_spm: float | None
    avg_hr_bpm: float | None
    max_hr_bpm: float | None
    source_path: str
    source_sha256: str
    source_format: SourceFormat
    session_index: int = 0
    sport_detail: str = ""
    records: tuple[Record, ...] | None = field(default=None, compare=False, repr=False)

    @property
    def is_running(self) -> bool:
        """True for road, trail and treadmill runs (running load); False for cross-training."""
        return self.sport in RUNNING_SPORTS

    @property
    def end(self) -> datetime:
        """Start plus elapsed time."""
        return self.start + timedelta(seconds=self.elapsed_s)

    def without_records(self) -> Activity:
        """The same activity without its samples (cheap to store and to send between processes)."""
        return replace(self, records=None)


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What a parser read from one file: its activities and warnings about what it had to repair."""

    activities: tuple[Activity, ...]
    warnings: tuple[str, ...] = ()


def aware(dt: datetime) -> datetime:
    """``dt`` as an aware datetime (naive values are taken as UTC)."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def offset_zone(offset_s: float) -> timezone:
    """A fixed-offset zone rounded to the quarter hour (time zones never use finer offsets)."""
    quarter = round(offset_s / 900.0) * 900
    if abs(quarter) >= 24 * 3600:
        return UTC
    return timezone(timedelta(seconds=quarter))


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points in degrees (mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371008.8 * math.asin(min(1.0, math.sqrt(a)))


def moving_time_s(records: Sequence[Record]) -> float | None:
    """Moving time by the rule of the module docstring; None without at least two timed samples."""
    total = 0.0
    prev: Record | None = None
    timed = 0
    for rec in records:
        if rec.time is None:
            continue
        timed += 1
        if prev is not None and prev.time is not None:
            dt = (rec.time - prev.time).total_seconds()
            if 0 < dt <= MOVING_MAX_GAP_S:
                if rec.distance_m is not None and prev.distance_m is not None:
                    speed = (rec.distance_m - prev.distance_m) / dt
                else:
                    speed = rec.speed_mps if rec.speed_mps is not None else 0.0
                if speed >= MOVING_MIN_SPEED_MPS:
                    total += dt
        prev = rec
    return total if timed >= 2 else None


def ascent_from_altitudes(altitudes: Sequence[float], threshold_m: float = 3.0) -> float | None:
    """Total climb with a hysteresis threshold, so that barometric or GPS noise does not add up."""
    if len(altitudes) < 2:
        return None
    total = 0.0
    anchor = altitudes[0]
    for alt in altitudes[1:]:
        if alt - anchor >= threshold_m:
            total += alt - anchor
            anchor = alt
        elif alt < anchor:
            anchor = alt
    return total


def summarise_records(records: Sequence[Record]) -> dict[str, float | None]:
    """Averages and maxima of heart rate and cadence over the samples that have them."""
    hrs = [r.heart_rate_bpm for r in records if r.heart_rate_bpm]
    cads = [r.cadence_spm for r in records if r.cadence_spm]
    return {
        "avg_hr_bpm": sum(hrs) / len(hrs) if hrs else None,
        "max_hr_bpm": float(max(hrs)) if hrs else None,
        "avg_cadence_spm": sum(cads) / len(cads) if cads else None,
        "max_cadence_spm": float(max(cads)) if cads else None,
    }


def same_activity(a: Activity, b: Activity, *, min_overlap: float = 0.8, distance_tol: float = 0.05) -> bool:
    """True when two activities are the same recording in different formats.

    They must overlap in time for at least ``min_overlap`` of the shorter one and their distances
    must agree within ``distance_tol`` (relative; GPX 2-D lengths differ from the watch's by 1-2%).
    Two short activities with no distance match on time alone.
    """
    start = max(a.start, b.start)
    end = min(a.end, b.end)
    overlap = (end - start).total_seconds()
    shorter = min(a.elapsed_s, b.elapsed_s)
    if shorter <= 0:
        if a.start != b.start:
            return False
    elif overlap < min_overlap * shorter:
        return False
    longer_m = max(a.distance_m, b.distance_m)
    if longer_m < 50:
        return True
    return abs(a.distance_m - b.distance_m) <= distance_tol * longer_m


#: Which copy to keep when the same activity arrives in several formats (FIT is the richest).
FORMAT_RANK: dict[str, int] = {"fit": 0, "tcx": 1, "gpx": 2}
