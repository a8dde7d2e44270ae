"""The 'orthogonal' initializer (the recurrent kernels' default): Keras' algorithm."""

import numpy as np
import pytest

from nn import initializers
from nn.initializers import Orthogonal
from nn.utils import set_random_seed


@pytest.mark.parametrize("shape", [(5, 5), (3, 7), (7, 3), (2, 3, 4)])
def test_orthogonal_rows_or_columns(shape):
    set_random_seed(0)
    w = Orthogonal()(shape, dtype=np.float64)
    assert w.shape == shape
    flat = w.reshape(-1, shape[-1])
    if flat.shape[0] >= flat.shape[1]:  # tall: orthonormal columns
        np.testing.assert_allclose(flat.T @ flat, np.eye(flat.shape[1]), atol=1e-12)
    else:  # wide: orthonormal rows
        np.testing.assert_allclose(flat @ flat.T, np.eye(flat.shape[0]), atol=1e-12)


def test_orthogonal_is_keras_algorithm_with_gain_and_seed():
    w = Orthogonal(gain=2.0, seed=3)((4, 6), dtype=np.float64)
    draws = np.random.default_rng(3).standard_normal((6, 4))  # (max, min), then transposed
    q, r = np.linalg.qr(draws)
    np.testing.assert_array_equal(w, 2.0 * (q * np.sign(np.diag(r))).T)
    np.testing.assert_array_equal(w, Orthogonal(gain=2.0, seed=3)((4, 6), dtype=np.float64))


def test_orthogonal_by_name_float32_and_bad_shape():
    init = initializers.get("orthogonal")
    assert isinstance(init, Orthogonal) and init.get_config() == {"gain": 1.0, "seed": None}
    assert isinstance(initializers.get("OrthogonalInitializer"), Orthogonal)
    assert initializers.serialize(init) == "orthogonal"
    w = init((4, 4))
    assert w.dtype == np.float32
    np.testing.assert_allclose(w @ w.T, np.eye(4), atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(init((5,))), 1.0, rtol=1e-6)  # one row
    with pytest.raises(ValueError, match=r"a shape with an axis, received shape=\(\)"):
        init(())
