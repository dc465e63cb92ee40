"""The docs the code points to are in the repository: every reference to a Markdown doc in a comment,
docstring or data file resolves to a file that exists, and the layer table names real packages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("heelcoach", "tests", "scripts", "benchmarks")
SUFFIXES = {".py", ".yaml", ".yml", ".sh", ".html", ".toml"}
#: A doc named the way this project names its docs: an upper-case file name, optionally with a path
#: (``docs/EVIDENCE.md``, ``benchmarks/README.md``, ``../shared/data/PROVENANCE.md``).
DOC_REF = re.compile(r"(?<![\w/.-])((?:\.\./)*(?:[\w-]+/)*[A-Z][A-Z_]*\.md)\b")
#: Docs that must live in docs/, never quoted without their folder.
IN_DOCS = ("ARCHITECTURE.md", "EVIDENCE.md", "STYLE.md", "RECIPES.md")


def doc_references(text: str) -> list[str]:
    return DOC_REF.findall(text)


def _sources() -> list[Path]:
    files: list[Path] = []
    for top in SCANNED:
        files += [p for p in (ROOT / top).rglob("*") if p.suffix in SUFFIXES and p.is_file()]
    return sorted(p for p in files if p.resolve() != Path(__file__).resolve())


def _all_references() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in _sources():
        for ref in doc_references(path.read_text(encoding="utf-8", errors="replace")):
            found.append((str(path.relative_to(ROOT)), ref))
    return found


def test_the_reference_pattern_finds_what_it_should() -> None:
    text = 'see docs/EVIDENCE.md section 6, "ARCHITECTURE.md" and ../shared/data/PROVENANCE.md; not x.md'
    assert doc_references(text) == ["docs/EVIDENCE.md", "ARCHITECTURE.md", "../shared/data/PROVENANCE.md"]


def test_the_architecture_and_the_evidence_are_in_the_repository() -> None:
    for name in ("ARCHITECTURE.md", "EVIDENCE.md"):
        assert (ROOT / "docs" / name).is_file(), name


def test_code_refers_to_docs_that_exist() -> None:
    references = _all_references()
    assert len(references) >= 15  # the scan sees the references it is meant to check
    missing = [(where, ref) for where, ref in references if not (ROOT / ref).resolve().is_file()]
    assert missing == []


def test_code_names_the_docs_folder_for_project_docs() -> None:
    bare = [(where, ref) for where, ref in _all_references() if ref in IN_DOCS]
    assert bare == []


@pytest.mark.parametrize("section", ["2", "2b", "3", "4", "6"])
def test_evidence_sections_quoted_in_the_code_exist(section: str) -> None:
    evidence = (ROOT / "docs" / "EVIDENCE.md").read_text(encoding="utf-8")
    heading = re.compile(rf"^#+ {re.escape(section)}\. ", re.MULTILINE)
    assert heading.search(evidence), section


def test_every_package_in_the_layer_table_exists() -> None:
    architecture = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    table = architecture.split("## Layers", 1)[1].split("\n## ", 1)[0]
    packages = re.findall(r"`heelcoach/(\w+)/`", table)
    assert len(packages) >= 9
    assert all((ROOT / "heelcoach" / name / "__init__.py").is_file() for name in packages)
    real = {p.parent.name for p in (ROOT / "heelcoach").glob("*/__init__.py")}
    assert real - {"samples"} <= set(packages)
