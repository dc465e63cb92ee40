"""The whole analysis as one algorithm object: keypoints in, a GaitReport out.

Example::

    analysis = GaitAnalysis(rules=load_catalogue().gait, view="auto").run(keypoints, source="clip.mp4")
    analysis.report_.metrics["cadence"].value
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from heelcoach.gait.activity import ActivityClassifier
from heelcoach.gait.errors import NoPersonError, TooShortError, UnreadableVideoError
from heelcoach.gait.events import (
    Contact,
    FrontalEventDetector,
    SagittalEventDetector,
    View,
    ViewDetector,
    facing_series,
)
from heelcoach.gait.findings import Finding, FindingRules, cadence_cue
from heelcoach.gait.keypoints import Keypoints
from heelcoach.gait.metrics import Metric, MetricSet, activity_features
from heelcoach.gait.numbers import format_measure, format_value
from heelcoach.gait.pose import MediapipeBackend, PoseBackend, PoseTiming, Progress, estimate_pose
from heelcoach.gait.report import GaitReport, Quality
from heelcoach.gait.tracking import (
    GapFiller,
    LowPassFilter,
    OutlierRejector,
    SideSwapCorrector,
    leg_length_px,
    mask_low_scores,
)
from heelcoach.gait.video import VideoInfo, iter_frames, probe_video
from heelcoach.knowledge.schema_gait import GaitRules

ViewChoice = Literal["auto", "side", "rear", "front"]

#: Fewer frames with a person than this (or than 0.5 s) and there is nothing to analyse.
MIN_PERSON_FRAMES = 10


class GaitAnalysis:
    """Keypoints -> cleaned signals -> events -> activity -> metrics -> findings -> report.

    Parameters
    ----------
    rules : gait rules of the knowledge base.
    view : ``auto`` to detect, or the camera view the person says they filmed.
    height_cm : body height, to report vertical oscillation in cm too.
    min_score : landmarks below this confidence are treated as missing.
    event_cutoff_hz : low-pass cut-off of the signals events are found on (light, keeps timing).
    metric_cutoff_hz : low-pass cut-off of the signals angles are measured on.
    max_gap_s : longest gap filled by interpolation.
    slowed_down : the clip plays this many times slower than real time (a 120 fps slow-motion clip
        played at 30 fps: 4); times are corrected and the real capture rate is used.
    """

    def __init__(
        self,
        rules: GaitRules,
        view: ViewChoice = "auto",
        height_cm: float | None = None,
        min_score: float = 0.2,
        event_cutoff_hz: float = 12.0,
        metric_cutoff_hz: float = 7.0,
        max_gap_s: float = 0.15,
        slowed_down: float | None = None,
    ) -> None:
        if slowed_down is not None and not 1.0 <= slowed_down <= 32.0:
            raise ValueError(f"slowed_down must be within 1-32, got {slowed_down}")
        self.slowed_down = slowed_down
        self.rules = rules
        self.view = view
        self.height_cm = height_cm
        self.min_score = min_score
        self.event_cutoff_hz = event_cutoff_hz
        self.metric_cutoff_hz = metric_cutoff_hz
        self.max_gap_s = max_gap_s

    def run(self, keypoints: Keypoints, source: str = "", input_kind: str = "keypoints") -> GaitAnalysis:
        """Analyse ``keypoints``; raise NoPersonError/TooShortError when there is nothing to measure."""
        name = source or keypoints.source
        if self.slowed_down and self.slowed_down != 1.0:
            real_fps = keypoints.fps * self.slowed_down
            keypoints = replace(
                keypoints,
                fps=real_fps,
                notes=(*keypoints.notes, f"slowed down {self.slowed_down:g}x: captured at {real_fps:g} fps"),
            )
        masked = mask_low_scores(keypoints, self.min_score)
        present = masked.present()
        n_person = int(present.sum())
        if n_person == 0:
            raise NoPersonError(
                f"{name}: no person was found in any frame. Film the runner's whole body, in good light, "
                "with nobody else in view."
            )
        if n_person < max(MIN_PERSON_FRAMES, 0.5 * keypoints.fps):
            raise TooShortError(
                f"{name}: a person is visible in only {n_person} frames ({n_person / keypoints.fps:.1f} s); "
                "film at least 10 steps (about 5 s) of running."
            )
        if keypoints.fps < self.rules.fps.min_fps:
            raise TooShortError(
                f"{name}: {keypoints.fps:g} frames/s is too few to see foot contacts "
                f"(at least {self.rules.fps.min_fps:g} needed)."
            )
        # events: light clean-up only; the foot envelope is immune to left/right swaps
        event_kp = GapFiller(self.max_gap_s).run(masked).keypoints_
        # metrics: swaps undone, outliers dropped, gaps filled, smoothed
        swap = SideSwapCorrector().run(masked)
        outliers = OutlierRejector().run(swap.keypoints_)
        filled = GapFiller(self.max_gap_s).run(outliers.keypoints_)
        clean = LowPassFilter(self.metric_cutoff_hz).run(filled.keypoints_).keypoints_
        leg_px = leg_length_px(clean)
        view_det = ViewDetector().run(clean)
        view: View = view_det.view_ if self.view == "auto" else self.view
        direction = facing_series(clean)
        contacts: list[Contact]
        if view == "side":
            contacts = (
                SagittalEventDetector(cutoff_hz=self.event_cutoff_hz)
                .run(event_kp, direction, leg_px)
                .contacts_
            )
        else:
            contacts = FrontalEventDetector(cutoff_hz=self.event_cutoff_hz).run(event_kp, leg_px).contacts_
        metric_set = MetricSet(self.rules, self.height_cm)
        pre = metric_set.run(clean, contacts, view, direction, leg_px).metrics_
        cadence = pre["cadence"].value
        features = activity_features(clean)
        if view != "side":  # elbows and knees are not seen in profile from behind or in front
            features = {"swing_knee_flexion_deg": None, "elbow_angle_deg": features["elbow_angle_deg"]}
        activity = ActivityClassifier(self.rules).run(
            len(contacts), cadence, features["swing_knee_flexion_deg"], features["elbow_angle_deg"]
        )
        time_unreliable = activity.slow_motion_ or activity.fast_motion_
        metrics = (
            MetricSet(self.rules, self.height_cm)
            .run(clean, contacts, view, direction, leg_px, time_unreliable=time_unreliable)
            .metrics_
        )
        if activity.activity_ != "running":
            keep = ("cadence", "step_time", "asymmetry") if activity.activity_ == "walking" else ()
            metrics = {k: v for k, v in metrics.items() if k in keep}
        finding_rules = (
            FindingRules(self.rules).run(metrics, view) if activity.activity_ == "running" else None
        )
        findings = finding_rules.findings_ if finding_rules else []
        borderline = finding_rules.borderline_ if finding_rules else []
        pattern_notes = finding_rules.notes_ if finding_rules else []
        relabelled = sum(1 for c in contacts if c.model_side is not None and c.model_side != c.side)
        notes = list(keypoints.notes)
        notes.append(
            f"{swap.n_swaps_} of {keypoints.n_frames} frames had the left and right legs swapped back"
        )
        if relabelled:
            notes.append(
                f"{relabelled} contacts were relabelled so that sides alternate (the pose model swapped them)"
            )
        notes.extend(pattern_notes)
        if self.view != "auto" and self.view != view_det.view_:
            notes.append(f"view set to {self.view}; it looked like a {view_det.view_} view")
        quality = self._quality(
            keypoints, n_person, len(contacts), leg_px, swap.n_swaps_, view, activity.slow_motion_
        )
        if quality.level == "poor" and findings:
            findings = [replace(f, weight=round(f.weight * 0.5, 3)) for f in findings]
            notes.append("clip quality is poor: findings are tentative and count half as evidence")
        self.event_keypoints_ = event_kp
        self.keypoints_ = clean
        self.view_ = view
        self.view_detected_ = view_det.view_
        self.direction_ = direction
        self.leg_length_px_ = leg_px
        self.contacts_ = contacts
        self.activity_ = activity
        self.features_ = features
        self.metrics_ = metrics
        self.findings_ = findings
        cue = cadence_cue(findings, self.rules)
        if cue is not None and quality.level == "poor":
            cue = None  # a tentative finding is shown, but does not change the running prescription
            notes.append("no cadence cue from a poor-quality clip: film again to confirm the overstride")
        facing = "image right" if np.nanmedian(direction) > 0 else "image left"
        self.report_ = GaitReport(
            source=name,
            input_kind=input_kind,
            pose_source=keypoints.source,
            view=view,
            view_detected=view_det.view_,
            direction=facing,
            fps=keypoints.fps,
            fps_assumed=keypoints.fps_assumed,
            n_frames=keypoints.n_frames,
            duration_s=keypoints.n_frames / keypoints.fps,
            frames_with_person=n_person,
            activity=activity.activity_,
            activity_reasons=tuple(activity.reasons_),
            slow_motion_suspected=activity.slow_motion_,
            speed_factor=activity.speed_factor_,
            quality=quality,
            contacts=tuple(contacts),
            metrics=metrics,
            findings=tuple(findings),
            borderline=tuple(borderline),
            cadence_cue_pct=cue,
            summary=self._summary(activity.activity_, activity.slow_motion_, metrics, findings, cue),
            notes=tuple(notes),
            extras={"features": features, "leg_length_px": leg_px, "view_width_ratio": view_det.width_ratio_},
        )
        return self

    def _quality(
        self,
        kp: Keypoints,
        n_person: int,
        n_contacts: int,
        leg_px: float,
        n_swaps: int,
        view: str,
        slow_motion: bool,
    ) -> Quality:
        issues: list[str] = []
        severe = 0
        if n_person < 0.6 * kp.n_frames:
            issues.append(f"the runner is visible in only {n_person} of {kp.n_frames} frames")
        if n_contacts < 10:
            issues.append(f"only {n_contacts} foot contacts: film at least 10 steps")
            severe += n_contacts < 4
        if kp.fps < self.rules.fps.contact_time_min_fps:
            issues.append(
                f"{kp.fps:.0f} frames/s: contact time and angles at contact are rough "
                f"(>= {self.rules.fps.contact_time_min_fps:.0f} recommended)"
            )
        if kp.fps_assumed:
            issues.append(f"frame rate not recorded; {kp.fps:g} frames/s assumed, so times may be off")
        if np.isfinite(leg_px) and kp.height > 1 and leg_px < 0.15 * kp.height:
            issues.append("the runner is small in the frame: move closer or zoom in before filming")
        if n_swaps > 0.25 * kp.n_frames:
            issues.append("the pose model often confused the left and right legs")
        scores = kp.score[kp.score > 0]
        if scores.size and float(np.median(scores)) < 0.5:
            issues.append("keypoints were detected with low confidence (light, clothing or distance)")
            severe += 1
        if slow_motion:
            issues.append("the clip looks slowed down: times are not real time")
            severe += 1
        level = "good" if not issues else ("poor" if severe or len(issues) >= 3 else "fair")
        tips = tuple(t.text for t in self.rules.filming_tips) if level != "good" else ()
        return Quality(level=level, issues=tuple(issues), filming_tips=tips)

    def _summary(
        self,
        activity: str,
        slow: bool,
        metrics: dict[str, Metric],
        findings: list[Finding],
        cue: float | None,
    ) -> str:
        if activity == "neither":
            return "No running or walking pattern was found in this clip."
        cad = metrics.get("cadence")
        if slow:
            return (
                f"This looks like {activity} filmed in slow motion: the cadence as filmed "
                f"({format_value(cad.value, cad.unit)}) is not your real cadence."
                if cad and cad.value
                else f"This looks like {activity} in slow motion."
            )
        parts = [f"Recognised as {activity}."]
        if cad and cad.value:
            parts.append(f"Cadence {format_measure(cad.value, cad.uncertainty, cad.unit)}.")
        if activity == "running":
            parts.append(
                f"{len(findings)} finding(s) beyond the measurement error."
                if findings
                else "No finding beyond the measurement error."
            )
        if cue:
            parts.append(f"Suggested cue: about {format_value(cue)}% more steps per minute.")
        return " ".join(parts)


@dataclass
class FrameStash:
    """Frames kept during the pose pass for the key frames, so the clip is not decoded twice.

    Frames within ``window_s`` of the middle are kept (on the decoding thread), downscaled to at
    most ``max_side`` pixels (``scale`` records by how much); key frames prefer contacts among them.
    """

    window_s: float = 0.75
    max_side: int = 960
    frames: dict[int, NDArray[np.uint8]] = field(default_factory=dict)
    scale: float = 1.0
    first_frame: int = field(default=0, init=False)  # set by ``begin``; nothing kept before it
    last_frame: int = field(default=-1, init=False)

    def begin(self, n_frames: int, fps: float) -> None:
        """Prepare for a clip of ``n_frames`` at ``fps`` (which frames are kept)."""
        self.first_frame = n_frames // 2 - round(self.window_s * fps)
        self.last_frame = n_frames // 2 + round(self.window_s * fps)

    def keep(self, index: int, frame: NDArray[np.uint8]) -> None:
        """Keep a small copy of ``frame`` if it is near the middle (runs on the decoding thread)."""
        if not self.first_frame <= index <= self.last_frame:
            return
        scale = min(1.0, self.max_side / max(frame.shape[:2]))
        if scale < 1.0:
            import cv2  # only when a frame must be downscaled (a video is being analysed)

            size = (round(frame.shape[1] * scale), round(frame.shape[0] * scale))
            self.frames[index] = np.asarray(cv2.resize(frame, size, interpolation=cv2.INTER_AREA))
        else:
            self.frames[index] = frame.copy()
        self.scale = scale


def _preload(pictures: bool) -> None:
    """Import what the analysis (and rendering) will need, on a spare core while the model runs.

    Best effort: anything failing here only means the same work happens later, on the main thread.
    """
    names = ["scipy.signal", "scipy.ndimage"] + (["heelcoach.gait.render"] if pictures else [])
    with contextlib.suppress(Exception):
        for name in names:
            importlib.import_module(name)


def video_keypoints(
    path: Path,
    backend: PoseBackend | None = None,
    progress: Progress | None = None,
    timing: PoseTiming | None = None,
    max_frames: int | None = None,
    stash: FrameStash | None = None,
) -> tuple[Keypoints, VideoInfo]:
    """Decode ``path`` and run the pose model on every frame (MediaPipe unless ``backend`` is given)."""
    info = probe_video(path)
    own = backend is None
    model: PoseBackend = backend if backend is not None else MediapipeBackend()
    # after the model is loaded (both imports would fight for the GIL); during inference the model
    # waits in C++ without the GIL, so these imports cost the analysis nothing later
    preload = threading.Thread(target=_preload, args=(stash is not None,), name="heelcoach-preload")
    preload.start()
    n_hint = info.n_frames if max_frames is None else min(info.n_frames, max_frames)
    if stash is not None:
        stash.begin(n_hint, info.fps)
    rgb = isinstance(model, MediapipeBackend)  # colour conversion on the decoding thread too
    frames = iter_frames(path, max_frames, on_frame=None if stash is None else stash.keep, rgb=rgb)
    try:
        kp = estimate_pose(
            frames,
            model,
            fps=info.fps,
            width=info.width,
            height=info.height,
            n_frames_hint=n_hint,
            progress=progress,
            timing=timing,
            rgb=rgb,
        )
    finally:
        if own:
            model.close()
        preload.join(timeout=30)  # never draw with matplotlib on two threads at once
    if kp.n_frames == 0:
        raise UnreadableVideoError(f"{path}: no frame could be decoded. Export it again as MP4 (H.264).")
    return kp, info
