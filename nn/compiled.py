"""`compile(jit_compile=True)`: run training steps and forward passes as `autograd.jit` plans.

`fit` and `train_on_batch` call a `Trainer` for each batch; with jit on, the whole step
(the model's forward, the loss with its regularization penalties and sample weights,
`backward()`, and the optimizer's update, skipped for a loss that is not finite) is traced
once per batch signature and replayed as one plan. The labels and sample weights are its
arguments: the losses prepare them in replayed calls (`autograd.tracing.replayed`), checks
included, so each batch's own are used. `evaluate` and `predict` call `forward(model, x)`,
the forward alone as a plan; the metrics stay eager, on the plan's outputs. The first batch,
and any batch before the model is built, runs eagerly. Dropout's masks, BatchNormalization's
moving statistics and Embedding's ids are replayed calls too: each step draws or stores its
own. What a plan cannot see (a user's layer computing in numpy on the data) makes jit fall
back to eager with one warning, as `autograd.jit` does.

Default off: the trace costs one eager step plus writing the plan, the checked second
step costs two, and the step's gain is the engine's share of it (small for wide layers).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, jit
from autograd.modes import is_grad_enabled
from autograd.tracing import effect
from nn.multi_output import ArrayGroup
from nn.sample_weights import weighted_loss


def choice(value: Any) -> bool:
    """`jit_compile` as Keras takes it: True, False, or "auto" (here: off, see above)."""
    if value is None or value == "auto":
        return False
    if not isinstance(value, bool):
        raise ValueError(f"compile: jit_compile must be True, False or 'auto', received {value!r}")
    return value


class Trainer:
    """One optimizer step on a batch, called as `trainer(x, y, sw)`: the loss before the
    step (a float) and the model's output. A loss that is not finite leaves the weights as
    they were (fit then stops or raises). Made once per `fit` (Keras, too, fixes what it
    trains at `compile`/`fit`: the trainable weights, the loss, the optimizer).

    With jit on, the whole step (forward, loss, `backward()`, the optimizer's update) is one
    `autograd.jit` plan per batch signature (and per weights, loss and optimizer); the
    labels and sample weights are its arguments, prepared afresh in each call."""

    def __init__(self, model: Any, penalties: Any) -> None:
        self.model, self.penalties = model, penalties
        self.jit = getattr(model, "_jit_compile", False)
        self.steps: dict[tuple[Any, ...], tuple[Any, list[bool]]] = {}
        self.weights: list[Tensor] | None = None  # the trainable weights, once built

    def __call__(self, x: Any, y: Any, sw: np.ndarray | None) -> tuple[float, Any]:
        model = self.model
        if self.weights is None and model.built:  # built: a model stays built
            self.weights = model.trainable_weights
        if not self.jit:
            return _eager_step(model, x, y, sw, self.penalties, self.weights)
        several, arrays = isinstance(x, ArrayGroup), _arrays(x)
        plain = isinstance(y, np.ndarray) and (sw is None or isinstance(sw, np.ndarray))
        if arrays is None or not plain or self.weights is None:
            return _eager_step(model, x, y, sw, self.penalties, self.weights)
        found = self.steps.get((several, len(arrays), sw is None))
        if found is None:
            found = self._traced(several, len(arrays), sw is not None)
        traced, single = found
        loss, *outs = traced(*arrays, y, *(() if sw is None else (sw,)))
        return loss.item(), outs[0] if single[0] else outs

    def _traced(self, several: bool, n: int, weighted: bool) -> tuple[Any, list[bool]]:
        """The jitted step for batches of this form: the model's own (kept across fits)."""
        model, penalties = self.model, self.penalties
        weights = model.trainable_weights
        key = (several, n, weighted, tuple(map(id, model.weights)), tuple(map(id, weights)),
               id(model.loss), id(model.optimizer), tuple((id(r), id(w)) for r, w in penalties))
        steps = model.__dict__.setdefault("_jit_steps", {})
        found = steps.get(key)
        if found is None:

            def step(*batch: np.ndarray) -> tuple[Any, ...]:
                tensors = [Tensor(b) for b in batch[:n]]
                out = model(tensors if several else tensors[0], training=True)
                loss = weighted_loss(model.loss, batch[n], out, batch[n + 1] if weighted
                                     else None, penalties)
                for w in weights:
                    w.grad = None
                loss.backward()
                _update_if_finite(model.optimizer, weights, loss)
                single[0] = isinstance(out, Tensor)  # else a list, one per output
                return (loss, out) if single[0] else (loss, *out)

            single = [True]
            step.__name__ = f"{model.name}.train_step"
            found = steps[key] = (jit(step), single)
        self.steps[(several, n, not weighted)] = found
        return found


def _eager_step(model: Any, x: Any, y: Any, sw: np.ndarray | None, penalties: Any,
                weights: list[Tensor] | None) -> tuple[float, Any]:
    out = forward(model, x, training=True)
    loss = weighted_loss(model.loss, y, out, sw, penalties)
    value = loss.item()  # not .data: a read there is watched (autograd.mutation)
    if math.isfinite(value):
        if weights is None:  # built by this very call
            weights = model.trainable_weights
        for w in weights:
            w.grad = None
        loss.backward()
        model.optimizer.step(weights)
    return value, out


@effect
def _update_if_finite(optimizer: Any, weights: list[Tensor], loss: Tensor) -> None:
    """The optimizer's step, unless the loss is not finite (a jitted step's last part)."""
    if math.isfinite(loss.item()):
        optimizer.step(weights)


def forward(model: Any, x: Any, training: bool = False) -> Any:
    """The model's output for a batch `x` (an array, or a functional model's ArrayGroup of
    one array per input): traced and replayed when jit is on."""
    arrays = _arrays(x)
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


def _arrays(x: Any) -> list[np.ndarray] | None:
    """A batch as the list of arrays a plan takes (one per input), or None for anything else."""
    return x.arrays if isinstance(x, ArrayGroup) else [x] if isinstance(x, np.ndarray) else None
