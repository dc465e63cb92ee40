"""Training load from activity summaries: weekly table, single-run spikes, ACWR, monotony, caps.

Pure functions of values: pass the activities, ``today`` and the catalogue's load rules. Running
(road, trail, treadmill) is running load; every other sport counts separately as cross-training.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from heelcoach.domain.types import DriverEvidence, LoadSnapshot, SpikeBand
from heelcoach.domain.units import DistanceUnit, distance
from heelcoach.knowledge.schema_load import LoadRules
from heelcoach.knowledge.schema_load import SpikeBand as SpikeBandRule

#: Sports whose distance is running load.
RUNNING_SPORTS: frozenset[str] = frozenset({"running", "trail", "treadmill"})


@dataclass(frozen=True, slots=True)
class ActivityLoad:
    """What load metrics need from one activity. ``start`` is aware, in the activity's local time."""

    start: datetime
    sport: str
    distance_m: float
    duration_s: float

    @property
    def day(self) -> date:
        """The local calendar day the activity started on."""
        return self.start.date()

    @property
    def is_running(self) -> bool:
        """True for running load; False for cross-training."""
        return self.sport in RUNNING_SPORTS

    @property
    def km(self) -> float:
        """Distance in km."""
        return self.distance_m / 1000.0


@dataclass(frozen=True, slots=True, kw_only=True)
class DayLoad:
    """One day's totals."""

    day: date
    run_km: float
    run_s: float
    runs: int
    cross_s: float


@dataclass(frozen=True, slots=True, kw_only=True)
class WeekRow:
    """One calendar week (Monday to Sunday) of load; ``change_pct`` is against the week before."""

    week_start: date
    run_km: float
    run_s: float
    runs: int
    longest_run_km: float
    cross_s: float
    cross_sessions: int
    change_pct: float | None
    partial: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class SpikeFinding:
    """A run longer than the longest run of the window before it (Frandsen 2025 bands)."""

    day: date
    start: datetime
    run_km: float
    previous_longest_km: float
    increase_pct: float
    band: SpikeBand
    hazard_ratio: float
    summary: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AcwrValues:
    """Acute:chronic ratios of running distance, with the caveat that must travel with them."""

    acute_km: float
    chronic_weekly_km: float
    coupled: float | None
    uncoupled: float | None
    ewma: float | None
    caveat: str
    grade: str


@dataclass(frozen=True, slots=True)
class MonotonyStrain:
    """Foster's monotony and strain over the last week, on running minutes per day."""

    weekly_load_min: float
    monotony: float | None
    strain: float | None


@dataclass(frozen=True, slots=True)
class RunCaps:
    """Caps for the next long run and the next week, from the person's own history."""

    next_long_run_max_km: float | None
    weekly_max_km: float | None
    why: str


def daily_loads(activities: Iterable[ActivityLoad], start: date, end: date) -> list[DayLoad]:
    """One row per day from ``start`` to ``end`` inclusive (days without activity are zeros)."""
    days = (end - start).days + 1
    run_km = [0.0] * max(days, 0)
    run_s = [0.0] * max(days, 0)
    runs = [0] * max(days, 0)
    cross = [0.0] * max(days, 0)
    for act in activities:
        i = (act.day - start).days
        if not 0 <= i < days:
            continue
        if act.is_running:
            run_km[i] += act.km
            run_s[i] += act.duration_s
            runs[i] += 1
        else:
            cross[i] += act.duration_s
    return [
        DayLoad(
            day=start + timedelta(days=i), run_km=run_km[i], run_s=run_s[i], runs=runs[i], cross_s=cross[i]
        )
        for i in range(max(days, 0))
    ]


def weekly_table(activities: Sequence[ActivityLoad], today: date, weeks: int = 8) -> list[WeekRow]:
    """The last ``weeks`` calendar weeks up to ``today`` (oldest first); the current one is partial."""
    this_monday = today - timedelta(days=today.weekday())
    first = this_monday - timedelta(weeks=weeks)  # one extra week, for the first change
    days = daily_loads(activities, first, today)
    rows: list[WeekRow] = []
    previous_km: float | None = None
    for w in range(weeks + 1):
        monday = first + timedelta(weeks=w)
        chunk = [d for d in days if monday <= d.day < monday + timedelta(days=7)]
        km = sum(d.run_km for d in chunk)
        longest = max(
            (a.km for a in activities if a.is_running and monday <= a.day < monday + timedelta(days=7)),
            default=0.0,
        )
        cross_n = sum(
            1 for a in activities if not a.is_running and monday <= a.day < monday + timedelta(days=7)
        )
        change = None
        if previous_km is not None and previous_km > 0:
            change = (km - previous_km) / previous_km * 100.0
        if w > 0:
            rows.append(
                WeekRow(
                    week_start=monday,
                    run_km=round(km, 3),
                    run_s=sum(d.run_s for d in chunk),
                    runs=sum(d.runs for d in chunk),
                    longest_run_km=round(longest, 3),
                    cross_s=sum(d.cross_s for d in chunk),
                    cross_sessions=cross_n,
                    change_pct=round(change, 1) if change is not None else None,
                    partial=monday == this_monday,
                )
            )
        previous_km = km
    return rows


def _band(increase_pct: float, rules: LoadRules) -> SpikeBandRule | None:
    """The spike band (Frandsen 2025) an increase over the longest recent run falls in, if any."""
    for band in rules.single_run_spike.bands:
        if increase_pct > band.min_pct and (band.max_pct is None or increase_pct <= band.max_pct):
            return band
    return None


def spike_findings(
    activities: Sequence[ActivityLoad], rules: LoadRules, unit: DistanceUnit = DistanceUnit.KM
) -> list[SpikeFinding]:
    """Every run longer (beyond the first band) than the longest run of the window before it
    (the summary's distances in ``unit``).

    A run with no run in the window before it has no reference and gives no finding (a first run
    after a long break is a return to running, handled by the plan, not a spike).
    """
    window = timedelta(days=rules.single_run_spike.window_days)
    runs = sorted((a for a in activities if a.is_running and a.distance_m > 0), key=lambda a: a.start)
    out: list[SpikeFinding] = []
    for i, run in enumerate(runs):
        before = [r.km for r in runs[:i] if run.start - window <= r.start < run.start]
        if not before:
            continue
        longest = max(before)
        if longest <= 0:
            continue
        pct = (run.km - longest) / longest * 100.0
        band = _band(pct, rules)
        if band is None:
            continue
        out.append(
            SpikeFinding(
                day=run.day,
                start=run.start,
                run_km=round(run.km, 3),
                previous_longest_km=round(longest, 3),
                increase_pct=round(pct, 1),
                band=band.id,
                hazard_ratio=band.hazard_ratio,
                summary=f"{run.day.isoformat()}: {distance(run.km, unit, trim=False)}, {pct:.0f}% longer "
                f"than your longest run of the {rules.single_run_spike.window_days} days before "
                f"({distance(longest, unit, trim=False)}): {band.plain}",
            )
        )
    return out


def acwr(activities: Sequence[ActivityLoad], today: date, rules: LoadRules) -> AcwrValues:
    """Coupled, uncoupled and EWMA acute:chronic ratios of running km (weak evidence: see caveat)."""
    a_days, c_days = rules.acwr.acute_days, rules.acwr.chronic_days
    days = daily_loads(activities, today - timedelta(days=c_days - 1), today)
    km = [d.run_km for d in days]
    acute = sum(km[-a_days:])
    chronic_total = sum(km)
    per_acute = c_days / a_days
    chronic_weekly = chronic_total / per_acute
    coupled = acute / chronic_weekly if chronic_weekly > 0 else None
    older = km[:-a_days]
    older_weekly = sum(older) / (len(older) / a_days) if older else 0.0
    uncoupled = acute / older_weekly if older_weekly > 0 else None
    # EWMA over a longer history so that the chronic average has warmed up.
    hist = daily_loads(activities, today - timedelta(days=3 * c_days - 1), today)
    lam_a, lam_c = 2.0 / (a_days + 1), 2.0 / (c_days + 1)
    ea = ec = 0.0
    for d in hist:
        ea = lam_a * d.run_km + (1 - lam_a) * ea
        ec = lam_c * d.run_km + (1 - lam_c) * ec
    ewma = ea / ec if ec > 1e-9 else None
    return AcwrValues(
        acute_km=round(acute, 3),
        chronic_weekly_km=round(chronic_weekly, 3),
        coupled=round(coupled, 3) if coupled is not None else None,
        uncoupled=round(uncoupled, 3) if uncoupled is not None else None,
        ewma=round(ewma, 3) if ewma is not None else None,
        caveat=rules.acwr.caveat.strip(),
        grade=rules.acwr.grade,
    )


def monotony_strain(activities: Sequence[ActivityLoad], today: date, rules: LoadRules) -> MonotonyStrain:
    """Monotony (mean/SD of daily running minutes over the week) and strain (weekly x monotony)."""
    n = rules.monotony.window_days
    minutes = [d.run_s / 60.0 for d in daily_loads(activities, today - timedelta(days=n - 1), today)]
    total = sum(minutes)
    mean = total / n
    sd = math.sqrt(sum((m - mean) ** 2 for m in minutes) / n)
    if total <= 0 or sd <= 1e-9:
        return MonotonyStrain(round(total, 1), None, None)
    mono = mean / sd
    return MonotonyStrain(round(total, 1), round(mono, 3), round(total * mono, 1))


_BAND_ORDER: dict[str, int] = {"none": 0, "10_30": 1, "30_100": 2, "over_100": 3}


def load_snapshot(activities: Sequence[ActivityLoad], today: date, rules: LoadRules) -> LoadSnapshot:
    """What the plan needs: last 7 days, 4-week average, longest run of the window, recent spike."""
    week = [a for a in activities if a.is_running and today - timedelta(days=6) <= a.day <= today]
    chronic_days = rules.acwr.chronic_days
    chronic = sum(
        a.km
        for a in activities
        if a.is_running and today - timedelta(days=chronic_days - 1) <= a.day <= today
    ) / (chronic_days / 7.0)
    window = rules.single_run_spike.window_days
    longest = max(
        (a.km for a in activities if a.is_running and today - timedelta(days=window - 1) <= a.day <= today),
        default=0.0,
    )
    recent_from = today - timedelta(days=rules.single_run_spike.recent_days - 1)
    recent = [s for s in spike_findings(activities, rules) if recent_from <= s.day <= today]
    worst = max(recent, key=lambda s: (_BAND_ORDER[s.band], s.increase_pct), default=None)
    return LoadSnapshot(
        as_of=today,
        weekly_run_km=round(sum(a.km for a in week), 3),
        chronic_weekly_run_km=round(chronic, 3),
        longest_run_30d_km=round(longest, 3),
        runs_last_7d=len(week),
        spike_band=worst.band if worst else "none",
        spike_run_km=worst.run_km if worst else None,
    )


def load_evidence(activities: Sequence[ActivityLoad], today: date, rules: LoadRules) -> list[DriverEvidence]:
    """Evidence for the ``load_spike`` driver: a recent single-run spike and a big weekly jump."""
    out: list[DriverEvidence] = []
    snap = load_snapshot(activities, today, rules)
    if snap.spike_band != "none":
        band = rules.band(snap.spike_band)
        assert band is not None
        recent = [
            s
            for s in spike_findings(activities, rules)
            if s.band == snap.spike_band and s.run_km == snap.spike_run_km
        ]
        out.append(
            DriverEvidence(
                "load_spike",
                band.evidence_weight,
                "activities",
                "single_run_spike",
                recent[-1].summary if recent else band.plain,
                value=recent[-1].increase_pct if recent else None,
                unit="%",
            )
        )
    weeks = weekly_table(activities, today, weeks=2)
    rule = rules.weekly_change
    # Compare the last two complete 7-day blocks ending today, so a partial week is not a drop.
    last7 = sum(a.km for a in activities if a.is_running and today - timedelta(days=6) <= a.day <= today)
    prev7 = sum(
        a.km
        for a in activities
        if a.is_running and today - timedelta(days=13) <= a.day <= today - timedelta(days=7)
    )
    if weeks and prev7 >= rule.min_previous_km:
        change = (last7 - prev7) / prev7 * 100.0
        if change > rule.threshold_pct:
            out.append(
                DriverEvidence(
                    "load_spike",
                    rule.evidence_weight,
                    "activities",
                    "weekly_change",
                    f"{rule.plain}: {prev7:.1f} km to {last7:.1f} km in the last 7 days (+{change:.0f}%)",
                    value=round(change, 1),
                    unit="%",
                )
            )
    return out


def run_caps(snapshot: LoadSnapshot, rules: LoadRules, unit: DistanceUnit = DistanceUnit.KM) -> RunCaps:
    """Caps for the next long run and next week's distance from the person's own recent history
    (the why's distances in ``unit``)."""
    caps = rules.run_caps
    long_cap = (
        round(snapshot.longest_run_30d_km * (1 + caps.long_run_increase_pct / 100.0), 1)
        if snapshot.longest_run_30d_km > 0
        else None
    )
    base = snapshot.chronic_weekly_run_km
    if snapshot.spike_band != "none":
        base = min(base, snapshot.weekly_run_km) if snapshot.weekly_run_km > 0 else base
    week_cap = round(base * (1 + caps.weekly_increase_pct / 100.0), 1) if base > 0 else None
    why = caps.plain
    if long_cap is not None:
        why = (
            f"Your longest run of the last {rules.single_run_spike.window_days} days was "
            f"{distance(snapshot.longest_run_30d_km, unit, trim=False)}, so keep the next long run at or "
            f"under {distance(long_cap, unit, trim=False)}."
        )
        # the two caps must agree: a week always has room for the long run it allows (a quiet
        # recent month, e.g. after older runs were imported, would otherwise give a smaller week)
        if week_cap is None or week_cap < long_cap:
            week_cap = long_cap
    return RunCaps(long_cap, week_cap, why)
