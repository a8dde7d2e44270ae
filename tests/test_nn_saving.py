"""Weight files: bit-exact round trips, atomic writes, clear errors on mismatched models."""

import os
import re
import subprocess
import sys
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
    path = tmp_path / "checkpoint.weights.npz"  # no suffix added, none required
    source = model()
    source.save_weights(str(path))
    assert os.listdir(tmp_path) == ["checkpoint.weights.npz"]
    target = model()
    target.load_weights(str(path))
    np.testing.assert_array_equal(source.get_weights()[0], target.get_weights()[0])


def test_an_npz_written_under_an_hdf5_name_by_older_saves_still_loads(tmp_path):
    # save_weights used to write npz archives under any name, '.weights.h5' included
    source = model()
    path = tmp_path / "old.weights.h5"
    with open(path, "wb") as handle:
        np.savez(handle, **nn.saving.weight_arrays(source))
    target = model()
    target.load_weights(str(path))
    assert [w.tobytes() for w in target.get_weights()] == [
        w.tobytes() for w in source.get_weights()]
    real_hdf5 = tmp_path / "real.weights.h5"
    real_hdf5.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(100))
    with pytest.raises(ValueError, match="HDF5 needs h5py"):
        target.load_weights(str(real_hdf5))


@pytest.mark.parametrize("name", ["checkpoint.weights.h5", "model.h5", "MODEL.HDF5"])
def test_an_hdf5_name_is_refused_saying_what_to_use(tmp_path, name):
    # Keras 3 requires '.weights.h5' (keras/src/saving/saving_api.py); an npz archive written
    # under that name (as before) would fail in h5py's readers, so it is refused, not faked
    path = tmp_path / name
    for call in (model().save_weights, model().load_weights):
        with pytest.raises(ValueError, match=r"HDF5 needs h5py, which chainrule does not depend "
                           r"on: use a name ending in '\.weights\.npz'"):
            call(str(path))
    assert os.listdir(tmp_path) == []


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


def bits(m):
    return [w.tobytes() for w in m.get_weights()]


@pytest.mark.parametrize("bad", [
    np.array([["a", "b"]]),  # a string array of the right shape: numpy's cast failed mid-way
    np.ones((1, 2), dtype=np.complex128),
    np.ones((1, 2), dtype="V8"),
])
def test_a_bad_array_in_a_later_layer_changes_no_weight(tmp_path, bad):
    source = model(hidden=1)
    arrays = {key: array for key, array in nn.saving.weight_arrays(source).items()}
    arrays["dense_1/kernel"] = bad.reshape(1, 2)
    path = tmp_path / "w.npz"
    np.savez(path, **arrays)
    target = model(hidden=1)
    before = bits(target)
    words = rf"'dense_1/kernel' holds dtype {bad.dtype}; weights are numbers"
    with pytest.raises(ValueError, match=words):
        target.load_weights(str(path))
    assert bits(target) == before


def test_float64_values_beyond_float32_are_refused_naming_the_weight(tmp_path):
    source = model("float64")
    weights = source.get_weights()
    weights[3] = np.array([1.0, -1e300])
    source.set_weights(weights)
    path = tmp_path / "w.npz"
    source.save_weights(str(path))
    target = model("float32")
    before = bits(target)
    words = (
        r"layer \"dense_1\" weight 'bias' in .* holds -1e\+300, beyond the range of the model's "
        r"float32 \(largest 3.402823e\+38\)"
    )
    with pytest.raises(ValueError, match=words):
        target.load_weights(str(path))
    assert bits(target) == before
    weights[3] = np.array([np.inf, np.nan])  # saved non-finite values round-trip as they are
    weights[1] = np.array([3.4e38, 1e-50, 0.1, -3.4e38])  # in range (1e-50 underflows to 0)
    source.set_weights(weights)
    source.save_weights(str(path))
    target.load_weights(str(path))
    for stored, loaded in zip(source.get_weights(), target.get_weights()):
        np.testing.assert_array_equal(stored.astype(np.float32), loaded)


def test_a_truncated_file_is_a_value_error_naming_it_not_a_zip_error(tmp_path):
    path = tmp_path / "w.npz"
    model().save_weights(str(path))
    content = path.read_bytes()
    target = model()
    before = bits(target)
    for length in (0, 1, 30, len(content) // 2, len(content) - 1):
        path.write_bytes(content[:length])
        with pytest.raises(nn.saving.WeightsFileError, match=re.escape(repr(str(path)))):
            target.load_weights(str(path))
        assert bits(target) == before
    flipped = bytearray(content)
    flipped[len(content) // 3] ^= 0x10  # inside an array's bytes: the CRC-32 catches it
    path.write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match="BadZipFile: Bad CRC-32"):
        target.load_weights(str(path))


def test_a_text_file_is_not_called_pickled_data(tmp_path):
    text = tmp_path / "weights.txt"
    text.write_text("kernel: [[1, 2]]\n")
    with pytest.raises(ValueError) as caught:
        model().load_weights(str(text))
    assert "not an .npz (zip) archive" in str(caught.value)
    assert "pickle" not in str(caught.value)


def dead_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_next_save_removes_temporary_files_whose_writer_died(tmp_path):
    path = tmp_path / "w.npz"
    stale = tmp_path / f".w.npz.{dead_pid()}.k1ll3d00.tmp"  # what a SIGKILLed save leaves
    stale.write_bytes(b"half an archive")
    live = [
        tmp_path / f".w.npz.{os.getpid()}.liveone0.tmp",  # this process: another thread's save
        tmp_path / f".w.npz.{os.getppid()}.liveone1.tmp",  # a running process's save
        tmp_path / f".other.npz.{dead_pid()}.kept0000.tmp",  # another target's: not ours to touch
        tmp_path / ".w.npz.notapid.tmp",
    ]
    for name in live:
        name.write_bytes(b"")
    model().save_weights(str(path))
    assert sorted(os.listdir(tmp_path)) == sorted(["w.npz"] + [p.name for p in live])
