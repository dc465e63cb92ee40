"""Import watch files for a person and read their training load back for the plan.

Each file is stored in its own transaction: a bad file never stops the batch and never undoes what
earlier files stored. The same run arriving as FIT, GPX and TCX is stored once (the richest format
wins; the others are remembered as copies so re-imports are recognised).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

from heelcoach.activities.archive import ArchiveLimits, Refusal, Source, expand
from heelcoach.activities.importer import ParsedFile, default_workers, parse_source, parse_sources
from heelcoach.activities.model import FORMAT_RANK, Activity, same_activity
from heelcoach.domain import load as load_mod
from heelcoach.domain.types import DriverEvidence, LoadSnapshot
from heelcoach.services.common import NobodyYetError, UnknownPersonError
from heelcoach.services.context import AppContext
from heelcoach.services.units import unit_for
from heelcoach.store.activities import Activities, ActivityRecord
from heelcoach.store.base import transaction
from heelcoach.store.repositories import People, PersonRecord

FileStatus = Literal["imported", "duplicate", "already_imported", "partly_imported", "not_activity", "error"]


@dataclass(frozen=True, slots=True)
class FileMessage:
    """What happened to one file, in plain words."""

    source: str
    status: FileStatus
    message: str
    new_activities: int = 0
    duplicates: int = 0
    known: int = 0
    warnings: tuple[str, ...] = ()


@dataclass
class ImportSummary:
    """The outcome of a batch: counts and one message per file."""

    files: int = 0
    files_read: int = 0
    activities_new: int = 0
    duplicates: int = 0
    already_imported: int = 0
    not_activities: int = 0
    errors: int = 0
    messages: list[FileMessage] = field(default_factory=list)

    @property
    def nothing_readable(self) -> bool:
        """True when no file could be read at all (the CLI exits non-zero then)."""
        return self.files_read == 0

    def line(self) -> str:
        """One-line summary."""
        return (
            f"{self.files} file(s): {self.activities_new} new "
            f"activit{'y' if self.activities_new == 1 else 'ies'}, "
            f"{self.duplicates} duplicate(s) of stored activities, {self.already_imported} already imported, "
            f"{self.not_activities} without an activity, {self.errors} unreadable"
        )


def resolve_person(ctx: AppContext, person_id: int | None = None, *, create: bool = False) -> PersonRecord:
    """``person_id``, else the first person stored; with ``create``, make one when there is nobody.

    Raises UnknownPersonError or NobodyYetError (NotFoundError) when there is no such person.
    """
    with transaction(ctx.sessions) as session:
        people = People(session)
        if person_id is not None:
            person = people.get(person_id)
            if person is None:
                raise UnknownPersonError(f"There is no person with id {person_id}.")
            return person
        person = people.first()
        if person is not None:
            return person
        if not create:
            raise NobodyYetError(
                "Nobody is set up yet: import watch files or answer the questionnaire first."
            )
        return people.add("", datetime.now(UTC))


def to_record(act: Activity) -> ActivityRecord:
    """The store's shape of an activity (samples are not stored)."""
    return ActivityRecord(
        sport=act.sport,
        start=act.start,
        distance_m=act.distance_m,
        elapsed_s=act.elapsed_s,
        timer_s=act.timer_s,
        moving_s=act.moving_s,
        ascent_m=act.ascent_m,
        avg_cadence_spm=act.avg_cadence_spm,
        max_cadence_spm=act.max_cadence_spm,
        avg_hr_bpm=act.avg_hr_bpm,
        max_hr_bpm=act.max_hr_bpm,
        source_path=act.source_path,
        source_sha256=act.source_sha256,
        source_format=act.source_format,
        session_index=act.session_index,
        sport_detail=act.sport_detail,
    )


def from_record(rec: ActivityRecord) -> Activity:
    """An activity value from its stored shape."""
    return Activity(
        sport=rec.sport,  # type: ignore[arg-type]
        start=rec.start,
        distance_m=rec.distance_m,
        elapsed_s=rec.elapsed_s,
        timer_s=rec.timer_s,
        moving_s=rec.moving_s,
        ascent_m=rec.ascent_m,
        avg_cadence_spm=rec.avg_cadence_spm,
        max_cadence_spm=rec.max_cadence_spm,
        avg_hr_bpm=rec.avg_hr_bpm,
        max_hr_bpm=rec.max_hr_bpm,
        source_path=rec.source_path,
        source_sha256=rec.source_sha256,
        source_format=rec.source_format,  # type: ignore[arg-type]
        session_index=rec.session_index,
        sport_detail=rec.sport_detail,
    )


def archive_limits(ctx: AppContext) -> ArchiveLimits:
    """Archive limits from the settings."""
    return ArchiveLimits(
        max_total_bytes=ctx.settings.max_archive_uncompressed_mb * 1024 * 1024,
        max_member_bytes=ctx.settings.max_upload_mb * 1024 * 1024,
        max_members=ctx.settings.max_archive_members,
    )


def _store_file(ctx: AppContext, person_id: int, parsed: ParsedFile, now: datetime) -> FileMessage:
    """Store one parsed file's activities in one transaction; return the message for the person."""
    if parsed.status == "not_activity":
        return FileMessage(parsed.display, "not_activity", f"skipped: {parsed.problem}")
    if parsed.status == "error":
        return FileMessage(parsed.display, "error", f"not imported: {parsed.problem}")
    new = dup = known = 0
    with transaction(ctx.sessions) as session:
        repo = Activities(session)
        for act in parsed.activities:
            if repo.known_source(person_id, act.source_sha256, act.session_index):
                known += 1
                continue
            match = next(
                (
                    stored
                    for stored in repo.overlapping(person_id, act.start, act.end)
                    if same_activity(act, from_record(stored))
                ),
                None,
            )
            if match is None:
                repo.add(person_id, to_record(act), now)
                new += 1
                continue
            dup += 1
            assert match.id is not None
            if FORMAT_RANK[act.source_format] < FORMAT_RANK.get(match.source_format, 9):
                repo.replace(person_id, match.id, to_record(act))
            else:
                repo.add_copy(person_id, match.id, to_record(act))
    parts = []
    if new:
        parts.append(f"{new} new activit{'y' if new == 1 else 'ies'}")
    if dup:
        parts.append(f"{dup} already stored from another file (kept once)")
    if known:
        parts.append(f"{known} imported before")
    status: FileStatus = "imported" if new else ("duplicate" if dup else "already_imported")
    if new and parsed.warnings:
        status = "partly_imported" if any("kept" in w for w in parsed.warnings) else "imported"
    message = ", ".join(parts) or "nothing to store"
    if parsed.warnings:
        message += "; note: " + "; ".join(parsed.warnings)
    return FileMessage(parsed.display, status, message, new, dup, known, parsed.warnings)


def import_paths(
    ctx: AppContext,
    person_id: int,
    paths: Sequence[Path | str],
    progress: Callable[[int, int, FileMessage], None] | None = None,
    *,
    workers: int | None = None,
    now: datetime | None = None,
) -> ImportSummary:
    """Import files, folders and zip exports for ``person_id``; one transaction per file.

    Files are read lazily, one at a time (``workers`` > 1: a batch at a time in worker processes,
    for the CLI; the web app passes 1 and never forks). ``progress(done, total, message)`` is
    called after each file; ``total`` counts the files found so far (a zip's whole content is
    found before its first file is read). ``workers`` defaults to the CPUs available.
    """
    now = now or datetime.now(UTC)
    with transaction(ctx.sessions) as session:
        if People(session).get(person_id) is None:
            raise UnknownPersonError(f"There is no person with id {person_id}.")
    summary = ImportSummary()
    found = [0]

    def count(n: int) -> None:
        found[0] += n

    limits = archive_limits(ctx)
    n_workers = default_workers() if workers is None else workers
    items = expand([Path(p) for p in paths], limits, count)
    for parsed in _parsed(items, limits, n_workers):
        if isinstance(parsed, Refusal):
            msg = FileMessage(parsed.display, "error", f"not imported: {parsed.problem}")
        else:
            msg = _store_safely(ctx, person_id, parsed, now)
        _tally(summary, msg)
        if progress:
            progress(summary.files, max(found[0], summary.files), msg)
    return summary


#: Files handed to worker processes at a time (bounds memory for nested archives).
_BATCH = 256


def _parsed(
    items: Iterator[Source | Refusal], limits: ArchiveLimits, workers: int
) -> Iterator[ParsedFile | Refusal]:
    """Each item parsed (refusals passed through), lazily; with workers, a batch at a time."""
    if workers <= 1:
        for item in items:
            yield item if isinstance(item, Refusal) else parse_source(item, limits)
        return
    while batch := list(itertools.islice(items, _BATCH)):
        yield from (i for i in batch if isinstance(i, Refusal))
        sources = [i for i in batch if isinstance(i, Source)]
        yield from parse_sources(sources, workers=workers, limits=limits)


def _store_safely(ctx: AppContext, person_id: int, parsed: ParsedFile, now: datetime) -> FileMessage:
    try:
        return _store_file(ctx, person_id, parsed, now)
    except Exception as exc:  # noqa: BLE001 - one file's storage failure must not stop the batch
        first_line = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        return FileMessage(
            parsed.display,
            "error",
            f"read, but could not be stored ({type(exc).__name__}: {first_line}); nothing from it was kept",
        )


def _tally(summary: ImportSummary, msg: FileMessage) -> None:
    summary.files += 1
    summary.activities_new += msg.new_activities
    summary.duplicates += msg.duplicates
    summary.already_imported += msg.known
    if msg.status == "not_activity":
        summary.not_activities += 1
    if msg.status == "error":
        summary.errors += 1
    else:
        summary.files_read += 1
    summary.messages.append(msg)


def list_runs(
    ctx: AppContext, person_id: int, since: date | None = None, until: date | None = None
) -> list[Activity]:
    """A person's activities (all sports), oldest first, optionally between two days."""
    start = datetime.combine(since, datetime.min.time(), UTC) - timedelta(days=1) if since else None
    end = datetime.combine(until, datetime.min.time(), UTC) + timedelta(days=2) if until else None
    with transaction(ctx.sessions) as session:
        records = Activities(session).between(person_id, start, end)
    acts = [from_record(r) for r in records]
    return [
        a
        for a in acts
        if (since is None or a.start.date() >= since) and (until is None or a.start.date() <= until)
    ]


def _loads(acts: Sequence[Activity]) -> list[load_mod.ActivityLoad]:
    return [load_mod.ActivityLoad(a.start, a.sport, a.distance_m, a.timer_s) for a in acts]


def _history(ctx: AppContext, person_id: int, today: date, days: int) -> list[load_mod.ActivityLoad]:
    return _loads(list_runs(ctx, person_id, today - timedelta(days=days), today))


def weekly_table(ctx: AppContext, person_id: int, today: date, weeks: int = 8) -> list[load_mod.WeekRow]:
    """The weekly load table for the last ``weeks`` weeks."""
    return load_mod.weekly_table(_history(ctx, person_id, today, 7 * (weeks + 2)), today, weeks)


def load_snapshot(ctx: AppContext, person_id: int, today: date) -> LoadSnapshot | None:
    """What the watch files say about load as of ``today``; None without any running data."""
    acts = _history(ctx, person_id, today, 120)
    if not any(a.is_running for a in acts):
        return None
    return load_mod.load_snapshot(acts, today, ctx.catalogue.load)


def load_evidence(ctx: AppContext, person_id: int, today: date) -> list[DriverEvidence]:
    """Evidence for the load_spike driver from the imported activities."""
    return load_mod.load_evidence(_history(ctx, person_id, today, 120), today, ctx.catalogue.load)


@dataclass(frozen=True, slots=True)
class LoadReport:
    """Everything ``heelcoach runs`` shows: recent activities, weeks, spikes, ratios, caps."""

    today: date
    recent: list[Activity]
    weeks: list[load_mod.WeekRow]
    spikes: list[load_mod.SpikeFinding]
    snapshot: LoadSnapshot | None
    acwr: load_mod.AcwrValues
    monotony: load_mod.MonotonyStrain
    caps: load_mod.RunCaps | None
    ten_percent_note: str
    cross_training_note: str


def load_report(ctx: AppContext, person_id: int, today: date, weeks: int = 8, recent: int = 10) -> LoadReport:
    """The load report for the CLI and web pages."""
    rules = ctx.catalogue.load
    acts = list_runs(ctx, person_id, today - timedelta(days=max(7 * (weeks + 2), 120)), today)
    loads = _loads(acts)
    snap = load_mod.load_snapshot(loads, today, rules) if any(a.is_running for a in loads) else None
    horizon = today - timedelta(weeks=weeks)
    unit = unit_for(ctx, person_id)
    return LoadReport(
        today=today,
        recent=acts[-recent:][::-1],
        weeks=load_mod.weekly_table(loads, today, weeks),
        spikes=[s for s in load_mod.spike_findings(loads, rules, unit) if s.day >= horizon],
        snapshot=snap,
        acwr=load_mod.acwr(loads, today, rules),
        monotony=load_mod.monotony_strain(loads, today, rules),
        caps=load_mod.run_caps(snap, rules, unit) if snap else None,
        ten_percent_note=rules.ten_percent_rule.plain,
        cross_training_note=rules.cross_training.strip(),
    )


@dataclass(frozen=True, slots=True)
class RunBesidePain:
    """One run with the pain reported that day and the next morning (from check-ins)."""

    day: date
    sport: str
    distance_km: float
    duration_min: float
    pain_during: int | None
    pain_after: int | None
    next_first_step_pain: int | None
    first_step_change: int | None
    made_it_worse: bool


def runs_beside_pain(ctx: AppContext, person_id: int, since: date, until: date) -> list[RunBesidePain]:
    """Each run beside the pain around it: 'which runs made it worse'.

    A run made it worse when the next morning was reported worse, or first-step pain the next
    morning rose over the morning of the run by ``pain_monitoring.next_morning_rise_points`` (2).
    """
    from heelcoach.store.repositories import CheckIns

    rise = ctx.catalogue.plan.pain_monitoring.next_morning_rise_points
    acts = [a for a in list_runs(ctx, person_id, since, until) if a.is_running]
    with transaction(ctx.sessions) as session:
        checkins = {c.day: c for c in CheckIns(session).between(person_id, since, until + timedelta(days=1))}
    out = []
    for act in acts:
        day = act.start.date()
        same, nxt = checkins.get(day), checkins.get(day + timedelta(days=1))
        change = nxt.first_step_pain - same.first_step_pain if same is not None and nxt is not None else None
        reported_worse = same is not None and same.next_morning_worse
        worse = bool(reported_worse or (change is not None and change >= rise))
        out.append(
            RunBesidePain(
                day,
                act.sport,
                round(act.distance_m / 1000.0, 2),
                round(act.timer_s / 60.0, 1),
                same.run_pain_during if same else None,
                same.run_pain_after if same else None,
                nxt.first_step_pain if nxt else None,
                change,
                worse,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class StoredActivities:
    """How many activities are stored for a person, and the days of the first and the last."""

    count: int
    first_day: date | None
    last_day: date | None


def stored_activities(ctx: AppContext, person_id: int) -> StoredActivities:
    """Everything stored, whatever its date: for "nothing recent, but N older runs from ..."."""
    with transaction(ctx.sessions) as session:
        count, first, last = Activities(session).span(person_id)
    return StoredActivities(count, first.date() if first else None, last.date() if last else None)
