"""When gradcheck fails on a composite function, it names the op whose local gradient is wrong."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest

from autograd import Function, GradcheckError, Tensor, Value, gradcheck, gradgradcheck
from autograd.engine import Node

HERE = "tests/test_gradcheck_blame.py"


def line_of(marker: str) -> int:
    for number, line in enumerate(inspect.getsource(inspect.getmodule(line_of)).splitlines()):
        if marker in line and "line_of(" not in line:
            return number + 1
    raise AssertionError(marker)


class MyBad(Function):
    """a**2 with a wrong backward: 3a instead of 2a."""

    __slots__ = ()
    name = "mybad"

    def forward(self, a: Any) -> Any:
        return a * a

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g * 3 * a,)


class BadSecondInput(Function):
    """a * b whose gradient for b forgets a sign."""

    __slots__ = ()
    name = "badmul"

    def forward(self, a: Any, b: Any) -> Any:
        return a * b

    def backward(self, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        return g * b, -g * a


class ScaledSquare(Function):
    """k * a**2 with a keyword parameter; the backward forgets k."""

    __slots__ = ("k",)
    name = "scaledsquare"

    def forward(self, a: Any, k: float = 1.0) -> Any:
        self.k = k
        return k * a * a

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g * 2 * a,)


def test_wrong_unary_op_inside_a_composite_is_named() -> None:
    x = Tensor([0.5, -1.0, 0.3], requires_grad=True)

    def composite(t: Tensor) -> Tensor:
        h = (t * 0.7).tanh()
        h = MyBad.apply(h)  # MARK-mybad
        return (h.exp() * t).sum().sigmoid()

    with pytest.raises(GradcheckError) as info:
        gradcheck(composite, x)
    message = str(info.value)
    assert message.startswith("Jacobian mismatch for output () with respect to input 0")
    expected = (
        f"the local gradient of op 'mybad' (created at {HERE}:{line_of('# MARK-mybad')} "
        "in composite) is wrong for its input 0: numerical "
    )
    assert expected in message
    assert message.count("the local gradient of op") == 1  # the correct ops are not blamed


def test_blame_reports_local_numbers() -> None:
    x = Value(0.4)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda v: MyBad.apply(v.exp()) + v, x)
    message = str(info.value)
    # locally d(h**2)/dh = 2h, and the op says 3h, at h = e**0.4
    h = float(np.exp(0.4))
    local = message.split("is wrong for its input 0: ")[1]
    numeric, analytical = (float(part.split()[-1]) for part in local.split(", ")[:2])
    assert numeric == pytest.approx(2 * h, rel=1e-6)
    assert analytical == pytest.approx(3 * h, rel=1e-12)


def test_the_wrong_input_of_a_binary_op_is_named() -> None:
    a, b = Value(0.7), Value(-1.3)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, y: BadSecondInput.apply(x.tanh(), y * 2) * x, a, b)
    message = str(info.value)
    assert "Jacobian mismatch for output () with respect to input 1" in message
    assert "op 'badmul'" in message and "is wrong for its input 1:" in message
    assert "is wrong for its input 0" not in message


def test_stateful_op_is_re_applied_with_its_parameters() -> None:
    x = Tensor([[0.5, -1.0], [2.0, 0.1]], requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda t: ScaledSquare.apply(t.sum(axis=0), k=3.0).sum(), x)
    message = str(info.value)
    assert "op 'scaledsquare'" in message and "is wrong for its input 0" in message
    assert "op 'sum'" not in message  # Sum's axis was recovered too, and it is right


def test_several_wrong_ops_are_all_named() -> None:
    x = Tensor([0.3, 0.8], requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda t: BadSecondInput.apply(MyBad.apply(t), t).sum(), x)
    message = str(info.value)
    assert "op 'mybad'" in message and "op 'badmul'" in message


def test_all_ops_right_but_data_read_directly() -> None:
    # every op is locally right; the function hides part of its computation via .data
    x = Tensor([0.5, 2.0], requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda t: (t * t.data).sum(), x)
    message = str(info.value)
    assert "every op's local gradient agrees with finite differences" in message
    assert "reads .data" in message


def test_blame_leaves_inputs_and_grads_alone() -> None:
    data = np.array([0.5, -1.0])
    x = Tensor(data.copy(), requires_grad=True)
    with pytest.raises(GradcheckError):
        gradcheck(lambda t: MyBad.apply(t).sum(), x)
    np.testing.assert_array_equal(x.data, data)
    assert x.grad is None


def test_correct_functions_still_pass() -> None:
    x = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    w = np.array([0.1, 0.2, 0.3])
    assert gradcheck(lambda t: ((t * w).tanh() @ t.exp()).log(), x)
    assert gradcheck(lambda v: (v * v).sigmoid(), Value(0.3))


class TimesTwo(Function):
    """2a, with a wrong gradient (3g): used only inside Twice's backward."""

    __slots__ = ()
    name = "timestwo"

    def forward(self, a: Any) -> Any:
        return 2 * a

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (3 * g,)


class Twice(Function):
    """2a, whose backward runs TimesTwo on nodes under create_graph."""

    __slots__ = ()
    name = "twice"

    def forward(self, a: Any) -> Any:
        return 2 * a

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (TimesTwo.apply(g) if isinstance(g, Node) else 2 * g,)


def test_gradgradcheck_names_an_op_used_by_a_backward_formula() -> None:
    x = Tensor([0.4, -0.9], requires_grad=True)
    assert gradcheck(lambda t: Twice.apply(t) * t, x)  # first derivatives are right

    def f(t: Tensor) -> Tensor:
        return Twice.apply(t) * t  # MARK-twice

    with pytest.raises(GradcheckError) as info:
        gradgradcheck(f, x)
    message = str(info.value)
    assert message.startswith("Second-derivative mismatch in the gradient with respect to input 0")
    assert "the local gradient of op 'timestwo' (created by the backward of op 'twice'" in message
    assert f"{HERE}:{line_of('# MARK-twice')} in f" in message


def test_gradgradcheck_names_an_op_whose_backward_is_first_order_only() -> None:
    class RawSquare(Function):
        __slots__ = ()
        name = "rawsquare"

        def forward(self, a: Any) -> Any:
            return a * a

        def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
            return (g * 2 * (a.data if isinstance(a, Node) else a),)

    with pytest.raises(GradcheckError) as info:
        gradgradcheck(lambda v: RawSquare.apply(v).exp(), Value(0.3))
    message = str(info.value)
    assert "the second derivative (the gradient of its backward) of op 'rawsquare'" in message
    assert "op 'exp'" not in message
