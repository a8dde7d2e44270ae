"""`compile(jit_compile=True)`: run the model's forward pass as an `autograd.jit` plan.

`fit`, `evaluate`, `predict` and the `*_on_batch` methods call `forward(model, x, training)`
for each batch. With jit on, the model's call on a batch array is traced once per
(training, grad mode, weights) and replayed as one node; the loss, the metrics and the
optimizer stay eager (the loss reads labels that numpy reshapes: frozen into a plan, they
would go stale). The first batch, and any batch before the model is built, runs eagerly.
Dropout's masks, BatchNormalization's moving statistics and Embedding's ids are replayed
calls (`autograd.tracing.replayed`): each step draws or stores its own. What a plan cannot
see (a user's layer computing in numpy on the data) makes jit fall back to eager with one
warning, as `autograd.jit` does.

Default off: the trace costs one eager step plus writing the plan, the checked second
step costs two, and the step's gain is the engine's share of it (small for wide layers).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, jit
from autograd.modes import is_grad_enabled
from nn.multi_output import ArrayGroup


def choice(value: Any) -> bool:
    """`jit_compile` as Keras takes it: True, False, or "auto" (here: off, see above)."""
    if value is None or value == "auto":
        return False
    if not isinstance(value, bool):
        raise ValueError(f"compile: jit_compile must be True, False or 'auto', received {value!r}")
    return value


def forward(model: Any, x: Any, training: bool = False) -> Any:
    """The model's output for a batch `x` (an array, or a functional model's ArrayGroup of
    one array per input): traced and replayed when jit is on."""
    arrays = x.arrays if isinstance(x, ArrayGroup) else [x] if isinstance(x, np.ndarray) else None
    if not getattr(model, "_jit_compile", False) or arrays is None or not model.built:
        return model(Tensor(x) if isinstance(x, np.ndarray) else x, training=training)
    key = (training, is_grad_enabled(), len(arrays), tuple(map(id, model.weights)))
    plans = model.__dict__.setdefault("_jit_plans", {})
    traced = plans.get(key)
    if traced is None:
        several = isinstance(x, ArrayGroup)

        def call(*batch: np.ndarray) -> Any:
            tensors = [Tensor(b) for b in batch]
            return model(tensors if several else tensors[0], training=training)

        call.__name__ = f"{model.name}.call"
        traced = plans[key] = jit(call)
    return traced(*arrays)
