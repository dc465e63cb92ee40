"""TCX (Garmin Training Center) -> activities; positions are optional (treadmill runs have none).

Timer time is the sum of the laps' TotalTimeSeconds and distance the sum of their DistanceMeters,
as the watch recorded them; cadence (RunCadence, per leg) is doubled to steps per minute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from heelcoach.activities._xml import (
    build_activity,
    local,
    parse_time,
    parse_xml,
    per_leg_to_steps,
    to_float,
)
from heelcoach.activities.model import (
    Activity,
    ActivityFileError,
    NotAnActivityError,
    ParseResult,
    Record,
    Sport,
)

TCX_SPORTS: dict[str, Sport] = {"running": "running", "biking": "cycling", "walking": "walking"}


def _child(el: Any, name: str) -> Any:
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def _child_text(el: Any, name: str) -> str | None:
    c = _child(el, name)
    return c.text if c is not None else None


def _value(el: Any, name: str) -> float | None:
    c = _child(el, name)
    return to_float(_child_text(c, "Value")) if c is not None else None


def _trackpoint(tp: Any) -> tuple[Record, bool]:
    when = lat = lon = alt = dist = hr = cad = speed = None
    for c in tp:
        name = local(c.tag)
        if name == "Time":
            when = parse_time(c.text)
        elif name == "Position":
            lat = to_float(_child_text(c, "LatitudeDegrees"))
            lon = to_float(_child_text(c, "LongitudeDegrees"))
        elif name == "AltitudeMeters":
            alt = to_float(c.text)
        elif name == "DistanceMeters":
            dist = to_float(c.text)
        elif name == "HeartRateBpm":
            hr = to_float(_child_text(c, "Value"))
        elif name == "Cadence":
            cad = to_float(c.text)
        elif name == "Extensions":
            for e in c.iter():
                ename = local(e.tag)
                if ename == "RunCadence":
                    cad = to_float(e.text)
                elif ename == "Speed":
                    speed = to_float(e.text)
    return Record(when, dist, speed, int(hr) if hr else None, cad, alt, lat, lon), lat is not None


@dataclass
class _Laps:
    """Totals over an activity's laps, and its track points, as the laps are read."""

    records: list[Record] = field(default_factory=list)
    has_position: bool = False
    timer: float = 0.0
    distance: float = 0.0
    have_timer: bool = False
    have_distance: bool = False
    start: datetime | None = None
    hr_sum: float = 0.0
    hr_weight: float = 0.0
    hr_max: float | None = None
    cad_sum: float = 0.0
    cad_weight: float = 0.0
    cad_max: float | None = None

    def add(self, lap: Any) -> None:
        """Add one <Lap>: its totals, heart rate, cadence and track points."""
        lap_start = parse_time(lap.get("StartTime"))
        if lap_start is not None and (self.start is None or lap_start < self.start):
            self.start = lap_start
        lap_timer = to_float(_child_text(lap, "TotalTimeSeconds"))
        lap_dist = to_float(_child_text(lap, "DistanceMeters"))
        if lap_timer is not None:
            self.timer += lap_timer
            self.have_timer = True
        if lap_dist is not None:
            self.distance += lap_dist
            self.have_distance = True
        avg_hr = _value(lap, "AverageHeartRateBpm")
        max_hr = _value(lap, "MaximumHeartRateBpm")
        if avg_hr is not None and lap_timer:
            self.hr_sum += avg_hr * lap_timer
            self.hr_weight += lap_timer
        if max_hr is not None:
            self.hr_max = max(self.hr_max or 0.0, max_hr)
        self._add_cadence(lap, lap_timer)
        for track in lap:
            if local(track.tag) != "Track":
                continue
            for tp in track:
                if local(tp.tag) == "Trackpoint":
                    rec, positioned = _trackpoint(tp)
                    self.records.append(rec)
                    self.has_position = self.has_position or positioned

    def _add_cadence(self, lap: Any, lap_timer: float | None) -> None:
        """Garmin's lap extensions: average and maximum running cadence (strides per leg)."""
        ext = _child(lap, "Extensions")
        if ext is None:
            return
        for e in ext.iter():
            ename = local(e.tag)
            if ename == "AvgRunCadence" and lap_timer:
                value = to_float(e.text)
                if value is not None:
                    self.cad_sum += value * lap_timer
                    self.cad_weight += lap_timer
            elif ename == "MaxRunCadence":
                value = to_float(e.text)
                if value is not None:
                    self.cad_max = max(self.cad_max or 0.0, value)


def _activity(
    act: Any, index: int, *, source: tuple[str, str], with_records: bool, warnings: list[str]
) -> Activity | None:
    """One <Activity>, or None when it holds no laps or track points."""
    sport_attr = (act.get("Sport") or "Other").strip()
    sport: Sport = TCX_SPORTS.get(sport_attr.lower(), "other")
    laps = _Laps()
    for lap in act:
        if local(lap.tag) == "Lap":
            laps.add(lap)
    records = laps.records
    if not records and not laps.have_timer:
        return None
    detail = sport_attr.lower()
    if sport == "running" and records and not laps.has_position:
        sport = "treadmill"
        detail = "running/no_gps"
    foot = sport in ("running", "trail", "treadmill", "walking")
    if foot:
        records = per_leg_to_steps(records)
    return build_activity(
        records,
        sport=sport,
        sport_detail=detail,
        source_format="tcx",
        source_path=source[0],
        source_sha256=source[1],
        distance_m=laps.distance if laps.have_distance else None,
        timer_s=laps.timer if laps.have_timer else None,
        start=laps.start,
        with_records=with_records,
        session_index=index,
        warnings=warnings,
        hr=(round(laps.hr_sum / laps.hr_weight) if laps.hr_weight else None, laps.hr_max),
        cadence_spm=(
            laps.cad_sum / laps.cad_weight * 2 if laps.cad_weight and foot else None,
            laps.cad_max * 2 if laps.cad_max is not None and foot else None,
        ),
    )


def parse_tcx(
    data: bytes, *, source_path: str, source_sha256: str, with_records: bool = False
) -> ParseResult:
    """Parse TCX bytes into one activity per <Activity>."""
    root = parse_xml(data)
    if local(root.tag) != "TrainingCenterDatabase":
        raise ActivityFileError(f"not a TCX file (the root element is <{local(root.tag)}>)")
    warnings: list[str] = []
    acts = [a for a in root.iter() if local(a.tag) == "Activity"]
    if not acts:
        raise NotAnActivityError("the TCX file holds no activity (a course or workout file?)")
    activities = []
    for index, act in enumerate(acts):
        activity = _activity(
            act, index, source=(source_path, source_sha256), with_records=with_records, warnings=warnings
        )
        if activity is not None:
            activities.append(activity)
    if not activities:
        raise NotAnActivityError("the TCX file's activities hold no laps or track points")
    return ParseResult(tuple(activities), tuple(warnings))
