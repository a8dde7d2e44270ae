"""BatchNormalization and LayerNormalization (Keras 3), written with autograd ops only.

Both standardize `x` as `(x - mean) / sqrt(variance + epsilon)`, BatchNormalization per
feature over the batch (and spatial axes), LayerNormalization per sample over `axis`.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, NamedTuple, Sequence

import numpy as np

from autograd import Tensor
from autograd.tracing import replayed
from nn import initializers
from nn.layers.base import Layer, Shape, _check_bool, _is_int


class Moments(NamedTuple):
    """Statistics of `x / scale` over some axes (kept as size-1 axes).

    `scale` is a constant per slice (the largest |x|, at least 1) so that squares stay finite
    for any input; the standardized result does not depend on it, so treating it as a
    constant leaves every gradient exact.
    """

    scaled: Tensor  # x / scale
    mean: Tensor  # mean of x / scale
    variance: Tensor  # biased variance of x / scale
    inv_std: Tensor  # 1 / sqrt(var(x / scale) + epsilon / scale**2) = scale / sqrt(var(x) + eps)
    scale: Tensor  # a constant (detached)

    def standardized(self) -> Tensor:
        """`(x - mean) / sqrt(variance + epsilon)`."""
        return (self.scaled - self.mean) * self.inv_std


def moments(x: Tensor, axes: tuple[int, ...], epsilon: float) -> Moments:
    """Mean and biased variance of `x` over `axes`, without overflow at extreme inputs.

    >>> from autograd import Tensor
    >>> m = moments(Tensor([[1.0, 3.0], [1e30, -1e30]]), (1,), 1e-3)
    >>> m.standardized().data.round(4)
    array([[-0.9995,  0.9995],
           [ 1.    , -1.    ]])
    """
    # the scale is a constant (detached), computed with ops so that autograd.jit replays it
    scale = abs(x).max(axis=axes, keepdims=True).detach().clip(1.0, None)
    scaled = x * (1.0 / scale)
    mean = scaled.mean(axis=axes, keepdims=True)
    centred = scaled - mean
    variance = (centred * centred).mean(axis=axes, keepdims=True)
    # epsilon / scale**2 in two divisions: scale**2 may overflow, the quotient only underflows
    inv_std = (variance + epsilon / scale / scale) ** -0.5
    return Moments(scaled, mean, variance, inv_std, scale)


class BatchNormalization(Layer):
    """Normalize each feature (the `axis` of the inputs) with batch statistics while
    training and with their moving averages otherwise:
    `gamma * (x - mean) / sqrt(variance + epsilon) + beta`.

    Each training call (`fit`, `train_on_batch`, `model(x, training=True)`) updates
    `moving = moving * momentum + batch_statistic * (1 - momentum)` with the batch mean and
    biased variance, outside the graph. A frozen layer (`trainable=False`) always uses the
    moving statistics, as in Keras. Weights: gamma, beta (trainable), moving_mean,
    moving_variance (non-trainable).

    >>> import numpy as np
    >>> from nn.layers import BatchNormalization
    >>> layer = BatchNormalization(momentum=0.5)
    >>> x = np.array([[0.0, 10.0], [2.0, 30.0]])
    >>> layer(x, training=True).data.round(4)
    array([[-0.9995, -1.    ],
           [ 0.9995,  1.    ]], dtype=float32)
    >>> layer.moving_mean.data.round(4), layer.moving_variance.data.round(4)
    (array([ 0.5, 10. ], dtype=float32), array([ 1. , 50.5], dtype=float32))
    """

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = "BatchNormalization"
        if not _is_int(axis):
            raise TypeError(f"{owner} expects axis to be an integer, received axis={axis!r}")
        self.axis = int(axis)
        if not _is_real(momentum) or not 0.0 <= momentum <= 1.0:
            raise ValueError(
                f"{owner} expects momentum to be a number in [0, 1], received momentum={momentum!r}"
            )
        self.momentum = float(momentum)
        self.epsilon = _check_epsilon(epsilon, owner)
        self.center = _check_bool(center, "center", owner)
        self.scale = _check_bool(scale, "scale", owner)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.gamma: Tensor | None = None
        self.beta: Tensor | None = None
        self.moving_mean: Tensor | None = None
        self.moving_variance: Tensor | None = None
        self._axes: tuple[int, ...] = ()  # the normalized axis, resolved in build

    def build(self, input_shape: Shape) -> None:
        """Create gamma and beta (trainable), moving_mean and moving_variance (not), each of
        shape (input_shape[axis],).

        >>> from nn.layers import BatchNormalization
        >>> layer = BatchNormalization()
        >>> layer.build((None, 4, 4, 3))
        >>> layer.weight_names, layer.moving_mean.shape
        (['gamma', 'beta', 'moving_mean', 'moving_variance'], (3,))
        """
        self._axes = _resolve_axes([self.axis], input_shape, self.name, "BatchNormalization")
        shape = _weight_shape(input_shape, self._axes)
        if self.scale:
            self.gamma = self.add_weight("gamma", shape, self.gamma_initializer)
        if self.center:
            self.beta = self.add_weight("beta", shape, self.beta_initializer)
        self.moving_mean = self.add_weight(
            "moving_mean", shape, self.moving_mean_initializer, trainable=False
        )
        self.moving_variance = self.add_weight(
            "moving_variance", shape, self.moving_variance_initializer, trainable=False
        )

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        """Batch statistics (and a moving-average update) when training, else the moving ones.

        >>> import numpy as np
        >>> from nn.layers import BatchNormalization
        >>> layer = BatchNormalization(epsilon=0.0001, input_shape=(1,))
        >>> layer.set_weights([[2.0], [1.0], [3.0], [4.0]])  # gamma, beta, mean, variance
        >>> layer(np.array([[5.0]])).data.round(4)  # 2 * (5 - 3) / sqrt(4) + 1
        array([[3.]], dtype=float32)
        """
        axes = self._axes
        reduced = tuple(i for i in range(inputs.ndim) if i not in axes)
        gamma, beta = self._broadcast(self.gamma, inputs), self._broadcast(self.beta, inputs)
        if training and self.trainable:
            stats = moments(inputs, reduced, self.epsilon)
            # replayed: a jit plan stores each step's statistics, not the trace's
            replayed(self._update_moving_statistics)(stats.mean, stats.variance, stats.scale)
            out = stats.standardized()
            out = out if gamma is None else out * gamma
            return out if beta is None else out + beta
        # Keras' inference form: x * inv + (beta - mean * inv), one pass over x
        mean = self._broadcast(self.moving_mean, inputs)
        variance = self._broadcast(self.moving_variance, inputs)
        assert variance is not None, "built before called: the moving variance exists"
        inv = (variance + self.epsilon) ** -0.5
        inv = inv if gamma is None else inv * gamma
        shift = -mean * inv  # type: ignore[operator]
        return inputs * inv + (shift if beta is None else shift + beta)

    def _broadcast(self, weight: Tensor | None, inputs: Tensor) -> Tensor | None:
        if weight is None or self._axes == (inputs.ndim - 1,):
            return weight
        return weight.reshape(_broadcast_shape(inputs.ndim, self._axes, weight.shape))

    def _update_moving_statistics(
        self, mean: np.ndarray, variance: np.ndarray, scale: np.ndarray
    ) -> None:
        """Keras' update, on the raw arrays of the batch's moments: no gradient."""
        scale = scale.reshape(-1)
        dtype = self.moving_mean.dtype  # type: ignore[union-attr]
        with np.errstate(over="ignore"):  # a batch variance beyond the dtype's range saturates
            batch_variance = variance.reshape(-1) * scale * scale
        batch_variance = np.minimum(batch_variance, np.finfo(dtype).max)
        batch_mean = mean.reshape(-1) * scale
        m = self.momentum
        for weight, batch in (
            (self.moving_mean, batch_mean),
            (self.moving_variance, batch_variance),
        ):
            weight.data = (weight.data * m + batch * (1.0 - m)).astype(dtype)  # type: ignore

    def _check_input_shape(self, shape: tuple[int, ...]) -> None:
        _check_normalized_dims(self, shape, self._axes)

    def get_config(self) -> dict[str, Any]:
        """The base config plus Keras' arguments (initializers by name).

        >>> from nn.layers import BatchNormalization
        >>> config = BatchNormalization(momentum=0.9).get_config()
        >>> config["axis"], config["momentum"], config["epsilon"], config["moving_mean_initializer"]
        (-1, 0.9, 0.001, 'zeros')
        """
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(
                self.moving_variance_initializer
            ),
        }


class LayerNormalization(Layer):
    """Normalize each sample over `axis` (an int or a list of ints):
    `gamma * (x - mean) / sqrt(variance + epsilon) + beta`, gamma and beta spanning `axis`.

    `rms_scaling=True` computes what Keras 3 computes for it (and deprecates): `x * gamma /
    sqrt(variance + epsilon)`, no centring and no beta.

    >>> import numpy as np
    >>> from nn.layers import LayerNormalization
    >>> LayerNormalization()(np.array([[1.0, 3.0], [0.0, 10.0]])).data.round(4)
    array([[-0.9995,  0.9995],
           [-1.    ,  1.    ]], dtype=float32)
    """

    def __init__(
        self,
        axis: int | Sequence[int] = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        rms_scaling: bool = False,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = "LayerNormalization"
        if isinstance(axis, (list, tuple)) and axis and all(_is_int(a) for a in axis):
            self.axis: int | list[int] = [int(a) for a in axis]
        elif _is_int(axis):
            self.axis = int(axis)  # type: ignore[arg-type]
        else:
            raise TypeError(
                f"{owner} expects axis to be an int or a non-empty list of ints, received "
                f"axis={axis!r}"
            )
        self.epsilon = _check_epsilon(epsilon, owner)
        self.center = _check_bool(center, "center", owner)
        self.scale = _check_bool(scale, "scale", owner)
        self.rms_scaling = _check_bool(rms_scaling, "rms_scaling", owner)
        if self.rms_scaling:
            warnings.warn(  # Keras 3's own warning: the formula scales by the variance
                "You passed `rms_scaling=True`, which is deprecated. This argument incorrectly "
                "scales the input by the variance, not the root mean square.",
                stacklevel=2,
            )
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.gamma: Tensor | None = None
        self.beta: Tensor | None = None
        self._axes: tuple[int, ...] = ()

    def build(self, input_shape: Shape) -> None:
        """Create gamma (with `scale` or `rms_scaling`) and beta (with `center`), of the
        shape of the normalized axes.

        >>> from nn.layers import LayerNormalization
        >>> layer = LayerNormalization(axis=[1, 2, 3])
        >>> layer.build((None, 2, 3, 4))
        >>> layer.gamma.shape, layer.beta.shape
        ((2, 3, 4), (2, 3, 4))
        """
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        self._axes = _resolve_axes(axes, input_shape, self.name, "LayerNormalization")
        shape = _weight_shape(input_shape, self._axes)
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight("gamma", shape, self.gamma_initializer)
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight("beta", shape, self.beta_initializer)

    def call(self, inputs: Tensor) -> Tensor:
        """Standardize each sample over `axis`, then scale by gamma and shift by beta.

        >>> from nn.layers import LayerNormalization
        >>> layer = LayerNormalization(center=False, gamma_initializer="zeros")
        >>> layer([[1.0, 2.0]]).data.tolist()
        [[-0.0, 0.0]]
        """
        stats = moments(inputs, self._axes, self.epsilon)
        out = stats.scaled * stats.inv_std if self.rms_scaling else stats.standardized()
        if self.gamma is not None:
            out = out * self._broadcast(self.gamma, inputs.ndim)
        if self.beta is not None:
            out = out + self._broadcast(self.beta, inputs.ndim)
        return out

    def _broadcast(self, weight: Tensor, ndim: int) -> Tensor:
        trailing = self._axes == tuple(range(ndim - len(self._axes), ndim))
        if trailing:  # numpy broadcasting lines the weight up with the last axes already
            return weight
        return weight.reshape(_broadcast_shape(ndim, self._axes, weight.shape))

    def _check_input_shape(self, shape: tuple[int, ...]) -> None:
        _check_normalized_dims(self, shape, self._axes)

    def get_config(self) -> dict[str, Any]:
        """The base config plus Keras' arguments (initializers by name).

        >>> from nn.layers import LayerNormalization
        >>> config = LayerNormalization(axis=[1, 2]).get_config()
        >>> config["axis"], config["epsilon"], config["rms_scaling"]
        ([1, 2], 0.001, False)
        """
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
        }


# ---------------------------------------------------------------------------------------
# Helpers shared by both layers


def _is_real(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _check_epsilon(epsilon: Any, owner: str) -> float:
    if not _is_real(epsilon) or not 0.0 < epsilon < math.inf:
        raise ValueError(
            f"{owner} expects epsilon to be a positive number (it keeps the division finite), "
            f"received epsilon={epsilon!r}"
        )
    return float(epsilon)


def _resolve_axes(axes: list[int], input_shape: Shape, name: str, owner: str) -> tuple[int, ...]:
    """`axes` as sorted non-negative ints, each a known, non-batch axis of `input_shape`."""
    ndim = len(input_shape)
    resolved = []
    for axis in axes:
        if not -ndim <= axis < ndim or axis % ndim == 0:
            raise ValueError(
                f'layer "{name}" ({owner}) received axis={axis}, but inputs of shape '
                f"{input_shape} have axes 1..{ndim - 1} (or -{ndim - 1}..-1) besides the batch "
                "axis 0"
            )
        if input_shape[axis] is None:
            raise ValueError(
                f'layer "{name}" ({owner}) needs a known size on axis {axis}, received input '
                f"shape {input_shape}"
            )
        resolved.append(axis % ndim)
    if len(set(resolved)) != len(resolved):
        raise ValueError(f'layer "{name}" ({owner}) received a repeated axis in axis={axes}')
    return tuple(sorted(resolved))


def _weight_shape(input_shape: Shape, axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(input_shape[a]) for a in axes)  # type: ignore[arg-type]


def _broadcast_shape(ndim: int, axes: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """The weight's shape with size-1 axes everywhere but `axes`."""
    out = [1] * ndim
    for axis, n in zip(axes, shape):
        out[axis] = n
    return tuple(out)


def _check_normalized_dims(layer: Layer, shape: tuple[int, ...], axes: tuple[int, ...]) -> None:
    built = layer._build_input_shape
    assert built is not None, "a built layer knows its input shape"
    if len(shape) != len(built) or any(shape[a] != built[a] for a in axes):
        expected = ", ".join(f"axis {a} of size {built[a]}" for a in axes)
        raise ValueError(
            f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected '
            f"{len(built)}-D inputs with {expected}, but received input with shape {shape}"
        )
