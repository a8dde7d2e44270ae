"""Keras' LSTM and GRU over a sequence, unrolled on the engine with one fused node per timestep.

A composition of engine ops would take fourteen nodes per timestep (picking the timestep, the
recurrent product, the gates, splitting the states); at the sizes recurrent layers run on
(batch 32, 32 units) the per-node cost is most of a step, so a timestep is one primitive,
`ops.LSTMCell`, gradchecked like every other (autograd/optable.py). The states travel as one
stacked (h, c) node from step to step.

>>> import numpy as np
>>> from autograd import Tensor
>>> z = Tensor(np.zeros((1, 1)))
>>> out, h, c = lstm(Tensor(np.zeros((1, 3, 4))), Tensor(np.zeros((1, 4))), z, z)
>>> out.shape, round(float(c.data[0, 0]), 4)  # c = 0.5 * c + 0.5 * tanh(0), three times
((1, 1), 0.0)
"""

from __future__ import annotations

from autograd import ops
from autograd.convolution import unstack
from autograd.tensor import Tensor, stack


def lstm(
    projection: Tensor,
    kernel: Tensor,
    h: Tensor,
    c: Tensor,
    reverse: bool = False,
    sequences: bool = False,
) -> tuple[Tensor, Tensor, Tensor]:
    """(output, h, c) of Keras' LSTM cell run over `projection` (batch, T, 4 * units), the
    input's `x @ kernel + bias` with gates i, f, c, o, from states `h`, `c` (batch, units)
    with the recurrent `kernel` (units, 4 * units): per step `z = x_t + h @ kernel`,
    `c = sigmoid(f) * c + sigmoid(i) * tanh(g)`, `h = sigmoid(o) * tanh(c)`. `reverse` runs
    from the last step to the first; `output` is the last h, or with `sequences` every
    step's h in the order run, (batch, T, units).

    >>> import numpy as np
    >>> z = Tensor(np.zeros((2, 3)))
    >>> lstm(Tensor(np.zeros((2, 5, 8))), Tensor(np.zeros((3, 12))), z, z)
    Traceback (most recent call last):
    ValueError: lstm expects a projection (batch, T, 4 * units) = (2, T, 12) and a kernel (3, 12) for states of shape (2, 3), received projection (2, 5, 8), kernel (3, 12), h (2, 3), c (2, 3)
    """
    batch, units = c.shape if c.ndim == 2 else (-1, -1)
    if (c.ndim != 2 or h.shape != c.shape or projection.ndim != 3
            or projection.shape[::2] != (batch, 4 * units) or projection.shape[1] < 1
            or kernel.shape != (units, 4 * units)):
        raise ValueError(
            f"lstm expects a projection (batch, T, 4 * units) = ({batch}, T, {4 * units}) and a "
            f"kernel ({units}, {4 * units}) for states of shape {c.shape}, received projection "
            f"{projection.shape}, kernel {kernel.shape}, h {h.shape}, c {c.shape}"
        )
    timesteps = ops.Unstack.apply(projection, axis=1)
    steps = range(projection.shape[1])
    states = stack([h, c])
    seen = []
    for step in reversed(steps) if reverse else steps:
        states = ops.LSTMCell.apply(timesteps, states, kernel, step=step)
        if sequences:
            seen.append(states)
    h, c = unstack(states)
    return (stack(seen, axis=2)[0] if sequences else h), h, c


def gru(
    projection: Tensor,
    kernel: Tensor,
    bias: Tensor,
    h: Tensor,
    reverse: bool = False,
    sequences: bool = False,
) -> tuple[Tensor, Tensor]:
    """(output, h) of Keras' GRU cell (`reset_after=True`, gates z, r, h) run over
    `projection` (batch, T, 3 * units), the input's `x @ kernel + input bias`, from the state
    `h` (batch, units) with the recurrent `kernel` (units, 3 * units) and `bias` (3 * units,):
    one `ops.GRUCell` node per step. `reverse` and `sequences` as in `lstm`.

    >>> import numpy as np
    >>> out, h = gru(Tensor(np.zeros((1, 2, 3))), Tensor(np.zeros((1, 3))), Tensor(np.zeros(3)),
    ...              Tensor([[1.0]]), sequences=True)
    >>> out.data.ravel().tolist()  # z = 1/2, hh = 0: h halves each step
    [0.5, 0.25]
    >>> gru(Tensor(np.zeros((1, 2, 4))), Tensor(np.zeros((1, 3))), Tensor(np.zeros(3)),
    ...     Tensor([[1.0]]))
    Traceback (most recent call last):
    ValueError: gru expects a projection (batch, T, 3 * units) = (1, T, 3), a kernel (1, 3) and a bias (3,) for a state of shape (1, 1), received projection (1, 2, 4), kernel (1, 3), bias (3,)
    """
    batch, units = h.shape if h.ndim == 2 else (-1, -1)
    if (h.ndim != 2 or projection.ndim != 3 or projection.shape[::2] != (batch, 3 * units)
            or projection.shape[1] < 1 or kernel.shape != (units, 3 * units)
            or bias.shape != (3 * units,)):
        raise ValueError(
            f"gru expects a projection (batch, T, 3 * units) = ({batch}, T, {3 * units}), a "
            f"kernel ({units}, {3 * units}) and a bias ({3 * units},) for a state of shape "
            f"{h.shape}, received projection {projection.shape}, kernel {kernel.shape}, bias "
            f"{bias.shape}"
        )
    timesteps = ops.Unstack.apply(projection, axis=1)
    steps = range(projection.shape[1])
    seen = []
    for step in reversed(steps) if reverse else steps:
        h = ops.GRUCell.apply(timesteps, h, kernel, bias, step=step)
        if sequences:
            seen.append(h)
    return (stack(seen, axis=1) if sequences else h), h
