"""A clinician changes a runner's plan and keeps notes; a runner's sharing page stops sharing at once.

Every route goes through the one policy: the runner themself, another runner, the clinician of
another clinic, the admin and no one at all are refused, and a refused change stores nothing.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from heelcoach.domain import plan as plan_mod
from heelcoach.services import checkins, person_data, planning
from heelcoach.services.common import to_jsonable
from heelcoach.store.base import transaction
from heelcoach.store.repositories import Repos
from tests.clinic.clinic_world import PASSWORD, World, _login
from tests.clinic.test_matrix import _expected
from tests.pdf_text import pdf_text

ROLES = ("runner", "other_runner", "clinician", "other_clinician", "admin", "anonymous")


def _versions(world: World, pid: int) -> int:
    with transaction(world.ctx.sessions) as s:
        return Repos(s).plans.count(pid)


def _raise_level(world: World, pid: int, item_id: str, level: int) -> None:
    """Set-up: the current plan with one exercise further up its ladder (as weekly reviews would)."""
    with transaction(world.ctx.sessions) as s:
        repos = Repos(s)
        latest = repos.plans.latest(pid)
        assert latest is not None
        plan = plan_mod.plan_from_dict(latest.plan)
        items = tuple(dataclasses.replace(i, level=level) if i.id == item_id else i for i in plan.items)
        plan = dataclasses.replace(plan, items=items, version=latest.version + 1)
        repos.plans.add(
            pid,
            plan=to_jsonable(plan_mod.plan_to_dict(plan)),
            starts_on=latest.starts_on,
            phase=latest.phase,
            week=latest.week,
            decision={"kind": "test_setup"},
            reason="set-up",
            now=latest.created_at,
        )


def _post(client: Any, path: str, form: dict[str, str]) -> Any:
    return client.post(
        path, data={**form, "csrf_token": client.headers["x-csrf-token"]}, follow_redirects=False
    )


HOLD = {"kind": "hold", "item_id": "side_lying_hip_abduction", "reason": "Hip is sore this week."}


@pytest.mark.parametrize(
    ("path", "action", "form"),
    [
        ("/clinic/people/{pid}/plan", "change_plan", HOLD),
        ("/clinic/people/{pid}/notes", "clinic_notes", {"text": "Discussed footwear."}),
    ],
)
def test_changes_and_notes_follow_the_policy(
    world: World, path: str, action: Any, form: dict[str, str]
) -> None:
    for owner in ("runner", "stopped"):
        pid = world.people[owner]
        for role in ROLES:
            client = _login(world.app, world.users.get(role))
            before = _versions(world, pid)
            got = _post(client, path.format(pid=pid), form)
            expected = _expected(world, role, owner, action)
            want = {200: 303, 401: 303, 403: 403, 404: 404}[expected]
            assert got.status_code == want, (role, owner, got.text[:300])
            if expected == 401:
                assert got.headers["location"] == "/login"
            allowed = expected == 200
            assert allowed == (role == "clinician" and owner == "runner")  # the table, read by hand
            if action == "change_plan":
                assert _versions(world, pid) == before + allowed


def test_clinician_plan_change_reaches_the_runner(world: World) -> None:
    pid = world.people["runner"]
    pt = _login(world.app, world.users["clinician"])
    ann = _login(world.app, world.users["runner"])
    # level 1 cannot step back: a clear refusal, nothing stored
    before = _versions(world, pid)
    refused = _post(pt, f"/clinic/people/{pid}/plan", {**HOLD, "kind": "step_back", "item_id": "short_foot"})
    assert refused.status_code == 422
    assert "first level already: put it on hold instead" in refused.text
    assert _versions(world, pid) == before
    _raise_level(world, pid, "rathleff_high_load_heel_raise", 3)
    done = _post(
        pt,
        f"/clinic/people/{pid}/plan",
        {
            "kind": "step_back",
            "item_id": "rathleff_high_load_heel_raise",
            "reason": "Pain the morning after.",
        },
    )
    assert done.status_code == 303
    record, plan = planning.current_plan(world.ctx, pid)
    item = next(i for i in plan.items if i.id == "rathleff_high_load_heel_raise")
    assert item.level == 2
    assert record.decision["kind"] == "clinician_change"
    told = (
        "Your physiotherapist at Northside stepped High-load heel raise (Rathleff protocol) back to level 2"
    )
    assert record.reason == f"{told}: Pain the morning after."
    assert told in ann.get("/plan").text
    prog = ann.get("/progress").text  # the version history with its reason
    assert told in prog, prog[prog.find('id="history"') :][:2000]
    trail = ann.get(f"/api/people/{pid}/audit").json()
    assert any(t["who"] == "pt@example.org" and t["action"] == "change_plan" for t in trail)


def test_hold_and_running_cap(world: World) -> None:
    pid = world.people["runner"]
    pt = _login(world.app, world.users["clinician"])
    assert _post(pt, f"/clinic/people/{pid}/plan", HOLD).status_code == 303
    _record, plan = planning.current_plan(world.ctx, pid)
    assert "side_lying_hip_abduction" not in {i.id for i in plan.items}
    assert any(e.ref_id == "side_lying_hip_abduction" and "on hold" in e.reason for e in plan.excluded)
    cap = plan.run.weekly_km_cap
    assert cap is not None
    higher = _post(
        pt, f"/clinic/people/{pid}/plan", {"kind": "run_cap", "weekly_km": str(cap + 5), "reason": "more"}
    )
    assert higher.status_code == 422
    assert "can lower it, not raise it" in higher.text
    lower = _post(pt, f"/clinic/people/{pid}/plan", {"kind": "run_cap", "weekly_km": "8", "reason": "Flare."})
    assert lower.status_code == 303
    _record, plan = planning.current_plan(world.ctx, pid)
    assert plan.run.weekly_km_cap == 8
    assert plan.run.max_single_run_km is not None
    assert plan.run.max_single_run_km <= 8
    no_reason = _post(pt, f"/clinic/people/{pid}/plan", {"kind": "note", "reason": " "})
    assert no_reason.status_code == 422


def test_notes_are_for_the_clinic_only(world: World) -> None:
    pid = world.people["runner"]
    pt = _login(world.app, world.users["clinician"])
    secret = "Suspect a tarsal tunnel component; re-test Tinel."
    assert _post(pt, f"/clinic/people/{pid}/notes", {"text": secret}).status_code == 303
    assert secret in pt.get(f"/clinic/people/{pid}").text
    ann = _login(world.app, world.users["runner"])
    for page in ("/plan", "/progress", "/today", "/sharing", "/api/export", f"/api/people/{pid}/export"):
        assert secret not in ann.get(page).text, page
    assert secret not in pt.get(f"/api/people/{pid}/export").text  # the runner's data, not the clinic's
    own = ann.get(f"/clinic/people/{pid}")  # the runner may read their own record, not the notes
    assert own.status_code == 200
    assert secret not in own.text
    assert "Clinic notes" not in own.text
    assert "Change the plan" not in own.text
    trail = ann.get(f"/api/people/{pid}/audit").json()
    assert any(t["action"] == "add_note" for t in trail)  # the runner sees a note was written
    person_data.delete_person(world.ctx, pid)  # and deleting the runner deletes the clinic's notes too
    from sqlalchemy import func, select

    from heelcoach.store.accounts import ClinicNoteRow

    with transaction(world.ctx.sessions) as s:
        assert s.scalar(select(func.count()).select_from(ClinicNoteRow)) == 0


def test_sharing_page_stops_at_once(world: World) -> None:
    pid = world.people["runner"]
    pt = _login(world.app, world.users["clinician"])
    ann = _login(world.app, world.users["runner"])
    assert pt.get(f"/clinic/people/{pid}").status_code == 200
    page = ann.get("/sharing")
    assert page.status_code == 200
    assert "Northside" in page.text
    assert "pt@example.org" in page.text
    assert "pt@example.org at Northside looked at your record" in page.text  # the audit trail, in words
    northside = world.users["clinician"].clinic_id
    # another runner cannot stop Ann's share: the route is always about the logged-in runner's own
    bob = _login(world.app, world.users["other_runner"])
    _post(bob, f"/sharing/{northside}/stop", {})
    assert pt.get(f"/clinic/people/{pid}").status_code == 200
    assert _post(pt, f"/sharing/{northside}/stop", {}).status_code == 403  # staff have no sharing page
    anonymous = _login(world.app, None)
    assert _post(anonymous, f"/sharing/{northside}/stop", {}).headers["location"] == "/login"
    assert pt.get(f"/clinic/people/{pid}").status_code == 200
    stopped = _post(ann, f"/sharing/{northside}/stop", {})
    assert stopped.status_code == 303
    assert pt.get(f"/clinic/people/{pid}").status_code == 404
    assert pt.get(f"/api/people/{pid}/export").status_code == 404
    assert _post(pt, f"/clinic/people/{pid}/plan", HOLD).status_code == 404
    assert "cannot see your data" in ann.get("/sharing").text
    assert f'data-person="{pid}"' not in pt.get("/clinic").text


def test_handover_report(world: World, tmp_path: Path) -> None:
    pid = world.people["runner"]
    warning = checkins.CheckInInput(
        day=date.today(), first_step_pain=5, red_flag_symptoms=("numbness_or_tingling",)
    )
    checkins.record_checkin(world.ctx, pid, warning)
    pt = _login(world.app, world.users["clinician"])
    got = pt.get(f"/clinic/people/{pid}/handover.pdf")
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/pdf"
    text = " ".join(pdf_text(got.content, tmp_path, layout=False).split())
    assert "Warning signs reported in check-ins" in text
    assert "numbness or tingling" in text
    assert "Plan versions and their reasons" in text
    assert "How bad is the pain on your first steps in the morning?" in text  # an answer behind it
    assert "References" in text
    assert PASSWORD not in text
    assert (
        _login(world.app, world.users["other_clinician"])
        .get(f"/clinic/people/{pid}/handover.pdf")
        .status_code
        == 404
    )
    trail = _login(world.app, world.users["runner"]).get(f"/api/people/{pid}/audit").json()
    assert any(t["action"] == "handover_report" and t["who"] == "pt@example.org" for t in trail)
