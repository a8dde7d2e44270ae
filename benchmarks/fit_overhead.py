"""What `model.fit` costs on top of a hand-written loop over the engine.

The workload is the digits MLP (64-128-64-10, relu, softmax cross-entropy, SGD, batch 64,
1797 float32 samples of random data). Both sides run the same math on the same Tensors; the
hand-written loop has no callbacks, checks, progress bar or metrics. Target: fit <= 1.15x.
Run standalone: `python benchmarks/fit_overhead.py`.
"""

from __future__ import annotations

import os

# One BLAS thread, as in benchmarks/run.py: threads make small matmuls noisy, not faster.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import numpy as np  # noqa: E402

import nn  # noqa: E402
from autograd import Tensor  # noqa: E402

TARGET_RATIO = 1.15
SAMPLES, FEATURES, CLASSES, BATCH = 1797, 64, 10, 64


def _data() -> tuple[np.ndarray, np.ndarray]:
    generator = np.random.default_rng(0)
    x = generator.normal(size=(SAMPLES, FEATURES)).astype(np.float32)
    y = generator.integers(0, CLASSES, size=SAMPLES)
    return x, y


def _model() -> nn.Sequential:
    model = nn.Sequential([
        nn.layers.Dense(128, activation="relu", input_shape=(FEATURES,)),
        nn.layers.Dense(64, activation="relu"),
        nn.layers.Dense(CLASSES),
    ])
    model.compile(optimizer="sgd", loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def _hand_written_epoch(weights: list[Tensor], x: np.ndarray, y: np.ndarray, lr: float) -> None:
    """One epoch written directly on the engine: the baseline fit is compared with."""
    w1, b1, w2, b2, w3, b3 = weights
    order = np.random.default_rng(1).permutation(len(x))
    for lo in range(0, len(x), BATCH):
        idx = order[lo : lo + BATCH]
        xb, yb = Tensor(x[idx]), y[idx]
        logits = ((xb @ w1 + b1).relu() @ w2 + b2).relu() @ w3 + b3
        one_hot = (yb[:, None] == np.arange(CLASSES)).astype(np.float32)
        loss = -(logits.log_softmax(axis=-1) * one_hot).sum(axis=-1).mean()
        for w in weights:
            w.grad = None
        loss.backward()
        for w in weights:
            w.data -= lr * w.grad


def bench_fit_overhead(epochs: int = 15) -> dict:
    """Median seconds per epoch of `fit(verbose=0)` and of the hand-written loop, and their ratio.

    The two are timed alternately, epoch by epoch, so that a busy machine slows both alike.
    """
    x, y = _data()
    nn.utils.set_random_seed(0)
    model = _model()
    weights = [Tensor(w.data.copy(), requires_grad=True) for w in model.trainable_weights]
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)  # warm-up both
    _hand_written_epoch(weights, x, y, 0.01)
    fit_times, raw_times = [], []
    for _ in range(epochs):
        start = time.perf_counter()
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
        fit_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        _hand_written_epoch(weights, x, y, 0.01)
        raw_times.append(time.perf_counter() - start)
    fit_s, raw_s = median(fit_times), median(raw_times)
    return {"fit_s": fit_s, "raw_s": raw_s, "ratio": fit_s / raw_s, "target": TARGET_RATIO}


if __name__ == "__main__":
    result = bench_fit_overhead()
    verdict = "ok" if result["ratio"] <= TARGET_RATIO else "FAIL"
    print(
        f"fit {result['fit_s'] * 1e3:.1f} ms/epoch, hand-written {result['raw_s'] * 1e3:.1f} "
        f"ms/epoch: ratio {result['ratio']:.3f} (target <= {TARGET_RATIO}) {verdict}"
    )
