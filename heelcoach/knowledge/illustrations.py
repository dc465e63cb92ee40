"""Load the exercise illustrations (``illustrations.yaml``) and check them against the catalogue.

Usage::

    from heelcoach.knowledge.illustrations import load_illustrations
    drawing = load_illustrations()["standing_calf_stretch"]
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from heelcoach.knowledge.catalogue import Catalogue, KnowledgeError, data_dir
from heelcoach.knowledge.schema_illustration import Illustration

FILE = "illustrations.yaml"


def illustrated_ids(catalogue: Catalogue) -> list[str]:
    """Every item a runner is shown how to do: each exercise and each self-test, in catalogue order."""
    return [*catalogue.exercises, *catalogue.self_tests]


def load_illustrations_from(directory: Path) -> dict[str, Illustration]:
    """Every illustration in ``directory/illustrations.yaml``, validated; raise KnowledgeError."""
    path = directory / FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KnowledgeError(f"{path}: cannot read the illustrations file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, Mapping) or not isinstance(raw.get("illustrations"), list):
        raise KnowledgeError(f"{FILE}: expected a mapping with the list 'illustrations'")
    out: dict[str, Illustration] = {}
    errors: list[str] = []
    for index, entry in enumerate(raw["illustrations"]):
        label = entry.get("id", index) if isinstance(entry, Mapping) else index
        try:
            item = Illustration.model_validate(entry)
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                errors.append(f"{FILE}: illustrations[{label}].{where}: {err['msg']}")
            continue
        if item.id in out:
            errors.append(f"{FILE}: duplicate illustration '{item.id}'")
        out[item.id] = item
    if errors:
        raise KnowledgeError("\n".join(errors))
    return out


def check_against(catalogue: Catalogue, illustrations: Mapping[str, Illustration]) -> list[str]:
    """Problems: an exercise or self-test without an illustration, or an illustration of nothing."""
    wanted = illustrated_ids(catalogue)
    problems = [
        f"{FILE}: no illustration for '{item_id}'" for item_id in wanted if item_id not in illustrations
    ]
    known = set(wanted) | set(catalogue.passive)
    problems += [
        f"{FILE}: '{item_id}' is not an exercise or self-test"
        for item_id in illustrations
        if item_id not in known
    ]
    return problems


@lru_cache(maxsize=1)
def load_illustrations() -> dict[str, Illustration]:
    """The bundled illustrations, loaded and validated once per process."""
    return load_illustrations_from(data_dir())
