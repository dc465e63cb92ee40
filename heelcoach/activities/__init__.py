"""Watch files (FIT, GPX, TCX, archives) -> activities; the load metrics live in ``domain.load``.

Usage::

    from heelcoach.activities import expand, parse_sources
    results = list(parse_sources(expand([Path("export.zip")]), workers=2))
"""

from heelcoach.activities.archive import ArchiveLimits, Refusal, Source, expand, read_source
from heelcoach.activities.importer import ParsedFile, parse_bytes, parse_source, parse_sources
from heelcoach.activities.model import (
    Activity,
    ActivityFileError,
    NotAnActivityError,
    ParseResult,
    Record,
    same_activity,
)

__all__ = [
    "Activity",
    "ActivityFileError",
    "ArchiveLimits",
    "NotAnActivityError",
    "ParseResult",
    "ParsedFile",
    "Record",
    "Refusal",
    "Source",
    "expand",
    "parse_bytes",
    "parse_source",
    "parse_sources",
    "read_source",
    "same_activity",
]
