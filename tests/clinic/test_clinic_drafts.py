"""Draft answers in a clinic: one runner deleting their data leaves other runners' drafts alone."""

from __future__ import annotations

from tests.clinic.clinic_world import World, _login


def test_deleting_my_data_keeps_another_runners_draft(world: World) -> None:
    ann = _login(world.app, world.users["runner"])
    bob = _login(world.app, world.users["other_runner"])
    for client, age in ((ann, "44"), (bob, "51")):
        saved = client.post("/start/q/about_you/autosave", data={"q_age_years": age})
        assert saved.status_code == 200, saved.text[:300]
    assert 'value="51"' in bob.get("/start/q/about_you").text

    gone = ann.post("/settings/delete", data={"confirm": "DELETE"})
    assert gone.status_code == 200, gone.text[:300]
    assert 'value="51"' in bob.get("/start/q/about_you").text  # Bob's answers so far are still there
    drafts = list(world.app.state.backend.drafts_dir.glob("*.json"))
    assert len(drafts) == 1
