"""Footwear advice: for the runner's foot type, the best-supported general advice, and old shoes."""

from __future__ import annotations

from heelcoach.domain.planning.answers import answer_number
from heelcoach.domain.planning.builder import Builder, merged_sources
from heelcoach.domain.planning.model import PlanItem
from heelcoach.knowledge.schema import FootwearAdvice

__all__ = ["footwear"]

_GRADE_ORDER = "ABCDEF"


def _chosen(b: Builder, foot: str, old_shoes: bool) -> list[FootwearAdvice]:
    sel = b.rules.selection
    specific = [f for f in b.catalogue.footwear.values() if f.foot_type == foot]
    general = sorted(
        (f for f in b.catalogue.footwear.values() if f.foot_type == "any" and f.id != sel.footwear_old_shoes),
        key=lambda f: _GRADE_ORDER.find(f.evidence) if f.evidence in _GRADE_ORDER else 9,
    )
    chosen = specific + general[: sel.footwear_general_count]
    if old_shoes and sel.footwear_old_shoes in b.catalogue.footwear:
        chosen.append(b.catalogue.footwear[sel.footwear_old_shoes])
    return chosen


def footwear(b: Builder) -> None:
    """Shoe advice items; shoes past the replacement distance get the 'replace them' advice."""
    foot = str(b.answers.get("foot_type") or "unsure")
    sel = b.rules.selection
    shoe_km = answer_number(b.answers, "shoe_age_km", 0)
    limit = sel.shoe_replace_km
    for fw in _chosen(b, foot, shoe_km > limit.value):
        why = fw.plain
        if fw.foot_type == foot and foot in ("flat", "high_arch"):
            why = f"For {foot.replace('_', ' ')} feet: {why}"
        srcs = tuple(fw.sources)
        if fw.id == sel.footwear_old_shoes:
            grade = limit.grade.replace("_", " ")
            why += f" Your shoes have about {shoe_km:.0f} km on them: {limit.plain} ({grade})"
            srcs = merged_sources(srcs, limit.sources)
        b.items.append(
            PlanItem(
                id=fw.id,
                kind="footwear",
                ref_id=fw.id,
                title=fw.name,
                level=None,
                dose={},
                days=(),
                why=why,
                drivers=("footwear",),
                evidence=fw.evidence,
                sources=srcs,
                optional=True,
                until=None,
            )
        )
