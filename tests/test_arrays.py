"""autograd.arrays: each faster form equals numpy's plain one, for any shape, dtype and layout."""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Tensor, arrays, softmax_cross_entropy

FLOATS = st.sampled_from([np.float32, np.float64])


@st.composite
def matrices(draw: st.DrawFn, special: bool = True) -> np.ndarray:
    """Float matrices, some transposed (F order) or strided, some holding inf and NaN."""
    dtype = draw(FLOATS)
    shape = draw(hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=40))
    elements = st.floats(-1e3, 1e3, width=32) | (
        st.sampled_from([np.inf, -np.inf, np.nan, -0.0]) if special else st.nothing()
    )
    a = draw(hnp.arrays(dtype, shape, elements=elements))
    layout = draw(st.sampled_from(["C", "F", "strided"]))
    if layout == "F":
        a = np.asfortranarray(a)
    elif layout == "strided":
        a = np.repeat(a, 2, axis=1)[:, ::2]
    return a


@settings(deadline=None, max_examples=150)
@given(matrices())
def test_relu_and_its_mask_equal_numpys(a: np.ndarray) -> None:
    np.testing.assert_array_equal(arrays.relu(a), np.maximum(a, 0))
    mask = arrays.positive(a)
    assert mask.dtype == a.dtype
    np.testing.assert_array_equal(mask, (a > 0).astype(a.dtype))


@settings(deadline=None, max_examples=150)
@given(matrices(special=False))
def test_row_and_column_reductions_equal_numpys(a: np.ndarray) -> None:
    tol = 1e-4 if a.dtype == np.float32 else 1e-10
    if a.shape[1]:  # a max over no entries is an error either way
        np.testing.assert_array_equal(arrays.row_max(a), a.max(axis=1, keepdims=True))
    np.testing.assert_allclose(
        arrays.row_sums(a), a.sum(axis=1, keepdims=True), rtol=tol, atol=tol * 1e3
    )
    np.testing.assert_allclose(arrays.column_sums(a), a.sum(axis=0), rtol=tol, atol=tol * 1e3)
    assert arrays.column_sums(a).dtype == a.dtype and arrays.row_sums(a).dtype == a.dtype


def test_row_max_keeps_nan_and_inf() -> None:
    a = np.zeros((16, 3), np.float32)
    a[2, 1], a[5, 0] = np.nan, np.inf
    out = arrays.row_max(a)
    assert np.isnan(out[2, 0]) and out[5, 0] == np.inf and out[0, 0] == 0


def test_constants_are_shared_and_read_only() -> None:
    a = np.ones((3, 4), np.float32)
    zeros = arrays.zeros_like(a)
    assert zeros is arrays.zeros_like(np.empty((3, 4), np.float32))
    assert zeros is not arrays.zeros_like(np.empty((3, 4), np.float64))
    with pytest.raises(ValueError):
        zeros[0, 0] = 1.0
    with pytest.raises(ValueError):
        arrays.ones(4, np.float32)[0] = 2.0
    # results are fresh arrays, never the cached constants
    out = arrays.relu(zeros)
    out[0, 0] = 5.0
    assert zeros[0, 0] == 0.0


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_cross_entropy_gradient_does_not_depend_on_memory_layout(reduction: str) -> None:
    """Transposed logits (F order): the label picks must land in the gradient, not a copy."""
    rng = np.random.default_rng(0)
    data = rng.standard_normal((10, 12)).astype(np.float32)
    labels = rng.integers(0, 10, 12)
    grads = []
    for array in (np.ascontiguousarray(data.T), data.T):
        logits = Tensor(array, requires_grad=True)
        loss = softmax_cross_entropy(logits, labels, reduction=reduction)
        (loss if reduction != "none" else loss.sum()).backward()
        grads.append(logits.grad)
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)
    probs = np.exp(data.T - data.T.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    probs[np.arange(12), labels] -= 1
    scale = 1 / 12 if reduction == "mean" else 1.0
    np.testing.assert_allclose(grads[0], probs * scale, rtol=1e-5, atol=1e-6)
