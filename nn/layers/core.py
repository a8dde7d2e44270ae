"""The everyday layers: Dense, Activation, Dropout, Flatten."""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from autograd import Tensor, affine
from autograd.tracing import replayed
from nn import activations, initializers, regularizers
from nn import utils as nn_utils
from nn.layers.base import Layer, Shape, _check_bool, last_axis_error, positive_int


class Dense(Layer):
    """`activation(inputs @ kernel + bias)`, with a kernel of shape (input_dim, units).

    >>> from nn.layers import Dense
    >>> layer = Dense(3, activation="relu", input_shape=(2,))
    >>> [w.shape for w in layer.get_weights()]
    [(2, 3), (3,)]
    >>> layer([[1.0, 2.0]]).shape
    (1, 3)
    """

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.units = positive_int(units, "units", "Dense")
        self.activation = activations.get(activation)
        self.use_bias = _check_bool(use_bias, "use_bias", "Dense")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)  # fit adds the penalty
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None

    def build(self, input_shape: Shape) -> None:
        """Create `kernel` (input features, units) and, with `use_bias`, `bias` (units,).

        >>> from nn.layers import Dense
        >>> layer = Dense(4)
        >>> layer.build((None, 3))
        >>> layer.kernel.shape, layer.bias.shape
        ((3, 4), (4,))
        """
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(
                f'layer "{self.name}" (Dense) needs inputs of shape (batch, features) with a known '
                f"number of features, received input shape {input_shape}"
            )
        self.kernel = self.add_weight(
            "kernel", (input_shape[-1], self.units), self.kernel_initializer
        )
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), self.bias_initializer)

    def call(self, inputs: Tensor) -> Tensor:
        """`activation(inputs @ kernel + bias)`.

        >>> from nn.layers import Dense
        >>> layer = Dense(2, input_dim=2, kernel_initializer="ones", bias_initializer="ones")
        >>> layer([[1.0, 2.0]])
        Tensor([[4., 4.]], dtype=float32, requires_grad=True)
        """
        # one fused node with a bias (autograd.affine), as PyTorch's addmm
        out = inputs @ self.kernel if self.bias is None else affine(inputs, self.kernel, self.bias)
        activation = self.activation
        return out if activation is activations.linear else activation(out)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The input shape with its last axis replaced by `units`.

        >>> from nn.layers import Dense
        >>> Dense(4).compute_output_shape((None, 10, 3))
        (None, 10, 4)
        """
        return tuple(input_shape[:-1]) + (self.units,)

    def _check_input_shape(self, shape: tuple[int, ...]) -> None:
        expected = self.kernel.shape[0]  # type: ignore[union-attr]
        if len(shape) < 2 or shape[-1] != expected:
            raise last_axis_error(self.name, shape, expected)

    def get_config(self) -> dict[str, Any]:
        """The base config plus every argument: `units`, `activation` (by name),
        `use_bias` and the initializers.

        >>> from nn.layers import Dense
        >>> config = Dense(4, activation="relu", name="hidden").get_config()
        >>> config["units"], config["activation"], config["use_bias"]
        (4, 'relu', True)
        """
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
        }


class Activation(Layer):
    """Apply an activation function by name ('relu', 'tanh', 'sigmoid', 'softmax', ...).

    >>> from nn.layers import Activation
    >>> Activation("relu")([[-1.0, 2.0]]).data
    array([[0., 2.]], dtype=float32)
    """

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs: Tensor) -> Tensor:
        """The activation applied elementwise (softmax: along the last axis).

        >>> from nn.layers import Activation
        >>> Activation("sigmoid")([[0.0]])
        Tensor([[0.5]], dtype=float32)
        """
        return self.activation(inputs)

    def get_config(self) -> dict[str, Any]:
        """The base config plus the activation's name.

        >>> from nn.layers import Activation
        >>> Activation("tanh").get_config()["activation"]
        'tanh'
        """
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Zero a fraction `rate` of the inputs while training, scaling the rest by 1/(1-rate).

    Outside training (predict, evaluate, a plain call) it passes inputs through unchanged.
    The mask comes from `nn.utils.rng()` (so `nn.utils.set_random_seed` fixes it), or from a
    generator of its own when `seed` is given.

    >>> import numpy as np
    >>> from nn.layers import Dropout
    >>> x = np.ones((2, 4))
    >>> Dropout(0.5)(x).data.tolist() == x.tolist()  # not training: identity
    True
    >>> out = Dropout(0.5, seed=0)(x, training=True).data
    >>> sorted(set(out.ravel().tolist()))
    [0.0, 2.0]
    """

    def __init__(
        self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any
    ):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(
                f"Dropout expects rate to be a number in [0, 1), received rate={rate!r}"
            )
        if noise_shape is not None:
            raise ValueError(f"Dropout does not support noise_shape, received {noise_shape!r}")
        self.rate = float(rate)
        self.seed = seed
        self._generator = np.random.default_rng(seed) if seed is not None else None

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        """With `training=True`, zero each input with probability `rate` and scale the rest
        by 1/(1-rate); otherwise return `inputs` unchanged.

        >>> import numpy as np
        >>> from nn.layers import Dropout
        >>> out = Dropout(0.75, seed=1)(np.ones((1, 8)), training=True).data
        >>> sorted(set(out.ravel().tolist()))
        [0.0, 4.0]
        """
        if not training or self.rate == 0.0:
            return inputs
        return inputs * _mask(self._generator, inputs.shape, self.rate, inputs.dtype)

    def get_config(self) -> dict[str, Any]:
        """The base config plus `rate` and `seed`.

        >>> from nn.layers import Dropout
        >>> Dropout(0.2, seed=3).get_config()["rate"]
        0.2
        """
        return {
            **super().get_config(), "rate": self.rate, "noise_shape": None, "seed": self.seed
        }


@replayed  # drawn again on every call of a jit plan: a fresh mask each step
def _mask(generator: Any, shape: tuple[int, ...], rate: float, dtype: Any) -> np.ndarray:
    """Dropout's mask: 0 with probability `rate`, else 1/(1-rate), from `generator` (the
    layer's own, or `nn.utils.rng()`'s when None)."""
    keep = (generator or nn_utils.rng()).random(shape) >= rate
    return (keep * (1.0 / (1.0 - rate))).astype(dtype)


class Flatten(Layer):
    """Reshape each sample to one dimension: (batch, 28, 28) -> (batch, 784).

    >>> import numpy as np
    >>> from nn.layers import Flatten
    >>> Flatten()(np.zeros((2, 3, 4))).shape
    (2, 12)
    """

    def call(self, inputs: Tensor) -> Tensor:
        """Reshape to (batch, everything else); the gradient is reshaped back.

        >>> from nn.layers import Flatten
        >>> Flatten()([[[1.0, 2.0], [3.0, 4.0]]])
        Tensor([[1., 2., 3., 4.]], dtype=float32)
        """
        if inputs.ndim < 2:
            raise ValueError(
                f'layer "{self.name}" (Flatten) expects inputs with a batch axis, received shape '
                f"{inputs.shape}"
            )
        return inputs.reshape(inputs.shape[0], -1)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, product of the other axes), or (batch, None) when one is unknown.

        >>> from nn.layers import Flatten
        >>> Flatten().compute_output_shape((None, 28, 28))
        (None, 784)
        """
        rest = input_shape[1:]
        size: int | None = None
        if not any(n is None for n in rest):
            size = int(np.prod(cast("tuple[int, ...]", rest), dtype=np.int64))
        return (input_shape[0], size)
