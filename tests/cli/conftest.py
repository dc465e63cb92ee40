"""Every CLI test writes to its own temporary data folder and database, never the user's."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEELCOACH_DATA_DIR", str(tmp_path / "heelcoach-data"))
    monkeypatch.setenv("HEELCOACH_DATABASE_URL", f"sqlite:///{tmp_path / 'heelcoach-cli.db'}")
