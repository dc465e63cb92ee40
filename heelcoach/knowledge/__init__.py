"""The clinical knowledge base: sourced, graded content as data, validated on load."""

from heelcoach.knowledge.catalogue import (
    Catalogue,
    KnowledgeError,
    citation_text,
    item_name,
    load_catalogue,
    load_catalogue_from,
    readable_sources,
    short_citation,
)
from heelcoach.knowledge.schema import (
    DRIVER_IDS,
    PHASES,
    SAFETY_FLAGS,
    DriverId,
    EvidenceGrade,
    Phase,
    SafetyFlag,
)

__all__ = [
    "DRIVER_IDS",
    "PHASES",
    "SAFETY_FLAGS",
    "Catalogue",
    "DriverId",
    "EvidenceGrade",
    "KnowledgeError",
    "Phase",
    "SafetyFlag",
    "citation_text",
    "item_name",
    "load_catalogue",
    "load_catalogue_from",
    "readable_sources",
    "short_citation",
]
