"""The plan-change and in-clinic test forms over HTTP: the one policy decides who may post them (only
the clinician of a clinic the runner shares with), a refusal is shown with its reason and stores
nothing, and the runner reads the change and its reason on Plan."""

from __future__ import annotations

from typing import Any

import pytest

from heelcoach.services import intake, planning
from heelcoach.store.base import transaction
from heelcoach.store.repositories import Repos
from tests.clinic.clinic_world import World, _login
from tests.clinic.test_matrix import _expected
from tests.web.answers import TYPICAL

ROLES = ("runner", "other_runner", "clinician", "other_clinician", "admin", "anonymous")
ADD = {"kind": "add", "new_id": "toe_yoga", "level": "2", "reason": "Toe control for the arch."}


def _versions(world: World, pid: int) -> int:
    with transaction(world.ctx.sessions) as s:
        return Repos(s).plans.count(pid)


def _post(client: Any, path: str, form: dict[str, Any]) -> Any:
    return client.post(
        path, data={**form, "csrf_token": client.headers["x-csrf-token"]}, follow_redirects=False
    )


def _tests_form(world: World) -> dict[str, Any]:
    test = world.ctx.catalogue.self_tests["single_leg_heel_raise_test"]
    return {"test_id": [test.id, test.id], "side": ["left", "right"], "value": [str(test.value_min + 2), ""]}


@pytest.mark.parametrize("route", ["plan", "tests"])
def test_the_forms_follow_the_policy(world: World, route: str) -> None:
    form = ADD if route == "plan" else _tests_form(world)
    clients = {role: _login(world.app, world.users.get(role)) for role in ROLES}
    for owner in ("runner", "stopped", "other_runner"):
        pid = world.people[owner]
        for role in ROLES:
            before = _versions(world, pid)
            got = _post(clients[role], f"/clinic/people/{pid}/{route}", form)
            expected = _expected(world, role, owner, "change_plan")
            assert got.status_code == {200: 303, 401: 303, 403: 403, 404: 404}[expected], (role, owner)
            if expected == 401:
                assert got.headers["location"] == "/login"
            # the table, read by hand: Bob shares with Northside too; Cat stopped sharing with it
            allowed = role == "clinician" and owner in ("runner", "other_runner")
            assert (expected == 200) == allowed
            assert _versions(world, pid) == before + allowed, (role, owner)


def test_a_change_reaches_the_runner_and_a_contraindicated_tool_is_refused(world: World) -> None:
    pid = world.people["runner"]
    pt = _login(world.app, world.users["clinician"])
    ann = _login(world.app, world.users["runner"])
    page = pt.get(f"/clinic/people/{pid}").text
    assert "Change the plan" in page
    assert "In-clinic test results" in page
    assert _post(pt, f"/clinic/people/{pid}/plan", ADD).status_code == 303
    told = "Your physiotherapist at Northside added Toe yoga at level 2: Toe control for the arch."
    assert told in ann.get("/plan").text
    # the runner answers that they take blood thinners: the massage ball is contraindicated
    intake.save_intake(world.ctx, pid, {**TYPICAL, "anticoagulants_or_bleeding_disorder": True})
    before = _versions(world, pid)
    refused = _post(
        pt,
        f"/clinic/people/{pid}/plan",
        {"kind": "add", "new_id": "massage_ball_rolling", "reason": "Relief."},
    )
    assert refused.status_code == 422
    assert "is contraindicated for this runner (anticoagulant or bleeding" in refused.text
    assert _versions(world, pid) == before
    bad = _post(
        pt, f"/clinic/people/{pid}/plan", {**ADD, "kind": "set_level", "item_id": "toe_yoga", "reps": "many"}
    )
    assert bad.status_code == 422
    assert "Repetitions: give a number" in bad.text
    # in-clinic tests: stored, merged, told to the runner
    assert _post(pt, f"/clinic/people/{pid}/tests", _tests_form(world)).status_code == 303
    record, _plan = planning.current_plan(world.ctx, pid)
    assert record.reason.startswith(
        "Your physiotherapist at Northside measured in the clinic: Single-leg heel-raise"
    )
    assert "measured in the clinic" in ann.get("/plan").text
    trail = ann.get(f"/api/people/{pid}/audit").json()
    assert any(t["action"] == "clinic_tests" and t["who"] == "pt@example.org" for t in trail)
    assert "recorded tests measured in the clinic" in ann.get("/sharing").text
