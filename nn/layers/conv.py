"""Convolution layers: Conv1D and Conv2D, channels-last, with Keras' kernel layout
(*kernel_size, input channels, filters) and bias (filters,)."""

from __future__ import annotations

from typing import Any

from autograd import Tensor, conv
from nn import activations, initializers, regularizers
from nn.layers.base import Layer, Shape, _check_bool, last_axis_error
from nn.layers.conv_args import (
    check_rank,
    positive_int,
    spatial_output_shape,
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)


class BaseConv(Layer):
    """The convolution layer of any rank: `activation(conv(inputs, kernel) + bias)`.

    Subclasses set `rank`; the math is `autograd.conv` (a cross-correlation, as Keras).
    """

    rank: int = 0

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        groups: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner, rank = type(self).__name__, self.rank
        self.filters = positive_int(filters, "filters", owner)
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = standardize_tuple(strides, rank, "strides", owner)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", owner)
        self.padding = standardize_padding(padding, owner, allow_causal=rank == 1)
        self.data_format = standardize_data_format(data_format, owner)
        if isinstance(groups, bool) or groups != 1:
            raise ValueError(f"{owner} supports only groups=1, received groups={groups!r}")
        self.groups = 1
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:  # as Keras
            raise ValueError(
                f"{owner} does not support strides > 1 together with dilation_rate > 1, "
                f"received strides={self.strides} and dilation_rate={self.dilation_rate}"
            )
        self.activation = activations.get(activation)
        self.use_bias = _check_bool(use_bias, "use_bias", owner)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)  # fit adds the penalty
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None

    def build(self, input_shape: Shape) -> None:
        """Create `kernel` (*kernel_size, input channels, filters) and `bias` (filters,).

        >>> from nn.layers import Conv2D
        >>> layer = Conv2D(8, (3, 2))
        >>> layer.build((None, 10, 10, 3))
        >>> layer.kernel.shape, layer.bias.shape
        ((3, 2, 3, 8), (8,))
        """
        owner = type(self).__name__
        check_rank(input_shape, self.rank, self.name, owner)
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(
                f'layer "{self.name}" ({owner}) needs a known number of input channels, '
                f"received input shape {tuple(input_shape)}"
            )
        self.compute_output_shape(input_shape)  # the window must fit in a known input
        self.kernel = self.add_weight(
            "kernel", self.kernel_size + (channels, self.filters), self.kernel_initializer
        )
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer)

    def call(self, inputs: Tensor) -> Tensor:
        """`activation(conv(inputs, kernel) + bias)`.

        >>> import numpy as np
        >>> from nn.layers import Conv1D
        >>> layer = Conv1D(1, 2, kernel_initializer="ones", bias_initializer="ones")
        >>> layer(np.array([[[1.0], [2.0], [3.0]]])).data[..., 0]
        array([[4., 6.]], dtype=float32)
        """
        assert self.kernel is not None, "build() creates the kernel before any call"
        # the bias is added inside conv's node (one affine on the im2col rows), as Dense does
        out = conv(
            inputs, self.kernel, self.strides, self.padding, self.dilation_rate, bias=self.bias
        )
        activation = self.activation
        return out if activation is activations.linear else activation(out)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, *output sizes, filters); unknown sizes stay None.

        >>> from nn.layers import Conv2D
        >>> Conv2D(6, 5).compute_output_shape((None, 28, 28, 1))
        (None, 24, 24, 6)
        >>> Conv2D(4, 3, strides=2, padding="same").compute_output_shape((None, None, 7, 1))
        (None, None, 4, 4)
        """
        owner = type(self).__name__
        check_rank(input_shape, self.rank, self.name, owner)
        sizes = spatial_output_shape(
            input_shape, self.kernel_size, self.strides, self.dilation_rate, self.padding,
            self.name, owner,
        )
        return (input_shape[0], *sizes, self.filters)

    def _check_input_shape(self, shape: tuple[int, ...]) -> None:
        owner = type(self).__name__
        check_rank(shape, self.rank, self.name, owner)
        expected = self.kernel.shape[-2]  # type: ignore[union-attr]
        if shape[-1] != expected:
            raise last_axis_error(self.name, shape, expected)
        self.compute_output_shape(shape)

    def get_config(self) -> dict[str, Any]:
        """The base config plus Keras' convolution arguments.

        >>> from nn.layers import Conv2D
        >>> config = Conv2D(4, 3, padding="same").get_config()
        >>> config["kernel_size"], config["strides"], config["padding"]
        ((3, 3), (1, 1), 'same')
        """
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
        }


class Conv1D(BaseConv):
    """1-D convolution over (batch, steps, channels); padding 'valid', 'same' or 'causal'
    (left-padded so output t sees only inputs up to t).

    >>> import numpy as np
    >>> from nn.layers import Conv1D
    >>> layer = Conv1D(4, 3, padding="causal")
    >>> layer(np.zeros((2, 10, 5))).shape, layer.kernel.shape
    ((2, 10, 4), (3, 5, 4))
    """

    rank = 1


class Conv2D(BaseConv):
    """2-D convolution over (batch, height, width, channels).

    >>> import numpy as np
    >>> from nn.layers import Conv2D
    >>> layer = Conv2D(6, 5, input_shape=(28, 28, 1))
    >>> layer.output_shape, layer.count_params()  # 5 * 5 * 1 * 6 + 6
    ((None, 24, 24, 6), 156)
    >>> layer(np.zeros((2, 28, 28, 1))).shape
    (2, 24, 24, 6)
    """

    rank = 2

