"""Losses with Keras' names and formulas, composed of autograd ops (autograd gives gradients).

A loss *function* `fn(y_true, y_pred)` returns one loss per sample (the mean over the last
axis, as in Keras); a loss *class* instance returns their mean, a scalar Tensor to call
`backward()` on. `y_true` holds constants (Tensor, ndarray or list); `y_pred` is a Tensor.
The math is written once, in the function: each class is made from it (`FunctionLoss`), its
constructor taking the function's options with the same defaults.

>>> from autograd import Tensor
>>> y_pred = Tensor([[1.0, 1.0], [1.0, 0.0]], requires_grad=True)
>>> loss = MeanSquaredError()([[0.0, 1.0], [0.0, 0.0]], y_pred)
>>> loss
Tensor(0.5, requires_grad=True)
>>> loss.backward()
>>> y_pred.grad
array([[0.5, 0. ],
       [0.5, 0. ]])
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, ClassVar

import numpy as np

from autograd import Node, Tensor, softmax_cross_entropy
from autograd.arrays import ids_below
from autograd.engine import raw
from autograd.tracing import replayed
from nn.activations import softplus
from nn.registry import Registry

# Keras' backend.epsilon(): probabilities are clipped to [EPSILON, 1 - EPSILON] before log
EPSILON = 1e-7


# ---------------------------------------------------------------------------------------
# Inputs: labels become constant arrays of y_pred's dtype, lined up with y_pred


def _predictions(y_pred: Any) -> Tensor:
    if isinstance(y_pred, Node) and not isinstance(y_pred, Tensor):
        # converting a Value would silently cut it from its graph
        raise TypeError(f"a loss expects y_pred as a Tensor, received a {type(y_pred).__name__}")
    y_pred = y_pred if isinstance(y_pred, Tensor) else Tensor(y_pred)
    if y_pred.ndim == 0:
        raise ValueError("a loss expects predictions with at least one axis, received a scalar")
    return y_pred


def _labels(y_true: Any) -> np.ndarray:
    array = np.asarray(raw(y_true))
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"a loss expects numeric labels, received dtype {array.dtype}: {_short(y_true)}"
        )
    return array


def _short(x: Any) -> str:
    text = repr(x)
    return text if len(text) < 80 else text[:77] + "..."


def align(y_true: Any, y_pred: Any, then: Callable[[np.ndarray], np.ndarray] | None = None
          ) -> tuple[np.ndarray, Tensor]:
    """Labels as an array of y_pred's shape and dtype; `(n,)` lines up with `(n, 1)`.
    `then(labels)`, if given, checks or converts them further (it returns the labels).

    Any other shape mismatch is a ValueError: broadcasting labels `(n,)` against
    predictions `(n, 1)` would silently compare every label with every prediction.

    >>> y, p = align([1, 0, 1], Tensor(np.zeros((3, 1), dtype=np.float32)))
    >>> y.shape, y.dtype
    ((3, 1), dtype('float32'))
    """
    y_pred = _predictions(y_pred)
    labels = _labels(y_true)
    if then is None and labels.shape == y_pred.shape and labels.dtype == y_pred.dtype:
        return labels, y_pred  # as they are (an argument of a jit plan stays one)
    return _aligned(labels, y_pred.shape, y_pred.dtype, then), y_pred


# The label preparations below are `replayed`: inside a jitted training step they run again
# on each batch's labels (checks included) instead of being frozen at the trace's batch. (A
# decision on shapes and dtypes alone may be taken outside: jit's guards keep them.)
@replayed
def _aligned(labels: np.ndarray, shape: tuple[int, ...], dtype: np.dtype,
             then: Callable[[np.ndarray], np.ndarray] | None) -> np.ndarray:
    labels = line_up(labels, shape).astype(dtype, copy=False)
    return labels if then is None else then(labels)


def line_up(labels: np.ndarray, want: tuple[int, ...]) -> np.ndarray:
    """`labels` reshaped to `want` when they differ only by a trailing axis of size 1.

    Anything else is a ValueError: never broadcast `(n,)` against `(n, 1)` into `(n, n)`.

    >>> line_up(np.array([1, 0, 1]), (3, 1)).shape
    (3, 1)
    >>> line_up(np.array([1, 0]), (3, 1))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: y_true and y_pred shapes do not line up: y_true has shape (2,), y_pred has ...
    """
    if labels.shape != want:
        squeezed = labels.ndim == len(want) - 1 and want[-1] == 1 and labels.shape == want[:-1]
        extra = labels.ndim == len(want) + 1 and labels.shape == want + (1,)
        if not (squeezed or extra):
            raise ValueError(
                f"y_true and y_pred shapes do not line up: y_true has shape {labels.shape}, "
                f"y_pred has shape {want}. They must be equal, or differ only by a trailing "
                f"axis of size 1"
            )
        labels = labels.reshape(want)
    return labels


def line_up_ids(labels: np.ndarray, predictions: tuple[int, ...]) -> np.ndarray:
    """Class-id labels reshaped to `predictions[:-1]` (a trailing axis of 1 is dropped)."""
    want = predictions[:-1]
    if labels.shape == want + (1,):
        labels = labels.reshape(want)
    if labels.shape != want:
        raise ValueError(
            f"sparse labels must have shape {want} (or {want + (1,)}) to match predictions of "
            f"shape {predictions}, received labels of shape {labels.shape}"
        )
    return labels


def _logit_ids(y_true: Any, shape: tuple[int, ...]) -> np.ndarray:
    """The labels lined up with logits of `shape` (softmax_cross_entropy checks the ids)."""
    labels = _labels(y_true)
    return labels if labels.shape == shape[:-1] else _lined_up_ids(labels, shape)


_lined_up_ids = replayed(line_up_ids)


@replayed
def _one_hot_labels(y_true: Any, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """Sparse labels for predictions of `shape` as one-hot rows of `dtype`."""
    return _one_hot(_sparse_labels(y_true, shape), shape[-1], dtype)


def _sparse_labels(y_true: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Integer class ids of shape `shape[:-1]` for predictions of `shape` (a trailing axis of 1
    is dropped)."""
    labels = line_up_ids(_labels(y_true), shape)
    classes = shape[-1]
    if labels.dtype.kind in "iu" and ids_below(labels, classes):  # the usual batch: one pass
        return labels.astype(np.intp, copy=False)
    _require_class_ids(labels)
    if labels.size and labels.max() >= classes:
        raise ValueError(
            f"sparse labels must be class ids in [0, {classes - 1}] for predictions with "
            f"{classes} classes, received a label {labels.max()}"
        )
    return labels.astype(np.intp)


def _require_unit_interval(labels: np.ndarray) -> np.ndarray:
    """Binary crossentropy's labels are probabilities: a 2 would give a silently wrong loss."""
    if labels.size and (labels.min() < 0 or labels.max() > 1):
        raise ValueError(
            f"binary_crossentropy expects labels in [0, 1], received values from "
            f"{labels.min()} to {labels.max()}"
        )
    return labels


def _require_class_ids(labels: np.ndarray) -> None:
    if labels.dtype.kind in "iub" and (not labels.size or labels.min() >= 0):
        return  # integers: only the sign to check (one pass)
    if labels.size and (
        not np.all(np.isfinite(labels)) or np.any(labels < 0) or np.any(labels != np.round(labels))
    ):
        bad = labels[~(np.isfinite(labels) & (labels >= 0) & (labels == np.round(labels)))]
        raise ValueError(
            f"sparse categorical labels must be non-negative integer class ids, received "
            f"values such as {bad.ravel()[:5].tolist()}"
        )


def _one_hot(ids: np.ndarray, classes: int, dtype: np.dtype) -> np.ndarray:
    return (ids[..., None] == np.arange(classes)).astype(dtype)


def _log_probabilities(y_pred: Tensor, from_logits: bool, axis: int = -1) -> Tensor:
    if y_pred.shape[axis] < 2:
        raise ValueError(
            f"categorical crossentropy needs predictions with 2 or more classes along axis "
            f"{axis}, received shape {y_pred.shape}; use binary_crossentropy for one output"
        )
    if from_logits:
        return y_pred.log_softmax(axis=axis)
    # as Keras: rescale each row to sum to 1, then clip so that log stays finite
    normalized = y_pred / y_pred.sum(axis=axis, keepdims=True)
    return normalized.clip(EPSILON, 1.0 - EPSILON).log()


# ---------------------------------------------------------------------------------------
# Loss functions: one loss per sample


def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    """`mean((y_true - y_pred) ** 2, axis=-1)`.

    >>> mean_squared_error([[0.0, 1.0], [0.0, 0.0]], Tensor([[1.0, 1.0], [1.0, 0.0]]))
    Tensor([0.5, 0.5])
    """
    labels, y_pred = align(y_true, y_pred)
    return ((y_pred - labels) ** 2).mean(axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    """`mean(|y_true - y_pred|, axis=-1)`.

    >>> mean_absolute_error([[0.0, 1.0], [0.0, 0.0]], Tensor([[1.0, 1.0], [1.0, 0.0]]))
    Tensor([0.5, 0.5])
    """
    labels, y_pred = align(y_true, y_pred)
    return (y_pred - labels).abs().mean(axis=-1)


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False) -> Tensor:
    """`-mean(y log p + (1 - y) log(1 - p), axis=-1)`, finite for any input.

    Probabilities are clipped to `[1e-7, 1 - 1e-7]` (as Keras does). Logits `z` go through
    `softplus(z) - z * y`, which equals the crossentropy of `sigmoid(z)` without computing
    `log(0)` for large `|z|`.

    >>> binary_crossentropy([[0, 1], [0, 0]], Tensor([[0.6, 0.4], [0.4, 0.6]])).data.round(3)
    array([0.916, 0.714])
    """
    labels, y_pred = align(y_true, y_pred, _require_unit_interval)
    if from_logits:
        losses = softplus(y_pred) - y_pred * labels
    else:
        p = y_pred.clip(EPSILON, 1.0 - EPSILON)
        losses = -(p.log() * labels + (1.0 - p).log() * _complement(labels))
    return losses.mean(axis=-1)


def categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, axis: int = -1
) -> Tensor:
    """`-sum(y_true * log(p), axis)` for one-hot (or distribution) labels.

    Logits go through the stable `log_softmax`; probabilities are rescaled to sum to 1 and
    clipped to `[1e-7, 1 - 1e-7]`, as in Keras.

    >>> y_true = [[0, 1, 0], [0, 0, 1]]
    >>> categorical_crossentropy(y_true, Tensor([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])).data.round(4)
    array([0.0513, 2.3026])
    """
    labels, y_pred = align(y_true, y_pred)
    return -(_log_probabilities(y_pred, from_logits, axis) * labels).sum(axis=axis)


def _from_logits(y_true: Any, y_pred: Any, reduction: str) -> Tensor:
    """Sparse crossentropy from logits: the engine's fused primitive (stable, its gradient is
    softmax - one_hot), which checks the class ids itself (integers, in range)."""
    y_pred = _predictions(y_pred)
    return softmax_cross_entropy(y_pred, _logit_ids(y_true, y_pred.shape), reduction=reduction)


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False) -> Tensor:
    """Categorical crossentropy with integer class ids as labels (shape `(n,)` or `(n, 1)`).

    >>> y_pred = Tensor([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    >>> sparse_categorical_crossentropy([1, 2], y_pred).data.round(4)
    array([0.0513, 2.3026])
    """
    if from_logits:
        return _from_logits(y_true, y_pred, "none")
    y_pred = _predictions(y_pred)
    one_hot = _one_hot_labels(y_true, y_pred.shape, y_pred.dtype)
    return -(_log_probabilities(y_pred, from_logits) * one_hot).sum(axis=-1)


def hinge(y_true: Any, y_pred: Any) -> Tensor:
    """`mean(max(1 - y_true * y_pred, 0), axis=-1)`; labels in {0, 1} become {-1, 1}.

    >>> hinge([[0.0, 1.0], [0.0, 0.0]], Tensor([[0.6, 0.4], [0.4, 0.6]])).data.round(2)
    array([1.1, 1.5])
    """
    labels, y_pred = align(y_true, y_pred, _signed)
    return (1.0 - y_pred * labels).relu().mean(axis=-1)


@replayed  # numpy on the labels: redone on each batch's in a jit plan
def _complement(labels: np.ndarray) -> np.ndarray:
    return 1.0 - labels  # type: ignore[no-any-return]


def _signed(labels: np.ndarray) -> np.ndarray:
    """Keras converts a batch of binary labels {0, 1} to {-1, 1}."""
    return 2 * labels - 1 if np.isin(labels, (0, 1)).all() else labels


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Tensor:
    """Quadratic `0.5 e**2` for errors `|e| <= delta`, linear `delta |e| - 0.5 delta**2` beyond.

    >>> huber([[0, 1], [0, 0]], Tensor([[0.6, 0.4], [0.4, 0.6]])).data.round(3)
    array([0.18, 0.13])
    """
    labels, y_pred = align(y_true, y_pred)
    size = (y_pred - labels).abs()
    # min(|e|, delta) carries both pieces: 0.5 m**2 + delta (|e| - m). No branch on the data
    # in Python, so a jit plan replays it as it is
    small = size.clip(None, delta)
    return (small * small * 0.5 + (size - small) * delta).mean(axis=-1)


# Keras' short aliases
mse = mean_squared_error
mae = mean_absolute_error


# ---------------------------------------------------------------------------------------
# Loss classes: a scalar mean over samples


class Loss:
    """Base class: `__call__(y_true, y_pred)` is the mean of `call()`'s per-sample losses.

    Subclasses implement `call` and may tighten `check_labels`, which a model runs once on
    the whole label array before training so that bad labels fail early. `sample_weight`
    weighs each sample's loss (the sum is still divided by the number of samples, as Keras).

    >>> class MeanFourthPower(Loss):
    ...     def call(self, y_true, y_pred):
    ...         return ((y_pred - np.asarray(y_true)) ** 4).mean(axis=-1)
    >>> loss = MeanFourthPower()
    >>> loss([[1.0], [2.0]], Tensor([[0.0], [0.0]])), loss.name
    (Tensor(8.5), 'loss')
    >>> MeanSquaredError()([[1.0], [2.0]], Tensor([[0.0], [0.0]]), sample_weight=[1.0, 0.0])
    Tensor(0.5)
    """

    name = "loss"

    def __init__(self, name: str | None = None) -> None:
        if name is not None:
            self.name = name

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        """One loss per sample, a Tensor of shape `y_pred.shape[:-1]`; `__call__` averages.

        >>> MeanSquaredError().call([[1.0], [2.0]], Tensor([[0.0], [0.0]]))
        Tensor([1., 4.])
        """
        raise NotImplementedError

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        losses = self.call(y_true, y_pred)
        if sample_weight is None:
            return losses.mean()
        weights = np.asarray(sample_weight, dtype=losses.dtype)
        if weights.shape != losses.shape:
            raise ValueError(
                f"sample_weight must have one weight per sample, shape {losses.shape}, "
                f"received shape {weights.shape}"
            )
        # Keras' "sum_over_batch_size": weighted sum divided by the number of samples
        return (losses * weights).sum() * (1.0 / max(losses.size, 1))

    def check_labels(self, y_true: Any) -> None:
        """Raise ValueError for labels this loss cannot use (here: not finite numbers).

        >>> MeanSquaredError().check_labels([1.0, float("nan")])
        Traceback (most recent call last):
        ...
        ValueError: mean_squared_error expects finite labels, received NaN or inf
        """
        labels = _labels(y_true)
        if labels.dtype.kind == "f" and labels.size and not np.isfinite(labels).all():
            raise ValueError(f"{self.name} expects finite labels, received NaN or inf")

    def get_config(self) -> dict[str, Any]:
        """The loss's settings (what `repr` shows), as Keras' `get_config`.

        >>> MeanSquaredError().get_config()
        {'name': 'mean_squared_error'}
        """
        return {"name": self.name}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class LossFunctionWrapper(Loss):
    """A loss class around a function `fn(y_true, y_pred, **kwargs)` of per-sample losses.

    >>> wrapped = LossFunctionWrapper(huber, delta=0.5)
    >>> wrapped.name
    'huber'
    """

    def __init__(self, fn: Callable[..., Tensor], name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name if name is not None else getattr(fn, "__name__", "loss"))
        self.fn = fn
        self.kwargs = kwargs

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        """`fn(y_true, y_pred, **kwargs)`, checked to be a Tensor.

        >>> LossFunctionWrapper(mean_absolute_error).call([[1.0], [2.0]], Tensor([[0.0], [0.0]]))
        Tensor([1., 2.])
        """
        losses = self.fn(y_true, y_pred, **self.kwargs)
        if not isinstance(losses, Tensor):
            raise TypeError(
                f"loss function {self.name!r} must return a Tensor, received "
                f"{type(losses).__name__}"
            )
        return losses

    def get_config(self) -> dict[str, Any]:
        """The name and the keyword arguments passed on to `fn`.

        >>> Huber(delta=2.0).get_config()
        {'name': 'huber_loss', 'delta': 2.0}
        """
        return {"name": self.name, **self.kwargs}


class FunctionLoss(LossFunctionWrapper):
    """A loss class made from its loss function, which holds the math (written once).

    A subclass names the function (`function = staticmethod(fn)`) and, when it is not the
    function's name, its default `name`. Its constructor is generated from the function's
    signature: the function's keyword options with the same defaults, then `name`; each
    option is kept as an attribute and in `get_config()`. `check_options` may refuse a bad
    option early; `get()` turns the plain function into its class (with the label checks).

    >>> def mean_power_error(y_true, y_pred, power=4):
    ...     return ((y_pred - np.asarray(y_true)) ** power).mean(axis=-1)
    >>> class MeanPowerError(FunctionLoss):
    ...     function = staticmethod(mean_power_error)
    >>> loss = MeanPowerError(power=2)
    >>> loss, loss.power, loss([[1.0], [2.0]], Tensor([[0.0], [0.0]]))
    (MeanPowerError(name='mean_power_error', power=2), 2, Tensor(2.5))
    """

    function: ClassVar[Callable[..., Tensor]]
    _signature: ClassVar[inspect.Signature]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fn = cls.function
        options = list(inspect.signature(fn).parameters.values())[2:]  # after y_true, y_pred
        name = cls.__dict__.get("name", getattr(fn, "__name__", "loss"))
        cls.name = name
        keyword = inspect.Parameter.POSITIONAL_OR_KEYWORD
        cls._signature = inspect.Signature(
            [p.replace(kind=keyword) for p in options]
            + [inspect.Parameter("name", keyword, default=name, annotation="str")]
        )
        cls.__signature__ = cls._signature  # type: ignore[attr-defined]  # help() and inspect
        _CLASS_OF.setdefault(fn, cls)  # the library's own class, not a user's subclass

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{type(self).__name__}{self._signature}: {error}") from None
        bound.apply_defaults()
        options = dict(bound.arguments)
        name = options.pop("name")
        self.check_options(**options)
        super().__init__(type(self).function, name=name, **options)
        for option, value in options.items():
            setattr(self, option, value)

    def check_options(self, **options: Any) -> None:
        """Raise ValueError for an option the loss cannot use (here: accept any).

        >>> Huber(delta=0.0)
        Traceback (most recent call last):
        ...
        ValueError: Huber expects delta > 0, received delta=0.0
        """


# plain functions that have a class: get(fn) returns the class, with its label checks
_CLASS_OF: dict[Callable[..., Tensor], type[Loss]] = {}

registry: Registry[Any] = Registry("loss", base=Loss)


@registry.register("mean_squared_error", "mse")
class MeanSquaredError(FunctionLoss):
    """The mean of squared errors.

    >>> MeanSquaredError()([[0.0, 1.0], [0.0, 0.0]], Tensor([[1.0, 1.0], [1.0, 0.0]]))
    Tensor(0.5)
    """

    function = staticmethod(mean_squared_error)


@registry.register("mean_absolute_error", "mae")
class MeanAbsoluteError(FunctionLoss):
    """The mean of absolute errors.

    >>> MeanAbsoluteError()([[0.0, 1.0], [0.0, 0.0]], Tensor([[1.0, 1.0], [1.0, 0.0]]))
    Tensor(0.5)
    """

    function = staticmethod(mean_absolute_error)


@registry.register("binary_crossentropy")
class BinaryCrossentropy(FunctionLoss):
    """Crossentropy for labels in [0, 1] against probabilities (or logits, `from_logits=True`).

    >>> bce = BinaryCrossentropy(from_logits=True)
    >>> round(bce([0, 1, 0, 0], Tensor([-18.6, 0.51, 2.94, -12.8])).item(), 3)
    0.865
    """

    function = staticmethod(binary_crossentropy)
    from_logits: bool

    def check_labels(self, y_true: Any) -> None:
        """Labels must be finite and in [0, 1].

        >>> BinaryCrossentropy().check_labels([0, 2])
        Traceback (most recent call last):
        ...
        ValueError: binary_crossentropy expects labels in [0, 1], received values from 0 to 2
        """
        super().check_labels(y_true)
        _require_unit_interval(_labels(y_true))


@registry.register("categorical_crossentropy")
class CategoricalCrossentropy(FunctionLoss):
    """Crossentropy for one-hot labels against class probabilities (or logits).

    >>> cce = CategoricalCrossentropy()
    >>> round(cce([[0, 1, 0], [0, 0, 1]], Tensor([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])).item(), 3)
    1.177
    """

    function = staticmethod(categorical_crossentropy)
    from_logits: bool
    axis: int

    def check_labels(self, y_true: Any) -> None:
        """Labels must be rows in [0, 1] that sum to 1 (one-hot); class ids get a hint.

        >>> CategoricalCrossentropy().check_labels([0, 2])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: ...; for integer class ids use sparse_categorical_crossentropy
        """
        super().check_labels(y_true)
        labels = _labels(y_true)
        if not labels.size:
            return
        hint = (
            "; for integer class ids use sparse_categorical_crossentropy"
            if labels.ndim < 2 or labels.shape[-1] == 1
            else ""
        )
        if labels.min() < 0 or labels.max() > 1:
            raise ValueError(
                f"categorical_crossentropy expects one-hot labels in [0, 1], received values "
                f"from {labels.min()} to {labels.max()}{hint}"
            )
        sums = labels.sum(axis=-1) if labels.ndim else labels
        if labels.ndim < 2 or not np.allclose(sums, 1.0, atol=1e-3):
            raise ValueError(
                f"categorical_crossentropy expects each label row to be one-hot (summing to "
                f"1), received labels of shape {labels.shape} with row sums such as "
                f"{np.ravel(sums)[:3].tolist()}{hint}"
            )


@registry.register("sparse_categorical_crossentropy")
class SparseCategoricalCrossentropy(FunctionLoss):
    """Crossentropy for integer class ids against class probabilities (or logits).

    >>> scce = SparseCategoricalCrossentropy()
    >>> round(scce([1, 2], Tensor([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])).item(), 3)
    1.177
    """

    function = staticmethod(sparse_categorical_crossentropy)
    from_logits: bool

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        """The mean loss; from logits without sample weights it is one fused node.

        >>> loss = SparseCategoricalCrossentropy(from_logits=True)
        >>> out = loss([0, 1], Tensor([[2.0, 0.0], [0.0, 0.0]], requires_grad=True))
        >>> round(out.item(), 4), out.op
        (0.41, 'softmax_cross_entropy')
        """
        if sample_weight is None and self.from_logits:
            return _from_logits(y_true, y_pred, "mean")
        return super().__call__(y_true, y_pred, sample_weight)

    def check_labels(self, y_true: Any) -> None:
        """Labels must be non-negative integer class ids (ints or whole floats).

        >>> SparseCategoricalCrossentropy().check_labels([0.0, 2.0])  # whole floats pass
        >>> SparseCategoricalCrossentropy().check_labels([0.5])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: sparse categorical labels must be non-negative integer class ids, ...
        """
        super().check_labels(y_true)
        _require_class_ids(_labels(y_true))


@registry.register("hinge")
class Hinge(FunctionLoss):
    """`max(1 - y_true * y_pred, 0)` for labels in {-1, 1} (or {0, 1}, converted).

    >>> round(Hinge()([[0.0, 1.0], [0.0, 0.0]], Tensor([[0.6, 0.4], [0.4, 0.6]])).item(), 3)
    1.3
    """

    function = staticmethod(hinge)

    def check_labels(self, y_true: Any) -> None:
        """Labels must all be in {-1, 1} or all in {0, 1}.

        >>> Hinge().check_labels([0, 2])
        Traceback (most recent call last):
        ...
        ValueError: hinge expects labels in {-1, 1} or {0, 1}, received the values [0, 2]
        """
        super().check_labels(y_true)
        labels = np.unique(_labels(y_true))
        if not (np.isin(labels, (-1, 1)).all() or np.isin(labels, (0, 1)).all()):
            raise ValueError(
                f"hinge expects labels in {{-1, 1}} or {{0, 1}}, received the values "
                f"{labels[:6].tolist()}"
            )


@registry.register("huber", "huber_loss")
class Huber(FunctionLoss):
    """Squared error for small errors, absolute error beyond `delta`.

    >>> round(Huber()([[0, 1], [0, 0]], Tensor([[0.6, 0.4], [0.4, 0.6]])).item(), 3)
    0.155
    """

    function = staticmethod(huber)
    name = "huber_loss"
    delta: float

    def check_options(self, delta: float) -> None:  # type: ignore[override]
        if not delta > 0:
            raise ValueError(f"Huber expects delta > 0, received delta={delta}")


def get(identifier: Any) -> Loss:
    """A Loss instance from a name, a Loss, a class or a plain function `fn(y_true, y_pred)`.

    >>> get("mse")
    MeanSquaredError(name='mean_squared_error')
    >>> get("BinaryCrossentropy").name
    'binary_crossentropy'
    >>> get(lambda y_true, y_pred: (y_pred - y_true).abs()).name
    '<lambda>'
    """
    loss = registry.get(identifier)
    if isinstance(loss, Loss):
        return loss
    for fn, cls in _CLASS_OF.items():
        if loss is fn:
            return cls()
    return LossFunctionWrapper(loss)
