"""One runner's stored record as the hand-over report and its FHIR bundle read it.

Both outputs are pure mappings of this value: the intake with its triage, plan versions, check-ins,
outcome questionnaires, gait reports (newest first) with their key frames, weekly running with the
cap of the plan in force that week, and adherence per exercise over the last weeks.

Usage::

    record = gather(ctx, person_id, today=date.today())
    record.adherence[0].done_days, record.load[-1].km
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from heelcoach.domain.plan import WEEKDAYS, Plan, plan_from_dict
from heelcoach.domain.units import DistanceUnit
from heelcoach.errors import NotFoundError
from heelcoach.services import history
from heelcoach.services.blobs import GAIT_PICTURE, PICTURE_PREFIX, DatabaseBlobStore
from heelcoach.services.context import AppContext
from heelcoach.store.base import transaction
from heelcoach.store.gait_reports import GaitReportRecord, GaitReports
from heelcoach.store.preferences import Preferences
from heelcoach.store.repositories import (
    CheckInRecord,
    IntakeRecord,
    OutcomeRecord,
    PersonRecord,
    PlanVersionRecord,
    Repos,
)

#: Calendar weeks of adherence per exercise the report counts (this week and the ones before).
ADHERENCE_WEEKS = 4
#: Calendar weeks of running the report shows (older weeks are summed in one line).
LOAD_WEEKS = 12
#: Gait reports the report lists (the newest one in full, with its pictures).
GAIT_REPORTS = 5


@dataclass(frozen=True, slots=True)
class ItemAdherence:
    """One exercise of the plan: on how many days it was planned, and on how many ticked done."""

    ref_id: str
    title: str
    planned_days: int
    done_days: int

    @property
    def pct(self) -> int | None:
        """Done days as a whole percentage of planned days (None when nothing was planned)."""
        return round(100 * self.done_days / self.planned_days) if self.planned_days else None


@dataclass(frozen=True, slots=True)
class LoadWeek:
    """One calendar week of running with the weekly cap of the plan in force that week."""

    week_start: date
    km: float
    cap_km: float | None
    source: str
    runs: int
    spike: str

    @property
    def over_cap(self) -> bool:
        """More km than the plan allowed that week."""
        return self.cap_km is not None and self.km > self.cap_km + 0.05


@dataclass(frozen=True, slots=True)
class Picture:
    """A key frame or chart of a gait report: what it shows, and the PNG bytes."""

    caption: str
    png: bytes


@dataclass(frozen=True, slots=True)
class HandoverRecord:
    """Everything the hand-over report and bundle show of one runner, read at ``today``."""

    person: PersonRecord
    today: date
    intake: IntakeRecord | None
    versions: tuple[PlanVersionRecord, ...]
    checkins: tuple[CheckInRecord, ...]
    outcomes: tuple[OutcomeRecord, ...]
    gait: tuple[GaitReportRecord, ...]
    load: tuple[LoadWeek, ...]
    load_before_km: float
    adherence: tuple[ItemAdherence, ...]
    adherence_since: date
    adherence_checkins: int
    #: The runner's distance unit: the report shows their own numbers (every value here is in km).
    unit: DistanceUnit = DistanceUnit.KM


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


def gather(ctx: AppContext, person_id: int, *, today: date) -> HandoverRecord:
    """Read the runner's record up to ``today`` (NotFoundError for an unknown person)."""
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        person = repos.people.get(person_id)
        if person is None:
            raise NotFoundError("No such person.")
        intake = repos.intakes.latest(person_id)
        versions = tuple(v for v in repos.plans.history(person_id) if v.starts_on <= today)
        checkins = tuple(repos.checkins.between(person_id, None, today))
        outcomes = tuple(o for o in repos.outcomes.history(person_id) if o.taken_on <= today)
        reports = GaitReports(s).history(person_id, until=_end_of(today), limit=GAIT_REPORTS)
        unit = Preferences(s).distance_unit(person_id) or DistanceUnit.KM
    since = _monday(today) - timedelta(weeks=ADHERENCE_WEEKS - 1)
    window = [c for c in checkins if since <= c.day <= today]
    load, before = _load(ctx, person_id, today, versions)
    return HandoverRecord(
        person,
        today,
        intake,
        versions,
        checkins,
        outcomes,
        tuple(reports),
        load,
        before,
        item_adherence(versions, window, since, today),
        since,
        len(window),
        unit,
    )


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _plan_on(plans: list[tuple[date, Plan]], day: date) -> Plan | None:
    found = None
    for since, plan in plans:
        if since <= day:
            found = plan
    return found


def item_adherence(
    versions: tuple[PlanVersionRecord, ...] | list[PlanVersionRecord],
    checkins: list[CheckInRecord],
    since: date,
    today: date,
) -> tuple[ItemAdherence, ...]:
    """Per exercise (not optional ones), days planned by the plan in force each day from ``since``
    to ``today`` and days ticked done in that day's check-in; the current plan's items first."""
    plans = sorted(((v.starts_on, plan_from_dict(v.plan)) for v in versions), key=lambda p: p[0])
    done_by_day = {c.day: set(c.done_items) for c in checkins}
    titles: dict[str, str] = {}
    planned: dict[str, int] = {}
    done: dict[str, int] = {}
    day = since
    while day <= today:
        plan = _plan_on(plans, day)
        for item in plan.items if plan else ():
            if item.kind != "exercise" or item.optional:
                continue
            titles.setdefault(item.ref_id, item.title)
            if WEEKDAYS[day.weekday()] in item.days:
                planned[item.ref_id] = planned.get(item.ref_id, 0) + 1
                done[item.ref_id] = done.get(item.ref_id, 0) + (item.ref_id in done_by_day.get(day, set()))
        day += timedelta(days=1)
    current = [i.ref_id for i in plans[-1][1].items] if plans else []
    order = sorted(titles, key=lambda r: (r not in current, current.index(r) if r in current else 0))
    return tuple(ItemAdherence(r, titles[r], planned.get(r, 0), done.get(r, 0)) for r in order)


def _load(
    ctx: AppContext, person_id: int, today: date, versions: tuple[PlanVersionRecord, ...]
) -> tuple[tuple[LoadWeek, ...], float]:
    """The last ``LOAD_WEEKS`` weeks of running, each with its plan's cap; km run before them."""
    hist = history.running_history(ctx, person_id, today)
    plans = sorted(((v.starts_on, plan_from_dict(v.plan)) for v in versions), key=lambda p: p[0])
    first = _monday(today) - timedelta(weeks=LOAD_WEEKS - 1)
    shown = [w for w in hist.weeks if w.week_start >= first]
    if not shown:
        return (), round(sum(w.km for w in hist.weeks), 1)
    out = []
    for w in shown:
        plan = _plan_on(plans, min(w.week_start + timedelta(days=6), today))
        cap = plan.run.weekly_km_cap if plan is not None else None
        out.append(LoadWeek(w.week_start, w.km, cap, w.source, w.runs, w.spike))
    return tuple(out), round(sum(w.km for w in hist.weeks if w.week_start < first), 1)


_CAPTIONS = (
    ("keyframe_left", "Left foot landing"),
    ("keyframe_right", "Right foot landing"),
    ("keyframe", "Foot landing"),
    ("signals", "Feet, knees and pelvis over the clip"),
)


def _caption(file_name: str) -> str:
    stem = Path(file_name).stem.lower()
    return next((words for key, words in _CAPTIONS if stem.endswith(key)), "Gait picture")


def gait_pictures(ctx: AppContext, report: GaitReportRecord) -> list[Picture]:
    """The key frames and charts of a stored report that can still be read, in the report's order.

    A worker's pictures are database blobs of this person; a local analysis's are PNG files inside
    the person's gait folder or the report's own key-frame folder (nothing outside them is read).
    """
    names = [*(report.report.get("key_frames") or ()), *(report.report.get("plots") or ())]
    roots = [Path(ctx.settings.data_dir) / "gait" / f"person-{report.person_id}"]
    if report.key_frames_dir:
        roots.append(Path(report.key_frames_dir))
    out: list[Picture] = []
    for raw in (str(n) for n in names):
        if raw.startswith(PICTURE_PREFIX):
            blob_id, _, file_name = raw[len(PICTURE_PREFIX) :].partition("/")
            data = DatabaseBlobStore(ctx).read(blob_id, report.person_id, GAIT_PICTURE)
            if data is not None:
                out.append(Picture(_caption(file_name), data))
            continue
        path = _inside(Path(raw), roots)
        if path is not None:
            out.append(Picture(_caption(path.name), path.read_bytes()))
    return out


def _inside(path: Path, roots: list[Path]) -> Path | None:
    try:
        resolved = path.resolve()
        bases = [r.resolve() for r in roots]
    except (OSError, ValueError):
        return None
    if resolved.suffix.lower() != ".png" or not resolved.is_file():
        return None
    return resolved if any(resolved.is_relative_to(b) for b in bases) else None
