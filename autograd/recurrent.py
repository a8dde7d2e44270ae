"""The fused LSTM cell: Keras' gate math of one timestep as one primitive (`ops.LSTMGates`).

A composition of engine ops would take twelve nodes per timestep; at the sizes recurrent
layers run on (batch 32, 32 units) the per-node cost is most of a step, so the cell is a
primitive, gradchecked like every other (autograd/optable.py).

>>> import numpy as np
>>> from autograd import Tensor
>>> h, c = lstm_gates(Tensor(np.zeros((1, 4))), Tensor([[1.0]]))
>>> float(c.data[0, 0]), round(float(h.data[0, 0]), 6)
(0.5, 0.231059)
"""

from __future__ import annotations

from autograd import ops
from autograd.convolution import unstack
from autograd.tensor import Tensor


def lstm_gates(z: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    """(h, c') from the gate pre-activations `z` (batch, 4 * units; Keras' order i, f, c, o)
    and the cell state `c` (batch, units): `c' = sigmoid(f) * c + sigmoid(i) * tanh(g)`,
    `h = sigmoid(o) * tanh(c')`.

    >>> import numpy as np
    >>> lstm_gates(Tensor(np.zeros((2, 8))), Tensor(np.zeros((2, 3))))
    Traceback (most recent call last):
    ValueError: lstm_gates expects z of shape (batch, 4 * units) = (2, 12) for a cell state of shape (2, 3), received z of shape (2, 8)
    """
    if c.ndim != 2 or z.shape != (c.shape[0], 4 * c.shape[1]):
        raise ValueError(
            f"lstm_gates expects z of shape (batch, 4 * units) = "
            f"{(c.shape[0], 4 * c.shape[-1]) if c.ndim == 2 else '(batch, 4 * units)'} for a "
            f"cell state of shape {c.shape}, received z of shape {z.shape}"
        )
    h, new_c = unstack(ops.LSTMGates.apply(z, c))
    return h, new_c
