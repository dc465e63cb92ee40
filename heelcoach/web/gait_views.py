"""View model for a gait report: headline numbers, findings and annotated key frames.

Works on a fresh ``GaitReport`` and on a stored report document (a dict) alike. Key frames are
shown only when they lie inside the person's own gait folder; their URLs are relative to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from heelcoach.domain.plan import Plan
from heelcoach.services.blobs import PICTURE_PREFIX
from heelcoach.services.gait import format_measure
from heelcoach.text.gait_plan import driver_label, finding_in_plan
from heelcoach.web.views import attr


@dataclass(frozen=True, slots=True)
class MetricView:
    """One measured value with its uncertainty."""

    name: str
    value: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class FindingView:
    """One finding in plain words."""

    title: str
    text: str
    driver: str = ""
    confidence: str = ""
    #: What the runner's current plan does about it (``text.gait_plan.finding_in_plan``).
    in_plan: str = ""


@dataclass(frozen=True, slots=True)
class FrameView:
    """One annotated picture: where the browser gets it, and a caption."""

    url: str
    caption: str
    alt: str = ""
    chart: bool = False


@dataclass(frozen=True, slots=True)
class GaitReportView:
    """The report page (``use_action`` is where 'Update my plan with this' posts)."""

    use_action: str
    view: str
    activity: str
    quality: str
    quality_issues: list[str]
    summary: str
    filming_tips: list[str] = field(default_factory=list)
    metrics: list[MetricView] = field(default_factory=list)
    findings: list[FindingView] = field(default_factory=list)
    frames: list[FrameView] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    created_at: datetime | None = None
    #: False for walking, no gait, or a clip whose time scale is in doubt: nothing for the plan
    can_update_plan: bool = True
    time_scale: str = "real_time"


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One earlier analysis in the list of a person's analyses."""

    created_at: datetime | None
    view: str
    activity: str
    headline: str
    summary: str


def _fmt(value: Any, uncertainty: Any = None, unit: str = "") -> str:
    """A measured value as the gait reports write it: rounded to its uncertainty ('211 ± 19 steps/min')."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        sd = float(uncertainty) if isinstance(uncertainty, int | float) else None
        return format_measure(float(value), sd, unit)
    return f"{value} {unit}".strip()


CAPTIONS = {
    "keyframe_left": "Left foot landing",
    "keyframe_right": "Right foot landing",
    "keyframe": "Foot landing",
    "signals": "Feet, knees and pelvis over the clip",
}


def _caption(path: Path) -> str:
    """A plain caption from a key-frame file name ('<upload>_keyframe_left.png' -> 'Left foot landing')."""
    stem = path.stem.lower()
    for key, words in CAPTIONS.items():
        if stem.endswith(key):
            return words
    return stem.rsplit("_", 1)[-1].replace("-", " ").capitalize()


def frame_file(root: Path, name: str) -> Path | None:
    """The PNG ``name`` (a path relative to ``root``) if it is a file inside ``root``, else None.

    Refuses anything that climbs out of ``root`` (``..``, absolute paths, links pointing outside).
    """
    if not name or "\x00" in name or Path(name).is_absolute():
        return None
    try:
        base = root.resolve()
        path = (base / name).resolve()
    except (OSError, ValueError):
        return None
    if not path.is_relative_to(base) or path.suffix.lower() != ".png" or not path.is_file():
        return None
    return path


def _alt(caption: str, report: Any) -> str:
    """What a picture shows, in words (for people who cannot see it)."""
    metrics = attr(report, "metrics") or {}

    def side_text(metric_id: str, side: str, label: str) -> str | None:
        m = metrics.get(metric_id)
        if m is None:
            return None
        value = attr(m, side) if attr(m, side) is not None else attr(m, "value")
        if value is None:
            return None
        return f"{label} {_fmt(value, attr(m, 'uncertainty'), str(attr(m, 'unit', '') or ''))}"

    if caption == CAPTIONS["signals"]:
        cad = metrics.get("cadence")
        n = len(attr(report, "contacts", ()) or ())
        text = (
            "Chart of the clip over time: each foot's distance ahead of the hip, each knee's bend and "
            f"the pelvis height, with the {n} foot landings marked"
        )
        if cad is not None and attr(cad, "value") is not None:
            text += f"; cadence {_fmt(attr(cad, 'value'), attr(cad, 'uncertainty'), 'steps/min')}"
        return text + "."
    side = "left" if caption.startswith("Left") else ("right" if caption.startswith("Right") else "")
    if not side:
        return caption
    parts = [
        p
        for p in (
            side_text("overstride", side, "heel ahead of the hip by"),
            side_text("knee_flexion_contact", side, "knee bent"),
            side_text("pelvic_drop", side, "pelvis drop"),
            side_text("knee_fppa", side, "knee angle from the front"),
        )
        if p
    ]
    return f"{caption}, {side} side: " + ("; ".join(parts) if parts else "skeleton drawn on the runner") + "."


def _frames(report: Any, root: Path) -> list[FrameView]:
    out: list[FrameView] = []
    names = [*(attr(report, "key_frames", ()) or ()), *(attr(report, "plots", ()) or ())]
    base = root.resolve()
    for raw in names:
        if str(raw).startswith(PICTURE_PREFIX):  # drawn by a worker, kept in the database
            blob_id, _, file_name = str(raw)[len(PICTURE_PREFIX) :].partition("/")
            caption = _caption(Path(file_name))
            chart = caption == CAPTIONS["signals"]
            out.append(FrameView(f"/gait/pictures/{blob_id}", caption, _alt(caption, report), chart=chart))
            continue
        try:
            path = Path(str(raw)).resolve()
        except (OSError, ValueError):
            continue
        if not path.is_relative_to(base) or frame_file(base, str(path.relative_to(base))) is None:
            continue
        caption = _caption(path)
        out.append(
            FrameView(
                f"/gait/frames/{path.relative_to(base).as_posix()}",
                caption,
                _alt(caption, report),
                chart=caption == CAPTIONS["signals"],
            )
        )
    return out


def _findings(report: Any, plan: Plan | None, can_update: bool) -> list[FindingView]:
    out = []
    for f in attr(report, "findings", ()) or ():
        driver = str(attr(f, "driver", "") or "")
        metric_id = str(attr(f, "metric_id", ""))
        out.append(
            FindingView(
                title=metric_id.replace("_", " "),
                text=str(attr(f, "text", "")),
                driver=driver_label(driver) if driver else "",
                confidence=str(attr(f, "confidence", "") or ""),
                in_plan=finding_in_plan(driver or None, metric_id, plan, can_update=can_update),
            )
        )
    return out


def gait_report_view(
    report: Any,
    *,
    frames_root: Path,
    use_action: str,
    created_at: datetime | None = None,
    plan: Plan | None = None,
) -> GaitReportView | None:
    """Build the view from a ``GaitReport`` or its stored document (None when there is no report).

    ``frames_root`` is the person's gait folder: pictures outside it are not shown. ``plan``: the
    runner's current plan, so that each finding says what the plan does about it.
    """
    if report is None:
        return None
    metrics = []
    for key, m in (attr(report, "metrics") or {}).items():
        value = attr(m, "value")
        if value is None:
            continue
        unit = str(attr(m, "unit", "") or "")
        shown = _fmt(value, attr(m, "uncertainty"), unit)
        left, right = attr(m, "left"), attr(m, "right")
        if left is not None and right is not None:
            unc = attr(m, "uncertainty")
            shown += f" (left {_fmt(left, unc, unit)}, right {_fmt(right, unc, unit)})"
        notes = [str(n) for n in attr(m, "notes", ()) or ()]
        if attr(m, "quality") == "unreliable":
            notes.insert(0, "as filmed, not real time")
        metrics.append(MetricView(str(attr(m, "name", "") or key), shown, " · ".join(notes)))
    quality = attr(report, "quality")
    time_scale = str(attr(report, "time_scale", "real_time") or "real_time")
    activity = str(attr(report, "activity", "") or "")
    can_update = activity == "running" and time_scale in ("real_time", "given")
    findings = _findings(report, plan, can_update)
    return GaitReportView(
        use_action=use_action,
        view=str(attr(report, "view", "") or ""),
        activity=str(attr(report, "activity", "") or ""),
        quality=str(attr(quality, "level", "") or ""),
        quality_issues=[str(i) for i in attr(quality, "issues", ()) or ()],
        filming_tips=[str(t) for t in attr(quality, "filming_tips", ()) or ()],
        summary=str(attr(report, "summary", "") or ""),
        metrics=metrics,
        findings=findings,
        frames=_frames(report, frames_root),
        notes=[str(n) for n in attr(report, "notes", ()) or ()],
        created_at=created_at,
        can_update_plan=can_update,
        time_scale=time_scale,
    )


def history_rows(records: list[Any]) -> list[HistoryRow]:
    """Earlier analyses (stored records, newest first) as rows: date, view, what it showed, headline."""
    rows = []
    for record in records:
        report = attr(record, "report") or {}
        cad = (attr(report, "metrics") or {}).get("cadence")
        headline = ""
        if cad is not None and attr(cad, "value") is not None:
            headline = f"cadence {_fmt(attr(cad, 'value'), attr(cad, 'uncertainty'), 'steps/min')}"
            if attr(cad, "quality") == "unreliable":
                headline += " as filmed (not real time)"
        rows.append(
            HistoryRow(
                created_at=attr(record, "created_at"),
                view=str(attr(record, "view", "") or ""),
                activity=str(attr(record, "activity", "") or ""),
                headline=headline,
                summary=str(attr(report, "summary", "") or ""),
            )
        )
    return rows
