"""The hand-over routes: the clinician's FHIR bundle (audited), and a local runner printing their own."""

from __future__ import annotations

import json
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from heelcoach.services import people
from heelcoach.services.context import AppContext
from tests.clinic.clinic_world import World, _login
from tests.clinic.test_local_mode import local  # noqa: F401 - a fixture found by name


def test_clinician_takes_the_fhir_bundle_and_the_runner_sees_it(world: World) -> None:
    pid = world.people["runner"]
    pt = _login(world.app, world.users["clinician"])
    got = pt.get(f"/clinic/people/{pid}/handover.fhir.json")
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate_json(got.content)
    kinds = {e.resource.get_resource_type() for e in bundle.entry or []}  # type: ignore[union-attr]
    assert {"Patient", "Condition", "CarePlan"} <= kinds
    assert "handover.fhir.json" in pt.get(f"/clinic/people/{pid}").text  # a button on the runner view
    runner = _login(world.app, world.users["runner"])
    trail = runner.get(f"/api/people/{pid}/audit").json()
    assert any(t["action"] == "handover_fhir" and t["who"] == "pt@example.org" for t in trail)
    assert "took your hand-over record" in runner.get("/sharing").text
    other = _login(world.app, world.users["other_clinician"])
    assert other.get(f"/clinic/people/{pid}/handover.fhir.json").status_code == 404


def test_local_runner_prints_their_own_from_settings(local: tuple[AppContext, Any]) -> None:  # noqa: F811
    ctx, client = local
    own = client.get("/api/me").json()["person_id"]
    page = client.get("/settings").text
    assert f'href="/clinic/people/{own}/handover.pdf"' in page
    assert f'href="/clinic/people/{own}/handover.fhir.json"' in page
    pdf = client.get(f"/clinic/people/{own}/handover.pdf")
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")
    fhir = client.get(f"/clinic/people/{own}/handover.fhir.json")
    assert fhir.status_code == 200
    patient = json.loads(fhir.content)["entry"][0]["resource"]
    assert patient == {"resourceType": "Patient", "active": True, "name": [{"text": "Runner"}]}
    other = people.create_person(ctx, "someone else").id
    assert client.get(f"/clinic/people/{other}/handover.fhir.json").status_code == 404
    assert client.get(f"/clinic/people/{other}/handover.pdf").status_code == 404
