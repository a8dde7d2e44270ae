"""`fit(sample_weight=..., class_weight=...)` and `evaluate(sample_weight=...)`: one weight
per sample, checked once, as Keras 3 builds them.

The loss of a batch is then `sum(w_i * loss_i) / batch_size` (Keras' "sum_over_batch_size"
reduction, keras/src/losses/loss.py: the divisor is the number of loss values, not the sum of
the weights), and the epoch's loss averages the batches weighted by their size.
`class_weight` maps each sample's class to its weight (keras/src/trainers/data_adapters/
data_adapter_utils.py, `class_weight_to_sample_weights`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.tracing import replayed
from nn.regularizers import penalty


def class_weight_to_sample_weights(y: Any, class_weight: Any) -> np.ndarray:
    """One weight per sample: `class_weight[class]` (1.0 for a class it does not list).

    The class is the label itself for integer labels of shape (n,) or (n, 1) (rounded, as
    Keras), and the argmax for one-hot rows of shape (n, k).

    >>> class_weight_to_sample_weights([0, 1, 1, 2], {1: 3.0})
    array([1., 3., 3., 1.])
    >>> class_weight_to_sample_weights([[0, 1], [1, 0]], {0: 0.5, 1: 2.0})
    array([2. , 0.5])
    """
    if not hasattr(class_weight, "items") or not hasattr(class_weight, "get"):
        raise ValueError(
            f"class_weight must be a dict mapping class indices to weights, received "
            f"{class_weight!r} of type {type(class_weight).__name__}"
        )
    weights: dict[int, float] = {}
    for key, value in class_weight.items():
        try:  # Keras takes int(key): 1, np.int64(1) and "1" all name class 1
            index = int(key)
        except (TypeError, ValueError):
            index = None
        if index is None or isinstance(key, bool) or (isinstance(key, float) and key != index):
            raise ValueError(
                f"class_weight keys must be integer class indices, received the key {key!r} "
                f"of type {type(key).__name__}"
            )
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not (
            math.isfinite(value)
        ):
            raise ValueError(
                f"class_weight values must be finite numbers, received {value!r} for class {key}"
            )
        weights[index] = float(value)
    labels = np.asarray(y)
    if labels.ndim > 2:
        raise ValueError(
            f"class_weight is supported for labels of shape (n,), (n, 1) or one-hot (n, k), "
            f"received labels of shape {labels.shape}; pass sample_weight instead"
        )
    if labels.ndim == 2:
        labels = labels[:, 0] if labels.shape[1] == 1 else labels.argmax(axis=1)
    classes = np.round(labels).astype(np.int64)
    return np.array([weights.get(int(c), 1.0) for c in classes], dtype=np.float64)


def check_sample_weight(sample_weight: Any, count: int, where: str) -> np.ndarray:
    """`sample_weight` as a float64 array with one entry (or one row) per sample.

    A shape (n, 1) becomes (n,). NaN and infinity are refused.

    >>> check_sample_weight([1, 2], 2, "fit")
    array([1., 2.])
    >>> check_sample_weight([1.0], 2, "fit")
    Traceback (most recent call last):
    ...
    ValueError: fit: sample_weight must have one weight per sample (2), received shape (1,)
    """
    weights = np.asarray(sample_weight.data if hasattr(sample_weight, "grad") else sample_weight)
    if weights.dtype.kind not in "biuf":
        raise TypeError(
            f"{where}: sample_weight must hold numbers, received dtype {weights.dtype}"
        )
    weights = weights.astype(np.float64)
    if weights.ndim == 2 and weights.shape[1] == 1:
        weights = weights[:, 0]
    if weights.ndim == 0 or len(weights) != count:
        raise ValueError(
            f"{where}: sample_weight must have one weight per sample ({count}), received shape "
            f"{weights.shape}"
        )
    if not np.all(np.isfinite(weights)):
        raise ValueError(f"{where}: sample_weight contains NaN or infinite values")
    return weights


def sample_weights(
    y: Any, sample_weight: Any, class_weight: Any, count: int, where: str
) -> np.ndarray | None:
    """The per-sample weights `fit` trains with: from `sample_weight`, else from
    `class_weight`, else None (Keras refuses both at once).

    >>> sample_weights([0, 1], None, {1: 2.0}, 2, "fit")
    array([1., 2.])
    >>> sample_weights([0, 1], [1, 1], {1: 2.0}, 2, "fit")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: fit: pass class_weight or sample_weight, not both ...
    """
    if sample_weight is not None and class_weight is not None:
        raise ValueError(
            f"{where}: pass class_weight or sample_weight, not both (Keras refuses them "
            "together); fold the class weights into sample_weight"
        )
    if sample_weight is not None:
        return check_sample_weight(sample_weight, count, where)
    if class_weight is not None:
        return class_weight_to_sample_weights(y, class_weight)
    return None


@replayed  # a jitted training step expands each batch's own weights
def per_loss_value(weights: np.ndarray, loss_shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """A batch's weights broadcast to the shape of its per-sample losses: a weight per sample
    covers every time step of a sequence output, as Keras expands it.

    >>> per_loss_value(np.array([1.0, 2.0]), (2, 3), np.float32)
    array([[1., 1., 1.],
           [2., 2., 2.]], dtype=float32)
    """
    extra = len(loss_shape) - weights.ndim
    if extra < 0:
        raise ValueError(
            f"sample_weight of shape {weights.shape} per batch has more axes than the losses, "
            f"shape {loss_shape}"
        )
    expanded = weights.reshape(weights.shape + (1,) * extra)
    try:
        return np.broadcast_to(expanded, loss_shape).astype(dtype)
    except ValueError:
        raise ValueError(
            f"sample_weight of shape {weights.shape} per batch does not fit losses of shape "
            f"{loss_shape}"
        ) from None


def weighted_loss(
    loss_fn: Any, y_true: Any, y_pred: Any, weights: np.ndarray | None, pairs: Any
) -> Any:
    """The loss a training or test step minimizes and reports: `loss_fn` weighted per
    sample (when `weights` is given), plus the regularization penalty of `pairs`
    ((regularizer, weight) pairs, see `nn.regularizers.regularized_weights`), as Keras 3's
    `compute_loss` adds `model.losses`.

    >>> from autograd import Tensor
    >>> from nn import losses, regularizers
    >>> kernel = Tensor([[2.0]], requires_grad=True)
    >>> out = weighted_loss(losses.get("mse"), [[1.0], [1.0]], Tensor([[0.0], [3.0]]),
    ...                     np.array([1.0, 0.5]), [(regularizers.L2(0.1), kernel)])
    >>> round(out.item(), 6)  # (1 * 1 + 0.5 * 4) / 2 + 0.1 * 4
    1.9
    """
    if weights is None:
        loss = loss_fn(y_true, y_pred)
    else:
        if isinstance(y_pred, (list, tuple)):
            raise ValueError(
                "sample_weight and class_weight need a model with one output, received "
                f"{len(y_pred)} outputs"
            )
        per_value = per_loss_value(weights, tuple(y_pred.shape[:-1]), y_pred.dtype)
        loss = loss_fn(y_true, y_pred, sample_weight=per_value)
    extra = penalty(pairs)
    return loss if extra is None else loss + extra


def update_metrics(
    metrics: Any, plain: int, y_true: Any, y_pred: Any, weights: np.ndarray | None
) -> None:
    """Update a batch's compiled metrics: the first `plain` without weights (Keras'
    `metrics`), the others with the batch's sample weights (Keras' `weighted_metrics`).

    >>> from nn import metrics
    >>> plain, weighted = metrics.get("mae"), metrics.get("mae")
    >>> update_metrics([plain, weighted], 1, [[0.0], [0.0]], [[1.0], [3.0]], np.array([3.0, 1.0]))
    >>> plain.result(), weighted.result()  # (1 + 3) / 2;  (3 * 1 + 1 * 3) / 4
    (2.0, 1.5)
    """
    per_value = None
    if weights is not None and len(metrics) > plain:
        per_value = per_loss_value(weights, tuple(np.shape(y_pred)[:-1]), np.float64)
    for index, metric in enumerate(metrics):
        if index < plain:
            metric.update_state(y_true, y_pred)
        else:
            metric.update_state(y_true, y_pred, sample_weight=per_value)


__all__ = [
    "check_sample_weight",
    "class_weight_to_sample_weights",
    "per_loss_value",
    "sample_weights",
    "update_metrics",
    "weighted_loss",
]
