"""Schemas for running-gait thresholds and the measurement error budget.

Owned by the gait work; the placeholder model below is extended there.
"""

from __future__ import annotations

from heelcoach.knowledge.schema import Model


class GaitRules(Model):
    """Indicative gait thresholds with sources, and the method's error budget."""

    def check_refs(self, known_sources: set[str]) -> list[str]:
        """Return cross-reference problems (empty when consistent)."""
        return []
