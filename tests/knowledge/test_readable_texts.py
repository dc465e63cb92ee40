"""Runner-facing knowledge texts name sources in words: no seed numbers, file names or internal ids.

Also the citation helpers every page, the CLI and the PDF handout use (``citation_text``,
``short_citation``, ``readable_sources``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from heelcoach.knowledge import Catalogue, citation_text, readable_sources, short_citation

#: "seed 001", "Seed 000's", "seeds 001 and 002", "seed_002_koapro_massage", "seeds/000_....txt"
SEED = re.compile(r"\bseeds?\b|seed_\d|seeds/", re.IGNORECASE)
#: Pointers to project files a runner never sees.
FILES = re.compile(r"\b[\w/.-]+\.(?:txt|md|yaml|py)\b|EVIDENCE\.md|PROVENANCE")
ID_TOKEN = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


def prose(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every text with a space in it (sentences, not the ids that link items), with its path."""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from prose(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from prose(child, f"{path}[{key}]")
    elif isinstance(value, list | tuple):
        for i, child in enumerate(value):
            yield from prose(child, f"{path}[{i}]")
    elif isinstance(value, str) and " " in value.strip():
        yield path, value


def leaks(text: str, ids: set[str]) -> list[str]:
    """What in ``text`` is an internal pointer: seed mentions, file names, catalogue ids."""
    found = [m.group(0) for m in SEED.finditer(text)] + [m.group(0) for m in FILES.finditer(text)]
    return found + [t for t in ID_TOKEN.findall(text) if t in ids]


def all_ids(catalogue: Catalogue) -> set[str]:
    return catalogue.every_id() | set(catalogue.references)


def test_every_knowledge_text_is_free_of_ids(catalogue: Catalogue) -> None:
    ids = all_ids(catalogue)
    bad = []
    for field in type(catalogue).model_fields:
        for path, text in prose(getattr(catalogue, field), field):
            if path.endswith(".citation"):  # stored with file names; shown only through citation_text
                continue
            found = leaks(text, ids)
            if found:
                bad.append(f"{path}: {found} in {text[:90]!r}")
    assert not bad, "\n".join(bad)


def test_the_walk_sees_the_texts_runners_read(catalogue: Catalogue) -> None:
    paths = {p for f in type(catalogue).model_fields for p, _ in prose(getattr(catalogue, f), f)}
    assert any(p.endswith(".evidence_note") for p in paths)
    assert any(".levels[" in p and p.endswith(".advance_when") for p in paths)
    assert any(p.startswith("triage.") and p.endswith(".reason") for p in paths)
    assert leaks("as in seed 001", set()) == ["seed"]
    assert leaks("move on to side_plank", {"side_plank"}) == ["side_plank"]


def test_citations_read_as_author_year_title(catalogue: Catalogue) -> None:
    for ref in catalogue.references.values():
        text = citation_text(ref)
        assert not SEED.search(text), text
        assert ".txt" not in text
        assert ref.id not in text
    seed = catalogue.references["seed_001_runners_heel"]
    assert citation_text(seed).startswith("Vykoukal J (DPT), reviewed by Carroll C. Heel pain after running")
    assert short_citation(seed) == "Vykoukal"
    assert short_citation(catalogue.references["rathleff_2015"]) == "Rathleff et al. 2015"
    assert short_citation(catalogue.references["jospt_2023_cpg"]) == "Koc et al. 2023"
    assert short_citation(catalogue.references["heelcoach_conventions"]) == "heelcoach clinical conventions"


def test_readable_sources_skips_unknown_ids_and_repeats(catalogue: Catalogue) -> None:
    texts = readable_sources(
        ["digiovanni_2003", "no_such_reference", "heelcoach_conventions", "digiovanni_2003"], catalogue
    )
    assert len(texts) == 2
    assert texts[0].startswith("DiGiovanni BF")
    assert "2003" in texts[0]
    assert "digiovanni_2003" not in " ".join(texts)
    assert "heelcoach_conventions" not in " ".join(texts)
