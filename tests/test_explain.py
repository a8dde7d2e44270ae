"""`autograd.explain`: its steps agree with backward() on random graphs, report un-broadcasting,
reproduce the house-price neuron's gradients by the formula, and read well as text and data."""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

from autograd import Function, Tensor, Value, conv, explain, lstm, max_pool, ops, unstack
from autograd.explain import FORMS, symbolic_form
from autograd.testing import graphs
from autograd.viz import draw_graph

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
import house_prices  # noqa: E402


def _seed_for(out):
    """A gradient of the output's shape with distinct entries (None for a Value)."""
    if isinstance(out, Value):
        return None
    return np.linspace(0.5, 1.5, max(out.data.size, 1)).reshape(out.data.shape)


def _check_against_backward(kind, graph):
    fn, inputs = graph
    out = fn(*inputs)
    if not out.requires_grad:
        return
    before = [x.grad for x in inputs]
    seed = _seed_for(out)
    e = explain(out, seed)
    assert [x.grad for x in inputs] == before  # explain changed no .grad
    out.backward(seed)  # the graph is not released: backward still runs
    for x in inputs:
        found = e.grad(x)
        if found is None:  # no gradient reached it: backward left it as it was
            assert x.grad == (0.0 if kind == "value" else None)
        else:
            np.testing.assert_allclose(found, x.grad, rtol=1e-12, atol=1e-12)
            if kind == "tensor":
                assert np.shape(found) == x.data.shape
    assert len(e.steps) == len({id(s.node) for s in e.steps})  # one step per node


@settings(max_examples=40)
@given(graphs("value", max_ops=8))
def test_value_graphs_agree_with_backward(graph):
    _check_against_backward("value", graph)


@settings(max_examples=40)
@given(graphs("tensor", max_ops=6))
def test_tensor_graphs_agree_with_backward(graph):
    _check_against_backward("tensor", graph)


def test_every_value_node_gets_backwards_grad():
    x = Value(0.5, label="x")
    h = (x * x).tanh()
    y = h * x + h.exp()
    e = explain(y)
    y.backward()
    for step in e.steps:
        assert step.grad == pytest.approx(step.node.grad, rel=1e-14)


def test_broadcasting_is_reported_with_both_shapes():
    x = Tensor(np.arange(12.0).reshape(4, 3), requires_grad=True, name="x")
    b = Tensor([1.0, 2.0, 3.0], requires_grad=True, name="b")
    s = Tensor(np.array([[2.0], [3.0], [4.0], [5.0]]), requires_grad=True, name="s")
    loss = ((x + b) * s).sum()
    e = explain(loss)
    moved = {c.label: c.unbroadcast for step in e.steps for c in step.inputs if c.unbroadcast}
    assert moved == {"b": ((4, 3), (3,)), "s": ((4, 3), (4, 1))}
    texts = {c.label: step.describe() for step in e.steps for c in step.inputs}
    assert "summed back from shape (4, 3) to (3,)" in texts["b"]
    assert "summed back from shape (4, 3) to (4, 1)" in texts["s"]
    loss.backward()
    np.testing.assert_array_equal(e.grad(b), b.grad)
    np.testing.assert_array_equal(e.grad(s), s.grad)
    np.testing.assert_array_equal(e.grad(b), [14.0, 14.0, 14.0])  # the column sums of s


def test_broadcast_to_op_form_names_the_shape():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    e = explain(ops.BroadcastTo.apply(x, shape=(3, 2)).sum())
    (sent,) = [c for step in e.steps for c in step.inputs if c.label == "x"]
    assert sent.form == "sum back to shape (2,)"
    np.testing.assert_array_equal(sent.product, [3.0, 3.0])


@pytest.mark.parametrize("kind", ["value", "tensor"])
def test_house_price_neuron_gradients_equal_the_formula(kind):
    x, y = house_prices.FLATS, house_prices.PRICES
    n = len(x)
    w0, b0 = 9_000.0, 500.0
    if kind == "value":
        w, b = Value(w0, label="w"), Value(b0, label="b")
        squares = [(w * float(xi) + b - float(yi)) ** 2 for xi, yi in zip(x, y)]
        loss = sum(squares, Value(0.0, requires_grad=False)) * (1 / n)
    else:
        w = Tensor([w0], requires_grad=True, name="w")
        b = Tensor([b0], requires_grad=True, name="b")
        loss = ((w * Tensor(x) + b - Tensor(y)) ** 2).mean()
    e = explain(loss)
    error = w0 * x + b0 - y
    dw, db = 2 / n * np.sum(error * x), 2 / n * np.sum(error)
    assert float(np.ravel(e.grad(w))[0]) == pytest.approx(dw, rel=1e-12)
    assert float(np.ravel(e.grad(b))[0]) == pytest.approx(db, rel=1e-12)
    assert w.grad in (0.0, None) and b.grad in (0.0, None)
    if kind == "tensor":  # w and b of shape (1,) were broadcast over the seven flats
        moved = {c.label: c.unbroadcast for step in e.steps for c in step.inputs if c.unbroadcast}
        assert moved["w"] == ((7,), (1,)) and moved["b"] == ((7,), (1,))


def _op_classes():
    return [c for _, c in inspect.getmembers(ops, inspect.isclass)
            if issubclass(c, Function) and c is not Function and c.__module__ == ops.__name__]


def test_every_op_class_has_a_symbolic_form():
    classes = _op_classes()
    assert len(classes) >= 30
    missing = [c.__name__ for c in classes if c not in FORMS]
    assert not missing, f"add a symbolic form to autograd.explain.FORMS for {missing}"


def test_forms_of_the_textbook_ops():
    expected = {ops.Tanh: ["1 - tanh(x)**2"], ops.Mul: ["b", "a"], ops.Add: ["1", "1"],
                ops.Exp: ["exp(x)"], ops.Log: ["1/x"], ops.Pow: ["p * x**(p-1)"],
                ops.Sigmoid: ["out * (1 - out)"], ops.Relu: ["x > 0"],
                ops.MatMul: ["g @ b.T", "a.T @ g"]}
    for cls, forms in expected.items():
        assert [symbolic_form(cls(), i) for i in range(len(forms))] == forms


def test_a_user_op_without_a_form_is_named():
    class Cube(Function):
        __slots__ = ()

        def forward(self, x):
            return x**3

        def backward(self, grad, out, x):
            return (grad * 3 * x**2,)

    x = Value(2.0, label="x")
    (sent,) = explain(Cube.apply(x)).steps[0].inputs
    assert sent.form == "d cube/d input 0" and sent.product == 12.0 and sent.local is None


def test_text_table_labels_forms_and_describe():
    w = Value(-0.5, label="w")
    x = Value(3.0, label="x", requires_grad=False)
    y = (w * x).tanh()
    y.label = "y"
    e = explain(y)
    text = str(e)
    for part in ("y", "w", "tanh", "1 - tanh(x)**2", "(leaf)", "dy/dnode"):
        assert part in text
    t = float(np.tanh(-1.5))
    assert e.steps[0].describe() == (
        f"dy/d(* n2) += dy/dy * (1 - tanh(x)**2) = 1.0000 * {1 - t * t:.4f} = {1 - t * t:.4f}"
    )
    assert e.steps[1].describe() == (
        f"dy/dw += dy/d(* n2) * b = {1 - t * t:.4f} * 3.0000 = {3 * (1 - t * t):.4f}"
    )
    assert e.steps[2].describe() == f"dy/dw = {3 * (1 - t * t):.4f} (a leaf)"
    assert repr(e) == "<Explanation of y [n3]: 3 steps>"
    page = e._repr_html_()
    assert page.startswith("<table>") and 'data-node-id="n0"' in page and "tanh" in page


def test_tensor_text_shows_shapes_and_a_few_values():
    a = Tensor(np.arange(10.0).reshape(2, 5), requires_grad=True, name="a")
    e = explain((a * 2.0).sum())
    assert "2×5 [2, 2, 2, 2, …]" in str(e)


def test_node_ids_match_draw_graph_and_to_dict_is_json():
    x = Tensor([[1.0, -2.0]], requires_grad=True, name="x")
    w = Tensor([[0.5], [0.25]], requires_grad=True, name="w")
    loss = (x @ w).relu().sum()
    e = explain(loss)
    source = draw_graph(loss).source
    for step in e.steps:
        assert f"\t{step.node_id} [label=" in source
        label = step.node.label
        if label:  # the box drawn under this id is the node's own
            line = next(ln for ln in source.splitlines() if ln.startswith(f"\t{step.node_id} ["))
            assert label in line
    data = json.loads(json.dumps(e.to_dict(), allow_nan=False))
    assert data["output"]["node_id"] == e.steps[0].node_id
    assert [s["node_id"] for s in data["steps"]] == [s.node_id for s in e.steps]
    assert data["steps"][-1]["text"] == e.steps[-1].describe()
    sent = data["steps"][1]["inputs"][0]
    assert set(sent) >= {"node_id", "label", "form", "local", "product", "unbroadcast"}


def test_non_finite_numbers_are_json_null():
    x = Tensor([0.0, 1.0], requires_grad=True, name="x")
    with np.errstate(divide="ignore"):  # log(0) = -inf and d/dx = 1/0 = inf, on purpose
        e = explain(x.log().sum())
    data = json.loads(json.dumps(e.to_dict(), allow_nan=False))
    assert data["steps"][-1]["grad"] == [None, 1.0]


def test_accumulate_runs_the_real_backward():
    x = Value(2.0, label="x")
    y = x * x
    e = explain(y, accumulate=True)
    assert x.grad == 4.0 == e.grad(x)
    with pytest.raises(RuntimeError, match="released"):
        explain(y)


def test_bad_input():
    with pytest.raises(TypeError, match="received float"):
        explain(2.0)
    with pytest.raises(ValueError, match="does not require grad"):
        explain(Value(2.0, requires_grad=False) * 2)
    x = Value(1.0)
    with pytest.raises(ValueError, match="not in the graph"):
        explain(x * 2).grad(Value(3.0))


def test_lstm_and_conv_graphs_agree_with_backward():
    """The movement ops (pad, windows, unstack, pick) and the fused LSTM cell, whose gradients
    arrive slice by slice (`arrays.Slices`), step by step as backward takes them."""
    rng = np.random.default_rng(0)
    projection = Tensor(rng.normal(size=(2, 3, 8)), requires_grad=True, name="projection")
    kernel = Tensor(rng.normal(size=(2, 8)) * 0.5, requires_grad=True, name="kernel")
    h, c = Tensor(np.zeros((2, 2))), Tensor(np.zeros((2, 2)))
    out, _, _ = lstm(projection, kernel, h, c, sequences=True)
    image = Tensor(rng.normal(size=(1, 5, 5, 1)), requires_grad=True, name="image")
    filters = Tensor(rng.normal(size=(3, 3, 1, 2)), requires_grad=True, name="filters")
    first = unstack(projection, axis=1)[0]  # a Pick of an Unstack
    pooled = max_pool(conv(image, filters, padding="same"), 2)
    loss = (out**2).sum() + (first * first).sum() + pooled.sum()
    e = explain(loss)
    ops_seen = {s.op for s in e.steps}
    assert {"lstm_cell", "unstack", "pick", "windows", "pad"} <= ops_seen
    loss.backward()
    for x in (projection, kernel, image, filters):
        np.testing.assert_allclose(e.grad(x), x.grad, rtol=1e-12, atol=1e-12)
