"""Load and validate the clinical knowledge base once; hand it to the core as one value.

Usage::

    from heelcoach.knowledge import load_catalogue
    cat = load_catalogue()
    cat.exercises["rathleff_high_load_heel_raise"].levels[0].dose
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from heelcoach.errors import KnowledgeError
from heelcoach.knowledge.schema import (
    CrossTraining,
    EducationTopic,
    Exercise,
    FootwearAdvice,
    Habit,
    Item,
    ManagementOption,
    PassiveTherapy,
    Reference,
    RiskFactor,
    SelfTest,
)
from heelcoach.knowledge.schema_gait import GaitRules
from heelcoach.knowledge.schema_load import LoadRules
from heelcoach.knowledge.schema_plan import OutcomeInstruments, PlanRules
from heelcoach.knowledge.schema_triage import TriageKnowledge

T = TypeVar("T", bound=BaseModel)


#: List files: file name -> (top-level key, item model).
LIST_FILES: dict[str, tuple[str, type[Item] | type[Reference]]] = {
    "references.yaml": ("references", Reference),
    "exercises.yaml": ("exercises", Exercise),
    "self_tests.yaml": ("self_tests", SelfTest),
    "passive.yaml": ("passive", PassiveTherapy),
    "habits.yaml": ("habits", Habit),
    "education.yaml": ("education", EducationTopic),
    "risk_factors.yaml": ("risk_factors", RiskFactor),
    "management.yaml": ("management", ManagementOption),
    "cross_training.yaml": ("cross_training", CrossTraining),
    "footwear.yaml": ("footwear", FootwearAdvice),
}

#: Part files: file name -> (catalogue attribute, part model).
PART_FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "triage.yaml": ("triage", TriageKnowledge),
    "plan_rules.yaml": ("plan", PlanRules),
    "outcomes.yaml": ("outcomes", OutcomeInstruments),
    "load.yaml": ("load", LoadRules),
    "gait.yaml": ("gait", GaitRules),
}


class Catalogue(BaseModel):
    """The whole knowledge base, validated and cross-checked."""

    model_config = ConfigDict(frozen=True)

    references: dict[str, Reference]
    exercises: dict[str, Exercise]
    self_tests: dict[str, SelfTest]
    passive: dict[str, PassiveTherapy]
    habits: dict[str, Habit]
    education: dict[str, EducationTopic]
    risk_factors: dict[str, RiskFactor]
    management: dict[str, ManagementOption]
    cross_training: dict[str, CrossTraining]
    footwear: dict[str, FootwearAdvice]
    triage: TriageKnowledge
    plan: PlanRules
    outcomes: OutcomeInstruments
    load: LoadRules
    gait: GaitRules

    def all_ids(self) -> set[str]:
        """Every id in the list files, for coverage checks."""
        ids: set[str] = set()
        for _, (attr, _model) in LIST_FILES.items():
            ids.update(getattr(self, attr))
        return ids

    def every_id(self) -> set[str]:
        """Every ``id`` anywhere in the catalogue (items, steps, levels, conditions, questions...)."""
        found: set[str] = set()

        def walk(value: Any) -> None:
            if isinstance(value, BaseModel):
                item_id = getattr(value, "id", None)
                if isinstance(item_id, str):
                    found.add(item_id)
                for field in type(value).model_fields:
                    walk(getattr(value, field))
            elif isinstance(value, Mapping):
                if isinstance(value.get("id"), str):
                    found.add(value["id"])
                for child in value.values():
                    walk(child)
            elif isinstance(value, list | tuple):
                for child in value:
                    walk(child)

        for field in type(self).model_fields:
            walk(getattr(self, field))
        return found


def _format_error(file: str, exc: ValidationError, prefix: str = "") -> str:
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        lines.append(f"{file}: {prefix}{where}: {err['msg']}")
    return "\n".join(lines)


def _read_yaml(directory: Path, name: str) -> Any:
    path = directory / name
    if not path.is_file():
        raise KnowledgeError(f"{path}: missing knowledge file")
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path}: not valid YAML: {exc}") from exc


def _load_list(directory: Path, name: str, key: str, model: type[T]) -> dict[str, T]:
    raw = _read_yaml(directory, name)
    if not isinstance(raw, Mapping) or key not in raw:
        raise KnowledgeError(f"{name}: expected a mapping with the key '{key}'")
    entries = raw[key] or []
    if not isinstance(entries, list):
        raise KnowledgeError(f"{name}: '{key}' must be a list")
    out: dict[str, T] = {}
    errors: list[str] = []
    for index, entry in enumerate(entries):
        label = entry.get("id", index) if isinstance(entry, Mapping) else index
        try:
            item = model.model_validate(entry)
        except ValidationError as exc:
            errors.append(_format_error(name, exc, prefix=f"{key}[{label}]."))
            continue
        item_id = item.id  # type: ignore[attr-defined]
        if item_id in out:
            errors.append(f"{name}: duplicate id '{item_id}'")
        out[item_id] = item
    if errors:
        raise KnowledgeError("\n".join(errors))
    return out


def _walk_sources(value: Any, path: str) -> Iterable[tuple[str, str]]:
    """Yield (path, source id) for every ``sources`` list anywhere in a model."""
    if isinstance(value, BaseModel):
        for field in type(value).model_fields:
            child = getattr(value, field)
            if field == "sources" and isinstance(child, list):
                for source in child:
                    yield f"{path}.sources", source
            else:
                yield from _walk_sources(child, f"{path}.{field}")
    elif isinstance(value, Mapping):
        for key, child in value.items():
            yield from _walk_sources(child, f"{path}[{key}]")
    elif isinstance(value, list | tuple):
        for index, child in enumerate(value):
            yield from _walk_sources(child, f"{path}[{index}]")


def _read_references(directory: Path, parts: dict[str, Any], errors: list[str]) -> None:
    """Each area keeps its own references file (references_<area>.yaml); ids must be unique across them."""
    for extra in sorted(directory.glob("references_*.yaml")):
        try:
            more = _load_list(directory, extra.name, "references", Reference)
        except KnowledgeError as exc:
            errors.append(str(exc))
            continue
        for ref_id, ref in more.items():
            if ref_id in parts.get("references", {}):
                errors.append(f"{extra.name}: reference id '{ref_id}' is defined in another references file")
            parts.setdefault("references", {})[ref_id] = ref


def _read_parts(directory: Path) -> tuple[dict[str, Any], list[str]]:
    """Every knowledge file, validated on its own: (catalogue fields, problems)."""
    parts: dict[str, Any] = {}
    errors: list[str] = []
    for name, (key, model) in LIST_FILES.items():
        try:
            parts[key] = _load_list(directory, name, key, model)
        except KnowledgeError as exc:
            errors.append(str(exc))
    _read_references(directory, parts, errors)
    for name, (attr, part_model) in PART_FILES.items():
        try:
            parts[attr] = part_model.model_validate(_read_yaml(directory, name) or {})
        except ValidationError as exc:
            errors.append(_format_error(name, exc))
        except KnowledgeError as exc:
            errors.append(str(exc))
    return parts, errors


def _cross_check(catalogue: Catalogue) -> list[str]:
    """Problems between files: unknown references, broken ids, unknown exercises."""
    errors: list[str] = []
    known = set(catalogue.references)
    for attr in (*(k for k, _ in LIST_FILES.values()), *(a for a, _ in PART_FILES.values())):
        for where, source in _walk_sources(getattr(catalogue, attr), attr):
            if source not in known:
                errors.append(f"{attr}: {where} names unknown reference '{source}'")
    for attr, _ in PART_FILES.values():
        part = getattr(catalogue, attr)
        errors.extend(f"{attr}: {problem}" for problem in part.check_refs(known))
    errors.extend(
        f"triage: condition_plans avoid[{a.id}]: exercise '{ex}' is not in exercises.yaml"
        for plan in catalogue.triage.condition_plans
        for a in plan.avoid
        for ex in a.exercises
        if ex not in catalogue.exercises
    )
    return errors


def load_catalogue_from(directory: Path) -> Catalogue:
    """Load and cross-check every knowledge file in ``directory``; raise KnowledgeError."""
    parts, errors = _read_parts(directory)
    if errors:
        raise KnowledgeError("\n".join(errors))
    catalogue = Catalogue(**parts)
    errors = _cross_check(catalogue)
    if errors:
        raise KnowledgeError("\n".join(errors))
    return catalogue


def data_dir() -> Path:
    """The folder of bundled knowledge files."""
    return Path(str(resources.files("heelcoach.knowledge") / "data"))


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """The bundled knowledge base, loaded and validated once per process."""
    return load_catalogue_from(data_dir())


#: Internal pointers that may sit inside a stored citation: seed file names and the like.
_INTERNAL_IN_CITATION = re.compile(r"\s*\((?:[^()]*\b)?seeds?/[^()]*\)")
_YEAR = re.compile(r"\b(19|20)\d{2}\b")


def citation_text(ref: Reference) -> str:
    """A reference as a reader sees it: authors, title, where and when, without internal pointers.

    The stored citation already reads "Authors. Title. Journal. Year;..."; this drops file names
    of the seed articles ("(seeds/001_....txt)") and adds the year when the text lacks one.

    >>> citation_text(cat.references["rathleff_2015"])  # doctest: +SKIP
    'Rathleff MS, Mølgaard CM, ... Scand J Med Sci Sports. 2015;25(3):e292-e300.'
    """
    text = _INTERNAL_IN_CITATION.sub("", ref.citation).strip()
    text = re.sub(r"\s+([.,;])", r"\1", text)
    if ref.year is not None and not _YEAR.search(text):
        text = f"{text.rstrip('.')} ({ref.year})."
    return text


#: The first author's surname, followed by initials ("Rathleff MS", "Van Hooren B", "Koc TA Jr").
_FIRST_AUTHOR = re.compile(
    r"^(?P<name>[^\W\d][\w'\-]*(?: [^\W\d][\w'\-]*)*?) [A-Z]{1,4}(?: Jr)?(?=[,.]|$| \()"
)


def study_size(ref: Reference) -> str:
    """Who a study followed, for a line of text: "5,205 runners (Frandsen et al. 2025)"."""
    if ref.participants is None:
        return short_citation(ref)
    return f"{ref.participants:,} {ref.population} ({short_citation(ref)})"


def largest_study(catalogue: Catalogue, source_ids: Sequence[str]) -> str:
    """The largest study among a rule's sources, with its size: "5,205 runners (Frandsen et al. 2025)"."""
    refs = [catalogue.references[i] for i in source_ids if i in catalogue.references]
    if not refs:
        raise KeyError(f"none of {list(source_ids)} is a reference")
    return study_size(max(refs, key=lambda r: r.participants or 0))


def short_citation(ref: Reference) -> str:
    """Author and year for a line of text: "Rathleff et al. 2015", "Vykoukal" (no year known).

    A group author (a guideline body, a clinic) is named in full, up to the title.
    """
    text = citation_text(ref)
    authors = text.split(". ", 1)[0]
    match = _FIRST_AUTHOR.match(authors)
    if match:
        more = re.match(r",\s*(?!reviewed)", authors[match.end() :]) is not None
        name = match.group("name") + (" et al." if more else "")
    else:
        name = authors.split(":", 1)[0].rstrip(".")
    year = ref.year or (int(m.group(0)) if (m := _YEAR.search(text)) else None)
    return f"{name} {year}" if year and str(year) not in name else name


def readable_sources(ids: Iterable[str], catalogue: Catalogue) -> list[str]:
    """The citations behind reference ids, readable and once each; unknown ids are left out.

    For any text a runner or clinician reads (pages, the PDF handout, the CLI): never print the ids.
    """
    out: list[str] = []
    for ref_id in ids:
        ref = catalogue.references.get(ref_id)
        if ref is not None:
            text = citation_text(ref)
            if text not in out:
                out.append(text)
    return out


def item_name(item_id: str, catalogue: Catalogue) -> str:
    """The name a person reads for a plan item's id ("short_foot" -> "Short foot (arch doming)")."""
    for part in (catalogue.exercises, catalogue.passive, catalogue.cross_training, catalogue.habits):
        found = part.get(item_id)
        if found is not None:
            return str(found.name)
    topic = catalogue.education.get(item_id)
    if topic is not None:
        return str(topic.title)
    return item_id.replace("_", " ").capitalize()
