"""PyTorch's autograd idioms as PyTorch users write them (issue 17, item 8, in part):
`requires_grad_()`, `grad_fn`, `set_grad_enabled(bool)`, `inference_mode()` and a bare
`@no_grad` decorator (PyTorch docs: torch.autograd.grad_mode)."""

from __future__ import annotations

import threading

import pytest

from autograd import (
    Tensor,
    Value,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)


def test_requires_grad_switches_a_leaf_in_place_and_refuses_a_result() -> None:
    w = Tensor([1.0, 2.0])
    assert w.requires_grad_() is w and w.requires_grad
    (w * w).sum().backward()
    assert w.grad.tolist() == [2.0, 4.0]
    assert not Value(1.0).requires_grad_(False).requires_grad
    with pytest.raises(RuntimeError, match="can only change a leaf"):
        (w * 2).requires_grad_(False)
    with pytest.raises(TypeError, match="True or False, received 'yes'"):
        w.requires_grad_("yes")


def test_grad_fn_is_the_op_that_made_the_node() -> None:
    x = Tensor([1.0], requires_grad=True)
    assert x.grad_fn is None and (x.exp()).grad_fn.name == "exp"


def test_set_grad_enabled_as_a_call_and_as_a_context_manager() -> None:
    x = Value(2.0)
    with set_grad_enabled(False):
        assert not (x * x).requires_grad
    assert is_grad_enabled()
    with no_grad():
        with set_grad_enabled(True):
            assert (x * x).requires_grad
        assert not is_grad_enabled()

    def switched_off_in_a_thread() -> None:  # a call takes effect at once (its own context)
        set_grad_enabled(False)
        assert not is_grad_enabled() and not (x * x).requires_grad

    thread = threading.Thread(target=switched_off_in_a_thread)
    thread.start()
    thread.join()
    assert is_grad_enabled()  # threads have their own setting
    with pytest.raises(TypeError, match="True or False, received 0"):
        set_grad_enabled(0)  # type: ignore[arg-type]


def test_inference_mode_and_a_bare_no_grad_decorator() -> None:
    x = Value(2.0)
    with inference_mode():
        assert not (x * x).requires_grad
    with no_grad(), inference_mode(False):
        assert (x * x).requires_grad

    @no_grad
    def square(v: Value) -> Value:
        return v * v

    @enable_grad
    def cube(v: Value) -> Value:
        return v * v * v

    @inference_mode
    def double(v: Value) -> Value:
        return v * 2

    assert square.__name__ == "square" and not square(x).requires_grad
    assert not double(x).requires_grad
    with no_grad():
        assert cube(x).requires_grad
    with pytest.raises(TypeError, match="takes no argument, or a function"):
        no_grad(3)


def test_grad_in_pytorchs_form_returns_a_tuple_and_leaves_grad_alone() -> None:
    from autograd import grad

    x, w = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    y = (x * w).sum()
    gx, gw = grad(y, [x, w], retain_graph=True)
    assert gx.tolist() == [3.0, 4.0] and gw.tolist() == [1.0, 2.0]
    assert x.grad is None and w.grad is None  # as torch.autograd.grad: nothing accumulated
    (g,) = grad([y, y * 2.0], x)  # several outputs: their gradients summed
    assert g.tolist() == [9.0, 12.0]
    v = Value(3.0)
    (dv,) = grad(v * v * v, [v], create_graph=True)  # 3v**2 = 27, itself differentiable
    (ddv,) = grad(dv, [v])
    assert (dv.data, ddv) == (27.0, 18.0)
    unused = Tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"input\(s\) \[1\] are not used.*allow_unused=True"):
        grad((x * x).sum(), [x, unused])
    assert grad((x * x).sum(), [x, unused], allow_unused=True)[1] is None
    with pytest.raises(TypeError, match="JAX's form"):
        grad(lambda t: t, retain_graph=True)
    assert grad(lambda t: (t * t).sum())(Tensor([2.0])).data.tolist() == [4.0]  # JAX form too
