"""backprop's path for a graph that is one n-ary op on leaves (a jit plan's node, a
concatenate of weights): the same .grad as the general walk, in every case it handles."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor
from autograd.backprop import run_backward
from autograd.tensor import concatenate


def _case():
    w = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0], requires_grad=True)
    c = Tensor([5.0])  # a constant leaf: no gradient
    return w, b, c, concatenate([w, c, w, b])  # w twice: its gradients add


def test_one_op_on_leaves_gives_the_general_walk_s_gradients() -> None:
    w, b, c, out = _case()
    seed = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    out.retain_grad()
    out.backward(seed)
    fast = w.grad.copy(), b.grad.copy(), out.grad.copy()
    w2, b2, _, out2 = _case()
    found = run_backward(out2, seed, inputs=[w2, b2])  # the general walk
    np.testing.assert_array_equal(fast[0], found[w2])
    np.testing.assert_array_equal(fast[0], [1.0 + 4.0, 2.0 + 5.0])
    np.testing.assert_array_equal(fast[1], found[b2])
    np.testing.assert_array_equal(fast[2], seed)  # the root kept its gradient (a copy)
    assert fast[2] is not seed and c.grad is None


def test_gradients_accumulate_and_the_graph_is_released() -> None:
    w, _, _, out = _case()
    out.backward(np.ones(6), retain_graph=True)
    out.backward(np.ones(6))
    np.testing.assert_array_equal(w.grad, [4.0, 4.0])
    with pytest.raises(RuntimeError, match="a second time"):
        out.backward(np.ones(6))


def test_a_deeper_graph_is_left_to_the_walk() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    out = concatenate([w * 2.0, w])  # an op's result among the inputs
    out.backward(np.ones(4))
    np.testing.assert_array_equal(w.grad, [3.0, 3.0])
