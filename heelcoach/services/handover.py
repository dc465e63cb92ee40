"""The hand-over report: a clinician-grade PDF of one runner (fpdf2, like the runner's handout).

Warning signs, the triage, the drivers with their evidence, the latest gait analysis with its
metrics and key frames, weekly running against the plan's cap, the plan now with each item's
evidence grade and references, adherence per exercise, the plan's versions, first-step pain over
time and the outcome scores, the answers behind the triage, and the references in full. Internal
ids never appear: items by title, references as author (year) title. Distances are in the runner's
own unit (km or miles, as they chose), so the clinician reads the numbers the runner reads; texts
stored in another unit are shown in it, what a person typed is printed as typed.

Usage::

    pdf_bytes = handover_pdf(ctx, person_id, today=date.today())
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from fpdf import FPDF
from PIL import Image

from heelcoach import DISCLAIMER
from heelcoach.domain import drivers as drivers_mod
from heelcoach.domain.intake import answer_in_unit, is_distance, question_in_unit
from heelcoach.domain.plan import plan_from_dict
from heelcoach.domain.units import DistanceUnit, distance, from_km, in_unit, number
from heelcoach.gait.numbers import format_measure
from heelcoach.services import handover_record
from heelcoach.services.context import AppContext
from heelcoach.services.exercises import readable_citation
from heelcoach.services.handover_record import HandoverRecord
from heelcoach.store.gait_reports import GaitReportRecord
from heelcoach.text.plan_text import format_dose, grade_label

_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
#: Days of first-step pain the chart shows.
CHART_DAYS = 56
#: Pictures are printed from at most this many pixels high.
PICTURE_PX = 900
#: Instrument names as a clinician reads them.
INSTRUMENT_NAMES = {"faam_adl": "FAAM ADL (%)", "faam_sports": "FAAM Sports (%)", "psfs": "PSFS (0-10)"}


class _Report(FPDF):
    def __init__(self, title: str, unit: DistanceUnit = DistanceUnit.KM) -> None:
        super().__init__(format="A4")
        #: Every text printed goes through :meth:`safe`, which shows its distances in this unit.
        self.unit = unit
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

    def safe(self, text: str, *, typed: bool = False) -> str:
        """``text`` as printed: distances in the runner's unit (not in what a person ``typed``),
        and latin-1 only without the DejaVu font."""
        if not typed:
            text = in_unit(text, self.unit)
        if self.family == "body":
            return text
        return text.encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.set_text_color(110)
        self.cell(0, 5, self.safe(f"{self.report_title} - page {self.page_no()}", typed=True), align="C")
        self.set_text_color(0)

    def heading(self, text: str, size: float = 13, *, typed: bool = False) -> None:
        if self.h - self.b_margin - self.get_y() < 30:
            self.add_page()
        self.ln(2)
        self.set_font(self.family, "B", size)
        self.multi_cell(0, 7, self.safe(text, typed=typed), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 10)

    def para(self, text: str, size: float = 10, bold: bool = False, *, typed: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        shown = self.safe(text, typed=typed)
        self.multi_cell(0, size * 0.5, shown, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 10)


def _words(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_words(v) for v in value)
    return str(value).replace("_", " ")


class _Refs:
    """Numbers references in order of first citation; unknown ids are left out, never shown."""

    def __init__(self, ctx: AppContext) -> None:
        self.catalogue = ctx.catalogue
        self.lines: list[str] = []

    def cite(self, ids: Iterable[str]) -> str:
        numbers: list[int] = []
        for ref_id in ids:
            ref = self.catalogue.references.get(ref_id)
            if ref is None:
                continue
            line = readable_citation(ref)
            if line not in self.lines:
                self.lines.append(line)
            n = self.lines.index(line) + 1
            if n not in numbers:
                numbers.append(n)
        return f" [{', '.join(str(n) for n in numbers)}]" if numbers else ""


def _triage(pdf: _Report, record: HandoverRecord) -> None:
    pdf.heading("Triage")
    if record.intake is None:
        pdf.para("No questionnaire answered yet.")
        return
    t = dict(record.intake.triage)
    needs = "yes" if t.get("needs_clinician") else "no"
    pdf.para(f"Triage level: {_words(t.get('level'))} (needs a clinician: {needs}).", bold=True)
    for flag in t.get("red_flags") or []:
        name = (flag.get("name") or flag.get("title") or "warning sign") if isinstance(flag, dict) else flag
        why = (flag.get("reason") or flag.get("text") or "") if isinstance(flag, dict) else ""
        pdf.para(f"WARNING SIGN: {_words(name)}. {why}", bold=True)
    for cond in (t.get("differential") or [])[:5]:
        reasons = " ".join(str(r.get("text", "")) for r in cond.get("supporting", []))
        head = f"- {cond.get('name')} ({cond.get('likelihood')}, score {cond.get('score')})"
        pdf.para(f"{head}: {reasons}" if reasons else head, 9)
    pdf.para("Every answer behind the triage is listed near the end of this report.", 8)


def _answers(pdf: _Report, ctx: AppContext, record: HandoverRecord) -> None:
    if record.intake is None:
        return
    pdf.heading("Answers behind the triage", 11)
    questions = {q.id: q for q in ctx.catalogue.triage.questions}
    for key, value in record.intake.answers.items():
        q = questions.get(key)
        if q is None:
            pdf.para(f"{_words(key)}  ->  {_words(value)}", 8)
            continue
        shown = answer_in_unit(q, value, record.unit)  # asked and answered in the runner's unit
        said = _words(shown)
        if is_distance(q) and isinstance(shown, int | float) and not isinstance(shown, bool):
            said = f"{said} {record.unit.label}"
        pdf.para(f"{question_in_unit(q, record.unit).prompt}  ->  {said}", 8)


def _checkin_warnings(pdf: _Report, record: HandoverRecord) -> None:
    signs = [v for v in record.versions if v.decision.get("kind") == "warning_sign"]
    if not signs:
        return
    pdf.heading("Warning signs reported in check-ins")
    for v in signs:
        said = ", ".join(_words(x) for x in v.decision.get("symptoms", []))
        pdf.para(
            f"{v.decision.get('reported_on')}: {said}; the plan paused the same day (version {v.version}).",
            bold=True,
        )


def _drivers(pdf: _Report, record: HandoverRecord) -> None:
    pdf.heading("Drivers and the evidence for them")
    found = next(
        (v.decision["drivers"] for v in reversed(record.versions) if v.decision.get("drivers")), None
    )
    if not found:
        pdf.para("No plan yet, so no drivers inferred.")
        return
    labels: dict[str, str] = {str(k): v for k, v in drivers_mod.DRIVER_LABELS.items()}
    for d in sorted(found, key=lambda d: -float(d.get("strength") or 0)):
        if not d.get("active"):
            continue
        said = "; ".join(
            f"{e.get('summary')} (from the {_words(e.get('source'))}, weight {e.get('weight')})"
            for e in d.get("evidence", [])
        )
        pdf.para(f"- {labels.get(d['id'], _words(d['id']))} (strength {d.get('strength')}): {said}", 9)


def _metric_line(m: dict[str, Any]) -> str | None:
    value = m.get("value")
    if not isinstance(value, int | float):
        return None
    unc = m.get("uncertainty") if isinstance(m.get("uncertainty"), int | float) else None
    unit = str(m.get("unit") or "")
    text = f"{m.get('name') or 'measure'}: {format_measure(float(value), unc, unit)}"
    left, right = m.get("left"), m.get("right")
    if isinstance(left, int | float) and isinstance(right, int | float):
        sides = format_measure(float(left), unc, unit), format_measure(float(right), unc, unit)
        text += f" (left {sides[0]}, right {sides[1]})"
    if m.get("quality") == "unreliable":
        text += "; as filmed, not real time"
    return text


def _gait(pdf: _Report, ctx: AppContext, record: HandoverRecord, refs: _Refs) -> None:
    pdf.heading("Gait analysis")
    if not record.gait:
        pdf.para("No running video or keypoints analysed yet.")
        return
    latest = record.gait[0]
    doc = latest.report
    quality = (doc.get("quality") or {}).get("level", "unknown")
    pdf.para(
        f"Latest analysis {latest.created_at.date().isoformat()}: {_words(latest.view)} view, "
        f"{_words(latest.activity)}, {doc.get('fps')} frames/s over {doc.get('duration_s')} s, "
        f"clip quality {quality}.",
        bold=True,
    )
    for m in (doc.get("metrics") or {}).values():
        line = _metric_line(m) if isinstance(m, dict) else None
        if line:
            pdf.para(f"- {line}", 9)
    for f in doc.get("findings") or []:
        cites = refs.cite(f.get("sources") or [])
        pdf.para(f"- Finding: {f.get('text')} (confidence {f.get('confidence')}){cites}", 9)
    if doc.get("summary"):
        pdf.para(str(doc["summary"]), 9)
    for issue in (doc.get("quality") or {}).get("issues") or []:
        pdf.para(f"Clip quality: {issue}", 8)
    _pictures(pdf, handover_record.gait_pictures(ctx, latest))
    _gait_history(pdf, record.gait[1:])


def _gait_history(pdf: _Report, older: Iterable[GaitReportRecord]) -> None:
    rows = list(older)
    if not rows:
        return
    pdf.heading("Earlier analyses", 11)
    for r in rows:
        cad = f"cadence {r.cadence_spm:g} steps/min" if r.cadence_spm is not None else "no cadence reported"
        pdf.para(
            f"- {r.created_at.date().isoformat()}: {_words(r.view)} view, {_words(r.activity)}, {cad}", 9
        )


def _room(pdf: _Report, needed_mm: float) -> None:
    """A new page unless ``needed_mm`` fit below the current position."""
    if pdf.h - pdf.b_margin - pdf.get_y() < needed_mm:
        pdf.add_page()


def _compact(png: bytes) -> io.BytesIO:
    """A picture at print size (at most PICTURE_PX high, JPEG): keeps the PDF small."""
    with Image.open(io.BytesIO(png)) as img:
        rgb = img.convert("RGB")
        if rgb.height > PICTURE_PX:
            rgb = rgb.resize((max(1, round(rgb.width * PICTURE_PX / rgb.height)), PICTURE_PX))
        out = io.BytesIO()
        rgb.save(out, format="JPEG", quality=85)
    out.seek(0)
    return out


def _pictures(pdf: _Report, pictures: list[handover_record.Picture]) -> None:
    """The key frames and the chart of signals side by side (at most three), one height."""
    shown = pictures[:3]
    if not shown:
        pdf.para("The pictures of this analysis are no longer stored.", 8)
        return
    height = 75.0
    _room(pdf, height + 10)
    y, x = pdf.get_y() + 2, pdf.l_margin
    slot = pdf.epw / len(shown)
    pdf.set_font(pdf.family, "", 8)
    for p in shown:
        pdf.image(_compact(p.png), x=x, y=y, w=slot - 4, h=height, keep_aspect_ratio=True)
        pdf.set_xy(x, y + height + 1)
        pdf.cell(slot - 4, 4, pdf.safe(p.caption), align="C")
        x += slot
    pdf.set_xy(pdf.l_margin, y + height + 7)
    pdf.set_font(pdf.family, "", 10)


def _load(pdf: _Report, record: HandoverRecord) -> None:
    unit = record.unit
    pdf.heading(f"Running load, last {handover_record.LOAD_WEEKS} weeks ({unit.label})")
    if not record.load:
        pdf.para("No runs imported and no distances logged in check-ins in that time.")
        return
    _load_chart(pdf, record.load, unit)
    pdf.set_font(pdf.family, "B", 8)
    columns = (("Week from", 26), (unit.label, 16), ("Plan cap", 18), ("Runs", 12), ("From", 22), ("Note", 0))
    for text, width in columns:
        pdf.cell(width, 5, text)
    pdf.ln(5)
    pdf.set_font(pdf.family, "", 8)
    for w in record.load:
        cap = number(w.cap_km, unit) if w.cap_km is not None else "-"
        note = "; ".join(x for x in ("OVER THE CAP" if w.over_cap else "", w.spike) if x)
        pdf.cell(26, 4.5, w.week_start.isoformat())
        pdf.cell(16, 4.5, number(w.km, unit))
        pdf.cell(18, 4.5, cap)
        pdf.cell(12, 4.5, str(w.runs) if w.runs else "-")
        pdf.cell(22, 4.5, w.source or "-")
        pdf.multi_cell(0, 4.5, pdf.safe(note or ""), new_x="LMARGIN", new_y="NEXT")
    if record.load_before_km:
        pdf.para(f"Before these weeks: {distance(record.load_before_km, unit)} in all.", 8)


def _load_chart(pdf: _Report, weeks: tuple[handover_record.LoadWeek, ...], unit: DistanceUnit) -> None:
    top = max([w.km for w in weeks] + [w.cap_km or 0 for w in weeks] + [1.0]) * 1.1
    _room(pdf, 50)
    x0, y0, w, h = pdf.l_margin + 8, pdf.get_y() + 2, pdf.epw - 8, 32
    pdf.set_draw_color(180)
    pdf.rect(x0, y0, w, h)
    slot = w / len(weeks)
    for i, week in enumerate(weeks):
        bar = week.km * h / top
        pdf.set_fill_color(*((200, 60, 60) if week.over_cap else (90, 120, 170)))
        if bar > 0:
            pdf.rect(x0 + i * slot + slot * 0.15, y0 + h - bar, slot * 0.7, bar, style="F")
        if week.cap_km is not None:
            pdf.set_draw_color(30, 30, 30)
            cap_y = y0 + h - week.cap_km * h / top
            pdf.line(x0 + i * slot, cap_y, x0 + (i + 1) * slot, cap_y)
    pdf.set_font(pdf.family, "", 7)
    pdf.text(pdf.l_margin, y0 + 3, f"{from_km(top, unit):.0f}")  # the scale's top, in the runner's unit
    pdf.text(pdf.l_margin, y0 + h, "0")
    pdf.set_draw_color(0)
    pdf.set_y(y0 + h + 2)
    pdf.para(
        f"Bars: {unit.plural} run each week (red: over the plan's cap). "
        "Line: the weekly cap of the plan then.",
        8,
    )


def _plan(pdf: _Report, record: HandoverRecord, refs: _Refs) -> None:
    pdf.heading("Plan now")
    if not record.versions:
        pdf.para("No plan yet.")
        return
    latest = record.versions[-1]
    plan = plan_from_dict(latest.plan)
    pdf.para(
        f"Version {latest.version}, phase {latest.phase}, week {latest.week}; "
        f"irritability {plan.irritability}."
    )
    for item in plan.items:
        level = f", level {item.level}" if item.level else ""
        dose = f": {format_dose(item.dose)}" if item.dose else ""
        grade = grade_label(item.evidence)
        pdf.para(f"- {item.title}{level}{dose}. Evidence: {grade}{refs.cite(item.sources)}", 9)
    run = plan.run
    cap = f", at most {distance(run.weekly_km_cap, pdf.unit)} a week" if run.weekly_km_cap is not None else ""
    pdf.para(f"Running: {run.runs_per_week} runs a week{cap}. {run.why}{refs.cite(run.sources)}", 9)
    for held in plan.excluded:
        pdf.para(f"- Left out: {held.reason}", 8)


def _adherence(pdf: _Report, record: HandoverRecord) -> None:
    pdf.heading(f"Adherence per exercise since {record.adherence_since.isoformat()}")
    if not record.adherence:
        pdf.para("No exercises planned in that time.")
        return
    pdf.para(
        f"Days each exercise was planned and ticked done in the daily check-in "
        f"({record.adherence_checkins} check-ins in this time; a day without a check-in counts as not done).",
        8,
    )
    for a in record.adherence:
        pct = f" ({a.pct}%)" if a.pct is not None else ""
        pdf.para(f"- {a.title}: done on {a.done_days} of {a.planned_days} planned days{pct}", 9)
    reviews = [v for v in record.versions if v.decision.get("kind") == "weekly_review"]
    for v in reviews[-4:]:
        share = v.decision.get("adherence")
        if isinstance(share, int | float):
            pdf.para(f"Weekly review to {v.decision.get('reviewed_to')}: adherence {round(100 * share)}%.", 8)


def _versions(pdf: _Report, record: HandoverRecord) -> None:
    if not record.versions:
        return
    pdf.heading("Plan versions and their reasons", 11)
    for v in reversed(record.versions):
        pdf.para(
            f"Version {v.version} from {v.starts_on.isoformat()} ({v.phase}, week {v.week}): {v.reason}", 8
        )


def _pain_chart(pdf: _Report, record: HandoverRecord) -> None:
    pdf.heading(f"First-step pain, last {CHART_DAYS} days (0-10)")
    _room(pdf, 55)
    points = [
        ((c.day - record.today).days + CHART_DAYS, c.first_step_pain)
        for c in record.checkins
        if c.first_step_pain is not None
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


def _outcomes(pdf: _Report, ctx: AppContext, record: HandoverRecord, refs: _Refs) -> None:
    outcomes = ctx.catalogue.outcomes
    cites = refs.cite([*outcomes.faam.sources, *outcomes.psfs.sources])
    pdf.heading("Outcome scores (FAAM, PSFS)")
    if not record.outcomes:
        pdf.para("No questionnaires yet.")
        return
    by_instrument: dict[str, list[Any]] = {}
    for o in record.outcomes:
        by_instrument.setdefault(o.instrument, []).append(o)
    for instrument, rows in by_instrument.items():
        name = INSTRUMENT_NAMES.get(instrument, _words(instrument))
        series = ", ".join(f"{o.taken_on.isoformat()}: {o.score:g}" for o in rows)
        change = ""
        if len(rows) > 1:
            change = f"; change {rows[-1].score - rows[0].score:+.1f} since the first"
        pdf.para(f"- {name}: {series}{change}", 9)
        if instrument == "psfs":
            for activity, rating in rows[-1].answers.items():  # activities the runner named, as typed
                pdf.para(f"    {activity}: {rating}/10", 8, typed=True)
    mcid = (
        f"Meaningful change: FAAM ADL {outcomes.faam.adl.mcid_points.value:g} points, FAAM Sports "
        f"{outcomes.faam.sports.mcid_points.value:g} points, PSFS {outcomes.psfs.mcid_points.value:g} points."
    )
    pdf.para(mcid + cites, 8)


def handover_pdf(ctx: AppContext, person_id: int, *, today: date) -> bytes:
    """The hand-over report of a runner as PDF bytes (NotFoundError for an unknown person)."""
    record = handover_record.gather(ctx, person_id, today=today)
    name = record.person.name or "the runner"
    pdf = _Report(f"heelcoach hand-over report: {name}, {today.isoformat()}", record.unit)
    refs = _Refs(ctx)
    pdf.add_page()
    pdf.heading(f"Hand-over report: {name}", 16, typed=True)
    pdf.para(
        f"Prepared {today.isoformat()} by heelcoach from the runner's own records. Distances in "
        f"{record.unit.plural}, the runner's unit. {DISCLAIMER}",
        8,
    )
    _checkin_warnings(pdf, record)
    _triage(pdf, record)
    _drivers(pdf, record)
    _gait(pdf, ctx, record, refs)
    _load(pdf, record)
    _plan(pdf, record, refs)
    _adherence(pdf, record)
    _versions(pdf, record)
    _pain_chart(pdf, record)
    _outcomes(pdf, ctx, record, refs)
    _answers(pdf, ctx, record)
    pdf.heading("References")
    for n, line in enumerate(refs.lines, start=1):
        pdf.para(f"{n}. {line}", 8)
    return bytes(pdf.output())
