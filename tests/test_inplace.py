"""Issue 17, item 7: `t += x` and friends on Tensor (rules in autograd/inplace.py)."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor, no_grad


def test_in_place_on_a_leaf_that_requires_grad_raises_and_says_what_to_do() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"leaf that requires grad.*no_grad"):
        w += 1.0
    np.testing.assert_array_equal(w.data, [1.0, 2.0])  # untouched


@pytest.mark.parametrize(
    "update, expected",
    [
        (lambda w: w.__isub__(0.5), [0.5, 1.5]),
        (lambda w: w.__iadd__(np.array([1.0, 1.0])), [2.0, 3.0]),
        (lambda w: w.__imul__(Tensor([2.0, 3.0])), [2.0, 6.0]),
        (lambda w: w.__itruediv__(2), [0.5, 1.0]),
    ],
)
def test_under_no_grad_the_leaf_is_updated_in_place_and_stays_a_weight(update, expected) -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    same = w
    with no_grad():
        result = update(w)
    assert result is same and w.is_leaf and w.requires_grad
    np.testing.assert_array_equal(same.data, expected)


def test_a_constant_changes_in_place_as_a_numpy_array_would() -> None:
    c = Tensor(np.ones(3, dtype=np.float32))
    alias = c
    c += np.arange(3.0)  # float64 into float32: numpy's same_kind cast, the dtype stays
    assert alias is c and c.dtype == np.float32
    np.testing.assert_array_equal(alias.data, [1.0, 2.0, 3.0])


def test_a_node_of_a_graph_becomes_a_new_node_and_gradients_stay_right() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    y = w * 3.0
    before = y
    y += 1.0
    assert y is not before and not y.is_leaf
    y.sum().backward()
    np.testing.assert_array_equal(w.grad, [3.0, 3.0])
    np.testing.assert_array_equal(before.data, [3.0, 6.0])  # the old node is intact


def test_a_constant_plus_a_weight_records_the_weight_s_gradient() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    total = Tensor([0.0, 0.0])
    total += w * w
    total.sum().backward()
    np.testing.assert_array_equal(w.grad, [2.0, 4.0])


def test_a_shape_that_cannot_be_written_in_place_is_refused_quoting_both() -> None:
    c = Tensor([1.0, 2.0])
    with pytest.raises(ValueError, match=r"shape \(2,\).*shape \(3,\)"):
        c += np.ones(3)


def test_changing_a_saved_constant_in_place_makes_backward_raise() -> None:
    w, c = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0])
    loss = (w * c).sum()
    c *= 10.0
    with pytest.raises(RuntimeError, match="changed after op"):
        loss.backward()
