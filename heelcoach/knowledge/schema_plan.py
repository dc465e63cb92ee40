"""Schemas for the plan engine's rules (phases, pain monitoring, return to run, escalation)
and for the outcome instruments (FAAM, PSFS).

Owned by the plan-engine work; the placeholder models below are extended there.
"""

from __future__ import annotations

from heelcoach.knowledge.schema import Model


class PlanRules(Model):
    """Numbers and criteria the plan engine uses, each with its sources."""

    def check_refs(self, known_sources: set[str]) -> list[str]:
        """Return cross-reference problems (empty when consistent)."""
        return []


class OutcomeInstruments(Model):
    """Outcome questionnaires: items, scales, scoring rules, minimal important differences."""

    def check_refs(self, known_sources: set[str]) -> list[str]:
        """Return cross-reference problems (empty when consistent)."""
        return []
