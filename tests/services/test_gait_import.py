"""Importing the gait service is cheap: OpenCV, MediaPipe, SciPy and matplotlib load only for an analysis."""

from __future__ import annotations

import json
import subprocess
import sys

from heelcoach.services import gait

HEAVY = ("cv2", "mediapipe", "matplotlib", "scipy")

PROBE = """
import json, sys
import heelcoach.services.gait as gait
from heelcoach.gait import GaitError, GaitReport
gait.latest_report, gait.save_report, gait.GaitReportRecord
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})))
"""


def test_importing_the_gait_service_loads_no_video_or_pose_library() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=set(HEAVY))],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_the_gait_package_still_loads_its_analysis_names_on_use() -> None:
    import heelcoach.gait as package

    for name in package.__all__:
        assert getattr(package, name) is not None
    assert "GaitAnalysis" in dir(package)


def test_the_service_exports_what_the_web_and_cli_use() -> None:
    for name in (
        "save_report",
        "latest_report",
        "GaitReport",
        "GaitReportRecord",
        "ViewChoice",
    ):
        assert name in gait.__all__
        assert hasattr(gait, name)
