"""What `model.fit` costs on top of a hand-written loop over the engine.

The workload is the digits MLP (64-128-64-10, relu, softmax cross-entropy, SGD, batch 64,
1797 float32 digits scaled to [0, 1]). Both sides run the same math on the same Tensors; the
hand-written loop has no callbacks, checks, progress bar or metrics. Target: fit <= 1.15x.
With `compile(jit_compile=True)` fit is compared with a raw loop calling the whole training
step under `autograd.jit` (forward, loss, backward, SGD: target <= 1.05x), and with eager fit
(the speed-up).
Run standalone: `python benchmarks/fit_overhead.py`.
"""

from __future__ import annotations

import os

# One BLAS thread, as in benchmarks/run.py: threads make small matmuls noisy, not faster.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import sys  # noqa: E402
from typing import Any  # noqa: E402
import time  # noqa: E402
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import numpy as np  # noqa: E402

import nn  # noqa: E402
from autograd import Tensor, affine, jit, softmax_cross_entropy  # noqa: E402

TARGET_RATIO = 1.15
JIT_TARGET_RATIO = 1.05
SAMPLES, FEATURES, CLASSES, BATCH = 1797, 64, 10, 64
RUN = 5  # epochs per fit call in the training-run rows


def _data() -> tuple[np.ndarray, np.ndarray]:
    """The digits (scaled to [0, 1]) when scikit-learn is installed, else noise of their shape."""
    from benchmarks.workloads.data import digits

    x, y, _ = digits()
    return x.astype(np.float32), y


def _model(jit_compile: bool = False) -> nn.Sequential:
    model = nn.Sequential(
        [
            nn.layers.Dense(128, activation="relu", input_shape=(FEATURES,)),
            nn.layers.Dense(64, activation="relu"),
            nn.layers.Dense(CLASSES),
        ]
    )
    model.compile(optimizer="sgd", loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=jit_compile)
    return model


def _logits(weights: list[Tensor]) -> Any:
    """The network as a function of a batch: the graph Dense builds, one affine per layer."""
    w1, b1, w2, b2, w3, b3 = weights

    def logits(xb: Any) -> Tensor:
        return affine(affine(affine(Tensor(xb), w1, b1).relu(), w2, b2).relu(), w3, b3)

    return logits


def _hand_written_epoch(weights: list[Tensor], x: np.ndarray, y: np.ndarray, lr: float) -> None:
    """One epoch written directly on the engine: the baseline fit is compared with."""
    forward = _logits(weights)
    order = np.random.default_rng(1).permutation(len(x))
    for lo in range(0, len(x), BATCH):
        idx = order[lo : lo + BATCH]
        loss = softmax_cross_entropy(forward(x[idx]), y[idx], reduction="mean")
        for w in weights:
            w.grad = None
        loss.backward()
        for w in weights:
            w.data -= lr * w.grad


def _jitted_step(weights: list[Tensor], lr: float) -> Any:
    """The whole training step under autograd.jit (forward, loss, backward, nn's SGD
    update): what a user writes by hand to train at jit speed without fit."""
    logits, optimizer = _logits(weights), nn.optimizers.SGD(learning_rate=lr)

    def step(xb: np.ndarray, yb: np.ndarray) -> Tensor:
        loss = softmax_cross_entropy(logits(xb), yb, reduction="mean")
        optimizer.zero_grad(weights)
        loss.backward()
        optimizer.step(weights)
        return loss

    return jit(step)


def _jit_loop_epoch(step: Any, x: np.ndarray, y: np.ndarray) -> None:
    """One epoch of the raw loop over the jitted step (the loss read each batch, as fit does)."""
    order = np.random.default_rng(1).permutation(len(x))
    for lo in range(0, len(x), BATCH):
        idx = order[lo : lo + BATCH]
        step(x[idx], y[idx]).item()


def _nn_loop_epoch(model: nn.Sequential, x: np.ndarray, y: np.ndarray) -> None:
    """The custom loop a user writes with nn's pieces (model call, loss object, optimizer)."""
    weights = model.trainable_weights
    order = np.random.default_rng(1).permutation(len(x))
    for lo in range(0, len(x), BATCH):
        idx = order[lo : lo + BATCH]
        loss = model.loss(y[idx], model(Tensor(x[idx]), training=True))
        for w in weights:
            w.grad = None
        loss.backward()
        model.optimizer.step(weights)


def bench_fit_overhead(epochs: int = 40) -> dict:
    """Median seconds per epoch of `fit(verbose=0)`, of the same loop written with nn's loss
    and optimizer objects, and of the loop written on the bare engine; and the ratios.

    `ratio` (fit / bare engine, target 1.15) counts everything nn adds; `ratio_vs_nn_loop`
    isolates what fit itself adds (checks, callbacks, bookkeeping) on top of nn's pieces.
    The three are timed in turn, epoch by epoch, in CPU time of this process (BLAS runs on
    one thread), so that other programs competing for the cores do not skew the ratio.
    """
    x, y = _data()
    nn.utils.set_random_seed(0)
    model = _model()
    weights = [Tensor(w.data.copy(), requires_grad=True) for w in model.trainable_weights]
    nn.utils.set_random_seed(0)
    jit_model = _model(jit_compile=True)
    jit_weights = [Tensor(w.data.copy(), requires_grad=True) for w in model.trainable_weights]
    jitted = _jitted_step(jit_weights, 0.01)
    runs = {
        "fit": lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0),
        "nn_loop": lambda: _nn_loop_epoch(model, x, y),
        "raw": lambda: _hand_written_epoch(weights, x, y, 0.01),
        "fit_jit": lambda: jit_model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0),
        "raw_jit": lambda: _jit_loop_epoch(jitted, x, y),
        # a training run as users start one: fit(epochs=RUN), its set-up (checks of the whole
        # x and y, callbacks) paid once; against RUN epochs of the raw loop (every 2nd sample)
        "fit_jit_run": lambda: jit_model.fit(x, y, batch_size=BATCH, epochs=RUN, verbose=0),
        "raw_jit_run": lambda: [_jit_loop_epoch(jitted, x, y) for _ in range(RUN)],
    }
    for run in runs.values():
        run()  # warm-up each (and trace the jitted ones)
    times: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for sample in range(epochs):
        # turns alternate (A B C, C B A, ...) as in workloads/harness.py's `interleaved`: each
        # run follows a different one every other sample, so what one leaves behind (a heap
        # churned by eager graphs, cold caches) is not always charged to the same next run
        for name in names if sample % 2 == 0 else reversed(names):
            run = runs[name]
            if name.endswith("_run") and (sample // 2) % 2:
                continue
            start = time.process_time()
            run()
            times[name].append(time.process_time() - start)
    per = {name: median(t) for name, t in times.items()}
    return {
        "fit_s": per["fit"],
        "nn_loop_s": per["nn_loop"],
        "raw_s": per["raw"],
        "ratio": per["fit"] / per["raw"],
        "ratio_vs_nn_loop": per["fit"] / per["nn_loop"],
        "target": TARGET_RATIO,
        "fit_jit_s": per["fit_jit"],
        "raw_jit_s": per["raw_jit"],
        "jit_ratio": per["fit_jit"] / per["raw_jit"],
        "jit_speedup": per["fit"] / per["fit_jit"],
        "jit_target": JIT_TARGET_RATIO,
        "fit_jit_run_s": per["fit_jit_run"] / RUN,
        "raw_jit_run_s": per["raw_jit_run"] / RUN,
        "jit_run_ratio": (per["fit_jit_run"] / RUN) / (per["raw_jit_run"] / RUN),
        "run_epochs": RUN,
    }


if __name__ == "__main__":
    result = bench_fit_overhead()
    verdict = "ok" if result["ratio"] <= TARGET_RATIO else "FAIL"
    print(
        f"fit {result['fit_s'] * 1e3:.1f} ms/epoch, nn custom loop {result['nn_loop_s'] * 1e3:.1f}"
        f" ms/epoch, bare engine {result['raw_s'] * 1e3:.1f} ms/epoch: fit/engine "
        f"{result['ratio']:.3f} (target <= {TARGET_RATIO}) {verdict}, fit/nn loop "
        f"{result['ratio_vs_nn_loop']:.3f}"
    )
