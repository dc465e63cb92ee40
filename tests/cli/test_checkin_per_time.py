"""``heelcoach checkin``: an item done several times a day is ticked once per time."""

from __future__ import annotations

import json
from datetime import date

from typer.testing import CliRunner

from heelcoach.cli.common import open_context
from heelcoach.cli.main import app
from heelcoach.services.assess import sample_answers_path
from heelcoach.store.base import transaction
from heelcoach.store.repositories import Repos

RUNNER = CliRunner()
PF = "plantar_fascia_specific_stretch"


def test_flags_tick_once_per_time() -> None:
    made = RUNNER.invoke(app, ["plan", "--answers", str(sample_answers_path())])
    assert made.exit_code == 0, made.output
    args = ["checkin", "--first-step", "2", "--done", PF, "--done", PF, "--json"]
    saved = RUNNER.invoke(app, args)
    assert saved.exit_code == 0, saved.output
    assert json.loads(saved.stdout)["checkin"]["done_items"].count(PF) == 2


def test_the_questions_list_each_time_by_name(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    made = RUNNER.invoke(app, ["plan", "--answers", str(sample_answers_path())])
    assert made.exit_code == 0, made.output
    monkeypatch.setattr("heelcoach.cli.plan.stdin_is_interactive", lambda: True)
    shown = RUNNER.invoke(app, ["checkin"], input="2\n\n\nn\n\n\n")
    lines = [line.strip() for line in shown.stdout.splitlines() if "=" in line]
    pf = [line for line in lines if line.split(" = ")[-1].startswith("Plantar-fascia-specific stretch")]
    assert len(pf) == 3, shown.stdout
    assert pf[0].endswith("(time 1 of 3)")
    assert PF not in shown.stdout  # names, not ids
    numbers = " ".join(line.split(" = ")[0] for line in pf[:2])
    answered = RUNNER.invoke(app, ["checkin"], input=f"2\n\n\nn\n{numbers}\n\n")
    assert answered.exit_code == 0, answered.output
    with open_context() as ctx, transaction(ctx.sessions) as s:
        person = Repos(s).people.first()
        assert person is not None
        record = Repos(s).checkins.get(person.id, date.today())
    assert record is not None
    assert record.done_items.count(PF) == 2
