"""Schemas for the triage knowledge: conditions, red flags and the intake questionnaire.

Owned by the triage work; the placeholder models below are extended there.
"""

from __future__ import annotations

from pydantic import Field

from heelcoach.knowledge.schema import Model


class TriageKnowledge(Model):
    """Everything triage reads: the questionnaire, the conditions and the red flags."""

    questions: list[dict[str, object]] = Field(default_factory=list)
    conditions: list[dict[str, object]] = Field(default_factory=list)
    red_flags: list[dict[str, object]] = Field(default_factory=list)

    def check_refs(self, known_sources: set[str]) -> list[str]:
        """Return cross-reference problems (empty when consistent)."""
        return []
