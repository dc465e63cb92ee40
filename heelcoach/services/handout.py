"""Exports of a plan a person can take away: a PDF handout and an iCalendar file of the sessions."""

from __future__ import annotations

import io
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import cast

from fpdf import FPDF
from icalendar import Calendar, Event

from heelcoach import DISCLAIMER
from heelcoach.domain.plan import WEEKDAYS, Plan, PlanItem
from heelcoach.domain.units import DistanceUnit, distance, in_unit
from heelcoach.knowledge import Catalogue
from heelcoach.services.exercises import citations, illustration_png, keyframe_names, plain_words
from heelcoach.text.plan_text import format_dose, grade_label

#: Unicode fonts looked for, in order; without one the PDF falls back to Latin-1 core fonts.
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_LATIN1_REPLACEMENTS = {
    "\u2013": "-",
    "\u2014": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2022": "-",
    "\u2026": "...",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u00d7": "x",
    "\u2192": "->",
}
_GROUPS: tuple[tuple[str, str], ...] = (
    ("Exercises", "exercise"),
    ("Instead of some running", "cross_training"),
    ("Optional symptom relief (adjuncts, time-limited)", "adjunct"),
    ("Footwear", "footwear"),
    ("Read this", "education"),
    ("When to see a clinician", "escalation"),
)


class _Handout(FPDF):
    def __init__(self, unit: DistanceUnit = DistanceUnit.KM) -> None:
        super().__init__(format="A4")
        #: Every text printed goes through :meth:`text_safe`, which shows its distances in this unit
        #: (a plan version's texts keep the unit they were written in).
        self.unit = unit
        self.unicode = False
        for folder in _FONT_DIRS:
            regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
            if regular.is_file() and bold.is_file():
                self.add_font("body", "", str(regular))
                self.add_font("body", "B", str(bold))
                self.unicode = True
                break
        self.family = "body" if self.unicode else "helvetica"
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(16, 16, 16)

    def text_safe(self, text: str) -> str:
        text = in_unit(text, self.unit)
        if self.unicode:
            return text
        for old, new in _LATIN1_REPLACEMENTS.items():
            text = text.replace(old, new)
        return text.encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.set_text_color(110)
        label = f"heelcoach plan - page {self.page_no()} - not a diagnosis"
        self.cell(0, 5, self.text_safe(label), align="C")
        self.set_text_color(0)

    def heading(self, text: str, size: float = 13) -> None:
        if self.room_left() < 30:  # never a heading alone at the foot of a page
            self.add_page()
        self.ln(2)
        self.set_font(self.family, "B", size)
        self.multi_cell(0, 7, self.text_safe(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 10)

    def para(self, text: str, size: float = 10, bold: bool = False, indent: float = 0) -> None:
        """Left-aligned text (never justified: justified lines open wide gaps in short columns)."""
        self.set_font(self.family, "B" if bold else "", size)
        if indent:
            self.set_x(self.l_margin + indent)
        self.multi_cell(0, size * 0.5, self.text_safe(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 10)

    def labelled(self, label: str, text: str, size: float = 9) -> None:
        """'Label: text' with the label in bold, wrapped and left-aligned."""
        self.set_font(self.family, "", size)
        plain = self.text_safe(text).replace("**", "*").replace("__", "_").replace("--", "-")
        body = f"**{self.text_safe(label)}:** {plain}"
        self.multi_cell(0, size * 0.5, body, align="L", markdown=True, new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 10)

    def room_left(self) -> float:
        return self.h - self.b_margin - self.get_y()


class _Sources:
    """Numbers each reference the first time an item cites it, for one list at the end."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.numbers: dict[str, int] = {}

    def cite(self, ids: tuple[str, ...] | list[str]) -> str:
        marks = []
        for line in citations(self.catalogue, list(ids)):
            self.numbers.setdefault(line, len(self.numbers) + 1)
            marks.append(str(self.numbers[line]))
        return f" [{', '.join(marks)}]" if marks else ""


def _days_text(item: PlanItem) -> str:
    if not item.days:
        return ""
    if tuple(item.days) == WEEKDAYS:
        return "every day"
    return ", ".join(d.capitalize() for d in item.days)


def _steps(catalogue: Catalogue, item: PlanItem) -> list[str]:
    """The how-to steps of the item at its level (exercises) or of the adjunct."""
    if item.kind == "exercise" and item.ref_id in catalogue.exercises:
        levels = catalogue.exercises[item.ref_id].levels
        level = next((lv for lv in levels if lv.level == item.level), levels[0])
        return list(level.instructions)
    if item.kind == "adjunct" and item.ref_id in catalogue.passive:
        return [step.text for step in catalogue.passive[item.ref_id].how]
    return []


def _strip(pdf: _Handout, item: PlanItem) -> None:
    """The illustration's keyframes side by side, start to end, when the item has one."""
    names = keyframe_names(item.ref_id)
    if not names:
        return
    frame_w = min(42.0, (pdf.w - pdf.l_margin - pdf.r_margin) / len(names))
    frame_h = frame_w * 0.75
    top = pdf.get_y() + 1
    pdf.set_draw_color(205)
    for index, name in enumerate(names):
        x = pdf.l_margin + index * frame_w
        pdf.image(
            io.BytesIO(illustration_png(item.ref_id, index, 360, 270)), x=x, y=top, w=frame_w - 2, h=frame_h
        )
        pdf.rect(x, top, frame_w - 2, frame_h)
        pdf.set_xy(x, top + frame_h + 0.5)
        pdf.set_font(pdf.family, "", 7)
        pdf.cell(frame_w - 2, 3.5, pdf.text_safe(f"{index + 1}. {name}"), align="C")
    pdf.set_draw_color(0)
    pdf.set_xy(pdf.l_margin, top + frame_h + 5)
    pdf.set_font(pdf.family, "", 10)


def _item(pdf: _Handout, catalogue: Catalogue, sources: _Sources, item: PlanItem) -> None:
    """One item kept on one page: tried out of sight first, and moved to a new page if it would break."""
    with pdf.offset_rendering() as trial:
        _item_body(cast("_Handout", trial), catalogue, sources, item)  # a recorder standing in for the PDF
    if trial.page_break_triggered:
        pdf.add_page()
    _item_body(pdf, catalogue, sources, item)


def _item_body(pdf: _Handout, catalogue: Catalogue, sources: _Sources, item: PlanItem) -> None:
    level = f" (level {item.level})" if item.level else ""
    optional = " - optional" if item.optional else ""
    pdf.para(f"{item.title}{level}{optional}", size=11, bold=True)
    _strip(pdf, item)
    steps = _steps(catalogue, item)
    if steps:
        pdf.para("How to do it", size=9, bold=True)
        for number, step in enumerate(steps, start=1):
            pdf.set_x(pdf.l_margin + 2)
            pdf.set_font(pdf.family, "", 9)
            pdf.cell(5, 4.5, f"{number}.")
            pdf.multi_cell(
                0, 4.5, pdf.text_safe(plain_words(catalogue, step)), align="L", new_x="LMARGIN", new_y="NEXT"
            )
    dose = format_dose(item.dose)
    if dose:
        pdf.labelled("Dose", dose)
    if _days_text(item):
        pdf.labelled("Days", _days_text(item))
    if item.until:
        pdf.labelled("Until", f"{item.until.isoformat()} at the latest")
    pdf.labelled("Why", plain_words(catalogue, item.why))
    exercise = catalogue.exercises.get(item.ref_id) if item.kind == "exercise" else None
    if exercise is not None:
        pdf.labelled("Stop if", exercise.stop_if)
    pdf.labelled("Evidence", f"{grade_label(item.evidence)}{sources.cite(item.sources)}")
    pdf.ln(3)


def _running(pdf: _Handout, plan: Plan, catalogue: Catalogue, unit: DistanceUnit) -> None:
    run = plan.run
    pdf.heading("Running this week")
    if run.mode == "none":
        pdf.para("No running this week.")
    else:
        what = "Walk/run" if run.mode == "walk_run" else "Continuous easy running"
        stage = f", stage {run.stage}" if run.stage else ""
        pdf.para(
            f"{what}{stage}: {run.runs_per_week} runs a week. Effort: {run.effort}. Surface: {run.surface}."
        )
        if run.max_single_run_km is not None:
            pdf.para(f"Longest single run: {distance(run.max_single_run_km, unit)}.")
        if run.weekly_km_cap is not None:
            pdf.para(f"Weekly total at most: {distance(run.weekly_km_cap, unit)}.")
        if run.cadence_cue_pct:
            pdf.para(f"Cadence cue: about {run.cadence_cue_pct:g}% more steps per minute at the same pace.")
    pdf.labelled("Why", plain_words(catalogue, run.why))
    if run.stop_rules:
        if pdf.room_left() < 25:
            pdf.add_page()
        pdf.para("Stop or cut the run short if:", size=9, bold=True)
        for rule in run.stop_rules:
            pdf.para(f"- {rule}", size=9, indent=3)


def _excluded_line(catalogue: Catalogue, ref_id: str, reason: str) -> str:
    """'Name: reason', with the name once even when the reason already starts with it."""
    name = _catalogue_name(catalogue, ref_id)
    text = reason.strip()
    while text.lower().startswith(f"{name.lower()}:"):
        text = text[len(name) + 1 :].strip()
    return f"{name}: {plain_words(catalogue, text)}"


def plan_pdf(
    plan: Plan, catalogue: Catalogue, *, title: str = "Your heel plan", unit: DistanceUnit = DistanceUnit.KM
) -> bytes:
    """The plan as a printable handout: what to do and how (steps and pictures), how much, on which
    days, why, and how sure we are, with the sources listed at the end; distances in ``unit``."""
    pdf = _Handout(unit)
    pdf.add_page()
    pdf.set_font(pdf.family, "B", 18)
    pdf.cell(0, 10, pdf.text_safe(title), new_x="LMARGIN", new_y="NEXT")
    pdf.para(
        f"{plan.phase.capitalize()} phase, week {plan.week} - plan version {plan.version}, "
        f"made {plan.created.isoformat()} - how easily your heel flares up: {plan.irritability}"
    )
    pdf.set_fill_color(255, 244, 214)
    pdf.set_font(pdf.family, "", 9)
    pdf.multi_cell(
        0, 4.5, pdf.text_safe(DISCLAIMER), fill=True, border=1, align="L", new_x="LMARGIN", new_y="NEXT"
    )
    if plan.referral:
        pdf.heading("See a clinician first")
        pdf.para(plain_words(catalogue, plan.referral), bold=True)
    pdf.heading("Where you are and why")
    pdf.para(plain_words(catalogue, plan.rationale))
    sources = _Sources(catalogue)
    for heading, kind in _GROUPS:
        items = [i for i in plan.items if i.kind == kind]
        if not items:
            continue
        pdf.heading(heading)
        for item in items:
            _item(pdf, catalogue, sources, item)
    _running(pdf, plan, catalogue, unit)
    if plan.excluded:
        pdf.heading("Left out of your plan, and why")
        for ex in plan.excluded:
            pdf.para(f"- {_excluded_line(catalogue, ex.ref_id, ex.reason)}", size=9)
    if plan.escalation_rules:
        pdf.heading("When to get more help")
        for rule in plan.escalation_rules:
            pdf.para(f"- {plain_words(catalogue, rule)}", size=9)
    if sources.numbers:
        pdf.heading("Sources")
        for line, number in sources.numbers.items():
            pdf.para(f"[{number}] {line}", size=8)
    return bytes(pdf.output())


def _catalogue_name(catalogue: Catalogue, ref_id: str) -> str:
    for table in (catalogue.exercises, catalogue.passive, catalogue.cross_training, catalogue.footwear):
        if ref_id in table:
            return table[ref_id].name
    return ref_id.replace("_", " ")


def plan_ics(plan: Plan, *, weeks: int = 1, session_time: time = time(7, 30)) -> bytes:
    """An iCalendar file with one event per training day for ``weeks`` weeks from the plan's date.

    Each event lists that day's items with their doses, so a calendar app reminds the runner.
    """
    cal = Calendar()
    cal.add("prodid", "-//heelcoach//plan//EN")
    cal.add("version", "2.0")
    start = plan.created
    for offset in range(weeks * 7):
        day: date = start + timedelta(days=offset)
        weekday = WEEKDAYS[day.weekday()]
        todays = [i for i in plan.items if weekday in i.days and i.kind in ("exercise", "adjunct")]
        if not todays:
            continue
        event = Event()
        event.add("uid", f"{uuid.uuid5(uuid.NAMESPACE_URL, f'heelcoach/{plan.version}/{day}')}@heelcoach")
        event.add("dtstamp", datetime.combine(plan.created, time(0, 0)))
        event.add("dtstart", datetime.combine(day, session_time))
        event.add("dtend", datetime.combine(day, session_time) + timedelta(minutes=30))
        event.add("summary", f"Heel plan: {len(todays)} exercises")
        lines = [f"- {i.title}: {format_dose(i.dose)}" for i in todays]
        lines.append("")
        lines.append(DISCLAIMER)
        event.add("description", "\n".join(lines))
        cal.add_component(event)
    return bytes(cal.to_ical())
