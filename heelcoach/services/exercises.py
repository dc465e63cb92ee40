"""How to do one exercise or self-test: its steps per level, dose, evidence with readable citations,
and its illustration as animated SVG or PNG.

Usage::

    from heelcoach.services.exercises import exercise_sheet, illustration_svg
    sheet = exercise_sheet(catalogue, "standing_calf_stretch")
    svg_text = illustration_svg("standing_calf_stretch")
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import get_close_matches
from functools import lru_cache

from heelcoach.errors import NotFoundError
from heelcoach.illustrate import render_png, render_svg
from heelcoach.illustrate.sheet import contact_sheet
from heelcoach.knowledge import Catalogue
from heelcoach.knowledge.illustrations import illustrated_ids, load_illustrations
from heelcoach.knowledge.schema import Dose, Reference
from heelcoach.text.plan_text import grade_label


class UnknownItemError(NotFoundError):
    """No exercise or self-test has this id; the message suggests the nearest ones."""


@dataclass(frozen=True, slots=True)
class LevelSheet:
    """One level of an exercise (a self-test has one 'level': the test itself)."""

    level: int
    name: str
    steps: list[str]
    dose: str
    advance_when: str


@dataclass(frozen=True, slots=True)
class ExerciseSheet:
    """Everything a runner needs to do one item, in words."""

    id: str
    name: str
    kind: str  # "exercise" or "self-test"
    plain: str
    levels: list[LevelSheet]
    feel: str
    stop_if: str
    evidence: str
    evidence_note: str
    citations: list[str]
    picture: str  # the illustration's alt text


_SEED_FILE = re.compile(r"\s*\((?:[^()]*;\s*)?seeds/[^)]*\)")


_AUTHORS = re.compile(r"^(.+?\b(?:[A-Z]{1,3}|Jr|al))\.\s+(.*)$")
_TITLE = re.compile(r"^(.+?[.?!])(?=\s+[A-Z]|$)")


def readable_citation(ref: Reference) -> str:
    """'First author et al. (year). Title.' from a reference, without file names or internal ids."""
    text = _SEED_FILE.sub("", ref.citation).strip()
    found = _AUTHORS.match(text)
    if found is None:  # an organisation or a team: keep the line as it is
        return text if text.endswith(".") else f"{text}."
    authors, rest = found.group(1), found.group(2)
    names = [n.strip() for n in authors.split(",") if n.strip()]
    if len(names) > 2:
        authors = f"{names[0]} et al."
    title_match = _TITLE.match(rest)
    title = title_match.group(1) if title_match else rest
    year = ref.year
    if year is None:
        in_text = re.search(r"\b(?:19|20)\d{2}\b", text)
        year = int(in_text.group(0)) if in_text else None
    when = f" ({year})" if year else ""
    return f"{authors}{when}. {title}".replace("..", ".")


_SEED_MENTION = re.compile(r"\b([Ss])eeds? (\d{3})\b")


def plain_words(catalogue: Catalogue, text: str) -> str:
    """``text`` with internal seed numbers ('seed 001') replaced by the article's author or publisher."""

    def name(match: re.Match[str]) -> str:
        ref = next(
            (r for rid, r in catalogue.references.items() if rid.startswith(f"seed_{match.group(2)}_")), None
        )
        if ref is None:
            return "a source article"
        first = _SEED_FILE.sub("", ref.citation).split(".")[0].split(",")[0]
        author = first.split()[0] if _AUTHORS.match(ref.citation) else first
        return f"{'T' if match.group(1) == 'S' else 't'}he {author} article"

    return _SEED_MENTION.sub(name, text)


def citations(catalogue: Catalogue, ids: list[str] | tuple[str, ...]) -> list[str]:
    """Readable citations for reference ids, in order, each once (unknown ids are left out)."""
    seen: list[str] = []
    for ref_id in ids:
        ref = catalogue.references.get(ref_id)
        if ref is not None and readable_citation(ref) not in seen:
            seen.append(readable_citation(ref))
    return seen


def _span(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return ""
    if low is None or high is None or low == high:
        value = low if low is not None else high
        return f"{value:g}"
    return f"{low:g}-{high:g}"


def dose_text(dose: Dose) -> str:
    """A catalogue dose in words: '2-3 sets of 10, hold 5 s, each side, 7 days a week'."""
    parts: list[str] = []
    sets, reps = _span(dose.sets_min, dose.sets_max), _span(dose.reps_min, dose.reps_max)
    if sets and reps:
        parts.append(f"{sets} sets of {reps}")
    elif reps:
        parts.append(f"{reps} times")
    elif sets:
        parts.append(f"{sets} sets")
    if dose.hold_s_min or dose.hold_s_max:
        hold = _span(dose.hold_s_min, dose.hold_s_max)
        parts.append(f"hold {hold} s" + (" or more" if dose.hold_s_max is None else ""))
    if dose.minutes_min or dose.minutes_max:
        parts.append(f"{_span(dose.minutes_min, dose.minutes_max)} min")
    if dose.rm:
        parts.append(f"heavy enough that {dose.rm} is all you can do")
    if dose.tempo:
        parts.append(f"tempo {dose.tempo} s up-hold-down")
    if dose.load:
        parts.append(dose.load)
    if dose.per_side:
        parts.append("each side")
    if dose.times_per_day > 1:
        parts.append(f"{dose.times_per_day} times a day")
    parts.append("every day" if dose.days_per_week == 7 else f"{dose.days_per_week} days a week")
    return ", ".join(parts)


def _unknown(catalogue: Catalogue, item_id: str) -> UnknownItemError:
    near = get_close_matches(item_id, illustrated_ids(catalogue), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(near)}?" if near else ""
    return UnknownItemError(f"no exercise or self-test is called '{item_id}'.{hint}")


def exercise_sheet(catalogue: Catalogue, item_id: str) -> ExerciseSheet:
    """The how-to of one exercise or self-test; raise UnknownItemError for any other id."""
    drawing = load_illustrations().get(item_id)
    picture = drawing.alt if drawing else ""
    if item_id in catalogue.exercises:
        ex = catalogue.exercises[item_id]
        levels = [
            LevelSheet(lv.level, lv.name, list(lv.instructions), dose_text(lv.dose), lv.advance_when)
            for lv in ex.levels
        ]
        return ExerciseSheet(
            ex.id,
            ex.name,
            "exercise",
            ex.plain,
            levels,
            ex.feel,
            ex.stop_if,
            grade_label(ex.evidence),
            plain_words(catalogue, ex.evidence_note),
            citations(catalogue, ex.sources),
            picture,
        )
    if item_id in catalogue.self_tests:
        test = catalogue.self_tests[item_id]
        sources = [*test.sources, *(test.norm.sources if test.norm else [])]
        level = LevelSheet(1, test.name, [s.text for s in test.instructions], "", "")
        grade = grade_label(test.norm.grade) if test.norm else "not graded"
        note = test.norm.note if test.norm else (test.positive_means or "")
        return ExerciseSheet(
            test.id,
            test.name,
            "self-test",
            test.plain,
            [level],
            "",
            test.safety,
            grade,
            plain_words(catalogue, note),
            citations(catalogue, sources),
            picture,
        )
    raise _unknown(catalogue, item_id)


@lru_cache(maxsize=64)
def illustration_svg(item_id: str, title: str = "") -> str:
    """The animated SVG of an item's illustration; NotFoundError when it has none."""
    drawing = load_illustrations().get(item_id)
    if drawing is None:
        raise NotFoundError(f"no illustration for '{item_id}'")
    return render_svg(drawing, title=title)


@lru_cache(maxsize=64)
def illustration_png(item_id: str, frame: int | None = None, width: int = 480, height: int = 360) -> bytes:
    """PNG of one keyframe (``frame``) or of every keyframe side by side (``frame=None``)."""
    drawing = load_illustrations().get(item_id)
    if drawing is None:
        raise NotFoundError(f"no illustration for '{item_id}'")
    if frame is not None and not 0 <= frame < len(drawing.keyframes):
        raise NotFoundError(f"'{item_id}' has frames 1 to {len(drawing.keyframes)}")
    return render_png(drawing, frame=frame, width=width, height=height)


def contact_sheet_png(catalogue: Catalogue) -> bytes:
    """Every illustration's keyframes on one PNG, titled with the item's name, in catalogue order."""
    drawings = load_illustrations()
    names = {
        **{k: v.name for k, v in catalogue.passive.items()},
        **{k: v.name for k, v in catalogue.exercises.items()},
    }
    names.update({k: v.name for k, v in catalogue.self_tests.items()})
    order = [*illustrated_ids(catalogue), *sorted(set(drawings) - set(illustrated_ids(catalogue)))]
    return contact_sheet([(names.get(i, i), drawings[i]) for i in order if i in drawings])


def keyframe_names(item_id: str) -> list[str]:
    """The names of an item's keyframes, in order ('start', 'stretch', ...); empty without a drawing."""
    drawing = load_illustrations().get(item_id)
    return [k.name for k in drawing.keyframes] if drawing else []
