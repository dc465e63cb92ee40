"""The web app's background work as named jobs: watch-archive imports, gait analysis, report PDFs.

They run on a worker that may sit on another machine: they get plain values (the person, the ids
of the stored uploads) and read the uploads from the blob store, never from the web host's disk.
Their results are JSON; ``decode`` turns them back into what the pages show. In local mode (no
broker) the web app runs the same work in-process from files (``heelcoach.web.backend``).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heelcoach.errors import NotFoundError
from heelcoach.services import imports as imports_service
from heelcoach.services.blobs import (
    BLOB_FOLDER,
    GAIT_PICTURE,
    PICTURE_PREFIX,
    UPLOAD_KEEP,
    WATCH_FILE,
    BlobError,
    DatabaseBlobStore,
)
from heelcoach.services.jobs import JobError, JobServerAwayError, RemoteJobRunner, named_job
from heelcoach.store.base import transaction
from heelcoach.store.gait_reports import GaitReports
from heelcoach.store.models import Person

if TYPE_CHECKING:
    from collections.abc import Callable

    from heelcoach.services.context import AppContext
    from heelcoach.services.gait import GaitReport, ViewChoice

VIEWS: tuple[ViewChoice, ...] = ("auto", "side", "rear", "front")

IMPORT_JOB = "imports.uploads"
GAIT_JOB = "gait.analyse"
REPORT_JOB = "reports.pdf"

#: The report PDFs a worker makes: the runner's plan handout, the clinician's hand-over report.
HANDOUT, HANDOVER = "handout", "handover"


@dataclass(frozen=True, slots=True)
class ImportLine:
    """What happened to one uploaded file (or one file inside an uploaded archive)."""

    file: str
    status: str
    message: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportJobResult:
    """What a finished import job leaves: the counts and one line per file, in upload names."""

    summary: str
    new: int
    lines: tuple[ImportLine, ...]


@dataclass(frozen=True, slots=True)
class GaitJobResult:
    """What a finished gait job leaves: the report (or its stored document) and its id in the store."""

    report: GaitReport | dict[str, Any]
    report_id: int


@dataclass(frozen=True, slots=True)
class ReportJobResult:
    """What a finished report job leaves: the stored PDF (a blob), its file name, whose and which."""

    blob_id: str
    name: str
    person_id: int
    kind: str


def shown_name(display: str, names: dict[str, str]) -> str:
    """A file's name as the person knows it: the upload's own name instead of the server path."""
    for stored, original in names.items():
        if display == stored or display.startswith(stored + "!"):
            return (original + display[len(stored) :]).replace("!", " › ")
    return Path(display.split("!", 1)[0]).name + display[len(display.split("!", 1)[0]) :].replace("!", " › ")


def scrub_paths(text: str, paths: dict[str, str]) -> str:
    """``text`` with every server path in ``paths`` replaced by the name the person gave."""
    for stored, original in sorted(paths.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(stored, original)
    return text


def import_result(
    summary: imports_service.ImportSummary, names: dict[str, str], refused: list[str]
) -> ImportJobResult:
    """The page's view of an import: refused uploads first, then one line per file read."""
    lines = [ImportLine("", "error", text) for text in refused]
    lines += [
        ImportLine(shown_name(m.source, names), m.status, scrub_paths(m.message, names), m.warnings)
        for m in summary.messages
    ]
    return ImportJobResult(summary.line(), summary.activities_new, tuple(lines))


def _decode_import(_ctx: Any, value: dict[str, Any]) -> ImportJobResult:
    lines = tuple(
        ImportLine(str(x["file"]), str(x["status"]), str(x["message"]), tuple(x.get("warnings", ())))
        for x in value["lines"]
    )
    return ImportJobResult(str(value["summary"]), int(value["new"]), lines)


def _decode_gait(ctx: AppContext, value: dict[str, Any]) -> GaitJobResult | None:
    with transaction(ctx.sessions) as s:
        record = GaitReports(s).get(int(value["report_id"]))
    return None if record is None else GaitJobResult(record.report, int(value["report_id"]))


def _work_dir(ctx: AppContext, person_id: int, kind: str) -> Path:
    """A folder of the worker's own (under its data directory) for one job's files."""
    base = Path(ctx.settings.data_dir) / "uploads" / f"person-{person_id}" / kind
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=base))


def _drop_import_uploads(ctx: AppContext, payload: dict[str, Any]) -> None:
    store = DatabaseBlobStore(ctx)
    for blob_id, _name in payload.get("blobs", []):
        store.delete_upload(str(blob_id))  # a watch file runs were read from stays, for their detail


def _drop_gait_upload(ctx: AppContext, payload: dict[str, Any]) -> None:
    DatabaseBlobStore(ctx).delete(str(payload["blob_id"]))


def _keep_watch_files(ctx: AppContext, person_id: int, blob_ids: list[str]) -> None:
    """Keep the uploads stored runs were read from, so any web process can draw their detail.

    A run's ``source_path`` names the ``blob-<id>`` folder the worker (this one or one before it,
    on a delivery that died) read the upload into.
    """
    roots = {a.source_path.split("!", 1)[0] for a in imports_service.list_runs(ctx, person_id)}
    read_from = {found.group(1) for root in roots if (found := BLOB_FOLDER.search(root)) is not None}
    store = DatabaseBlobStore(ctx)
    for blob_id in blob_ids:
        if blob_id in read_from:
            store.keep_as(blob_id, WATCH_FILE)


def _save_with_pictures(ctx: AppContext, person_id: int, report: GaitReport) -> int:
    """Store the report and the key frames and charts it names, in one transaction; its id.

    The pictures go to the database (``gait_picture`` blobs) and the stored report names them as
    ``blob:<id>/<file name>``, so a web process on any machine shows them.
    """
    from heelcoach.services import gait

    store = DatabaseBlobStore(ctx)
    with transaction(ctx.sessions) as s:
        if s.get(Person, person_id) is None:
            missing = f"There is no person with id {person_id}: the gait report was not saved."
            raise NotFoundError(missing)

        def stored(paths: tuple[str, ...]) -> tuple[str, ...]:
            out = []
            for raw in paths:
                path = Path(raw)
                if path.is_file():
                    blob_id = store.put_in(s, person_id, path, path.name, GAIT_PICTURE)
                    out.append(f"{PICTURE_PREFIX}{blob_id}/{path.name}")
            return tuple(out)

        shown = replace(report, key_frames=stored(report.key_frames), plots=stored(report.plots))
        return GaitReports(s).add(gait.report_record(person_id, shown))


@named_job(IMPORT_JOB, _decode_import, queue="default", cleanup=_drop_import_uploads)
def import_uploads(
    ctx: AppContext,
    *,
    person_id: int,
    blobs: list[list[str]],
    refused: list[str],
    progress: Callable[[float, str], None],
) -> dict[str, Any]:
    """Import the stored uploads (``[blob id, name]`` pairs); idempotent (known files are skipped).

    The files read are kept in the worker's data folder (as the local mode keeps them); the stored
    uploads are deleted once the job ended for good (``cleanup``).
    """
    store = DatabaseBlobStore(ctx)
    folder = _work_dir(ctx, person_id, "activities")
    paths: list[Path] = []
    try:
        for blob_id, name in blobs:  # the folder names the blob: any web process finds it again
            paths.append(store.fetch(blob_id, folder / f"blob-{blob_id}" / Path(name).name))
    except BlobError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise JobError(str(exc)) from exc
    names = {str(p): p.name for p in paths}

    def step(done: int, total: int, _message: object) -> None:
        progress(done / total if total else 0.0, f"{done} of {total} files read")

    progress(0.0, "opening the files")
    try:
        summary = imports_service.import_paths(ctx, person_id, paths, step, workers=1)
    except NotFoundError as exc:
        raise JobError(scrub_paths(str(exc), names)) from exc
    finally:  # what the runs were read from is kept in the database, not in this worker's folder
        shutil.rmtree(folder, ignore_errors=True)
    _keep_watch_files(ctx, person_id, [str(blob_id) for blob_id, _name in blobs])
    result = import_result(summary, names, refused)
    return {
        "summary": result.summary,
        "new": result.new,
        "lines": [
            {"file": x.file, "status": x.status, "message": x.message, "warnings": list(x.warnings)}
            for x in result.lines
        ],
    }


@named_job(GAIT_JOB, _decode_gait, queue="gait", cleanup=_drop_gait_upload)
def analyse_gait(
    ctx: AppContext,
    *,
    person_id: int,
    blob_id: str,
    name: str,
    view: str,
    height_cm: float | None,
    slowed_down: float | None,
    progress: Callable[[float, str], None],
) -> dict[str, Any]:
    """Analyse a stored video and store the report (the stored upload goes when the job ends)."""
    from heelcoach.services import gait  # OpenCV and MediaPipe: loaded only for this job

    store = DatabaseBlobStore(ctx)
    folder = _work_dir(ctx, person_id, "video")
    try:
        video = store.fetch(blob_id, folder / Path(name).name)
    except BlobError as exc:
        raise JobError(str(exc)) from exc
    out_dir = folder / "pictures"  # kept in the database with the report, then deleted here

    def frames(done: int, total: int) -> None:
        progress(0.9 * done / total if total else 0.0, f"reading frame {done} of {total}")

    progress(0.0, "starting the pose model")
    choice: ViewChoice = next((v for v in VIEWS if v == view), "auto")
    try:
        max_mb = float(ctx.settings.max_upload_mb)
        if slowed_down:  # only when the runner said so: the file may say it itself
            report = gait.analyse_video(
                video, choice, height_cm, out_dir, frames, max_upload_mb=max_mb, slowed_down=slowed_down
            )
        else:
            report = gait.analyse_video(video, choice, height_cm, out_dir, frames, max_upload_mb=max_mb)
        progress(0.95, "saving the report")
        report_id = _save_with_pictures(ctx, person_id, report)
    except gait.GaitError as exc:
        raise JobError(scrub_paths(str(exc), {str(video): Path(name).name})) from exc
    except BlobError as exc:  # the person was deleted while the video was analysed
        raise JobError(str(exc)) from exc
    finally:  # the clip and the pictures drawn here are not needed in this worker's folder again
        shutil.rmtree(folder, ignore_errors=True)
    progress(1.0, "done")
    return {"report_id": report_id}


def report_name(kind: str, person_id: int) -> str:
    """The file name a report PDF is downloaded under."""
    return "heelcoach-plan.pdf" if kind == HANDOUT else f"handover-{person_id}.pdf"


def report_pdf(ctx: AppContext, person_id: int, kind: str, today: date) -> bytes:
    """The report's PDF bytes (the same calls the web app makes in local mode); JobError when
    there is nothing to report yet."""
    from heelcoach.services import handout, handover, planning, units  # fpdf: only for a report

    try:
        if kind == HANDOVER:
            return handover.handover_pdf(ctx, person_id, today=today)
        _record, plan = planning.current_plan(ctx, person_id)
    except NotFoundError as exc:
        raise JobError("There is no plan to print yet: answer the questions first.") from exc
    return handout.plan_pdf(plan, ctx.catalogue, unit=units.unit_for(ctx, person_id))


def _decode_report(_ctx: Any, value: dict[str, Any]) -> ReportJobResult:
    return ReportJobResult(
        str(value["blob_id"]), str(value["name"]), int(value["person_id"]), str(value["kind"])
    )


@named_job(REPORT_JOB, _decode_report, queue="default")
def make_report(
    ctx: AppContext, *, person_id: int, kind: str, today: str, progress: Callable[[float, str], None]
) -> dict[str, Any]:
    """Make a report PDF and store it in the database, where any web process can serve it."""
    if kind not in (HANDOUT, HANDOVER):
        raise JobError(f"There is no report called {kind!r}.")
    progress(0.1, "reading the records")
    data = report_pdf(ctx, person_id, kind, date.fromisoformat(today))
    progress(0.8, "storing the PDF")
    name = report_name(kind, person_id)
    try:
        blob_id = DatabaseBlobStore(ctx).put_report(person_id, data, name)
    except BlobError as exc:  # the person was deleted meanwhile
        raise JobError(str(exc)) from exc
    progress(1.0, "ready")
    return {"blob_id": blob_id, "name": name, "person_id": person_id, "kind": kind}


def submit_import(
    ctx: AppContext, runner: RemoteJobRunner, person_id: int, uploads: dict[Path, str], refused: list[str]
) -> str:
    """Store the uploaded files where any worker can read them, delete them here, queue the import."""
    store = DatabaseBlobStore(ctx)
    blobs: list[list[str]] = []
    try:
        for path, name in uploads.items():
            try:
                blobs.append([store.put(person_id, path, name), name])
            except BlobError as exc:
                refused.append(str(exc))
    finally:
        for path in uploads:
            path.unlink(missing_ok=True)
    payload = {"person_id": person_id, "blobs": blobs, "refused": refused}
    try:
        return runner.submit_named(IMPORT_JOB, payload)
    except JobServerAwayError as exc:  # the stored files stay: the page offers to try again
        if not blobs:
            raise
        raise ImportNotQueuedError(
            f"{exc} {_kept(blobs)} press Try again in a minute.", _pending(payload)
        ) from exc


def _pending(payload: dict[str, Any]) -> dict[str, Any]:
    """What a browser keeps to queue the import later: small (a session cookie), no names."""
    return {"person_id": payload["person_id"], "blob_ids": [blob_id for blob_id, _name in payload["blobs"]]}


def _kept(blobs: list[list[str]]) -> str:
    names = ", ".join(name for _blob_id, name in blobs[:3]) + (" and more" if len(blobs) > 3 else "")
    days = UPLOAD_KEEP.days
    if len(blobs) == 1:
        return f"Your file {names} is kept for {days} days:"
    return f"Your files {names} are kept for {days} days:"


class ImportNotQueuedError(JobServerAwayError):
    """The watch files are stored but their import is not queued yet; ``pending`` queues it later."""

    def __init__(self, message: str, pending: dict[str, Any]) -> None:
        super().__init__(message)
        self.pending = pending


def resubmit_import(ctx: AppContext, runner: RemoteJobRunner, person_id: int, pending: dict[str, Any]) -> str:
    """Queue an import whose files were kept when the broker did not answer (ImportNotQueuedError).

    Files no longer stored (their person deleted them meanwhile) are left out; none left: JobError.
    """
    store = DatabaseBlobStore(ctx)
    names = {str(blob_id): store.name(str(blob_id)) for blob_id in pending.get("blob_ids", [])}
    blobs = [[blob_id, name] for blob_id, name in names.items() if name is not None]
    if int(pending.get("person_id", -1)) != person_id or not blobs:
        raise JobError("Those files are no longer stored. Upload them again.")
    payload = {"person_id": person_id, "blobs": blobs, "refused": []}
    try:
        return runner.submit_named(IMPORT_JOB, payload)
    except JobServerAwayError as exc:
        message = f"{exc} {_kept(blobs)} press Try again in a minute."
        raise ImportNotQueuedError(message, _pending(payload)) from exc


def submit_gait(
    ctx: AppContext,
    runner: RemoteJobRunner,
    person_id: int,
    video: Path,
    options: dict[str, Any],
) -> str:
    """Store the video where any worker can read it, delete it here, queue the analysis.

    ``options``: ``view``, ``height_cm`` and ``slowed_down`` as the page gives them.
    """
    name = video.name.split("-", 1)[-1]
    try:
        blob_id = DatabaseBlobStore(ctx).put(person_id, video, name)
    except BlobError as exc:  # over the quota: the job page says so
        return runner.failed(GAIT_JOB, str(exc))
    finally:
        video.unlink(missing_ok=True)
    payload = {"person_id": person_id, "blob_id": blob_id, "name": name, **options}
    try:
        return runner.submit_named(GAIT_JOB, payload)
    except JobServerAwayError as exc:  # the stored video stays: the page offers to try again
        raise GaitNotQueuedError(
            f"{exc} Your video {name} is kept: press Try again in a minute.", payload
        ) from exc


class GaitNotQueuedError(JobServerAwayError):
    """The video is stored but its analysis is not queued yet; ``pending`` queues it later."""

    def __init__(self, message: str, pending: dict[str, Any]) -> None:
        super().__init__(message)
        self.pending = pending


def resubmit_gait(ctx: AppContext, runner: RemoteJobRunner, person_id: int, pending: dict[str, Any]) -> str:
    """Queue an analysis whose video was kept when the broker did not answer (GaitNotQueuedError)."""
    if (
        int(pending.get("person_id", -1)) != person_id
        or DatabaseBlobStore(ctx).name(str(pending["blob_id"])) is None
    ):
        raise JobError("That video is no longer stored. Upload it again.")
    try:
        return runner.submit_named(GAIT_JOB, pending)
    except JobServerAwayError as exc:
        raise GaitNotQueuedError(f"{exc} Your video is kept: press Try again in a minute.", pending) from exc


__all__ = [
    "GAIT_JOB",
    "HANDOUT",
    "HANDOVER",
    "IMPORT_JOB",
    "REPORT_JOB",
    "GaitJobResult",
    "GaitNotQueuedError",
    "ImportJobResult",
    "ImportLine",
    "ImportNotQueuedError",
    "ReportJobResult",
    "analyse_gait",
    "import_uploads",
    "make_report",
    "report_name",
    "report_pdf",
    "resubmit_gait",
    "resubmit_import",
    "scrub_paths",
    "shown_name",
    "submit_gait",
    "submit_import",
]
