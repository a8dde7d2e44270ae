"""Issue 17, item 8: register_hook on Value and Tensor, as PyTorch's Tensor.register_hook."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from autograd import Tensor, Value, grad
from autograd import hooks as hook_table


def test_a_leaf_hook_sees_the_whole_gradient_once_and_may_replace_it() -> None:
    w = Tensor([1.0, -2.0], requires_grad=True)
    calls = []

    def double(g: np.ndarray) -> np.ndarray:
        calls.append(g.copy())
        return g * 2

    w.register_hook(double)
    (w * w + w).sum().backward()  # w used twice: the hook sees the sum of both uses
    assert len(calls) == 1
    np.testing.assert_array_equal(calls[0], [3.0, -3.0])
    np.testing.assert_array_equal(w.grad, [6.0, -6.0])


def test_a_hook_on_an_intermediate_changes_what_flows_to_its_inputs() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.register_hook(lambda g: g * 0)  # stop the gradient here
    (h.sum() + x.sum()).backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])  # only the direct path remains


def test_hooks_run_in_order_and_none_keeps_the_gradient() -> None:
    v = Value(3.0)
    order = []
    v.register_hook(lambda g: order.append(("first", g)))
    v.register_hook(lambda g: g + 1.0)
    v.register_hook(lambda g: order.append(("third", g)))
    (v * v).backward()
    assert order == [("first", 6.0), ("third", 7.0)] and v.grad == 7.0


def test_remove_takes_the_hook_off_and_a_dead_node_leaves_no_entry() -> None:
    w = Tensor([1.0], requires_grad=True)
    handle = w.register_hook(lambda g: g * 100)
    handle.remove()
    (w * 2).sum().backward()
    np.testing.assert_array_equal(w.grad, [2.0])
    t = Tensor([1.0], requires_grad=True)
    t.register_hook(lambda g: g)
    before = len(hook_table.HOOKS)
    del t
    gc.collect()
    assert len(hook_table.HOOKS) == before - 1


def test_hooks_apply_in_pytorch_s_grad_form_too() -> None:
    x = Tensor([2.0], requires_grad=True)
    x.register_hook(lambda g: g * 10)
    (g,) = grad(x ** 3, [x])  # PyTorch's form: hooks apply there too
    np.testing.assert_allclose(g.data, [120.0])


def test_bad_hooks_are_refused_clearly() -> None:
    with pytest.raises(TypeError, match="function of the gradient, received 3"):
        Tensor([1.0], requires_grad=True).register_hook(3)
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).register_hook(lambda g: g)
    w = Tensor([1.0, 2.0], requires_grad=True)
    w.register_hook(lambda g: g.sum())
    with pytest.raises(ValueError, match=r"shape \(2,\).*shape \(\)"):
        (w * w).sum().backward()
