"""The web app's single door to the services; it says plainly when a service is not there yet.

The services are written alongside the web app. Each call resolves its service function when it
is made, so a page whose service has not landed shows "not ready yet" instead of failing.
"""

from __future__ import annotations

import importlib
import json
import shutil
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from heelcoach.services.context import AppContext
from heelcoach.services.jobs import JobError, JobRunner, ThreadJobRunner
from heelcoach.web.views import TriageView, triage_view


class NotReadyError(Exception):
    """A part of heelcoach this page needs is not finished; ``part`` names it for the runner."""

    def __init__(self, part: str) -> None:
        super().__init__(part)
        self.part = part


def service(module: str, name: str) -> Callable[..., Any] | None:
    """``heelcoach.services.<module>.<name>`` if it exists, else None."""
    try:
        mod = importlib.import_module(f"heelcoach.services.{module}")
    except ImportError:
        return None
    fn = getattr(mod, name, None)
    return fn if callable(fn) else None


def need(module: str, name: str, part: str) -> Callable[..., Any]:
    """Like :func:`service` but raise :class:`NotReadyError` naming ``part`` when missing."""
    fn = service(module, name)
    if fn is None:
        raise NotReadyError(part)
    return fn


class Backend:
    """Calls into the services for one app; holds the job runner and the draft answers folder."""

    def __init__(self, ctx: AppContext, jobs: JobRunner | None = None, cache_ttl_s: float = 5.0) -> None:
        self.ctx = ctx
        self.jobs: JobRunner = jobs or ThreadJobRunner(max_workers=1)
        self.drafts_dir = Path(ctx.settings.data_dir) / "web_drafts"
        self.uploads_dir = Path(ctx.settings.data_dir) / "uploads"
        # Read results per person, dropped on every write made through this app and after
        # ``cache_ttl_s`` (so writes from the CLI in another process show up within seconds).
        self.cache_ttl_s = cache_ttl_s
        self._cache: dict[tuple[Any, ...], tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def cached(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """``compute()``, reused for the same ``key`` (person id first) until a write or the TTL."""
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and now - hit[0] < self.cache_ttl_s:
            return hit[1]
        value = compute()
        with self._lock:
            if len(self._cache) > 1000:
                self._cache.clear()
            self._cache[key] = (now, value)
        return value

    def peek(self, key: tuple[Any, ...]) -> Any | None:
        """A fresh cached value for ``key``, or None."""
        with self._lock:
            hit = self._cache.get(key)
        if hit is None or time.monotonic() - hit[0] >= self.cache_ttl_s:
            return None
        return hit[1]

    def store(self, key: tuple[Any, ...], value: Any) -> None:
        """Cache ``value`` under ``key`` (person id first)."""
        with self._lock:
            if len(self._cache) > 1000:
                self._cache.clear()
            self._cache[key] = (time.monotonic(), value)

    def invalidate(self, person_id: int | None = None) -> None:
        """Forget cached reads of one person (or of everyone)."""
        with self._lock:
            for key in [k for k in self._cache if person_id is None or k[0] == person_id]:
                del self._cache[key]

    # -- people -------------------------------------------------------------------------------
    def person_exists(self, person_id: int) -> bool:
        """Whether the person is stored."""
        resolve = service("runner", "resolve_person")
        if resolve is None:
            return False

        def check() -> bool:
            try:
                resolve(self.ctx, person_id)
            except (LookupError, ValueError):  # runner.NotFoundError is a ServiceError(ValueError)
                return False
            return True

        return bool(self.cached((person_id, "exists"), check))

    def default_person(self) -> int | None:
        """The first stored person, created on first use; None while the store is not ready."""
        resolve = service("runner", "resolve_person")
        if resolve is None:
            return None
        return int(self.cached((None, "first_person"), lambda: resolve(self.ctx, None, create=True).id))

    # -- intake and triage --------------------------------------------------------------------
    def save_intake(self, person_id: int, answers: dict[str, Any]) -> TriageView:
        """Store the answers; return the triage as the runner reads it."""
        self.invalidate(person_id)
        need("assess", "assess", "triage")
        save = need("runner", "save_intake", "store")
        saved = save(self.ctx, person_id, answers)
        return triage_view(dict(saved.intake.triage), self.ctx.catalogue)

    @staticmethod
    def intake_problems(exc: Exception) -> dict[str, str]:
        """Per-question messages from an IntakeError (empty for other errors)."""
        out: dict[str, str] = {}
        for p in getattr(exc, "problems", ()) or ():
            qid = str(getattr(p, "question_id", ""))
            if qid:
                out[qid] = (
                    f"This answer ({getattr(p, 'given', '')}) does not fit: "
                    f"expected {getattr(p, 'expected', '')}."
                )
        return out

    def latest_intake(self, person_id: int) -> Any | None:
        """The latest stored intake record, or None."""
        fn = service("runner", "latest_intake")
        if fn is not None:
            return fn(self.ctx, person_id)
        need("runner", "save_intake", "store")
        from heelcoach.store.base import transaction
        from heelcoach.store.repositories import Repos

        with transaction(self.ctx.sessions) as s:
            return Repos(s).intakes.latest(person_id)

    def latest_triage(self, person_id: int) -> TriageView | None:
        """The triage of the latest intake, or None when no questions were answered yet."""
        record = self.latest_intake(person_id)
        if record is None:
            return None
        return triage_view(dict(record.triage), self.ctx.catalogue)

    def save_screen(self, person_id: int, results: list[dict[str, Any]]) -> Any:
        """Score and store self-test results given as {test_id, side, value}."""
        self.invalidate(person_id)
        parse = need("runner", "parse_self_test", "self-test scoring")
        save = need("runner", "save_screen", "self-test scoring")
        parsed = [parse(self.ctx, r["test_id"], r["value"], r["side"]) for r in results]
        return save(self.ctx, person_id, parsed)

    def make_plan(self, person_id: int) -> Any:
        """Build and store the first plan (or a new one from fresh answers)."""
        self.invalidate(person_id)
        return need("runner", "make_plan", "plan")(self.ctx, person_id)

    # -- plan, check-ins, progress -----------------------------------------------------------
    def this_week(self, person_id: int, today: date | None = None) -> Any | None:
        """The runner's ``WeekView`` (None when there is no plan yet)."""
        fn = need("runner", "this_week", "plan")
        try:
            return self.cached((person_id, "week", today), lambda: fn(self.ctx, person_id, today))
        except ValueError as exc:
            if type(exc).__name__ in ("NotFound", "NotFoundError"):
                return None
            raise

    def record_checkin(self, person_id: int, values: dict[str, Any], today: date) -> Any:
        """Store a check-in; raise ValueError (InvalidInput) with field-named problems."""
        self.invalidate(person_id)
        runner = importlib.import_module("heelcoach.services.runner")
        entry = runner.CheckInInput(**values)
        return runner.record_checkin(self.ctx, person_id, entry, today=today)

    def weekly_review(self, person_id: int, today: date) -> Any:
        """Run the weekly review now and store the next plan version."""
        self.invalidate(person_id)
        return need("runner", "run_weekly_review", "progression")(self.ctx, person_id, today)

    def progress(self, person_id: int) -> dict[str, Any]:
        """Progress as JSON-ready data (pain series, outcomes, adherence, plan history)."""
        fn = need("runner", "progress", "progress")

        def compute() -> dict[str, Any]:
            prog = fn(self.ctx, person_id)
            # the lists are JSON-ready already; only the person record needs converting
            out = {
                f: getattr(prog, f)
                for f in ("pain", "outcomes", "outcome_changes", "adherence", "plan_history", "summary")
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
        """Score and store an outcome questionnaire."""
        self.invalidate(person_id)
        fn = need("runner", "record_outcome", "outcomes")
        return fn(self.ctx, person_id, instrument, answers, taken_on=day)

    def export(self, person_id: int) -> dict[str, Any]:
        """Everything stored about the person."""
        return dict(need("runner", "export_person_data", "export")(self.ctx, person_id))

    def delete(self, person_id: int) -> dict[str, int]:
        """Delete the person and everything about them (and this app's drafts)."""
        self.invalidate(person_id)
        counts = dict(need("runner", "delete_person", "delete")(self.ctx, person_id))
        for path in self.drafts_dir.glob("*.json") if self.drafts_dir.is_dir() else ():
            path.unlink(missing_ok=True)
        shutil.rmtree(self.uploads_dir / f"person-{person_id}", ignore_errors=True)
        return counts

    # -- runs (watch files) ------------------------------------------------------------------
    def import_files(self, person_id: int, paths: list[Path]) -> Any:
        """Import watch files; the summary has per-file messages."""
        self.invalidate(person_id)
        return need("imports", "import_paths", "watch-file import")(self.ctx, person_id, paths)

    def runs(self, person_id: int, today: date) -> dict[str, Any]:
        """Activities (newest first), the weekly table, spikes and the load snapshot.

        The weekly table ends at today, or at the last activity when every run is older than
        the table (old watch files), so imported history is still shown by week.
        """
        list_runs = need("imports", "list_runs", "watch-file import")
        report = need("imports", "load_report", "watch-file import")
        acts = list(list_runs(self.ctx, person_id))
        anchor = today
        if acts:
            last = max(a.start.date() for a in acts)
            if (today - last).days > 7 * 16:
                anchor = last
        rep = report(self.ctx, person_id, anchor, weeks=16)
        snapshot = rep.snapshot if anchor == today else None
        return {
            "runs": list(reversed(acts)),
            "weeks": list(rep.weeks),
            "spikes": list(rep.spikes),
            "snapshot": snapshot,
            "anchor": anchor,
            "today": today,
        }

    def weekly_runs(self, person_id: int, today: date, weeks: int = 16) -> list[Any]:
        """The watch files' weekly table (empty without the import service or runs)."""
        fn = service("imports", "weekly_table")
        if fn is None:
            return []
        return list(
            self.cached((person_id, "weekly", today, weeks), lambda: fn(self.ctx, person_id, today, weeks))
        )

    def load_snapshot(self, person_id: int, today: date) -> Any | None:
        """What the watch files say about load now (None without runs)."""
        fn = service("imports", "load_snapshot")
        return fn(self.ctx, person_id, today) if fn is not None else None

    # -- gait ---------------------------------------------------------------------------------
    def submit_gait(self, person_id: int, video: Path, view: str, height_cm: float | None) -> str:
        """Queue a gait analysis in the background; return the job id."""
        analyse = need("gait", "analyse_video", "gait analysis")
        gait_error: type[Exception] = getattr(
            importlib.import_module("heelcoach.services.gait"), "GaitError", ValueError
        )
        out_dir = video.parent / f"{video.stem}-report"
        max_mb = float(self.ctx.settings.max_upload_mb)

        def work(*, progress: Callable[[float, str], None]) -> Any:
            def frames(done: int, total: int) -> None:
                # the pose model is most of the work; leave the last 10% for metrics and key frames
                progress(0.9 * done / total if total else 0.0, f"reading frame {done} of {total}")

            progress(0.0, "starting the pose model")
            try:
                report = analyse(video, view, height_cm, out_dir, frames, max_upload_mb=max_mb)
            except gait_error as exc:
                raise JobError(str(exc)) from exc
            progress(1.0, "done")
            return report

        return self.jobs.submit(work)

    def plan_with_gait(self, person_id: int, report: Any) -> Any:
        """A new plan version that adds the gait report's driver evidence and cadence cue."""
        self.invalidate(person_id)
        evidence = need("gait", "gait_evidence", "gait analysis")(report)
        cue = need("gait", "cadence_cue_pct", "gait analysis")(report)
        make = need("runner", "make_plan", "plan")
        return make(self.ctx, person_id, evidence=evidence, cadence_cue_pct=cue)

    def height_cm(self, person_id: int) -> float | None:
        """The height from the latest intake, for scaling gait measures."""
        try:
            record = self.latest_intake(person_id)
        except NotReadyError:
            return None
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
        """Keep the answers so far (written atomically)."""
        self.drafts_dir.mkdir(parents=True, exist_ok=True)
        path = self._draft_path(key)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(answers, default=str), encoding="utf-8")
        tmp.replace(path)

    def clear_draft(self, key: str) -> None:
        """Forget the draft answers."""
        self._draft_path(key).unlink(missing_ok=True)
