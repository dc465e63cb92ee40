"""The gait report: everything one analysis found, as a value that turns into JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from heelcoach import DISCLAIMER
from heelcoach.gait.events import Contact
from heelcoach.gait.findings import Borderline, Finding
from heelcoach.gait.metrics import Metric

REPORT_SCHEMA = "heelcoach.gait/v1"


@dataclass(frozen=True)
class Quality:
    """How much to trust the clip: ``level`` good / fair / poor, with the reasons."""

    level: str
    issues: tuple[str, ...] = ()
    filming_tips: tuple[str, ...] = ()


@dataclass(frozen=True)
class GaitReport:
    """The result of one gait analysis (video or keypoint file)."""

    source: str
    input_kind: str
    pose_source: str
    view: str
    view_detected: str
    direction: str
    fps: float
    fps_assumed: bool
    n_frames: int
    duration_s: float
    frames_with_person: int
    activity: str
    activity_reasons: tuple[str, ...]
    slow_motion_suspected: bool
    speed_factor: float | None
    quality: Quality
    contacts: tuple[Contact, ...]
    metrics: dict[str, Metric]
    findings: tuple[Finding, ...]
    borderline: tuple[Borderline, ...]
    cadence_cue_pct: float | None
    summary: str
    #: real_time, slowed (``speed_factor`` times, to be confirmed), unsure, sped_up, or given
    time_scale: str = "real_time"
    #: how many times slower the clip plays, when the runner or the file said so (already applied)
    slowed_down: float | None = None
    slowed_by: str | None = None
    notes: tuple[str, ...] = ()
    key_frames: tuple[str, ...] = ()
    plots: tuple[str, ...] = ()
    disclaimer: str = DISCLAIMER
    schema: str = REPORT_SCHEMA
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def cadence_spm(self) -> float | None:
        """Cadence when it can be reported as fact (None for slowed-down or non-running clips)."""
        metric = self.metrics.get("cadence")
        if metric is None or metric.value is None or metric.quality == "unreliable":
            return None
        return metric.value

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        data = asdict(self)
        data["contacts"] = [{**asdict(c), "contact_time_s": c.contact_time_s} for c in self.contacts]
        return _round(data)

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return None if value != value else round(value, 4)  # NaN -> null
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_round(v) for v in value]
    return value
