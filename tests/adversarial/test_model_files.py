"""Hostile .keras files: each damaged file raises ValueError naming it, or loads exactly."""

import io
import json
import re
import zipfile

import numpy as np
from test_weight_files import corrupted  # the same damage as the weights files get

import nn
from nn.layers import BatchNormalization, Dense
from nn.model_files import load_model, save_model, seed_generator_states
from nn.serialization import sequential_config

CORRUPTIONS = 300


def state(model):
    """Everything a load must reproduce: configs, weights, optimizer slots and counter, the
    seeded layers' generators."""
    optimizer = model.optimizer
    slots = [
        {k: v.tobytes() for k, v in optimizer._state[w].items()} for w in model.weights
        if w in optimizer._state
    ]
    return (
        sequential_config(model), optimizer.get_config(), optimizer.iterations, slots,
        [w.tobytes() for w in model.get_weights()], model.metrics_names,
        seed_generator_states(model),
    )


def test_corrupted_keras_files_raise_value_error_naming_them_or_load_exactly(tmp_path):
    nn.utils.set_random_seed(0)
    model = nn.Sequential([
        Dense(3, input_dim=2), BatchNormalization(), nn.layers.Dropout(0.5, seed=3), Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1, verbose=0)
    good_path = tmp_path / "good.keras"
    save_model(model, good_path)
    good = good_path.read_bytes()
    expected = state(model)
    rng = np.random.default_rng(17)
    outcomes = {"ValueError": 0, "loaded": 0}
    for index in range(CORRUPTIONS):
        path = tmp_path / "corrupt.keras"
        path.write_bytes(corrupted(good, rng, index))
        try:
            loaded = load_model(path)
        except ValueError as error:  # any other type fails the test
            assert str(path) in str(error), (index, error)
            outcomes["ValueError"] += 1
        else:
            assert state(loaded) == expected, index
            outcomes["loaded"] += 1
    # a flip in a zip's slack (timestamps, attributes) is harmless; the rest is caught
    assert outcomes["ValueError"] > CORRUPTIONS * 0.8, outcomes


def test_foreign_archives_are_value_errors_naming_them(tmp_path):
    good = tmp_path / "good.keras"
    save_model(nn.Sequential([Dense(1, input_dim=2)]), good)
    with zipfile.ZipFile(good) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    variants = {
        "keras_h5": ({**members, "model.weights.h5": b"\x89HDF"}, "h5py"),
        "extra_member": ({**members, "run.py": b"import os"}, r"unknown members \['run.py'\]"),
        "no_config": ({k: v for k, v in members.items() if k != "config.json"}, "no config.json"),
        "no_weights": ({k: v for k, v in members.items() if k != "model.weights.npz"},
                       "no model.weights.npz"),
        "config_not_json": ({**members, "config.json": b"{'class_name': 1"}, "is not JSON"),
        "config_a_list": ({**members, "config.json": b"[1, 2]"}, "holds a list"),
        "pickled_weights": ({**members, "model.weights.npz": _pickled_npz()},
                            "load only by unpickling"),
    }
    for what, (content, words) in variants.items():
        path = tmp_path / f"{what}.keras"
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in content.items():
                archive.writestr(name, data)
        try:
            load_model(path)
        except ValueError as error:
            assert str(path) in str(error) and re.search(words, str(error)), (what, error)
        else:
            raise AssertionError(f"{what} loaded")
    folder = tmp_path / "folder.keras"
    folder.mkdir()
    for what, content in {"empty": b"", "text": b"hello", "npz": members["model.weights.npz"],
                          "folder": None}.items():
        path = tmp_path / f"{what}.keras"
        if content is not None:
            path.write_bytes(content)
        try:
            load_model(path)
        except ValueError as error:
            assert str(path) in str(error), (what, error)
        else:
            raise AssertionError(f"{what} loaded")


def _pickled_npz() -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **{"dense/kernel": np.array([object()], dtype=object)})
    return buffer.getvalue()


EDITS = 200
ODD_VALUES = [None, -1, 0, 2.5, 1e308, "x", "", [], {}, [1, 2], True, "relu", [None, 3],
              float("nan"), 10**30, {"class_name": "Dense", "config": {}}]


def test_hand_edited_configs_load_or_raise_value_error_naming_the_file(tmp_path):
    # the zip's checksums catch damaged bytes; a config edited by hand (valid JSON, any value
    # anywhere, or a key removed) must still give a model or a ValueError, never another type
    model = nn.Sequential([
        nn.layers.Conv1D(2, 2, input_shape=(5, 3)), BatchNormalization(),
        nn.layers.Bidirectional(nn.layers.SimpleRNN(2)), Dense(1),
    ])
    model.compile(optimizer=nn.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    good = tmp_path / "good.keras"
    save_model(model, good)
    with zipfile.ZipFile(good) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    original = json.loads(members["config.json"])
    places = list(_places(original))
    rng = np.random.default_rng(18)
    outcomes = {"ValueError": 0, "loaded": 0}
    for _ in range(EDITS):
        config = json.loads(members["config.json"])
        *parents, last = places[int(rng.integers(len(places)))]
        node = config
        for key in parents:
            node = node[key]
        if isinstance(node, dict) and rng.random() < 0.2:
            del node[last]
        else:
            node[last] = ODD_VALUES[int(rng.integers(len(ODD_VALUES)))]
        path = tmp_path / "edited.keras"
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in {**members, "config.json": json.dumps(config).encode()}.items():
                archive.writestr(name, data)
        try:
            load_model(path)
        except ValueError as error:
            assert str(path) in str(error), error
            outcomes["ValueError"] += 1
        else:
            outcomes["loaded"] += 1
    assert outcomes["ValueError"] > EDITS // 4 and outcomes["loaded"] > EDITS // 10, outcomes


def _places(node, path=()):
    """The path of every value in a JSON tree (the root excluded)."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        yield (*path, key)
        if isinstance(value, (dict, list)):
            yield from _places(value, (*path, key))
