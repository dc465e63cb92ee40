"""Gait use cases: analyse a running video or a keypoint file, and feed the findings to the plan.

Errors a person can act on are raised as :class:`heelcoach.gait.errors.GaitError` subclasses
(no person, unreadable file, too short, wrong type); interfaces show ``str(err)`` and exit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from heelcoach.domain.types import DriverEvidence
from heelcoach.errors import NotFoundError
from heelcoach.gait.container import ContainerTiming, read_timing
from heelcoach.gait.errors import GaitError, KeypointFileError, WrongFileTypeError
from heelcoach.gait.findings import Finding, driver_evidence
from heelcoach.gait.halpe import read_halpe
from heelcoach.gait.keypoints import Keypoints
from heelcoach.gait.numbers import format_measure, format_value
from heelcoach.gait.openpose import read_openpose
from heelcoach.gait.pipeline import FrameStash, GaitAnalysis, ViewChoice, video_keypoints
from heelcoach.gait.pose import PoseBackend, PoseTiming
from heelcoach.gait.report import GaitReport
from heelcoach.gait.video import VIDEO_SUFFIXES, read_frames
from heelcoach.knowledge import load_catalogue
from heelcoach.knowledge.schema_gait import GaitRules
from heelcoach.services.context import AppContext
from heelcoach.store.base import transaction
from heelcoach.store.gait_reports import GaitReportRecord, GaitReports
from heelcoach.store.models import Person

__all__ = [
    "VIDEO_SUFFIXES",
    "GaitError",
    "GaitReport",
    "GaitReportRecord",
    "ViewChoice",
    "analyse_keypoints",
    "analyse_video",
    "cadence_cue_pct",
    "check_upload",
    "format_measure",
    "format_value",
    "gait_evidence",
    "latest_report",
    "person_cadence_cue_pct",
    "person_gait_evidence",
    "report_history",
    "save_report",
]

#: Progress callback: (done, total) frames.
ProgressFn = Callable[[int, int], None]

#: Keypoint inputs: a folder of OpenPose files, or one JSON file.
KEYPOINT_SUFFIXES: frozenset[str] = frozenset({".json"})


def check_upload(path: Path, max_upload_mb: float | None) -> None:
    """Refuse a file that is missing, of the wrong type, or larger than ``max_upload_mb``."""
    if not path.exists():
        raise GaitError(f"{path}: no such file. Check the path and try again.")
    if path.is_file() and path.suffix.lower() not in VIDEO_SUFFIXES | KEYPOINT_SUFFIXES:
        raise WrongFileTypeError(
            f"{path}: '{path.suffix or 'no extension'}' is not a video or keypoint file; expected a video "
            f"({', '.join(sorted(VIDEO_SUFFIXES))}) or keypoints (.json)."
        )
    if max_upload_mb is not None and path.is_file():
        size_mb = path.stat().st_size / 1e6
        if size_mb > max_upload_mb:
            raise GaitError(
                f"{path}: {size_mb:.0f} MB is larger than the {max_upload_mb:.0f} MB limit; "
                "trim the clip to 10-20 s of steady running."
            )


def _rules(rules: GaitRules | None) -> GaitRules:
    return rules if rules is not None else load_catalogue().gait


def _outputs(
    analysis: GaitAnalysis,
    report: GaitReport,
    out_dir: Path | None,
    video: Path | None,
    stem: str,
    stash: FrameStash | None = None,
) -> GaitReport:
    if out_dir is None or not analysis.contacts_:
        return report
    # matplotlib is imported only when pictures are asked for (keeps every CLI command fast to start)
    from heelcoach.gait.render import key_frame_indices, write_key_frames, write_plots

    kp = analysis.keypoints_
    stashed = stash.frames.keys() if stash is not None else ()
    needed = key_frame_indices(analysis.contacts_, analysis.view_, kp, stashed)
    scale = 1.0
    if stash is not None and all(i in stash.frames for i in needed):
        frames, scale = {i: stash.frames[i] for i in needed}, stash.scale
    else:  # decode them again (seeking), e.g. for keypoint files with their video
        frames = read_frames(video, needed) if video else {}
    keys = write_key_frames(
        kp,
        analysis.contacts_,
        analysis.view_,
        analysis.direction_,
        analysis.leg_length_px_,
        out_dir,
        frames,
        stem,
        frame_scale=scale,
        metrics=report.metrics,
    )
    plot = write_plots(
        kp,
        analysis.contacts_,
        analysis.view_,
        analysis.direction_,
        analysis.leg_length_px_,
        report.metrics,
        out_dir / f"{stem}_signals.png",
    )
    return replace(report, key_frames=tuple(str(p) for p in keys), plots=(str(plot),))


def analyse_video(
    path: Path,
    view: ViewChoice = "auto",
    height_cm: float | None = None,
    out_dir: Path | None = None,
    progress: ProgressFn | None = None,
    *,
    max_upload_mb: float | None = None,
    rules: GaitRules | None = None,
    backend: PoseBackend | None = None,
    timing: PoseTiming | None = None,
    slowed_down: float | None = None,
    pose_workers: int | None = None,
    max_frames: int | None = None,
) -> GaitReport:
    """Analyse a running video; write key frames and plots to ``out_dir`` when given.

    ``pose_workers``: pose models side by side (default: one per core, at most two);
    ``max_frames``: analyse only the clip's first frames.

    Raises a GaitError subclass with a plain message for a missing, unreadable, wrong-type, too-short
    or person-less clip.
    """
    check_upload(path, max_upload_mb)
    stash = FrameStash() if out_dir is not None else None
    timing_found: list[ContainerTiming] = []
    keypoints, _info = video_keypoints(
        path,
        backend=backend,
        progress=progress,
        timing=timing,
        stash=stash,
        max_frames=max_frames,
        workers=pose_workers,
        # the knowledge base loads, and ffprobe reads the file's timing, while the model runs
        preload=(lambda: _rules(rules), lambda: timing_found.append(read_timing(path, 0.0))),
    )
    return analyse_clip_keypoints(
        path,
        keypoints,
        view,
        height_cm,
        out_dir,
        rules=rules,
        stash=stash,
        slowed_down=slowed_down,
        timing=timing_found[0] if timing_found else None,
    )


def analyse_clip_keypoints(
    path: Path,
    keypoints: Keypoints,
    view: ViewChoice = "auto",
    height_cm: float | None = None,
    out_dir: Path | None = None,
    *,
    rules: GaitRules | None = None,
    stash: FrameStash | None = None,
    slowed_down: float | None = None,
    timing: ContainerTiming | None = None,
) -> GaitReport:
    """Analyse the pose keypoints of the video ``path``, reading the file's own timing first
    (``timing``: already read, e.g. while the pose model ran).

    When the runner did not say how much the clip is slowed, a phone's slow-motion file (capture
    rate tag, stretching edit list) says it; keypoints are then timed at the capture rate.
    """
    slowed_by = "you"
    shown: float | None = None
    if slowed_down is None:  # a phone's own slow-motion file says how much it is slowed
        timing = timing if timing is not None else read_timing(path, keypoints.fps)
        if timing.says_slowed:
            slowed_down = max(1.0, timing.capture_fps / keypoints.fps)
            slowed_by, shown = "the file", timing.slowed
            keypoints = replace(
                keypoints,
                notes=(
                    *keypoints.notes,
                    (
                        f"{timing.how} says the clip plays {format_value(timing.slowed)}x slower than it "
                        f"was filmed ({format_value(timing.capture_fps)} frames/s)"
                    ),
                ),
            )
    return analyse_loaded(
        keypoints,
        str(path),
        "video",
        view,
        height_cm,
        out_dir,
        rules,
        video=path,
        stash=stash,
        slowed_down=slowed_down,
        slowed_by=slowed_by,
        shown_slowed=shown,
    )


def analyse_loaded(
    keypoints: Keypoints,
    source: str,
    input_kind: str,
    view: ViewChoice = "auto",
    height_cm: float | None = None,
    out_dir: Path | None = None,
    rules: GaitRules | None = None,
    video: Path | None = None,
    stash: FrameStash | None = None,
    slowed_down: float | None = None,
    slowed_by: str = "you",
    shown_slowed: float | None = None,
) -> GaitReport:
    """Analyse keypoints already in memory (e.g. cached pose results)."""
    analysis = GaitAnalysis(
        _rules(rules),
        view=view,
        height_cm=height_cm,
        slowed_down=slowed_down,
        slowed_by=slowed_by,
        shown_slowed=shown_slowed,
    ).run(keypoints, source, input_kind)
    stem = Path(source).stem.replace(".pose", "") or "gait"
    return _outputs(analysis, analysis.report_, out_dir, video, stem, stash)


def read_keypoints(path: Path, fps: float | None = None) -> Keypoints:
    """Read an OpenPose folder / file or a HALPE-26 single-file JSON into internal keypoints."""
    if path.is_dir():
        return read_openpose(path, fps=fps)
    if path.suffix.lower() != ".json":
        raise WrongFileTypeError(
            f"{path}: keypoints must be a .json file or a folder of OpenPose .json files."
        )
    try:
        head = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KeypointFileError(f"{path}: not readable JSON ({exc}).") from exc
    if isinstance(head, dict) and "keypoint_names" in head:
        return read_halpe(path)
    if isinstance(head, dict) and "people" in head:
        return read_openpose(path, fps=fps)
    raise KeypointFileError(
        f"{path}: unknown keypoint format; expected OpenPose BODY_25 ('people') "
        "or HALPE-26 ('keypoint_names')."
    )


def analyse_keypoints(
    path: Path,
    view: ViewChoice = "auto",
    height_cm: float | None = None,
    out_dir: Path | None = None,
    *,
    fps: float | None = None,
    video: Path | None = None,
    rules: GaitRules | None = None,
    slowed_down: float | None = None,
) -> GaitReport:
    """Analyse keypoints made elsewhere (OpenPose BODY_25 per-frame JSON, HALPE-26 single file)."""
    if not path.exists():
        raise GaitError(f"{path}: no such file or folder.")
    keypoints = read_keypoints(path, fps=fps)
    return analyse_loaded(
        keypoints,
        str(path),
        "keypoints",
        view,
        height_cm,
        out_dir,
        rules,
        video=video,
        slowed_down=slowed_down,
    )


def gait_evidence(report: GaitReport) -> list[DriverEvidence]:
    """Driver evidence from the findings (pelvic drop -> hip control, knee valgus -> knee control...)."""
    if report.activity != "running":
        return []
    return driver_evidence(list(report.findings))


def cadence_cue_pct(report: GaitReport) -> float | None:
    """Step-rate increase (%) the running prescription should cue, or None (no overstride found)."""
    return report.cadence_cue_pct if report.activity == "running" else None


# --------------------------------------------------------------------------------------------
# Stored reports: what the plan reads (``services.planning.make_plan`` calls the two hooks below)


def save_report(
    ctx: AppContext,
    person_id: int,
    report: GaitReport,
    *,
    key_frames_dir: Path | None = None,
    now: datetime | None = None,
) -> int:
    """Store a gait report for a person; returns its id. Raises NotFoundError for an unknown person."""
    record = report_record(person_id, report, key_frames_dir=key_frames_dir, now=now)
    with transaction(ctx.sessions) as s:
        if s.get(Person, person_id) is None:
            raise NotFoundError(f"There is no person with id {person_id}: the gait report was not saved.")
        return GaitReports(s).add(record)


def report_record(
    person_id: int, report: GaitReport, *, key_frames_dir: Path | None = None, now: datetime | None = None
) -> GaitReportRecord:
    """The row :func:`save_report` stores (a worker adds it in the transaction of its pictures)."""
    return GaitReportRecord(
        person_id=person_id,
        created_at=now or datetime.now(UTC),
        source=report.source,
        view=report.view,
        activity=report.activity,
        cadence_spm=report.cadence_spm,
        cadence_cue_pct=cadence_cue_pct(report),
        report=report.to_dict(),
        key_frames_dir=None if key_frames_dir is None else str(key_frames_dir),
    )


def latest_report(ctx: AppContext, person_id: int, view: str | None = None) -> GaitReportRecord | None:
    """The newest stored gait report of a person (optionally of one view), or None."""
    with transaction(ctx.sessions) as s:
        return GaitReports(s).latest(person_id, view=view)


def report_history(ctx: AppContext, person_id: int, limit: int = 20) -> list[GaitReportRecord]:
    """A person's stored gait reports, newest first (every analysis is kept, not only the latest)."""
    with transaction(ctx.sessions) as s:
        return GaitReports(s).history(person_id, limit=limit)


_FINDING_FIELDS = frozenset(f.name for f in fields(Finding))


def _stored_findings(report: Mapping[str, Any]) -> list[Finding]:
    """The findings of a stored report document (entries that no longer fit are skipped)."""
    out: list[Finding] = []
    for item in report.get("findings") or []:
        if not isinstance(item, dict):
            continue
        data = {k: v for k, v in item.items() if k in _FINDING_FIELDS}
        data["sources"] = tuple(data.get("sources") or ())
        try:
            out.append(Finding(**data))
        except TypeError:
            continue
    return out


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


def person_gait_evidence(ctx: AppContext, person_id: int, today: date) -> list[DriverEvidence]:
    """Driver evidence from the newest running report of each view stored up to ``today``.

    A side clip and a rear clip see different things, so the latest of each view counts; an older
    clip of the same view is superseded by the newer one (a re-test replaces the first test).
    """
    with transaction(ctx.sessions) as s:
        reports = GaitReports(s).history(person_id, until=_end_of(today), activity="running")
    latest: dict[str, GaitReportRecord] = {}
    for record in reports:  # newest first
        latest.setdefault(record.view, record)
    seen: set[str] = set()
    evidence: list[DriverEvidence] = []
    for record in latest.values():
        for item in driver_evidence(_stored_findings(record.report)):
            if item.item_id not in seen:
                seen.add(item.item_id)
                evidence.append(item)
    return evidence


def person_cadence_cue_pct(ctx: AppContext, person_id: int) -> float | None:
    """The cadence cue (%) of the newest running side-view report, or None.

    Only a side view measures the overstriding pattern, so a newer rear clip does not cancel a cue;
    a newer side clip without the pattern does.
    """
    with transaction(ctx.sessions) as s:
        record = GaitReports(s).latest(person_id, view="side", activity="running")
    return None if record is None else record.cadence_cue_pct
