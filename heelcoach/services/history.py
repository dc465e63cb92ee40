"""What the charts read over time: running by week over the whole imported history (watch files,
else the km logged in check-ins), single-run spikes, the plan's cap, and exercise adherence by day.

Usage::

    hist = running_history(ctx, person_id, today)
    hist.weeks, hist.spikes, hist.cap_km
    days = adherence_days(ctx, person_id, today, weeks=6)
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from heelcoach.activities.archive import Source, expand, read_source
from heelcoach.activities.importer import parse_bytes
from heelcoach.activities.model import Activity, Record
from heelcoach.domain import load as load_mod
from heelcoach.domain.plan import WEEKDAYS, Plan, plan_from_dict
from heelcoach.services.blobs import DatabaseBlobStore
from heelcoach.services.context import AppContext
from heelcoach.services.imports import list_runs
from heelcoach.services.units import unit_for
from heelcoach.store.base import transaction
from heelcoach.store.repositories import CheckInRecord, PlanVersionRecord, Repos

#: The longest history drawn by week (twenty years); older runs are left off and the page says so.
MAX_WEEKS = 1040


@dataclass(frozen=True, slots=True)
class WeekKm:
    """One calendar week of running: km, where they come from, and its longest-run spike if any."""

    week_start: date
    km: float
    source: str  # "watch" | "check-ins" | ""
    spike: str = ""
    runs: int = 0
    longest_km: float | None = None


@dataclass(frozen=True, slots=True)
class RunningHistory:
    """Weekly running from the first run (or check-in km) to today, with the plan's weekly cap."""

    weeks: tuple[WeekKm, ...]
    spikes: tuple[load_mod.SpikeFinding, ...]
    cap_km: float | None
    truncated_before: date | None = None


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _checkin_km(checkins: Sequence[CheckInRecord]) -> dict[date, float]:
    km: dict[date, float] = {}
    for c in checkins:
        if c.run_km:
            km[_monday(c.day)] = km.get(_monday(c.day), 0.0) + float(c.run_km)
    return km


def running_history(ctx: AppContext, person_id: int, today: date) -> RunningHistory:
    """Every week from the first running data to this week; a week with watch runs counts those,
    a week without them counts the km logged in check-ins (never both, so nothing is counted twice)."""
    acts = list_runs(ctx, person_id, None, today)
    loads = [load_mod.ActivityLoad(a.start, a.sport, a.distance_m, a.timer_s) for a in acts]
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        checkins = repos.checkins.between(person_id, None, today)
        plan_record = repos.plans.latest(person_id)
    from_checkins = _checkin_km(checkins)
    firsts = [_monday(a.start.date()) for a in acts if a.is_running] + list(from_checkins)
    cap = _cap(plan_record)
    if not firsts:
        return RunningHistory((), (), cap)
    this_monday = _monday(today)
    first = min(firsts)
    truncated = None
    if (this_monday - first).days // 7 + 1 > MAX_WEEKS:
        first = this_monday - timedelta(weeks=MAX_WEEKS - 1)
        truncated = first
    count = (this_monday - first).days // 7 + 1
    table = load_mod.weekly_table(loads, today, count) if loads else []
    watch = {row.week_start: row for row in table}
    unit = unit_for(ctx, person_id)
    spikes = [sp for sp in load_mod.spike_findings(loads, ctx.catalogue.load, unit) if sp.day >= first]
    spike_words = {_monday(sp.day): sp.summary for sp in spikes}
    weeks = []
    for k in range(count):
        start = first + timedelta(weeks=k)
        row = watch.get(start)
        if row is not None and row.runs:
            weeks.append(
                WeekKm(
                    start,
                    round(row.run_km, 1),
                    "watch",
                    spike_words.get(start, ""),
                    row.runs,
                    round(row.longest_run_km, 1),
                )
            )
        elif start in from_checkins:
            weeks.append(WeekKm(start, round(from_checkins[start], 1), "check-ins"))
        else:
            weeks.append(WeekKm(start, 0.0, ""))
    return RunningHistory(tuple(weeks), tuple(spikes), cap, truncated)


def _cap(record: PlanVersionRecord | None) -> float | None:
    if record is None:
        return None
    return plan_from_dict(record.plan).run.weekly_km_cap


@dataclass(frozen=True, slots=True)
class DayAdherence:
    """One day: exercises the plan in force that day asked for, and how many were ticked."""

    day: date
    planned: int
    done: int
    checked_in: bool


def _planned(plan: Plan, day: date) -> set[str]:
    weekday = WEEKDAYS[day.weekday()]
    return {i.ref_id for i in plan.items if i.kind == "exercise" and not i.optional and weekday in i.days}


def adherence_days(ctx: AppContext, person_id: int, today: date, weeks: int = 6) -> list[DayAdherence]:
    """Each day of the last ``weeks`` calendar weeks that a plan covered, oldest first."""
    start = _monday(today) - timedelta(weeks=weeks - 1)
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        versions = repos.plans.history(person_id)
        checkins = {c.day: c for c in repos.checkins.between(person_id, start, today)}
    plans = sorted(((v.starts_on, plan_from_dict(v.plan)) for v in versions), key=lambda p: p[0])
    out: list[DayAdherence] = []
    day = max(start, plans[0][0]) if plans else today + timedelta(days=1)
    while day <= today:
        plan = next(p for since, p in reversed(plans) if since <= day) if plans[0][0] <= day else None
        planned = _planned(plan, day) if plan else set()
        c = checkins.get(day)
        done = len(planned & set(c.done_items)) if c else 0
        out.append(DayAdherence(day, len(planned), done, c is not None))
        day += timedelta(days=1)
    return out


# --------------------------------------------------------------------------------------------
# one run's detail, read again from its watch file

#: Points drawn per series (an hour's run has thousands of samples).
DETAIL_POINTS = 150
#: Bigger files than this are not read again for a chart.
DETAIL_MAX_BYTES = 64 * 1024 * 1024
#: Slower than this (min/km) is standing or walking: left out of the pace line.
SLOWEST_PACE_MIN_PER_KM = 20.0


@dataclass(frozen=True, slots=True)
class RunDetail:
    """A run's samples bucketed along the run: distance (km) with pace, heart rate and cadence."""

    activity: Activity | None
    distance_km: tuple[float, ...] = ()
    pace_min_per_km: tuple[float | None, ...] = ()
    heart_rate_bpm: tuple[float | None, ...] = ()
    cadence_spm: tuple[float | None, ...] = ()
    problem: str = ""


def _mean(values: Sequence[float | None]) -> float | None:
    real = [v for v in values if v is not None]
    return sum(real) / len(real) if real else None


def _bucket(
    records: Sequence[Record],
) -> tuple[list[float], list[float | None], list[float | None], list[float | None]]:
    start = records[0].time
    n = len(records)
    size = max(1, -(-n // DETAIL_POINTS))
    km, pace, hr, cadence = [], [], [], []
    for k in range(0, n, size):
        chunk = records[k : k + size]
        last = chunk[-1]
        km.append(round((last.distance_m or 0.0) / 1000, 3))
        speeds = [r.speed_mps for r in chunk if r.speed_mps]
        speed = _mean(speeds) if speeds else None
        if speed is None and k + size < n and chunk[0].distance_m is not None and start is not None:
            end = records[min(k + size, n - 1)]
            if end.time and chunk[0].time and end.distance_m is not None:
                secs = (end.time - chunk[0].time).total_seconds()
                speed = (end.distance_m - chunk[0].distance_m) / secs if secs > 0 else None
        minutes = 1000 / speed / 60 if speed else None
        pace.append(round(minutes, 2) if minutes and minutes <= SLOWEST_PACE_MIN_PER_KM else None)
        hr.append(_mean([float(r.heart_rate_bpm) if r.heart_rate_bpm else None for r in chunk]))
        cadence.append(_mean([r.cadence_spm or None for r in chunk]))
    return km, pace, hr, cadence


def _read_activity(act: Activity) -> Activity | str:
    """The activity with its samples from its file, or what stops that (for the runner)."""
    sources = [s for s in expand([Path(act.source_path.split("!", 1)[0])]) if isinstance(s, Source)]
    src = next((s for s in sources if s.display == act.source_path), None)
    if src is None:
        return "The watch file is no longer where it was imported from, so its detail cannot be drawn."
    if src.member is None and Path(src.path).stat().st_size > DETAIL_MAX_BYTES:
        return "The watch file is too large to draw here."
    data = read_source(src)
    if hashlib.sha256(data).hexdigest() != act.source_sha256:
        return "The watch file has changed since it was imported; import it again to see its detail."
    parsed = parse_bytes(data, src.display, src.name, with_records=True)
    found = next((a for a in parsed.activities if a.session_index == act.session_index), None)
    if found is None or not found.records:
        return "The watch file holds no samples for this run (only its summary)."
    return found


def _local_source(ctx: AppContext, person_id: int, act: Activity) -> Activity:
    """The run, naming a copy of its watch file here when a worker elsewhere imported it."""
    root = act.source_path.split("!", 1)[0]
    if Path(root).exists():
        return act
    cache = Path(ctx.settings.data_dir) / "uploads" / f"person-{person_id}" / "from-db"
    local = DatabaseBlobStore(ctx).local_copy(person_id, root, cache)
    return act if local is None else replace(act, source_path=str(local) + act.source_path[len(root) :])


def run_detail(ctx: AppContext, person_id: int, sha256: str, session_index: int) -> RunDetail:
    """The run's pace, heart rate and cadence along its distance, read from its watch file."""
    act = next(
        (
            a
            for a in list_runs(ctx, person_id)
            if a.source_sha256 == sha256 and a.session_index == session_index
        ),
        None,
    )
    if act is None:
        return RunDetail(None, problem="No such run among your imported runs.")
    try:
        found = _read_activity(_local_source(ctx, person_id, act))
    except OSError:
        found = "The watch file could not be read again; import it again to see its detail."
    if isinstance(found, str):
        return RunDetail(act, problem=found)
    records = [r for r in found.records or () if r.time is not None]
    if len(records) < 2:
        return RunDetail(act, problem="The watch file has too few timed samples to draw.")
    km, pace, hr, cadence = _bucket(records)
    return RunDetail(act, tuple(km), tuple(pace), tuple(hr), tuple(cadence))
