"""Metrics: running averages over batches, computed with numpy on raw arrays (no graph).

A metric accumulates per-sample values with `update_state` and reports their mean (weighted
by batch size, or by `sample_weight`) with `result()`. `get("accuracy", loss, output_shape)`
picks binary, categorical or sparse categorical accuracy as Keras does.

>>> m = get("acc", output_shape=(None, 1))
>>> m.update_state(np.array([1, 0, 1]), np.array([[0.9], [0.2], [0.4]]))
>>> m.name, round(m.result(), 4)
('acc', 0.6667)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor, no_grad
from autograd.engine import raw
from nn import losses as losses_module
from nn.registry import Registry


def _array(x: Any) -> np.ndarray:
    array = np.asarray(raw(x))
    if array.dtype.kind not in "biuf":
        raise TypeError(f"a metric expects numeric arrays, received dtype {array.dtype}")
    return array


def _aligned(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Both as float arrays of y_pred's shape; `(n,)` labels line up with `(n, 1)`."""
    labels, predictions = _array(y_true), _array(y_pred)
    if predictions.dtype.kind != "f":
        predictions = predictions.astype(np.float64)
    labels = losses_module.line_up(labels, predictions.shape)
    return labels.astype(predictions.dtype, copy=False), predictions


def _per_sample(values: np.ndarray) -> np.ndarray:
    # the mean over the last axis, as Keras; 1-D predictions are one value per sample
    return values.mean(axis=-1) if values.ndim > 1 else values


# ---------------------------------------------------------------------------------------
# Per-sample metric functions


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """The fraction of `y_pred > threshold` equal to `y_true`, per sample (last axis).

    >>> binary_accuracy([[1], [1], [0], [0]], [[0.98], [0.4], [0.3], [0.6]])
    array([1., 0., 1., 0.])
    """
    labels, predictions = _aligned(y_true, y_pred)
    hits = (predictions > threshold).astype(predictions.dtype) == labels
    return _per_sample(hits.astype(np.float64))


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where the arg-max of the one-hot label matches the arg-max of the prediction.

    >>> categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    array([0., 1.])
    """
    labels, predictions = _array(y_true), _array(y_pred)
    if labels.shape != predictions.shape:
        raise ValueError(
            f"categorical accuracy expects one-hot labels of the predictions' shape "
            f"{predictions.shape}, received labels of shape {labels.shape}"
        )
    return (labels.argmax(axis=-1) == predictions.argmax(axis=-1)).astype(np.float64)


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where the integer label equals the arg-max of the prediction.

    >>> sparse_categorical_accuracy([2, 1], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    array([0., 1.])
    """
    labels, predictions = _array(y_true), _array(y_pred)
    labels = losses_module.line_up_ids(labels, predictions.shape)
    return (labels == predictions.argmax(axis=-1)).astype(np.float64)


def mean_absolute_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """`mean(|y_true - y_pred|, axis=-1)`.

    >>> mean_absolute_error([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]])
    array([0.5, 0.5])
    """
    labels, predictions = _aligned(y_true, y_pred)
    return _per_sample(np.abs(predictions - labels))


def mean_squared_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """`mean((y_true - y_pred) ** 2, axis=-1)`.

    >>> mean_squared_error([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]])
    array([0.5, 0.5])
    """
    labels, predictions = _aligned(y_true, y_pred)
    return _per_sample((predictions - labels) ** 2)


def _from_loss(fn: Callable[..., Tensor]) -> Callable[..., np.ndarray]:
    """A loss function evaluated as a metric: on constants, without recording a graph."""

    def metric(y_true: Any, y_pred: Any, **kwargs: Any) -> np.ndarray:
        with no_grad():
            return fn(_array(y_true), Tensor(_array(y_pred)), **kwargs).data

    metric.__name__ = fn.__name__
    return metric


# ---------------------------------------------------------------------------------------
# Metric objects


class Metric:
    """Base class: accumulate with `update_state`, read with `result`, clear with `reset_state`.

    `fit` resets each metric at the start of every epoch; a custom metric implements the
    three methods (`reset_state` is also called by `__init__`).

    >>> class MaxError(Metric):
    ...     def reset_state(self):
    ...         self.worst = 0.0
    ...     def update_state(self, y_true, y_pred, sample_weight=None):
    ...         error = np.abs(np.asarray(y_pred) - np.reshape(y_true, np.shape(y_pred)))
    ...         self.worst = max(self.worst, float(error.max()))
    ...     def result(self):
    ...         return self.worst
    >>> m = MaxError("max_error")
    >>> m.update_state([1.0, 2.0], [[1.5], [2.0]])
    >>> m.update_state([0.0], [[0.25]])
    >>> m.name, m.result()
    ('max_error', 0.5)
    """

    name = "metric"

    def __init__(self, name: str | None = None) -> None:
        if name is not None:
            self.name = name
        self.reset_state()

    def reset_state(self) -> None:
        """Forget everything accumulated (`fit` calls it at each epoch's start).

        >>> m = get("mae")
        >>> m.update_state([[1.0]], [[3.0]])
        >>> m.reset_state()
        >>> m.result()
        0.0
        """
        raise NotImplementedError

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Accumulate one batch (arrays, lists or Tensors; `sample_weight`: one per sample).

        >>> m = get("mse")
        >>> m.update_state([[1.0], [0.0]], [[0.0], [0.0]], sample_weight=[3.0, 1.0])
        >>> m.result()  # (3 * 1 + 1 * 0) / (3 + 1)
        0.75
        """
        raise NotImplementedError

    def result(self) -> float:
        """The metric over everything accumulated since the last reset (0.0 before any).

        >>> m = get("mae")
        >>> m.result()
        0.0
        >>> m.update_state([[1.0], [2.0]], [[2.0], [2.0]])
        >>> m.result()
        0.5
        """
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The metric's settings, as Keras' `get_config` (a saved model's compile config).

        >>> get("mae").get_config(), BinaryAccuracy(threshold=0.3).get_config()
        ({'name': 'mae'}, {'name': 'binary_accuracy', 'threshold': 0.3})
        """
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class MeanMetricWrapper(Metric):
    """The running mean of `fn(y_true, y_pred, **kwargs)`, a function of per-sample values.

    >>> m = MeanMetricWrapper(mean_absolute_error, name="mae")
    >>> m.update_state([[1.0], [2.0]], [[1.5], [2.0]])
    >>> m.update_state([[0.0]], [[1.0]])
    >>> m.result()  # (0.5 + 0 + 1) / 3 samples
    0.5
    """

    def __init__(self, fn: Callable[..., Any], name: str | None = None, **kwargs: Any) -> None:
        self.fn = fn
        self.kwargs = kwargs
        super().__init__(name if name is not None else getattr(fn, "__name__", "metric"))

    def reset_state(self) -> None:
        """Zero the running total and count.

        >>> m = MeanMetricWrapper(mean_absolute_error)
        >>> m.update_state([[1.0]], [[3.0]])
        >>> m.reset_state()
        >>> m.total, m.count
        (0.0, 0.0)
        """
        self.total = 0.0
        self.count = 0.0

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add `fn`'s per-sample values (weighted by `sample_weight`) to the running mean.

        >>> m = MeanMetricWrapper(mean_squared_error)
        >>> m.update_state([[1.0], [0.0]], [[0.0], [0.0]], sample_weight=[3.0, 1.0])
        >>> m.total, m.count
        (3.0, 4.0)
        """
        values = np.asarray(self.fn(y_true, y_pred, **self.kwargs), dtype=np.float64)
        if sample_weight is None:
            self.total += float(values.sum())
            self.count += values.size
            return
        weights = np.asarray(_array(sample_weight), dtype=np.float64)
        if weights.shape != values.shape:
            if weights.size != values.size:
                raise ValueError(
                    f"sample_weight must have one weight per sample, shape {values.shape}, "
                    f"received shape {weights.shape}"
                )
            weights = weights.reshape(values.shape)
        self.total += float((values * weights).sum())
        self.count += float(weights.sum())

    def result(self) -> float:
        """total / count, or 0.0 before any update.

        >>> m = MeanMetricWrapper(binary_accuracy)
        >>> m.update_state([[1], [0], [1], [1]], [[0.9], [0.1], [0.2], [0.7]])
        >>> m.result()
        0.75
        """
        return self.total / self.count if self.count else 0.0

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **self.kwargs}


registry: Registry[Any] = Registry("metric", base=Metric)


def _register(canonical: str, *aliases: str, fn: Callable[..., Any], **kwargs: Any) -> type:
    """A MeanMetricWrapper class for `fn`, registered under its names."""

    def __init__(self: MeanMetricWrapper, name: str = canonical, **overrides: Any) -> None:
        MeanMetricWrapper.__init__(self, fn, name=name, **{**kwargs, **overrides})

    class_name = "".join(part.capitalize() for part in canonical.split("_"))
    cls = type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": fn.__doc__})
    registry.register(canonical, *aliases)(cls)
    return cls


BinaryAccuracy = _register("binary_accuracy", fn=binary_accuracy)
CategoricalAccuracy = _register("categorical_accuracy", fn=categorical_accuracy)
SparseCategoricalAccuracy = _register("sparse_categorical_accuracy", fn=sparse_categorical_accuracy)
MeanAbsoluteError = _register("mean_absolute_error", "mae", fn=mean_absolute_error)
MeanSquaredError = _register("mean_squared_error", "mse", fn=mean_squared_error)
BinaryCrossentropy = _register(
    "binary_crossentropy", fn=_from_loss(losses_module.binary_crossentropy)
)
CategoricalCrossentropy = _register(
    "categorical_crossentropy", fn=_from_loss(losses_module.categorical_crossentropy)
)
SparseCategoricalCrossentropy = _register(
    "sparse_categorical_crossentropy",
    fn=_from_loss(losses_module.sparse_categorical_crossentropy),
)
Hinge = _register("hinge", fn=_from_loss(losses_module.hinge))
BinaryCrossentropy.__doc__ = """The mean binary crossentropy, as a metric (no graph).

>>> m = BinaryCrossentropy()
>>> m.update_state([[1.0]], [[0.9]])
>>> m.name, round(m.result(), 4)  # -log(0.9)
('binary_crossentropy', 0.1054)
"""
CategoricalCrossentropy.__doc__ = """The mean categorical crossentropy (one-hot labels).

>>> m = CategoricalCrossentropy()
>>> m.update_state([[0, 1]], [[0.2, 0.8]])
>>> round(m.result(), 4)  # -log(0.8)
0.2231
"""
SparseCategoricalCrossentropy.__doc__ = """The mean crossentropy for integer class ids, as a metric.

>>> m = SparseCategoricalCrossentropy()
>>> m.update_state([1], [[0.2, 0.8]])
>>> round(m.result(), 4)  # -log(0.8)
0.2231
"""
Hinge.__doc__ = """The mean hinge loss, as a metric.

>>> m = Hinge()
>>> m.update_state([[1.0]], [[0.25]])
>>> m.result()  # max(1 - 1 * 0.25, 0)
0.75
"""


# ---------------------------------------------------------------------------------------
# "accuracy": which one depends on the labels, the predictions and the loss


@registry.register("accuracy", "acc")
class Accuracy(Metric):
    """'accuracy' whose kind (binary, categorical, sparse) is fixed by the first batch.

    Keras' rule: predictions of width 1 -> binary; labels of lower rank than the
    predictions, or of width 1 against wider predictions -> sparse categorical; otherwise
    categorical.

    >>> m = Accuracy("accuracy")
    >>> m.update_state(np.array([2, 0]), np.array([[0.1, 0.2, 0.7], [0.3, 0.6, 0.1]]))
    >>> m.kind, m.result()
    ('sparse_categorical_accuracy', 0.5)
    """

    def __init__(self, name: str = "accuracy", threshold: float = 0.5) -> None:
        self.threshold = threshold
        self.kind: str | None = None
        self._inner: Metric | None = None
        super().__init__(name)

    def reset_state(self) -> None:
        """Reset the running value; the kind chosen by the first batch is kept.

        >>> m = Accuracy()
        >>> m.update_state([1, 0], [[0.9], [0.8]])
        >>> m.reset_state()
        >>> m.kind, m.result()
        ('binary_accuracy', 0.0)
        """
        if self._inner is not None:
            self._inner.reset_state()

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Accumulate a batch; the first one decides the kind of accuracy.

        >>> m = Accuracy()
        >>> m.update_state([[0, 1], [1, 0]], [[0.3, 0.7], [0.4, 0.6]])
        >>> m.kind, m.result()
        ('categorical_accuracy', 0.5)
        """
        if self._inner is None:
            self.kind = accuracy_kind(np.shape(_array(y_true)), np.shape(_array(y_pred)))
            extra = {"threshold": self.threshold} if self.kind == "binary_accuracy" else {}
            self._inner = registry.lookup(self.kind)(name=self.name, **extra)
        self._inner.update_state(y_true, y_pred, sample_weight)

    def result(self) -> float:
        """The fraction of correct predictions so far (0.0 before any batch).

        >>> m = Accuracy()
        >>> m.update_state([1, 0, 1, 1], [[0.9], [0.2], [0.4], [0.6]])
        >>> m.result()
        0.75
        """
        return self._inner.result() if self._inner is not None else 0.0

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "threshold": self.threshold}


def accuracy_kind(true_shape: tuple[int, ...], pred_shape: tuple[int, ...]) -> str:
    """Keras' choice of accuracy from the label and prediction shapes.

    >>> accuracy_kind((8,), (8, 1)), accuracy_kind((8,), (8, 3)), accuracy_kind((8, 3), (8, 3))
    ('binary_accuracy', 'sparse_categorical_accuracy', 'categorical_accuracy')
    """
    if len(pred_shape) <= 1 or pred_shape[-1] == 1:
        return "binary_accuracy"
    if len(true_shape) < len(pred_shape) or (len(true_shape) and true_shape[-1] == 1):
        return "sparse_categorical_accuracy"
    return "categorical_accuracy"


def _accuracy(name: str, loss: Any, output_shape: Any) -> Metric:
    """The accuracy the loss or the output width already determines, else `Accuracy`."""
    loss = losses_module.get(loss) if isinstance(loss, str) else loss
    width = None if output_shape is None or len(output_shape) == 0 else output_shape[-1]
    if isinstance(loss, losses_module.BinaryCrossentropy) or width == 1:
        # logits cross the decision boundary at 0, probabilities at 0.5
        threshold = 0.0 if getattr(loss, "from_logits", False) else 0.5
        return BinaryAccuracy(name=name, threshold=threshold)
    if isinstance(loss, losses_module.SparseCategoricalCrossentropy):
        return SparseCategoricalAccuracy(name=name)
    if isinstance(loss, losses_module.CategoricalCrossentropy):
        return CategoricalAccuracy(name=name)
    return Accuracy(name)


def get(identifier: Any, loss: Any = None, output_shape: Any = None) -> Metric:
    """A Metric from a name, a Metric, or a function `fn(y_true, y_pred)` of per-sample values.

    The metric's `name` is the string given ('acc' stays 'acc'), since History keys use it.

    >>> get("acc", loss="binary_crossentropy")
    BinaryAccuracy(name='acc')
    >>> get("accuracy", loss="sparse_categorical_crossentropy")
    SparseCategoricalAccuracy(name='accuracy')
    >>> get("mae").name
    'mae'
    """
    if isinstance(identifier, str):
        if identifier.lower() in ("acc", "accuracy"):
            return _accuracy(identifier, loss, output_shape)
        return registry.lookup(identifier)(name=identifier)
    metric = registry.get(identifier)
    if isinstance(metric, Metric):
        return metric
    return MeanMetricWrapper(metric)
