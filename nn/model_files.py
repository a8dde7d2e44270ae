"""Whole-model files: `model.save("m.keras")` and `load_model("m.keras")`, as Keras 3.

A `.keras` file is a zip archive (Keras 3's layout, keras/src/saving/saving_lib.py):

- `config.json`: the model serialized (`nn.serialization.serialize_model`): its class, its
  config (every layer's), its input shape and its compile config (optimizer, loss, metrics);
- `metadata.json`: the chainrule version and the date saved;
- `model.weights.npz`: the weights, exactly as `save_weights` writes them (Keras 3 writes
  `model.weights.h5`, or `model.weights.npz` with weights_format="npz");
- `optimizer.weights.npz`: the optimizer's `iterations` and each weight's slots
  ("dense/kernel/momentum"), when the model is compiled.
- `seed_generators.json`: the state of each seeded layer's own generator (`Dropout(seed=1)`),
  as Keras saves its SeedGenerator's state, when there is one.

Saving is atomic (as `save_weights`). Loading never unpickles and never imports: classes are
looked up among nn's own and the `custom_objects` given; every array is checked (names,
shapes, dtypes, checksums) before use. Any file that cannot be used raises ValueError
(`ModelFileError`) naming it; a missing one also is a FileNotFoundError.

>>> import os, tempfile, nn
>>> model = nn.Sequential([nn.layers.Dense(2, input_dim=3)])
>>> model.compile(optimizer="adam", loss="mse")
>>> path = os.path.join(tempfile.mkdtemp(), "model.keras")
>>> save_model(model, path)
>>> loaded = load_model(path)
>>> loaded.optimizer, [w.shape for w in loaded.get_weights()]
(Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False), [(3, 2), (2,)])
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import os
import zipfile
from collections.abc import Iterator
from typing import Any

import numpy as np

from nn import saving, serialization, utils
from nn.registry import custom_object_scope

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.npz"
OPTIMIZER = "optimizer.weights.npz"
SEEDS = "seed_generators.json"
_MEMBERS = (CONFIG, METADATA, WEIGHTS, OPTIMIZER, SEEDS)
_JSON_LIMIT = 64 * 2**20  # a config larger than this is not one save_model wrote


class ModelFileError(ValueError):
    """A file `load_model` cannot use: damaged, foreign, or naming unknown classes."""


class ModelFileNotFoundError(ModelFileError, FileNotFoundError):
    """No such file: a ValueError as in Keras 3, and a FileNotFoundError as in Python."""


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("chainrule")
    except Exception:  # not installed as a distribution (a source checkout)
        return "unknown"


# ---------------------------------------------------------------------------------------
# saving


def save_model(model: Any, filepath: Any, overwrite: bool = True) -> None:
    """Write `model` (architecture, weights, compile settings, optimizer state) to a
    `.keras` file, atomically; any other suffix raises ValueError as Keras 3 does.

    >>> import nn
    >>> save_model(nn.Sequential([nn.layers.Dense(1, input_dim=2)]), "model.h5")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: save: 'model.h5' names an HDF5 file, and HDF5 needs h5py, ...
    """
    path = os.fspath(filepath)
    saving.refuse_hdf5(path, "save")
    if not path.endswith(".keras"):
        # Keras 3's rule and words (keras/src/saving/saving_api.py)
        raise ValueError(
            "Invalid filepath extension for saving. Please add a `.keras` extension (the "
            "whole model) or use save_weights with a `.weights.npz` name (the weights alone). "
            f"Received: filepath={path}"
        )
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"save: {path!r} exists and overwrite=False")
    config = json.dumps(serialization.serialize_model(model), default=_plain)
    metadata = json.dumps(
        {
            "chainrule_version": _version(),
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        }
    )
    members = {CONFIG: config.encode(), METADATA: metadata.encode()}
    if model.built:
        members[WEIGHTS] = _npz(saving.weight_arrays(model))
        if model.compiled:
            members[OPTIMIZER] = _npz(optimizer_arrays(model))
    seeds = seed_generator_states(model)
    if seeds:
        members[SEEDS] = json.dumps(seeds).encode()

    def write(handle: Any) -> None:
        with zipfile.ZipFile(handle, "w") as archive:
            for name, data in members.items():
                # arrays are stored as they are: compressing floats gains little
                method = zipfile.ZIP_STORED if name.endswith(".npz") else zipfile.ZIP_DEFLATED
                archive.writestr(name, data, compress_type=method)

    saving.atomic_write(path, write)


def _plain(value: Any) -> Any:
    """numpy numbers and arrays in a config (a custom layer's get_config) as JSON's own."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError(
        f"save: a config holds {value!r} of type {type(value).__name__}, which JSON cannot "
        "store: get_config must return numbers, strings, lists, dicts and None"
    )


def _npz(arrays: dict[str, Any]) -> bytes:  # Any: numpy's stub mistakes **arrays for flags
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def optimizer_arrays(model: Any) -> dict[str, np.ndarray]:
    """The optimizer's state: its `iterations` ("optimizer/iterations"), then the slots of
    every weight it has updated ("dense/kernel/momentum"), so that training resumes exactly
    where it stopped.

    >>> import numpy as np, nn
    >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=2)])
    >>> model.compile(optimizer="adam", loss="mse")
    >>> list(optimizer_arrays(model))
    ['optimizer/iterations']
    >>> _ = model.train_on_batch(np.ones((1, 2)), np.ones((1, 1)))
    >>> list(optimizer_arrays(model))[1:]
    ['dense/kernel/momentum', 'dense/kernel/velocity', 'dense/bias/momentum', 'dense/bias/velocity']
    """
    optimizer = model.optimizer
    arrays = {"optimizer/iterations": np.array(optimizer.iterations, dtype=np.int64)}
    for key, weight in _weights_by_key(model):
        # the optimizer keeps its slots by weight (identity), made at the weight's first update
        for slot, array in optimizer._state.get(weight, {}).items():
            arrays[f"{key}/{slot}"] = array
    return arrays


def _possible_slots(model: Any) -> dict[str, dict[str, np.ndarray]]:
    """{weight key: the slots the optimizer would make for it}, for checking a file."""
    make = model.optimizer.build_state
    return {key: make(weight.data) for key, weight in _weights_by_key(model)}


def _weights_by_key(model: Any) -> Iterator[tuple[str, Any]]:
    for layer in model.layers:
        for name, weight in zip(layer.weight_names, layer.weights):
            yield f"{layer.name}/{name}", weight


# ---------------------------------------------------------------------------------------
# loading


def load_model(filepath: Any, custom_objects: dict[str, Any] | None = None,
               compile: bool = True) -> Any:
    """The model a `.keras` file holds: built, with its weights, compiled (optimizer state
    included) unless `compile=False`. Classes and functions of your own are found through
    `custom_objects={"Name": obj}`; nothing else is imported or run. Loading leaves the
    random stream (`nn.utils.rng()`) where it was, so a resumed `fit` shuffles as an
    uninterrupted one would.

    >>> load_model("model.h5")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: load_model: 'model.h5' names an HDF5 file, and HDF5 needs h5py, ...
    """
    path = os.fspath(filepath)
    saving.refuse_hdf5(path, "load_model")
    if not path.endswith(".keras"):
        raise ModelFileError(  # Keras 3's words (keras/src/saving/saving_api.py)
            f"File format not supported: filepath={path}. load_model reads `.keras` files "
            "(written by model.save); weights files are read by model.load_weights"
        )
    members = read_archive(path)
    spec = _json(members, CONFIG, path)
    _json(members, METADATA, path)
    try:
        with custom_object_scope(custom_objects), _rng_kept():
            model = serialization.deserialize_model(spec, compile=compile)
    # broad on purpose: a hand-edited config fails in whatever constructor or build it reaches
    # (ValueError, TypeError, KeyError, OverflowError from a huge stride...); one type for all
    except Exception as error:
        raise ModelFileError(
            f"load_model: {path!r} holds a config that cannot be rebuilt: "
            f"{type(error).__name__}: {error}"
        ) from error
    if model.built:
        weights = _member_arrays(members, WEIGHTS, path, saving.weight_arrays(model))
        optimizer_state = None
        if compile and getattr(model, "compiled", False):
            optimizer_state = _optimizer_state(members, path, model)
        model.set_weights(list(weights.values()))
        if optimizer_state is not None:
            _restore_optimizer(model, optimizer_state)
    elif WEIGHTS in members:
        raise ModelFileError(f"load_model: {path!r} holds weights for a model with no input shape")
    if SEEDS in members:
        _restore_seed_generators(model, _json(members, SEEDS, path), path)
    return model


def read_model_weights(path: str, expected: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The checked weights of the `.keras` file at `path`, for `model.load_weights(path)`.

    >>> import os, tempfile, nn
    >>> model = nn.Sequential([nn.layers.Dense(1, input_dim=2, bias_initializer="ones")])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.keras")
    >>> save_model(model, path)
    >>> read_model_weights(path, saving.weight_arrays(model))["dense/bias"]
    array([1.], dtype=float32)
    """
    return _member_arrays(read_archive(path), WEIGHTS, path, expected)


def read_archive(path: str) -> dict[str, bytes]:
    """Every member of the `.keras` zip at `path`, each read whole (so zipfile checks its
    CRC-32), after checking the names; ModelFileError for anything else.

    >>> import os, tempfile
    >>> text = os.path.join(tempfile.mkdtemp(), "notes.keras")
    >>> _ = open(text, "w").write("hello")
    >>> read_archive(text)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nn.model_files.ModelFileError: load_model: '...notes.keras' is not a .keras file: ...
    """
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        raise ModelFileNotFoundError(
            f"load_model: no such file {path!r} (File not found: filepath={path})"
        ) from None
    except OSError as error:  # a directory, no permission
        raise ModelFileError(
            f"load_model: cannot read {path!r}: {type(error).__name__}: {error}"
        ) from error
    try:
        with handle:
            return _read_members(handle, path)
    except ModelFileError:
        raise
    # broad on purpose: damaged bytes surface from zipfile and zlib as many unrelated types
    except Exception as error:
        raise ModelFileError(
            f"load_model: {path!r} is not a readable .keras file (truncated or damaged?): "
            f"{type(error).__name__}: {error}"
        ) from error


def _read_members(handle: Any, path: str) -> dict[str, bytes]:
    size = os.fstat(handle.fileno()).st_size
    if not zipfile.is_zipfile(handle):
        what = "it is empty" if size == 0 else "it is not a zip archive (truncated?)"
        raise ModelFileError(f"load_model: {path!r} is not a .keras file: {what}")
    archive = zipfile.ZipFile(handle)
    names = [info.filename for info in archive.infolist()]
    if "model.weights.h5" in names:
        raise ModelFileError(
            f"load_model: {path!r} holds HDF5 weights (model.weights.h5, written by Keras): "
            "reading HDF5 needs h5py, which chainrule does not depend on"
        )
    unknown = sorted(set(names) - set(_MEMBERS))
    if unknown or len(set(names)) != len(names) or CONFIG not in names:
        problem = (
            f"unknown members {unknown}" if unknown
            else "a member twice" if len(set(names)) != len(names) else f"no {CONFIG}"
        )
        raise ModelFileError(
            f"load_model: {path!r} is not a .keras file written by model.save: it holds "
            f"{problem} (expected {', '.join(_MEMBERS)})"
        )
    members = {}
    for info in archive.infolist():
        # a member cannot hold more than its archive (compressed ~1000x at most): no zip bomb
        limit = _JSON_LIMIT if info.filename.endswith(".json") else max(_JSON_LIMIT, 4 * size)
        if info.file_size > limit:
            raise ModelFileError(
                f"load_model: {path!r} is damaged: its member {info.filename!r} claims "
                f"{info.file_size} bytes"
            )
        members[info.filename] = archive.read(info)
    return members


def _json(members: dict[str, bytes], name: str, path: str) -> Any:
    if name not in members:
        raise ModelFileError(f"load_model: {path!r} has no {name}: not written by model.save")
    try:
        value = json.loads(members[name].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ModelFileError(
            f"load_model: {path!r} is damaged: its {name} is not JSON: {error}"
        ) from error
    if not isinstance(value, dict):
        raise ModelFileError(
            f"load_model: {path!r} is damaged: its {name} holds a {type(value).__name__}, "
            "not an object"
        )
    return value


def _member_arrays(
    members: dict[str, bytes], name: str, path: str, expected: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """The checked arrays of the npz member `name` (see `saving.read_weight_archive`)."""
    if name not in members:
        raise ModelFileError(
            f"load_model: {path!r} has no {name}, though its config describes a "
            f"{'built' if name == WEIGHTS else 'compiled'} model"
        )
    try:
        return saving.read_weight_archive(io.BytesIO(members[name]), f"{path}[{name}]", expected)
    except saving.WeightsFileError as error:
        message = str(error).removeprefix("load_weights: ")
        raise ModelFileError(f"load_model: {message}") from error


def _optimizer_state(members: dict[str, bytes], path: str, model: Any) -> dict[str, Any]:
    """The checked optimizer arrays: `iterations`, then for each weight all of its slots or
    none (a weight the optimizer had not updated yet), keys and shapes as the model's."""
    possible = _possible_slots(model)
    try:  # which weights have slots: the member's names (their arrays are checked below)
        with zipfile.ZipFile(io.BytesIO(members.get(OPTIMIZER, b""))) as inner:
            names = {name.removesuffix(".npy") for name in inner.namelist()}
    except Exception:  # damaged or missing: the checked read below says what is wrong
        names = set()
    expected = {"optimizer/iterations": np.zeros((), np.int64)}
    for key, slots in possible.items():
        present = [slot for slot in slots if f"{key}/{slot}" in names]
        if present and len(present) != len(slots):
            raise ModelFileError(
                f"load_model: {path!r} is damaged: {OPTIMIZER} holds the slots {present} of "
                f"{key!r} but not all of {list(slots)}"
            )
        expected.update({f"{key}/{slot}": array for slot, array in slots.items() if present})
    return _member_arrays(members, OPTIMIZER, path, expected)


def _restore_optimizer(model: Any, arrays: dict[str, np.ndarray]) -> None:
    """Put the checked arrays back into the freshly compiled model's optimizer."""
    optimizer = model.optimizer
    iterations = int(arrays["optimizer/iterations"])
    if iterations < 0:
        raise ModelFileError(f"load_model: optimizer iterations {iterations} is negative")
    state = {}
    for key, weight in _weights_by_key(model):
        slots = {name[len(key) + 1:]: array for name, array in arrays.items()
                 if name.rpartition("/")[0] == key}
        if slots:
            state[weight] = slots
    optimizer.iterations = iterations
    optimizer._state = state


def seed_generator_states(model: Any) -> dict[str, Any]:
    """Each seeded layer's generator state (numpy's `bit_generator.state`, JSON-able), by
    layer ('dropout', or 'bidirectional/forward_lstm' inside a wrapper): a resumed `fit`
    then draws the masks an uninterrupted one would.

    >>> import nn
    >>> model = nn.Sequential([nn.layers.Dropout(0.5, seed=1, input_shape=(2,))])
    >>> list(seed_generator_states(model)), seed_generator_states(model)["dropout"]["bit_generator"]
    (['dropout'], 'PCG64')
    """
    return {key: generator.bit_generator.state for key, generator in _seeded_generators(model)}


def _seeded_generators(model: Any) -> Iterator[tuple[str, np.random.Generator]]:
    from nn.layers import Layer

    for layer in model.layers:
        owners = [(layer.name, layer)] + [
            (f"{layer.name}/{sub.name}", sub) for sub in vars(layer).values()
            if isinstance(sub, Layer)
        ]
        for key, owner in owners:
            generator = getattr(owner, "_generator", None)
            if isinstance(generator, np.random.Generator):
                yield key, generator


def _restore_seed_generators(model: Any, states: dict[str, Any], path: str) -> None:
    generators = dict(_seeded_generators(model))
    if set(states) != set(generators):
        raise ModelFileError(
            f"load_model: {path!r}: {SEEDS} holds generators for {sorted(states)}, the model "
            f"has seeded layers {sorted(generators)}"
        )
    for key, generator in generators.items():
        try:
            generator.bit_generator.state = states[key]
        except Exception as error:  # numpy checks the state's form and kind
            raise ModelFileError(
                f"load_model: {path!r} is damaged: {SEEDS} holds no usable state for "
                f"{key!r}: {type(error).__name__}: {error}"
            ) from error


@contextlib.contextmanager
def _rng_kept() -> Iterator[None]:
    """Building draws initial weights that the file's then replace: put the stream back."""
    generator = utils.rng()
    saved = generator.bit_generator.state
    try:
        yield
    finally:
        generator.bit_generator.state = saved
