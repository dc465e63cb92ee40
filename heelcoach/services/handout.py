"""Exports of a plan a person can take away: a PDF handout and an iCalendar file of the sessions."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path

from fpdf import FPDF
from icalendar import Calendar, Event

from heelcoach import DISCLAIMER
from heelcoach.domain.plan import WEEKDAYS, Plan, PlanItem, format_dose, grade_label
from heelcoach.knowledge import Catalogue

#: Unicode fonts looked for, in order; without one the PDF falls back to Latin-1 core fonts.
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_LATIN1_REPLACEMENTS = {
    "\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    "\u2022": "-", "\u2026": "...", "\u2264": "<=", "\u2265": ">=", "\u00d7": "x", "\u2192": "->",
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
    def __init__(self) -> None:
        super().__init__(format="A4")
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
        self.ln(2)
        self.set_font(self.family, "B", size)
        self.multi_cell(0, 7, self.text_safe(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 10)

    def para(self, text: str, size: float = 10, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.multi_cell(0, 5, self.text_safe(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 10)


def _days_text(item: PlanItem) -> str:
    if not item.days:
        return ""
    if tuple(item.days) == WEEKDAYS:
        return "every day"
    return ", ".join(d.capitalize() for d in item.days)


def plan_pdf(plan: Plan, catalogue: Catalogue, *, title: str = "Your heel plan") -> bytes:
    """The plan as a printable handout: what to do, how much, on which days, why, and how sure we are."""
    pdf = _Handout()
    pdf.add_page()
    pdf.set_font(pdf.family, "B", 18)
    pdf.cell(0, 10, pdf.text_safe(title), new_x="LMARGIN", new_y="NEXT")
    pdf.para(
        f"{plan.phase.capitalize()} phase, week {plan.week} - plan version {plan.version}, "
        f"made {plan.created.isoformat()} - irritability: {plan.irritability}"
    )
    pdf.set_fill_color(255, 244, 214)
    pdf.set_font(pdf.family, "", 9)
    pdf.multi_cell(0, 4.5, pdf.text_safe(DISCLAIMER), fill=True, border=1, new_x="LMARGIN", new_y="NEXT")
    if plan.referral:
        pdf.heading("See a clinician first")
        pdf.para(plan.referral, bold=True)
    pdf.heading("Where you are and why")
    pdf.para(plan.rationale)

    for heading, kind in _GROUPS:
        items = [i for i in plan.items if i.kind == kind]
        if not items:
            continue
        pdf.heading(heading)
        for item in items:
            level = f" (level {item.level})" if item.level else ""
            optional = " - optional" if item.optional else ""
            pdf.para(f"{item.title}{level}{optional}", bold=True)
            details = []
            dose = format_dose(item.dose)
            if dose:
                details.append(f"Dose: {dose}")
            if _days_text(item):
                details.append(f"Days: {_days_text(item)}")
            if item.until:
                details.append(f"Until: {item.until.isoformat()} at the latest")
            details.append(f"Why: {item.why}")
            exercise = catalogue.exercises.get(item.ref_id) if kind == "exercise" else None
            if exercise is not None:
                details.append(f"Stop if: {exercise.stop_if}")
            details.append(f"Evidence: {grade_label(item.evidence)} ({', '.join(item.sources)})")
            for line in details:
                pdf.para(line, size=9)
            pdf.ln(1.5)

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
            pdf.para(f"Longest single run: {run.max_single_run_km:g} km.")
        if run.weekly_km_cap is not None:
            pdf.para(f"Weekly total at most: {run.weekly_km_cap:g} km.")
        if run.cadence_cue_pct:
            pdf.para(f"Cadence cue: about {run.cadence_cue_pct:g}% more steps per minute at the same pace.")
    pdf.para(f"Why: {run.why}", size=9)
    if run.stop_rules:
        pdf.para("Stop or cut the run short if:", bold=True)
        for rule in run.stop_rules:
            pdf.para(f"- {rule}", size=9)

    if plan.excluded:
        pdf.heading("Left out of your plan, and why")
        for ex in plan.excluded:
            name = _catalogue_name(catalogue, ex.ref_id)
            pdf.para(f"- {name}: {ex.reason}", size=9)
    if plan.escalation_rules:
        pdf.heading("When to get more help")
        for rule in plan.escalation_rules:
            pdf.para(f"- {rule}", size=9)
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
