"""The gait report page rounds each measure to its uncertainty, as the reports themselves do."""

from __future__ import annotations

from pathlib import Path

from heelcoach.web.gait_views import gait_report_view


def test_metrics_are_rounded_to_their_uncertainty(tmp_path: Path) -> None:
    report = {
        "view": "side",
        "activity": "running",
        "metrics": {
            "cadence": {"name": "Cadence", "value": 210.5, "unit": "steps/min", "uncertainty": 18.7453},
            "shin": {"name": "Shin angle at contact", "value": 0.93, "unit": "deg", "uncertainty": 6.0},
            "contact": {"name": "Ground contact time", "value": 253.54, "unit": "ms", "uncertainty": None},
        },
    }
    view = gait_report_view(report, frames_root=tmp_path, use_action="/gait/latest/use")
    assert view is not None
    shown = {m.name: m.value for m in view.metrics}
    assert shown == {
        "Cadence": "211 ± 19 steps/min",
        "Shin angle at contact": "0.9 ± 6.0 deg",
        "Ground contact time": "254 ms",
    }
