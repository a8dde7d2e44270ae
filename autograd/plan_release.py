"""Free a plan's arrays as soon as nothing later reads them, as the eager engine does.

The eager backward drops each node's gradient once it is handed on and each op's saved
arrays once its backward ran; a plan written as one Python function would keep every
local (activations, their gradients, the op instances holding saved arrays) alive until
it returns. `release_dead` adds, after the statement that reads a local for the last
time, a line setting it to None: the memory goes back to the allocator mid-step, where the
next op's result reuses it while still in cache, and the step's peak stays the eager one.
Only lifetimes change: every numpy call and its order are as before, so the numbers are
the same bit for bit.
"""

from __future__ import annotations

import re

# the plan's own locals: op results and instances, gradients (plan.py and plan_backward.py)
_LOCAL = re.compile(r"\b(?:v\d+|f\d+|g\d+_\d+|g_\w+)\b")
_INDENT = "    "


def release_dead(body: list[str], kept: str = "") -> list[str]:
    """`body` (a function's lines, indented once) with each local set to None after its
    last use; a local named in `kept` (the return expression) stays.

    >>> body = ["    v0 = f(P0)", "    v1 = g(v0)", "    if v1 is not None:",
    ...         "        v2 = h(v1)", "    return v2"]
    >>> for line in release_dead(body, kept="v2"):
    ...     print(line)
        v0 = f(P0)
        v1 = g(v0)
        v0 = None
        if v1 is not None:
            v2 = h(v1)
        v1 = None
        return v2
    """
    groups: list[list[str]] = []  # each top-level statement with the block under it
    for line in body:
        if line.startswith(_INDENT) and not line.startswith(_INDENT + " ") or not groups:
            groups.append([line])
        else:
            groups[-1].append(line)
    last: dict[str, int] = {}
    for i, group in enumerate(groups):
        for line in group:
            for name in _LOCAL.findall(line):
                last[name] = i
    stays = set(_LOCAL.findall(kept))
    ends: dict[int, list[str]] = {}
    for name, i in last.items():
        if name not in stays:
            ends.setdefault(i, []).append(name)
    out: list[str] = []
    for i, group in enumerate(groups):
        out += group
        dead = ends.get(i)
        if dead and not group[0].lstrip().startswith("return"):
            out.append(f"{_INDENT}{' = '.join(dead)} = None")
    return out
