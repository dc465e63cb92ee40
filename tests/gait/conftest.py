"""Gait fixtures: pose results of the real videos, computed once per test session (per worker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from heelcoach.gait.keypoints import Keypoints
from heelcoach.knowledge.schema_gait import GaitRules

_CACHE: dict[str, Keypoints] = {}


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point heelcoach at a fresh data folder with no database, so `heelcoach gait` never writes to
    the user's own store; a test that wants one sets HEELCOACH_DATABASE_URL itself."""
    data_dir = tmp_path_factory.mktemp("heelcoach-data")
    monkeypatch.setenv("HEELCOACH_DATA_DIR", str(data_dir))
    monkeypatch.delenv("HEELCOACH_DATABASE_URL", raising=False)
    return data_dir


@pytest.fixture(scope="session")
def gait_rules(catalogue) -> GaitRules:  # type: ignore[no-untyped-def]
    return catalogue.gait  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def video_keypoints(shared_data: Path):  # type: ignore[no-untyped-def]
    """A function: video name -> MediaPipe keypoints, cached for the session."""
    from heelcoach.gait.pipeline import video_keypoints as run_pose

    def get(name: str) -> Keypoints:
        if name not in _CACHE:
            _CACHE[name], _info = run_pose(shared_data / "video" / name)
        return _CACHE[name]

    return get
