"""Weight files: one `.npz` archive keyed `"<layer name>/<weight name>"` (e.g. `dense/kernel`).

Saving is atomic: the archive is written to a temporary file in the same directory, flushed
to disk, then renamed over the target, so a crash mid-save leaves the old file intact. Loading
never unpickles (`allow_pickle=False`) and checks every layer and shape before changing any
weight, so a mismatched file leaves the model untouched. Round trips are bit-exact.

>>> import os, tempfile, nn
>>> model = nn.Sequential([nn.layers.Dense(2, input_dim=3)])
>>> path = os.path.join(tempfile.mkdtemp(), "weights.npz")
>>> model.save_weights(path)
>>> sorted(np.load(path).files)
['dense/bias', 'dense/kernel']
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np


def weight_arrays(model: Any) -> dict[str, np.ndarray]:
    """{'dense/kernel': array, ...} in layer order (the arrays themselves, not copies).

    >>> import nn
    >>> model = nn.Sequential([nn.layers.Dense(2, input_dim=3), nn.layers.Dense(1)])
    >>> {key: array.shape for key, array in weight_arrays(model).items()}
    {'dense/kernel': (3, 2), 'dense/bias': (2,), 'dense_1/kernel': (2, 1), 'dense_1/bias': (1,)}
    """
    arrays: dict[str, np.ndarray] = {}
    for layer in model.layers:
        for name, weight in zip(layer.weight_names, layer.weights):
            arrays[f"{layer.name}/{name}"] = weight.data
    return arrays


def save_weights(model: Any, filepath: Any, overwrite: bool = True) -> None:
    """Write every weight of `model` to `filepath` (exactly that path: no suffix is added).

    >>> import os, tempfile, nn
    >>> model = nn.Sequential([nn.layers.Dense(2, input_dim=3)])
    >>> path = os.path.join(tempfile.mkdtemp(), "weights")
    >>> save_weights(model, path)
    >>> os.listdir(os.path.dirname(path))
    ['weights']
    """
    path = os.fspath(filepath)
    if not model.built:
        raise ValueError(
            f'save_weights: model "{model.name}" is not built yet, so it has no weights to save'
        )
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"save_weights: {path!r} exists and overwrite=False")
    # Any values: numpy's stub checks **arrays against savez's keyword allow_pickle: bool
    arrays: dict[str, Any] = weight_arrays(model)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)  # atomic on POSIX and Windows: readers see old or new, never half
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable (POSIX); harmless where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load_weights(model: Any, filepath: Any) -> None:
    """Set `model`'s weights from a file written by `save_weights`.

    Raises ValueError naming the layer and both shapes when the file was saved from a
    different architecture; nothing is changed in that case.

    >>> import os, tempfile, nn
    >>> path = os.path.join(tempfile.mkdtemp(), "weights.npz")
    >>> save_weights(nn.Sequential([nn.layers.Dense(2, input_dim=3)]), path)
    >>> load_weights(nn.Sequential([nn.layers.Dense(4, input_dim=3)]), path)
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: load_weights: layer "dense" weight 'kernel' has shape (3, 4) in the model but ...
    """
    path = os.fspath(filepath)
    if not model.built:
        raise ValueError(
            f'load_weights: model "{model.name}" is not built yet: give its first layer an '
            "input_shape (or call model.build(input_shape)) before loading weights"
        )
    try:
        archive = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise FileNotFoundError(f"load_weights: no such file {path!r}") from None
    except (ValueError, OSError) as error:
        raise ValueError(
            f"load_weights: {path!r} is not a weights file written by save_weights: {error}"
        ) from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"load_weights: {path!r} holds a single array, not a weights archive")
    with archive:
        try:
            stored = {key: archive[key] for key in archive.files}
        except ValueError as error:  # e.g. object arrays, which would need unpickling
            raise ValueError(
                f"load_weights: {path!r} is not a weights file written by save_weights: {error}"
            ) from None
    expected = weight_arrays(model)
    layers_in_file = sorted({key.split("/")[0] for key in stored})
    for key, current in expected.items():
        layer, weight = key.split("/", 1)
        if key not in stored:
            raise ValueError(
                f'load_weights: the file {path!r} has no weight {weight!r} for layer "{layer}" '
                f"(its layers: {', '.join(layers_in_file) or 'none'}); was it saved from a "
                "different model?"
            )
        if stored[key].shape != current.shape:
            raise ValueError(
                f'load_weights: layer "{layer}" weight {weight!r} has shape {current.shape} in '
                f"the model but {stored[key].shape} in {path!r}: the architectures differ"
            )
    extra = sorted(set(stored) - set(expected))
    if extra:
        raise ValueError(
            f"load_weights: {path!r} holds weights the model does not have: {', '.join(extra)} "
            f'(model "{model.name}" has {", ".join(expected)})'
        )
    for layer in model.layers:
        for name, weight in zip(layer.weight_names, layer.weights):
            weight.data = np.array(stored[f"{layer.name}/{name}"], dtype=weight.dtype)
