"""Staff have a display name ("Dr Ana Ruiz, physiotherapist"), set from the command line, an
invitation, the join page or their account page, printed as typed, and read by the runner and the
admin wherever they see who did something (the email when there is no name); never across clinics.
On SQLite and PostgreSQL, through real HTTP with real logins."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from heelcoach.services import accounts, clinic_care, visits
from heelcoach.services.policy import Actor
from tests.clinic.clinic_world import PASSWORD, World, _login

ANA = "Dr Ana Ruiz, physiotherapist"
LINK_RE = re.compile(r'id="join-link"[^>]*>([^<]+)</textarea>')


def _post(client: Any, path: str, form: dict[str, str]) -> Any:
    return client.post(path, data=form, follow_redirects=False)


def _actor(world: World, key: str) -> Actor:
    user = world.users[key]
    role: Any = user.role
    return Actor(role=role, account_id=user.account_id, person_id=user.person_id, clinic_id=user.clinic_id)


def test_a_name_is_one_bounded_line_kept_as_typed() -> None:
    assert accounts.clean_name("  Dr Ana Ruiz, physiotherapist  ") == ANA
    assert accounts.clean_name("   ") is None
    assert accounts.clean_name("x" * accounts.MAX_NAME_CHARS) == "x" * accounts.MAX_NAME_CHARS
    with pytest.raises(accounts.AccountError, match="at most 120 characters"):
        accounts.clean_name("x" * (accounts.MAX_NAME_CHARS + 1))
    with pytest.raises(accounts.AccountError, match="line breaks"):
        accounts.clean_name("Ana\nRuiz")


def test_users_add_takes_a_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from heelcoach.cli.common import open_context
    from heelcoach.cli.main import app

    monkeypatch.setenv("HEELCOACH_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.delenv("HEELCOACH_DATABASE_URL", raising=False)
    cli = CliRunner()
    args = ["users", "add", "ana@example.org", "--role", "clinician", "--clinic", "Northside"]
    done = cli.invoke(app, [*args, "--name", "[b]" + ANA, "--password-stdin"], input=PASSWORD + "\n")
    assert done.exit_code == 0, done.output
    assert f'Added clinician ana@example.org as "[b]{ANA}"' in done.output  # brackets are no markup
    admin = cli.invoke(
        app,
        ["users", "add", "boss@example.org", "--role", "admin", "--clinic", "Northside", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert "Added clinic admin boss@example.org (account" in admin.output
    long = cli.invoke(
        app,
        [*args[:2], "x@example.org", *args[3:], "--name", "y" * 121, "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert long.exit_code == 2
    assert "at most 120 characters" in long.output
    with open_context() as ctx:
        found = accounts.login(ctx, "ana@example.org", PASSWORD)
        assert found.problem == "code"  # the account exists; its name:
        summary = accounts.account_summary(ctx, 1)
        assert summary is not None
        assert summary["name"] == "[b]" + ANA


def test_the_runner_reads_the_clinicians_name_where_she_acted(world: World) -> None:
    ctx, ann = world.ctx, world.people["runner"]
    pt = _actor(world, "clinician")
    accounts.set_display_name(ctx, pt, ANA)
    clinic_care.change_plan(ctx, pt, ann, clinic_care.PlanChange("note", "Book a visit this week."))
    vid = world.visit_ids["runner"]
    visits.accept_visit(ctx, pt, ann, vid, visits.datetime(2030, 1, 15, 8, 30, tzinfo=visits.UTC))
    runner = _login(world.app, world.users["runner"])
    plan = runner.get(f"/api/people/{ann}/plan").json()
    assert plan["reason"].startswith(f"{ANA} at Northside added a note: Book a visit")
    sharing = runner.get("/sharing").text
    assert f"{ANA} (pt@example.org)" in sharing  # who there can see the data
    assert f"accepted by {ANA}" in sharing
    assert f"{ANA} at Northside changed your plan" in sharing  # the latest entries of the log
    looked = runner.get("/audit").text
    assert f"{ANA} at Northside changed your plan on" in looked
    assert f"{ANA} at Northside accepted your visit request on" in looked
    trail = runner.get(f"/api/people/{ann}/audit").json()
    assert trail[0]["name"] == ANA
    admin = _login(world.app, world.users["admin"]).get("/clinic/audit").text
    assert f"<td>{ANA} <small>(pt@example.org, clinician, Northside)</small></td>" in admin
    # someone without a name: their email, as before
    bob = world.people["other_runner"]
    clinic_care.change_plan(
        ctx, _actor(world, "clinician"), bob, clinic_care.PlanChange("note", "Keep going.")
    )
    accounts.set_display_name(ctx, pt, "")
    assert "pt@example.org at Northside accepted your visit request" in runner.get("/audit").text


def test_no_name_crosses_to_another_clinic(world: World) -> None:
    ctx, ann = world.ctx, world.people["runner"]
    elsewhere = world.users["other_clinician"]
    assert elsewhere.clinic_id is not None
    accounts.share_with(ctx, ann, elsewhere.clinic_id)  # Ann shares with both clinics
    accounts.set_display_name(ctx, _actor(world, "other_clinician"), "Dr Zed Other")
    looked = _login(world.app, elsewhere).get(f"/clinic/people/{ann}")
    assert looked.status_code == 200
    admin = _login(world.app, world.users["admin"]).get("/clinic/audit").text
    assert "A clinician at Elsewhere" in admin
    assert "Dr Zed Other" not in admin
    assert "pt@elsewhere.org" not in admin
    other_admin = accounts.add_user(ctx, "boss@elsewhere.org", "admin", "Elsewhere", PASSWORD)
    accounts.set_display_name(ctx, _actor(world, "clinician"), ANA)
    _login(world.app, world.users["clinician"]).get(f"/clinic/people/{ann}")
    theirs = _login(world.app, other_admin).get("/clinic/audit").text
    assert "Dr Zed Other" in theirs
    assert ANA not in theirs
    assert "A clinician at Northside" in theirs
    # the runner, whose data it is, reads both (she shares with both clinics)
    mine = _login(world.app, world.users["runner"]).get("/audit").text
    assert "Dr Zed Other at Elsewhere looked at your record" in mine
    assert f"{ANA} at Northside looked at your record" in mine


def test_an_invitation_carries_a_name_the_person_may_change(world: World) -> None:
    admin = _login(world.app, world.users["admin"])
    made = _post(admin, "/clinic/invite", {"email": "ana@example.org", "role": "clinician", "name": ANA})
    assert made.status_code == 200, made.text[:300]
    assert f"Invitation for {ANA}, ana@example.org (clinician)" in made.text
    link = LINK_RE.search(made.text)
    assert link
    path = "/join/" + link.group(1).rsplit("/join/", 1)[1]
    anonymous = _login(world.app, None)
    joining = anonymous.get(path).text
    assert f'value="{ANA}"' in joining
    assert "as a clinician." in joining
    too_long = _post(anonymous, path, {"password": PASSWORD, "name": "z" * 130})
    assert too_long.status_code == 422
    assert "at most 120 characters" in too_long.text
    assert 'value="' + "z" * 130 + '"' in too_long.text  # as typed
    joined = _post(anonymous, path, {"password": PASSWORD, "name": "Ana Ruiz (physio)"})
    assert joined.status_code == 200, joined.text[:300]
    found = accounts.login(world.ctx, "ana@example.org", PASSWORD)
    assert found.problem == "code"
    summaries = [accounts.account_summary(world.ctx, i) for i in range(1, 40)]
    assert {
        "email": "ana@example.org",
        "role": "clinician",
        "clinic": "Northside",
        "name": "Ana Ruiz (physio)",
    } in summaries
    pt = _login(world.app, world.users["clinician"])
    assert 'id="invite-name" name="name"' in pt.get("/clinic").text  # the caseload's "Invite a runner"
    dan = {"email": "dan@example.org", "role": "runner", "name": "Dan Ox"}
    runner_made = _post(pt, "/clinic/invite", dan)
    assert "Invitation for Dan Ox, dan@example.org (runner)" in runner_made.text
    api = admin.post("/api/invitations", json={"email": "b@example.org", "role": "admin", "name": "Bea"})
    assert api.status_code == 200
    invited = accounts.invitation(world.ctx, api.json()["link"].rsplit("/", 1)[1])
    assert invited is not None
    assert invited["name"] == "Bea"


@pytest.mark.parametrize("role", ["clinician", "admin", "runner"])
def test_a_logged_in_person_changes_their_own_name(world: World, role: str) -> None:
    client = _login(world.app, world.users[role])
    page = client.get("/account")
    assert page.status_code == 200
    assert 'action="/account/name"' in page.text
    typed = "Dr <Ana> Ruiz, runs 10 km a week"
    saved = _post(client, "/account/name", {"name": typed})
    assert (saved.status_code, saved.headers["location"]) == (303, "/account?saved=1")
    again = client.get("/account?saved=1").text
    assert "Logged in as <strong>Dr &lt;Ana&gt; Ruiz, runs 10 km a week</strong>" in again
    assert 'value="Dr &lt;Ana&gt; Ruiz, runs 10 km a week"' in again
    bad = _post(client, "/account/name", {"name": "a\nb"})
    assert bad.status_code == 422
    assert "without line breaks" in bad.text
    cleared = _post(client, "/account/name", {"name": "  "})
    assert cleared.status_code == 303
    assert f"Logged in as <strong>{world.users[role].email}</strong>" in client.get("/account").text
    assert _login(world.app, None).get("/account", follow_redirects=False).status_code == 303


def test_a_name_is_printed_verbatim_in_the_runners_unit(world: World) -> None:
    from heelcoach.domain.units import DistanceUnit
    from heelcoach.services import units

    ann = world.people["runner"]
    units.save_unit(world.ctx, ann, DistanceUnit.MI)
    accounts.set_display_name(world.ctx, _actor(world, "clinician"), "Coach of the 10 km group")
    _login(world.app, world.users["clinician"]).get(f"/clinic/people/{ann}")
    looked = _login(world.app, world.users["runner"]).get("/audit").text
    assert "Coach of the 10 km group at Northside looked at your record" in looked
