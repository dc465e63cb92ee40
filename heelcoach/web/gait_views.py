"""View model for a gait report: headline numbers, findings and annotated key frames."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True, slots=True)
class GaitReportView:
    """The report page."""

    job_id: str
    view: str
    activity: str
    quality: str
    quality_issues: list[str]
    summary: str
    filming_tips: list[str] = field(default_factory=list)
    metrics: list[MetricView] = field(default_factory=list)
    findings: list[FindingView] = field(default_factory=list)
    frame_paths: list[Path] = field(default_factory=list)
    frame_captions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _fmt(value: Any, unit: str = "") -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = 2 if 0 < abs(value) < 1 else 1
        text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
        return f"{text} {unit}".strip()
    return str(value)


CAPTIONS = {
    "keyframe_left": "Left foot landing",
    "keyframe_right": "Right foot landing",
    "keyframe": "Foot landing",
    "signals": "Angles and positions over the clip",
}


def _caption(path: Path) -> str:
    """A plain caption from a key-frame file name ('<upload>_keyframe_left.png' -> 'Left foot landing')."""
    stem = path.stem.lower()
    for key, words in CAPTIONS.items():
        if stem.endswith(key):
            return words
    return stem.rsplit("_", 1)[-1].replace("-", " ").capitalize()


def gait_report_view(report: Any, job_id: str) -> GaitReportView | None:
    """Build the view from a ``GaitReport`` (None when there is no report)."""
    if report is None:
        return None
    metrics = []
    for key, m in (attr(report, "metrics") or {}).items():
        value = attr(m, "value")
        if value is None:
            continue
        unit = str(attr(m, "unit", "") or "")
        shown = _fmt(value, unit)
        sd = attr(m, "uncertainty")
        if isinstance(sd, int | float):
            shown += f" (± {_fmt(sd)})"
        notes = attr(m, "notes", ()) or ()
        metrics.append(MetricView(str(attr(m, "name", "") or key), shown, " ".join(str(n) for n in notes)))
    findings = [
        FindingView(
            title=str(attr(f, "metric_id", "")).replace("_", " "),
            text=str(attr(f, "text", "")),
            driver=str(attr(f, "driver", "") or "").replace("_", " "),
            confidence=str(attr(f, "confidence", "") or ""),
        )
        for f in attr(report, "findings", ()) or ()
    ]
    frames = [Path(p) for p in attr(report, "key_frames", ()) or () if Path(str(p)).is_file()]
    frames += [Path(p) for p in attr(report, "plots", ()) or () if Path(str(p)).is_file()]
    captions = [_caption(p) for p in frames]
    quality = attr(report, "quality")
    return GaitReportView(
        job_id=job_id,
        view=str(attr(report, "view", "") or ""),
        activity=str(attr(report, "activity", "") or ""),
        quality=str(attr(quality, "level", "") or ""),
        quality_issues=[str(i) for i in attr(quality, "issues", ()) or ()],
        filming_tips=[str(t) for t in attr(quality, "filming_tips", ()) or ()],
        summary=str(attr(report, "summary", "") or ""),
        metrics=metrics,
        findings=findings,
        frame_paths=frames,
        frame_captions=captions,
        notes=[str(n) for n in attr(report, "notes", ()) or ()],
    )
