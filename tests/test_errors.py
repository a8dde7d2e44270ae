"""Every error at the engine's boundary: what was received and what was expected."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor, Value, concatenate, stack


@pytest.mark.parametrize("bad", ["a", None, object(), [1.0], 1 + 2j])
def test_value_refuses_non_numbers(bad: object) -> None:
    with pytest.raises(TypeError, match="Value expects a real number"):
        Value(bad)


@pytest.mark.parametrize("bad", ["a", object()])
def test_value_arithmetic_refuses_non_numbers(bad: object) -> None:
    with pytest.raises(TypeError, match="received"):
        Value(1.0) + bad  # type: ignore[operator]


@pytest.mark.parametrize("bad", ["abc", ["a", "b"], [object()], {"a": 1}, np.array([1 + 1j])])
def test_tensor_refuses_non_numeric_data(bad: object) -> None:
    with pytest.raises(TypeError, match="Tensor expects"):
        Tensor(bad)


def test_tensor_arithmetic_refuses_strings() -> None:
    with pytest.raises(TypeError, match="received"):
        Tensor([1.0]) * "x"  # type: ignore[operator]


def test_value_and_tensor_do_not_mix() -> None:
    with pytest.raises(TypeError, match="Tensor with a Value"):
        Tensor([1.0]) + Value(1.0)


def test_negative_base_with_fractional_exponent() -> None:
    with pytest.raises(ValueError, match="negative base -8.0"):
        Value(-8.0) ** (1 / 3)
    with pytest.raises(ValueError, match="negative base"):
        Value(-4.0).sqrt()
    with pytest.raises(ValueError, match="negative base"):
        Tensor([4.0, -1.0]) ** 0.5


def test_negative_base_with_integer_exponent_is_fine() -> None:
    assert (Value(-2.0) ** 3).data == -8.0
    assert (Value(-2.0) ** -2).data == 0.25


def test_node_exponent_with_negative_base() -> None:
    # the value is real for an integer exponent; its slope in the exponent is not
    y = Value(-2.0) ** Value(2.0)
    assert y.data == 4.0
    with pytest.raises(ValueError, match="needs a positive base; received base -2.0"):
        y.backward()
    assert (Value(-2.0) ** Value(3.0, requires_grad=False)).data == -8.0
    with pytest.raises(ValueError, match="negative base -2.0"):
        Value(-2.0) ** Value(0.5)
    with pytest.raises(ValueError, match="needs a positive base"):
        ((-2.0) ** Value(2.0)).backward()


def test_log_of_negative_value() -> None:
    # as a Tensor's: nan with numpy's warning (issue 16, item 12: Value and Tensor agree)
    with pytest.warns(RuntimeWarning, match="invalid value encountered in log"):
        assert np.isnan(Value(-1.0).log().data)


@pytest.mark.parametrize(
    "op",
    [
        lambda a, b: a + b,
        lambda a, b: a * b,
        lambda a, b: a - b,
        lambda a, b: a / b,
    ],
)
def test_incompatible_shapes_name_both_shapes_and_the_op(op) -> None:  # type: ignore[no-untyped-def]
    a = Tensor(np.ones((2, 3)))
    b = Tensor(np.ones((4,)))
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4,\)"):
        op(a, b)


def test_matmul_shape_error() -> None:
    with pytest.raises(ValueError, match=r"@: incompatible shapes \(2, 3\) and \(4, 5\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))


def test_reshape_error_names_shapes() -> None:
    with pytest.raises(ValueError, match=r"reshape.*\(2, 3\)"):
        Tensor(np.ones((2, 3))).reshape(4, 2)


def test_axis_out_of_range() -> None:
    with pytest.raises(ValueError, match="axis 2 is out of bounds"):
        Tensor(np.ones((2, 3))).sum(axis=2)


def test_float_index_refused() -> None:
    with pytest.raises(TypeError, match="integers or booleans"):
        Tensor([1.0, 2.0])[np.array([0.0])]


def test_concatenate_and_stack_errors() -> None:
    with pytest.raises(ValueError, match="at least one"):
        concatenate([])
    with pytest.raises(ValueError, match=r"one shape.*\(2,\).*\(3,\)"):
        stack([Tensor([1.0, 2.0]), Tensor([1.0, 2.0, 3.0])])
    with pytest.raises(ValueError, match="concatenate: incompatible shapes"):
        concatenate([Tensor(np.ones((2, 2))), Tensor(np.ones((3, 3)))], axis=0)
