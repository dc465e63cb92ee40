"""Every test clip variant through the analysis: truth against what heelcoach reports.

The variants (``tests/gait/variants.py``) are made with ffmpeg from ../shared/data/video into a
cache folder at run time; their pose keypoints are cached there too, so a second run only times
the analysis. Prints a Markdown table for benchmarks/README.md and writes JSON to
benchmarks/results/. Usage::

    .venv/bin/python benchmarks/gait_variants.py
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the variants live with the tests

from heelcoach.gait.video import probe_video  # noqa: E402
from heelcoach.knowledge import load_catalogue  # noqa: E402
from heelcoach.services.gait import analyse_clip_keypoints, analyse_keypoints  # noqa: E402
from tests.gait.variants import VARIANTS, Variant, build, pose  # noqa: E402

KEYPOINTS = ROOT.parent / "shared" / "data" / "keypoints"
RESULTS = ROOT / "benchmarks" / "results"


def verdict_ok(
    v: Variant, time_scale: str, factor: float | None, cadence: float | None, activity: str
) -> str:
    """Whether the report meets the bar: real time within 3%, slowed flagged within 25%, never a
    confident wrong number."""
    if activity != v.truth_activity:
        return "wrong activity"
    if v.truth_spm is None:
        return "ok"
    if v.slowed > 1.0 and not v.file_says:
        if time_scale == "slowed" and factor is not None and abs(factor / v.slowed - 1.0) <= 0.25:
            return "ok"
        return "ok (unsure)" if time_scale == "unsure" else "MISSED"
    if time_scale != "real_time" and time_scale != "given":
        return "ok (unsure)" if time_scale == "unsure" else "FLAGGED WRONGLY"
    if cadence is None:
        return "no cadence"
    return "ok" if abs(cadence / v.truth_spm - 1.0) <= 0.03 else "WRONG"


def run_variant(v: Variant, rules: object) -> dict[str, object]:
    clip = build(v)
    kp, pose_s = pose(v)
    info = probe_video(clip)
    from dataclasses import replace

    kp = replace(kp, fps=info.fps)  # container variants: the frames of their base, timed as this file
    start = time.perf_counter()
    report = analyse_clip_keypoints(clip, kp, rules=rules)  # type: ignore[arg-type]
    took = time.perf_counter() - start
    return _row(v.name, v, report, pose_s, took)


def _row(name: str, v: Variant | None, report: object, pose_s: float, took: float) -> dict[str, object]:
    cad = report.metrics.get("cadence")  # type: ignore[attr-defined]
    value = None if cad is None else cad.value
    row = {
        "variant": name,
        "truth": _truth(v),
        "activity": report.activity,  # type: ignore[attr-defined]
        "cadence": None if cad is None else cad.shown(),
        "cadence_spm": value,
        "time_scale": report.time_scale,  # type: ignore[attr-defined]
        "factor": report.speed_factor or report.slowed_down,  # type: ignore[attr-defined]
        "quality": report.quality.level,  # type: ignore[attr-defined]
        "contacts": len(report.contacts),  # type: ignore[attr-defined]
        "pose_s": round(pose_s, 1),
        "analysis_s": round(took, 2),
        "frames": report.n_frames,  # type: ignore[attr-defined]
    }
    if v is not None:
        row["check"] = verdict_ok(
            v,
            str(row["time_scale"]),
            row["factor"],
            value,
            str(row["activity"]),  # type: ignore[arg-type]
        )
    return row


def _truth(v: Variant | None) -> str:
    if v is None:
        return "running, cadence not known"
    if v.truth_spm is None:
        return v.truth_activity
    text = f"{v.truth_spm:g} steps/min"
    if v.slowed > 1.0:
        text += f", plays {v.slowed:g}x slower" + (" (the file says so)" if v.file_says else "")
    return text


def main() -> None:
    warnings.filterwarnings("ignore", message="SymbolDatabase.GetPrototype", category=UserWarning)
    rules = load_catalogue().gait
    rows = [run_variant(v, rules) for v in VARIANTS.values()]
    for folder, fps_note in (
        ("halpe26_treadmill_side/treadmill_side_30fps.pose.json", None),
        ("openpose_running_side", 30.0),
        ("openpose_running_back", 30.0),
    ):
        start = time.perf_counter()
        report = analyse_keypoints(KEYPOINTS / folder, fps=fps_note, rules=rules)
        took = time.perf_counter() - start
        truth = Variant("halpe", "", truth_spm=168.9) if folder.startswith("halpe") else None
        rows.append(_row(f"keypoints: {folder.split('/')[0]}", truth, report, 0.0, took))
    print(
        "| variant | truth | activity | reported cadence | time scale (factor) | quality "
        "| pose s | analysis s | check |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        factor = f" ({r['factor']:.2f}x)" if isinstance(r["factor"], float) else ""
        print(
            f"| {r['variant']} | {r['truth']} | {r['activity']} | {r['cadence']} | {r['time_scale']}{factor} "
            f"| {r['quality']} | {r['pose_s'] or 'cached'} | {r['analysis_s']} | {r.get('check', '-')} |"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"gait_variants_{stamp}.json"
    path.write_text(json.dumps(rows, indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
