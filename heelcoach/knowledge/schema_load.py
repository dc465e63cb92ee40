"""Schemas for training-load rules (single-run spike bands, weekly change, ACWR caveats).

Owned by the watch-data work; the placeholder model below is extended there.
"""

from __future__ import annotations

from heelcoach.knowledge.schema import Model


class LoadRules(Model):
    """Load thresholds with their sources and evidence grades."""

    def check_refs(self, known_sources: set[str]) -> list[str]:
        """Return cross-reference problems (empty when consistent)."""
        return []
