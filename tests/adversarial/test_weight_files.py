"""Hostile weight files (issue 16): every damaged file raises ValueError and changes nothing."""

import os
import re
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import nn
from nn.layers import LSTM, BatchNormalization, Conv2D, Dense, Input, Reshape

CORRUPTIONS = 300


def every_kind_of_layer() -> nn.Sequential:
    return nn.Sequential([
        Input((4, 4, 1)), Conv2D(2, 3), BatchNormalization(), Reshape((4, 2)), LSTM(3), Dense(2),
    ])


def corrupted(good: bytes, rng: np.random.Generator, index: int) -> bytes:
    """Even indices: a truncation (every length band, 0 included); odd: a single-bit flip."""
    if index % 2 == 0:
        return good[: int(rng.integers(0, len(good)))] if index else b""
    flipped = bytearray(good)
    offset = int(rng.integers(0, len(good)))
    flipped[offset] ^= 1 << int(rng.integers(0, 8))
    return bytes(flipped)


def test_corrupted_files_raise_value_error_and_change_nothing_or_load_exactly(tmp_path):
    nn.utils.set_random_seed(0)
    source = every_kind_of_layer()
    source.set_weights([w + np.float32(1) / 3 for w in source.get_weights()])  # not round numbers
    good_path = tmp_path / "good.npz"
    source.save_weights(str(good_path))
    good = good_path.read_bytes()
    saved = [w.tobytes() for w in source.get_weights()]
    target = every_kind_of_layer()
    rng = np.random.default_rng(16)
    outcomes = {"ValueError": 0, "loaded": 0}
    for index in range(CORRUPTIONS):
        path = tmp_path / "corrupt.npz"
        path.write_bytes(corrupted(good, rng, index))
        target.set_weights([np.full(w.shape, index, w.dtype) for w in target.get_weights()])
        before = [w.tobytes() for w in target.get_weights()]
        try:
            target.load_weights(str(path))
        except ValueError as error:
            assert str(path) in str(error), (index, error)
            assert [w.tobytes() for w in target.get_weights()] == before, index
            outcomes["ValueError"] += 1
        else:
            assert [w.tobytes() for w in target.get_weights()] == saved, index
            outcomes["loaded"] += 1
    # a flip in a zip's slack (timestamps, extra fields) is harmless; most damage is caught
    assert outcomes["ValueError"] > CORRUPTIONS * 0.8, outcomes
    assert outcomes["ValueError"] + outcomes["loaded"] == CORRUPTIONS


def foreign_files(tmp_path):
    """(what, path): files that are not weights files, each a ValueError naming it."""
    good = tmp_path / "good.npz"
    nn.Sequential([Dense(2, input_dim=3)]).save_weights(str(good))
    files = {
        "empty": b"",
        "text": b"dense/kernel = [[1, 2], [3, 4]]\n",
        "random bytes": np.random.default_rng(0).bytes(500),
        "truncated": good.read_bytes()[:200],
        "a zip's head only": good.read_bytes()[:30],
    }
    paths = []
    for what, content in files.items():
        path = tmp_path / (what.replace(" ", "_").replace("'", "") + ".npz")
        path.write_bytes(content)
        paths.append((what, path))
    single = tmp_path / "single.npy"
    np.save(single, np.zeros((3, 2)))
    paths.append(("a single .npy array", single))
    directory = tmp_path / "a_directory.npz"
    directory.mkdir()
    paths.append(("directory", directory))
    return paths


def test_every_foreign_file_raises_the_documented_value_error_naming_it(tmp_path):
    model = nn.Sequential([Dense(2, input_dim=3)])
    before = [w.tobytes() for w in model.get_weights()]
    for what, path in foreign_files(tmp_path):
        with pytest.raises(ValueError) as caught:
            model.load_weights(str(path))
        message = str(caught.value)
        assert type(caught.value) is nn.saving.WeightsFileError, (what, caught.value)
        assert str(path) in message, (what, message)
        assert "pickled" not in message, (what, message)  # numpy's wrong guess for text files
        assert [w.tobytes() for w in model.get_weights()] == before, what
    with pytest.raises(FileNotFoundError, match="no such file"):  # missing: its own, clearer type
        model.load_weights(str(tmp_path / "missing.npz"))


@pytest.mark.parametrize("what, words", [
    ("empty", "is empty"),
    ("text", "not an .npz (zip) archive"),
    ("truncated", "truncated?"),
    ("directory", "is a directory"),
    ("a single .npy array", "single array"),
])
def test_the_message_says_what_is_wrong(tmp_path, what, words):
    path = dict(foreign_files(tmp_path))[what]
    with pytest.raises(ValueError, match=re.escape(words)):
        nn.Sequential([Dense(2, input_dim=3)]).load_weights(str(path))


SAVE_FOREVER = textwrap.dedent("""
    import sys, nn
    model = nn.Sequential([nn.layers.Dense(64, input_dim=64), nn.layers.Dense(64)])
    if sys.argv[2] == "hang":  # stop between writing the temporary file and renaming it
        import os, time
        def hang(*args):
            print("written", flush=True)
            time.sleep(60)
        os.replace = hang
    else:
        print("saving", flush=True)
    while True:
        model.save_weights(sys.argv[1])
""")


def killed_mid_save(path, mode):
    child = subprocess.Popen(
        [sys.executable, "-c", SAVE_FOREVER, str(path), mode],
        stdout=subprocess.PIPE, text=True, cwd=os.path.dirname(os.path.dirname(nn.__file__)),
    )
    child.stdout.readline()
    child.send_signal(signal.SIGKILL)
    child.wait()  # reaped: a zombie still answers os.kill(pid, 0)
    child.stdout.close()


def test_temporary_files_of_saves_killed_by_sigkill_do_not_pile_up(tmp_path):
    path = tmp_path / "weights.npz"
    for mode in ("hang", "hang", "loop", "hang", "loop"):
        killed_mid_save(path, mode)
        orphans = [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]
        # each save removed the orphans of the killed ones before it: only the last is left
        assert len(orphans) == 1 if mode == "hang" else len(orphans) <= 1, (mode, orphans)
    model = nn.Sequential([Dense(2, input_dim=3)])
    model.save_weights(str(path))
    assert os.listdir(tmp_path) == ["weights.npz"]
    fresh = nn.Sequential([Dense(2, input_dim=3)])
    fresh.load_weights(str(path))
    assert [w.tobytes() for w in fresh.get_weights()] == [w.tobytes() for w in model.get_weights()]
