"""The user-facing strategies of `autograd.testing`, and random graphs gradchecked at scale."""

from __future__ import annotations

import contextlib
import math
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from autograd import Function, Tensor, Value, gradgradcheck, no_grad
from autograd.engine import raw
from autograd.optable import BOTH, OPS, Domain, OpSpec
from autograd.testing import (
    LIMIT,
    Graph,
    assert_gradients_match,
    broadcastable_shapes,
    graphs,
    op_inputs,
    tensors,
    values,
)

KINDS = ["value", "tensor"]


# ---------------------------------------------------------------------------------------
# Random graphs against finite differences


@settings(max_examples=200)
@given(graphs("value"))
def test_value_graphs_match_finite_differences(graph: tuple[Graph, tuple[Value, ...]]) -> None:
    fn, inputs = graph
    assert_gradients_match(fn, *inputs)


@settings(max_examples=200)
@given(graphs("tensor"))
def test_tensor_graphs_match_finite_differences(graph: tuple[Graph, tuple[Tensor, ...]]) -> None:
    fn, inputs = graph
    assert_gradients_match(fn, *inputs)


# an entry whose backward is declared first-order only is left out of second derivatives
TWICE = tuple(spec for spec in OPS if not spec.once_differentiable)


@settings(max_examples=200)
@given(graphs("value", max_ops=12, ops=TWICE))
def test_value_graphs_second_derivatives(graph: tuple[Graph, tuple[Value, ...]]) -> None:
    fn, inputs = graph
    assert gradgradcheck(fn, *inputs)


@settings(max_examples=200)
@given(graphs("tensor", max_ops=12, ops=TWICE))
def test_tensor_graphs_second_derivatives(graph: tuple[Graph, tuple[Tensor, ...]]) -> None:
    fn, inputs = graph
    assert gradgradcheck(fn, *inputs)


# ---------------------------------------------------------------------------------------
# What graphs() produces


@contextlib.contextmanager
def _without_local_constants() -> Iterator[None]:
    """Hypothesis (6.13x on) mixes the literals of every loaded local module into its draws, so
    a derandomized sample changed with the modules the suite had loaded before (the same test
    passed alone and failed after the whole suite); without them it is the same in any run."""
    from hypothesis.internal.conjecture import providers

    saved, empty = providers._get_local_constants, providers.Constants()
    providers._get_local_constants = lambda: empty
    providers.CONSTANTS_CACHE.cache.clear()  # it caches the local constants too
    try:
        yield
    finally:
        providers._get_local_constants = saved
        providers.CONSTANTS_CACHE.cache.clear()


def _sample(kind: str, n: int = 300) -> list[Graph]:
    """`n` graphs, generated (never shrunk) the same way on every run."""
    seen: list[Graph] = []

    @settings(max_examples=n, database=None, derandomize=True, phases=[Phase.generate])
    @given(graphs(kind))
    def collect(graph: tuple[Graph, Any]) -> None:
        seen.append(graph[0])

    with _without_local_constants():
        collect()
    return seen


@pytest.mark.parametrize("kind", KINDS)
def test_graphs_reuse_nodes_form_diamonds_chain_and_broadcast(kind: str) -> None:
    sample = _sample(kind)
    assert any(g.depth >= 20 for g in sample), max(g.depth for g in sample)
    assert sum(g.has_reuse for g in sample) > len(sample) // 4
    assert sum(g.has_diamond for g in sample) > len(sample) // 10
    if kind == "tensor":
        assert sum(g.broadcasts for g in sample) > len(sample) // 20
    # the sample mixes (nearly) every family of ops that accepts this kind
    families = {spec.family for spec in OPS if kind in spec.kinds and spec.composable}
    used = {spec.family for g in sample for spec, _ in g.steps}
    assert len(used) >= 0.9 * len(families), sorted(families - used)


@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data())
def test_graph_steps_respect_their_domains(kind: str, data: st.DataObject) -> None:
    fn, inputs = data.draw(graphs(kind))
    with no_grad():
        nodes = [x.detach() for x in inputs]
        for spec, args in fn.steps:
            assert spec.admits(*[nodes[i] for i in args]), f"{spec.name} outside its domain"
            nodes.append(spec.fn(*[nodes[i] for i in args]))
            assert np.all(np.abs(nodes[-1].data) <= LIMIT)
    # the recipe is replayed on whatever inputs it gets: fresh copies give the same answer
    fresh = [Value(x.data) if kind == "value" else Tensor(x.data.copy(), True) for x in inputs]
    again = fn(*fresh)
    np.testing.assert_array_equal(fn(*inputs).data, again.data)
    assert fn.n_inputs == len(inputs) and 1 <= fn.n_ops <= 24


def test_graph_repr_shows_the_expression() -> None:
    add, tanh = (next(s for s in OPS if s.name == name) for name in ("add", "tanh"))
    graph = Graph("value", 2, [(add, (0, 1)), (tanh, (2,)), (add, (3, 2))], [()] * 5)
    assert repr(graph) == (
        "graph_3_ops(x0, x1):\n    v0 = x0 + x1\n    v1 = tanh(v0)\n    v2 = v1 + v0\n    return v2"
    )
    assert graph.depth == 3 and graph.has_reuse and graph.has_diamond
    out = graph(Value(0.5), Value(0.25))
    assert out.data == pytest.approx(np.tanh(0.75) + 0.75)


def test_graph_sinks_are_folded_into_the_output() -> None:
    neg = next(s for s in OPS if s.name == "neg")
    graph = Graph("tensor", 2, [(neg, (0,))], [(2,), (3,), (2,)])
    assert graph.sinks == (1,)
    assert repr(graph).endswith("return v0 + x1.mean()")
    out = graph(Tensor([1.0, 2.0]), Tensor([3.0, 4.0, 5.0]))
    np.testing.assert_allclose(out.data, [3.0, 2.0])


# ---------------------------------------------------------------------------------------
# A wrong gradient is caught, and shrinks to a small graph


class WrongSin(Function):
    """sin(x) whose backward uses sin where it needs cos: wrong everywhere, even at 0."""

    __slots__ = ()
    name = "wrong_sin"

    def forward(self, a: Any) -> Any:
        return math.sin(a) if type(a) is float else np.sin(a)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        a = raw(a)
        return (g * (math.sin(a) if type(a) is float else np.sin(a)),)


WRONG = OpSpec("wrong_sin", WrongSin.apply, 1, (Domain(),), BOTH, np.sin)


def _fails(graph: tuple[Graph, tuple[Any, ...]]) -> bool:
    fn, inputs = graph
    try:
        assert_gradients_match(fn, *inputs)
    except AssertionError:
        return True
    return False


def test_a_wrong_backward_is_caught_by_assert_gradients_match() -> None:
    with pytest.raises(AssertionError, match="Jacobian mismatch"):
        assert_gradients_match(WrongSin.apply, Value(1.5))
    with pytest.raises(AssertionError, match="wrong_sin"):
        assert_gradients_match(lambda t: WrongSin.apply(t).tanh(), Tensor([0.5, -1.0], requires_grad=True))


@pytest.mark.parametrize("kind", KINDS)
def test_a_wrong_backward_shrinks_to_a_one_op_graph(kind: str) -> None:
    fn, inputs = find(
        graphs(kind, ops=OPS + (WRONG,), max_inputs=1),  # one input: a faster shrink
        _fails,
        settings=settings(database=None, derandomize=True, max_examples=1000),
    )
    # alone this shrinks to the one op; after the whole suite (an order effect inside
    # hypothesis not tracked down yet) it can stop one step short: `x0.sum()` then wrong_sin
    assert fn.n_ops <= 2 and fn.steps[-1][0] is WRONG, repr(fn)
    assert len(inputs) == 1
    assert "wrong_sin(" in repr(fn)


# ---------------------------------------------------------------------------------------
# The building-block strategies


@given(values(Domain(0.5, 2.0, avoid=(1.0,), gap=0.2)))
def test_values_respect_their_domain(x: Value) -> None:
    assert type(x) is Value and type(x.data) is float and x.requires_grad
    assert 0.5 <= x.data <= 2.0 and abs(x.data - 1.0) >= 0.2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(data=st.data())
def test_tensors_respect_shape_dtype_and_elements(dtype: Any, data: st.DataObject) -> None:
    domain = Domain(-2.0, 0.5, avoid=(0.0,))
    t = data.draw(tensors((2, 3), dtype=dtype, elements=domain))
    assert t.shape == (2, 3) and t.dtype == dtype and t.requires_grad
    assert domain.contains(t)
    shape = data.draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    drawn = data.draw(tensors(st.just(shape), requires_grad=False))
    assert drawn.shape == shape and not drawn.requires_grad and drawn.dtype == np.float64
    assert np.all(np.abs(drawn.data) <= 3.0)


@given(data=st.data())
def test_broadcastable_shapes_broadcast(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 4))
    shapes = data.draw(broadcastable_shapes(n, max_dims=2, max_side=3))
    assert len(shapes) == n
    assert all(len(s) <= 2 and all(1 <= k <= 3 for k in s) for s in shapes)
    np.broadcast_shapes(*shapes)


@pytest.mark.parametrize("name", ["div", "log", "maximum", "max(axis=0)", "matmul[3d@3d]"])
@given(data=st.data())
def test_op_inputs_lie_in_the_domain(name: str, data: st.DataObject) -> None:
    spec = next(s for s in OPS if s.name == name)
    args = data.draw(op_inputs(spec, "tensor"))
    assert len(args) == spec.arity and spec.admits(*args)
    assert spec.fits(*[a.data.shape for a in args])


def test_bad_arguments_are_rejected() -> None:
    with pytest.raises(TypeError, match="float dtype"):
        tensors((2,), dtype=np.int64)
    with pytest.raises(ValueError, match="kind"):
        graphs("matrix")
    with pytest.raises(ValueError, match="min_ops"):
        graphs("value", min_ops=5, max_ops=2)
    with pytest.raises(ValueError, match="n >= 1"):
        broadcastable_shapes(0)
    with pytest.raises(ValueError, match="accepts"):
        op_inputs(next(s for s in OPS if s.name == "clip"), "value")
    with pytest.raises(TypeError, match="Domain"):
        values((0.0, 1.0))  # type: ignore[arg-type]


def test_import_autograd_does_not_need_hypothesis() -> None:
    code = (
        "import sys, autograd, autograd.optable\n"
        "assert 'hypothesis' not in sys.modules, 'import autograd loaded hypothesis'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
