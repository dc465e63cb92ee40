"""Gait analysis speed: frames/s of the whole analysis and its ratio to pose inference alone.

The pose model's own time is measured inside the same run, on the same frames (time spent in
``backend.process``), so the ratio is immune to how busy the shared machine is. Usage::

    .venv/bin/python benchmarks/gait_bench.py [--clip walking_side_720p30.mp4] [--frames 300]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

from heelcoach.gait.pipeline import FrameStash, GaitAnalysis, video_keypoints
from heelcoach.gait.pose import PoseTiming
from heelcoach.gait.render import key_frame_indices, write_key_frames, write_plots
from heelcoach.gait.video import probe_video, read_frames
from heelcoach.knowledge import load_catalogue

ROOT = Path(__file__).resolve().parent.parent
VIDEO = ROOT.parent / "shared" / "data" / "video"
RESULTS = ROOT / "benchmarks" / "results"
GOAL_OVERHEAD = 1.15  # whole analysis / inference alone
GOAL_REALTIME = 1.0  # wall time / clip duration, for a 10 s 30 fps 720p clip


def bench(clip: Path, frames: int | None, out_dir: Path) -> dict[str, object]:
    """Run the whole analysis once and time its parts."""
    rules = load_catalogue().gait
    info = probe_video(clip)
    timing = PoseTiming()
    start = time.perf_counter()
    stash = FrameStash()
    kp, _ = video_keypoints(clip, timing=timing, max_frames=frames, stash=stash)
    decoded_and_posed = time.perf_counter()
    analysis = GaitAnalysis(rules).run(kp, clip.name, "video")
    analysed = time.perf_counter()
    needed = key_frame_indices(analysis.contacts_, analysis.view_, analysis.keypoints_, stash.frames.keys())
    stills, scale = {i: stash.frames[i] for i in needed if i in stash.frames}, stash.scale
    reread = len(stills) < len(needed)
    if reread:
        stills, scale = read_frames(clip, needed), 1.0
    write_key_frames(
        analysis.keypoints_,
        analysis.contacts_,
        analysis.view_,
        analysis.direction_,
        analysis.leg_length_px_,
        out_dir,
        stills,
        clip.stem,
        frame_scale=scale,
    )
    write_plots(
        kp,
        analysis.contacts_,
        analysis.view_,
        analysis.direction_,
        analysis.leg_length_px_,
        analysis.metrics_,
        out_dir / f"{clip.stem}_signals.png",
    )
    end = time.perf_counter()
    total = end - start
    n = kp.n_frames
    duration = n / info.fps
    return {
        "clip": clip.name,
        "size": f"{info.width}x{info.height}",
        "fps": info.fps,
        "frames": n,
        "clip_duration_s": round(duration, 2),
        "inference_s": round(timing.inference_s, 3),
        "decode_and_glue_s": round(decoded_and_posed - start - timing.inference_s, 3),
        "analysis_s": round(analysed - decoded_and_posed, 3),
        "render_s": round(end - analysed, 3),
        "total_s": round(total, 3),
        "inference_fps": round(n / timing.inference_s, 1),
        "whole_analysis_fps": round(n / total, 1),
        "overhead_ratio": round(total / timing.inference_s, 3),
        "overhead_ratio_without_render": round((analysed - start) / timing.inference_s, 3),
        "realtime_factor": round(total / duration, 3),
        "goal_overhead_ratio": GOAL_OVERHEAD,
        "goal_realtime_factor": GOAL_REALTIME,
        "activity": analysis.report_.activity,
        "contacts": len(analysis.contacts_),
        "cadence_spm": analysis.metrics_["cadence"].value if "cadence" in analysis.metrics_ else None,
        "key_frames_decoded_again": reread,
    }


def main() -> None:
    """Benchmark the 720p clip (first 10 s) and the treadmill clip; write JSON to benchmarks/results/."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clip", action="append", help="clip name in ../shared/data/video (repeatable)")
    parser.add_argument("--frames", type=int, default=300, help="frames per clip (300 = 10 s at 30 fps)")
    args = parser.parse_args()
    clips = args.clip or ["walking_side_720p30.mp4", "treadmill_side_30fps.mp4"]
    out_dir = RESULTS / "gait_frames"
    warnings.filterwarnings("ignore", message="SymbolDatabase.GetPrototype", category=UserWarning)
    runs = [bench(VIDEO / name, args.frames, out_dir) for name in clips]
    for run in runs:
        print(
            f"{run['clip']:30s} {run['size']:>9s} {run['frames']:4d} frames: "
            f"whole {run['whole_analysis_fps']:5.1f} fps, "
            f"inference {run['inference_fps']:5.1f} fps, ratio {run['overhead_ratio']:.3f} "
            f"(goal <= {GOAL_OVERHEAD}), {run['realtime_factor']:.2f} x real time (goal <= {GOAL_REALTIME})"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"gait_{stamp}.json"
    meta = {"machine": platform.platform(), "cpus": os.cpu_count(), "load_avg": os.getloadavg()}
    path.write_text(json.dumps({"meta": meta, "runs": runs}, indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
