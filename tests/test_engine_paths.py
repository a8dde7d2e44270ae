"""The engine's two backward paths, its per-node scratch (`_n`, `_g`), and the fused ops.

`run_backward` has a fast path (`_backprop`: plain `.backward()`) and a general path
(`_backprop_general`: `create_graph`, `detect_anomaly()`, or `inputs=`). Both count each
node's uses into `_n` (Kahn's algorithm) and collect gradients in `_g`; outside backward
every node must hold `_n == 0` and `_g is None`, or the next backward miscounts. These
tests pin that down, the equality of the paths, Value's inline operators, released
("spent") ops, stateful Function subclasses, and `affine` / `softmax_cross_entropy`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import (
    AnomalyError,
    Function,
    Node,
    Tensor,
    Value,
    affine,
    detect_anomaly,
    no_grad,
    ops,
    softmax_cross_entropy,
)
from autograd.engine import run_backward, walk
from autograd.testing import graphs

RTOL = ATOL = 1e-12


# ---------------------------------------------------------------------------------------
# Helpers


def assert_scratch_clear(*roots: Any) -> None:
    """Every node reachable from `roots` is back to `_n == 0` and `_g is None`.

    A leftover count would make the next backward wait forever for a use that never comes
    (a gradient silently missing); a leftover `_g` would be added to the next gradient.
    """
    for root in roots:
        if not isinstance(root, Node):
            continue
        for node in walk(root):
            assert node._n == 0, f"node {node!r} (op {node.op!r}) kept _n={node._n}"
            assert node._g is None, f"node {node!r} (op {node.op!r}) kept _g={node._g!r}"


def fresh_copies(inputs: Iterable[Node], frozen: Sequence[bool] = ()) -> tuple[Node, ...]:
    """New leaves holding the same numbers, so each path starts from untouched inputs;
    input i is a constant (requires_grad=False) where `frozen[i]` is true."""
    copies: list[Node] = []
    for i, x in enumerate(inputs):
        wanted = not (i < len(frozen) and frozen[i])
        if isinstance(x, Value):
            copies.append(Value(x.data, requires_grad=wanted))
        else:
            copies.append(Tensor(np.array(x.data, copy=True), requires_grad=wanted))
    return tuple(copies)


def to_scalar(out: Node) -> Node:
    """A graph's output reduced to one number (a Tensor output may have any shape)."""
    return out.sum() if isinstance(out, Tensor) else out


def grad_array(x: Node) -> np.ndarray:
    """`x.grad` as an array: raw data, or the data of a create_graph gradient node."""
    g = x.grad
    if isinstance(g, Node):
        g = g.data
    if g is None:  # a Tensor that received nothing
        return np.zeros(np.shape(x.data))
    return np.asarray(g, dtype=np.float64)


def assert_close(actual: Any, expected: Any, what: str = "") -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=np.float64),
        np.asarray(expected, dtype=np.float64),
        rtol=RTOL,
        atol=ATOL,
        err_msg=what,
    )


def all_finite(values: Iterable[Any]) -> bool:
    return all(np.all(np.isfinite(np.asarray(v, dtype=np.float64))) for v in values)


class Boom(Function):
    """An op whose backward always fails: a stand-in for a user op with a bug."""

    __slots__ = ()

    def forward(self, a: Any) -> Any:
        return a * 1.0

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        raise ZeroDivisionError("boom in backward")


# ---------------------------------------------------------------------------------------
# 1. Fast path == general path, on random graphs


def _check_paths_agree(
    fn: Callable[..., Node],
    inputs: tuple[Node, ...],
    frozen: Sequence[bool] = (),
    tol: float = RTOL,
) -> None:
    """Fast path vs detect_anomaly(), create_graph=True and inputs= on fresh copies."""

    def close(actual: Any, expected: Any, what: str) -> None:
        np.testing.assert_allclose(
            np.asarray(actual, dtype=np.float64), expected, rtol=tol, atol=tol, err_msg=what
        )

    # fast path: plain backward
    fast_inputs = fresh_copies(inputs, frozen)
    fast_out = to_scalar(fn(*fast_inputs))
    assume(fast_out.requires_grad)  # every input frozen: nothing to differentiate
    assume(all_finite([fast_out.data]))
    fast_out.backward()
    fast = [grad_array(x) for x in fast_inputs]
    # detect_anomaly raises on a non-finite gradient: such draws say nothing about the paths
    assume(all_finite(fast))
    for x in fast_inputs:
        if isinstance(x, Tensor) and x.grad is not None:
            assert x.grad.dtype == x.dtype, "a gradient must keep its input's dtype"
        if not x.requires_grad:  # a constant gets nothing
            assert x.grad is None or (isinstance(x, Value) and x.grad == 0.0)
    assert_scratch_clear(fast_out)

    # general path, through the anomaly monitor (the Value operators leave their inline path)
    anomaly_inputs = fresh_copies(inputs, frozen)
    with detect_anomaly():
        anomaly_out = to_scalar(fn(*anomaly_inputs))
        anomaly_out.backward()
    close(anomaly_out.data, np.asarray(fast_out.data, dtype=np.float64), "forward, anomaly")
    for i, (x, expected) in enumerate(zip(anomaly_inputs, fast)):
        close(grad_array(x), expected, f"input {i}: detect_anomaly() path vs fast path")
        if isinstance(x, Tensor) and x.grad is not None:
            assert x.grad.dtype == x.dtype
    assert_scratch_clear(anomaly_out)

    # general path, building the gradients' graph
    graph_inputs = fresh_copies(inputs, frozen)
    graph_out = to_scalar(fn(*graph_inputs))
    graph_out.backward(create_graph=True)
    for i, (x, expected) in enumerate(zip(graph_inputs, fast)):
        if x.requires_grad:
            assert isinstance(x.grad, Node), "create_graph=True must give node gradients"
            if isinstance(x, Tensor):
                assert x.grad.data.dtype == x.dtype
        close(grad_array(x), expected, f"input {i}: create_graph path vs fast path")
    assert_scratch_clear(graph_out, *(x.grad for x in graph_inputs))

    # general path, pruned to the inputs (functional API): returned, .grad untouched
    pruned_inputs = fresh_copies(inputs, frozen)
    pruned_out = to_scalar(fn(*pruned_inputs))
    wanted = [x for x in pruned_inputs if x.requires_grad]
    found = run_backward(pruned_out, inputs=wanted)
    assert found is not None
    for i, (x, expected) in enumerate(zip(pruned_inputs, fast)):
        got = found.get(x)
        got = np.zeros(np.shape(x.data)) if got is None else got
        close(got, expected, f"input {i}: inputs= path vs fast path")
        assert x.grad is None or (isinstance(x, Value) and x.grad == 0.0)
    assert_scratch_clear(pruned_out)


@settings(deadline=None, max_examples=60)
@given(graphs("value"))
def test_value_graphs_fast_and_general_paths_agree(graph: tuple[Any, tuple[Node, ...]]) -> None:
    """Random Value DAGs (reuse, diamonds, long chains): every path gives the same gradients
    and leaves no scratch behind."""
    fn, inputs = graph
    _check_paths_agree(fn, inputs)


@settings(deadline=None, max_examples=60)
@given(graphs("tensor"))
def test_tensor_graphs_fast_and_general_paths_agree(graph: tuple[Any, tuple[Node, ...]]) -> None:
    """Random Tensor DAGs (broadcasting, n-ary ops, ops that want `needs`): same gradients on
    every path, no scratch left."""
    fn, inputs = graph
    _check_paths_agree(fn, inputs)


@settings(deadline=None, max_examples=60)
@given(graphs("value", max_inputs=3), st.lists(st.booleans(), min_size=3, max_size=3))
def test_value_graphs_with_constant_inputs(
    graph: tuple[Any, tuple[Node, ...]], frozen: list[bool]
) -> None:
    """Some inputs do not require grad: they are not counted, get nothing, and must not be
    left with a count either."""
    fn, inputs = graph
    _check_paths_agree(fn, inputs, frozen)


@settings(deadline=None, max_examples=60)
@given(graphs("tensor", max_inputs=3), st.lists(st.booleans(), min_size=3, max_size=3))
def test_tensor_graphs_with_constant_inputs(
    graph: tuple[Any, tuple[Node, ...]], frozen: list[bool]
) -> None:
    """Constants feeding n-ary ops and ops that skip unneeded gradients (`needs`)."""
    fn, inputs = graph
    _check_paths_agree(fn, inputs, frozen)


@settings(deadline=None, max_examples=40)
@given(graphs("tensor", dtype=np.float32))
def test_float32_tensor_graphs_paths_agree_and_keep_dtype(
    graph: tuple[Any, tuple[Node, ...]],
) -> None:
    """float32 graphs: gradients stay float32 on every path (the engine casts any gradient
    whose dtype differs); the paths agree up to float32 rounding (accumulation order)."""
    fn, inputs = graph
    _check_paths_agree(fn, inputs, tol=1e-4)


def test_value_intermediate_grads_agree_between_paths() -> None:
    """Every Value node keeps .grad: the two paths must agree on intermediate nodes too, and
    a node used by several ops must not be finished before its last use."""

    def build() -> tuple[Value, list[Value]]:
        x, w = Value(0.7), Value(-1.3)
        a = x * w
        b = a.tanh() + x  # x used twice, at different depths
        c = b * b + a.sigmoid() * 2.0
        d = (c + a).relu() * w
        return d, [x, w, a, b, c]

    fast_root, fast_nodes = build()
    fast_root.backward()
    with detect_anomaly():
        slow_root, slow_nodes = build()
        slow_root.backward()
    for f, s in zip(fast_nodes, slow_nodes):
        assert s.grad == pytest.approx(f.grad, rel=1e-12, abs=1e-12)
    assert_scratch_clear(fast_root, slow_root)


@pytest.mark.parametrize("path", ["fast", "anomaly", "create_graph", "inputs"])
def test_unary_op_with_broadcast_gradient_is_summed_back(path: str) -> None:
    """`x ** p` with an array exponent is a one-input node whose output is larger than its
    input: its gradient must be summed back to x's shape on every path."""
    p = np.array([[1.0], [2.0], [3.0]])
    x = Tensor([1.0, 2.0], requires_grad=True)
    if path == "anomaly":
        with detect_anomaly():
            y = (x**p).sum()
            y.backward()
        got = x.grad
    elif path == "inputs":
        y = (x**p).sum()
        found = run_backward(y, inputs=[x])
        assert found is not None
        got = found[x]
    else:
        y = (x**p).sum()
        y.backward(create_graph=path == "create_graph")
        got = grad_array(x)
    assert np.shape(got) == (2,)
    assert_close(got, (p * x.data ** (p - 1)).sum(axis=0))  # [1+2+3, 1+4+12]
    assert_scratch_clear(y)


# ---------------------------------------------------------------------------------------
# 2. A branch that does not lead to the root


@pytest.mark.parametrize("path", ["fast", "anomaly", "create_graph"])
def test_dead_branch_does_not_block_value_backward(path: str) -> None:
    """`dead` uses `a` but is not part of y's graph: counting it would leave `a` waiting
    forever, and x would get no gradient."""
    x = Value(1.5)
    if path == "anomaly":
        with detect_anomaly():
            a = x * 2
            dead = a * 3
            y = a * 4
            y.backward()
    else:
        a = x * 2
        dead = a * 3
        y = a * 4
        y.backward(create_graph=path == "create_graph")
    assert grad_array(x) == 8.0
    assert grad_array(a) == 4.0
    assert dead.grad == 0.0  # not reached
    assert_scratch_clear(y, dead)


@pytest.mark.parametrize("path", ["fast", "anomaly", "create_graph"])
def test_dead_branch_does_not_block_tensor_backward(path: str) -> None:
    x = Tensor([1.0, -2.0, 0.5], requires_grad=True)
    if path == "anomaly":
        with detect_anomaly():
            a = x * 2
            dead = (a * 3).sum()
            y = (a * 4).sum()
            y.backward()
    else:
        a = x * 2
        dead = (a * 3).sum()
        y = (a * 4).sum()
        y.backward(create_graph=path == "create_graph")
    np.testing.assert_array_equal(grad_array(x), [8.0, 8.0, 8.0])
    assert_scratch_clear(y, dead)


def test_dead_branch_can_be_differentiated_afterwards_with_retained_graph() -> None:
    """After y's backward (graph retained), the dead branch's own backward still counts
    correctly: x.grad accumulates 4*2 and then 3*2."""
    x = Value(1.0)
    a = x * 2
    dead = a * 3
    y = a * 4
    y.backward(retain_graph=True)
    assert x.grad == 8.0
    dead.backward()
    assert x.grad == 14.0
    assert_scratch_clear(y, dead)


def test_dead_branch_through_released_node_raises() -> None:
    """Without retain_graph, `a`'s op was released by y's backward: the dead branch's
    backward reaches it and must refuse, and leave no scratch."""
    x = Tensor([1.0, 2.0], requires_grad=True)
    a = x.exp()
    dead = (a * 3).sum()
    y = (a * 4).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        dead.backward()
    assert_scratch_clear(y, dead)


# ---------------------------------------------------------------------------------------
# 3. A backward that raises midway


def _graph_with_boom(kind: str) -> tuple[Any, Node, list[Node]]:
    """x -> h -> Boom -> ... -> root, with other branches around Boom (reuse of h and x)."""
    x: Any
    if kind == "value":
        x = Value(0.5)
    else:
        x = Tensor([0.5, -1.0], requires_grad=True)
    h = x * 2.0
    b = Boom.apply(h)
    y = b * 3.0 + h * h + x
    root = to_scalar(y)
    return x, root, [h, b, y]


@pytest.mark.parametrize("kind", ["value", "tensor"])
@pytest.mark.parametrize("path", ["fast", "anomaly", "create_graph"])
def test_backward_that_raises_leaves_no_scratch(kind: str, path: str) -> None:
    """The failing op is mid-graph: some nodes have collected gradients and counted uses
    down, others not yet. The engine must reset them all."""
    x, root, _ = _graph_with_boom(kind)
    with pytest.raises(ZeroDivisionError, match="boom"):
        if path == "anomaly":
            with detect_anomaly():
                root.backward()
        else:
            root.backward(create_graph=path == "create_graph")
    assert_scratch_clear(root)

    # a fresh graph over the same leaf differentiates normally afterwards
    x.zero_grad()
    y = to_scalar(x * x * 3.0)
    y.backward()
    assert_close(grad_array(x), 6.0 * np.asarray(x.data))
    assert_scratch_clear(y)


def test_backward_that_raises_does_not_poison_a_shared_leaf() -> None:
    """A leaf shared by a failed graph and a later one: a stale `_n` on it would make the
    second backward never finish it (x.grad missing) — check the gradient, not just slots."""
    x = Value(2.0)
    failed = Boom.apply(x * x) + x
    with pytest.raises(ZeroDivisionError):
        failed.backward()
    x.zero_grad()
    ok = x * 5.0 + x
    ok.backward()
    assert x.grad == 6.0
    assert_scratch_clear(failed, ok)


# ---------------------------------------------------------------------------------------
# 4. The functional, pruned path


@pytest.mark.parametrize("kind", ["value", "tensor"])
def test_run_backward_with_inputs_leaves_grad_and_scratch_alone(kind: str) -> None:
    x: Any
    w: Any
    if kind == "value":
        x, w = Value(1.5), Value(-0.5)
    else:
        x = Tensor([1.5, 2.0], requires_grad=True)
        w = Tensor([-0.5, 3.0], requires_grad=True)
    h = x * w
    y = to_scalar(h * h + w.exp())
    untouched = x.grad, w.grad  # 0.0 for a Value, None for a Tensor
    found = run_backward(y, inputs=[x])
    assert found is not None and set(found) == {x}
    xd, wd = np.asarray(x.data), np.asarray(w.data)
    assert_close(found[x], 2 * xd * wd * wd)
    assert (x.grad, w.grad) == untouched
    if kind == "value":
        assert h.grad == 0.0 and y.grad == 0.0  # Value keeps all grads, but not here
    assert_scratch_clear(y)


def test_run_backward_with_inputs_skips_branches_not_leading_to_them() -> None:
    """Pruning: an op that does not lead to a wanted input is not differentiated at all (a
    broken backward there must not matter), and its counts are still cleared."""
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0], requires_grad=True)
    y = (x * x).sum() + Boom.apply(c * 2.0).sum()
    found = run_backward(y, inputs=[x])
    assert found is not None
    assert_close(found[x], [2.0, 4.0])
    assert x.grad is None and c.grad is None
    assert_scratch_clear(y)


def test_functional_grad_leaves_no_scratch_and_no_grad() -> None:
    """`autograd.grad` runs the pruned path on nodes it makes itself; the graph it built
    (captured here) must be clean afterwards, the caller's tensors untouched."""
    seen: list[Node] = []

    def f(t: Tensor, w: Tensor) -> Tensor:
        out = ((t * w).tanh() * t).sum()
        seen.append(out)
        return out

    t = Tensor([0.3, -0.7], requires_grad=True)
    w = Tensor([1.2, 0.4], requires_grad=True)
    gt, gw = autograd.grad(f, argnums=(0, 1))(t, w)
    tt, ww = t.data, w.data
    th = np.tanh(tt * ww)
    assert_close(gt.data, th + tt * ww * (1 - th**2))
    assert_close(gw.data, tt * tt * (1 - th**2))
    assert t.grad is None and w.grad is None
    assert len(seen) == 1
    assert_scratch_clear(seen[0])

    gv = autograd.grad(lambda v: v * v * v)(Value(2.0))
    assert gv.data == 12.0


# ---------------------------------------------------------------------------------------
# 5. Value's inline operators: no_grad, detect_anomaly, subclasses


def test_value_fast_operators_under_no_grad_record_nothing() -> None:
    a, b = Value(2.0), Value(-3.0)
    with no_grad():
        results = {
            "a + b": a + b,
            "a + 1.0": a + 1.0,
            "1 + a": 1 + a,
            "a * b": a * b,
            "a * 2.0": a * 2.0,
            "2 * a": 2 * a,
            "relu": b.relu(),
            "tanh": a.tanh(),
            "sigmoid": a.sigmoid(),
        }
    expected = {
        "a + b": -1.0,
        "a + 1.0": 3.0,
        "1 + a": 3.0,
        "a * b": -6.0,
        "a * 2.0": 4.0,
        "2 * a": 4.0,
        "relu": 0.0,
        "tanh": math.tanh(2.0),
        "sigmoid": 1 / (1 + math.exp(-2.0)),
    }
    for name, r in results.items():
        assert type(r) is Value, name
        assert r.requires_grad is False, name
        assert r.is_leaf, name
        assert r.op == "" and r.parents == (), name
        assert r.data == pytest.approx(expected[name], rel=1e-15), name
    # and recording resumes afterwards, on the inline path
    y = a * b + a
    assert y.requires_grad and y.op == "+"


def test_value_fast_operators_skip_recording_when_no_input_requires_grad() -> None:
    c = Value(2.0, requires_grad=False)
    for r in (c + c, c * 3.0, c.relu(), c.tanh(), c.sigmoid()):
        assert not r.requires_grad and r.is_leaf


@pytest.mark.parametrize(
    "overflow",
    [
        lambda: Value(1e308) * 10.0,
        lambda: 10.0 * Value(1e308),
        lambda: Value(1e308) * Value(1e308),
        lambda: Value(1e308) + Value(1e308),
        lambda: Value(1e308) + 1e308,
    ],
    ids=["v*f", "f*v", "v*v", "v+v", "v+f"],
)
def test_value_fast_operators_are_checked_under_detect_anomaly(
    overflow: Callable[[], Value],
) -> None:
    """The inline operators bypass the engine; under detect_anomaly() they must not, or an
    overflow goes unreported."""
    overflow()  # outside: just inf, no error
    with detect_anomaly(), pytest.raises(AnomalyError):
        overflow()


def test_value_activation_checked_under_detect_anomaly() -> None:
    nan = Value(float("nan"))
    with detect_anomaly(), pytest.raises(AnomalyError):
        nan.tanh()


def test_value_ops_under_detect_anomaly_still_record() -> None:
    with detect_anomaly():
        x = Value(0.5)
        y = (x * 3.0 + x).tanh()
        y.backward()
    assert y.op == "tanh" and not y.is_leaf
    assert x.grad == pytest.approx(4.0 * (1 - math.tanh(2.0) ** 2), rel=1e-12)


class MyValue(Value):
    """A user subclass: the inline operators build plain `Value`s, so they must step aside."""

    __slots__ = ()


def test_value_subclass_operators_keep_the_subclass_and_differentiate() -> None:
    a, b = MyValue(1.5), MyValue(-0.5)
    s = a + b
    m = a * 2.0
    rm = 3.0 * a
    r = a.relu()
    t = b.tanh()
    g = a.sigmoid()
    for node in (s, m, rm, r, t, g, a + 1.0, 1.0 + a, a * b):
        assert type(node) is MyValue, node.op
    y = s * m + rm + r + t + g
    assert type(y) is MyValue
    y.backward()
    sa = 1 / (1 + math.exp(-1.5))
    # y = (a + b) * 2a + 3a + relu(a) + tanh(b) + sigmoid(a)
    assert a.grad == pytest.approx(2 * a.data + (a.data + b.data) * 2 + 3 + 1 + sa * (1 - sa))
    assert b.grad == pytest.approx(2 * a.data + 1 - math.tanh(-0.5) ** 2)
    assert_scratch_clear(y)


def test_value_subclass_under_no_grad() -> None:
    a = MyValue(2.0)
    with no_grad():
        r = a * 2.0 + a.relu()
    assert type(r) is MyValue and not r.requires_grad and r.is_leaf


# ---------------------------------------------------------------------------------------
# 6. Spent ops


def test_spent_softmax_cross_entropy_drops_its_buffers() -> None:
    """After backward the node keeps its op's name and class (for drawing) but not its
    saved probabilities; a second backward refuses."""
    logits = Tensor(np.random.default_rng(0).normal(size=(4, 3)), requires_grad=True)
    loss = softmax_cross_entropy(logits, [0, 2, 1, 1], reduction="mean")
    assert isinstance(loss._fn, ops.SoftmaxCrossEntropy)
    assert isinstance(loss._fn.probs, np.ndarray)
    loss.backward()
    assert loss.op == "softmax_cross_entropy"
    assert type(loss._fn) is ops.SoftmaxCrossEntropy
    assert loss._fn is ops.SoftmaxCrossEntropy.shared_released
    assert getattr(loss._fn, "probs", None) is None
    assert not loss.is_leaf
    with pytest.raises(RuntimeError, match="retain_graph"):
        loss.backward()
    assert_scratch_clear(loss)


@pytest.mark.parametrize("path", ["fast", "anomaly"])
def test_every_op_of_a_graph_is_spent_after_backward(path: str) -> None:
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    h = (x * 2.0).exp().sum(axis=0)
    y = h.sum()
    if path == "anomaly":
        with detect_anomaly():
            y.backward()
    else:
        y.backward()
    nodes = [n for n in walk(y) if n._fn is not None]
    assert {n.op for n in nodes} == {"*", "exp", "sum"}
    for n in nodes:
        fn = n._fn
        assert fn is not None and fn.released, n.op
        assert fn is type(fn).shared_released, n.op
    sums = [n for n in nodes if n.op == "sum"]
    for n in sums:
        assert type(n._fn) is ops.Sum
        with pytest.raises(AttributeError):
            n._fn.shape  # noqa: B018  (Sum's saved shape is gone)
    with pytest.raises(RuntimeError, match="retain_graph"):
        if path == "anomaly":
            with detect_anomaly():
                y.backward()
        else:
            y.backward()
    assert_scratch_clear(y)


def test_value_ops_are_spent_but_keep_their_names() -> None:
    x = Value(0.3)
    y = (x * 2.0 + 1.0).tanh()
    y.backward()
    assert y.op == "tanh" and type(y._fn) is ops.Tanh and y._fn.released
    assert y.parents[0].op == "+" and type(y.parents[0]._fn) is ops.Add
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()
    assert_scratch_clear(y)


def test_retain_graph_keeps_ops_usable() -> None:
    logits = Tensor([[0.5, -0.5, 2.0]], requires_grad=True)
    loss = softmax_cross_entropy(logits, [1], reduction="sum")
    loss.backward(retain_graph=True)
    first = logits.grad.copy()
    fn = loss._fn
    assert isinstance(fn, ops.SoftmaxCrossEntropy)
    assert not fn.released and fn.probs is not None
    loss.backward()
    assert_close(logits.grad, 2 * first)


def test_custom_function_is_spent_too() -> None:
    class Cube(Function):
        __slots__ = ()

        def forward(self, a: Any) -> Any:
            return a**3

        def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
            return (g * 3 * a**2,)

    x = Value(2.0)
    y = Cube.apply(x)
    y.backward()
    assert x.grad == 12.0
    assert y.op == "cube" and type(y._fn) is Cube and y._fn is Cube.shared_released
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


# ---------------------------------------------------------------------------------------
# 7. Stateful ops' subclasses never share an instance


class MySum(ops.Sum):
    __slots__ = ()


class MySumOwnForward(ops.Sum):
    """Overrides forward (so the "has its own forward" test passes): only the inherited
    slots say that it keeps state."""

    __slots__ = ()

    def forward(self, a: Any, axis: Any = None, keepdims: bool = False) -> Any:
        return super().forward(a, axis=axis, keepdims=keepdims)


class MyClip(ops.Clip):
    __slots__ = ()

    def forward(self, a: Any, lo: float | None, hi: float | None) -> Any:
        return super().forward(a, lo, hi)


class MyExp(ops.Exp):
    """A stateless subclass of a stateless op: sharing one instance is right here."""

    __slots__ = ()

    def forward(self, a: Any) -> Any:
        return super().forward(a)


def test_stateful_subclasses_get_no_shared_instance() -> None:
    for cls in (MySum, MySumOwnForward, MyClip):
        assert cls.shared is None, cls.__name__
        spent = cls.shared_released
        assert type(spent) is cls and spent.released, cls.__name__
    assert isinstance(MyExp.shared, MyExp)
    assert MyExp.shared_released is not MyExp.shared


@pytest.mark.parametrize("cls", [MySum, MySumOwnForward])
def test_stateful_subclass_applications_keep_separate_state(cls: type[ops.Sum]) -> None:
    """Two sums over different axes in one graph: had they shared one instance, the second
    forward would overwrite the first's saved shapes and backward would broadcast wrongly."""
    rng = np.random.default_rng(1)
    data = rng.normal(size=(2, 3))
    c0, c1 = rng.normal(size=3), rng.normal(size=2)
    x = Tensor(data, requires_grad=True)
    s0 = cls.apply(x, axis=0)
    s1 = cls.apply(x, axis=1)
    assert s0._fn is not s1._fn
    assert s0.shape == (3,) and s1.shape == (2,)
    y = (s0 * c0).sum() + (s1 * c1).sum()
    y.backward()
    assert_close(x.grad, c0[None, :] + c1[:, None])
    assert_close(y.data, data.sum(axis=0) @ c0 + data.sum(axis=1) @ c1)


def test_stateful_clip_subclass_keeps_each_range() -> None:
    x = Tensor([-2.0, -0.5, 0.5, 2.0], requires_grad=True)
    narrow = MyClip.apply(x, lo=-0.1, hi=0.1)
    wide = MyClip.apply(x, lo=-1.0, hi=1.0)
    (narrow.sum() + 10.0 * wide.sum()).backward()
    assert_close(x.grad, [0.0, 10.0, 10.0, 0.0])


# ---------------------------------------------------------------------------------------
# 8. affine


def _affine_vs_unfused(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    b_shape: tuple[int, ...] | None,
    dtype: Any = np.float64,
    create_graph: bool = False,
) -> tuple[Tensor, list[Tensor]]:
    """affine(x, w, b) and x @ w + b on separate copies: same data, same gradients (a random
    upstream gradient, so each output element is weighted differently)."""
    rng = np.random.default_rng(sum(x_shape) * 7 + sum(w_shape))
    arrays = [rng.normal(size=x_shape), rng.normal(size=w_shape)]
    if b_shape is not None:
        arrays.append(rng.normal(size=b_shape))
    arrays = [a.astype(dtype) for a in arrays]
    fused_in = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    plain_in = [Tensor(a.copy(), requires_grad=True) for a in arrays]

    fused = affine(*fused_in) if b_shape is not None else affine(fused_in[0], fused_in[1])
    plain = plain_in[0] @ plain_in[1]
    if b_shape is not None:
        plain = plain + plain_in[2]
    assert fused.shape == plain.shape
    assert fused.dtype == plain.dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(fused.data, plain.data, rtol=tol, atol=tol)

    weights = rng.normal(size=fused.shape).astype(fused.dtype)
    (fused * weights).sum().backward(create_graph=create_graph)
    (plain * weights).sum().backward(create_graph=create_graph)
    for name, f, p in zip("xwb", fused_in, plain_in):
        assert f.grad is not None, name
        fg, pg = grad_array(f), grad_array(p)
        assert fg.shape == f.shape, name
        np.testing.assert_allclose(fg, pg, rtol=tol, atol=tol, err_msg=f"gradient of {name}")
    assert_scratch_clear(fused, plain)
    return fused, fused_in


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "b_shape"),
    [
        ((4, 3), (3, 2), (2,)),  # a dense layer
        ((3,), (3, 2), (2,)),  # one sample
        ((2, 4, 3), (3, 2), (2,)),  # a batch of sequences
        ((4, 3), (3, 2), (1, 2)),  # a row bias
        ((4, 3), (3, 2), (4, 1)),  # a column bias: broadcast the other way
        ((4, 3), (3, 2), ()),  # a scalar bias
    ],
)
@pytest.mark.parametrize("create_graph", [False, True])
def test_affine_equals_matmul_plus_bias(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    b_shape: tuple[int, ...],
    create_graph: bool,
) -> None:
    fused, _ = _affine_vs_unfused(x_shape, w_shape, b_shape, create_graph=create_graph)
    assert fused.op == "affine"


def test_affine_without_bias_is_a_matmul() -> None:
    fused, _ = _affine_vs_unfused((4, 3), (3, 2), None)
    assert fused.op == "@"


def test_affine_keeps_float32() -> None:
    fused, inputs = _affine_vs_unfused((4, 3), (3, 2), (2,), dtype=np.float32)
    assert fused.dtype == np.float32
    for t in inputs:
        assert t.grad.dtype == np.float32


def test_affine_with_constant_input_and_array_arguments() -> None:
    """A layer's input usually does not require grad (needs[0] False); raw arrays lift."""
    x = np.array([[1.0, 2.0, 3.0]])
    w = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    b = Tensor([0.5, -0.5], requires_grad=True)
    y = affine(Tensor(x), w, b)
    y.sum().backward()
    assert_close(y.data, x @ w.data + b.data)
    assert_close(w.grad, np.repeat(x.T, 2, axis=1))
    assert_close(b.grad, [1.0, 1.0])
    assert_scratch_clear(y)  # the constant x took no part: no count left on it
    w.zero_grad()
    y2 = affine(x, w, [0.5, -0.5])
    assert_close(y2.data, y.data)


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "b_shape"),
    [((4, 3), (5, 2), (2,)), ((4, 3), (3, 2), (3,)), ((4, 3), (5, 2), None)],
)
def test_affine_shape_mismatch_names_the_shapes(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], b_shape: tuple[int, ...] | None
) -> None:
    x = Tensor(np.ones(x_shape), requires_grad=True)
    w = Tensor(np.ones(w_shape), requires_grad=True)
    with pytest.raises(ValueError) as info:
        if b_shape is None:
            affine(x, w)
        else:
            affine(x, w, Tensor(np.ones(b_shape), requires_grad=True))
    message = str(info.value)
    assert str(x_shape) in message and str(w_shape) in message, message
    if b_shape is not None:
        assert str(b_shape) in message, message


# ---------------------------------------------------------------------------------------
# 9. softmax_cross_entropy's reductions


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (1, 3)])
@pytest.mark.parametrize("path", ["fast", "create_graph"])
def test_cross_entropy_reduction_equals_reducing_the_rows(
    reduction: str, shape: tuple[int, ...], path: str
) -> None:
    """The fused reduction folds 1/n (or 1) into the node; an upstream factor (3.0 here) must
    still scale the gradient."""
    rng = np.random.default_rng(len(shape) * 10 + shape[-1])
    data = rng.normal(scale=3.0, size=shape)
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    fused_logits = Tensor(data.copy(), requires_grad=True)
    plain_logits = Tensor(data.copy(), requires_grad=True)

    fused = softmax_cross_entropy(fused_logits, labels, reduction=reduction)
    rows = softmax_cross_entropy(plain_logits, labels)
    assert rows.shape == shape[:-1]
    plain = rows.mean() if reduction == "mean" else rows.sum()
    assert fused.shape == ()
    assert_close(fused.data, plain.data)

    create_graph = path == "create_graph"
    (fused * 3.0).backward(create_graph=create_graph)
    (plain * 3.0).backward(create_graph=create_graph)
    assert_close(grad_array(fused_logits), grad_array(plain_logits))
    assert_scratch_clear(fused, plain)


def test_cross_entropy_reduction_keeps_float32() -> None:
    logits = Tensor(
        np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]], dtype=np.float32), requires_grad=True
    )
    loss = softmax_cross_entropy(logits, [1, 2], reduction="mean")
    assert loss.dtype == np.float32
    loss.backward()
    assert logits.grad.dtype == np.float32


def test_cross_entropy_reductions_under_detect_anomaly() -> None:
    data = np.array([[100.0, -100.0, 0.0], [0.0, 0.0, 0.0]])  # large logits: stable, finite
    fast = Tensor(data, requires_grad=True)
    softmax_cross_entropy(fast, [1, 0], reduction="mean").backward()
    slow = Tensor(data, requires_grad=True)
    with detect_anomaly():
        softmax_cross_entropy(slow, [1, 0], reduction="mean").backward()
    assert_close(slow.grad, fast.grad)


@pytest.mark.parametrize("bad", ["avg", "MEAN", "", None])
def test_cross_entropy_rejects_unknown_reduction(bad: Any) -> None:
    logits = Tensor([[0.0, 1.0]], requires_grad=True)
    with pytest.raises(ValueError) as info:
        softmax_cross_entropy(logits, [0], reduction=bad)
    assert repr(bad) in str(info.value)


# ---------------------------------------------------------------------------------------
# Defects these tests found (fixed): a -0.0 first gradient on the general path, a refused
# second backward that still touched .grad, a backward nested in a create_graph backward


@pytest.mark.parametrize("path", ["anomaly", "create_graph"])
def test_value_negative_zero_gradient_same_on_both_paths(path: str) -> None:
    """engine.NO_GRAD's comment: the first gradient is stored as it is, so -0.0 stays -0.0,
    on the general path as on the fast one."""
    x = Value(0.0)
    c = Value(-0.0, requires_grad=False)
    if path == "anomaly":
        with detect_anomaly():
            (x * c).backward()
    else:
        (x * c).backward(create_graph=True)
    assert math.copysign(1.0, float(grad_array(x))) == -1.0


def test_refused_second_backward_changes_no_grad() -> None:
    """The released-graph RuntimeError comes before the root (a Value, which keeps its .grad)
    accumulates the seed: a refused call has no side effect."""
    a, b = Value(2.0), Value(3.0)
    y = a * b
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()
    assert (y.grad, a.grad, b.grad) == (1.0, 3.0, 2.0)


class NestedSquare(Function):
    """x**2 whose create_graph backward obtains 2x from a nested `autograd.grad`: a backward
    run while the outer backward's counts and partial gradients sit on the same nodes."""

    __slots__ = ()

    def forward(self, a: Any) -> Any:
        return a * a

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        if isinstance(a, Node):
            return (g * autograd.grad(lambda t: t * t)(a),)
        return (g * 2 * a,)


def test_backward_nested_in_a_create_graph_backward() -> None:
    x = Value(3.0)
    NestedSquare.apply(x).backward(create_graph=True)
    assert grad_array(x) == 6.0  # was 12.0: the inner 2x leaked into x's outer _g


def test_backward_nested_in_a_create_graph_backward_with_a_shared_leaf() -> None:
    x = Value(3.0)
    (NestedSquare.apply(x) * x).backward(create_graph=True)  # d(x**3)/dx = 3x**2
    assert grad_array(x) == 27.0  # was 33.0


def test_clip_with_an_array_bound_that_broadcasts_wider() -> None:
    # the bounds broadcast the output to (2, 2); x's gradient sums the rows back
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.clip(np.array([[0.0], [1.5]]), None)
    y.sum().backward()
    assert y.data.tolist() == [[1.0, 2.0], [1.5, 2.0]]
    assert x.grad.tolist() == [1.0, 2.0]  # x[0] clipped in row 2, passed in row 1


def test_a_float64_gradient_seed_keeps_float32_on_every_path() -> None:
    for create_graph in (False, True):
        x = Tensor(np.float32([1.0, 2.0]), requires_grad=True)
        x.exp().backward(np.ones(2), create_graph=create_graph)
        grad = x.grad.data if create_graph else x.grad
        assert grad.dtype == np.float32
