"""Activation functions on Tensors, as compositions of autograd ops (no hand-written backward).

Each is registered under its Keras name, so `Dense(4, activation="relu")` finds it.

>>> from autograd import Tensor
>>> relu(Tensor([-1.0, 2.0]))
Tensor([0., 2.])
>>> get("LeakyReLU") is leaky_relu
True
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from autograd import Node, Tensor, minimum, where
from nn.registry import Registry

Activation = Callable[..., Tensor]

registry: Registry[Activation] = Registry("activation", default="linear")


def _tensor(x: Any) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Node):  # converting a Value would silently cut it from its graph
        raise TypeError(f"activations expect a Tensor or an array, received a {type(x).__name__}")
    return Tensor(x)


@registry.register("linear")
def linear(x: Tensor) -> Tensor:
    """The identity: `linear(x) = x`.

    >>> linear(Tensor([-1.5]))
    Tensor([-1.5])
    """
    return _tensor(x)


@registry.register("relu")
def relu(x: Tensor) -> Tensor:
    """`max(x, 0)`; the gradient at 0 is taken as 0.

    >>> relu(Tensor([-2.0, 0.0, 3.0]))
    Tensor([0., 0., 3.])
    """
    return _tensor(x).relu()


@registry.register("tanh")
def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent.

    >>> tanh(Tensor([0.0]))
    Tensor([0.])
    """
    return _tensor(x).tanh()


@registry.register("sigmoid")
def sigmoid(x: Tensor) -> Tensor:
    """`1 / (1 + exp(-x))`, finite for any input.

    >>> sigmoid(Tensor([-1000.0, 0.0, 1000.0]))
    Tensor([0. , 0.5, 1. ])
    """
    return _tensor(x).sigmoid()


@registry.register("softmax")
def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """`exp(x) / sum(exp(x))` along `axis`, through the stable log-softmax.

    >>> softmax(Tensor([[0.0, 0.0], [1000.0, 0.0]]))
    Tensor([[0.5, 0.5],
            [1. , 0. ]])
    """
    return _tensor(x).softmax(axis=axis)


@registry.register("leaky_relu")
def leaky_relu(x: Tensor, negative_slope: float = 0.2) -> Tensor:
    """`x` for `x > 0`, else `negative_slope * x` (Keras 3's default slope is 0.2).

    >>> leaky_relu(Tensor([-10.0, 5.0]))
    Tensor([-2.,  5.])
    """
    x = _tensor(x)
    return where(x.data > 0, x, x * negative_slope)


@registry.register("elu")
def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """`x` for `x > 0`, else `alpha * (exp(x) - 1)`.

    The exponential sees `min(x, 0)`, so large positive inputs never overflow in the
    branch that is thrown away.

    >>> elu(Tensor([-1000.0, 0.0, 1000.0]))
    Tensor([  -1.,    0., 1000.])
    """
    x = _tensor(x)
    return where(x.data > 0, x, (minimum(x, 0.0).exp() - 1.0) * alpha)


@registry.register("softplus")
def softplus(x: Tensor) -> Tensor:
    """`log(1 + exp(x))`, computed as `m + log(exp(-m) + exp(x - m))` with `m = max(x, 0)`.

    `m` is a constant shift (as in log-sum-exp), so neither exponent exceeds 0 and the
    gradient is exactly `sigmoid(x)` everywhere, including at 0.

    >>> softplus(Tensor([-1000.0, 0.0, 2.0])).data.round(4)
    array([0.    , 0.6931, 2.1269])
    """
    x = _tensor(x)
    shift = np.maximum(x.data, 0)
    return ((x - shift).exp() + np.exp(-shift)).log() + shift


def get(identifier: Any) -> Activation:
    """An activation from its name or itself; None means `linear`.

    >>> get(None) is linear, get("ReLU") is relu
    (True, True)
    """
    return registry.get(identifier)


def serialize(activation: Activation) -> str:
    """The name an activation is registered under (else its `register_keras_serializable`
    name, else its `__name__`).

    >>> serialize(relu)
    'relu'
    """
    return str(registry.serialize(activation))
