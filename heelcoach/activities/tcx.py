"""TCX (Garmin Training Center) -> activities; positions are optional (treadmill runs have none).

Timer time is the sum of the laps' TotalTimeSeconds and distance the sum of their DistanceMeters,
as the watch recorded them; cadence (RunCadence, per leg) is doubled to steps per minute.
"""

from __future__ import annotations

from typing import Any

from heelcoach.activities._xml import build_activity, local, parse_time, parse_xml, to_float
from heelcoach.activities.model import ActivityFileError, NotAnActivityError, ParseResult, Record, Sport

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


def parse_tcx(
    data: bytes, *, source_path: str, source_sha256: str, with_records: bool = False
) -> ParseResult:
    """Parse TCX bytes into one activity per <Activity>."""
    root = parse_xml(data)
    if local(root.tag) != "TrainingCenterDatabase":
        raise ActivityFileError(f"not a TCX file (the root element is <{local(root.tag)}>)")
    warnings: list[str] = []
    activities = []
    acts = [a for a in root.iter() if local(a.tag) == "Activity"]
    if not acts:
        raise NotAnActivityError("the TCX file holds no activity (a course or workout file?)")
    for index, act in enumerate(acts):
        sport_attr = (act.get("Sport") or "Other").strip()
        sport: Sport = TCX_SPORTS.get(sport_attr.lower(), "other")
        records: list[Record] = []
        has_position = False
        timer = distance = 0.0
        have_timer = have_distance = False
        start = None
        hr_sum = hr_weight = 0.0
        hr_max: float | None = None
        cad_sum = cad_weight = 0.0
        cad_max: float | None = None
        for lap in act:
            if local(lap.tag) != "Lap":
                continue
            lap_start = parse_time(lap.get("StartTime"))
            if lap_start is not None and (start is None or lap_start < start):
                start = lap_start
            lap_timer = to_float(_child_text(lap, "TotalTimeSeconds"))
            lap_dist = to_float(_child_text(lap, "DistanceMeters"))
            if lap_timer is not None:
                timer += lap_timer
                have_timer = True
            if lap_dist is not None:
                distance += lap_dist
                have_distance = True
            avg_hr = _value(lap, "AverageHeartRateBpm")
            max_hr = _value(lap, "MaximumHeartRateBpm")
            if avg_hr is not None and lap_timer:
                hr_sum += avg_hr * lap_timer
                hr_weight += lap_timer
            if max_hr is not None:
                hr_max = max(hr_max or 0.0, max_hr)
            ext = _child(lap, "Extensions")
            if ext is not None:
                for e in ext.iter():
                    ename = local(e.tag)
                    if ename == "AvgRunCadence" and lap_timer:
                        value = to_float(e.text)
                        if value is not None:
                            cad_sum += value * lap_timer
                            cad_weight += lap_timer
                    elif ename == "MaxRunCadence":
                        value = to_float(e.text)
                        if value is not None:
                            cad_max = max(cad_max or 0.0, value)
            for track in lap:
                if local(track.tag) != "Track":
                    continue
                for tp in track:
                    if local(tp.tag) == "Trackpoint":
                        rec, positioned = _trackpoint(tp)
                        records.append(rec)
                        has_position = has_position or positioned
        if not records and not have_timer:
            continue
        detail = sport_attr.lower()
        if sport == "running" and records and not has_position:
            sport = "treadmill"
            detail = "running/no_gps"
        foot = sport in ("running", "trail", "treadmill", "walking")
        if foot:
            records = [
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
        activities.append(
            build_activity(
                records,
                sport=sport,
                sport_detail=detail,
                source_format="tcx",
                source_path=source_path,
                source_sha256=source_sha256,
                distance_m=distance if have_distance else None,
                timer_s=timer if have_timer else None,
                start=start,
                with_records=with_records,
                session_index=index,
                warnings=warnings,
                hr=(round(hr_sum / hr_weight) if hr_weight else None, hr_max),
                cadence_spm=(
                    cad_sum / cad_weight * 2 if cad_weight and foot else None,
                    cad_max * 2 if cad_max is not None and foot else None,
                ),
            )
        )
    if not activities:
        raise NotAnActivityError("the TCX file's activities hold no laps or track points")
    return ParseResult(tuple(activities), tuple(warnings))
