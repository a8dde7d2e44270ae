"""Argument checks and shape rules shared by every convolution and pooling rank (Keras'
`standardize_tuple`, `standardize_padding`, `standardize_data_format` and the output-size
formulas of `compute_conv_output_shape` / `compute_pooling_output_shape`).

>>> standardize_tuple(3, 2, "kernel_size", "Conv2D")
(3, 3)
>>> output_size(28, 5, 1, 1, "valid"), output_size(28, 5, 2, 1, "same")
(24, 14)
"""

from __future__ import annotations

from typing import Any


from autograd.convolution import as_tuple
from nn.layers.base import Shape, positive_int  # noqa: F401  (re-exported for the conv layers)

# names of the spatial axes, for messages: "(batch, height, width, channels)"
_LAYOUTS = {1: "(batch, steps, channels)", 2: "(batch, height, width, channels)"}


def standardize_tuple(
    value: Any, n: int, name: str, owner: str, allow_zero: bool = False
) -> tuple[int, ...]:
    """An int or `n` ints as a tuple of `n` ints, each > 0 (>= 0 with `allow_zero`); else
    ValueError quoting the value (autograd's own check, in the layer's words).

    >>> standardize_tuple((1, 2), 2, "strides", "Conv2D")
    (1, 2)
    >>> standardize_tuple(0, 1, "strides", "Conv1D")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Conv1D expects strides to be an integer or a tuple of 1 integers, ... strides=0
    """
    return as_tuple(value, n, name, minimum=0 if allow_zero else 1, owner=owner)


def standardize_padding(value: Any, owner: str, allow_causal: bool = False) -> str:
    """'valid' or 'same' (and 'causal' for 1-D convolutions), any letter case.

    >>> standardize_padding("SAME", "Conv2D")
    'same'
    >>> standardize_padding("full", "Conv2D")
    Traceback (most recent call last):
    ...
    ValueError: Conv2D expects padding to be one of 'valid', 'same', received padding='full'
    """
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        names = ", ".join(repr(a) for a in allowed)
        raise ValueError(
            f"{owner} expects padding to be one of {names}, received padding={value!r}"
        )
    return str(padding)


def standardize_data_format(value: Any, owner: str) -> str:
    """'channels_last' (the default, also for None); 'channels_first' is not supported.

    >>> standardize_data_format(None, "Conv2D")
    'channels_last'
    """
    if value is None or (isinstance(value, str) and value.lower() == "channels_last"):
        return "channels_last"
    if isinstance(value, str) and value.lower() == "channels_first":
        raise ValueError(
            f"{owner} supports only data_format='channels_last' (inputs (batch, ..., channels)), "
            f"received data_format={value!r}: move the channels last with transpose"
        )
    raise ValueError(
        f"{owner} expects data_format to be 'channels_last' or None, received data_format={value!r}"
    )


def output_size(
    size: int | None, kernel: int, stride: int, dilation: int, padding: str
) -> int | None:
    """One spatial axis' output size (None stays None); 'valid' may give <= 0, which the
    caller reports.

    >>> output_size(7, 3, 2, 1, "valid"), output_size(7, 3, 1, 2, "valid")
    (3, 3)
    >>> output_size(7, 3, 2, 1, "same"), output_size(None, 3, 1, 1, "valid")
    (4, None)
    """
    if size is None:
        return None
    if padding == "valid":
        return (size - dilation * (kernel - 1) - 1) // stride + 1
    return (size - 1) // stride + 1  # 'same' and 'causal': ceil(size / stride)


def check_rank(shape: Shape | tuple[int, ...], rank: int, name: str, owner: str) -> None:
    """ValueError unless `shape` has a batch axis, `rank` spatial axes and a channel axis.

    >>> check_rank((None, 28, 28), 2, "conv2d", "Conv2D")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ... expects a 4-D input (batch, height, width, channels), ... shape (None, 28, 28)
    """
    if len(shape) != rank + 2:
        raise ValueError(
            f'Input 0 of layer "{name}" ({owner}) expects a {rank + 2}-D input '
            f"{_LAYOUTS.get(rank, '(batch, ..., channels)')}, received input shape {tuple(shape)}"
        )


def spatial_output_shape(
    shape: Shape | tuple[int, ...],
    window: tuple[int, ...],
    strides: tuple[int, ...],
    dilation: tuple[int, ...],
    padding: str,
    name: str,
    owner: str,
) -> tuple[int | None, ...]:
    """The output's spatial sizes for an input of `shape` (batch, *spatial, channels);
    ValueError when a known size is too small for the (dilated) window without padding.

    >>> one = (1, 1)
    >>> spatial_output_shape((None, 5, None, 1), (3, 3), one, one, "valid", "conv2d", "Conv2D")
    (3, None)
    """
    sizes = tuple(
        output_size(n, k, s, d, padding)
        for n, k, s, d in zip(shape[1:-1], window, strides, dilation)
    )
    if any(n is not None and n <= 0 for n in sizes):
        spans = tuple(d * (k - 1) + 1 for k, d in zip(window, dilation))
        raise ValueError(
            f'layer "{name}" ({owner}) with padding={padding!r} needs each spatial size to be '
            f"at least the window {spans}, received input shape {tuple(shape)} "
            f"(output size would be {sizes})"
        )
    return sizes
