"""The web app's single door to the services: typed calls, a short read cache, the gait job.

The web layer never reads the store itself; everything goes through ``heelcoach.services``.
The gait service pulls in OpenCV and MediaPipe, so it is imported only inside the functions that
analyse or read gait reports (the app starts fast and pages without video stay light).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from heelcoach.errors import NotFoundError
from heelcoach.services import assess as assess_service
from heelcoach.services import (
    background,
    checkins,
    clearance,
    common,
    intake,
    outcomes,
    people,
    person_data,
    planning,
    progress,
    screening,
    units,
    weekly_review,
)
from heelcoach.services import imports as imports_service
from heelcoach.services.background import GaitJobResult, ImportJobResult, scrub_paths
from heelcoach.services.context import AppContext
from heelcoach.services.jobs import CacheVersions, JobError, JobRunner, RemoteJobRunner, is_remote, runner_for
from heelcoach.services.units import DistanceUnit
from heelcoach.store.repositories import IntakeRecord, PlanVersionRecord
from heelcoach.web.views import TriageView, triage_view

if TYPE_CHECKING:
    from heelcoach.services.gait import GaitReportRecord, ViewChoice

#: The views a person can choose when uploading a clip.
VIEW_CHOICES: tuple[ViewChoice, ...] = ("auto", "side", "rear", "front")

#: A person's and everyone's write stamps: the identity (inode, mtime) of a stamp file (None when
#: absent), or with a broker the write counters in Redis (:class:`CacheVersions`).
_Stamp = tuple[object, object]


#: Uploads left by a server that stopped mid-job are removed at the next start after this long.
STALE_UPLOAD_S = 24 * 3600


def _file_id(path: str) -> tuple[int, int] | None:
    """(inode, modification time in ns) of ``path``, None when it does not exist."""
    try:
        st = os.stat(path)  # noqa: PTH116 - a str path: this runs on every cached page
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns)


class Backend:
    """Calls into the services for one app; holds the job runner and the draft answers folder."""

    def __init__(self, ctx: AppContext, jobs: JobRunner | None = None, cache_ttl_s: float = 5.0) -> None:
        self.ctx = ctx
        self.jobs: JobRunner = jobs or runner_for(ctx, max_workers=1)  # Celery with a broker
        self.data_dir = Path(ctx.settings.data_dir)
        self.drafts_dir = self.data_dir / "web_drafts"
        self.uploads_dir = self.data_dir / "uploads"
        # Read results per person, dropped on every write made through this app and after
        # ``cache_ttl_s`` (so writes from the CLI in another process show up within seconds).
        # A write also replaces a small stamp file per person under ``web_cache/``: every server
        # process (``heelcoach serve --workers N``) checks it on a cache hit, so a write made by
        # one process is never hidden by another process's cached page.
        self.cache_ttl_s = cache_ttl_s
        self.stamps_dir = self.data_dir / "web_cache"
        self._cache: dict[tuple[Any, ...], tuple[float, _Stamp, Any]] = {}
        self._lock = threading.Lock()
        self._person_lock = threading.Lock()
        self._draft_lock = threading.Lock()
        self._build_locks: dict[tuple[Any, ...], threading.Lock] = {}
        self._stamp_names: dict[object, tuple[str, str]] = {}
        # with a broker: write counters in Redis, shared by every web process and worker
        self._versions: CacheVersions | None = getattr(self.jobs, "cache_versions", None)
        self._sweep_uploads()

    def _sweep_uploads(self) -> None:
        """Remove uploads a stopped server left behind (finished jobs remove their own at once)."""
        if not self.uploads_dir.is_dir():
            return
        cutoff = time.time() - STALE_UPLOAD_S
        for path in self.uploads_dir.rglob("*"):
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                continue

    def _stamp_path(self, person_id: object) -> Path:
        return self.stamps_dir / (f"person-{person_id}" if isinstance(person_id, int) else "everyone")

    def _stamp(self, person_id: object) -> _Stamp:
        """The write stamps (person's, everyone's) as their files' identity; None when never written."""
        if self._versions is not None:
            return self._versions.read(person_id)
        paths = self._stamp_names.get(person_id)
        if paths is None:  # plain strings: a cache hit pays two stat calls and nothing more
            paths = (str(self._stamp_path(person_id)), str(self._stamp_path(None)))
            if len(self._stamp_names) > 1000:
                self._stamp_names.clear()
            self._stamp_names[person_id] = paths
        return (_file_id(paths[0]), _file_id(paths[1]))

    def _bump(self, person_id: int | None) -> None:
        """Replace the stamp file of one person (or everyone's): a new file, so a new identity."""
        if self._versions is not None:
            self._versions.bump(person_id)
            return
        path = self._stamp_path(person_id)
        try:
            self.stamps_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
            tmp.write_bytes(b"")
            now_ns = time.time_ns()  # finer than the file system's own clock tick
            os.utime(tmp, ns=(now_ns, now_ns))
            tmp.replace(path)
        except OSError:  # a read-only data folder: this process's own cache is still dropped
            pass

    def _fresh(self, key: tuple[Any, ...]) -> tuple[bool, Any]:
        with self._lock:
            hit = self._cache.get(key)
        if hit is None or time.monotonic() - hit[0] >= self.cache_ttl_s or hit[1] != self._stamp(key[0]):
            return False, None
        return True, hit[2]

    def _put(self, key: tuple[Any, ...], stamp: _Stamp, value: Any, at: float) -> None:
        with self._lock:
            if len(self._cache) > 1000:
                self._cache.clear()
            self._cache[key] = (at, stamp, value)

    def cached(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """``compute()``, reused for the same ``key`` (person id first) until a write or the TTL."""
        found, value = self._fresh(key)
        if found:
            return value
        now, stamp = time.monotonic(), self._stamp(key[0])  # taken before reading: a write during
        value = compute()  # the read leaves a newer stamp, so this result is not reused
        self._put(key, stamp, value, now)
        return value

    def peek(self, key: tuple[Any, ...]) -> Any | None:
        """A fresh cached value for ``key``, or None."""
        return self._fresh(key)[1]

    def stamp(self, key: tuple[Any, ...]) -> tuple[float, _Stamp]:
        """When and at which write stamp a value for ``key`` is computed (give both to :meth:`store`)."""
        return time.monotonic(), self._stamp(key[0])

    def store(self, key: tuple[Any, ...], value: Any, taken: tuple[float, _Stamp] | None = None) -> None:
        """Cache ``value`` under ``key`` (person id first), as of ``taken`` (default: now)."""
        at, stamp = taken if taken is not None else self.stamp(key)
        self._put(key, stamp, value, at)

    def build_lock(self, key: tuple[Any, ...]) -> threading.Lock:
        """One lock per cache key, so concurrent requests for an expired page build it once."""
        with self._lock:
            lock = self._build_locks.get(key)
            if lock is None:
                if len(self._build_locks) > 1000:
                    self._build_locks = {k: v for k, v in self._build_locks.items() if v.locked()}
                lock = self._build_locks[key] = threading.Lock()
            return lock

    @contextmanager
    def _writing(self, person_id: int) -> Iterator[None]:
        """Around a write: drop the person's cache before it and again once it is committed."""
        self.invalidate(person_id)
        try:
            yield
        finally:
            self.invalidate(person_id)

    def invalidate(self, person_id: int | None = None) -> None:
        """Forget cached reads of one person (or of everyone), in this and every other server process."""
        self._bump(person_id)
        with self._lock:
            for key in [k for k in self._cache if person_id is None or k[0] == person_id]:
                del self._cache[key]

    # -- people -------------------------------------------------------------------------------
    def person_exists(self, person_id: int) -> bool:
        """Whether the person is stored."""

        def check() -> bool:
            return people.get_person(self.ctx, person_id) is not None

        return bool(self.cached((person_id, "exists"), check))

    def default_person(self) -> int:
        """The first stored person, created when there is nobody (first visit, or after a delete).

        Read from the store every time, never from the cache: only a browser without a valid
        person in its session asks, and a remembered id would outlive "Delete all my data".
        The lock keeps two first visits at once from creating two people.
        """
        with self._person_lock:
            return int(people.resolve_person(self.ctx, None, create=True).id)

    # -- intake and triage --------------------------------------------------------------------
    def save_intake(self, person_id: int, answers: dict[str, Any]) -> TriageView:
        """Store the answers; return the triage as the runner reads it."""
        with self._writing(person_id):
            saved = intake.save_intake(self.ctx, person_id, answers)
            return triage_view(dict(saved.intake.triage), self.ctx.catalogue)

    @staticmethod
    def intake_problems(exc: Exception) -> dict[str, str]:
        """Per-question messages from an intake error (empty for other errors)."""
        out: dict[str, str] = {}
        for p in getattr(exc, "problems", ()) or ():
            qid = str(getattr(p, "question_id", ""))
            if qid:
                out[qid] = (
                    f"This answer ({getattr(p, 'given', '')}) does not fit: "
                    f"expected {getattr(p, 'expected', '')}."
                )
        return out

    def triage_answers(self, answers: dict[str, Any]) -> dict[str, Any]:
        """Triage answers without storing them, as JSON-ready data (ValueError on bad answers)."""
        result = assess_service.assess(answers, self.ctx.catalogue, date.today())
        return common.json_object(assess_service.triage_to_dict(result))

    def latest_intake(self, person_id: int) -> IntakeRecord | None:
        """The latest stored intake record, or None."""
        return intake.latest_intake(self.ctx, person_id)

    def latest_triage(self, person_id: int) -> TriageView | None:
        """The triage of the latest intake, or None when no questions were answered yet."""
        record = self.latest_intake(person_id)
        if record is None:
            return None
        return triage_view(dict(record.triage), self.ctx.catalogue)

    def save_screen(self, person_id: int, results: list[dict[str, Any]]) -> Any:
        """Score and store self-test results given as {test_id, side, value}."""
        with self._writing(person_id):
            parsed = [
                screening.parse_self_test(self.ctx, r["test_id"], r["value"], r["side"]) for r in results
            ]
            return screening.save_screen(self.ctx, person_id, parsed)

    def screen_verdicts(self, person_id: int) -> tuple[str, ...]:
        """The latest self-tests in words, the painful side compared with the other."""
        return screening.screen_verdicts(self.ctx, person_id)

    def make_plan(self, person_id: int) -> PlanVersionRecord:
        """Build and store the first plan (or a new one from fresh answers)."""
        with self._writing(person_id):
            return planning.make_plan(self.ctx, person_id)

    # -- plan, check-ins, progress -----------------------------------------------------------
    def plan_handout_pdf(self, person_id: int) -> bytes | None:
        """The current plan as a printable PDF handout (None when there is no plan yet)."""
        from heelcoach.services import handout  # fpdf: only when a handout is asked for

        try:
            _record, plan = planning.current_plan(self.ctx, person_id)
        except NotFoundError:
            return None
        return handout.plan_pdf(plan, self.ctx.catalogue, unit=self.distance_unit(person_id))

    def plan_calendar_ics(self, person_id: int, weeks: int = 1) -> bytes | None:
        """The current plan as recurring reminders (RRULE, VALARM, the runner's time zone); None
        when there is no plan yet."""
        from heelcoach.services import calendar

        try:
            return calendar.calendar_for(self.ctx, person_id, weeks=weeks)
        except NotFoundError:
            return None

    def this_week(self, person_id: int, today: date | None = None) -> planning.WeekView | None:
        """The runner's ``WeekView`` (None when there is no plan yet)."""

        def compute() -> planning.WeekView | None:
            taken = self.stamp((person_id,))  # before the read, as ``cached`` takes its own
            try:
                week = planning.this_week(self.ctx, person_id, today)
            except NotFoundError:
                return None
            # the same read answers every page's banner and unit: no second query for them
            self.store((person_id, "units"), week.unit, taken)
            self.store((person_id, "stop"), clearance.referral_that_stops(week.plan), taken)
            return week

        week: planning.WeekView | None = self.cached((person_id, "week", today), compute)
        return week

    def record_checkin(self, person_id: int, values: dict[str, Any], today: date) -> checkins.CheckInSaved:
        """Store a check-in; raise ValueError (InvalidInputError) with field-named problems."""
        with self._writing(person_id):
            entry = checkins.CheckInInput(**values)
            return checkins.record_checkin(self.ctx, person_id, entry, today=today)

    def stop_referral(self, person_id: int) -> str | None:
        """The referral of a plan that stops running and loading (for the banner on every page)."""
        referral: str | None = self.cached(
            (person_id, "stop"), lambda: clearance.stop_referral(self.ctx, person_id)
        )
        return referral

    def distance_unit(self, person_id: int) -> DistanceUnit:
        """The runner's distance unit (kilometres until they choose)."""
        unit: DistanceUnit = self.cached((person_id, "units"), lambda: units.unit_for(self.ctx, person_id))
        return unit

    def set_distance_unit(self, person_id: int, unit: DistanceUnit) -> None:
        """Store the runner's distance unit (every cached page is rebuilt in it)."""
        with self._writing(person_id):
            units.save_unit(self.ctx, person_id, unit)

    def clinician_seen(self, person_id: int, seen_on: date) -> PlanVersionRecord:
        """Record that a clinician has seen the runner; the paused plan resumes (ConflictError if not)."""
        with self._writing(person_id):
            return clearance.record_clinician_seen(self.ctx, person_id, seen_on)

    def clearance_starts_return(self, person_id: int) -> bool:
        """Whether a clinician's clearance would start a graded return (a heel stress fracture alone)."""
        return clearance.clearance_blockers(self.ctx, person_id) == ()

    def weekly_review(self, person_id: int, today: date) -> weekly_review.ReviewSaved:
        """Run the weekly review now and store the next plan version."""
        with self._writing(person_id):
            return weekly_review.run_weekly_review(self.ctx, person_id, today)

    def progress(self, person_id: int) -> dict[str, Any]:
        """Progress as JSON-ready data (pain series, outcomes, adherence, plan history)."""

        def compute() -> dict[str, Any]:
            prog = progress.progress(self.ctx, person_id)
            # the lists are JSON-ready already; only the person record needs converting
            out: dict[str, Any] = {
                "pain": prog.pain,
                "outcomes": prog.outcomes,
                "outcome_changes": prog.outcome_changes,
                "adherence": prog.adherence,
                "plan_history": prog.plan_history,
                "summary": prog.summary,
                "distance_unit": self.distance_unit(person_id).value,  # the numbers stay km
            }
            person = prog.person
            out["person"] = {
                "id": person.id,
                "name": person.name,
                "created_at": person.created_at.isoformat(),
            }
            return out

        return dict(self.cached((person_id, "progress"), compute))

    def record_outcome(self, person_id: int, instrument: str, answers: dict[str, Any], day: date) -> Any:
        """Score and store an outcome questionnaire; returns (record, score)."""
        with self._writing(person_id):
            return outcomes.record_outcome(self.ctx, person_id, instrument, answers, taken_on=day)

    def export(self, person_id: int) -> dict[str, Any]:
        """Everything stored about the person."""
        return dict(person_data.export_person_data(self.ctx, person_id))

    def _drop_unused_uploads(self, person_id: int, uploads: list[Path]) -> None:
        """Delete the uploads no stored run was read from (refused, failed, duplicates).

        A file a run was imported from stays in the person's upload folder, so the run's detail
        (pace, heart rate, cadence) can be drawn; it goes with the person on delete.
        """
        try:
            kept = {a.source_path.split("!", 1)[0] for a in imports_service.list_runs(self.ctx, person_id)}
        except Exception:  # noqa: BLE001 - on any store error, keep nothing rather than leak files
            kept = set()
        for path in uploads:
            if str(path) not in kept:
                path.unlink(missing_ok=True)

    def delete(self, person_id: int, draft_key: str | None = None) -> dict[str, int]:
        """Delete the person and everything about them (their uploads and key frames, and the
        draft answers: ``draft_key``'s alone in a clinic, where other people's drafts sit beside
        it; every draft on a runner's own machine, which has one runner)."""
        with self._writing(person_id):
            counts = dict(person_data.delete_person(self.ctx, person_id))
            drafts = [self._draft_path(draft_key)] if draft_key else []
            if draft_key is None and self.drafts_dir.is_dir():
                drafts = list(self.drafts_dir.glob("*.json"))
            for path in drafts:
                path.unlink(missing_ok=True)
            shutil.rmtree(self.uploads_dir / f"person-{person_id}", ignore_errors=True)
            shutil.rmtree(self.gait_dir(person_id), ignore_errors=True)
        # the first person (who a new browser works for) may have been this one: forget it everywhere
        self.invalidate(None)
        return counts

    # -- runs (watch files) ------------------------------------------------------------------
    def import_files(self, person_id: int, paths: list[Path]) -> imports_service.ImportSummary:
        """Import watch files in this thread, never in worker processes; per-file messages."""
        with self._writing(person_id):
            return imports_service.import_paths(self.ctx, person_id, paths, workers=1)

    def submit_import(self, person_id: int, uploads: dict[Path, str], refused: list[str]) -> str:
        """Queue the import of uploaded files (path -> name given) as a background job; its id.

        The job reads one file at a time in a job thread (never a forked process), reports how far
        it got, removes the uploaded files when it ends (whatever happened) and leaves an
        :class:`ImportJobResult` in which files carry the names they were uploaded with.
        """
        if is_remote(self.jobs):  # a worker elsewhere: the uploads go to the database first
            remote = cast(RemoteJobRunner, self.jobs)
            return background.submit_import(self.ctx, remote, person_id, uploads, refused)
        names = {str(path): name for path, name in uploads.items()}

        def work(*, progress: Callable[[float, str], None]) -> ImportJobResult:
            def step(done: int, total: int, _message: object) -> None:
                progress(done / total if total else 0.0, f"{done} of {total} files read")

            progress(0.0, "opening the files")
            try:
                summary = imports_service.import_paths(self.ctx, person_id, list(uploads), step, workers=1)
            except NotFoundError as exc:
                raise JobError(scrub_paths(str(exc), names)) from exc
            finally:
                self._drop_unused_uploads(person_id, list(uploads))
                self.invalidate(person_id)
            return background.import_result(summary, names, refused)

        return self.jobs.submit(work)

    def runs(self, person_id: int, today: date) -> dict[str, Any]:
        """Activities (newest first), the weekly table, spikes and the load snapshot.

        The weekly table ends at today, or at the last activity when every run is older than
        the table (old watch files), so imported history is still shown by week.
        """
        acts = list(imports_service.list_runs(self.ctx, person_id))
        anchor = today
        if acts:
            last = max(a.start.date() for a in acts)
            if (today - last).days > 7 * 16:
                anchor = last
        rep = imports_service.load_report(self.ctx, person_id, anchor, weeks=16)
        snapshot = rep.snapshot if anchor == today else None
        from heelcoach.services import history  # the whole history by week, for the chart

        return {
            "history": history.running_history(self.ctx, person_id, today),
            "runs": list(reversed(acts)),
            "weeks": list(rep.weeks),
            "spikes": list(rep.spikes),
            "snapshot": snapshot,
            "anchor": anchor,
            "today": today,
        }

    def weekly_runs(self, person_id: int, today: date, weeks: int = 16) -> list[Any]:
        """The watch files' weekly table (empty without runs)."""
        return list(
            self.cached(
                (person_id, "weekly", today, weeks),
                lambda: imports_service.weekly_table(self.ctx, person_id, today, weeks),
            )
        )

    def load_snapshot(self, person_id: int, today: date) -> Any | None:
        """What the watch files say about load now (None without runs)."""
        return imports_service.load_snapshot(self.ctx, person_id, today)

    # -- gait ---------------------------------------------------------------------------------
    def gait_dir(self, person_id: int) -> Path:
        """Where this person's key frames and plots live (under the data folder, kept across restarts)."""
        return self.data_dir / "gait" / f"person-{person_id}"

    def submit_gait(
        self,
        person_id: int,
        video: Path,
        view: str,
        height_cm: float | None,
        slowed_down: float | None = None,
    ) -> str:
        """Queue a gait analysis in the background; return the job id (``slowed_down``: the runner
        says the clip plays this many times slower than real time).

        The job writes key frames under the person's gait folder, stores the report for the person
        (so it is there after a restart) and leaves a :class:`GaitJobResult`.
        """
        if is_remote(self.jobs):  # a worker elsewhere: the video goes to the database first
            options = {"view": view, "height_cm": height_cm, "slowed_down": slowed_down}
            remote = cast(RemoteJobRunner, self.jobs)
            return background.submit_gait(self.ctx, remote, person_id, video, options)
        out_dir = self.gait_dir(person_id) / video.stem
        max_mb = float(self.ctx.settings.max_upload_mb)
        choice: ViewChoice = "auto"
        for known in VIEW_CHOICES:
            if view == known:
                choice = known

        def work(*, progress: Callable[[float, str], None]) -> GaitJobResult:
            from heelcoach.services import gait  # OpenCV and MediaPipe: loaded only for this job

            def frames(done: int, total: int) -> None:
                # the pose model is most of the work; leave the last 10% for metrics and key frames
                progress(0.9 * done / total if total else 0.0, f"reading frame {done} of {total}")

            progress(0.0, "starting the pose model")
            try:
                if slowed_down:  # only when the runner said so: the file may say it itself
                    report = gait.analyse_video(
                        video,
                        choice,
                        height_cm,
                        out_dir,
                        frames,
                        max_upload_mb=max_mb,
                        slowed_down=slowed_down,
                    )
                else:
                    report = gait.analyse_video(
                        video, choice, height_cm, out_dir, frames, max_upload_mb=max_mb
                    )
                progress(0.95, "saving the report")
                report_id = gait.save_report(self.ctx, person_id, report, key_frames_dir=out_dir)
            except gait.GaitError as exc:
                raise JobError(scrub_paths(str(exc), {str(video): video.name.split("-", 1)[-1]})) from exc
            finally:
                video.unlink(missing_ok=True)  # the key frames are kept; the clip is not needed again
                self.invalidate(person_id)
            progress(1.0, "done")
            return GaitJobResult(report, report_id)

        return self.jobs.submit(work)

    def latest_gait_report(self, person_id: int) -> GaitReportRecord | None:
        """The person's latest stored gait report (its ``report`` is the JSON document), or None."""
        from heelcoach.services import gait  # a few seconds the first time (OpenCV)

        record: GaitReportRecord | None = self.cached(
            (person_id, "gait_latest"), lambda: gait.latest_report(self.ctx, person_id)
        )
        return record

    def gait_history(self, person_id: int) -> list[GaitReportRecord]:
        """The person's stored gait reports, newest first."""
        from heelcoach.services import gait

        return gait.report_history(self.ctx, person_id)

    def plan_with_stored_gait(self, person_id: int) -> PlanVersionRecord:
        """The next plan version with the stored gait reports merged in (phase, week and levels kept).

        The plan service reads the stored reports itself (driver evidence from the newest report of
        each view, the cadence cue from the newest side view), so nothing is counted twice.
        """
        with self._writing(person_id):
            return planning.update_plan_with_new_evidence(self.ctx, person_id, "gait report")

    def height_cm(self, person_id: int) -> float | None:
        """The height from the latest intake, for scaling gait measures."""
        record = self.latest_intake(person_id)
        value = record.answers.get("height_cm") if record is not None else None
        return float(value) if isinstance(value, int | float) else None

    # -- draft answers (saving the questionnaire as it goes) ----------------------------------
    def _draft_path(self, key: str) -> Path:
        safe = "".join(c for c in key if c.isalnum())[:64] or "anon"
        return self.drafts_dir / f"{safe}.json"

    def load_draft(self, key: str) -> dict[str, Any]:
        """Answers saved so far for this browser (empty when none)."""
        path = self._draft_path(key)
        if not path.is_file():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def save_draft(self, key: str, answers: dict[str, Any]) -> None:
        """Keep the answers so far: written to a file of its own, then moved into place."""
        self.drafts_dir.mkdir(parents=True, exist_ok=True)
        path = self._draft_path(key)
        fd, tmp = tempfile.mkstemp(dir=self.drafts_dir, prefix=path.stem + ".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(json.dumps(answers, default=str))
            Path(tmp).replace(path)
        finally:
            Path(tmp).unlink(missing_ok=True)

    def update_draft(self, key: str, answers: dict[str, Any], *, under: bool = False) -> dict[str, Any]:
        """Add ``answers`` to the stored draft (``under``: only where the draft has no answer yet)
        and return the whole draft.

        The autosave of a group and the group's own submit often arrive together; one read-add-
        write at a time (threads of this process, and server processes sharing the data folder)
        so neither loses the other's answers.
        """
        self.drafts_dir.mkdir(parents=True, exist_ok=True)
        with self._draft_lock, open(self.drafts_dir / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            stored = self.load_draft(key)
            draft = {**answers, **stored} if under else {**stored, **answers}
            self.save_draft(key, draft)
        return draft

    def clear_draft(self, key: str) -> None:
        """Forget the draft answers."""
        self._draft_path(key).unlink(missing_ok=True)
