"""A person's data: export everything stored about them, or delete it all
(every table with a person_id column, including other engineers' tables)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, delete, select

from heelcoach.domain.units import DistanceUnit
from heelcoach.errors import InvalidInputError
from heelcoach.services.common import json_object, require_person, to_jsonable
from heelcoach.services.context import AppContext
from heelcoach.store.all_tables import metadata
from heelcoach.store.base import transaction
from heelcoach.store.preferences import Preferences
from heelcoach.store.repositories import Repos


def _person_tables() -> list[Table]:
    return [t for t in metadata.sorted_tables if "person_id" in t.c]


def export_person_data(ctx: AppContext, person_id: int) -> dict[str, Any]:
    """Everything stored about a person, table by table, as JSON-ready data."""
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        person = require_person(repos, person_id)
        tables: dict[str, list[dict[str, Any]]] = {}
        for table in _person_tables():
            rows = s.execute(select(table).where(table.c.person_id == person_id).order_by(*table.primary_key))
            tables[table.name] = [json_object(dict(r._mapping)) for r in rows]
        unit = Preferences(s).distance_unit(person_id)
    return {
        "format": "heelcoach-export",
        "format_version": 1,
        "exported_at": datetime.now(UTC).isoformat(),
        "person": to_jsonable(person),
        # how the person reads distances; every distance stored here is km, as its field names say
        "distance_unit": (unit or DistanceUnit.KM).value,
        "tables": tables,
    }


def export_person(ctx: AppContext, person_id: int, dest: Path, fmt: str = "json") -> list[Path]:
    """Write a person's data to ``dest``: one JSON file, or a folder with one CSV per table."""
    if fmt not in {"json", "csv"}:
        raise InvalidInputError(f"format: expected json or csv, got '{fmt}'")
    data = export_person_data(ctx, person_id)
    if fmt == "json":
        path = dest if dest.suffix == ".json" else dest / f"heelcoach-person-{person_id}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        return [path]
    dest.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    people_path = dest / "people.csv"
    _write_csv(people_path, [{**data["person"], "distance_unit": data["distance_unit"]}])
    written.append(people_path)
    for name, rows in data["tables"].items():
        path = dest / f"{name}.csv"
        _write_csv(path, rows, columns=[c.name for c in metadata.tables[name].columns])
        written.append(path)
    return written


def _write_csv(path: Path, rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None) -> None:
    rows = list(rows)
    header = list(columns) if columns else (list(rows[0]) if rows else [])
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                    for k, v in row.items()
                    if k in header
                }
            )


def delete_person(ctx: AppContext, person_id: int) -> dict[str, int]:
    """Delete a person and everything stored about them; returns rows deleted per table."""
    counts: dict[str, int] = {}
    with transaction(ctx.sessions) as s:
        repos = Repos(s)
        require_person(repos, person_id)
        for table in reversed(_person_tables()):
            result = s.execute(delete(table).where(table.c.person_id == person_id))
            counts[table.name] = int(getattr(result, "rowcount", 0) or 0)
        repos.people.delete(person_id)
        counts["people"] = 1
    return counts
