"""Issue 17, item 8: autograd.functional.vjp / jvp, PyTorch's torch.autograd.functional ones,
checked against the full Jacobian (autograd.jacobian) and central differences, in float64."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Tensor
from autograd.functional import jacobian, jvp, vjp


def f(x: Tensor, y: Tensor) -> Tensor:
    return (x * y).tanh() + x.exp() * 0.1


def _numeric_jacobian(fn, arrays, k, eps=1e-6):
    base = [a.copy() for a in arrays]
    out = fn(*[Tensor(a) for a in base]).data
    cols = []
    for i in range(base[k].size):
        plus = [a.copy() for a in base]
        minus = [a.copy() for a in base]
        plus[k].flat[i] += eps
        minus[k].flat[i] -= eps
        cols.append((fn(*[Tensor(a) for a in plus]).data - fn(*[Tensor(a) for a in minus]).data)
                    .ravel() / (2 * eps))
    return np.stack(cols, axis=1), out


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_vjp_and_jvp_equal_the_jacobian_products(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=n), rng.normal(size=n)
    u, vx, vy = rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)
    jx, out = _numeric_jacobian(f, [x, y], 0)
    jy, _ = _numeric_jacobian(f, [x, y], 1)
    value, (gx, gy) = vjp(f, (Tensor(x), Tensor(y)), v=Tensor(u))
    np.testing.assert_allclose(value.data, out, rtol=1e-12)
    np.testing.assert_allclose(gx.data, u @ jx, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(gy.data, u @ jy, rtol=1e-6, atol=1e-8)
    _, d = jvp(f, (Tensor(x), Tensor(y)), v=(Tensor(vx), Tensor(vy)))
    np.testing.assert_allclose(d.data, jx @ vx + jy @ vy, rtol=1e-6, atol=1e-8)


def test_jvp_agrees_with_the_reverse_mode_jacobian_exactly_on_a_matrix_function() -> None:
    w = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]])
    fn = lambda x: (Tensor(w) @ x).sigmoid()
    x, v = np.array([0.3, -0.7]), np.array([1.0, 2.0])
    full = jacobian(fn)(Tensor(x)).data
    _, d = jvp(fn, Tensor(x), v=v)
    np.testing.assert_allclose(d.data, full @ v, rtol=1e-12)
    _, g = vjp(fn, Tensor(x), v=np.ones(3))
    np.testing.assert_allclose(g.data, np.ones(3) @ full, rtol=1e-12)


def test_results_are_detached_unless_create_graph() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    out, g = vjp(lambda t: (t ** 3).sum(), x)
    assert not out.requires_grad and not g.requires_grad and x.grad is None
    _, g2 = vjp(lambda t: (t ** 3).sum(), x, create_graph=True)
    g2.sum().backward()  # d/dx sum(3x^2) = 6x
    np.testing.assert_allclose(x.grad, [6.0, 12.0])


def test_an_unused_input_gives_zeros_or_raises_when_strict() -> None:
    fn = lambda a, b: a * 2.0
    _, (_, gb) = vjp(fn, (Tensor([1.0]), Tensor([5.0])), v=[1.0])
    np.testing.assert_array_equal(gb.data, [0.0])
    with pytest.raises(RuntimeError, match="input 1"):
        vjp(fn, (Tensor([1.0]), Tensor([5.0])), v=[1.0], strict=True)
    _, d = jvp(lambda a: Tensor([3.0]), Tensor([1.0]))  # output independent of the input
    np.testing.assert_array_equal(d.data, [0.0])


def test_bad_vectors_are_refused_quoting_the_shapes() -> None:
    with pytest.raises(ValueError, match=r"shape \(2,\), received shape \(3,\)"):
        vjp(lambda t: t * 2, Tensor([1.0, 2.0]), v=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"one element; it has shape \(2,\)"):
        vjp(lambda t: t * 2, Tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="2 inputs but 1 vectors"):
        jvp(lambda a, b: a * b, (Tensor([1.0]), Tensor([2.0])), v=(Tensor([1.0]),))
    with pytest.raises(TypeError, match="must return a Tensor"):
        vjp(lambda t: 3.0, Tensor([1.0]))
