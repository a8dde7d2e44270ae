"""Keras callbacks: hooks into `fit`, `evaluate` and `predict`.

`fit` calls the train hooks and `on_test_begin`/`on_test_end` around each validation pass;
`evaluate(callbacks=...)` calls the test hooks, `predict(callbacks=...)` the predict hooks.

A callback sees `self.model` and `self.params` ({'epochs', 'steps', 'verbose', 'metrics'}) and
may set `self.model.stop_training = True` to end `fit` after the current batch or epoch.

>>> import numpy as np, nn
>>> class CountEpochs(nn.callbacks.Callback):
...     def on_train_begin(self, logs=None):
...         self.count = 0
...     def on_epoch_end(self, epoch, logs=None):
...         self.count += 1
>>> model = nn.Sequential([nn.layers.Dense(1, input_dim=1)])
>>> model.compile(optimizer="sgd", loss="mse")
>>> counter = CountEpochs()
>>> _ = model.fit(np.ones((4, 1)), np.ones(4), epochs=3, verbose=0, callbacks=[counter])
>>> counter.count
3
"""

from __future__ import annotations

import math
import weakref
from typing import Any, Iterable

from nn.progress import Progbar, format_logs, is_live, print_line

Logs = dict[str, Any] | None

_BATCH_HOOKS = (
    "on_batch_begin",
    "on_batch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
)


class Callback:
    """Base class: override the hooks you need; the others do nothing.

    In `fit`: `on_train_begin(logs)`, then per epoch `on_epoch_begin(epoch, logs)`, per
    batch `on_train_batch_begin(batch, logs)` / `on_train_batch_end(batch, logs)` (which call
    `on_batch_begin` / `on_batch_end`, Keras 2's names), `on_test_begin` / `on_test_end`
    around validation, `on_epoch_end(epoch, logs)` with the epoch's averaged `logs`, and
    finally `on_train_end(logs)`. Epochs and batches count from 0. `on_test_batch_begin`,
    `on_test_batch_end` are called by `evaluate`, the `on_predict_*` hooks by `predict`.

    >>> import numpy as np, nn
    >>> class Trace(nn.callbacks.Callback):
    ...     def on_train_begin(self, logs=None):
    ...         print("train begin", self.params["epochs"], "epoch(s)")
    ...     def on_train_batch_end(self, batch, logs=None):
    ...         print("batch", batch, sorted(logs))
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print("epoch", epoch, sorted(logs))
    >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=1)])
    >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    >>> _ = model.fit(np.ones((4, 1)), np.ones(4), batch_size=2, verbose=0, callbacks=[Trace()])
    train begin 1 epoch(s)
    batch 0 ['loss', 'mae']
    batch 1 ['loss', 'mae']
    epoch 0 ['loss', 'mae']
    """

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        """Called by `fit` before training: the model becomes `self.model`.

        >>> import nn
        >>> callback, model = nn.callbacks.Callback(), nn.Sequential()
        >>> callback.set_model(model)
        >>> callback.model is model
        True
        """
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        """Called by `fit` before training: {'epochs', 'steps', 'verbose', 'metrics'}.

        >>> import nn
        >>> callback = nn.callbacks.Callback()
        >>> callback.set_params({"epochs": 3, "steps": 10})
        >>> callback.params["epochs"]
        3
        """
        self.params = params

    def wants_batch_hooks(self) -> bool:
        """True when a per-batch hook is overridden: fit skips calling the others (speed).

        >>> import nn
        >>> class PerBatch(nn.callbacks.Callback):
        ...     def on_train_batch_end(self, batch, logs=None):
        ...         pass
        >>> PerBatch().wants_batch_hooks(), nn.callbacks.Callback().wants_batch_hooks()
        (True, False)
        """
        return any(getattr(type(self), h) is not getattr(Callback, h) for h in _BATCH_HOOKS)

    def on_train_begin(self, logs: Logs = None) -> None: ...
    def on_train_end(self, logs: Logs = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None: ...

    def on_train_batch_begin(self, batch: int, logs: Logs = None) -> None:
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch: int, logs: Logs = None) -> None: ...
    def on_batch_end(self, batch: int, logs: Logs = None) -> None: ...
    def on_test_begin(self, logs: Logs = None) -> None: ...
    def on_test_end(self, logs: Logs = None) -> None: ...
    def on_test_batch_begin(self, batch: int, logs: Logs = None) -> None: ...
    def on_test_batch_end(self, batch: int, logs: Logs = None) -> None: ...
    def on_predict_begin(self, logs: Logs = None) -> None: ...
    def on_predict_end(self, logs: Logs = None) -> None: ...
    def on_predict_batch_begin(self, batch: int, logs: Logs = None) -> None: ...
    def on_predict_batch_end(self, batch: int, logs: Logs = None) -> None: ...


class CallbackList:
    """Fans each hook out to several callbacks; `batch_hooks` is False when none wants them.

    >>> import nn
    >>> history = nn.callbacks.History()
    >>> callbacks = CallbackList([history], model=None, params={"epochs": 1})
    >>> callbacks.call("on_epoch_end", 0, {"loss": 0.5})
    >>> history.history, callbacks.batch_hooks
    ({'loss': [0.5]}, False)
    """

    def __init__(self, callbacks: Iterable[Callback], model: Any, params: dict[str, Any]):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)
        self._batch = [cb for cb in self.callbacks if cb.wants_batch_hooks()]
        self.batch_hooks = bool(self._batch)

    def call(self, hook: str, *args: Any) -> None:
        """Call the hook named `hook` on every callback, in order.

        >>> import nn
        >>> seen = []
        >>> cb = nn.callbacks.LambdaCallback(on_train_begin=lambda logs: seen.append(logs))
        >>> CallbackList([cb], None, {}).call("on_train_begin", {"lr": 0.1})
        >>> seen
        [{'lr': 0.1}]
        """
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    def call_batch(self, hook: str, batch: int, logs: Logs) -> None:
        """Call a per-batch hook, only on the callbacks that override one.

        >>> import nn
        >>> seen = []
        >>> cb = nn.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(b))
        >>> CallbackList([cb], None, {}).call_batch("on_train_batch_end", 3, {})
        >>> seen
        [3]
        """
        for cb in self._batch:
            getattr(cb, hook)(batch, logs)

    def find(self, kind: type) -> Any:
        """The first callback that is an instance of `kind`, or None.

        >>> import nn
        >>> callbacks = CallbackList([nn.callbacks.TerminateOnNaN()], None, {})
        >>> callbacks.find(nn.callbacks.TerminateOnNaN) is not None, callbacks.find(History)
        (True, None)
        """
        return next((cb for cb in self.callbacks if isinstance(cb, kind)), None)


def check_callbacks(callbacks: Any) -> list[Callback]:
    """`fit`'s `callbacks=` as a list, or TypeError for a class or a non-callback.

    >>> import nn
    >>> check_callbacks(None), len(check_callbacks(nn.callbacks.History()))
    ([], 1)
    >>> check_callbacks([nn.callbacks.History])
    Traceback (most recent call last):
    ...
    TypeError: callbacks expects instances, received the class History: write History()
    """
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        return [callbacks]
    items = list(callbacks)
    for cb in items:
        if isinstance(cb, type) and issubclass(cb, Callback):
            raise TypeError(
                f"callbacks expects instances, received the class {cb.__name__}: write {cb.__name__}()"
            )
        if not isinstance(cb, Callback):
            raise TypeError(f"callbacks expects nn.callbacks.Callback instances, received {cb!r}")
    return items


def check_monitor(callback: Callback, monitor: str) -> None:
    """ValueError before the first epoch when `fit` will not report `monitor`
    (`callback.params['metrics']` lists what it reports).

    >>> stop = EarlyStopping(monitor="val_acc")
    >>> stop.set_params({"metrics": ["loss", "acc"]})
    >>> check_monitor(stop, "val_acc")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: EarlyStopping monitors 'val_acc', ...; available: loss, acc (pass validation_data ...
    """
    available = callback.params.get("metrics")
    if available is not None and monitor not in available:
        raise ValueError(
            f"{type(callback).__name__} monitors {monitor!r}, which fit will not report; "
            f"available: {', '.join(available)}"
            + (
                " (pass validation_data or validation_split for val_ quantities)"
                if monitor.startswith("val_")
                else ""
            )
        )


def resolve_mode(callback: Callback, monitor: str, mode: str) -> str:
    """'min' or 'max' for `mode`; 'auto' maximizes accuracy-like quantities (acc, auc,
    precision, recall: Keras asks each metric's direction) and minimizes the rest.

    >>> stop = EarlyStopping()
    >>> resolve_mode(stop, "val_accuracy", "auto"), resolve_mode(stop, "val_loss", "auto")
    ('max', 'min')
    >>> resolve_mode(stop, "loss", "up")
    Traceback (most recent call last):
    ...
    ValueError: EarlyStopping expects mode 'auto', 'min' or 'max', received mode='up'
    """
    if mode not in ("auto", "min", "max"):
        raise ValueError(
            f"{type(callback).__name__} expects mode 'auto', 'min' or 'max', received mode={mode!r}"
        )
    if mode == "auto":
        accuracy_like = ("acc", "auc", "precision", "recall")
        return "max" if any(k in monitor for k in accuracy_like) else "min"
    return mode


class History(Callback):
    """Records each epoch's logs: `history.history['loss']`, `history.epoch`.

    `fit` returns its History (also kept as `model.history`).

    >>> import numpy as np, nn
    >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> history = model.fit(np.ones((4, 1)), np.ones(4), epochs=3, verbose=0)
    >>> history.epoch, len(history.history["loss"]), model.history is history
    ([0, 1, 2], 3, True)
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    # the model keeps its History (model.history): a strong reference back would be a cycle,
    # and a deleted model would wait for the cycle collector (issue 16, item 14)
    @property  # type: ignore[override]
    def model(self) -> Any:
        """The model being trained, held weakly (None once that model is deleted).

        >>> import nn
        >>> history, model = History(), nn.Sequential()
        >>> history.set_model(model)
        >>> history.model is model
        True
        >>> del model
        >>> print(history.model)
        None
        """
        ref = self.__dict__.get("_model")
        return None if ref is None else ref()

    @model.setter
    def model(self, model: Any) -> None:
        self._model = None if model is None else weakref.ref(model)

    def on_train_begin(self, logs: Logs = None) -> None:
        """Start a fresh record (each `fit` returns a new History).

        >>> history = History()
        >>> history.on_epoch_end(0, {"loss": 1.0})
        >>> history.on_train_begin()
        >>> history.history, history.epoch
        ({}, [])
        """
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        """Append the epoch number and each value of `logs` to its list.

        >>> history = History()
        >>> history.on_epoch_end(0, {"loss": 1.0, "mae": 0.8})
        >>> history.on_epoch_end(1, {"loss": 0.5, "mae": 0.6})
        >>> history.history, history.epoch
        ({'loss': [1.0, 0.5], 'mae': [0.8, 0.6]}, [0, 1])
        """
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def plot(self, metrics: Iterable[str] | None = None) -> Any:
        """Draw the loss and each metric per epoch (validation curves alongside); returns the
        panels' matplotlib Axes (one per metric; `axes[0].figure` is the Figure), as pandas'
        `DataFrame.plot(subplots=True)` does. Needs the optional extra: pip install
        'chainrule[plot]'.

        The Figure is not returned: in Jupyter a returned Figure is drawn twice (once as the
        cell's value, once more by the inline backend, which draws every open figure).

        >>> import importlib.util
        >>> history = History()
        >>> history.on_epoch_end(0, {"loss": 1.0, "val_loss": 1.2})
        >>> history.on_epoch_end(1, {"loss": 0.5, "val_loss": 0.7})
        >>> if importlib.util.find_spec("matplotlib"):  # the optional extra is installed
        ...     axes = history.plot()  # one panel: loss and val_loss
        """
        try:
            import matplotlib.pyplot as plt
        except ImportError:
            raise ImportError(
                "History.plot() draws with matplotlib, which is not installed: "
                "pip install 'chainrule[plot]'"
            ) from None
        names = (
            list(metrics)
            if metrics is not None
            else [key for key in self.history if not key.startswith("val_")]
        )
        unknown = [n for n in names if n not in self.history]
        if unknown or not names:
            raise ValueError(
                f"History.plot: no recorded values for {unknown or names}; recorded keys: "
                f"{sorted(self.history)}"
            )
        _, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 3.5), squeeze=False)
        epochs = [e + 1 for e in self.epoch]
        for ax, name in zip(axes[0], names):
            ax.plot(epochs, self.history[name], label=name)
            if f"val_{name}" in self.history:
                ax.plot(epochs, self.history[f"val_{name}"], label=f"val_{name}")
            ax.set_xlabel("epoch")
            ax.set_title(name)
            ax.legend()
        return axes[0]


class ProgbarLogger(Callback):
    """Prints `Epoch 3/900` and a progress bar (verbose=1) or one line per epoch (verbose=2).

    `fit(verbose=1 or 2)` adds one itself. On a terminal the bar redraws in place; elsewhere
    (`live=False`, a log file) only each epoch's final line is printed.

    >>> import numpy as np, nn
    >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> logger = ProgbarLogger(verbose=1, live=False)
    >>> _ = model.fit(np.ones((4, 1)), np.ones(4), epochs=2, verbose=0, callbacks=[logger])
    ... # doctest: +ELLIPSIS
    Epoch 1/2
    1/1 [==============================] - 0s ...step - loss: ...
    Epoch 2/2
    1/1 [==============================] - 0s ...step - loss: ...
    """

    def __init__(self, verbose: int = 1, live: bool | None = None) -> None:
        super().__init__()
        self.verbose = verbose
        self._live = live
        self._bar: Progbar | None = None

    def wants_batch_hooks(self) -> bool:
        """Per-batch redraws only where they show (verbose=1 on a terminal).

        >>> ProgbarLogger(verbose=1, live=True).wants_batch_hooks()
        True
        >>> ProgbarLogger(verbose=1, live=False).wants_batch_hooks()
        False
        """
        return self.verbose == 1 and (is_live() if self._live is None else self._live)

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        """Print `Epoch 1/3` (when there are several epochs) and start a new bar.

        >>> logger = ProgbarLogger(live=False)
        >>> logger.set_params({"epochs": 3, "steps": 5})
        >>> logger.on_epoch_begin(0)
        Epoch 1/3
        """
        epochs = self.params.get("epochs", 1)
        if epochs > 1:
            print_line(f"Epoch {epoch + 1}/{epochs}")
        self._bar = Progbar(self.params.get("steps", 1), live=self._live)
        self.steps_done: int | None = None  # set by fit when an epoch ends early

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        """Redraw the bar with the running averages (live only, at most every 0.05 s).

        >>> logger = ProgbarLogger(live=False)
        >>> logger.set_params({"epochs": 1, "steps": 5})
        >>> logger.on_epoch_begin(0)
        >>> logger.on_train_batch_end(0, {"loss": 0.5})  # not live: prints nothing
        """
        if self.verbose == 1 and self._bar is not None and batch + 1 < self._bar.target:
            self._bar.update(batch + 1, list((logs or {}).items()))

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        """Print the epoch's final line: the full bar (verbose=1) or a summary (verbose=2).

        >>> logger = ProgbarLogger(verbose=2, live=False)
        >>> logger.set_params({"epochs": 1, "steps": 5})
        >>> logger.on_epoch_begin(0)
        >>> logger.on_epoch_end(0, {"loss": 0.5})  # doctest: +ELLIPSIS
        5/5 - 0s - loss: 0.5000 - ...
        """
        assert self._bar is not None, "on_epoch_end before on_epoch_begin"
        values = list((logs or {}).items())
        steps = self.steps_done or self._bar.target
        if self.verbose == 1:
            self._bar.update(steps, values, finalize=True)
        else:
            print_line(self._bar.summary_line(steps, values))


class EarlyStopping(Callback):
    """Stop training when `monitor` has not improved by `min_delta` for `patience` epochs.

    `mode='auto'` maximizes accuracy-like quantities and minimizes the rest. As in Keras, with
    `restore_best_weights=True` the best epoch's weights are put back when training stops early.
    A `monitor` that `fit` will not produce (e.g. 'val_loss' without validation data) raises
    ValueError before the first epoch.

    >>> import numpy as np, nn
    >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=1)])
    >>> model.compile(optimizer=nn.optimizers.SGD(learning_rate=0.0), loss="mse")  # no progress
    >>> stop = EarlyStopping(monitor="loss", patience=1)
    >>> history = model.fit(np.ones((4, 1)), np.ones(4), epochs=10, verbose=0, callbacks=[stop])
    >>> history.epoch, stop.stopped_epoch
    ([0, 1], 1)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__()
        mode = resolve_mode(self, monitor, mode)
        if not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping expects patience >= 0, received patience={patience!r}")
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.mode = mode
        self.min_delta = abs(min_delta) if mode == "max" else -abs(min_delta)

    def _better(self, current: float, reference: float) -> bool:
        if self.mode == "max":
            return current - self.min_delta > reference
        return current - self.min_delta < reference

    def on_train_begin(self, logs: Logs = None) -> None:
        """Check that `fit` reports `monitor`, and reset the patience counter and best value.

        >>> stop = EarlyStopping(monitor="val_loss")
        >>> stop.set_params({"metrics": ["loss"]})
        >>> stop.on_train_begin()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: EarlyStopping monitors 'val_loss', which fit will not report; ...
        """
        check_monitor(self, self.monitor)
        self.wait = 0
        self.stopped_epoch = 0
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_weights: list[Any] | None = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        """Record an improvement of `monitor`, or count the epoch against `patience` and set
        `model.stop_training` when it runs out (restoring the best weights if asked).

        >>> import nn
        >>> stop = EarlyStopping(monitor="loss", patience=1)
        >>> stop.set_model(nn.Sequential())
        >>> stop.on_train_begin()
        >>> for epoch, loss in enumerate([0.5, 0.4, 0.45]):
        ...     stop.on_epoch_end(epoch, {"loss": loss})
        >>> stop.model.stop_training, stop.best, stop.best_epoch
        (True, 0.4, 1)
        """
        current = (logs or {}).get(self.monitor)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._better(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._better(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                if self.verbose > 0:
                    print_line(
                        f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}."
                    )
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs: Logs = None) -> None:
        """With `verbose=1`, print the epoch at which training stopped early.

        >>> stop = EarlyStopping(monitor="loss", verbose=1)
        >>> stop.stopped_epoch = 4
        >>> stop.on_train_end()
        Epoch 5: early stopping
        """
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_line(f"Epoch {self.stopped_epoch + 1}: early stopping")


class TerminateOnNaN(Callback):
    """Stop training quietly, returning the History so far, when the loss becomes NaN or inf.

    Without it, `fit` raises `NonFiniteLossError` instead. The update that would have used
    the invalid loss is not applied, so the weights stay finite.

    >>> import nn
    >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=1, kernel_initializer="ones")])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> history = model.fit([[1e20]], [0.0], verbose=0, callbacks=[TerminateOnNaN()])
    Epoch 1, batch 1: Invalid loss, terminating training
    >>> history.history
    {'loss': [inf]}
    """

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        """Remember the epoch, for the message.

        >>> import nn
        >>> callback = TerminateOnNaN()
        >>> callback.set_model(nn.Sequential())
        >>> callback.on_epoch_begin(2)
        >>> callback.on_train_batch_end(0, {"loss": float("inf")})
        Epoch 3, batch 1: Invalid loss, terminating training
        """
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        """Set `model.stop_training` when this batch's loss is NaN or infinite.

        >>> import nn
        >>> callback = TerminateOnNaN()
        >>> callback.set_model(nn.Sequential())
        >>> callback.on_train_batch_end(0, {"loss": float("nan")})
        Epoch 1, batch 1: Invalid loss, terminating training
        >>> callback.model.stop_training
        True
        """
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print_line(
                f"Epoch {getattr(self, '_epoch', 0) + 1}, batch {batch + 1}: Invalid loss, "
                "terminating training"
            )
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback from plain functions: `LambdaCallback(on_epoch_end=lambda epoch, logs: ...)`.

    Any hook name is accepted (`on_train_begin`, `on_train_batch_end`, ...); a typo raises
    ValueError.

    >>> import numpy as np, nn
    >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> log = LambdaCallback(on_epoch_end=lambda epoch, logs: print("end of epoch", epoch))
    >>> _ = model.fit(np.ones((2, 1)), np.ones(2), epochs=2, verbose=0, callbacks=[log])
    end of epoch 0
    end of epoch 1
    """

    def __init__(self, **hooks: Any) -> None:
        super().__init__()
        for name, fn in hooks.items():
            if not hasattr(Callback, name) or not name.startswith("on_"):
                raise ValueError(f"LambdaCallback: unknown hook {name!r}")
            setattr(self, name, fn)
        self._has_batch = any(h in hooks for h in _BATCH_HOOKS)

    def wants_batch_hooks(self) -> bool:
        """True when a per-batch function was given.

        >>> LambdaCallback(on_batch_end=print).wants_batch_hooks()
        True
        >>> LambdaCallback(on_epoch_end=print).wants_batch_hooks()
        False
        """
        return self._has_batch


# the newer callbacks live in their own files; imported last, as they build on Callback
from nn.callbacks_files import CSVLogger, ModelCheckpoint
from nn.callbacks_lr import LearningRateScheduler, ReduceLROnPlateau

__all__ = [
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
    "format_logs",
]
