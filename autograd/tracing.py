"""What a `jit` trace in progress needs to hear from Tensor's accessors (see jit.py).

Kept apart from jit.py so that tensor.py can call `note` without importing the tracer's
users. Outside a trace the accessors pay one list lookup: `if ACTIVE[0]:`.
"""

from __future__ import annotations

import contextvars
import functools
import sys
from typing import Any

import numpy as np

from autograd import hooks
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
    """The monitor of a trace: records each op applied (the engine calls `forward`), and
    a `backward()`, a `.grad` cleared or an `effect` call made inside the traced function."""

    check = False  # anomaly.py's flag: no NaN checks here

    def __init__(self) -> None:
        self.steps: list[tuple[Any, tuple[Any, ...], dict[str, Any], Any]] = []
        self.problems: list[tuple[str, str]] = []
        self.reads: dict[int, tuple[Any, Any, str, str]] = {}
        # id(node) -> (shape, dtype) of each gradient its backward returned at the trace (None
        # where not an ndarray): a plan sums or casts only where the engine had to
        self.grad_shapes: dict[int, list[Any]] = {}

    def forward(self, cls: type[Function], inputs: tuple[Any, ...], params: dict[str, Any],
                node: Node) -> None:
        self.steps.append((cls, tuple(inputs), dict(params), node))

    def seed(self, root: Node, seed: Any, plain: bool = True) -> None:
        """`root.backward()` inside the traced function: a plan runs its backward there and
        stores the gradients as the engine does. `plain`: the default seed, no create_graph,
        no `inputs=`; anything else (and gradient hooks) the plan cannot replay."""
        if not plain:
            self.problems.append(("backward() with a gradient, inputs= or create_graph=True",
                                  _site()))
        elif hooks.HOOKS:
            self.problems.append(("backward() with gradient hooks registered", _site()))
        else:  # the ops as they are now: the backward about to run releases them
            from autograd.backprop import walk  # backprop calls this module's users

            ops = [(node, node._fn) for node in walk(root)]
            self.steps.append((Backward, (root,), {"seed": seed, "ops": ops}, None))

    def backward_started(self, node: Node) -> None: ...

    def backward_done(self, node: Node, grads: Any, retain_graph: bool) -> None:
        self.grad_shapes[id(node)] = [
            (g.shape, g.dtype) if type(g) is np.ndarray else None for g in grads
        ]


def grad_cleared(node: Node) -> bool:
    """Tell a trace in progress that `node.grad` was set to None (False: no trace here)."""
    tracer = current_mode().monitor
    if not isinstance(tracer, Tracer):
        return False
    tracer.steps.append((ClearGrad, (node,), {}, None))
    return True


class Backward:
    """The step class of a `backward()` called inside a traced function."""

    name = "backward"
    shared = None


class ClearGrad:
    """The step class of `t.grad = None` (or `zero_grad()`) inside a traced function."""

    name = "clear grad"
    shared = None


class Effect:
    """The step class of an `effect` call (an optimizer's update) inside a traced function."""

    name = "effect"
    shared = None


def effect(fn: Any) -> Any:
    """Mark `fn` as a call a `jit` plan makes again, as it is, on every call: an update of
    state the plan cannot trace (an optimizer's step reads each `.grad` and writes each
    weight in place). Its arguments are kept as the objects they were (an optimizer, a list
    of weights): a Tensor or array made inside the traced function cannot be one of them.
    During the trace it runs unwatched; outside a trace it is `fn`.

    >>> calls = []
    >>> log = effect(lambda x: calls.append(x))
    >>> log(1), calls
    (None, [1])
    """

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        state = current_mode()
        tracer = state.monitor
        if not isinstance(tracer, Tracer):
            return fn(*args, **kwargs)
        token = _MODE.set(mode(state.grad, None, state.backward))
        try:
            out = fn(*args, **kwargs)
        finally:
            _MODE.reset(token)
        tracer.steps.append((Effect, (fn, *args), kwargs, out))
        return out

    return call


# While jit compares a plan with an eager run, the results of the plan's replayed calls in
# order: the eager run takes them instead of drawing (or storing) a second time
REPLAYING: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar(
    "replaying", default=None
)


def watching() -> bool:
    """True while a jit trace runs or a plan is checked against eager. A `replayed` call made
    only on some condition must be made exactly then (and on the same condition both times):
    the check's eager run takes the plan's calls in order."""
    return bool(ACTIVE[0]) or REPLAYING.get() is not None


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
