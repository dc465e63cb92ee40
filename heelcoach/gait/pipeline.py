"""The whole analysis as one algorithm object: keypoints in, a GaitReport out.

Example::

    analysis = GaitAnalysis(rules=load_catalogue().gait, view="auto").run(keypoints, source="clip.mp4")
    analysis.report_.metrics["cadence"].value
"""

from __future__ import annotations

import contextlib
import importlib
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import ClassVar, Literal

import numpy as np
from numpy.typing import NDArray

from heelcoach.gait.activity import ActivityClassifier, TimeScale, judge_time_scale
from heelcoach.gait.base import GaitAlgorithm, check_option
from heelcoach.gait.errors import NobodyInVideoError, TooShortError, UnreadableVideoError
from heelcoach.gait.events import (
    Contact,
    FrontalEventDetector,
    SagittalEventDetector,
    View,
    ViewDetector,
    cadence_from_contacts,
    facing_series,
)
from heelcoach.gait.findings import Borderline, Finding, FindingRules, cadence_cue
from heelcoach.gait.keypoints import FloatArray, Keypoints
from heelcoach.gait.metrics import Metric, MetricSet, activity_features
from heelcoach.gait.numbers import format_value
from heelcoach.gait.pose import MediapipeBackend, PoseBackend, PoseTiming, Progress, estimate_pose
from heelcoach.gait.report import GaitReport, Quality
from heelcoach.gait.rhythm import MIN_STRENGTH, Rhythm, SlowMotion, clip_rhythm, compare, slow_motion_factor
from heelcoach.gait.tracking import (
    GapFiller,
    LowPassFilter,
    OutlierRejector,
    SideSwapCorrector,
    leg_length_px,
    mask_low_scores,
)
from heelcoach.gait.video import FrameStream, VideoInfo, key_frame_numbers, probe_video
from heelcoach.knowledge.schema_gait import GaitRules

ViewChoice = Literal["auto", "side", "rear", "front"]

#: Fewer frames with a person than this (or than 0.5 s) and there is nothing to analyse.
MIN_PERSON_FRAMES = 10


class GaitAnalysis(GaitAlgorithm):
    """Keypoints -> cleaned signals -> events -> activity -> metrics -> findings -> report.

    A pipeline of the algorithms in this package; its verb is ``run``.

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
    slowed_by : who said so ("you", "the file"), for the report's words.
    shown_slowed : the slow-down the report states, when the decoder already undid part of it.

    Attributes
    ----------
    report_ : the whole result as a :class:`GaitReport` (what the services store and show).
    keypoints_ : the cleaned keypoints angles are measured on (pixels).
    event_keypoints_ : the lightly cleaned keypoints events are found on (pixels).
    view_ : the view analysed (``side``, ``rear`` or ``front``).
    view_detected_ : the view the clip looked like.
    direction_ : (n_frames,) +1 where the runner faces the image right, -1 left.
    leg_length_px_ : the runner's leg length, in pixels.
    contacts_ : the foot contacts, in time order.
    activity_ : the activity classifier, with ``activity_`` and ``reasons_``.
    time_scale_ : whether the clip's times are real, and the factor when slowed.
    rhythm_ : the clip's step rhythm from the pelvis and the feet.
    features_ : posture cues in degrees (swing knee flexion, elbow angle; None when unseen).
    metrics_ : metric id -> :class:`Metric` (units as in ``gait.yaml``).
    findings_ : the findings, strongest first.
    """

    _action_method: ClassVar[str] = "run"
    report_: GaitReport
    keypoints_: Keypoints
    event_keypoints_: Keypoints
    view_: View
    view_detected_: View
    direction_: FloatArray
    leg_length_px_: float
    contacts_: list[Contact]
    activity_: ActivityClassifier
    time_scale_: TimeScale
    rhythm_: Rhythm
    features_: dict[str, float | None]
    metrics_: dict[str, Metric]
    findings_: list[Finding]

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
        slowed_by: str = "you",
        shown_slowed: float | None = None,
    ) -> None:
        check_option("view", view, ViewChoice)
        if slowed_down is not None and not 1.0 <= slowed_down <= 32.0:
            raise ValueError(f"slowed_down must be within 1-32, got {slowed_down}")
        self.slowed_down = slowed_down
        self.slowed_by = slowed_by
        # what the report says the slow-down is (a file's edit list may already be undone by the decoder)
        self.shown_slowed = shown_slowed if shown_slowed is not None else slowed_down
        self.rules = rules
        self.view = view
        self.height_cm = height_cm
        self.min_score = min_score
        self.event_cutoff_hz = event_cutoff_hz
        self.metric_cutoff_hz = metric_cutoff_hz
        self.max_gap_s = max_gap_s

    def run(self, keypoints: Keypoints, source: str = "", input_kind: str = "keypoints") -> GaitAnalysis:
        """Analyse ``keypoints``; raise NobodyInVideoError/TooShortError when there is nothing to measure."""
        name = source or keypoints.source
        keypoints = self._real_time(keypoints)
        masked = mask_low_scores(keypoints, self.min_score)
        n_person = self._check_measurable(keypoints, masked, name)
        event_kp, swap, clean = self._clean(masked)
        leg_px = leg_length_px(clean)
        view_det = ViewDetector().detect(clean)
        view: View = view_det.view_ if self.view == "auto" else self.view
        direction = facing_series(clean)
        rhythm = clip_rhythm(clean, leg_px)
        contacts, cadence_fix, rhythm_notes = self._contacts(event_kp, direction, leg_px, view, rhythm)
        activity, time_scale, physics, features = self._classify(
            clean, contacts, view, direction, leg_px, rhythm, cadence_fix
        )
        metrics = self._metrics(clean, contacts, view, direction, leg_px, cadence_fix, time_scale, activity)
        finding_rules = (
            FindingRules(self.rules).evaluate(metrics, view) if activity.activity_ == "running" else None
        )
        findings = finding_rules.findings_ if finding_rules else []
        borderline = finding_rules.borderline_ if finding_rules else []
        notes = self._notes(keypoints, swap.n_swaps_, contacts, view_det.view_)
        notes.extend(rhythm_notes)
        notes.extend(finding_rules.notes_ if finding_rules else [])
        if self.view != "auto" and self.view != view_det.view_:
            notes.append(f"view set to {self.view}; it looked like a {view_det.view_} view")
        quality = self._quality(
            keypoints, n_person, len(contacts), leg_px, swap.n_swaps_, view, time_scale.verdict
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
        self.time_scale_ = time_scale
        self.rhythm_ = rhythm
        self.features_ = features
        self.metrics_ = metrics
        self.findings_ = findings
        cue = cadence_cue(findings, self.rules)
        if cue is not None and quality.level == "poor":
            cue = None  # a tentative finding is shown, but does not change the running prescription
            notes.append("no cadence cue from a poor-quality clip: film again to confirm the overstride")
        self.report_ = self._report(
            name, input_kind, keypoints, n_person, quality, borderline, cue, notes, view_det, physics
        )
        return self

    def _real_time(self, keypoints: Keypoints) -> Keypoints:
        """The keypoints timed at the capture rate when the clip is slowed down."""
        if self.slowed_down and self.slowed_down != 1.0:
            real_fps = keypoints.fps * self.slowed_down
            keypoints = replace(
                keypoints,
                fps=real_fps,
                notes=(*keypoints.notes, f"slowed down {self.slowed_down:g}x: captured at {real_fps:g} fps"),
            )
        return keypoints

    def _check_measurable(self, keypoints: Keypoints, masked: Keypoints, name: str) -> int:
        """The number of frames with a person; raise when there is too little to measure."""
        n_person = int(masked.present().sum())
        if n_person == 0:
            raise NobodyInVideoError(
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
        return n_person

    def _clean(self, masked: Keypoints) -> tuple[Keypoints, SideSwapCorrector, Keypoints]:
        """(keypoints for events, the side-swap corrector used, keypoints for metrics)."""
        # events: light clean-up only; the foot envelope is immune to left/right swaps
        event_kp = GapFiller(self.max_gap_s).filter(masked).keypoints_
        # metrics: swaps undone, outliers dropped, gaps filled, smoothed
        swap = SideSwapCorrector().filter(masked)
        outliers = OutlierRejector().filter(swap.keypoints_)
        filled = GapFiller(self.max_gap_s).filter(outliers.keypoints_)
        clean = LowPassFilter(self.metric_cutoff_hz).filter(filled.keypoints_).keypoints_
        return event_kp, swap, clean

    def _classify(
        self,
        clean: Keypoints,
        contacts: list[Contact],
        view: View,
        direction: FloatArray,
        leg_px: float,
        rhythm: Rhythm,
        cadence_fix: tuple[float, float, int] | None,
    ) -> tuple[ActivityClassifier, TimeScale, SlowMotion, dict[str, float | None]]:
        """What the person is doing, and whether the clip's times are real: (activity, time scale,
        physics check, posture features)."""
        first = (
            MetricSet(self.rules, self.height_cm).calculate(clean, contacts, view, direction, leg_px).metrics_
        )
        cadence = _with_cadence(first, cadence_fix)["cadence"].value
        features = activity_features(clean)
        if view != "side":  # elbows and knees are not seen in profile from behind or in front
            features = {"swing_knee_flexion_deg": None, "elbow_angle_deg": features["elbow_angle_deg"]}
        activity = ActivityClassifier(self.rules).classify(
            len(contacts), cadence, features["swing_knee_flexion_deg"], features["elbow_angle_deg"]
        )
        physics = self._physics(clean, leg_px, rhythm, cadence)
        time_scale = judge_time_scale(
            self.rules,
            activity.activity_,
            cadence,
            physics.factor,
            given=self.slowed_by if self.slowed_down is not None else None,
        )
        return activity, time_scale, physics, features

    def _metrics(
        self,
        clean: Keypoints,
        contacts: list[Contact],
        view: View,
        direction: FloatArray,
        leg_px: float,
        cadence_fix: tuple[float, float, int] | None,
        time_scale: TimeScale,
        activity: ActivityClassifier,
    ) -> dict[str, Metric]:
        """The metrics reported (rounded), only those that mean something for the activity."""
        metrics = _with_cadence(
            MetricSet(self.rules, self.height_cm)
            .calculate(clean, contacts, view, direction, leg_px, time_unreliable=time_scale.time_unreliable)
            .metrics_,
            cadence_fix,
        )
        metrics = {k: v.rounded() for k, v in metrics.items()}
        if activity.activity_ != "running":
            keep = ("cadence", "step_time", "asymmetry") if activity.activity_ == "walking" else ()
            metrics = {k: v for k, v in metrics.items() if k in keep}
        return metrics

    @staticmethod
    def _notes(keypoints: Keypoints, n_swaps: int, contacts: list[Contact], view_seen: View) -> list[str]:
        """The input's notes, then what the clean-up changed."""
        relabelled = sum(1 for c in contacts if c.model_side is not None and c.model_side != c.side)
        notes = list(keypoints.notes)
        notes.append(f"{n_swaps} of {keypoints.n_frames} frames had the left and right legs swapped back")
        if relabelled:
            notes.append(
                f"{relabelled} contacts were relabelled so that sides alternate (the pose model swapped them)"
            )
        return notes

    def _report(
        self,
        name: str,
        input_kind: str,
        keypoints: Keypoints,
        n_person: int,
        quality: Quality,
        borderline: list[Borderline],
        cue: float | None,
        notes: list[str],
        view_det: ViewDetector,
        physics: SlowMotion,
    ) -> GaitReport:
        """The whole result, from the results set by :meth:`run`."""
        activity, time_scale, metrics, findings = (
            self.activity_,
            self.time_scale_,
            self.metrics_,
            self.findings_,
        )
        return GaitReport(
            source=name,
            input_kind=input_kind,
            pose_source=keypoints.source,
            view=self.view_,
            view_detected=view_det.view_,
            direction="image right" if np.nanmedian(self.direction_) > 0 else "image left",
            fps=keypoints.fps,
            fps_assumed=keypoints.fps_assumed,
            n_frames=keypoints.n_frames,
            duration_s=keypoints.n_frames / keypoints.fps,
            frames_with_person=n_person,
            activity=activity.activity_,
            activity_reasons=(*activity.reasons_, *time_scale.reasons),
            slow_motion_suspected=time_scale.verdict in ("slowed", "unsure"),
            speed_factor=time_scale.factor,
            time_scale=time_scale.verdict,
            slowed_down=self.shown_slowed if time_scale.verdict == "given" else None,
            slowed_by=self.slowed_by if time_scale.verdict == "given" else None,
            quality=quality,
            contacts=tuple(self.contacts_),
            metrics=metrics,
            findings=tuple(findings),
            borderline=tuple(borderline),
            cadence_cue_pct=cue,
            summary=self._summary(activity.activity_, time_scale, metrics, findings, cue),
            notes=tuple(notes),
            extras={
                "features": self.features_,
                "leg_length_px": self.leg_length_px_,
                "view_width_ratio": view_det.width_ratio_,
                "rhythm": asdict(self.rhythm_),
                "physics": asdict(physics),
            },
        )

    def _quality(
        self,
        kp: Keypoints,
        n_person: int,
        n_contacts: int,
        leg_px: float,
        n_swaps: int,
        view: str,
        time_verdict: str,
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
        if time_verdict == "slowed":
            issues.append("the clip looks slowed down: times are not real time")
            severe += 1
        elif time_verdict == "unsure":
            issues.append("heelcoach cannot tell whether the clip plays in real time")
            severe += 1
        elif time_verdict == "sped_up":
            issues.append("the clip looks sped up: times are not real time")
            severe += 1
        level = "good" if not issues else ("poor" if severe or len(issues) >= 3 else "fair")
        tips = tuple(t.text for t in self.rules.filming_tips) if level != "good" else ()
        return Quality(level=level, issues=tuple(issues), filming_tips=tips)

    def _summary(
        self,
        activity: str,
        time_scale: TimeScale,
        metrics: dict[str, Metric],
        findings: list[Finding],
        cue: float | None,
    ) -> str:
        if activity == "neither":
            return "No running or walking pattern was found in this clip."
        cad = metrics.get("cadence")
        as_filmed = cad.shown() if cad and cad.value else None
        if time_scale.verdict == "slowed" and time_scale.factor:
            factor = format_value(time_scale.factor)
            text = f"This looks like {activity} filmed in slow motion, about {factor}x slower than real time."
            if as_filmed and cad and cad.value:
                real = format_value(cad.value * time_scale.factor, "steps/min")
                text += (
                    f" As filmed the cadence is {as_filmed}, which is not your real cadence"
                    f" (about {real} if the clip is {factor}x slower)."
                )
            return text + " Say how many times slower the clip plays to get a full report."
        if time_scale.verdict in ("unsure", "sped_up"):
            what = "plays in real time" if time_scale.verdict == "unsure" else "is sped up"
            text = f"Recognised as {activity}, but heelcoach cannot tell whether this clip {what}"
            text += f" ({'; '.join(time_scale.reasons)})." if time_scale.reasons else "."
            if as_filmed:
                text += f" As filmed the cadence is {as_filmed}; it is not reported as your cadence."
            return text + " If the clip is slowed down, say how many times slower it plays."
        parts = [f"Recognised as {activity}."]
        if time_scale.verdict == "given" and self.shown_slowed and self.shown_slowed > 1.0:
            parts.append(
                f"The clip plays {format_value(self.shown_slowed)}x slower than real time ({self.slowed_by} "
                "said so): every time here is real time."
            )
        if as_filmed:
            parts.append(f"Cadence {as_filmed}.")
        if activity == "running":
            parts.append(
                f"{len(findings)} finding(s) larger than the measurement error."
                if findings
                else "Nothing larger than the measurement error."
            )
        if cue:
            parts.append(f"Suggested cue: about {format_value(cue)}% more steps per minute.")
        return " ".join(parts)

    def _contacts(
        self, event_kp: Keypoints, direction: FloatArray, leg_px: float, view: View, rhythm: Rhythm
    ) -> tuple[list[Contact], tuple[float, float, int] | None, list[str]]:
        """Contacts checked against the whole-clip rhythm; a factor of two is said and decided.

        Returns the contacts, a cadence (value, uncertainty, steps) to use instead of the contacts'
        own when the rhythm is the better evidence, and notes saying what was decided and why.
        """
        contacts = self._detect(event_kp, direction, leg_px, view, min_prominence_leg=None)
        cad, _unc, _n = cadence_from_contacts(contacts, event_kp.fps)
        c_step = 60.0 / cad if np.isfinite(cad) and cad > 0 else None
        agreement = compare(c_step, rhythm)
        whole = rhythm.consensus_step_s()
        if whole is None or c_step is None or agreement in ("no_rhythm", "unclear"):
            notes = []
            if agreement == "unclear":
                notes.append(
                    f"the contacts (a step every {c_step or 0:.2f} s) and the whole-clip rhythm "
                    f"(every {whole or 0:.2f} s) disagree: cadence is rough"
                )
            return contacts, None, notes
        return self._settle(event_kp, direction, leg_px, view, rhythm, contacts, c_step, whole, agreement)

    def _settle(
        self,
        event_kp: Keypoints,
        direction: FloatArray,
        leg_px: float,
        view: View,
        rhythm: Rhythm,
        contacts: list[Contact],
        c_step: float,
        whole: float,
        agreement: str,
    ) -> tuple[list[Contact], tuple[float, float, int] | None, list[str]]:
        """Contacts and rhythm both found a step, maybe of different lengths: search again, or take
        the cadence from the rhythm, and say why (returns as :meth:`_contacts`)."""
        said = (
            f"the feet, knees and pelvis repeat every {whole:.3f} s per step "
            f"({format_value(60.0 / whole, 'steps/min')}), the contacts every {c_step:.3f} s "
            f"({format_value(60.0 / c_step, 'steps/min')})"
        )
        if agreement == "contacts_half":
            retry = self._detect(event_kp, direction, leg_px, view, min_prominence_leg=0.04, step_s=whole)
            cad2, _u, _n2 = cadence_from_contacts(retry, event_kp.fps)
            if np.isfinite(cad2) and compare(60.0 / cad2, rhythm) == "agree":
                note = (
                    f"{said}: every other step had been missed, so contacts were searched again "
                    f"with the whole-clip step ({format_value(cad2, 'steps/min')})"
                )
                return retry, None, [note]
            note = f"{said}: half the contacts were missed; cadence is taken from the whole-clip rhythm"
        elif agreement == "contacts_double":
            note = (
                f"{said}: the contacts count twice as many steps as the legs make; cadence is "
                "taken from the whole-clip rhythm, because a foot cannot swing twice per stride"
            )
        elif abs(c_step / whole - 1.0) > 0.02 and rhythm.sources >= 2:
            note = (
                f"{said}: cadence is taken from the whole-clip rhythm, which {rhythm.sources} signals share"
            )
        else:
            return contacts, None, []
        return contacts, _rhythm_cadence(whole, event_kp), [note]

    def _detect(
        self,
        kp: Keypoints,
        direction: FloatArray,
        leg_px: float,
        view: View,
        min_prominence_leg: float | None,
        step_s: float | None = None,
    ) -> list[Contact]:
        """Contacts by the view's detector (``step_s``: the expected step, to bound the search)."""
        max_spm = 260.0 if step_s is None else min(260.0, 1.6 * 60.0 / step_s)
        if view == "side":
            side = SagittalEventDetector(cutoff_hz=self.event_cutoff_hz, max_cadence_spm=max_spm)
            if min_prominence_leg is not None:
                side.min_prominence_leg = min_prominence_leg
            return side.detect(kp, leg_length_px=leg_px, direction=direction).contacts_
        front = FrontalEventDetector(cutoff_hz=self.event_cutoff_hz, max_cadence_spm=max_spm)
        if min_prominence_leg is not None:
            front.min_prominence_leg = min_prominence_leg
        return front.detect(kp, leg_length_px=leg_px, direction=direction).contacts_

    def _physics(self, clean: Keypoints, leg_px: float, rhythm: Rhythm, cadence: float | None) -> SlowMotion:
        """The pelvis bounce's view of the time scale (no factor when the pelvis does not bounce clearly)."""
        slow = self.rules.slow_motion
        leg_m = 0.491 * self.height_cm / 100.0 if self.height_cm else slow.leg_length_m
        step_s = rhythm.pelvis_step_s if rhythm.pelvis_strength >= MIN_STRENGTH else None
        if step_s is None or not np.isfinite(leg_px):
            return SlowMotion(None, None, slow.pelvis_accel_g, leg_m)
        whole = rhythm.consensus_step_s()
        if whole is not None and abs(step_s / whole - 1.0) > 0.1:
            return SlowMotion(None, None, slow.pelvis_accel_g, leg_m)
        return slow_motion_factor(clean, leg_px, 1.0 / step_s, slow.pelvis_accel_g, leg_m)


def _rhythm_cadence(step_s: float, kp: Keypoints) -> tuple[float, float, int]:
    """Cadence from the whole-clip step period: (steps/min, uncertainty, steps in the clip)."""
    cadence = 60.0 / step_s
    span = kp.n_frames / kp.fps
    timing = np.sqrt(2) * (0.5 / kp.fps) / span * cadence
    return cadence, float(timing), round(span / step_s)


def _with_cadence(metrics: dict[str, Metric], fix: tuple[float, float, int] | None) -> dict[str, Metric]:
    """``metrics`` with the cadence replaced by ``fix`` (value, uncertainty, steps) when given."""
    if fix is None or "cadence" not in metrics:
        return metrics
    old = metrics["cadence"]
    value, unc, n = fix
    return {
        **metrics,
        "cadence": replace(
            old,
            value=value,
            uncertainty=max(unc, old.uncertainty or 0.0),
            n=n,
            notes=(*old.notes, "from the whole-clip rhythm of the feet, knees and pelvis"),
        ),
    }


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


def _preload(pictures: bool, extra: Sequence[Callable[[], object]] = ()) -> None:
    """Import what the analysis (and rendering) will need, on a spare core while the model runs,
    then run ``extra`` (e.g. loading the knowledge base the findings need).

    Best effort: anything failing here only means the same work happens later, on the main thread.
    """
    names = ["scipy.signal", "scipy.ndimage"] + (["heelcoach.gait.render"] if pictures else [])
    with contextlib.suppress(Exception):
        for name in names:
            importlib.import_module(name)
        for work in extra:
            work()


#: Fewest frames per pose model worth starting a second model for (a new model re-detects the
#: person on its first frame and costs about 0.3 s to start).
MIN_FRAMES_PER_WORKER = 90


#: Cost of decoding one frame while seeking, in units of one pose-model frame (measured here,
#: 2026-11-22: 0.5-0.75 s to seek 150 frames of 720p while two models ran at ~21 frames/s each).
SEEK_COST_PER_FRAME = 0.1


def split_points(n_frames: int, workers: int, key_frames: Sequence[int]) -> list[int]:
    """Where each of ``workers`` consecutive segments starts, so that they finish together.

    A segment starting mid-clip first seeks: OpenCV decodes from the key frame before its start,
    which costs ``SEEK_COST_PER_FRAME`` of a model frame per frame decoded. Starting at a key frame
    costs nothing. For two workers the start of the second minimises the later finish; more
    workers split evenly.
    """
    if workers <= 1 or n_frames <= 1:
        return [0]
    if workers > 2:
        return [round(i * n_frames / workers) for i in range(workers)]
    keys = np.unique(np.asarray([0, *key_frames], dtype=np.int64))
    starts = np.arange(1, n_frames, dtype=np.int64)
    before = keys[np.searchsorted(keys, starts, side="right") - 1]  # the key frame at or before each
    finish = np.maximum(starts, SEEK_COST_PER_FRAME * (starts - before) + (n_frames - starts))
    best = np.flatnonzero(finish == finish.min())
    middle = best[np.argmin(np.abs(starts[best] - n_frames / 2))]  # ties: the most even split
    return [0, int(starts[middle])]


def usable_cores() -> int:
    """The cores this process may run on (fewer than the machine's when it was pinned)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def pose_workers(n_frames: int, cores: int | None = None) -> int:
    """How many pose models to run side by side on ``n_frames``: one per core, at most two.

    MediaPipe runs each model on one core and releases the GIL while it works, so on two cores two
    models on two halves of the clip take about half the time of one. The cores are those this
    process may run on (``heelcoach worker --cores``, taskset, systemd's ``CPUAffinity=``).
    """
    available = cores if cores is not None else usable_cores()
    return max(1, min(2, available, n_frames // MIN_FRAMES_PER_WORKER))


def video_keypoints(
    path: Path,
    backend: PoseBackend | None = None,
    progress: Progress | None = None,
    timing: PoseTiming | None = None,
    max_frames: int | None = None,
    stash: FrameStash | None = None,
    workers: int | None = None,
    preload: Sequence[Callable[[], object]] = (),
) -> tuple[Keypoints, VideoInfo]:
    """Decode ``path`` and run the pose model on every frame (MediaPipe unless ``backend`` is given).

    With MediaPipe, long enough clips are cut into ``workers`` consecutive segments (default
    :func:`pose_workers`), each decoded and tracked by its own model on its own thread; the
    keypoints are joined in frame order. A given ``backend`` always runs alone, on every frame.
    ``preload``: work the caller will need next, done on a spare thread while the models run.
    """
    info = probe_video(path)
    n_hint = info.n_frames if max_frames is None else min(info.n_frames, max_frames)
    n_workers = 1 if backend is not None else (workers if workers is not None else pose_workers(n_hint))
    n_workers = max(1, min(n_workers, n_hint)) if n_hint > 0 else 1
    if stash is not None:
        stash.begin(n_hint, info.fps)
    rgb = backend is None  # MediaPipe: colour conversion on the decoding thread too
    keys = key_frame_numbers(path, n_hint) if n_workers > 1 else [0]
    starts = split_points(n_hint, n_workers, keys)
    # the last segment reads to the end (or max_frames): the container's frame count can be wrong
    stops: list[int | None] = [*starts[1:], max_frames]
    streams: list[FrameStream] = []
    models: list[PoseBackend] = [backend] if backend is not None else []
    try:
        # decoding (and seeking to each segment) starts first, while the models load
        for first, stop in zip(starts, stops, strict=True):
            count = None if stop is None else stop - first
            keep = None if stash is None else stash.keep
            streams.append(FrameStream(path, count, on_frame=keep, rgb=rgb, start=first))
        while len(models) < n_workers:
            models.append(MediapipeBackend())
        # after the models are loaded (both imports would fight for the GIL); during inference the
        # models wait in C++ without the GIL, so these imports cost the analysis nothing later
        loader = threading.Thread(target=_preload, args=(stash is not None, preload), name="hc-preload")
        loader.start()
        try:
            segments = [
                _Segment(stream, model, max(0, (n_hint if stop is None else stop) - first))
                for stream, model, first, stop in zip(streams, models, starts, stops, strict=True)
            ]
            kp = _pose_segments(segments, info, rgb, progress, timing, n_hint)
        finally:
            loader.join(timeout=30)  # never draw with matplotlib on two threads at once
    finally:
        for stream in streams:
            stream.close()
        for model in models if backend is None else []:
            model.close()
    if kp.n_frames == 0:
        raise UnreadableVideoError(f"{path}: no frame could be decoded. Export it again as MP4 (H.264).")
    return kp, info


@dataclass(frozen=True)
class _Segment:
    """Consecutive frames of a clip, the model that tracks the person through them, their number."""

    frames: FrameStream
    model: PoseBackend
    n_hint: int


def _pose_segments(
    segments: list[_Segment],
    info: VideoInfo,
    rgb: bool,
    progress: Progress | None,
    timing: PoseTiming | None,
    n_hint: int,
) -> Keypoints:
    """Run each segment's model on its frames, side by side; join the keypoints in frame order."""
    lock = threading.Lock()
    done = [0] * len(segments)

    def report(worker: int) -> Progress | None:
        if progress is None:
            return None

        def tick(count: int, _total: int) -> None:
            with lock:  # one progress bar, fed by every worker in turn
                done[worker] = count
                progress(sum(done), max(n_hint, sum(done)))

        return tick

    def run(worker: int) -> tuple[Keypoints, PoseTiming]:
        segment, own = segments[worker], PoseTiming()
        kp = estimate_pose(
            segment.frames,
            segment.model,
            fps=info.fps,
            width=info.width,
            height=info.height,
            n_frames_hint=segment.n_hint,
            progress=report(worker),
            timing=own,
            rgb=rgb,
        )
        return kp, own

    if len(segments) == 1:
        parts = [run(0)]
    else:
        with ThreadPoolExecutor(max_workers=len(segments), thread_name_prefix="heelcoach-pose") as pool:
            parts = list(pool.map(run, range(len(segments))))
    if timing is not None:
        for _kp, own in parts:
            timing.inference_s += own.inference_s
            timing.frames += own.frames
            timing.worker_s.append(own.inference_s)
    pieces = [kp for kp, _own in parts]
    if len(pieces) == 1:
        return pieces[0]
    return replace(
        pieces[0],
        xy=np.concatenate([kp.xy for kp in pieces]),
        score=np.concatenate([kp.score for kp in pieces]),
    )
