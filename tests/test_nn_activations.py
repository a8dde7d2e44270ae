"""Activations: values, autograd gradients (gradcheck in float64), extremes, identifiers."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Tensor, enable_grad, gradcheck
from nn import activations
from nn.activations import elu, leaky_relu, linear, relu, sigmoid, softmax, softplus, tanh

# inputs kept away from 0, where relu, leaky_relu and elu have kinks
X = np.array([[-2.5, -0.7, 0.4, 1.9], [3.1, -1.3, -0.2, 0.6]])


def _np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize(
    "fn, expected",
    [
        (linear, X),
        (relu, np.maximum(X, 0)),
        (tanh, np.tanh(X)),
        (sigmoid, 1 / (1 + np.exp(-X))),
        (softmax, _np_softmax(X, -1)),
        (lambda x: softmax(x, axis=0), _np_softmax(X, 0)),
        (leaky_relu, np.where(X > 0, X, 0.2 * X)),
        (lambda x: leaky_relu(x, negative_slope=0.01), np.where(X > 0, X, 0.01 * X)),
        (elu, np.where(X > 0, X, np.expm1(X))),
        (lambda x: elu(x, alpha=0.5), np.where(X > 0, X, 0.5 * np.expm1(X))),
        (softplus, np.log1p(np.exp(X))),
    ],
)
def test_values_match_numpy(fn, expected):
    np.testing.assert_allclose(fn(Tensor(X)).data, expected, rtol=1e-12, atol=1e-15)


ACTIVATIONS = {
    "linear": linear,
    "relu": relu,
    "tanh": tanh,
    "sigmoid": sigmoid,
    "softmax": softmax,
    "softmax_axis0": lambda x: softmax(x, axis=0),
    "leaky_relu": leaky_relu,
    "elu": elu,
    "elu_alpha": lambda x: elu(x, alpha=1.7),
    "softplus": softplus,
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_gradients_pass_gradcheck(name):
    x = Tensor(X.copy(), requires_grad=True)
    assert gradcheck(ACTIVATIONS[name], x)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus", "elu", "softmax"])
def test_second_derivatives_pass_gradcheck(name):
    fn = ACTIVATIONS[name]
    x = Tensor(X.copy(), requires_grad=True)

    def first_derivative(t):
        with enable_grad():  # gradcheck evaluates fn under no_grad for finite differences
            (g,) = _grad(fn(t).sum(), t)
        return g

    assert gradcheck(first_derivative, x)


def _grad(out, x):
    from autograd.engine import run_backward

    seed = np.ones_like(out.data)
    found = run_backward(out, seed, retain_graph=True, create_graph=True, inputs=[x])
    return (found[x],)


def test_softplus_gradient_is_sigmoid_everywhere_including_zero():
    x = Tensor(np.array([-50.0, -1.0, 0.0, 1.0, 50.0]), requires_grad=True)
    softplus(x).sum().backward()
    np.testing.assert_allclose(x.grad, 1 / (1 + np.exp(-x.data)), rtol=1e-12)


def test_kink_conventions_at_zero():
    x = Tensor(np.zeros(1), requires_grad=True)
    relu(x).sum().backward()
    assert x.grad[0] == 0.0
    for fn, slope in ((leaky_relu, 0.2), (elu, 1.0), (lambda t: elu(t, alpha=0.5), 0.5)):
        x = Tensor(np.zeros(1), requires_grad=True)
        fn(x).sum().backward()
        assert x.grad[0] == pytest.approx(slope)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "name", ["sigmoid", "tanh", "softmax", "elu", "softplus", "leaky_relu", "relu"]
)
def test_extreme_inputs_give_finite_values_and_gradients_without_warnings(name, dtype):
    data = np.array([[-1000.0, 1000.0, 0.0], [1e30, -1e30, 3.0]], dtype=dtype)
    x = Tensor(data, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = activations.get(name)(x)
        out.sum().backward()
    assert out.dtype == dtype and x.grad.dtype == dtype
    assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(x.grad))


def test_extreme_values_are_the_limits():
    x = Tensor([-1000.0, 1000.0])
    np.testing.assert_array_equal(softplus(x).data, [0.0, 1000.0])
    np.testing.assert_array_equal(elu(x).data, [-1.0, 1000.0])
    np.testing.assert_array_equal(sigmoid(x).data, [0.0, 1.0])
    np.testing.assert_array_equal(softmax(Tensor([[1000.0, 0.0]])).data, [[1.0, 0.0]])


@given(st.floats(-700, 700))
def test_softplus_matches_numpy_logaddexp(v):
    # log(1 + e) rather than log1p(e): exact to machine epsilon in absolute terms
    expected = np.logaddexp(0.0, v)
    assert softplus(Tensor([v])).item() == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_leaky_relu_default_slope_is_keras_3s():
    assert leaky_relu(Tensor([-10.0])).item() == pytest.approx(-2.0)


def test_activations_accept_arrays():
    assert relu(np.array([-1.0, 2.0])).data.tolist() == [0.0, 2.0]


@pytest.mark.parametrize(
    "identifier, fn",
    [
        (None, linear),
        ("linear", linear),
        ("relu", relu),
        ("ReLU", relu),
        ("tanh", tanh),
        ("sigmoid", sigmoid),
        ("softmax", softmax),
        ("leaky_relu", leaky_relu),
        ("LeakyReLU", leaky_relu),
        ("elu", elu),
        ("softplus", softplus),
        (relu, relu),
    ],
)
def test_get_resolves_identifiers(identifier, fn):
    assert activations.get(identifier) is fn


def test_get_returns_custom_callables_unchanged_and_serializes_names():
    def swish(x):
        return x * x.sigmoid()

    assert activations.get(swish) is swish
    assert activations.serialize(swish) == "swish"
    assert [activations.serialize(f) for f in (relu, leaky_relu, linear)] == [
        "relu",
        "leaky_relu",
        "linear",
    ]


def test_unknown_activation_lists_the_valid_names():
    with pytest.raises(ValueError) as info:
        activations.get("rleu")
    assert str(info.value) == (
        "Unknown activation identifier 'rleu'. Valid names: 'elu', 'leaky_relu', 'linear', "
        "'relu', 'sigmoid', 'softmax', 'softplus', 'tanh'"
    )
    with pytest.raises(TypeError, match="activation identifier 3"):
        activations.get(3)


def test_a_value_is_refused_rather_than_cut_from_its_graph():
    from autograd import Value

    with pytest.raises(TypeError, match="Tensor"):
        relu(Value(1.0))
