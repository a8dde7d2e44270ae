"""Callbacks that change the optimizer's learning rate between epochs, as Keras 3's
`LearningRateScheduler` and `ReduceLROnPlateau`; importable as `nn.callbacks.X`.

Both add the epoch's rate to `logs['learning_rate']`, so `history.history['learning_rate']`
records it (callbacks run in the order given, `History` last).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from nn.callbacks import Callback, Logs, check_monitor
from nn.progress import print_line


def _optimizer(callback: Callback) -> Any:
    optimizer = getattr(callback.model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError(
            f"{type(callback).__name__} needs a compiled model whose optimizer has a "
            f"learning_rate, received optimizer={optimizer!r}"
        )
    return optimizer


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch to `schedule(epoch, lr)`.

    `epoch` counts from 0 and `lr` is the current rate; a `schedule(epoch)` of one argument
    works too (Keras' older form). The result must be a float, as Keras requires.

    >>> import numpy as np, nn
    >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=1)])
    >>> model.compile(optimizer=nn.optimizers.SGD(0.1), loss="mse")
    >>> halve = LearningRateScheduler(lambda epoch, lr: lr if epoch == 0 else lr / 2)
    >>> history = model.fit(np.ones((4, 1)), np.ones(4), epochs=3, verbose=0, callbacks=[halve])
    >>> history.history["learning_rate"]
    [0.1, 0.05, 0.025]
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                f"LearningRateScheduler expects a function schedule(epoch, lr), received "
                f"{schedule!r}"
            )
        self.schedule = schedule
        self.verbose = verbose

    def _next_rate(self, epoch: int, lr: float) -> Any:
        try:
            return self.schedule(epoch, lr)
        except TypeError as two_arguments:
            try:  # Keras' old API: schedule(epoch)
                return self.schedule(epoch)
            except TypeError:
                raise two_arguments from None

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        """Ask the schedule for this epoch's rate and set it on the optimizer.

        >>> import nn
        >>> model = nn.Sequential()
        >>> model.optimizer = nn.optimizers.SGD(0.1)
        >>> scheduler = LearningRateScheduler(lambda epoch: 0.5 ** epoch, verbose=1)
        >>> scheduler.set_model(model)
        >>> scheduler.on_epoch_begin(2)
        <BLANKLINE>
        Epoch 3: LearningRateScheduler setting learning rate to 0.25.
        >>> model.optimizer.learning_rate
        0.25
        """
        optimizer = _optimizer(self)
        lr = self._next_rate(epoch, float(optimizer.learning_rate))
        # Keras 3 accepts float, np.float32 and np.float64 only (learning_rate_scheduler.py)
        if isinstance(lr, bool) or not isinstance(lr, (float, np.floating)):
            raise ValueError(  # noqa: TRY004 (Keras raises ValueError here)
                f"The output of the `schedule` function should be a float, received {lr!r} "
                f"at epoch {epoch}"
            )
        if not math.isfinite(lr):
            raise ValueError(f"LearningRateScheduler: schedule gave {lr} at epoch {epoch}")
        optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print_line(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        """Record the epoch's rate as `logs['learning_rate']`.

        >>> import nn
        >>> model = nn.Sequential()
        >>> model.optimizer = nn.optimizers.SGD(0.1)
        >>> scheduler, logs = LearningRateScheduler(lambda epoch, lr: lr), {"loss": 1.0}
        >>> scheduler.set_model(model)
        >>> scheduler.on_epoch_end(0, logs)
        >>> logs
        {'loss': 1.0, 'learning_rate': 0.1}
        """
        if logs is not None:
            logs["learning_rate"] = float(_optimizer(self).learning_rate)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by `factor` once `monitor` has not improved by more than
    `min_delta` for `patience` epochs, never below `min_lr`; then wait `cooldown` epochs.

    Defaults are Keras 3's (factor 0.1, patience 10, min_delta 1e-4). `mode='auto'` maximizes
    a quantity whose name contains 'acc' and minimizes any other, exactly Keras' rule (so
    'val_auc' is minimized: pass mode='max' for it). A `monitor` that `fit` will not report
    raises ValueError before the first epoch (Keras warns at each epoch instead).

    >>> import numpy as np, nn
    >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=1, use_bias=False)])
    >>> model.compile(optimizer=nn.optimizers.SGD(0.1), loss="mse")
    >>> x = np.zeros((4, 1))  # the output stays 0: the loss is on a plateau from the start
    >>> reduce = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1)
    >>> history = model.fit(x, np.ones(4), epochs=3, verbose=0, callbacks=[reduce])
    >>> history.history["learning_rate"]  # each epoch's rate, before that epoch's reduction
    [0.1, 0.1, 0.05]
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        super().__init__()
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not factor < 1.0:
            raise ValueError(
                f"ReduceLROnPlateau does not support a factor >= 1.0, received factor={factor!r}"
            )
        if mode not in ("auto", "min", "max"):
            raise ValueError(
                f"ReduceLROnPlateau expects mode 'auto', 'min' or 'max', received mode={mode!r}"
            )
        for what, value in (("patience", patience), ("cooldown", cooldown)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"ReduceLROnPlateau expects {what} >= 0, received {value!r}")
        self.monitor = monitor
        self.factor = float(factor)
        self.patience = patience
        self.verbose = verbose
        self.mode = mode
        self.min_delta = min_delta
        self.cooldown = cooldown
        self.min_lr = min_lr
        self._reset()

    def _reset(self) -> None:
        # Keras 3 (reduce_lr_on_plateau.py): only 'acc' in the name means maximize
        self._maximize = self.mode == "max" or (self.mode == "auto" and "acc" in self.monitor)
        self.best = -math.inf if self._maximize else math.inf
        self.cooldown_counter = 0
        self.wait = 0

    def _improved(self, current: float) -> bool:
        if self._maximize:
            return current > self.best + self.min_delta
        return current < self.best - self.min_delta

    def in_cooldown(self) -> bool:
        """True while the epochs after a reduction are being waited out.

        >>> ReduceLROnPlateau(cooldown=2).in_cooldown()
        False
        """
        return self.cooldown_counter > 0

    def on_train_begin(self, logs: Logs = None) -> None:
        """Check that `fit` reports `monitor`, and reset the counters and the best value.

        >>> reduce = ReduceLROnPlateau(monitor="val_loss")
        >>> reduce.set_params({"metrics": ["loss"]})
        >>> reduce.on_train_begin()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: ReduceLROnPlateau monitors 'val_loss', which fit will not report; ...
        """
        check_monitor(self, self.monitor)
        self._reset()

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        """Record `logs['learning_rate']`; count an epoch without improvement, and reduce
        the rate when `patience` runs out (outside a cooldown).

        >>> import nn
        >>> model = nn.Sequential()
        >>> model.optimizer = nn.optimizers.SGD(1.0)
        >>> reduce = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2)
        >>> reduce.set_model(model)
        >>> for epoch, loss in enumerate([1.0, 1.0, 1.0, 1.0, 1.0]):
        ...     reduce.on_epoch_end(epoch, {"loss": loss})
        >>> model.optimizer.learning_rate  # reduced after epochs 3 and 5
        0.25
        """
        optimizer = _optimizer(self)
        logs = logs if logs is not None else {}
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = logs.get(self.monitor)
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(current):
            self.best = current
            self.wait = 0
            return
        if self.in_cooldown():
            return
        self.wait += 1
        if self.wait < self.patience:
            return
        old_lr = float(optimizer.learning_rate)
        if old_lr > np.float32(self.min_lr):  # Keras compares in float32
            new_lr = max(old_lr * self.factor, self.min_lr)
            optimizer.learning_rate = new_lr
            if self.verbose > 0:
                print_line(
                    f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}."
                )
            self.cooldown_counter = self.cooldown
            self.wait = 0


__all__ = ["LearningRateScheduler", "ReduceLROnPlateau"]
