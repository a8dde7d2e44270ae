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

    def other() -> None:
        set_random_seed(99)
        rng().random(1000)

    thread = threading.Thread(target=other)
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


def test_nodes_can_be_weakly_referenced() -> None:
    value, tensor = Value(1.0), Tensor([1.0, 2.0], requires_grad=True)
    refs: list[weakref.ref[Any]] = [weakref.ref(value), weakref.ref(tensor)]
    refs.append(weakref.ref(value * 2))
    assert refs[0]() is value and refs[1]() is tensor
    assert refs[2]() is None  # the product had no other reference: freed at once
    del value, tensor
    assert refs[0]() is None and refs[1]() is None


def _fitted_model() -> nn.Model:
    set_random_seed(0)
    x, y = rng().normal(size=(8, 3, 2)), rng().normal(size=(8, 1))
    model = nn.Sequential([
        nn.layers.LSTM(3, dropout=0.2, input_shape=(3, 2)),
        nn.layers.Dropout(0.5),
        nn.layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, validation_split=0.25,
              callbacks=[nn.callbacks.EarlyStopping(patience=1)])
    model.predict(x, verbose=0)
    model.evaluate(x, y, verbose=0)
    return model


def test_a_deleted_model_is_freed_by_reference_counting() -> None:
    _fitted_model()  # first use: module-level caches fill here, not below
    gc.collect()
    gc.disable()
    try:
        model = _fitted_model()
        history = model.history
        ref = weakref.ref(model)
        assert history.model is model
        del model
        assert ref() is None, "a reference cycle keeps the deleted model alive"
        assert history.model is None and history.history["loss"]  # the record outlives it
    finally:
        gc.enable()
