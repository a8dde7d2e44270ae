"""`compile`, `fit`, `evaluate`, `predict`: Keras' training API as a plain loop over the engine.

Each training step is exactly what a hand-written loop does, so nothing is hidden:

    out = model(Tensor(x_batch), training=True)
    loss = model.loss(y_batch, out)
    for w in model.trainable_weights: w.grad = None
    loss.backward()
    model.optimizer.step(model.trainable_weights)

Metrics are updated on raw arrays (no graph), callbacks that ignore batches cost nothing per
batch, and the progress bar redraws at most 20 times a second.

A NaN or infinite loss stops `fit` before the bad update is applied: it raises
`NonFiniteLossError` naming the epoch and batch (the History so far is on the error and on
`model.history`), unless `callbacks=[TerminateOnNaN()]` asks to stop quietly and return it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from autograd import Tensor, no_grad
from nn import losses as losses_module
from nn import metrics as metrics_module
from nn import optimizers as optimizers_module
from nn import compiled
from nn import utils as nn_utils
from nn.callbacks import (
    CallbackList,
    History,
    ProgbarLogger,
    TerminateOnNaN,
    check_callbacks,
)
from nn.progress import Progbar
from nn.regularizers import penalties, regularized_weights
from nn.sample_weights import check_sample_weight, sample_weights, update_metrics, weighted_loss

_COMPILE_NOOPS = ("run_eagerly", "steps_per_execution")


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite during `fit`; `.epoch` and `.batch` count from 1.

    `.history` is the History up to the last finished epoch; the weights are left as they
    were before the bad batch.

    >>> import nn
    >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=1, kernel_initializer="ones")])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> try:
    ...     model.fit([[1e20]], [0.0], verbose=0)  # (1e20)**2 overflows float32
    ... except nn.NonFiniteLossError as error:
    ...     print(error.epoch, error.batch, str(error).split(" at ")[0])
    1 1 fit stopped: the loss became inf
    """

    def __init__(self, message: str, epoch: int, batch: int, history: History) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.batch = batch
        self.history = history


class TrainingMixin:
    """The training half of `nn.Model` (see the module docstring): Keras' `compile`, `fit`,
    `evaluate`, `predict` and their one-batch forms.

    >>> import numpy as np, nn
    >>> nn.utils.set_random_seed(0)
    >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=1)])
    >>> model.compile(optimizer=nn.optimizers.SGD(0.1), loss="mse")
    >>> x = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> losses = model.fit(x, 2 * x + 1, epochs=5, verbose=0).history["loss"]
    >>> losses[-1] < losses[0], model.predict(x, verbose=0).shape
    (True, (4, 1))
    """

    # provided by Model
    name: str
    stop_training: bool
    history: Any
    _batch_input_shape: Any

    if TYPE_CHECKING:  # declared, not defined: Model's property must stay the one that runs

        @property
        def dtype(self) -> np.dtype: ...

    def _reset_compile(self) -> None:
        self.optimizer: Any = None
        self.loss: Any = None
        self.compiled = False
        self._metric_ids: list[Any] = []
        self._metrics: list[Any] = []  # the unweighted ones first, then the weighted_metrics
        self._plain_metrics = 0  # how many of _metrics are unweighted
        self._metrics_shape: Any = None
        self._jit_compile = False

    # -- compile -----------------------------------------------------------------------------
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        metrics: Any = None,
        weighted_metrics: Any = None,
        **kwargs: Any,
    ) -> None:
        """Choose the optimizer, the loss and the metrics (names or objects).

        Unknown names raise ValueError listing the valid ones. As in Keras, `metrics` ignore
        `fit`'s sample weights and `weighted_metrics` use them (named `weighted_<name>` when
        a metric of `metrics` has the same name).

        >>> import nn
        >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=2)])
        >>> model.compile(optimizer=nn.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
        >>> model.optimizer
        SGD(learning_rate=0.1, momentum=0.0, nesterov=False)
        >>> model.loss.name, model.metrics_names
        ('mean_squared_error', ['loss', 'mae'])
        """
        self._jit_compile = compiled.choice(kwargs.pop("jit_compile", "auto"))
        self.__dict__.pop("_jit_plans", None)  # nn/compiled.py's: forward passes, train steps
        self.__dict__.pop("_jit_steps", None)
        unknown = [k for k in kwargs if k not in _COMPILE_NOOPS]
        if unknown:
            raise TypeError(
                f"compile() got unexpected keyword argument(s) {', '.join(map(repr, unknown))}; "
                "it accepts optimizer, loss, metrics and weighted_metrics"
            )
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = losses_module.get(loss) if loss is not None else None
        ids = _metric_list(metrics)
        self._plain_metrics = len(ids)
        self._metric_ids = ids + _metric_list(weighted_metrics)
        self._metrics_shape = None
        self._metrics = self._make_metrics(self._known_output_shape())
        names = [m.name for m in self._metrics]
        clashes = sorted({n for n in names if names.count(n) > 1 or n == "loss"})
        if clashes:
            raise ValueError(
                f"compile: metric names must be unique and not 'loss', received {names}"
            )
        self.compiled = True

    def _known_output_shape(self) -> Any:
        try:
            return self.output_shape  # type: ignore[attr-defined]
        except AttributeError:
            return None

    def _make_metrics(self, output_shape: Any) -> list[Any]:
        self._metrics_shape = output_shape
        made = [
            metrics_module.get(m, loss=self.loss, output_shape=output_shape)
            for m in self._metric_ids
        ]
        plain = {m.name for m in made[: self._plain_metrics]}
        for m in made[self._plain_metrics :]:
            if m.name in plain:  # Keras' name for a weighted twin
                m.name = f"weighted_{m.name}"
        return made

    def _ready_metrics(self) -> list[Any]:
        """The compiled metrics, re-resolved once the model's output shape is known."""
        shape = self._known_output_shape()
        if shape is not None and shape != self._metrics_shape:
            self._metrics = self._make_metrics(shape)
        return self._metrics

    @property
    def losses(self) -> list[Tensor]:
        """The penalties of the trainable weights' regularizers, one 0-d Tensor each, as
        Keras' `model.losses`; `fit` and `evaluate` add their sum to the loss.

        >>> import nn
        >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=2, kernel_initializer="ones",
        ...                                        kernel_regularizer=nn.regularizers.L1(0.5))])
        >>> [float(p.item()) for p in model.losses]  # 0.5 * (1 + 1)
        [1.0]
        """
        return penalties(regularized_weights(self))

    @property
    def metrics_names(self) -> list[str]:
        """'loss' and the compiled metrics' names: the order `evaluate` returns them in.

        >>> import nn
        >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=2)])
        >>> model.compile(loss="binary_crossentropy", metrics=["acc"])
        >>> model.metrics_names
        ['loss', 'acc']
        """
        return ["loss"] + [m.name for m in self._metrics]

    def _require_compiled(self, what: str) -> None:
        if not self.compiled:
            raise RuntimeError(
                f"You must compile the model before {what}: call "
                "model.compile(optimizer=..., loss=...) first"
            )
        if self.loss is None:
            raise ValueError(
                f"{what}: the model was compiled without a loss; pass compile(loss=...)"
            )

    # -- data ----------------------------------------------------------------------------------
    def _inputs(self, x: Any, where: str) -> np.ndarray:
        """x as an array of the model's dtype, 1-D as a column, checked against input_shape."""
        if x is None:
            raise ValueError(f"{where}: x is required")
        x = _numeric(x, "x", where)
        if x.ndim == 0:
            raise ValueError(f"{where}: x must be a batch of samples, received the scalar {x!r}")
        given = x.shape
        if x.ndim == 1:
            x = x.reshape(-1, 1)  # as Keras: a 1-D x is one feature per sample
        if len(x) == 0:
            raise ValueError(f"{where}: x holds no samples")
        x = x.astype(self.dtype, copy=False)
        if self._batch_input_shape is None:
            self.build((None,) + x.shape[1:])  # type: ignore[attr-defined]
        expected = tuple(self._batch_input_shape)
        if len(x.shape) != len(expected) or any(
            e is not None and e != got for e, got in zip(expected[1:], x.shape[1:])
        ):
            read = f" (a 1-D x is one feature per sample: {x.shape})" if len(given) == 1 else ""
            raise ValueError(
                f"{where}: the model expects inputs of shape {expected} (each sample "
                f"{expected[1:]}), but x has shape {given}{read}"
                + _one_sample_hint(given, expected)
            )
        return x

    def _targets(self, y: Any, count: int, where: str, output_shape: Any = None) -> np.ndarray:
        """y as an array checked against the output's shape (`output_shape`: one output of
        several, else the model's)."""
        if y is None:
            raise ValueError(f"{where}: y (the targets) is required")
        y = _numeric(y, "y", where)
        if y.ndim == 0:
            raise ValueError(f"{where}: y must hold one target per sample, received a scalar")
        if len(y) != count:
            raise ValueError(
                f"{where}: x and y must have the same number of samples, received {count} in x "
                f"and {len(y)} in y"
            )
        shape = self.output_shape if output_shape is None else output_shape  # type: ignore[attr-defined]
        out = tuple(shape[1:])
        if y.ndim == 1 and out == (1,):
            y = y.reshape(-1, 1)
        sample = y.shape[1:]
        if sample != out and sample not in ((), (1,)):
            raise ValueError(
                f"{where}: each target has shape {sample}, but the model outputs {out} per "
                f"sample; y of shape {y.shape} does not fit outputs of shape {(None,) + out}"
            )
        if y.dtype.kind in "iu" and sample != out:
            return y  # class indices (sparse labels) stay integers
        return y.astype(self.dtype, copy=False)

    def _dataset(self, x: Any, y: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
        x = self._inputs(x, where)
        y = self._targets(y, len(x), where)
        self.loss.check_labels(y)
        return x, y

    # -- fit -----------------------------------------------------------------------------------
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: Any = "auto",
        callbacks: Any = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: bool = True,
        class_weight: Any = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
    ) -> History:
        """Train for `epochs` passes over (x, y) in mini-batches of `batch_size` (default 32).

        Returns the `History`: `history.history['loss']`, the metrics by the names given to
        `compile`, and `val_`-prefixed ones with validation data. Every input is checked
        before the first step. `sample_weight` (one per sample) or `class_weight` ({class:
        weight}) weigh each sample's loss, as Keras (see `nn.sample_weights`); the compiled
        metrics stay unweighted, as Keras' `metrics` (not `weighted_metrics`) do.

        >>> import numpy as np, nn
        >>> nn.utils.set_random_seed(0)
        >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=1)])
        >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        >>> x = np.arange(8.0).reshape(-1, 1)
        >>> history = model.fit(x, 2 * x, batch_size=4, epochs=2, validation_split=0.25, verbose=0)
        >>> sorted(history.history), history.epoch
        (['loss', 'mae', 'val_loss', 'val_mae'], [0, 1])
        """
        self._require_compiled("fit")
        batch_size = _check_batch_size(batch_size, "fit")
        verbose = _check_verbose(verbose, "fit")
        epochs = _check_count(epochs, "epochs")
        initial_epoch = _check_count(initial_epoch, "initial_epoch")
        if not isinstance(shuffle, (bool, np.bool_)):
            raise TypeError(f"fit expects shuffle=True or False, received {shuffle!r}")
        x, y = self._dataset(x, y, "fit")
        sw = sample_weights(y, sample_weight, class_weight, len(x), "fit")
        val: tuple[Any, Any, np.ndarray | None] | None = None  # x, y and weights (or None)
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError(
                    "fit expects validation_data=(x_val, y_val) or (x_val, y_val, "
                    f"sample_weight_val), received {type(validation_data).__name__} of length "
                    f"{_length(validation_data)}"
                )
            x_val, y_val, *w_val = validation_data
            x_val, y_val = self._dataset(x_val, y_val, "fit(validation_data)")
            w = None if not w_val or w_val[0] is None else w_val[0]
            where = "fit(validation_data)"
            val = (x_val, y_val, None if w is None else check_sample_weight(w, len(x_val), where))
        elif validation_split:
            x, y, sw, val = _split(x, y, sw, validation_split)
            if class_weight is not None:  # as Keras: class weights weigh the training part only
                val = (*val[:2], None)
        metrics = self._ready_metrics()
        names = ["loss"] + [m.name for m in metrics]
        steps = math.ceil(len(x) / batch_size)
        history = History()
        progbar = ProgbarLogger(verbose) if verbose else None
        user = check_callbacks(callbacks)
        params = {
            "epochs": epochs,
            "steps": steps,
            "verbose": verbose,
            "metrics": names + ([f"val_{n}" for n in names] if val is not None else []),
        }
        # Keras 3's order (callbacks.CallbackList): the user's, History, then the progress bar,
        # which so shows what they add to the epoch's logs (ReduceLROnPlateau's learning_rate)
        cbs = CallbackList(user + [history] + ([progbar] if progbar else []), self, params)
        self.history = history
        self.stop_training = False
        cbs.call("on_train_begin", None)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            # overflow is caught below as a non-finite loss, with a clearer message than numpy's
            logs = self._epochs(
                x, y, sw, val, batch_size, epochs, initial_epoch, shuffle, cbs, progbar, history
            )
        cbs.call("on_train_end", logs)
        return history

    def _epochs(
        self,
        x: np.ndarray,
        y: np.ndarray,
        sw: np.ndarray | None,
        val: Any,
        batch_size: int,
        epochs: int,
        initial_epoch: int,
        shuffle: bool,
        cbs: CallbackList,
        progbar: Any,
        history: History,
    ) -> dict[str, float]:
        metrics = self._metrics
        # (regularizer, weight) pairs, added to the loss
        train = compiled.Trainer(self, regularized_weights(self))
        terminate = cbs.find(TerminateOnNaN) is not None
        batch_hooks = cbs.batch_hooks
        n = len(x)
        steps = math.ceil(n / batch_size)
        logs: dict[str, float] = {}
        for epoch in range(initial_epoch, epochs):
            for metric in metrics:
                metric.reset_state()
            cbs.call("on_epoch_begin", epoch, None)
            order = nn_utils.rng().permutation(n) if shuffle else None
            total, seen, done = 0.0, 0, 0
            for step in range(steps):
                lo, hi = step * batch_size, min((step + 1) * batch_size, n)
                rows = slice(lo, hi) if order is None else order[lo:hi]
                xb, yb = x[rows], y[rows]
                wb = None if sw is None else sw[rows]
                if batch_hooks:
                    cbs.call_batch("on_train_batch_begin", step, None)
                value, out = train(xb, yb, wb)
                finite = math.isfinite(value)
                if finite and metrics:
                    update_metrics(metrics, self._plain_metrics, yb, out.data, wb)
                total += value * (hi - lo)
                seen += hi - lo
                done = step + 1
                if batch_hooks or not finite:
                    logs = _logs(total / seen, metrics)
                    cbs.call_batch("on_train_batch_end", step, logs)
                if not finite and not terminate:
                    raise self._nonfinite(value, epoch, epochs, step, steps, history)
                if self.stop_training:
                    break
            logs = _logs(total / seen, metrics)
            if val is not None and finite:
                cbs.call("on_test_begin", None)
                val_logs = self._test_loop(val[0], val[1], batch_size, None, weights=val[2])
                cbs.call("on_test_end", val_logs)
                logs.update({f"val_{k}": v for k, v in val_logs.items()})
            if progbar is not None:
                progbar.steps_done = done
            cbs.call("on_epoch_end", epoch, logs)
            if self.stop_training:
                break
        return logs

    def _nonfinite(
        self, value: float, epoch: int, epochs: int, step: int, steps: int, history: History
    ) -> NonFiniteLossError:
        last = history.history.get("loss", [])
        before = f"the last epoch's loss was {last[-1]:.6g}" if last else "it was the first epoch"
        message = (
            f"fit stopped: the loss became {value} at epoch {epoch + 1}/{epochs}, batch "
            f"{step + 1}/{steps} ({before}). The weights are left as they were before that batch. "
            "Usual causes: a learning rate too large for the scale of the data (lower it, or "
            "standardize x and y), or an overflow in the model. To stop quietly and keep the "
            "History instead, pass callbacks=[nn.callbacks.TerminateOnNaN()]."
        )
        return NonFiniteLossError(message, epoch + 1, step + 1, history)

    # -- evaluate / predict --------------------------------------------------------------------
    def _test_loop(
        self,
        x: np.ndarray,
        y: np.ndarray,
        batch_size: int,
        bar: Progbar | None,
        cbs: CallbackList | None = None,
        weights: np.ndarray | None = None,
    ) -> dict[str, float]:
        metrics = self._metrics
        penalties = regularized_weights(self)
        for metric in metrics:
            metric.reset_state()
        total, seen = 0.0, 0
        with no_grad(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for step, lo in enumerate(range(0, len(x), batch_size)):
                if cbs is not None:
                    cbs.call_batch("on_test_batch_begin", step, None)
                xb, yb = x[lo : lo + batch_size], y[lo : lo + batch_size]
                wb = None if weights is None else weights[lo : lo + batch_size]
                out = compiled.forward(self, xb)
                total += float(weighted_loss(self.loss, yb, out, wb, penalties).data) * len(xb)
                seen += len(xb)
                update_metrics(metrics, self._plain_metrics, yb, out.data, wb)
                if cbs is not None:
                    cbs.call_batch("on_test_batch_end", step, _logs(total / seen, metrics))
                if bar is not None:
                    bar.update(step + 1, list(_logs(total / seen, metrics).items()))
        return _logs(total / seen, metrics)

    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: Any = "auto",
        return_dict: bool = False,
        callbacks: Any = None,
        sample_weight: Any = None,
    ) -> Any:
        """The loss (a float) without metrics, else [loss, metric, ...] (or a dict with
        `return_dict=True`), averaged over all of x in batches, without training.
        `sample_weight` weighs the loss as in `fit` (not the metrics).

        >>> import numpy as np, nn
        >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=1, kernel_initializer="ones")])
        >>> model.compile(loss="mse", metrics=["mae"])
        >>> model.evaluate(np.array([[1.0], [2.0]]), np.array([2.0, 2.0]), verbose=0)
        [0.5, 0.5]
        """
        self._require_compiled("evaluate")
        batch_size = _check_batch_size(batch_size, "evaluate")
        verbose = _check_verbose(verbose, "evaluate")
        x, y = self._dataset(x, y, "evaluate")
        sw = None if sample_weight is None else check_sample_weight(sample_weight, len(x), "evaluate")
        self._ready_metrics()
        steps = math.ceil(len(x) / batch_size)
        bar = Progbar(steps) if verbose == 1 else None
        cbs = CallbackList(check_callbacks(callbacks), self, {"steps": steps, "verbose": verbose})
        cbs.call("on_test_begin", None)
        logs = self._test_loop(x, y, batch_size, bar, cbs, weights=sw)
        cbs.call("on_test_end", logs)
        if verbose == 2:
            print(Progbar(steps).summary_line(steps, list(logs.items())))
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(
        self, x: Any, batch_size: int | None = None, verbose: Any = "auto", callbacks: Any = None
    ) -> np.ndarray:
        """The model's outputs for x as an ndarray, computed in batches without a graph.

        >>> import nn
        >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=2, kernel_initializer="ones")])
        >>> model.predict([[1.0, 2.0], [3.0, 4.0]], verbose=0)
        array([[3.],
               [7.]], dtype=float32)
        """
        batch_size = _check_batch_size(batch_size, "predict")
        verbose = _check_verbose(verbose, "predict")
        x = self._inputs(x, "predict")
        steps = math.ceil(len(x) / batch_size)
        bar = Progbar(steps) if verbose == 1 else None
        cbs = CallbackList(check_callbacks(callbacks), self, {"steps": steps, "verbose": verbose})
        cbs.call("on_predict_begin", None)
        outputs = []
        with no_grad():
            for step, lo in enumerate(range(0, len(x), batch_size)):
                cbs.call_batch("on_predict_batch_begin", step, None)
                out = compiled.forward(self, x[lo : lo + batch_size])
                outputs.append([o.data for o in out] if isinstance(out, list) else out.data)
                cbs.call_batch("on_predict_batch_end", step, {"outputs": outputs[-1]})
                if bar is not None:
                    bar.update(step + 1)
        cbs.call("on_predict_end", None)
        if verbose == 2:
            print(Progbar(steps).summary_line(steps, []))
        if isinstance(outputs[0], list):  # a model with several outputs: one array each
            return [np.concatenate(parts, axis=0) for parts in zip(*outputs)]  # type: ignore[return-value]
        return np.concatenate(outputs, axis=0)

    def train_on_batch(
        self, x: Any, y: Any, sample_weight: Any = None, class_weight: Any = None
    ) -> Any:
        """One optimizer step on this batch; returns the loss (and metrics) before the step.

        >>> import nn
        >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=1, kernel_initializer="ones")])
        >>> model.compile(optimizer=nn.optimizers.SGD(0.1), loss="mse")
        >>> model.train_on_batch([[1.0]], [3.0]), model.train_on_batch([[1.0]], [3.0]) < 4.0
        (4.0, True)
        """
        self._require_compiled("train_on_batch")
        x, y = self._dataset(x, y, "train_on_batch")
        sw = sample_weights(y, sample_weight, class_weight, len(x), "train_on_batch")
        metrics = self._ready_metrics()
        for metric in metrics:
            metric.reset_state()
        value, out = compiled.Trainer(self, regularized_weights(self))(x, y, sw)
        if math.isfinite(value):
            update_metrics(metrics, self._plain_metrics, y, out.data, sw)
        values = list(_logs(value, metrics).values())
        return values[0] if len(values) == 1 else values

    def test_on_batch(self, x: Any, y: Any, sample_weight: Any = None) -> Any:
        """The loss (and metrics) on this batch, without training.

        >>> import nn
        >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=1, kernel_initializer="ones")])
        >>> model.compile(loss="mse")
        >>> model.test_on_batch([[1.0], [2.0]], [2.0, 2.0])
        0.5
        """
        return self.evaluate(
            x, y, batch_size=max(_length(x), 1), verbose=0, sample_weight=sample_weight
        )

    def predict_on_batch(self, x: Any) -> np.ndarray:
        """The model's outputs for this one batch, as an ndarray.

        >>> import nn
        >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=2, kernel_initializer="ones")])
        >>> model.predict_on_batch([[1.0, 2.0]])
        array([[3.]], dtype=float32)
        """
        return self.predict(x, batch_size=max(_length(x), 1), verbose=0)


# ---------------------------------------------------------------------------------------
# Helpers


def _one_sample_hint(given: tuple[int, ...], expected: tuple[Any, ...]) -> str:
    """The likely slip behind a shape mismatch: one sample passed without its batch axis."""
    if len(given) != len(expected) - 1 or any(
        e is not None and e != g for e, g in zip(expected[1:], given)
    ):
        return ""
    return (
        f". That is the shape of one sample without its batch axis: pass a batch of one "
        f"sample, x[None] (shape {(1,) + given}) for the array x passed, or X[:1] instead of X[0]"
    )


def _metric_list(metrics: Any) -> list[Any]:
    """compile's `metrics` or `weighted_metrics` as a list (one name or object alone too)."""
    if metrics is None:
        return []
    if isinstance(metrics, (str, bytes)) or not isinstance(metrics, (list, tuple)):
        return [metrics]
    return list(metrics)


def _logs(loss: float, metrics: Sequence[Any]) -> dict[str, float]:
    logs = {"loss": loss}
    for metric in metrics:
        logs[metric.name] = float(metric.result())
    return logs


def _length(data: Any) -> int:
    try:
        return len(data)
    except TypeError:
        return 0


def _short(data: Any) -> str:
    text = " ".join(repr(data).split())  # one line, even for a multi-line array repr
    return text if len(text) <= 60 else text[:57] + "..."


def _numeric(data: Any, what: str, where: str) -> np.ndarray:
    """A numeric ndarray with no NaN or infinity, or a TypeError/ValueError saying why not."""
    if isinstance(data, Tensor):
        data = data.data
    try:
        array = np.asarray(data)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{where}: {what} must be a rectangular array of numbers (every sample the same "
            f"shape), received {_short(data)}: {error}"
        ) from None
    if array.dtype == object:
        missing = [i for i, v in enumerate(array.flat) if v is None]
        if missing:  # astype(float) would turn None into NaN and blame a NaN
            spot = [int(i) for i in np.unravel_index(missing[0], array.shape)]
            raise TypeError(
                f"{where}: {what} must hold only numbers, received {_short(data)} with "
                f"{len(missing)} None value(s), the first at index "
                f"{tuple(spot) if len(spot) > 1 else spot[0]}"
            )
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"{where}: {what} must hold only numbers, received {_short(data)}"
            ) from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{where}: {what} must be numeric, received {_short(data)} with dtype {array.dtype}"
        )
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array)
        if bad.any():
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(
                f"{where}: {what} contains {int(bad.sum())} NaN or infinite value(s), the first "
                f"at index {first if len(first) > 1 else first[0]}; remove or impute them "
                "before training"
            )
    return array


def _split(
    x: np.ndarray, y: np.ndarray, sw: np.ndarray | None, fraction: Any
) -> tuple[Any, Any, Any, Any]:
    """Keras' validation_split: the last `fraction` of the samples (and of their weights),
    taken before shuffling."""
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction < 1:
        raise ValueError(f"fit expects validation_split in [0, 1), received {fraction!r}")
    cut = int(math.floor(len(x) * (1.0 - fraction)))
    if cut == 0 or cut == len(x):
        raise ValueError(
            f"fit: validation_split={fraction} of {len(x)} samples leaves "
            f"{cut} for training and {len(x) - cut} for validation; both need at least one"
        )
    if sw is None:
        return x[:cut], y[:cut], None, (x[cut:], y[cut:], None)
    return x[:cut], y[:cut], sw[:cut], (x[cut:], y[cut:], sw[cut:])


def _check_batch_size(batch_size: Any, where: str) -> int:
    if batch_size is None:
        return 32
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValueError(
            f"{where} expects batch_size to be a positive integer, received {batch_size!r}"
        )
    return int(batch_size)


def _check_verbose(verbose: Any, where: str) -> int:
    if verbose == "auto":
        return 1
    if isinstance(verbose, (int, np.integer)) and int(verbose) in (0, 1, 2):
        return int(verbose)
    raise ValueError(f"{where} expects verbose to be 'auto', 0, 1 or 2, received {verbose!r}")


def _check_count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"fit expects {what} to be a non-negative integer, received {value!r}")
    return int(value)
