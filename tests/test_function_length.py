"""No function in heelcoach/ is longer than a screen (60 lines), outside generated migrations.

ruff enforces the statement count (PLR0915, 50) and McCabe complexity (C901, 12) on every
package; it has no rule for a function's length in lines, so this test holds that limit.
"""

from __future__ import annotations

import ast
from pathlib import Path

import heelcoach

#: The longest a function may be, decorators and docstring included.
MAX_LINES = 60
ROOT = Path(heelcoach.__file__).parent


def _functions() -> list[tuple[str, str, int]]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                lines = (node.end_lineno or node.lineno) - start + 1
                found.append((str(path.relative_to(ROOT.parent)), node.name, lines))
    return found


def test_the_package_has_functions_to_check() -> None:
    assert len(_functions()) > 500


def test_no_function_is_longer_than_a_screen() -> None:
    long = sorted(
        (f"{where}: {name} ({lines} lines)" for where, name, lines in _functions() if lines > MAX_LINES)
    )
    assert long == []
