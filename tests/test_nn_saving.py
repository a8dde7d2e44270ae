"""Weight files: bit-exact round trips, atomic writes, clear errors on mismatched models."""

import os
import zipfile

import numpy as np
import pytest

import nn
from nn.layers import Dense


@pytest.fixture(autouse=True)
def seeded():
    nn.utils.set_random_seed(0)


def model(dtype=None, hidden=4):
    return nn.Sequential([
        Dense(hidden, activation="relu", input_dim=3, dtype=dtype),
        Dense(2, dtype=dtype),
    ])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_trip_is_bit_exact(tmp_path, dtype):
    source = model(dtype)
    source.set_weights([w + np.float64(1) / 3 for w in source.get_weights()])  # not round numbers
    path = tmp_path / "weights.npz"
    source.save_weights(str(path))
    target = model(dtype)
    target.load_weights(str(path))
    for a, b in zip(source.get_weights(), target.get_weights()):
        assert a.dtype == b.dtype == np.dtype(dtype)
        assert a.tobytes() == b.tobytes()


def test_file_is_a_plain_npz_keyed_by_layer_and_weight(tmp_path):
    path = tmp_path / "w.npz"
    model().save_weights(path)  # path-like objects work too
    with np.load(path, allow_pickle=False) as archive:
        assert archive.files == ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]
        assert archive["dense/kernel"].shape == (3, 4)
    with zipfile.ZipFile(path) as zipped:
        assert all(name.endswith(".npy") for name in zipped.namelist())


def test_any_file_name_is_used_as_given(tmp_path):
    path = tmp_path / "checkpoint.weights.h5"  # tutorials' names: written as npz, no suffix added
    source = model()
    source.save_weights(str(path))
    assert os.listdir(tmp_path) == ["checkpoint.weights.h5"]
    target = model()
    target.load_weights(str(path))
    np.testing.assert_array_equal(source.get_weights()[0], target.get_weights()[0])


def test_a_crash_mid_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "weights.npz"
    first = model()
    first.save_weights(str(path))
    old_bytes = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        model(hidden=5).save_weights(str(path))
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["weights.npz"]  # the temporary file is gone too
    monkeypatch.undo()
    reloaded = model()
    reloaded.load_weights(str(path))
    np.testing.assert_array_equal(reloaded.get_weights()[0], first.get_weights()[0])


def test_overwrite_false_refuses_an_existing_file(tmp_path):
    path = tmp_path / "w.npz"
    model().save_weights(str(path))
    with pytest.raises(FileExistsError, match="overwrite=False"):
        model().save_weights(str(path), overwrite=False)


def test_loading_into_a_different_architecture_names_the_layer_and_shapes(tmp_path):
    path = tmp_path / "w.npz"
    model(hidden=4).save_weights(str(path))
    other = model(hidden=5)
    before = other.get_weights()
    with pytest.raises(ValueError, match=r'layer "dense" weight \'kernel\' has shape \(3, 5\) in the model but \(3, 4\)'):
        other.load_weights(str(path))
    for a, b in zip(before, other.get_weights()):  # nothing was changed
        np.testing.assert_array_equal(a, b)
    deeper = nn.Sequential([Dense(4, input_dim=3), Dense(2), Dense(1)])
    with pytest.raises(ValueError, match=r'no weight \'kernel\' for layer "dense_2"'):
        deeper.load_weights(str(path))
    shallower = nn.Sequential([Dense(4, input_dim=3, activation="relu")])
    with pytest.raises(ValueError, match="weights the model does not have: dense_1/bias, dense_1/kernel"):
        shallower.load_weights(str(path))


def test_load_errors_for_missing_unbuilt_and_foreign_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        model().load_weights(str(tmp_path / "missing.npz"))
    with pytest.raises(ValueError, match="not built yet"):
        nn.Sequential([Dense(2)]).load_weights(str(tmp_path / "missing.npz"))
    with pytest.raises(ValueError, match="not built yet"):
        nn.Sequential([Dense(2)]).save_weights(str(tmp_path / "x.npz"))
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a weights file"):
        model().load_weights(str(text))
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, **{"dense/kernel": np.array([object()], dtype=object)})
    with pytest.raises(ValueError, match="not a weights file.*Object arrays"):
        model().load_weights(str(pickled))


def test_save_then_keep_training_resumes_identically(tmp_path):
    x = np.random.default_rng(0).normal(size=(32, 3))
    y = np.random.default_rng(1).normal(size=(32, 2))
    a = model()
    a.compile(optimizer="sgd", loss="mse")
    a.fit(x, y, epochs=2, shuffle=False, verbose=0)
    a.save_weights(str(tmp_path / "w.npz"))
    b = model()
    b.compile(optimizer="sgd", loss="mse")
    b.load_weights(str(tmp_path / "w.npz"))
    a.fit(x, y, epochs=1, shuffle=False, verbose=0)
    b.fit(x, y, epochs=1, shuffle=False, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
