"""The hand-over report (PDF) and its FHIR bundle, from a runner with a month of real records.

The gait report comes from real keypoints of the treadmill clip (measured cadence 168.9 steps/min)
with key frames drawn from the real video; the report is read back with pdftotext, the bundle is
parsed back with the fhir.resources models.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from heelcoach.domain.plan import plan_from_dict
from heelcoach.errors import NotFoundError
from heelcoach.services import fhir_bundle, handover
from heelcoach.services.context import AppContext
from heelcoach.store.base import transaction
from heelcoach.store.repositories import Repos
from tests.pdf_text import pdf_text
from tests.services.handover_seed import PAIN, Seeded, seed_runner


@pytest.fixture
def seeded(ctx: AppContext, shared_data: Path) -> Seeded:
    return seed_runner(ctx, shared_data, date(2026, 12, 5))


def _tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise RuntimeError(f"{name} (Debian poppler-utils) is needed: scripts/setup.sh --test installs it")
    return tool


def _pdf_images(data: bytes, tmp_path: Path) -> int:
    pdf = tmp_path / "images.pdf"
    pdf.write_bytes(data)
    listing = subprocess.run(
        [_tool("pdfimages"), "-list", str(pdf)], check=True, capture_output=True, text=True
    )
    return len(listing.stdout.splitlines()) - 2  # two header lines


def _weekly_km(today: date) -> dict[date, float]:
    """What the seed logged, summed by calendar week here (not by the code under test)."""
    start = today - timedelta(days=28)
    weeks: dict[date, float] = {}
    for n in range(len(PAIN)):
        if n % 3 == 1:
            day = start + timedelta(days=n)
            monday = day - timedelta(days=day.weekday())
            weeks[monday] = weeks.get(monday, 0.0) + 4.0
    return weeks


def test_report_has_every_section_with_the_runners_values(
    ctx: AppContext, seeded: Seeded, tmp_path: Path
) -> None:
    data = handover.handover_pdf(ctx, seeded.person_id, today=seeded.today)
    text = pdf_text(data, tmp_path)
    for heading in (
        "Triage",
        "Drivers and the evidence for them",
        "Gait analysis",
        "Running load, last 12 weeks (km)",
        "Plan now",
        "Adherence per exercise since",
        "Plan versions and their reasons",
        "First-step pain, last 56 days",
        "Outcome scores (FAAM, PSFS)",
        "Answers behind the triage",
        "References",
    ):
        assert heading in text, heading
    # gait: the cadence of the stored report, which the real clip's ground truth backs (168.9 +/- 0.5)
    assert abs(seeded.cadence_spm - 168.9) < 3
    assert f"Cadence: {seeded.cadence_spm:g} ± 3.0 steps/min" in text
    assert _pdf_images(data, tmp_path) >= 3  # both foot landings and the chart of the clip
    # load: each week's km as logged, beside the plan's cap
    with transaction(ctx.sessions) as s:
        plan = plan_from_dict(Repos(s).plans.latest(seeded.person_id).plan)  # type: ignore[union-attr]
    cap = plan.run.weekly_km_cap
    assert cap is not None
    for monday, km in _weekly_km(seeded.today).items():
        assert f"{monday.isoformat()} {km:g} {cap:g} - check-ins" in text
    # adherence: the first exercise was ticked every day with a check-in; today has none yet
    first = next(i for i in plan.items if i.kind == "exercise" and not i.optional)
    since = seeded.today - timedelta(days=seeded.today.weekday()) - timedelta(weeks=3)
    days = (seeded.today - since).days + 1
    assert f"{first.title}: done on {days - 1} of {days} planned days" in text
    # outcomes: the stored FAAM ADL score and the PSFS activities with their ratings
    faam_pct = round(sum(v or 0 for v in seeded.faam_adl.values()) / (4 * len(seeded.faam_adl)) * 100, 1)
    assert f"FAAM ADL (%): {(seeded.today - timedelta(days=28)).isoformat()}: {faam_pct:g}" in text
    for activity, rating in seeded.psfs.items():
        assert f"{activity}: {rating:g}/10" in text
    assert f"last {PAIN[-1]}/10, first in this window {PAIN[0]}/10" in text


def test_report_cites_in_full_and_shows_no_internal_ids(
    ctx: AppContext, seeded: Seeded, tmp_path: Path
) -> None:
    text = " " + pdf_text(handover.handover_pdf(ctx, seeded.person_id, today=seeded.today), tmp_path)
    with transaction(ctx.sessions) as s:
        plan = plan_from_dict(Repos(s).plans.latest(seeded.person_id).plan)  # type: ignore[union-attr]
    ids = {i.id for i in plan.items} | {i.ref_id for i in plan.items} | set(ctx.catalogue.references)
    ids |= set(seeded.faam_adl)
    shown = sorted(i for i in ids if re.search(rf"\b{re.escape(i)}\b", text) and "_" in i)
    assert shown == []
    assert "_" not in text
    # each item's grade with numbered references, and the list in full: author (year). Title.
    heel_raise = next(i for i in plan.items if i.ref_id == "rathleff_high_load_heel_raise")
    assert re.search(
        rf"{re.escape(heel_raise.title)}, level 1: .*?Evidence: grade B \(moderate evidence\) \[\d", text
    )
    assert "Rathleff MS et al. (2015). High-load strength training improves outcome" in text
    assert "Martin RL et al. (2005). Evidence of validity for the Foot and Ankle Ability Measure" in text
    cited = {int(n) for group in re.findall(r"\[(\d+(?:, \d+)*)\]", text) for n in group.split(", ")}
    section = text.rsplit("References", 1)[-1]
    places = [section.find(f" {n}. ") for n in range(1, max(cited) + 1)]
    assert -1 not in places
    assert places == sorted(places)
    assert f" {max(cited) + 1}. " not in section  # and nothing uncited


def test_report_of_an_unknown_person_is_not_found(ctx: AppContext) -> None:
    with pytest.raises(NotFoundError):
        handover.handover_pdf(ctx, 4242, today=date(2026, 12, 5))


def _by_url(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["fullUrl"]: e["resource"] for e in bundle["entry"]}


def _references(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return found + [r for v in value.values() for r in _references(v)]
    if isinstance(value, list):
        return [r for v in value for r in _references(v)]
    return []


def test_fhir_bundle_parses_back_and_matches_the_stored_record(ctx: AppContext, seeded: Seeded) -> None:
    doc = fhir_bundle.handover_bundle(ctx, seeded.person_id, today=seeded.today)
    parsed = Bundle.model_validate_json(json.dumps(doc))  # what a receiving system would read
    assert parsed.type == "collection"
    kinds = Counter(e.resource.get_resource_type() for e in parsed.entry)  # type: ignore[union-attr]
    assert kinds["Patient"] == 1
    assert kinds["Condition"] == 1
    assert kinds["CarePlan"] == 1
    assert kinds["QuestionnaireResponse"] == 2
    assert kinds["Observation"] == 2 * len(PAIN)  # first-step and worst pain of every check-in
    resources = _by_url(doc)
    refs = _references([e["resource"] for e in doc["entry"]])
    assert refs
    assert all(r in resources for r in refs)
    condition = next(r for r in resources.values() if r["resourceType"] == "Condition")
    assert condition["code"]["coding"][0] == {
        "system": "http://snomed.info/sct",
        "code": "202882003",
        "display": "Plantar fasciitis",
    }
    plan = next(r for r in resources.values() if r["resourceType"] == "CarePlan")
    assert plan["addresses"][0]["reference"] in resources
    titles = [a["detail"]["code"]["text"] for a in plan["activity"]]
    assert "High-load heel raise (Rathleff protocol)" in titles
    assert "Running" in titles
    assert any("planned days" in a.get("progress", [{}])[0].get("text", "") for a in plan["activity"])
    _check_questionnaires(resources, seeded)
    _check_pain(resources, seeded)


def _check_questionnaires(resources: dict[str, dict[str, Any]], seeded: Seeded) -> None:
    answers = [r for r in resources.values() if r["resourceType"] == "QuestionnaireResponse"]
    faam = next(r for r in answers if "FAAM" in r["text"]["div"])
    got = {i["linkId"]: i["answer"][0].get("valueInteger") for i in faam["item"] if i["linkId"] != "score"}
    assert got == seeded.faam_adl
    psfs = next(r for r in answers if "PSFS" in r["text"]["div"])
    pairs = {
        i["item"][0]["answer"][0]["valueString"]: i["item"][1]["answer"][0]["valueDecimal"]
        for i in psfs["item"]
        if i["linkId"] != "score"
    }
    assert pairs == seeded.psfs
    score = next(i for i in psfs["item"] if i["linkId"] == "score")["answer"][0]["valueDecimal"]
    assert score == pytest.approx(sum(seeded.psfs.values()) / len(seeded.psfs), abs=0.01)


def _check_pain(resources: dict[str, dict[str, Any]], seeded: Seeded) -> None:
    start = seeded.today - timedelta(days=28)
    observations = [r for r in resources.values() if r["resourceType"] == "Observation"]
    assert all(o["code"]["coding"][0]["code"] == "72514-3" for o in observations)
    first_step = {
        o["effectiveDateTime"]: o["valueInteger"]
        for o in observations
        if o["code"]["text"].startswith("First-step")
    }
    assert first_step == {(start + timedelta(days=n)).isoformat(): p for n, p in enumerate(PAIN)}
    worst = {
        o["effectiveDateTime"]: o["valueInteger"]
        for o in observations
        if o["code"]["text"].startswith("Worst")
    }
    assert worst == {(start + timedelta(days=n)).isoformat(): p + 1 for n, p in enumerate(PAIN)}
