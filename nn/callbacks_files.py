"""Callbacks that write files during `fit`, as Keras 3's `ModelCheckpoint` and `CSVLogger`;
importable as `nn.callbacks.X`."""

from __future__ import annotations

import collections.abc
import csv
import math
import os
from typing import IO, Any

import numpy as np

from nn import saving
from nn.callbacks import Callback, Logs, check_monitor, resolve_mode
from nn.progress import print_line


class ModelCheckpoint(Callback):
    """Save the weights (`save_weights_only=True`) or the model at the end of each epoch, or
    every `save_freq` batches.

    `filepath` may hold `{epoch:02d}` (counting from 1) and any key of the logs, such as
    `{val_loss:.2f}`, filled in with `str.format` as Keras does. With `save_best_only=True`
    only an improvement of `monitor` (strictly below or above the best so far, which starts
    at `initial_value_threshold` and is kept across `fit` calls, as in Keras) is saved.
    Unlike Keras, the file name's extension is not checked (ours are `.npz` archives), and a
    `monitor` that `fit` will not report raises ValueError before the first epoch.

    >>> import os, tempfile, numpy as np, nn
    >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "ckpt-{epoch:02d}-{loss:.2f}.weights.npz")
    >>> checkpoint = ModelCheckpoint(path, monitor="loss", save_weights_only=True)
    >>> _ = model.fit(np.ones((4, 1)), np.ones(4), epochs=2, verbose=0, callbacks=[checkpoint])
    >>> sorted(name[:8] for name in os.listdir(folder))
    ['ckpt-01-', 'ckpt-02-']
    """

    def __init__(
        self,
        filepath: Any,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: Any = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__()
        if not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(f"ModelCheckpoint expects a str or path filepath, received {filepath!r}")
        if save_freq != "epoch" and (
            isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1
        ):
            raise ValueError(
                f"ModelCheckpoint expects save_freq='epoch' or a positive number of batches, "
                f"received save_freq={save_freq!r}"
            )
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)
        self.mode = resolve_mode(self, monitor, mode)
        self.save_freq = save_freq
        self.best = (
            initial_value_threshold
            if initial_value_threshold is not None
            else (math.inf if self.mode == "min" else -math.inf)
        )
        self._epoch = 0
        self._batches_since_save = 0

    def wants_batch_hooks(self) -> bool:
        """Only a count of batches (`save_freq=N`) needs the per-batch hook.

        >>> ModelCheckpoint("w.npz", save_freq=5).wants_batch_hooks()
        True
        >>> ModelCheckpoint("w.npz").wants_batch_hooks()
        False
        """
        return self.save_freq != "epoch"

    def on_train_begin(self, logs: Logs = None) -> None:
        """Check, before the first epoch, that the model can be saved this way and that `fit`
        reports `monitor` when only the best is kept.

        >>> import nn
        >>> checkpoint = ModelCheckpoint("model.keras")
        >>> checkpoint.set_model(object())
        >>> checkpoint.on_train_begin()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        TypeError: ModelCheckpoint(save_weights_only=False) saves with model.save, which ...
        """
        method = "save_weights" if self.save_weights_only else "save"
        if not callable(getattr(self.model, method, None)):
            raise TypeError(
                f"ModelCheckpoint(save_weights_only={self.save_weights_only}) saves with "
                f"model.{method}, which {type(self.model).__name__} does not have"
                + ("; pass save_weights_only=True" if method == "save" else "")
            )
        # an HDF5 name (Keras' '.weights.h5') would fail at the first save: fail before training
        saving.refuse_hdf5(self.filepath, "ModelCheckpoint")
        if self.save_best_only:
            check_monitor(self, self.monitor)
        self._batches_since_save = 0

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        """With `save_freq=N`, save after every N-th batch (counted across epochs).

        >>> import os, tempfile, numpy as np, nn
        >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=1)])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> path = os.path.join(tempfile.mkdtemp(), "e{epoch}-b{batch}.npz")
        >>> checkpoint = ModelCheckpoint(path, save_weights_only=True, save_freq=3)
        >>> x = np.ones((8, 1))
        >>> _ = model.fit(x, x, batch_size=2, epochs=2, verbose=0, callbacks=[checkpoint])
        >>> sorted(os.listdir(os.path.dirname(path)))
        ['e1-b3.npz', 'e2-b2.npz']
        """
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._epoch, batch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _file_path(self, epoch: int, batch: int | None, logs: dict[str, Any]) -> str:
        values = {**logs, "epoch": epoch + 1}
        if batch is not None and "batch" not in logs:
            values["batch"] = batch + 1
        try:
            return self.filepath.format(**values)
        except KeyError as error:  # Keras raises KeyError too
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {error}; '
                f"available keys: {sorted(values)}"
            ) from None

    def _improved(self, current: float) -> bool:
        return current < self.best if self.mode == "min" else current > self.best

    def _should_save(self, epoch: int, logs: dict[str, Any], filepath: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                print_line(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:  # a batch's logs lack val_ quantities: Keras saves anyway
            return True
        if self._improved(current):
            if self.verbose > 0:
                print_line(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                    f"{current:.5f}, saving model to {filepath}"
                )
            self.best = current
            return True
        if self.verbose > 0:
            print_line(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
        return False

    def _save(self, epoch: int, batch: int | None, logs: Logs) -> None:
        logs = logs or {}
        filepath = self._file_path(epoch, batch, logs)
        if not self._should_save(epoch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise IsADirectoryError(
                f"Please specify a non-directory filepath for ModelCheckpoint. Filepath used is "
                f"an existing directory: {filepath}"
            )
        directory = os.path.dirname(filepath)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)


def _csv_value(value: Any) -> Any:
    """Keras' cell format: strings as they are, iterables as a quoted "[a, b]" list."""
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and not (
        isinstance(value, np.ndarray) and value.ndim == 0
    ):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Write one row per epoch to `filename`: `epoch` (from 0) and each logged value, columns
    in sorted order, as Keras 3 does (`separator` between cells; `append=True` continues an
    existing file without repeating its header). Rows end with `\\r\\n` (the csv module's
    'excel' dialect, which Keras uses).

    >>> import os, tempfile, numpy as np, nn
    >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=1, kernel_initializer="ones")])
    >>> model.compile(optimizer=nn.optimizers.SGD(0.0), loss="mse", metrics=["mae"])
    >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
    >>> _ = model.fit([[1.0]], [3.0], epochs=2, verbose=0, callbacks=[CSVLogger(path)])
    >>> print(open(path).read().replace("\\r", ""), end="")
    epoch,loss,mae
    0,4.0,2.0
    1,4.0,2.0
    """

    def __init__(self, filename: Any, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        if not isinstance(filename, (str, os.PathLike)):
            raise TypeError(f"CSVLogger expects a str or path filename, received {filename!r}")
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(
                f"CSVLogger expects a one-character separator, received separator={separator!r}"
            )
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = bool(append)
        self.keys: list[str] | None = None
        self._file: IO[str] | None = None
        self._writer: Any = None
        self._header = True

    def on_train_begin(self, logs: Logs = None) -> None:
        """Open the file: truncated, or (`append=True`) appended to, with a header only when
        it is new or empty."""
        self._header = True
        if self.append and os.path.exists(self.filename):
            with open(self.filename, newline="") as existing:
                self._header = not existing.readline()
        self.on_train_end()  # a previous fit's file, if still open
        self._file = open(self.filename, "a" if self.append else "w", newline="")  # noqa: SIM115
        self._writer = None
        self.keys = None

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        """Write the epoch's row (the first row fixes the columns; a missing value is NA)."""
        logs = logs or {}
        if self._file is None:
            raise RuntimeError("CSVLogger.on_epoch_end before on_train_begin: the file is not open")
        if self.keys is None:
            self.keys = sorted(logs)
        if self._writer is None:
            dialect = type("CSVLoggerDialect", (csv.excel,), {"delimiter": self.sep})
            self._writer = csv.DictWriter(
                self._file, fieldnames=["epoch", *self.keys], dialect=dialect
            )
            if self._header:
                self._writer.writeheader()
        row = {"epoch": epoch, **{k: _csv_value(logs.get(k, "NA")) for k in self.keys}}
        self._writer.writerow(row)
        self._file.flush()

    def on_train_end(self, logs: Logs = None) -> None:
        """Close the file."""
        if self._file is not None and not self._file.closed:
            self._file.close()
        self._file = None
        self._writer = None


__all__ = ["CSVLogger", "ModelCheckpoint"]
