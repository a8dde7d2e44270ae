"""Issue 16, items 11 and 14: seeded training is reproducible whatever other threads do, and a
deleted model is freed by reference counting alone (no cycle keeps it alive)."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from typing import Any

import numpy as np

import nn
from autograd import Tensor, Value
from nn.utils import rng, set_random_seed


class _Yield(nn.callbacks.Callback):
    """Hand the GIL to the other thread after every batch, so the two runs interleave."""

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        time.sleep(0.001)


def _seeded_run(seed: int, callbacks: list[Any] | None = None) -> tuple[list[np.ndarray], dict]:
    """Build and fit a small model (Dropout, an LSTM with recurrent dropout, shuffling)."""
    set_random_seed(seed)
    x = rng().normal(size=(24, 3, 2))
    y = rng().normal(size=(24, 1))
    model = nn.Sequential([
        nn.layers.LSTM(4, dropout=0.2, recurrent_dropout=0.3, input_shape=(3, 2)),
        nn.layers.Dropout(0.5),
        nn.layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=True, verbose=0,
                        callbacks=callbacks or [])
    return model.get_weights(), history.history


def test_two_threads_reproduce_their_sequential_runs() -> None:
    sequential = {seed: _seeded_run(seed) for seed in (1, 2)}
    results: dict[int, Any] = {}
    start = threading.Barrier(2)

    def work(seed: int) -> None:
        start.wait()
        results[seed] = _seeded_run(seed, [_Yield()])

    threads = [threading.Thread(target=work, args=(seed,)) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for seed, (weights, history) in sequential.items():
        threaded_weights, threaded_history = results[seed]
        assert threaded_history == history, f"seed {seed}: History differs in a thread"
        for expected, got in zip(weights, threaded_weights):
            assert np.array_equal(expected, got), f"seed {seed}: weights differ in a thread"


def test_seeding_a_thread_leaves_the_main_stream_alone() -> None:
    set_random_seed(7)
    expected = np.random.default_rng(7).random(4)
    first = rng().random(2)
    thread = threading.Thread(target=lambda: (set_random_seed(99), rng().random(1000)))
    thread.start()
    thread.join()
    assert np.array_equal(np.concatenate([first, rng().random(2)]), expected)


def test_an_unseeded_thread_shares_the_main_threads_stream() -> None:
    set_random_seed(3)
    drawn: list[np.ndarray] = []
    thread = threading.Thread(target=lambda: drawn.append(rng().random(2)))
    thread.start()
    thread.join()
    assert np.array_equal(drawn[0], np.random.default_rng(3).random(2))
