"""Helpers for the watch-data tests: read a real file from ../shared/data/activities."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from heelcoach.activities.importer import ParsedFile, parse_bytes


@pytest.fixture(scope="session")
def activities_dir(shared_data: Path) -> Path:
    """The folder of real activity files."""
    return shared_data / "activities"


@pytest.fixture(scope="session")
def parse(activities_dir: Path) -> Callable[..., ParsedFile]:
    """parse('fit/x.fit', with_records=False) -> ParsedFile, from the real file."""

    def _parse(rel: str, *, with_records: bool = False) -> ParsedFile:
        path = activities_dir / rel
        return parse_bytes(path.read_bytes(), str(path), path.name.lower(), with_records=with_records)

    return _parse
