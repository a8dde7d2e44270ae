"""Training a functional model with several outputs, by Keras' rule: one loss per output,
the model's loss their (weighted) sum.

`compile(loss=...)` takes one loss for every output, a list (in the order of
`model.outputs`) or a dict keyed by output name (the name of the layer that makes it);
`loss_weights` a list or dict of factors (default 1). History then holds `loss` (the sum) and
`<output>_loss` for each output, and each metric as `<output>_<metric>` (keras/src/trainers/
compile_utils.py names them so). Targets are a list or a dict, as inputs are.

>>> import numpy as np, nn
>>> x = nn.Input(shape=(2,))
>>> model = nn.Model(x, [nn.layers.Dense(1, name="p")(x), nn.layers.Dense(2, name="q")(x)])
>>> model.compile(optimizer="sgd", loss=["mse", "mae"], loss_weights=[1.0, 0.5])
>>> history = model.fit(np.ones((4, 2)), [np.ones((4, 1)), np.zeros((4, 2))], verbose=0)
>>> sorted(history.history)
['loss', 'p_loss', 'q_loss']
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from autograd import Tensor, no_grad
from nn import losses as losses_module
from nn import metrics as metrics_module
from nn.losses import Loss
from nn.metrics import Metric


class Outputs(list):  # type: ignore[type-arg]
    """A model's output Tensors, one per output: a list whose `.data` is their arrays
    (what `fit` hands its metrics)."""

    @property
    def data(self) -> list[np.ndarray]:
        """Each output's array."""
        return [t.data for t in self]


class ArrayGroup:
    """One array per input (or per output's targets), sliced together: `len` is the number
    of samples and `group[lo:hi]` slices every array (what `fit` needs to batch and shuffle).

    >>> group = ArrayGroup([np.zeros((4, 2)), np.ones((4, 3))])
    >>> len(group), [a.shape for a in group[1:3].arrays]
    (4, [(2, 2), (2, 3)])
    """

    __slots__ = ("arrays",)

    def __init__(self, arrays: Sequence[np.ndarray]) -> None:
        self.arrays = list(arrays)

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index: Any) -> ArrayGroup:
        return ArrayGroup([a[index] for a in self.arrays])

    def __array__(self, *_: Any, **__: Any) -> np.ndarray:
        # what reads the targets as one array (class_weight) meets several outputs' targets
        raise ValueError(
            f"these are {len(self.arrays)} arrays, one per input or output of the model: "
            "sample_weight and class_weight need a model with one output"
        )


class MultiOutputLoss(Loss):
    """The sum over outputs of `weight * loss(y_true, y_pred)`.

    >>> from autograd import Tensor
    >>> loss = MultiOutputLoss([losses_module.get("mse"), losses_module.get("mae")], [1.0, 2.0],
    ...                        ["p", "q"])
    >>> loss(ArrayGroup([np.zeros((2, 1)), np.zeros((2, 1))]), [Tensor(np.ones((2, 1)))] * 2)
    Tensor(3.)
    """

    name = "loss"

    def __init__(self, losses: list[Loss], weights: list[float], names: list[str]) -> None:
        super().__init__()
        self.losses, self.weights, self.names = losses, weights, names

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        if sample_weight is not None:
            raise ValueError(
                "sample_weight and class_weight need a model with one output, received "
                f"{len(self.losses)} outputs"
            )
        total: Tensor | None = None
        for loss, weight, y, out in zip(self.losses, self.weights, _arrays(y_true), y_pred):
            term = loss(y, out)
            term = term if weight == 1.0 else term * weight
            total = term if total is None else total + term
        assert total is not None, "a model has at least one output"
        return total

    def check_labels(self, y_true: Any) -> None:
        """Each output's loss checks its own targets."""
        for loss, y in zip(self.losses, _arrays(y_true)):
            loss.check_labels(y)

    def get_config(self) -> dict[str, Any]:
        """The per-output losses by output name, and their weights."""
        return {"losses": {n: loss.name for n, loss in zip(self.names, self.losses)},
                "loss_weights": dict(zip(self.names, self.weights))}

    def __repr__(self) -> str:
        return f"MultiOutputLoss({dict(zip(self.names, self.losses))})"


class OutputLoss(Metric):
    """One output's loss, averaged over the samples seen (History's `<output>_loss`)."""

    def __init__(self, loss: Loss, index: int, name: str) -> None:
        self.loss, self.index = loss, index
        super().__init__(name)

    def reset_state(self) -> None:
        """Zero the running total."""
        self.total, self.count = 0.0, 0

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add this batch's loss of the output, weighted by its size."""
        y, out = _arrays(y_true)[self.index], y_pred[self.index]
        with no_grad():
            value = float(self.loss(y, Tensor(np.asarray(out))).data)
        self.total += value * len(out)
        self.count += len(out)

    def result(self) -> float:
        """The mean loss since the last reset."""
        return self.total / self.count if self.count else 0.0


class OutputMetric(Metric):
    """A metric of one output (History's `<output>_<metric>`)."""

    def __init__(self, metric: Metric, index: int, name: str) -> None:
        self.metric, self.index = metric, index
        super().__init__(name)

    def reset_state(self) -> None:
        """Reset the wrapped metric."""
        self.metric.reset_state()

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Update the wrapped metric with this output's targets and predictions."""
        self.metric.update_state(_arrays(y_true)[self.index], y_pred[self.index])

    def result(self) -> float:
        """The wrapped metric's result."""
        return self.metric.result()


def per_output(value: Any, names: list[str], what: str) -> list[Any]:
    """`value` for each output: the same one, a list in output order, or a dict by name."""
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(names))
        missing = [n for n in names if n not in value]
        if unknown or missing:
            raise ValueError(
                f"compile: {what} as a dict needs one entry per output {names}, received keys "
                f"{sorted(value)}"
            )
        return [value[n] for n in names]
    if isinstance(value, (list, tuple)):
        if len(value) != len(names):
            raise ValueError(
                f"compile: {what} as a list needs one entry per output {names}, received "
                f"{len(value)}"
            )
        return list(value)
    return [value] * len(names)


def compile_losses(loss: Any, loss_weights: Any, names: list[str]) -> MultiOutputLoss:
    """The summed loss of `compile(loss=..., loss_weights=...)` for outputs `names`."""
    losses = [losses_module.get(item) for item in per_output(loss, names, "loss")]
    weights = per_output(1.0 if loss_weights is None else loss_weights, names, "loss_weights")
    for name, weight in zip(names, weights):
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not np.isfinite(
            weight
        ):
            raise ValueError(
                f"compile: loss_weights must be finite numbers, received {weight!r} for "
                f"output {name!r}"
            )
    return MultiOutputLoss(losses, [float(w) for w in weights], names)


def output_metrics(
    metric_ids: list[Any], loss: Any, names: list[str], shapes: list[Any]
) -> list[Metric]:
    """Each output's loss, then each metric for each output it applies to: a plain list
    applies to every output, a dict (`{"p": ["mae"]}`) to the outputs it names."""
    made: list[Metric] = []
    if isinstance(loss, MultiOutputLoss):
        made += [OutputLoss(one, i, f"{n}_loss") for i, (one, n) in enumerate(zip(loss.losses,
                                                                                 names))]
    by_output: list[list[Any]] = [[] for _ in names]
    for item in metric_ids:
        if isinstance(item, dict):
            for i, chosen in enumerate(per_output_partial(item, names)):
                by_output[i] += chosen
        else:
            for chosen in by_output:
                chosen.append(item)
    for i, (name, shape, ids) in enumerate(zip(names, shapes, by_output)):
        one_loss = loss.losses[i] if isinstance(loss, MultiOutputLoss) else None
        for item in ids:
            metric = metrics_module.get(item, loss=one_loss, output_shape=shape)
            made.append(OutputMetric(metric, i, f"{name}_{metric.name}"))
    return made


def per_output_partial(value: dict[str, Any], names: list[str]) -> list[list[Any]]:
    """A dict of metrics by output name (outputs it omits get none)."""
    unknown = sorted(set(value) - set(names))
    if unknown:
        raise ValueError(f"compile: metrics names unknown outputs {unknown}; outputs: {names}")
    out = []
    for n in names:
        chosen = value.get(n, [])
        out.append(list(chosen) if isinstance(chosen, (list, tuple)) else [chosen])
    return out


def _arrays(y: Any) -> list[Any]:
    return y.arrays if isinstance(y, ArrayGroup) else list(y)


__all__ = ["ArrayGroup", "MultiOutputLoss", "OutputLoss", "OutputMetric", "Outputs",
           "compile_losses", "output_metrics", "per_output"]
