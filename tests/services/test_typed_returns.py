"""Services return domain types, never ``Any`` (issue 18: untyped boundaries).

mypy's ``warn_return_any`` (pyproject, ``heelcoach.services.*``) catches an ``Any`` returned from a
typed function; this test catches the other half: a function that says it returns ``Any``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import heelcoach.services

SERVICES = Path(heelcoach.services.__file__).parent


def _any_returns(source: str, filename: str) -> list[str]:
    """Functions in ``source`` annotated ``-> Any`` or ``-> tuple[..., Any, ...]``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.returns is None:
            continue
        returns = node.returns
        parts = [returns]
        if isinstance(returns, ast.Subscript) and ast.unparse(returns.value) == "tuple":
            inner = returns.slice
            parts = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
        if any(ast.unparse(p) in {"Any", "typing.Any"} for p in parts):
            found.append(f"{filename}:{node.lineno} {node.name} -> {ast.unparse(returns)}")
    return found


def test_no_service_function_returns_any() -> None:
    found = []
    for path in sorted(SERVICES.glob("*.py")):
        found += _any_returns(path.read_text(encoding="utf-8"), path.name)
    assert found == []


def test_the_check_sees_any_returns() -> None:
    source = (
        "from typing import Any\n"
        "def a() -> Any: ...\n"
        "def b() -> tuple[int, Any]: ...\n"
        "def c() -> dict[str, Any]: ...\n"
        "async def d() -> Any: ...\n"
    )
    assert [f.split(" ")[1] for f in _any_returns(source, "x.py")] == ["a", "b", "d"]
