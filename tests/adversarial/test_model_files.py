"""Hostile .keras files: each damaged file raises ValueError naming it, or loads exactly."""

import io
import re
import zipfile

import numpy as np
from test_weight_files import corrupted  # the same damage as the weights files get

import nn
from nn.layers import BatchNormalization, Dense
from nn.model_files import load_model, save_model
from nn.serialization import sequential_config

CORRUPTIONS = 300


def state(model):
    """Everything a load must reproduce: configs, weights, optimizer slots and counter."""
    optimizer = model.optimizer
    slots = [
        {k: v.tobytes() for k, v in optimizer._state[w].items()} for w in model.weights
        if w in optimizer._state
    ]
    return (
        sequential_config(model), optimizer.get_config(), optimizer.iterations, slots,
        [w.tobytes() for w in model.get_weights()], model.metrics_names,
    )


def test_corrupted_keras_files_raise_value_error_naming_them_or_load_exactly(tmp_path):
    nn.utils.set_random_seed(0)
    model = nn.Sequential([Dense(3, input_dim=2), BatchNormalization(), Dense(1)])
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
    for what, content in {"empty": b"", "text": b"hello", "npz": members["model.weights.npz"]}.items():
        path = tmp_path / f"{what}.keras"
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
