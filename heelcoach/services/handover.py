"""The hand-over report: a clinician-grade PDF of one runner (fpdf2, like the runner's handout).

Triage with the answers behind it and any warning signs, the drivers with their evidence, the plan
now and every version with its reason, first-step pain over time (a chart) and the outcome scores,
with full citations at the end.

Usage::

    pdf_bytes = handover_pdf(ctx, person_id, today=date.today())
"""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path
from typing import Any

from fpdf import FPDF

from heelcoach import DISCLAIMER
from heelcoach.domain import drivers as drivers_mod
from heelcoach.domain.plan import plan_from_dict
from heelcoach.errors import NotFoundError
from heelcoach.services import intake, people, progress
from heelcoach.services.context import AppContext
from heelcoach.services.exercises import citations
from heelcoach.store.base import transaction
from heelcoach.store.repositories import Repos
from heelcoach.text.plan_text import format_dose, grade_label

_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
#: Days of first-step pain the chart shows.
CHART_DAYS = 56


class _Report(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.family = "helvetica"
        for folder in _FONT_DIRS:
            regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
            if regular.is_file() and bold.is_file():
                self.add_font("body", "", str(regular))
                self.add_font("body", "B", str(bold))
                self.family = "body"
                break
        self.report_title = title
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(16, 16, 16)

    def safe(self, text: str) -> str:
        if self.family == "body":
            return text
        return text.encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.set_text_color(110)
        self.cell(0, 5, self.safe(f"{self.report_title} - page {self.page_no()}"), align="C")
        self.set_text_color(0)

    def heading(self, text: str, size: float = 13) -> None:
        if self.h - self.b_margin - self.get_y() < 30:
            self.add_page()
        self.ln(2)
        self.set_font(self.family, "B", size)
        self.multi_cell(0, 7, self.safe(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 10)

    def para(self, text: str, size: float = 10, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, self.safe(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 10)


def _words(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_words(v) for v in value)
    return str(value).replace("_", " ")


def _triage(pdf: _Report, ctx: AppContext, intake: Any) -> None:
    pdf.heading("Triage")
    if intake is None:
        pdf.para("No questionnaire answered yet.")
        return
    t = dict(intake.triage)
    needs = "yes" if t.get("needs_clinician") else "no"
    pdf.para(f"Triage level: {_words(t.get('level'))} (needs a clinician: {needs}).", bold=True)
    for flag in t.get("red_flags") or []:
        name = flag.get("name") or flag.get("id") if isinstance(flag, dict) else flag
        why = flag.get("reason") or flag.get("text") or "" if isinstance(flag, dict) else ""
        pdf.para(f"WARNING SIGN: {_words(name)}. {why}", bold=True)
    for cond in (t.get("differential") or [])[:5]:
        reasons = " ".join(str(r.get("text", "")) for r in cond.get("supporting", []))
        head = f"- {cond.get('name')} ({cond.get('likelihood')}, score {cond.get('score')})"
        pdf.para(f"{head}: {reasons}" if reasons else head, 9)
    pdf.heading("Answers behind the triage", 11)
    prompts = {q.id: q.prompt for q in ctx.catalogue.triage.questions}
    for key, value in intake.answers.items():
        pdf.para(f"{prompts.get(key, _words(key))}  ->  {_words(value)}", 8)


def _checkin_warnings(pdf: _Report, versions: list[Any]) -> None:
    signs = [v for v in versions if v.decision.get("kind") == "warning_sign"]
    if not signs:
        return
    pdf.heading("Warning signs reported in check-ins")
    for v in signs:
        said = ", ".join(_words(x) for x in v.decision.get("symptoms", []))
        pdf.para(
            f"{v.decision.get('reported_on')}: {said}; the plan paused the same day (v{v.version}).",
            bold=True,
        )


def _drivers(pdf: _Report, versions: list[Any]) -> None:
    pdf.heading("Drivers and the evidence for them")
    found = next((v.decision["drivers"] for v in reversed(versions) if v.decision.get("drivers")), None)
    if not found:
        pdf.para("No plan yet, so no drivers inferred.")
        return
    labels: dict[str, str] = {str(k): v for k, v in drivers_mod.DRIVER_LABELS.items()}
    for d in sorted(found, key=lambda d: -float(d.get("strength") or 0)):
        if not d.get("active"):
            continue
        said = "; ".join(
            f"{e.get('summary')} ({e.get('source')}, weight {e.get('weight')})" for e in d.get("evidence", [])
        )
        pdf.para(f"- {labels.get(d['id'], _words(d['id']))} (strength {d.get('strength')}): {said}", 9)


def _plan(pdf: _Report, versions: list[Any]) -> list[str]:
    pdf.heading("Plan now")
    if not versions:
        pdf.para("No plan yet.")
        return []
    latest = versions[-1]
    plan = plan_from_dict(latest.plan)
    pdf.para(
        f"Version {latest.version}, phase {latest.phase}, week {latest.week}; "
        f"irritability {plan.irritability}."
    )
    sources: list[str] = list(plan.run.sources)
    for item in plan.items:
        level = f", level {item.level}" if item.level else ""
        dose = format_dose(item.dose) if item.dose else ""
        pdf.para(f"- {item.title}{level}: {dose} (evidence: {grade_label(item.evidence)})", 9)
        sources.extend(item.sources)
    run = plan.run
    cap = f", at most {run.weekly_km_cap:g} km a week" if run.weekly_km_cap is not None else ""
    pdf.para(f"Running: {run.runs_per_week} runs a week{cap}. {run.why}", 9)
    for held in plan.excluded:
        pdf.para(f"- Left out: {held.reason}", 8)
    pdf.heading("Plan versions and their reasons", 11)
    for v in reversed(versions):
        pdf.para(f"v{v.version} from {v.starts_on.isoformat()} ({v.phase}, week {v.week}): {v.reason}", 8)
    return sources


def _pain_chart(pdf: _Report, pain: list[dict[str, Any]], today: date) -> None:
    pdf.heading(f"First-step pain, last {CHART_DAYS} days (0-10)")
    points = [
        ((date.fromisoformat(str(p["day"])) - today).days + CHART_DAYS, p["first_step_pain"])
        for p in pain
        if p.get("first_step_pain") is not None
    ]
    points = [(d, v) for d, v in points if 0 <= d <= CHART_DAYS]
    if not points:
        pdf.para("No check-ins in that time.")
        return
    x0, y0, w, h = pdf.l_margin + 8, pdf.get_y() + 2, pdf.epw - 8, 40
    pdf.set_draw_color(180)
    pdf.rect(x0, y0, w, h)
    pdf.set_font(pdf.family, "", 7)
    for level in (0, 5, 10):
        pdf.text(pdf.l_margin, y0 + h - level * h / 10 + 1, str(level))
    pdf.set_draw_color(170, 40, 40)
    pdf.set_line_width(0.6)
    xy = [(x0 + d * w / CHART_DAYS, y0 + h - float(v) * h / 10) for d, v in points]
    for a, b in itertools.pairwise(xy):
        pdf.line(a[0], a[1], b[0], b[1])
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0)
    pdf.set_y(y0 + h + 3)
    pdf.set_font(pdf.family, "", 10)
    pdf.para(f"{len(points)} check-ins; last {points[-1][1]}/10, first in this window {points[0][1]}/10.", 9)


def _outcomes(pdf: _Report, outcomes: list[Any]) -> None:
    pdf.heading("Outcome scores (FAAM, PSFS)")
    if not outcomes:
        pdf.para("No questionnaires yet.")
    for o in outcomes:
        row = o if isinstance(o, dict) else vars(o)
        pdf.para(f"- {row.get('taken_on')}: {_words(row.get('instrument'))} {row.get('score')}", 9)


def handover_pdf(ctx: AppContext, person_id: int, *, today: date) -> bytes:
    """The hand-over report of a runner as PDF bytes."""
    with transaction(ctx.sessions) as s:
        versions = Repos(s).plans.history(person_id)
    person = people.get_person(ctx, person_id)
    if person is None:
        raise NotFoundError("No such person.")
    prog = progress.progress_to_dict(progress.progress(ctx, person_id))
    name = person.name or f"runner {person_id}"
    pdf = _Report(f"heelcoach hand-over report: {name}, {today.isoformat()}")
    pdf.add_page()
    pdf.heading(f"Hand-over report: {name}", 16)
    pdf.para(f"Prepared {today.isoformat()} by heelcoach from the runner's own records. {DISCLAIMER}", 8)
    _checkin_warnings(pdf, versions)
    _triage(pdf, ctx, intake.latest_intake(ctx, person_id))
    _drivers(pdf, versions)
    sources = _plan(pdf, versions)
    _pain_chart(pdf, list(prog.get("pain", [])), today)
    _outcomes(pdf, list(prog.get("outcomes", [])))
    pdf.heading("References")
    for n, line in enumerate(citations(ctx.catalogue, sources), start=1):
        pdf.para(f"{n}. {line}", 8)
    return bytes(pdf.output())
