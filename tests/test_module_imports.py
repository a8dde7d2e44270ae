"""The engine's modules import in one direction: graph.py (Node, Function) below engine.py and
backprop.py, neither of which imports the other (issue 17, item 10)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import autograd

PACKAGE = Path(autograd.__file__).parent


def _imported_at_load(module: str) -> set[str]:
    """The autograd modules `module` imports when it loads (its top-level statements): a
    call-time import inside a function, as Node.backward's, is not a cycle at import."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    found: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and statement.module:
            if statement.module == "autograd":
                found |= {f"autograd.{alias.name}" for alias in statement.names}
            else:
                found.add(statement.module)
        elif isinstance(statement, ast.Import):
            found |= {alias.name for alias in statement.names}
    return {name for name in found if name.startswith("autograd.")}


def test_engine_and_backprop_do_not_import_each_other() -> None:
    assert "autograd.engine" not in _imported_at_load("backprop")
    assert not {"autograd.engine", "autograd.backprop"} & _imported_at_load("graph")
    assert {"autograd.graph", "autograd.backprop"} <= _imported_at_load("engine")


@pytest.mark.parametrize("module", ["autograd.graph", "autograd.backprop", "autograd.engine"])
def test_each_imports_first_in_a_fresh_interpreter(module: str) -> None:
    code = f"import {module}, autograd; x = autograd.Value(2.0); (x * x).backward(); print(x.grad)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "4.0"


def test_the_engine_still_exports_the_graphs_objects() -> None:
    from autograd import engine, graph

    for name in ("Node", "Function", "link", "NO_GRAD", "PASS_ON", "CROSS", "backward", "walk"):
        assert hasattr(engine, name), name
    assert engine.Node is graph.Node and engine.Function is graph.Function
