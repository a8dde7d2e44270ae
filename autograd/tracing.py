"""What a `jit` trace in progress needs to hear from Tensor's accessors (see jit.py).

Kept apart from jit.py so that tensor.py can call `note` without importing the tracer's
users. Outside a trace the accessors pay one list lookup: `if ACTIVE[0]:`.
"""

from __future__ import annotations

import contextvars
import functools
import sys
from typing import Any

from autograd.graph import Function, Node
from autograd.modes import _MODE, current_mode, mode

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




# While jit compares a plan with an eager run, the results of the plan's replayed calls in
# order: the eager run takes them instead of drawing (or storing) a second time
REPLAYING: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar(
    "replaying", default=None
)


class Call:
    """The op class of a trace step that is a `replayed` Python call (no gradient)."""

    name = "call"
    shared = None


def replayed(fn: Any) -> Any:
    """Mark `fn` as a step a `jit` plan runs again on every call: work on raw data (a random
    mask, ids checked and cast, a statistic stored) whose result ops then use. Tensors among
    its arguments arrive as their arrays; its own reads, draws and writes are not noted (they
    are replayed, not frozen). Outside a trace it is `fn`, on the arrays.

    >>> import numpy as np
    >>> from autograd import Tensor
    >>> doubled = replayed(lambda a: a * 2)
    >>> doubled(Tensor([1.0, 2.0]))
    array([2., 4.])
    """

    @functools.wraps(fn)
    def call(*args: Any) -> Any:
        queue = REPLAYING.get()
        if queue is not None:  # jit checking a plan: the eager run takes the plan's results
            return queue.pop(0)
        raws = [a._data if isinstance(a, Node) else a for a in args]
        state = current_mode()
        tracer = state.monitor
        if not isinstance(tracer, Tracer):
            return fn(*raws)
        token = _MODE.set(mode(state.grad, None, state.backward))
        try:
            out = fn(*raws)
        finally:
            _MODE.reset(token)
        tracer.steps.append((Call, (fn, *args), {}, out))  # type: ignore[arg-type]
        return out

    return call
