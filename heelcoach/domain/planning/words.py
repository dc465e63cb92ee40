"""Gluing runner-facing sentences from knowledge-base text."""

from __future__ import annotations

__all__ = ["sentence"]


def sentence(text: str) -> str:
    """``text`` as one clean sentence: spaces collapsed, ending in exactly one '.', '!' or '?'.

    Runner-facing text is glued from knowledge-base sentences; this keeps the seams clean (no
    '..', '.).' or ' ,').
    """
    text = " ".join(text.split()).replace(" ,", ",").replace(" .", ".").strip(" ,;:")
    if not text:
        return ""
    return text if text.endswith((".", "!", "?")) else f"{text}."
