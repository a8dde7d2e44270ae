"""Convolution, pooling and unstacking, composed of the engine's movement primitives.

Channels-last throughout, as Keras: inputs are (batch, *spatial, channels), a kernel is
(*window, in_channels, filters). A convolution is `sliding_windows` (im2col as a strided view),
one reshape and one matrix product, so its gradient comes from primitives that are already
gradchecked: the kernel's is `cols.T @ g`, the input's is `g @ kernel.T` added back window by
window (kh * kw strided slice-adds). Pooling is the windows' max or mean.

>>> import numpy as np
>>> from autograd import Tensor
>>> x = Tensor(np.arange(16.0).reshape(1, 4, 4, 1))
>>> conv(x, Tensor(np.ones((2, 2, 1, 1)))).shape, max_pool(x, 2).data[0, :, :, 0].tolist()
((1, 3, 3, 1), [[5.0, 7.0], [13.0, 15.0]])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import ops
from autograd.tensor import Tensor, affine

Ints = int | Sequence[int]
Padding = str | Sequence[tuple[int, int]]


def as_tuple(
    value: Any, rank: int, what: str, minimum: int = 1, owner: str | None = None
) -> tuple[int, ...]:
    """`value` (an int, or one int per spatial axis) as a tuple of `rank` ints >= `minimum`;
    ValueError quoting it otherwise (said by `owner`, e.g. a layer, when given).

    >>> as_tuple(2, 2, "strides"), as_tuple((1, 3), 2, "kernel_size")
    ((2, 2), (1, 3))
    """
    items = (value,) * rank if isinstance(value, (int, np.integer)) else value
    if not isinstance(items, (tuple, list)) or len(items) != rank or not all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= minimum for n in items
    ):
        if owner is None:
            raise ValueError(
                f"{what} must be an integer >= {minimum} or a tuple of {rank} such integers, "
                f"received {what}={value!r}"
            )
        raise ValueError(
            f"{owner} expects {what} to be an integer or a tuple of {rank} integers, each "
            f">= {minimum}, received {what}={value!r}"
        )
    return tuple(int(n) for n in items)


def same_padding(size: int, kernel: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """Keras' (TensorFlow's) 'same' padding of one axis: the output has ceil(size / stride)
    positions, and an odd total puts the extra element at the end.

    >>> same_padding(5, 3), same_padding(4, 2, 2), same_padding(4, 3, 2)
    ((1, 1), (0, 0), (0, 1))
    """
    extent = (kernel - 1) * dilation + 1
    total = max((math.ceil(size / stride) - 1) * stride + extent - size, 0)
    return total // 2, total - total // 2


def pad(x: Tensor, widths: Sequence[tuple[int, int]], value: float = 0.0) -> Tensor:
    """`x` surrounded by `value`: one (before, after) pair per axis, as `np.pad`'s widths.

    >>> pad(Tensor([[1.0]]), [(0, 0), (1, 1)])
    Tensor([[0., 1., 0.]])
    """
    widths = tuple((int(lo), int(hi)) for lo, hi in widths)
    if len(widths) != x.ndim or any(lo < 0 or hi < 0 for lo, hi in widths):
        raise ValueError(
            f"pad expects one (before, after) pair of non-negative integers per axis of the "
            f"{x.ndim}-D input of shape {x.shape}, received {widths}"
        )
    if not any(lo or hi for lo, hi in widths):
        return x
    return ops.Pad.apply(x, widths=widths, value=value)  # type: ignore[no-any-return]


def sliding_windows(x: Tensor, window: Ints, strides: Ints = 1, dilation: Ints = 1) -> Tensor:
    """Every window of `x` (batch, *spatial, channels): (batch, *out, *window, channels), with
    out = (size - (k - 1) * d - 1) // s + 1 along each spatial axis.

    >>> sliding_windows(Tensor(np.zeros((2, 5, 5, 3))), 3, strides=2).shape
    (2, 2, 2, 3, 3, 3)
    """
    rank = x.ndim - 2
    if rank < 1:
        raise ValueError(
            f"sliding_windows expects input of shape (batch, *spatial, channels), received a "
            f"{x.ndim}-D input of shape {x.shape}"
        )
    window = as_tuple(window, rank, "window")
    strides, dilation = as_tuple(strides, rank, "strides"), as_tuple(dilation, rank, "dilation")
    for axis, (n, k, d) in enumerate(zip(x.shape[1:-1], window, dilation)):
        if (k - 1) * d + 1 > n:
            raise ValueError(
                f"a window of {k} (dilation {d}) is larger than the input's {n} elements along "
                f"spatial axis {axis} (input shape {x.shape}): pad the input or use a smaller "
                "kernel"
            )
    return ops.Windows.apply(x, window=window, strides=strides, dilation=dilation)  # type: ignore[no-any-return]


def unstack(x: Tensor, axis: int = 0) -> list[Tensor]:
    """The slices of `x` along `axis` (timesteps of a sequence): their backward is one stack,
    not a full-size scatter per slice.

    >>> a, b = unstack(Tensor([[1.0, 2.0], [3.0, 4.0]]), axis=1)
    >>> a, b
    (Tensor([1., 3.]), Tensor([2., 4.]))
    """
    if not isinstance(x, Tensor):
        raise TypeError(f"unstack expects a Tensor, received {type(x).__name__}")
    if not -x.ndim <= axis < max(x.ndim, 1) or x.ndim == 0:
        raise ValueError(f"unstack: axis {axis} is out of bounds for a tensor of shape {x.shape}")
    moved = ops.Unstack.apply(x, axis=axis % x.ndim)
    return [ops.Pick.apply(moved, index=i) for i in range(moved.shape[0])]


def _padding_widths(x: Tensor, padding: Padding, window: tuple[int, ...],
                    strides: tuple[int, ...], dilation: tuple[int, ...]) -> list[tuple[int, int]]:
    """The (before, after) pairs of each spatial axis for `padding`."""
    rank = len(window)
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * rank
        if padding == "same":
            return [same_padding(n, k, s, d)
                    for n, k, s, d in zip(x.shape[1:-1], window, strides, dilation)]
        if padding == "causal" and rank == 1:
            return [((window[0] - 1) * dilation[0], 0)]
        allowed = "'valid', 'same' or 'causal'" if rank == 1 else "'valid' or 'same'"
        raise ValueError(f"padding must be {allowed}, received padding={padding!r}")
    widths = [tuple(pair) for pair in padding]
    if len(widths) != rank or any(len(p) != 2 for p in widths):
        raise ValueError(
            f"explicit padding needs one (before, after) pair per spatial axis ({rank}), "
            f"received {padding!r}"
        )
    return [(int(lo), int(hi)) for lo, hi in widths]


def _padded(x: Tensor, widths: list[tuple[int, int]], value: float = 0.0) -> Tensor:
    return pad(x, [(0, 0), *widths, (0, 0)], value)


def conv(x: Tensor, kernel: Tensor, strides: Ints = 1, padding: Padding = "valid",
         dilation: Ints = 1, bias: Tensor | None = None) -> Tensor:
    """Cross-correlation of `x` (batch, *spatial, in) with `kernel` (*window, in, filters), as
    Keras' ConvND: `padding` 'valid', 'same' (TensorFlow's rule), 'causal' (1-D) or one
    (before, after) pair per spatial axis; `bias` (filters,) added in the same node.

    >>> x = Tensor(np.arange(5.0).reshape(1, 5, 1))
    >>> conv(x, Tensor([[[1.0]], [[-1.0]]])).data[0, :, 0].tolist()  # x[i] - x[i + 1]
    [-1.0, -1.0, -1.0, -1.0]
    >>> conv(x, Tensor(np.ones((3, 1, 2))), padding="same", strides=2).shape
    (1, 3, 2)
    """
    rank = kernel.ndim - 2
    if rank < 1 or x.ndim != rank + 2:
        raise ValueError(
            f"conv expects an input of {rank + 2} dimensions (batch, *spatial, channels) for a "
            f"kernel of shape {kernel.shape}, received input of shape {x.shape}"
        )
    *window, channels, filters = kernel.shape
    if x.shape[-1] != channels:
        raise ValueError(
            f"conv: the input has {x.shape[-1]} channels (shape {x.shape}) but the kernel of shape "
            f"{kernel.shape} expects {channels}"
        )
    window_ = tuple(window)
    strides_, dilation_ = as_tuple(strides, rank, "strides"), as_tuple(dilation, rank, "dilation")
    x = _padded(x, _padding_widths(x, padding, window_, strides_, dilation_))
    cols = sliding_windows(x, window_, strides_, dilation_)
    out_shape = cols.shape[: 1 + rank] + (filters,)
    size = math.prod(window_) * channels
    if _columns_first(cols, channels, strides_, dilation_, x.requires_grad):
        # im2col as (window elements, positions), then its transpose (a view: matmul reads
        # it as it is): the copy runs along rows of the image instead of across windows
        positions = tuple(range(1 + rank))
        flat = cols.transpose(tuple(range(1 + rank, 2 + 2 * rank)) + positions)
        flat = flat.reshape(size, -1).T
    else:
        flat = cols.reshape(-1, size)  # im2col: the one copy
    weights = kernel.reshape(-1, filters)
    product = flat @ weights if bias is None else affine(flat, weights, bias)
    return product.reshape(out_shape)


def _columns_first(cols: Tensor, channels: int, strides: tuple[int, ...],
                   dilation: tuple[int, ...], needs_grad: bool) -> bool:
    """Whether to copy the windows position-major: when the usual copy would move runs of a
    window row's few elements (`kw * channels`) and the other runs along an image row (one
    channel, stride 1). A 5x5 convolution of a 32x28x28x1 batch: 0.11 ms against 0.44 ms,
    the kernel's gradient faster too, the product a little slower (its rows are strided).
    Not for an input that needs a gradient: its gradient would cost one copy more."""
    if needs_grad or channels != 1 or strides[-1] != 1:
        return False
    run = cols.shape[-2] * channels if dilation[-1] == 1 else channels
    return bool(cols.shape[len(strides)] > 2 * run)


def _pool_args(x: Tensor, pool_size: Ints, strides: Ints | None, padding: Padding,
               what: str) -> tuple[int, tuple[int, ...], tuple[int, ...], list[tuple[int, int]]]:
    rank = x.ndim - 2
    if rank < 1:
        raise ValueError(
            f"{what} expects input of shape (batch, *spatial, channels), received shape {x.shape}"
        )
    pool = as_tuple(pool_size, rank, "pool_size")
    steps = pool if strides is None else as_tuple(strides, rank, "strides")
    if isinstance(padding, str) and padding not in ("valid", "same"):
        raise ValueError(f"{what}: padding must be 'valid' or 'same', received padding={padding!r}")
    widths = _padding_widths(x, padding, pool, steps, (1,) * rank)
    return rank, pool, steps, widths


def _tiles(x: Tensor, pool: tuple[int, ...]) -> Tensor | None:
    """Non-overlapping windows as a reshape (batch, o1, p1, o2, p2, ..., channels), cropping
    what a 'valid' pool drops; None when a window would not fit."""
    spatial = x.shape[1:-1]
    out = [n // p for n, p in zip(spatial, pool)]
    if not all(out):
        return None
    if any(o * p != n for o, p, n in zip(out, pool, spatial)):
        x = x[(slice(None),) + tuple(slice(0, o * p) for o, p in zip(out, pool))]
    shape = [x.shape[0]] + [n for o, p in zip(out, pool) for n in (o, p)] + [x.shape[-1]]
    return x.reshape(shape)


def _pooled(x: Tensor, pool_size: Ints, strides: Ints | None, padding: Padding, what: str,
            value: float) -> tuple[Tensor, tuple[int, ...], list[tuple[int, int]]]:
    """The windows to reduce, and the axes holding each window's elements."""
    rank, pool, steps, widths = _pool_args(x, pool_size, strides, padding, what)
    if steps == pool and not any(lo or hi for lo, hi in widths):
        tiles = _tiles(x, pool)
        if tiles is not None:  # non-overlapping: a reshape, no strided copy
            return tiles, tuple(range(2, 2 + 2 * rank, 2)), widths
    cols = sliding_windows(_padded(x, widths, value), pool, steps)
    return cols, tuple(range(1 + rank, 1 + 2 * rank)), widths


def max_pool(x: Tensor, pool_size: Ints, strides: Ints | None = None,
             padding: Padding = "valid") -> Tensor:
    """The largest element of each window (Keras' MaxPoolingND; strides default to the pool
    size). 'same' pads with -inf, so padding never wins; tied elements share the gradient.

    >>> x = Tensor(np.array([1.0, 3.0, 2.0, 5.0, 4.0]).reshape(1, 5, 1))
    >>> max_pool(x, 2).data.ravel().tolist(), max_pool(x, 2, padding="same").data.ravel().tolist()
    ([3.0, 5.0], [3.0, 5.0, 4.0])
    """
    cols, axes, _ = _pooled(x, pool_size, strides, padding, "max_pool", -np.inf)
    return cols.max(axis=axes)


def avg_pool(x: Tensor, pool_size: Ints, strides: Ints | None = None,
             padding: Padding = "valid") -> Tensor:
    """The mean of each window (Keras' AveragePoolingND); with 'same' padding each window
    averages only the input's own elements, as Keras and TensorFlow do.

    >>> x = Tensor(np.array([1.0, 3.0, 2.0, 5.0, 4.0]).reshape(1, 5, 1))
    >>> avg_pool(x, 2, padding="same").data.ravel().tolist()
    [2.0, 3.5, 4.0]
    """
    cols, axes, widths = _pooled(x, pool_size, strides, padding, "avg_pool", 0.0)
    if not any(lo or hi for lo, hi in widths):
        return cols.mean(axis=axes)
    # how many real elements each window holds: the same pooling of ones, as constants
    ones = Tensor(np.ones((1, *x.shape[1:-1], 1), dtype=x.dtype))
    counts, _, _ = _pooled(ones, pool_size, strides, padding, "avg_pool", 0.0)
    divisor = (1.0 / counts._data.sum(axis=axes)).astype(x.dtype)
    return cols.sum(axis=axes) * divisor
