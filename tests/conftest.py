"""Shared fixtures: paths to the real data in ../shared, and the knowledge catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data folder (../shared/data); present in CI, required by the tests that use it."""
    if not DATA.is_dir():
        raise RuntimeError(f"{DATA} is missing: the real test data must sit beside the project")
    return DATA


@pytest.fixture(scope="session")
def catalogue():  # type: ignore[no-untyped-def]
    from heelcoach.knowledge import load_catalogue

    return load_catalogue()
