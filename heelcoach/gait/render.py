"""Annotated key frames (OpenCV drawing) and signal plots (matplotlib, Agg canvas) of an analysis."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import NDArray

from heelcoach.gait.events import Contact
from heelcoach.gait.geometry import flexion_deg, foot_centre, mid
from heelcoach.gait.keypoints import BONES, INDEX, Keypoints
from heelcoach.gait.metrics import Metric

Image = NDArray[np.uint8]
COLOURS = {"l": (230, 120, 30), "r": (30, 140, 240)}  # BGR: left blue, right orange
GREY = (170, 170, 170)
TEXT_BG = (30, 30, 30)


def _pt(p: NDArray[np.float64]) -> tuple[int, int] | None:
    return (round(p[0]), round(p[1])) if np.all(np.isfinite(p)) else None


def _skeleton(img: Image, xy: NDArray[np.float64], highlight: str | None, thickness: int) -> None:
    for a, b in BONES:
        pa, pb = _pt(xy[INDEX[a]]), _pt(xy[INDEX[b]])
        if pa is None or pb is None:
            continue
        side = a[0] if a[0] == b[0] and a[:2] in ("l_", "r_") else None
        colour = COLOURS[side] if side and (highlight is None or side == highlight) else GREY
        cv2.line(img, pa, pb, colour, thickness, cv2.LINE_AA)
    for name, index in INDEX.items():
        p = _pt(xy[index])
        if p is not None:
            colour = COLOURS.get(name[0], (255, 255, 255)) if name[:2] in ("l_", "r_") else (255, 255, 255)
            cv2.circle(img, p, thickness + 2, colour, -1, cv2.LINE_AA)


def _label(img: Image, lines: list[str], scale: float) -> None:
    y = int(28 * scale)
    for line in lines:
        (w, h), _ = cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, 0.6 * scale, max(1, int(scale)))
        cv2.rectangle(img, (6, y - h - 6), (14 + w, y + 6), TEXT_BG, -1)
        cv2.putText(
            img,
            line,
            (10, y),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.6 * scale,
            (255, 255, 255),
            max(1, int(scale)),
            cv2.LINE_AA,
        )
        y += int(h + 14 * scale)


def _canvas(kp: Keypoints, frame: Image | None) -> Image:
    if frame is not None:
        return frame.copy()
    return np.full((max(kp.height, 2), max(kp.width, 2), 3), 245, dtype=np.uint8)


def _fit(img: Image, max_side: int = 960) -> Image:
    scale = max_side / max(img.shape[:2])
    if scale >= 1:
        return img
    size = (int(img.shape[1] * scale), int(img.shape[0] * scale))
    return np.asarray(cv2.resize(img, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _frame_of(contact: Contact, view: str) -> int:
    """The frame a key frame shows: initial contact from the side, midstance from behind/in front."""
    return contact.ic_frame if view == "side" else (contact.midstance_frame or contact.ic_frame)


def pick_key_contacts(
    contacts: list[Contact],
    kp: Keypoints | None = None,
    available: Collection[int] = (),
    view: str = "side",
) -> list[Contact]:
    """One contact per side: the best-detected one (highest mean keypoint score), ties to the middle.

    Contacts in the first and last tenth of the clip are skipped when others exist (runners enter
    and leave the frame there). When ``available`` lists frames already in memory, contacts whose
    key frame is among them come first (no second decode of the clip).
    """
    out: list[Contact] = []
    if not contacts:
        return out
    centre = contacts[len(contacts) // 2].ic_frame
    first, last = contacts[0].ic_frame, contacts[-1].ic_frame
    margin = (last - first) / 10

    def rank(c: Contact) -> tuple[bool, bool, float, int]:
        inner = first + margin <= c.ic_frame <= last - margin
        missing = bool(available) and _frame_of(c, view) not in available
        score = float(np.mean(kp.score[c.ic_frame])) if kp is not None else 0.0
        return (not inner, missing, -round(score, 2), abs(c.ic_frame - centre))

    for side in ("left", "right"):
        same = [c for c in contacts if c.side == side]
        if same:
            out.append(min(same, key=rank))
    return out


def _side_line(metrics: dict[str, Metric] | None, metric_id: str, side: str, label: str) -> str | None:
    """``label`` with the metric's reported value for ``side`` (the same number as everywhere)."""
    m = (metrics or {}).get(metric_id)
    if m is None or m.value is None:
        return None
    value = m.left if side == "left" else m.right
    shown = m.shown(side) if value is not None else m.shown()
    return f"{label} {shown}"


def key_frame_side(
    kp: Keypoints,
    contact: Contact,
    direction: float,
    leg_px: float,
    frame: Image | None,
    metrics: dict[str, Metric] | None = None,
) -> Image:
    """The frame at initial contact: skeleton, hip vertical, heel offset (overstride), knee angle.

    The numbers written on it are the report's own per-side values (medians over every step), so
    the picture and the report agree; the marks show this one step.
    """
    img = _canvas(kp, frame)
    scale = max(1.0, max(img.shape[:2]) / 900)
    f = contact.ic_frame
    hip = mid(kp, "hip")[f]
    hip_x = hip[0]
    ahead = {s: direction * (kp.point(f"{s}_heel")[f, 0] - hip_x) for s in ("l", "r")}
    leg = max(ahead, key=lambda s: np.nan_to_num(ahead[s], nan=-np.inf))
    _skeleton(img, kp.xy[f], leg, max(2, int(2 * scale)))
    heel = kp.point(f"{leg}_heel")[f]
    knee = kp.point(f"{leg}_knee")[f]
    lines = [f"{contact.side} foot landing at {contact.ic_time_s:.2f} s"]
    ph, pheel = _pt(hip), _pt(heel)
    if ph is not None and pheel is not None:
        cv2.line(img, ph, (ph[0], pheel[1]), (0, 200, 0), max(1, int(scale)), cv2.LINE_AA)  # hip vertical
        cv2.arrowedLine(
            img, (ph[0], pheel[1]), pheel, (0, 0, 230), max(2, int(2 * scale)), cv2.LINE_AA, tipLength=0.2
        )
        lines.append(
            _side_line(metrics, "overstride", contact.side, "overstride (red arrow)")
            or f"overstride {100 * direction * (heel[0] - hip_x) / leg_px:.0f}% of leg length (red arrow)"
        )
    flex = flexion_deg(kp.point(f"{leg}_hip")[f][None], knee[None], kp.point(f"{leg}_ankle")[f][None])[0]
    pk = _pt(knee)
    if pk is not None and np.isfinite(flex):
        cv2.circle(img, pk, int(14 * scale), (0, 220, 255), max(1, int(scale)), cv2.LINE_AA)
        # whole degrees: one frame's angle from 2-D keypoints is good to several degrees at best
        lines.append(
            _side_line(metrics, "knee_flexion_contact", contact.side, "knee bend (yellow ring)")
            or f"knee bend {flex:.0f} deg (yellow ring)"
        )
    toe = kp.point(f"{leg}_toe")[f]
    if np.all(np.isfinite(toe)) and np.all(np.isfinite(heel)):
        angle = np.degrees(np.arctan2(heel[1] - toe[1], direction * (toe[0] - heel[0])))
        lines.append(
            _side_line(metrics, "foot_strike_angle", contact.side, "foot angle (toes up +)")
            or f"foot angle {angle:+.0f} deg (toes up +)"
        )
    if metrics:
        lines.append(f"numbers: {contact.side} foot, median of all steps")
    _label(img, lines, scale)
    return _fit(img)


def key_frame_frontal(
    kp: Keypoints, contact: Contact, frame: Image | None, metrics: dict[str, Metric] | None = None
) -> Image:
    """The frame at midstance from behind/in front: pelvis line against horizontal, stance-leg lines."""
    img = _canvas(kp, frame)
    f = contact.midstance_frame if contact.midstance_frame is not None else contact.ic_frame
    stance = "l" if contact.side == "left" else "r"
    xs = kp.xy[f][:, 0][np.isfinite(kp.xy[f][:, 0])]
    ys = kp.xy[f][:, 1][np.isfinite(kp.xy[f][:, 1])]
    body = float(ys.max() - ys.min()) if ys.size else 100.0
    scale = max(1.0, body / 400)
    _skeleton(img, kp.xy[f], stance, max(2, int(2 * scale)))
    lh, rh = _pt(kp.point("l_hip")[f]), _pt(kp.point("r_hip")[f])
    lines = [f"{contact.side} midstance, frame {f}"]
    if lh and rh:
        cv2.line(img, lh, rh, (0, 0, 230), max(2, int(2 * scale)), cv2.LINE_AA)
        cv2.line(img, lh, (rh[0], lh[1]), (0, 200, 0), max(1, int(scale)), cv2.LINE_AA)
        lines.append("red: pelvis line; green: horizontal")
    hip, _knee, ankle = (_pt(kp.point(f"{stance}_{j}")[f]) for j in ("hip", "knee", "ankle"))
    if hip and ankle:
        cv2.line(img, hip, ankle, (0, 220, 255), max(1, int(scale)), cv2.LINE_AA)
        lines.append("yellow: hip-ankle line (knee inside it = knee falls inward)")
    for metric_id, label in (("pelvic_drop", "pelvis drop"), ("knee_fppa", "knee inward angle")):
        line = _side_line(metrics, metric_id, contact.side, label)
        if line:
            lines.append(line)
    if metrics:
        lines.append(f"numbers: {contact.side} stance, median of all steps")
    if xs.size and ys.size:  # crop around the runner: from behind they may be small in the frame
        pad = body * 0.6
        x0, x1 = int(max(0, xs.min() - pad)), int(min(img.shape[1], xs.max() + pad))
        y0, y1 = int(max(0, ys.min() - pad * 0.5)), int(min(img.shape[0], ys.max() + pad * 0.5))
        if x1 - x0 > 20 and y1 - y0 > 20:
            img = np.ascontiguousarray(img[y0:y1, x0:x1])
            if img.shape[0] < 480:
                k = 480 / img.shape[0]
                img = np.asarray(
                    cv2.resize(img, (int(img.shape[1] * k), 480), interpolation=cv2.INTER_LINEAR),
                    dtype=np.uint8,
                )
    _label(img, lines, max(1.0, img.shape[0] / 900))
    return _fit(img)


def write_key_frames(
    kp: Keypoints,
    contacts: list[Contact],
    view: str,
    direction: NDArray[np.float64],
    leg_px: float,
    out_dir: Path,
    frames: dict[int, Image],
    stem: str,
    frame_scale: float = 1.0,
    metrics: dict[str, Metric] | None = None,
) -> list[Path]:
    """Write one annotated PNG per side; return the paths.

    ``frames`` may be downscaled copies (``frame_scale`` < 1); keypoints are scaled to match.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    if frame_scale != 1.0:
        kp = replace(
            kp,
            xy=kp.xy * frame_scale,
            width=round(kp.width * frame_scale),
            height=round(kp.height * frame_scale),
        )
        leg_px *= frame_scale
    paths = []
    for contact in pick_key_contacts(contacts, kp, frames.keys(), view):
        frame = frames.get(_frame_of(contact, view))
        if view == "side":
            img = key_frame_side(kp, contact, float(direction[contact.ic_frame]), leg_px, frame, metrics)
        else:
            img = key_frame_frontal(kp, contact, frame, metrics)
        path = out_dir / f"{stem}_keyframe_{contact.side}.png"
        if not cv2.imwrite(str(path), img):
            raise OSError(f"{path}: could not write the key frame")
        paths.append(path)
    return paths


def key_frame_indices(
    contacts: list[Contact], view: str, kp: Keypoints | None = None, available: Collection[int] = ()
) -> list[int]:
    """Frame numbers the key frames need (to decode only those), preferring ``available`` frames."""
    return [_frame_of(c, view) for c in pick_key_contacts(contacts, kp, available, view)]


def _middle_window(
    t: NDArray[np.float64], contacts: list[Contact], seconds: float = 4.0
) -> tuple[float, float] | None:
    """About ``seconds`` from the middle of a long clip, so single steps stay visible on a phone."""
    if t.size < 2 or t[-1] <= seconds * 1.25:
        return None
    middle = float(t[-1]) / 2 if not contacts else contacts[len(contacts) // 2].ic_time_s
    start = min(max(0.0, middle - seconds / 2), float(t[-1]) - seconds)
    return start, start + seconds


_MARKS = {"left": COLOURS["l"][::-1], "right": COLOURS["r"][::-1]}


def _rgb(bgr: tuple[int, int, int]) -> tuple[float, float, float]:
    return (bgr[0] / 255, bgr[1] / 255, bgr[2] / 255)


def _events(ax: Axes, contacts: list[Contact]) -> None:
    """Mark initial contacts: one collection per side and kind, not one artist per event."""
    for side in ("left", "right"):
        ic = [c.ic_time_s for c in contacts if c.side == side]
        colour = [_rgb(_MARKS[side])]
        band = ax.get_xaxis_transform()  # lines span the whole height, whatever the y range
        if ic:
            ax.vlines(ic, 0, 1, transform=band, colors=colour, linewidths=1.2, linestyles="-", alpha=0.8)


def _plot_side(
    axes: Any, t: NDArray[np.float64], kp: Keypoints, direction: NDArray[np.float64], leg_px: float
) -> None:
    """Side view: each foot ahead of the hip, each knee's bend, the pelvis height."""
    hip = mid(kp, "hip")
    for s, name in (("l", "left"), ("r", "right")):
        fwd = direction * (foot_centre(kp, s)[:, 0] - hip[:, 0]) / leg_px
        axes[0].plot(t, fwd, color=_rgb(_MARKS[name]), label=f"{name} foot", linewidth=2)
        knee = flexion_deg(kp.point(f"{s}_hip"), kp.point(f"{s}_knee"), kp.point(f"{s}_ankle"))
        axes[1].plot(t, knee, color=_rgb(_MARKS[name]), label=f"{name} knee", linewidth=2)
    axes[0].set_ylabel("foot ahead\nof hip (legs)")
    axes[1].set_ylabel("knee bend\n(deg)")
    axes[2].plot(t, -(hip[:, 1] - np.nanmean(hip[:, 1])) / leg_px * 100, color="k", linewidth=2)
    axes[2].set_ylabel("pelvis height\n(% leg)")


def _plot_frontal(axes: Any, t: NDArray[np.float64], kp: Keypoints, leg_px: float) -> None:
    """Rear or front view: feet heights, pelvis tilt, feet across the image."""
    diff = (foot_centre(kp, "l")[:, 1] - foot_centre(kp, "r")[:, 1]) / leg_px
    axes[0].plot(t, diff, color="k")
    axes[0].set_ylabel("left foot lower\nthan right (leg)")
    lh, rh = kp.point("l_hip"), kp.point("r_hip")
    axes[1].plot(t, np.degrees(np.arctan2(rh[:, 1] - lh[:, 1], np.abs(rh[:, 0] - lh[:, 0]))), color="k")
    axes[1].set_ylabel("pelvis tilt (deg,\nright hip lower +)")
    for s, name in (("l", "left"), ("r", "right")):
        axes[2].plot(t, foot_centre(kp, s)[:, 0], color=_rgb(_MARKS[name]), label=f"{name} foot")
    axes[2].set_ylabel("foot x (px)")


def _plot_title(view: str, kp: Keypoints, metrics: dict[str, Metric]) -> str:
    cad = metrics.get("cadence")
    title = f"{view} view, {kp.fps:g} frames/s"
    if cad is not None and cad.value is not None:
        title += f"\ncadence {cad.shown()}"
        if cad.quality == "unreliable":
            title += " as filmed (not real time)"
    return title


def write_plots(
    kp: Keypoints,
    contacts: list[Contact],
    view: str,
    direction: NDArray[np.float64],
    leg_px: float,
    metrics: dict[str, Metric],
    path: Path,
) -> Path:
    """One PNG of the main signals with the gait events marked."""
    t = np.arange(kp.n_frames) / kp.fps
    # sized for a phone: 4.2 in at 200 dpi (840 px) shown about 350 px wide keeps 12 pt text near 12 px
    fig = Figure(figsize=(4.2, 6.6), dpi=200)
    FigureCanvasAgg(fig)
    axes = fig.subplots(3, 1, sharex=True)
    if view == "side":
        _plot_side(axes, t, kp, direction, leg_px)
    else:
        _plot_frontal(axes, t, kp, leg_px)
    window = _middle_window(t, contacts)
    for ax in axes:
        _events(ax, contacts)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=12)
        ax.yaxis.label.set_size(13)
        if window is not None:
            ax.set_xlim(*window)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(
                loc="lower left", bbox_to_anchor=(0, 1), fontsize=11, ncol=2, frameon=False, borderpad=0
            )
    axes[-1].set_xlabel("time (s)", fontsize=12)
    fig.suptitle(_plot_title(view, kp, metrics), fontsize=13)
    fig.subplots_adjust(left=0.24, right=0.97, bottom=0.08, top=0.86, hspace=0.32)  # tight_layout costs 0.3 s
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(str(path))
    return path
