"""One exception root: the tree drawn in ``heelcoach/errors.py`` is the real one, and every error
the gait, activities and knowledge packages raise on purpose sits in it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest

import heelcoach
import heelcoach.errors
from heelcoach.errors import AnalysisError, HeelcoachError, InvalidInputError, KnowledgeError, NotFoundError

#: Every package: all errors raised on purpose are in the tree.
IN_TREE = (
    "heelcoach.gait",
    "heelcoach.activities",
    "heelcoach.knowledge",
    "heelcoach.domain",
    "heelcoach.store",
    "heelcoach.services",
    "heelcoach.web",
    "heelcoach.cli",
)
#: Exceptions used for control flow inside one interface, never shown as an error.
CONTROL_FLOW = {"heelcoach.web.deps.LoginRequired"}
BRANCH = re.compile(r"^(?P<indent>[\s│]*)[├└]── (?P<name>\w+)")


def _modules(package: str) -> list[str]:
    pkg = importlib.import_module(package)
    return [package] + [m.name for m in pkgutil.walk_packages(pkg.__path__, f"{package}.")]


def _exception_classes() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for package in IN_TREE:
        for name in _modules(package):
            module = importlib.import_module(name)
            for attr, value in vars(module).items():
                if (
                    inspect.isclass(value)
                    and issubclass(value, BaseException)
                    and value.__module__ == name
                    and not attr.startswith("_")
                    and f"{name}.{attr}" not in CONTROL_FLOW
                ):
                    found[f"{name}.{attr}"] = value
    return found


def _drawn_tree() -> list[tuple[str, str]]:
    """(parent, child) for every branch of the drawing in the errors module docstring."""
    doc = heelcoach.errors.__doc__ or ""
    stack: list[tuple[int, str]] = [(-1, "HeelcoachError")]
    pairs: list[tuple[str, str]] = []
    for line in doc.splitlines():
        m = BRANCH.match(line)
        if not m:
            continue
        depth = len(m.group("indent"))
        while stack[-1][0] >= depth:
            stack.pop()
        pairs.append((stack[-1][1], m.group("name")))
        stack.append((depth, m.group("name")))
    return pairs


def _class_named(name: str) -> type[BaseException]:
    if hasattr(heelcoach.errors, name):
        return getattr(heelcoach.errors, name)  # type: ignore[no-any-return]
    matches = {cls for key, cls in _exception_classes().items() if key.rsplit(".", 1)[1] == name}
    assert len(matches) == 1, f"{name}: {matches}"
    return matches.pop()


def test_the_packages_define_errors() -> None:
    assert len(_exception_classes()) >= 10


def test_every_error_of_the_packages_is_in_the_tree() -> None:
    outside = [name for name, cls in _exception_classes().items() if not issubclass(cls, HeelcoachError)]
    assert outside == []


def test_the_drawn_tree_is_the_real_one() -> None:
    pairs = _drawn_tree()
    assert len(pairs) >= 14
    wrong = [(p, c) for p, c in pairs if not issubclass(_class_named(c), _class_named(p))]
    assert wrong == []


def test_every_error_of_the_packages_is_drawn() -> None:
    drawn = {child for _parent, child in _drawn_tree()} | {"GaitError", "KnowledgeError"}
    missing = [name for name in _exception_classes() if name.rsplit(".", 1)[1] not in drawn]
    assert missing == []


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("UnreadableVideoError", InvalidInputError),
        ("WrongFileTypeError", InvalidInputError),
        ("KeypointFileError", InvalidInputError),
        ("NobodyInVideoError", AnalysisError),
        ("TooShortError", AnalysisError),
        ("ActivityFileError", InvalidInputError),
        ("ArchiveRefusedError", InvalidInputError),
        ("TemplateError", KnowledgeError),
        ("IntakeError", InvalidInputError),
        ("AccountError", InvalidInputError),
        ("ChangeRefusedError", InvalidInputError),
        ("UploadRejectedError", InvalidInputError),
        ("UnknownItemError", NotFoundError),
        ("JobError", HeelcoachError),
    ],
)
def test_each_error_has_its_kind(name: str, kind: type[HeelcoachError]) -> None:
    assert issubclass(_class_named(name), kind)


def test_nobody_in_a_video_is_not_a_person_missing_from_the_store() -> None:
    from heelcoach.errors import NotFoundError
    from heelcoach.gait.errors import NobodyInVideoError
    from heelcoach.services import gait

    assert not hasattr(gait, "NoPersonError")
    assert not issubclass(NotFoundError, NobodyInVideoError)
    assert not issubclass(NobodyInVideoError, NotFoundError)


def test_the_root_is_exported_where_a_reader_looks() -> None:
    assert heelcoach.errors.HeelcoachError is HeelcoachError
    assert "HeelcoachError" in heelcoach.errors.__all__
