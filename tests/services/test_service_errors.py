"""Services raise kinds of the one error tree and say what is wrong in plain words; the command to
type next is the CLI's to add (issue 18, item 5)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import heelcoach.services
from heelcoach.errors import HeelcoachError, NotFoundError
from heelcoach.services import accounts, people, planning
from heelcoach.services.common import NoAnswersError, NobodyYetError, NoPlanError, UnknownPersonError
from heelcoach.services.context import AppContext

SERVICES = Path(heelcoach.services.__file__).parent
#: A command for one interface: `heelcoach plan`, --person, "run `...`".
CLI_WORDS = re.compile(r"heelcoach (assess|plan|checkin|review|exercise|runs|gait|demo)\b|--\w|run `")


def _raised_texts(source: str) -> list[str]:
    """The string pieces of every ``raise`` in ``source``."""
    texts = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Raise) and node.exc is not None:
            texts += [
                n.value
                for n in ast.walk(node.exc)
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            ]
    return texts


def test_no_service_error_tells_the_reader_to_run_a_command() -> None:
    found = [
        f"{path.name}: {text}"
        for path in sorted(SERVICES.glob("*.py"))
        for text in _raised_texts(path.read_text(encoding="utf-8"))
        if CLI_WORDS.search(text)
    ]
    assert found == []


def test_the_check_sees_a_command_in_a_message() -> None:
    assert _raised_texts("raise NotFoundError('No plan yet: run `heelcoach plan`.')") != []
    assert CLI_WORDS.search("No plan yet: run `heelcoach plan`.")
    assert CLI_WORDS.search("Leave out --person to use the first one.")
    assert not CLI_WORDS.search("No plan yet: answer the questions to make one.")


@pytest.mark.parametrize("kind", [UnknownPersonError, NobodyYetError, NoAnswersError, NoPlanError])
def test_the_missing_kinds_are_not_found_errors(kind: type[HeelcoachError]) -> None:
    assert issubclass(kind, NotFoundError)


def test_a_refused_invitation_is_an_account_error_the_web_still_answers_403() -> None:
    assert issubclass(accounts.NotAllowedError, accounts.AccountError)
    assert issubclass(accounts.NotAllowedError, PermissionError)


def test_missing_people_and_plans_raise_their_kind(ctx: AppContext) -> None:
    with pytest.raises(NobodyYetError, match="Nobody is set up yet"):
        people.resolve_person(ctx)
    with pytest.raises(UnknownPersonError, match="no person with id 99"):
        people.resolve_person(ctx, 99)
    person = people.create_person(ctx, "Ana")
    with pytest.raises(NoAnswersError):
        planning.make_plan(ctx, person.id)
    with pytest.raises(NoPlanError):
        planning.current_plan(ctx, person.id)


def test_the_cli_adds_the_command_to_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from heelcoach.cli.main import app

    monkeypatch.setenv("HEELCOACH_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("HEELCOACH_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(app, ["progress", "--person", "7"])
    assert result.exit_code == 2  # an error of the tree the person can act on
    assert "There is no person with id 7.\nLeave out --person to use the first one." in result.output
