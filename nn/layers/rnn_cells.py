"""One time step of SimpleRNN, LSTM and GRU, as Keras writes them, on autograd Tensors.

The input projection `x @ kernel + bias` of every timestep is computed once by the layer
(nn/layers/recurrent.py); a step gets its slice `x_t` and does only the recurrent product and
the gate math, with few nodes: the gates of a (batch, k * units) product are column slices
(measured a little faster than a reshape and an `unstack` at these sizes).

>>> import numpy as np
>>> from autograd import Tensor
>>> from nn import activations
>>> h = Tensor(np.zeros((1, 2)))
>>> simple_rnn_step(Tensor([[0.5, -0.5]]), h, Tensor(np.eye(2)), None, activations.tanh)
Tensor([[ 0.46211716, -0.46211716]])
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from autograd import Tensor, affine, concatenate

Activation = Callable[[Tensor], Tensor]
Masks = Sequence[np.ndarray] | None  # one dropout mask (shared by the gates) or one per gate


def split_gates(z: Tensor, gates: int) -> list[Tensor]:
    """The `gates` equal column blocks of `z` (batch, gates * units), in Keras' gate order.

    >>> [g.data.tolist() for g in split_gates(Tensor([[1.0, 2.0, 3.0, 4.0]]), 2)]
    [[[1.0, 2.0]], [[3.0, 4.0]]]
    """
    units = z.shape[1] // gates
    return [z[:, g * units : (g + 1) * units] for g in range(gates)]


def recurrent_product(
    h: Tensor,
    kernels: Sequence[Tensor],
    masks: Masks,
    add: Tensor | None = None,
) -> Tensor:
    """`h @ recurrent_kernel (+ add)`, with Keras' recurrent dropout: `kernels` is the whole
    kernel, or its per-gate blocks when there is one mask per gate (h masked for each).

    >>> h, k = Tensor([[1.0, 2.0]]), Tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> recurrent_product(h, [k], [np.array([[0.0, 2.0]])])
    Tensor([[0., 4.]])
    """
    if masks is None:
        return h @ kernels[0] if add is None else affine(h, kernels[0], add)
    if len(masks) == 1:
        product = (h * masks[0]) @ kernels[0]
    else:
        product = concatenate([(h * m) @ k for m, k in zip(masks, kernels)], axis=-1)
    return product if add is None else product + add


def simple_rnn_step(
    x_t: Tensor, h: Tensor, kernel: Tensor, masks: Masks, activation: Activation
) -> Tensor:
    """`activation(x_t + h @ recurrent_kernel)`: the new output, which is also the state.

    >>> from nn import activations
    >>> simple_rnn_step(Tensor([[1.0]]), Tensor([[2.0]]), Tensor([[0.5]]), None, activations.linear)
    Tensor([[2.]])
    """
    return activation(recurrent_product(h, [kernel], masks, add=x_t))


def lstm_step(
    x_t: Tensor,
    h: Tensor,
    c: Tensor,
    kernels: Sequence[Tensor],
    masks: Masks,
    activation: Activation,
    recurrent_activation: Activation,
) -> tuple[Tensor, Tensor]:
    """Keras' LSTM cell with any activations: gates i, f, c, o of `x_t + h @ recurrent_kernel`;
    `c = f * c + i * activation(g)`, `h = o * activation(c)`. Returns (h, c). (The defaults,
    tanh and sigmoid, take `autograd.lstm`: one fused node per timestep.)

    >>> from nn import activations
    >>> z = Tensor(np.zeros((1, 1)))
    >>> h, c = lstm_step(Tensor([[0.0, 0.0, 1.0, 0.0]]), z, z, [Tensor(np.zeros((1, 4)))],
    ...                  None, activations.linear, activations.linear)
    >>> h, c
    (Tensor([[0.]]), Tensor([[0.]]))
    """
    z = recurrent_product(h, kernels, masks, add=x_t)
    i, f, g, o = split_gates(z, 4)
    c = recurrent_activation(f) * c + recurrent_activation(i) * activation(g)
    return recurrent_activation(o) * activation(c), c


def gru_step(
    x_zr: Tensor,
    x_h: Tensor,
    h: Tensor,
    kernels: Sequence[Tensor],
    recurrent_bias: Tensor | None,
    masks: Masks,
    activation: Activation,
    recurrent_activation: Activation,
    reset_after: bool,
) -> Tensor:
    """Keras' GRU cell, gates z, r, h: `h = z * h_prev + (1 - z) * hh` with
    `hh = activation(x_h + r * (h_prev @ U_h + b_h))` (reset_after) or
    `activation(x_h + (r * h_prev) @ U_h)`. `x_zr`, `x_h`: the input projection's z and r
    columns, and its h columns. `kernels` is `[U]` (reset_after) or `[U_zr, U_h]`, or the
    three gate blocks of U when the dropout masks come one per gate.

    >>> from nn import activations
    >>> u = [Tensor(np.zeros((1, 2))), Tensor(np.zeros((1, 1)))]
    >>> gru_step(Tensor([[0.0, 0.0]]), Tensor([[1.0]]), Tensor([[1.0]]), u, None, None,
    ...          activations.linear, activations.linear, reset_after=False)
    Tensor([[1.]])
    """
    units = h.shape[1]
    h_h = h
    if reset_after:
        inner = recurrent_product(h, kernels, masks, add=recurrent_bias)
        inner_zr, inner_h = inner[:, : 2 * units], inner[:, 2 * units :]
    elif masks is None:  # z and r from h's first two gate blocks, hh from (r * h) and the third
        inner_zr = h @ kernels[0]
    else:
        inner_zr = concatenate([(h * masks[0]) @ kernels[0], (h * masks[1]) @ kernels[1]], -1)
        h_h = h * masks[2]
    gates = x_zr + inner_zr
    zr = recurrent_activation(gates)
    z, r = zr[:, :units], zr[:, units:]
    if reset_after:
        hh = activation(x_h + r * inner_h)
    else:
        hh = activation(x_h + (r * h_h) @ kernels[-1])
    return hh + z * (h - hh)  # Keras' z * h + (1 - z) * hh, one node less


def dropout_masks(
    generator: np.random.Generator,
    count: int,
    shape: tuple[int, int],
    rate: float,
    dtype: np.dtype,
) -> list[np.ndarray] | None:
    """`count` masks of `shape` (Keras' `dropout(ones)`: 0 with probability `rate`, else
    1 / (1 - rate)), drawn once per sequence; None when `rate` is 0.

    >>> [m.tolist() for m in dropout_masks(np.random.default_rng(0), 1, (1, 4), 0.5, np.float64)]
    [[[2.0, 0.0, 0.0, 0.0]]]
    """
    if rate == 0.0:
        return None
    scale = 1.0 / (1.0 - rate)
    return [((generator.random(shape) >= rate) * scale).astype(dtype) for _ in range(count)]
