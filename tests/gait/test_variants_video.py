"""Test clips made with ffmpeg from the real treadmill video, through the real pose model (slow; the
clips and their keypoints are cached in $HEELCOACH_GAIT_CACHE or /tmp, see tests/gait/variants.py)."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from heelcoach.gait.video import probe_video
from heelcoach.services.gait import analyse_clip_keypoints
from tests.gait.variants import VARIANTS, build, pose

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:SymbolDatabase.GetPrototype:UserWarning"),
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg makes the test clips"),
]


@pytest.mark.parametrize("name", ["treadmill_pan", "treadmill_slow2x", "treadmill_editlist_slow4x"])
def test_variant_gives_its_truth(name: str, gait_rules) -> None:
    variant = VARIANTS[name]
    clip = build(variant)
    kp, _seconds = pose(variant)
    kp = replace(kp, fps=probe_video(clip).fps)
    report = analyse_clip_keypoints(clip, kp, rules=gait_rules)
    assert report.activity == variant.truth_activity
    assert variant.truth_spm is not None
    if variant.slowed > 1.0 and not variant.file_says:
        assert report.time_scale == "slowed"
        assert report.speed_factor == pytest.approx(variant.slowed, rel=0.25)
        assert report.cadence_spm is None
    else:
        assert report.time_scale in ("real_time", "given")
        assert report.cadence_spm == pytest.approx(variant.truth_spm, rel=0.03)
