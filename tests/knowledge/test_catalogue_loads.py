"""The bundled knowledge base loads, validates and cross-checks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from heelcoach.knowledge import KnowledgeError, load_catalogue_from
from heelcoach.knowledge.catalogue import data_dir


def test_bundled_catalogue_loads(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert "seed_000_momentum" in catalogue.references


def _copy_data(tmp_path: Path) -> Path:
    for f in data_dir().iterdir():
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def test_unknown_source_is_named(tmp_path: Path) -> None:
    d = _copy_data(tmp_path)
    (d / "habits.yaml").write_text(
        yaml.safe_dump(
            {
                "habits": [
                    {
                        "id": "warm_up",
                        "name": "Warm up",
                        "plain": "Take five to ten minutes to warm up before you run.",
                        "sources": ["no_such_paper"],
                        "evidence": "rule_of_thumb",
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match="no_such_paper"):
        load_catalogue_from(d)


def test_bad_field_names_file_and_field(tmp_path: Path) -> None:
    d = _copy_data(tmp_path)
    (d / "habits.yaml").write_text(
        "habits:\n  - id: warm_up\n    name: Warm up\n    plain: short\n"
        "    sources: [seed_001_runners_heel]\n"
        "    evidence: Z\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as info:
        load_catalogue_from(d)
    message = str(info.value)
    assert "habits.yaml" in message
    assert "evidence" in message
    assert "plain" in message
