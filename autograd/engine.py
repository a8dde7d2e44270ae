"""The reverse-mode core shared by `Value` and `Tensor`: nodes, functions, recording.

Nothing here knows any math. An op (see `ops.py`) computes raw numbers; the engine records
which nodes it came from. `Node` and `Function` are defined in `graph.py`, which both this
module and `backprop.py` import (so neither imports the other's half-built module);
`backprop.py` applies each op's local backward in reverse topological order, accumulates, and
sums broadcast gradients back to each input's shape. The public names of both
(`Node`, `Function`, `backward`, `run_backward`, `topological_order`, ...) are importable
from here.
"""

from __future__ import annotations

from typing import Any

# The backward machinery lives in backprop.py, the graph's objects in graph.py: the engine's
# public names too.
from autograd.backprop import (  # noqa: F401
    backward,
    count_uses,
    run_backward,
    sum_to_shape,
    topological_order,
    walk,
)
from autograd.graph import (  # noqa: F401
    _MANY,
    _ONE,
    CROSS,
    NO_GRAD,
    PASS_ON,
    Function,
    Node,
    _shape_error,
    link,
)
from autograd.modes import (  # noqa: F401  (re-exported: the engine's public names)
    _MODE,
    _SCOPE,
    PLAIN,
    current_mode,
    current_scope,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    mode,
    name_scope,
    no_grad,
    set_grad_enabled,
)

# The hot paths: a stateless op on one node, or on a node and a node-or-constant. Same result
# as `Function.apply`, about three times faster on a `Value`, where per-op overhead is all
# there is.


def shared(op: type[Function]) -> Function:
    """The one instance of a stateless op, for the hot paths below.

    >>> from autograd.ops import Add
    >>> shared(Add) is shared(Add)
    True
    """
    assert op.shared is not None, f"{op.__name__} keeps state: use {op.__name__}.apply"
    return op.shared


def apply_unary(fn: Function, a: Any) -> Any:
    """`type(fn).apply(a)` for a shared stateless op and one node, faster.

    >>> from autograd import Value
    >>> from autograd.ops import Neg
    >>> apply_unary(shared(Neg), Value(2.0)).data
    -2.0
    """
    data = fn.forward(a._data)
    state = current_mode()
    if state is PLAIN:
        return a._from_op(data, fn, a, _ONE) if a.requires_grad else a._from_op(data, None)
    node = (
        a._from_op(data, fn, a, _ONE) if a.requires_grad and state.grad else a._from_op(data, None)
    )
    if state.monitor is not None:
        state.monitor.forward(type(fn), (a,), {}, node)
    return node


def apply_binary(fn: Function, a: Any, b: Any) -> Any:
    """`type(fn).apply(a, b)` for a shared stateless op, node `a`, node-or-constant `b`, faster.

    >>> from autograd import Value
    >>> from autograd.ops import Add
    >>> apply_binary(shared(Add), Value(2.0), 3.0).data
    5.0
    """
    if isinstance(b, Node):
        x, y = a._data, b._data
        needs_grad = a.requires_grad or b.requires_grad
    else:
        x, y = a._data, b
        needs_grad = a.requires_grad
    try:
        data = fn.forward(x, y)
    except ValueError as error:
        raise _shape_error(fn, (x, y), error) from None
    state = current_mode()
    if state is PLAIN:
        return a._from_op(data, fn, a, b) if needs_grad else a._from_op(data, None)
    node = a._from_op(data, fn, a, b) if needs_grad and state.grad else a._from_op(data, None)
    if state.monitor is not None:
        state.monitor.forward(type(fn), (a, b), {}, node)
    return node


def apply_ternary(fn: Function, a: Node, b: Node, c: Node) -> Any:
    """`type(fn).apply(a, b, c)` for a shared stateless op on three nodes of one class
    (`affine`, a dense layer, runs once per layer per batch), faster.

    >>> from autograd import Tensor
    >>> from autograd.ops import Affine
    >>> x, w = Tensor([[1.0, 2.0]]), Tensor([[1.0], [1.0]], requires_grad=True)
    >>> apply_ternary(shared(Affine), x, w, Tensor([0.5])).data
    array([[3.5]])
    """
    if current_mode() is not PLAIN:
        return type(fn).apply(a, b, c)
    try:
        data = fn.forward(a._data, b._data, c._data)
    except ValueError as error:
        raise _shape_error(fn, (a._data, b._data, c._data), error) from None
    if a.requires_grad or b.requires_grad or c.requires_grad:
        return a._from_op(data, fn, (a, b, c), _MANY)
    return a._from_op(data, None)


def raw(x: Any) -> Any:
    """The data behind a node, or `x` itself.

    >>> from autograd import Value
    >>> raw(Value(2.0)), raw(3.0)
    (2.0, 3.0)
    """
    return x._data if isinstance(x, Node) else x
