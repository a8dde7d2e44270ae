"""Reshaping layers: Reshape (one -1 allowed, as Keras), ZeroPadding1D, ZeroPadding2D."""

from __future__ import annotations

import math
from typing import Any

from autograd import Tensor, pad
from nn.layers.base import Layer, Shape, _is_int
from nn.layers.conv_args import check_rank, standardize_data_format, standardize_tuple


class Reshape(Layer):
    """Reshape each sample to `target_shape` (the batch axis is kept); one entry may be -1,
    inferred from the sample's size.

    >>> import numpy as np
    >>> from nn.layers import Reshape
    >>> Reshape((3, 4)).compute_output_shape((None, 12))
    (None, 3, 4)
    >>> Reshape((-1, 2, 2)).compute_output_shape((None, 12))
    (None, 3, 2, 2)
    >>> Reshape((2, -1))(np.arange(6.0).reshape(1, 6)).shape
    (1, 2, 3)
    """

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        dims = tuple(target_shape) if isinstance(target_shape, (tuple, list)) else None
        if dims is None or not all(_is_int(n) and (n > 0 or n == -1) for n in dims):
            raise ValueError(
                "Reshape expects target_shape to be a tuple of positive integers (one may be -1), "
                f"received target_shape={target_shape!r}"
            )
        if dims.count(-1) > 1:
            raise ValueError(
                "Reshape expects at most one -1 in target_shape, received "
                f"target_shape={target_shape!r}"
            )
        self.target_shape: tuple[int, ...] = tuple(int(n) for n in dims)

    def _resolved(self, sample_shape: Shape) -> Shape:
        """`target_shape` with its -1 worked out from `sample_shape` (None when unknown)."""
        if any(n is None for n in sample_shape):
            return tuple(None if n == -1 else n for n in self.target_shape)
        size = math.prod(sample_shape)  # type: ignore[arg-type]
        known = math.prod(n for n in self.target_shape if n != -1)
        if -1 in self.target_shape and size % known == 0:
            return tuple(size // known if n == -1 else n for n in self.target_shape)
        if -1 not in self.target_shape and size == known:
            return self.target_shape
        raise ValueError(
            f'layer "{self.name}" (Reshape) cannot reshape samples of shape {tuple(sample_shape)} '
            f"({size} values) to target_shape={self.target_shape}: the total size must be unchanged"
        )

    def call(self, inputs: Tensor) -> Tensor:
        """`inputs.reshape(batch, *target_shape)`; the gradient is reshaped back.

        >>> from nn.layers import Reshape
        >>> Reshape((2, 2))([[1.0, 2.0, 3.0, 4.0]])
        Tensor([[[1., 2.],
                 [3., 4.]]], dtype=float32)
        """
        return inputs.reshape(inputs.shape[0], *self._resolved(inputs.shape[1:]))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, *target_shape) with -1 resolved when the sample's size is known.

        >>> from nn.layers import Reshape
        >>> Reshape((-1, 3)).compute_output_shape((None, None, 6))
        (None, None, 3)
        """
        return (input_shape[0], *self._resolved(tuple(input_shape[1:])))

    def _check_input_shape(self, shape: tuple[int, ...]) -> None:
        self._resolved(shape[1:])

    def get_config(self) -> dict[str, Any]:
        """The base config plus `target_shape`.

        >>> from nn.layers import Reshape
        >>> Reshape((4, -1)).get_config()["target_shape"]
        (4, -1)
        """
        return {**super().get_config(), "target_shape": self.target_shape}


class _ZeroPadding(Layer):
    """Zeros added before and after each spatial axis of (batch, *spatial, channels)."""

    rank: int = 0
    padding: tuple[tuple[int, int], ...]

    def _widths(self) -> list[tuple[int, int]]:
        return [(0, 0), *self.padding, (0, 0)]

    def call(self, inputs: Tensor) -> Tensor:
        """`autograd.pad` with zeros; the gradient slices the padding off.

        >>> import numpy as np
        >>> from nn.layers import ZeroPadding1D
        >>> ZeroPadding1D((1, 2))(np.ones((1, 2, 1))).data[..., 0]
        array([[0., 1., 1., 0., 0.]], dtype=float32)
        """
        return pad(inputs, self._widths())

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The input shape with each known spatial size grown by its padding.

        >>> from nn.layers import ZeroPadding2D
        >>> ZeroPadding2D(((1, 0), (2, 3))).compute_output_shape((None, 4, None, 3))
        (None, 5, None, 3)
        """
        check_rank(input_shape, self.rank, self.name, type(self).__name__)
        grown = tuple(
            None if n is None else n + before + after
            for n, (before, after) in zip(input_shape[1:-1], self.padding)
        )
        return (input_shape[0], *grown, input_shape[-1])

    def _check_input_shape(self, shape: tuple[int, ...]) -> None:
        check_rank(shape, self.rank, self.name, type(self).__name__)

    def get_config(self) -> dict[str, Any]:
        """The base config plus `padding` and `data_format`.

        >>> from nn.layers import ZeroPadding2D
        >>> ZeroPadding2D(2).get_config()["padding"]
        ((2, 2), (2, 2))
        """
        padding: Any = self.padding[0] if self.rank == 1 else self.padding
        data_format = self.data_format  # type: ignore[attr-defined]  # set by each subclass
        return {**super().get_config(), "padding": padding, "data_format": data_format}


class ZeroPadding1D(_ZeroPadding):
    """Zeros at the start and end of the steps axis of (batch, steps, channels): `padding` an
    int (both ends) or (before, after).

    >>> import numpy as np
    >>> from nn.layers import ZeroPadding1D
    >>> ZeroPadding1D(2)(np.ones((1, 3, 4))).shape
    (1, 7, 4)
    """

    rank = 1

    def __init__(self, padding: Any = 1, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        widths = standardize_tuple(padding, 2, "padding", "ZeroPadding1D", allow_zero=True)
        self.padding = ((widths[0], widths[1]),)
        self.data_format = standardize_data_format(data_format, "ZeroPadding1D")


class ZeroPadding2D(_ZeroPadding):
    """Rows and columns of zeros around (batch, height, width, channels): `padding` an int,
    (symmetric height, symmetric width), or ((top, bottom), (left, right)).

    >>> import numpy as np
    >>> from nn.layers import ZeroPadding2D
    >>> ZeroPadding2D(1)(np.ones((1, 1, 2, 1))).data[0, :, :, 0]
    array([[0., 0., 0., 0.],
           [0., 1., 1., 0.],
           [0., 0., 0., 0.]], dtype=float32)
    """

    rank = 2

    def __init__(
        self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if _is_int(padding):
            padding = (padding, padding)
        if not isinstance(padding, (tuple, list)) or len(padding) != 2:
            raise ValueError(
                "ZeroPadding2D expects padding to be an int, a tuple of 2 ints or a tuple of 2 "
                f"tuples of 2 ints ((top, bottom), (left, right)), received padding={padding!r}"
            )
        height, width = (
            standardize_tuple(p, 2, f"{which} entry of padding", "ZeroPadding2D", allow_zero=True)
            for which, p in zip(("1st", "2nd"), padding)
        )
        self.padding = ((height[0], height[1]), (width[0], width[1]))
        self.data_format = standardize_data_format(data_format, "ZeroPadding2D")
