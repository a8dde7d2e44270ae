"""Pooling layers, channels-last: windowed max/average (autograd.max_pool / avg_pool) and
global max/average over the spatial axes."""

from __future__ import annotations

from typing import Any

from autograd import Tensor, avg_pool, max_pool
from nn.layers.base import Layer, Shape, _check_bool
from nn.layers.conv_args import (
    check_rank,
    spatial_output_shape,
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)


class BasePooling(Layer):
    """A window of `pool_size` moved by `strides` (default: `pool_size`) over each spatial axis;
    the default pool_size 2 means (2,) or (2, 2), as Keras' defaults."""

    rank: int = 0
    _pool: Any = None  # autograd.max_pool or autograd.avg_pool

    def __init__(
        self,
        pool_size: Any = 2,
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.pool_size = standardize_tuple(pool_size, self.rank, "pool_size", owner)
        self.strides = (
            self.pool_size
            if strides is None
            else standardize_tuple(strides, self.rank, "strides", owner)
        )
        self.padding = standardize_padding(padding, owner)
        self.data_format = standardize_data_format(data_format, owner)

    def call(self, inputs: Tensor) -> Tensor:
        """The pooled windows (for 'same', padding never enters a max or an average).

        >>> import numpy as np
        >>> from nn.layers import MaxPooling1D
        >>> MaxPooling1D()(np.array([[[1.0], [3.0], [2.0], [0.0]]])).data[..., 0]
        array([[3., 2.]], dtype=float32)
        """
        pool = type(self)._pool
        out: Tensor = pool(inputs, self.pool_size, self.strides, self.padding)
        return out

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, *pooled sizes, channels); unknown sizes stay None.

        >>> from nn.layers import MaxPooling2D
        >>> MaxPooling2D().compute_output_shape((None, 24, 24, 6))
        (None, 12, 12, 6)
        >>> MaxPooling2D(3, strides=2, padding="same").compute_output_shape((None, 7, None, 2))
        (None, 4, None, 2)
        """
        owner = type(self).__name__
        check_rank(input_shape, self.rank, self.name, owner)
        dilation = (1,) * self.rank
        sizes = spatial_output_shape(
            input_shape, self.pool_size, self.strides, dilation, self.padding, self.name, owner
        )
        return (input_shape[0], *sizes, input_shape[-1])

    def _check_input_shape(self, shape: tuple[int, ...]) -> None:
        self.compute_output_shape(shape)  # no weights: any size the window fits in is fine

    def get_config(self) -> dict[str, Any]:
        """The base config plus `pool_size`, `padding`, `strides`, `data_format`.

        >>> from nn.layers import AveragePooling2D
        >>> config = AveragePooling2D(3, strides=1).get_config()
        >>> config["pool_size"], config["strides"], config["padding"]
        ((3, 3), (1, 1), 'valid')
        """
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        }


class MaxPooling1D(BasePooling):
    """The largest value of each window of `pool_size` steps.

    >>> import numpy as np
    >>> from nn.layers import MaxPooling1D
    >>> MaxPooling1D(pool_size=2, strides=1)(np.zeros((1, 5, 3))).shape
    (1, 4, 3)
    """

    rank = 1
    _pool = staticmethod(max_pool)


class MaxPooling2D(BasePooling):
    """The largest value of each `pool_size` window (default 2x2, strides = pool_size).

    >>> import numpy as np
    >>> from nn.layers import MaxPooling2D
    >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> MaxPooling2D()(x).data[0, :, :, 0]
    array([[ 5.,  7.],
           [13., 15.]], dtype=float32)
    """

    rank = 2
    _pool = staticmethod(max_pool)


class AveragePooling1D(BasePooling):
    """The mean of each window of `pool_size` steps ('same': of its real elements only).

    >>> import numpy as np
    >>> from nn.layers import AveragePooling1D
    >>> AveragePooling1D()(np.array([[[1.0], [3.0], [2.0], [0.0]]])).data[..., 0]
    array([[2., 1.]], dtype=float32)
    """

    rank = 1
    _pool = staticmethod(avg_pool)


class AveragePooling2D(BasePooling):
    """The mean of each `pool_size` window (default 2x2, strides = pool_size).

    >>> import numpy as np
    >>> from nn.layers import AveragePooling2D
    >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> AveragePooling2D()(x).data[0, :, :, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]], dtype=float32)
    """

    rank = 2
    _pool = staticmethod(avg_pool)


class BaseGlobalPooling(Layer):
    """A reduction over every spatial axis: (batch, *spatial, channels) -> (batch, channels),
    or (batch, 1, ..., 1, channels) with `keepdims=True`."""

    rank: int = 0

    def __init__(
        self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.data_format = standardize_data_format(data_format, owner)
        self.keepdims = _check_bool(keepdims, "keepdims", owner)

    def _reduce(self, inputs: Tensor, axes: tuple[int, ...]) -> Tensor:
        raise NotImplementedError

    def call(self, inputs: Tensor) -> Tensor:
        """The reduction over the spatial axes (the axes between batch and channels).

        >>> import numpy as np
        >>> from nn.layers import GlobalMaxPooling1D
        >>> GlobalMaxPooling1D()(np.array([[[1.0, 5.0], [3.0, 2.0]]]))
        Tensor([[3., 5.]], dtype=float32)
        """
        return self._reduce(inputs, tuple(range(1, self.rank + 1)))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, channels), or with `keepdims` (batch, 1, ..., 1, channels).

        >>> from nn.layers import GlobalAveragePooling2D
        >>> GlobalAveragePooling2D(keepdims=True).compute_output_shape((None, None, 5, 3))
        (None, 1, 1, 3)
        """
        check_rank(input_shape, self.rank, self.name, type(self).__name__)
        ones = (1,) * self.rank if self.keepdims else ()
        return (input_shape[0], *ones, input_shape[-1])

    def _check_input_shape(self, shape: tuple[int, ...]) -> None:
        check_rank(shape, self.rank, self.name, type(self).__name__)

    def get_config(self) -> dict[str, Any]:
        """The base config plus `data_format` and `keepdims`.

        >>> from nn.layers import GlobalMaxPooling2D
        >>> GlobalMaxPooling2D(keepdims=True).get_config()["keepdims"]
        True
        """
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class _GlobalAverage(BaseGlobalPooling):
    def _reduce(self, inputs: Tensor, axes: tuple[int, ...]) -> Tensor:
        return inputs.mean(axis=axes, keepdims=self.keepdims)


class _GlobalMax(BaseGlobalPooling):
    def _reduce(self, inputs: Tensor, axes: tuple[int, ...]) -> Tensor:
        return inputs.max(axis=axes, keepdims=self.keepdims)


class GlobalAveragePooling1D(_GlobalAverage):
    """The mean over the steps: (batch, steps, channels) -> (batch, channels).

    >>> import numpy as np
    >>> from nn.layers import GlobalAveragePooling1D
    >>> GlobalAveragePooling1D()(np.array([[[1.0, 5.0], [3.0, 2.0]]]))
    Tensor([[2. , 3.5]], dtype=float32)
    """

    rank = 1


class GlobalAveragePooling2D(_GlobalAverage):
    """The mean over height and width: (batch, h, w, channels) -> (batch, channels).

    >>> import numpy as np
    >>> from nn.layers import GlobalAveragePooling2D
    >>> GlobalAveragePooling2D()(np.arange(8.0).reshape(1, 2, 2, 2))
    Tensor([[3., 4.]], dtype=float32)
    """

    rank = 2


class GlobalMaxPooling1D(_GlobalMax):
    """The largest value over the steps: (batch, steps, channels) -> (batch, channels).

    >>> import numpy as np
    >>> from nn.layers import GlobalMaxPooling1D
    >>> GlobalMaxPooling1D(keepdims=True)(np.zeros((2, 7, 3))).shape
    (2, 1, 3)
    """

    rank = 1


class GlobalMaxPooling2D(_GlobalMax):
    """The largest value over height and width: (batch, h, w, channels) -> (batch, channels).

    >>> import numpy as np
    >>> from nn.layers import GlobalMaxPooling2D
    >>> GlobalMaxPooling2D()(np.arange(8.0).reshape(1, 2, 2, 2))
    Tensor([[6., 7.]], dtype=float32)
    """

    rank = 2
