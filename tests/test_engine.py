"""The engine's classic traps, each as a named test, for `Value` and `Tensor`."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from autograd import Tensor, Value, no_grad
from autograd.engine import is_grad_enabled, topological_order


def test_reused_node_accumulates() -> None:
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0
    assert b.grad == 2.0


def test_reused_tensor_accumulates() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = a + a
    c = (b + b).sum()
    c.backward()
    np.testing.assert_array_equal(a.grad, [4.0, 4.0])


def test_self_multiplication_uses_both_branches() -> None:
    a = Value(-4.0)
    (a * a).backward()
    assert a.grad == -8.0


def test_diamond() -> None:
    x = Value(2.0)
    left, right = x * 3.0, x.exp()
    top = left * right
    top.backward()
    expected = 3.0 * np.exp(2.0) + 6.0 * np.exp(2.0)
    assert x.grad == pytest.approx(expected, rel=1e-12)


def test_node_reached_by_paths_of_different_length() -> None:
    # y feeds the root directly and through z: it must be finished after z, not before
    x = Value(1.5)
    y = x * x
    z = y * 2.0
    root = y + z
    root.backward()
    assert y.grad == 3.0
    assert x.grad == pytest.approx(3.0 * 2 * 1.5)


def test_order_puts_parents_first() -> None:
    x = Value(1.0)
    nodes = [x]
    for i in range(50):
        nodes.append(nodes[-1] * nodes[i // 2])
    order = topological_order(nodes[-1])
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        for parent in node._parents:
            if isinstance(parent, Value):
                assert position[parent] < position[node]


@pytest.mark.parametrize("depth", [100_000])
def test_deep_chain_has_no_recursion_limit(depth: int) -> None:
    x = Value(1.0)
    y = x
    for _ in range(depth):
        y = y * 1.00001
    y.backward()
    assert x.grad == pytest.approx(1.00001**depth, rel=1e-9)


def test_million_node_chain() -> None:
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**1_000_000, rel=1e-6)


def test_backward_twice_with_retain_graph_accumulates() -> None:
    a = Value(2.0)
    b = a * a
    b.backward(retain_graph=True)
    b.backward()
    assert a.grad == 8.0


def test_tensor_backward_twice_accumulates_and_zero_grad_clears() -> None:
    w = Tensor([1.0, -2.0], requires_grad=True)
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    np.testing.assert_array_equal(w.grad, [4.0, -8.0])
    w.zero_grad()
    assert w.grad is None
    (w * 3.0).sum().backward()
    np.testing.assert_array_equal(w.grad, [3.0, 3.0])
    w.grad = None
    (w * 2.0).sum().backward()
    np.testing.assert_array_equal(w.grad, [2.0, 2.0])


def test_second_backward_through_released_graph_raises() -> None:
    a = Value(2.0)
    b = a + 1.0  # even an op that saves nothing is released
    b.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        b.backward()


def test_released_graph_raises_from_an_intermediate_root() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    h = w * w
    loss = h.sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="second time"):
        h.sum().backward()


def test_released_graph_keeps_structure_for_drawing() -> None:
    a = Value(2.0)
    b = a.tanh() * 3.0
    b.backward()
    assert b.op == "*" and b._parents[0].op == "tanh"


def test_shared_grads_are_separate_arrays() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad *= 10  # an optimizer updating in place must not touch b.grad
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])


def test_no_grad_records_nothing() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        y = (w * 2.0).exp().sum()
        assert not is_grad_enabled()
    assert is_grad_enabled()
    assert not y.requires_grad and y.is_leaf and y._parents == ()
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_no_grad_as_decorator() -> None:
    @no_grad()
    def predict(w: Value) -> Value:
        return w * 2.0

    assert not predict(Value(1.0)).requires_grad


def test_no_grad_does_not_leak_into_other_threads() -> None:
    seen: list[bool] = []
    ready = threading.Event()
    release = threading.Event()

    def worker() -> None:
        ready.wait()
        seen.append(is_grad_enabled())
        release.set()

    thread = threading.Thread(target=worker)
    thread.start()
    with no_grad():
        ready.set()
        release.wait()
    thread.join()
    assert seen == [True]


def test_detach_stops_gradients() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    d = y.detach()
    assert not d.requires_grad and d.is_leaf
    (y + d).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_requires_grad_false_leaf_gets_no_grad() -> None:
    x = Tensor([1.0, 2.0])
    w = Tensor([3.0, 4.0], requires_grad=True)
    (x * w).sum().backward()
    assert x.grad is None
    np.testing.assert_array_equal(w.grad, [1.0, 2.0])


def test_constants_only_graph_does_not_require_grad() -> None:
    c = Value(1.0, requires_grad=False) * 2.0
    assert not c.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        c.backward()


def test_non_scalar_backward_needs_a_gradient() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 3.0
    with pytest.raises(RuntimeError, match=r"shape \(2,\)"):
        y.backward()
    y.backward(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad, [3.0, 30.0])


def test_backward_gradient_must_match_shape() -> None:
    y = Tensor([1.0, 2.0], requires_grad=True) * 2.0
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        y.backward(np.ones(3))


def test_backward_gradient_may_be_a_tensor() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).backward(Tensor([1.0, 1.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_retain_grad_on_intermediate() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 2.0
    h.retain_grad()
    other = x * 3.0
    (h * other).sum().backward()
    np.testing.assert_array_equal(h.grad, [3.0, 6.0])
    assert other.grad is None


def test_value_intermediates_keep_grads() -> None:
    x = Value(0.5)
    h = x * 4.0
    y = h.tanh()
    y.backward()
    assert y.grad == 1.0
    assert h.grad == pytest.approx(1 - np.tanh(2.0) ** 2)


def test_broadcast_gradients_sum_back_to_each_shape() -> None:
    a = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.arange(3.0), requires_grad=True)
    c = Tensor(np.ones((2, 1)), requires_grad=True)
    (a * b + c).sum().backward()
    np.testing.assert_array_equal(b.grad, [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(c.grad, [[3.0], [3.0]])
    assert a.grad.shape == (2, 3)


def test_max_splits_gradient_among_ties() -> None:
    x = Tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])


def test_min_splits_gradient_among_ties() -> None:
    x = Tensor([1.0, 1.0, 4.0], requires_grad=True)
    x.min().backward()
    np.testing.assert_allclose(x.grad, [0.5, 0.5, 0.0])


def test_repeated_indices_accumulate() -> None:
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


def test_float32_stays_float32() -> None:
    w = Tensor(np.ones((3, 2), dtype=np.float32), requires_grad=True)
    x = Tensor(np.ones((4, 3), dtype=np.float32))
    y = (1 - (x @ w) * 0.5 / 2.0).tanh().sigmoid().log_softmax(axis=1).mean()
    assert y.dtype == np.float32
    y.backward()
    assert w.grad.dtype == np.float32


def test_lists_and_ints_become_float64() -> None:
    assert Tensor([1, 2, 3]).dtype == np.float64
    assert Tensor(np.arange(3)).dtype == np.float64
    assert Tensor(np.ones(2, dtype=np.float32)).dtype == np.float32


def test_tensor_facts() -> None:
    t = Tensor(np.zeros((4, 5)), name="x")
    assert t.shape == (4, 5) and t.ndim == 2 and len(t) == 4 and t.name == "x"
    assert t.T.shape == (5, 4)
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))


def test_value_reflected_operators() -> None:
    x = Value(2.0)
    assert (1 + x).data == 3.0 and (1 - x).data == -1.0
    assert (3 * x).data == 6.0 and (8 / x).data == 4.0
    assert (2**x).data == pytest.approx(4.0) and (x**x).data == pytest.approx(4.0)
    assert (-x).data == -2.0 and abs(Value(-2.5)).data == 2.5
    assert Value(9.0).sqrt().data == 3.0


def test_tensor_reflected_operators() -> None:
    t = Tensor([1.0, 2.0, 4.0])
    np.testing.assert_allclose((2.0 / t).data, [2.0, 1.0, 0.5])
    np.testing.assert_allclose((1 - t).data, [0.0, -1.0, -3.0])
    np.testing.assert_allclose((np.array([1.0, 1.0, 1.0]) + t).data, [2.0, 3.0, 5.0])
    assert isinstance(np.array([1.0, 1.0, 1.0]) * t, Tensor)


def test_value_grad_and_data_are_floats() -> None:
    x = Value(3)
    y = x * x
    y.backward()
    assert type(x.data) is float and type(x.grad) is float and type(y.data) is float


def test_sigmoid_is_stable() -> None:
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    t = Tensor([-1000.0, 0.0, 1000.0]).sigmoid()
    np.testing.assert_array_equal(t.data, [0.0, 0.5, 1.0])


def test_log_softmax_is_stable() -> None:
    t = Tensor([[1000.0, 0.0, -1000.0]], requires_grad=True)
    out = t.log_softmax(axis=1)
    assert np.isfinite(out.data[0, :2]).all() and out.data[0, 0] == 0.0
    out.sum().backward()
    assert np.isfinite(t.grad).all()
