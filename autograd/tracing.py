"""What a `jit` trace in progress needs to hear from Tensor's accessors (see jit.py).

Kept apart from jit.py so that tensor.py can call `note` without importing the tracer's
users. Outside a trace the accessors pay one list lookup: `if ACTIVE[0]:`.
"""

from __future__ import annotations

import sys
from typing import Any

from autograd.graph import Function, Node
from autograd.modes import current_mode

# traces in progress (any thread): the watched accessors of Tensor look here first
ACTIVE = [0]


def note(what: str, tensor: Any = None, array: Any = None, skip: int = 0) -> None:
    """Tell a trace in progress (if any, in this context) that Python saw `what`.

    A `.data` read passes the tensor and the array handed out: an op that receives exactly
    that array is wired to the tensor; otherwise the read is a reason to fall back."""
    tracer = current_mode().monitor
    if isinstance(tracer, Tracer):
        if array is not None:
            tracer.reads.setdefault(id(array), (tensor, array, what, _site(skip)))
        else:
            tracer.problems.append((what, _site(skip)))


def _site(skip: int = 0) -> str:
    """`file:line` of the innermost caller outside autograd (where the user's code is), or
    `skip` frames further out (a helper that notes on behalf of its caller)."""
    frame = sys._getframe(1)
    while frame is not None and "/autograd/" in frame.f_code.co_filename.replace("\\", "/"):
        frame = frame.f_back  # type: ignore[assignment]
    for _ in range(skip):
        if frame is not None and frame.f_back is not None:
            frame = frame.f_back
    return f"{frame.f_code.co_filename}:{frame.f_lineno}" if frame is not None else "?"


class Tracer:
    """The monitor of a trace: records each op applied (the engine calls `forward`)."""

    check = False  # anomaly.py's flag: no NaN checks here

    def __init__(self) -> None:
        self.steps: list[tuple[type[Function], tuple[Any, ...], dict[str, Any], Node]] = []
        self.problems: list[tuple[str, str]] = []
        self.reads: dict[int, tuple[Any, Any, str, str]] = {}

    def forward(self, cls: type[Function], inputs: tuple[Any, ...], params: dict[str, Any],
                node: Node) -> None:
        self.steps.append((cls, tuple(inputs), dict(params), node))

    def seed(self, root: Node, seed: Any) -> None:
        self.problems.append(("backward() inside the traced function", _site()))

    def backward_started(self, node: Node) -> None: ...

    def backward_done(self, node: Node, grads: Any, retain_graph: bool) -> None: ...


