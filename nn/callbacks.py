"""Keras callbacks: hooks into `fit`, `evaluate` and `predict`.

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
from typing import Any, Iterable

from nn.progress import Progbar, format_logs, is_live, print_line

Logs = dict[str, Any] | None

_BATCH_HOOKS = (
    "on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end",
)


class Callback:
    """Base class: override the hooks you need; the others do nothing."""

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def wants_batch_hooks(self) -> bool:
        """True when a per-batch hook is overridden: fit skips calling the others (speed)."""
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
    """Fans each hook out to several callbacks; `batch_hooks` is False when none wants them."""

    def __init__(self, callbacks: Iterable[Callback], model: Any, params: dict[str, Any]):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)
        self._batch = [cb for cb in self.callbacks if cb.wants_batch_hooks()]
        self.batch_hooks = bool(self._batch)

    def call(self, hook: str, *args: Any) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    def call_batch(self, hook: str, batch: int, logs: Logs) -> None:
        for cb in self._batch:
            getattr(cb, hook)(batch, logs)

    def find(self, kind: type) -> Any:
        return next((cb for cb in self.callbacks if isinstance(cb, kind)), None)


def check_callbacks(callbacks: Any) -> list[Callback]:
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        return [callbacks]
    items = list(callbacks)
    for cb in items:
        if isinstance(cb, type) and issubclass(cb, Callback):
            raise TypeError(f"callbacks expects instances, received the class {cb.__name__}: write {cb.__name__}()")
        if not isinstance(cb, Callback):
            raise TypeError(f"callbacks expects nn.callbacks.Callback instances, received {cb!r}")
    return items


class History(Callback):
    """Records each epoch's logs: `history.history['loss']`, `history.epoch`.

    `fit` returns its History (also kept as `model.history`).
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: Logs = None) -> None:
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def plot(self, metrics: Iterable[str] | None = None) -> Any:
        """Draw the loss and each metric per epoch (validation curves alongside); returns the
        matplotlib Figure. Needs the optional extra: pip install 'chainrule[plot]'."""
        try:
            import matplotlib.pyplot as plt
        except ImportError:
            raise ImportError(
                "History.plot() draws with matplotlib, which is not installed: "
                "pip install 'chainrule[plot]'"
            ) from None
        names = list(metrics) if metrics is not None else [
            key for key in self.history if not key.startswith("val_")
        ]
        unknown = [n for n in names if n not in self.history]
        if unknown or not names:
            raise ValueError(
                f"History.plot: no recorded values for {unknown or names}; recorded keys: "
                f"{sorted(self.history)}"
            )
        fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 3.5), squeeze=False)
        epochs = [e + 1 for e in self.epoch]
        for ax, name in zip(axes[0], names):
            ax.plot(epochs, self.history[name], label=name)
            if f"val_{name}" in self.history:
                ax.plot(epochs, self.history[f"val_{name}"], label=f"val_{name}")
            ax.set_xlabel("epoch")
            ax.set_title(name)
            ax.legend()
        return fig


class ProgbarLogger(Callback):
    """Prints `Epoch 3/900` and a progress bar (verbose=1) or one line per epoch (verbose=2)."""

    def __init__(self, verbose: int = 1, live: bool | None = None) -> None:
        super().__init__()
        self.verbose = verbose
        self._live = live
        self._bar: Progbar | None = None

    def wants_batch_hooks(self) -> bool:
        # per-batch redraws only where they show (a terminal); elsewhere one line per epoch
        return self.verbose == 1 and (is_live() if self._live is None else self._live)

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        epochs = self.params.get("epochs", 1)
        if epochs > 1:
            print_line(f"Epoch {epoch + 1}/{epochs}")
        self._bar = Progbar(self.params.get("steps", 1), live=self._live)
        self.steps_done: int | None = None  # set by fit when an epoch ends early

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        if self.verbose == 1 and self._bar is not None and batch + 1 < self._bar.target:
            self._bar.update(batch + 1, list((logs or {}).items()))

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
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
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping expects mode 'auto', 'min' or 'max', received mode={mode!r}")
        if not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping expects patience >= 0, received patience={patience!r}")
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        if mode == "auto":
            accuracy_like = ("acc", "auc", "precision", "recall")
            mode = "max" if any(k in monitor for k in accuracy_like) else "min"
        self.mode = mode
        self.min_delta = abs(min_delta) if mode == "max" else -abs(min_delta)

    def _better(self, current: float, reference: float) -> bool:
        if self.mode == "max":
            return current - self.min_delta > reference
        return current - self.min_delta < reference

    def on_train_begin(self, logs: Logs = None) -> None:
        available = self.params.get("metrics")
        if available is not None and self.monitor not in available:
            raise ValueError(
                f"EarlyStopping monitors {self.monitor!r}, which fit will not report; available: "
                f"{', '.join(available)}" + (" (pass validation_data or validation_split for "
                "val_ quantities)" if self.monitor.startswith("val_") else "")
            )
        self.wait = 0
        self.stopped_epoch = 0
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_weights: list[Any] | None = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
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
                    print_line(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs: Logs = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_line(f"Epoch {self.stopped_epoch + 1}: early stopping")


class TerminateOnNaN(Callback):
    """Stop training quietly, returning the History so far, when the loss becomes NaN or inf.

    Without it, `fit` raises `NonFiniteLossError` instead. The update that would have used
    the invalid loss is not applied, so the weights stay finite.
    """

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print_line(
                f"Epoch {getattr(self, '_epoch', 0) + 1}, batch {batch + 1}: Invalid loss, "
                "terminating training"
            )
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback from plain functions: `LambdaCallback(on_epoch_end=lambda epoch, logs: ...)`."""

    def __init__(self, **hooks: Any) -> None:
        super().__init__()
        for name, fn in hooks.items():
            if not hasattr(Callback, name) or not name.startswith("on_"):
                raise ValueError(f"LambdaCallback: unknown hook {name!r}")
            setattr(self, name, fn)
        self._has_batch = any(h in hooks for h in _BATCH_HOOKS)

    def wants_batch_hooks(self) -> bool:
        return self._has_batch


__all__ = [
    "Callback", "CallbackList", "EarlyStopping", "History", "LambdaCallback", "ProgbarLogger",
    "TerminateOnNaN", "format_logs",
]
