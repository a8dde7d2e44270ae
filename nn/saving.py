"""Weight files: one `.npz` archive keyed `"<layer name>/<weight name>"` (e.g. `dense/kernel`);
and Keras 3's `keras.saving` names for whole models (`save_model`, `load_model`,
`custom_object_scope`, `register_keras_serializable`), whose `.keras` archive is
nn/model_files.py.

Saving is atomic: the archive is written to a temporary file in the same directory, flushed
to disk, then renamed over the target, so a crash mid-save leaves the old file intact; the
temporary files of writers that died (SIGKILL) are removed by the next save of the same path.
Loading never unpickles and checks the whole file (every key, shape, dtype, byte and checksum,
and that float values fit the model's dtype) before changing any weight, so a damaged or
mismatched file raises ValueError and leaves the model bit-identical. Round trips are bit-exact.

>>> import os, tempfile, nn
>>> model = nn.Sequential([nn.layers.Dense(2, input_dim=3)])
>>> path = os.path.join(tempfile.mkdtemp(), "weights.npz")
>>> model.save_weights(path)
>>> sorted(np.load(path).files)
['dense/bias', 'dense/kernel']
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

# keras.saving's names for custom objects
from nn.registry import (  # noqa: F401
    custom_object_scope,
    get_registered_name,
    register_keras_serializable,
)

_NPY_MAGIC = b"\x93NUMPY"


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

    An HDF5 name (`.h5`, `.weights.h5`, Keras 3's required suffix) raises ValueError rather
    than silently writing an npz archive under it: h5py is not a dependency.

    >>> import os, tempfile, nn
    >>> model = nn.Sequential([nn.layers.Dense(2, input_dim=3)])
    >>> path = os.path.join(tempfile.mkdtemp(), "weights")
    >>> save_weights(model, path)
    >>> os.listdir(os.path.dirname(path))
    ['weights']
    """
    path = os.fspath(filepath)
    refuse_hdf5(path, "save_weights")
    if not model.built:
        raise ValueError(
            f'save_weights: model "{model.name}" is not built yet, so it has no weights to save'
        )
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"save_weights: {path!r} exists and overwrite=False")
    # Any values: numpy's stub checks **arrays against savez's keyword allow_pickle: bool
    arrays: dict[str, Any] = weight_arrays(model)
    atomic_write(path, lambda handle: np.savez(handle, **arrays))


def refuse_hdf5(path: str, what: str) -> None:
    """ValueError for an HDF5 file name (.h5, .hdf5, .weights.h5): saying which to use.

    >>> refuse_hdf5("model.weights.h5", "save_weights")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: save_weights: 'model.weights.h5' names an HDF5 file, ... '.weights.npz' ...
    """
    if path.lower().endswith((".h5", ".hdf5")):
        raise ValueError(
            f"{what}: {path!r} names an HDF5 file, and HDF5 needs h5py, which chainrule does "
            "not depend on: use a name ending in '.weights.npz' for weights (an npz archive, "
            "the format written here) or '.keras' for a whole model (model.save)"
        )


def _starts_with(path: str, magic: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(magic)) == magic
    except OSError:
        return False


def atomic_write(path: str, write: Callable[[BinaryIO], Any]) -> None:
    """Call `write(handle)` on a temporary file beside `path`, flush it to disk, then rename
    it over `path`: readers see the old file or the new one, never half of one.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "out.bin")
    >>> atomic_write(path, lambda handle: handle.write(b"abc"))
    >>> open(path, "rb").read(), os.listdir(os.path.dirname(path))
    (b'abc', ['out.bin'])
    """
    directory = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    remove_orphaned_temporaries(directory, base)
    # the writer's pid in the name tells a later save whether this file is an orphan
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{base}.{os.getpid()}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)  # atomic on POSIX and Windows: readers see old or new, never half
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def remove_orphaned_temporaries(directory: str, base: str) -> list[str]:
    """Delete the temporary files that saves of `base` left when their process was killed
    (a live writer's file, this process's included, is kept); returns the names removed.

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> remove_orphaned_temporaries(folder, "weights.npz")
    []
    """
    if os.name != "posix":  # no harmless liveness probe: os.kill(pid, 0) terminates on Windows
        return []
    pattern = re.compile(rf"\.{re.escape(base)}\.(\d+)\.[^.]+\.tmp")
    removed = []
    for name in os.listdir(directory):
        match = pattern.fullmatch(name)
        if match is None or _process_alive(int(match.group(1))):
            continue
        try:
            os.unlink(os.path.join(directory, name))
            removed.append(name)
        except FileNotFoundError:  # another save removed it first
            pass
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):  # another user's process, or unknowable
        return True
    return True


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


class WeightsFileError(ValueError):
    """A file `load_weights` cannot use: damaged, foreign, or saved from another model."""


@dataclass(frozen=True)
class _Member:
    info: zipfile.ZipInfo
    shape: tuple[int, ...]
    fortran_order: bool
    dtype: np.dtype


def load_weights(model: Any, filepath: Any) -> None:
    """Set `model`'s weights from a file written by `save_weights` (or the weights of a
    `.keras` file written by `model.save`, as Keras 3 allows).

    Raises FileNotFoundError for a missing file, and ValueError (a `WeightsFileError`) naming
    the file and what is wrong for every other unusable one: not an archive, truncated or
    damaged bytes, non-numeric arrays, values beyond the model's float range, or a different
    architecture (naming the layer and both shapes). Nothing is changed in any of those cases.

    >>> import os, tempfile, nn
    >>> path = os.path.join(tempfile.mkdtemp(), "weights.npz")
    >>> save_weights(nn.Sequential([nn.layers.Dense(2, input_dim=3)]), path)
    >>> load_weights(nn.Sequential([nn.layers.Dense(4, input_dim=3)]), path)
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nn.saving.WeightsFileError: load_weights: layer "dense" weight 'kernel' has shape (3, 4) ...
    """
    path = os.fspath(filepath)
    if not _starts_with(path, b"PK\x03\x04"):  # an npz under an HDF5 name (older saves) loads
        refuse_hdf5(path, "load_weights")
    if not model.built:
        raise ValueError(
            f'load_weights: model "{model.name}" is not built yet: give its first layer an '
            "input_shape (or call model.build(input_shape)) before loading weights"
        )
    if path.endswith(".keras"):  # Keras 3 reads the weights of a whole-model file too
        from nn.model_files import read_model_weights

        arrays = read_model_weights(path, weight_arrays(model))
    else:
        arrays = read_weights(path, weight_arrays(model))
    weights = [weight for layer in model.layers for weight in layer.weights]
    previous = [weight.data for weight in weights]
    try:
        for weight, array in zip(weights, arrays.values()):
            weight.data = array
    except BaseException:  # validated above, so only an interrupt lands here: undo it all
        for weight, data in zip(weights, previous):
            weight.data = data
        raise


def read_weights(path: str, expected: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The file's arrays, keyed and ordered as `expected` and cast to its dtypes, after
    checking all of them; WeightsFileError for any problem (FileNotFoundError if missing).

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "w.npz")
    >>> np.savez(path, **{"dense/bias": np.array([1e300])})
    >>> read_weights(path, {"dense/bias": np.zeros(1, np.float32)})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nn.saving.WeightsFileError: load_weights: layer "dense" weight 'bias' in '...' holds 1e+300, ...
    """
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        raise FileNotFoundError(f"load_weights: no such file {path!r}") from None
    except IsADirectoryError:
        raise WeightsFileError(
            f"load_weights: {path!r} is a directory, not a weights file"
        ) from None
    except Exception as error:  # unreadable (permissions, ...): a ValueError as for damage
        raise WeightsFileError(
            f"load_weights: {path!r} is not a readable weights file: "
            f"{type(error).__name__}: {error}"
        ) from error
    with handle:
        return read_weight_archive(handle, path, expected)


def read_weight_archive(
    handle: BinaryIO, path: str, expected: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """`read_weights` on an open, seekable binary file (`path` names it in messages), e.g.
    the weights member of a `.keras` archive.

    >>> import io
    >>> buffer = io.BytesIO()
    >>> np.savez(buffer, **{"dense/bias": np.array([1.5])})
    >>> read_weight_archive(buffer, "w.npz", {"dense/bias": np.zeros(1, np.float32)})
    {'dense/bias': array([1.5], dtype=float32)}
    """
    try:
        handle.seek(0)
        members = _read_headers(handle, path)
        _check_against_model(members, expected, path)
        stored = {key: _read_data(handle, members[key], path, key) for key in expected}
    except WeightsFileError:
        raise
    # broad on purpose: damaged bytes surface from zipfile, zlib and numpy as a dozen unrelated
    # types (BadZipFile, EOFError, zlib.error, NotImplementedError, OSError, ...); one for all
    except Exception as error:
        raise WeightsFileError(
            f"load_weights: {path!r} is not a readable weights file (truncated or damaged?): "
            f"{type(error).__name__}: {error}"
        ) from error
    return {key: _cast(stored[key], current.dtype, key, path) for key, current in expected.items()}


def _read_headers(handle: BinaryIO, path: str) -> dict[str, _Member]:
    """Every member's npy header, read without touching the array data."""
    start = handle.read(len(_NPY_MAGIC))
    handle.seek(0)
    if not start:
        raise WeightsFileError(f"load_weights: {path!r} is empty, not a weights file")
    if start == _NPY_MAGIC:
        raise WeightsFileError(
            f"load_weights: {path!r} holds a single array, not a weights archive"
        )
    if not zipfile.is_zipfile(handle):
        what = (
            "a zip archive whose end (its directory) is missing: truncated?"
            if start.startswith(b"PK\x03\x04")
            else "it is not an .npz (zip) archive"
        )
        raise WeightsFileError(
            f"load_weights: {path!r} is not a weights file written by save_weights: {what}"
        )
    archive = zipfile.ZipFile(handle)
    members: dict[str, _Member] = {}
    for info in archive.infolist():
        key = info.filename.removesuffix(".npy")
        problem = _member_problem(info, key, members)
        if problem:
            raise WeightsFileError(
                f"load_weights: {path!r} is not a weights file written by save_weights: {problem}"
            )
        with archive.open(info) as stream:
            shape, fortran_order, dtype = _read_npy_header(stream)
        if dtype.hasobject or dtype.kind not in "biuf":
            kind = (
                "Object arrays (dtype object), which load only by unpickling"
                if dtype.hasobject
                else f"dtype {dtype}"
            )
            raise WeightsFileError(
                f"load_weights: {path!r} is not a weights file written by save_weights: {key!r} "
                f"holds {kind}; weights are numbers"
            )
        members[key] = _Member(info, shape, fortran_order, dtype)
    return members


def _member_problem(info: zipfile.ZipInfo, key: str, seen: dict[str, _Member]) -> str:
    if not info.filename.endswith(".npy"):
        return f"its member {info.filename!r} is not an .npy array"
    if key in seen:
        return f"it holds {key!r} twice"
    if info.flag_bits & 0x1:
        return f"its member {info.filename!r} is encrypted"
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return f"its member {info.filename!r} uses compression method {info.compress_type}"
    return ""


def _read_npy_header(stream: Any) -> tuple[tuple[int, ...], bool, np.dtype]:
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(stream)
    if version == (2, 0):
        return np.lib.format.read_array_header_2_0(stream)
    raise ValueError(f"npy format version {version} is not one save_weights writes")


def _check_against_model(
    members: dict[str, _Member], expected: dict[str, np.ndarray], path: str
) -> None:
    layers_in_file = sorted({key.split("/")[0] for key in members})
    for key, current in expected.items():
        layer, weight = key.split("/", 1)
        if key not in members:
            raise WeightsFileError(
                f'load_weights: the file {path!r} has no weight {weight!r} for layer "{layer}" '
                f"(its layers: {', '.join(layers_in_file) or 'none'}); was it saved from a "
                "different model?"
            )
        if members[key].shape != current.shape:
            raise WeightsFileError(
                f'load_weights: layer "{layer}" weight {weight!r} has shape {current.shape} in '
                f"the model but {members[key].shape} in {path!r}: the architectures differ"
            )
    extra = sorted(set(members) - set(expected))
    if extra:
        raise WeightsFileError(
            f"load_weights: {path!r} holds weights the model does not have: {', '.join(extra)} "
            f"(the model has {', '.join(expected)})"
        )


def _read_data(handle: BinaryIO, member: _Member, path: str, key: str) -> np.ndarray:
    """The member's array; reading it to the end makes zipfile verify its CRC-32."""
    size = int(np.prod(member.shape)) * member.dtype.itemsize
    with zipfile.ZipFile(handle).open(member.info) as stream:
        _read_npy_header(stream)
        data = stream.read(size)
        trailing = stream.read(1)
    if len(data) != size or trailing:
        raise WeightsFileError(
            f"load_weights: {path!r} is damaged: {key!r} holds {len(data) + len(trailing)}"
            f"{'+' if trailing else ''} bytes of array data where its header says {size}"
        )
    flat = np.frombuffer(data, dtype=member.dtype)
    return flat.reshape(member.shape, order="F" if member.fortran_order else "C")


def _cast(array: np.ndarray, dtype: np.dtype, key: str, path: str) -> np.ndarray:
    """A fresh copy in the model's dtype; finite values that would become inf are refused."""
    with np.errstate(over="ignore", invalid="ignore"):
        cast = array.astype(dtype)
    if cast.dtype.kind == "f":
        overflow = np.isinf(cast) & np.isfinite(array)
        if overflow.any():
            layer, weight = key.split("/", 1)
            value = array[overflow].flat[0].item()
            raise WeightsFileError(
                f'load_weights: layer "{layer}" weight {weight!r} in {path!r} holds {value!r}, '
                f"beyond the range of the model's {dtype} (largest "
                f"{float(np.finfo(dtype).max):.7g}): loading it would turn it into inf"
            )
    return cast


# ---------------------------------------------------------------------------------------
# Whole models, under Keras 3's names (keras.saving.save_model / load_model); the .keras
# archive itself is nn/model_files.py


def save_model(model: Any, filepath: Any, overwrite: bool = True) -> None:
    """`model.save(filepath)`: the whole model to a `.keras` file (see `nn.model_files`).

    >>> import os, tempfile, nn
    >>> path = os.path.join(tempfile.mkdtemp(), "m.keras")
    >>> save_model(nn.Sequential([nn.layers.Dense(1, input_dim=2)]), path)
    >>> load_model(path).count_params()
    3
    """
    from nn import model_files

    model_files.save_model(model, filepath, overwrite=overwrite)


def load_model(filepath: Any, custom_objects: dict[str, Any] | None = None,
               compile: bool = True) -> Any:
    """The model of a `.keras` file (see `nn.model_files.load_model`)."""
    from nn import model_files

    return model_files.load_model(filepath, custom_objects=custom_objects, compile=compile)
