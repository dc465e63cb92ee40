"""Gait analysis speed: frames/s of the whole analysis and its ratio to pose inference alone.

The pose model's own time is measured inside the same run, on the same frames (time spent in
``backend.process_rgb``), so the ratio is immune to how busy the shared machine is. Each clip is
analysed twice in the same run: with one pose model, and with the default (one model per core, at
most two, each on its own half of the clip). With two models the inference time on the critical
path is the slower model's own total. Usage::

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

from heelcoach.gait.pose import PoseTiming
from heelcoach.gait.video import probe_video
from heelcoach.services.gait import analyse_video

ROOT = Path(__file__).resolve().parent.parent
VIDEO = ROOT.parent / "shared" / "data" / "video"
RESULTS = ROOT / "benchmarks" / "results"
GOAL_OVERHEAD = 1.15  # whole analysis / inference alone
GOAL_REALTIME = 1.0  # wall time / clip duration, for a 10 s 30 fps 720p clip


def bench(clip: Path, frames: int | None, out_dir: Path, workers: int | None) -> dict[str, object]:
    """Run the whole analysis once, as the service does, and time its parts.

    ``workers``: pose models side by side (None = the default, one per core, at most two).
    """
    info = probe_video(clip)
    timing = PoseTiming()
    start = time.perf_counter()
    # exactly what `heelcoach gait` and the web app run: pose, analysis, key frames, signal plot
    report = analyse_video(clip, out_dir=out_dir, timing=timing, max_frames=frames, pose_workers=workers)
    end = time.perf_counter()
    total = end - start
    n = report.n_frames
    duration = n / info.fps
    inference = timing.critical_s
    cadence = report.metrics.get("cadence")
    return {
        "clip": clip.name,
        "pose_models": len(timing.worker_s),
        "size": f"{info.width}x{info.height}",
        "fps": info.fps,
        "frames": n,
        "clip_duration_s": round(duration, 2),
        "inference_s": round(inference, 3),
        "inference_per_model_s": [round(t, 3) for t in timing.worker_s],
        "everything_else_s": round(total - inference, 3),
        "total_s": round(total, 3),
        "inference_fps": round(n / inference, 1),
        "whole_analysis_fps": round(n / total, 1),
        "overhead_ratio": round(total / inference, 3),
        "realtime_factor": round(total / duration, 3),
        "goal_overhead_ratio": GOAL_OVERHEAD,
        "goal_realtime_factor": GOAL_REALTIME,
        "activity": report.activity,
        "contacts": len(report.contacts),
        "cadence_spm": cadence.value if cadence is not None else None,
        "key_frames": len(report.key_frames),
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
    runs = [bench(VIDEO / name, args.frames, out_dir, workers) for name in clips for workers in (1, None)]
    for one, default in zip(runs[::2], runs[1::2], strict=True):
        default["speedup_vs_one_model"] = round(float(one["total_s"]) / float(default["total_s"]), 2)  # type: ignore[arg-type]
    for run in runs:
        print(
            f"{run['clip']:30s} {run['size']:>9s} {run['frames']:4d} frames, "
            f"{run['pose_models']} pose model(s): whole {run['whole_analysis_fps']:5.1f} fps, "
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
