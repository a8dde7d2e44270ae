"""Workload 7: a convnet and a recurrent network, chainrule's `nn` against PyTorch (one thread).

LeNet-like: 28x28x1 images, batch 32: Conv2D(6, 5) relu, MaxPooling2D, Conv2D(16, 5) relu,
MaxPooling2D, Flatten, Dense(120) relu, Dense(10), softmax cross-entropy from logits, SGD.
LSTM: LSTM(32) over 20 steps of 8 features, batch 32, then Dense(1), mean squared error, SGD;
GRU: the same with GRU(32) (Keras 3's reset_after=True, PyTorch's formulation too).
Each side does what its users write: chainrule `model.train_on_batch(x, y)`; PyTorch a module's
forward, `loss.backward()` and `optimizer.step()`. Both start from the same weights (Keras'
layout copied into PyTorch's), so their float64 losses must agree step for step.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

import nn
from benchmarks.workloads.harness import (
    CLOCK,
    Row,
    check_row,
    fmt_bytes,
    fmt_time,
    interleaved,
    noise,
    peak_bytes,
    ratio_row,
    torch_single_thread,
)


NAME = "7 conv/rnn"
LR = 0.01
BATCH = 32


def lenet(dtype: str, jit_compile: bool = False) -> nn.Sequential:
    nn.utils.set_random_seed(0)
    L = nn.layers
    model = nn.Sequential([
        nn.Input((28, 28, 1)),
        L.Conv2D(6, 5, activation="relu", dtype=dtype), L.MaxPooling2D(dtype=dtype),
        L.Conv2D(16, 5, activation="relu", dtype=dtype), L.MaxPooling2D(dtype=dtype),
        L.Flatten(dtype=dtype), L.Dense(120, activation="relu", dtype=dtype),
        L.Dense(10, dtype=dtype),
    ])
    loss = nn.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=LR), loss=loss,
                  jit_compile=jit_compile)
    return model


def _sequence_model(layer: Any, dtype: str, jit_compile: bool) -> nn.Sequential:
    """`layer(32)` over 20 steps of 8 features, then Dense(1), mse, SGD."""
    nn.utils.set_random_seed(0)
    model = nn.Sequential([nn.Input((20, 8)), layer(32, dtype=dtype),
                           nn.layers.Dense(1, dtype=dtype)])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=LR), loss="mse",
                  jit_compile=jit_compile)
    return model


def lstm(dtype: str, jit_compile: bool = False) -> nn.Sequential:
    return _sequence_model(nn.layers.LSTM, dtype, jit_compile)


def gru(dtype: str, jit_compile: bool = False) -> nn.Sequential:
    return _sequence_model(nn.layers.GRU, dtype, jit_compile)




def image_batches(dtype: Any, count: int = 4) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(1)
    return [(rng.random((BATCH, 28, 28, 1)).astype(dtype), rng.integers(0, 10, BATCH))
            for _ in range(count)]


def sequence_batches(dtype: Any, count: int = 4) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(2)
    return [(rng.standard_normal((BATCH, 20, 8)).astype(dtype),
             rng.standard_normal((BATCH, 1)).astype(dtype)) for _ in range(count)]


class Chainrule:
    def __init__(self, model: nn.Sequential, data: list[tuple[np.ndarray, np.ndarray]]) -> None:
        self.model, self.data, self.i, self.losses = model, data, 0, []

    def step(self) -> None:
        x, y = self.data[self.i % len(self.data)]
        self.i += 1
        self.losses.append(float(self.model.train_on_batch(x, y)))


class TorchLeNet:
    """The same LeNet in PyTorch (NCHW), weights copied from a chainrule model."""

    def __init__(self, model: nn.Sequential, data: list[tuple[np.ndarray, np.ndarray]],
                 torch: Any) -> None:
        tnn, self.torch = torch.nn, torch
        dtype = torch.float64 if model.dtype == np.float64 else torch.float32
        # made in the model's dtype before the copy: float32 parameters would round the weights
        conv1, conv2 = tnn.Conv2d(1, 6, 5, dtype=dtype), tnn.Conv2d(6, 16, 5, dtype=dtype)
        fc1, fc2 = tnn.Linear(256, 120, dtype=dtype), tnn.Linear(120, 10, dtype=dtype)
        layers = [layer for layer in model.layers if layer.weights]
        with torch.no_grad():
            for conv, layer in zip((conv1, conv2), layers[:2]):
                kernel, bias = layer.get_weights()  # (kh, kw, in, out) -> (out, in, kh, kw)
                conv.weight.copy_(torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy()))
                conv.bias.copy_(torch.from_numpy(bias))
            kernel, bias = layers[2].get_weights()
            # Keras flattens (h, w, c); PyTorch (c, h, w): reorder the first Dense's rows
            rows = kernel.reshape(4, 4, 16, 120).transpose(2, 0, 1, 3).reshape(256, 120)
            fc1.weight.copy_(torch.from_numpy(rows.T.copy()))
            fc1.bias.copy_(torch.from_numpy(bias))
            kernel, bias = layers[3].get_weights()
            fc2.weight.copy_(torch.from_numpy(kernel.T.copy()))
            fc2.bias.copy_(torch.from_numpy(bias))
        self.net = tnn.Sequential(conv1, tnn.ReLU(), tnn.MaxPool2d(2), conv2, tnn.ReLU(),
                                  tnn.MaxPool2d(2), tnn.Flatten(), fc1, tnn.ReLU(), fc2)
        self.optimizer = torch.optim.SGD(self.net.parameters(), lr=LR)
        self.data = [(torch.from_numpy(x.transpose(0, 3, 1, 2).copy()), torch.from_numpy(y))
                     for x, y in data]
        self.i, self.losses = 0, []

    def step(self) -> None:
        x, y = self.data[self.i % len(self.data)]
        self.i += 1
        self.optimizer.zero_grad()
        loss = self.torch.nn.functional.cross_entropy(self.net(x), y)
        loss.backward()
        self.optimizer.step()
        self.losses.append(loss.item())


class TorchLSTM:
    """nn.LSTM(8, 32) + Linear(32, 1); Keras' gates i, f, c, o are PyTorch's i, f, g, o."""

    def __init__(self, model: nn.Sequential, data: list[tuple[np.ndarray, np.ndarray]],
                 torch: Any) -> None:
        tnn, self.torch = torch.nn, torch
        dtype = torch.float64 if model.dtype == np.float64 else torch.float32
        params = self._copy(tnn, model.layers[0].get_weights(), dtype)
        self.head = tnn.Linear(32, 1, dtype=dtype)
        dense, dense_bias = model.layers[1].get_weights()
        with torch.no_grad():
            self.head.weight.copy_(torch.from_numpy(dense.T.copy()))
            self.head.bias.copy_(torch.from_numpy(dense_bias))
        self.optimizer = torch.optim.SGD(params + list(self.head.parameters()), lr=LR)
        self.data = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in data]
        self.i, self.losses = 0, []

    def _copy(self, tnn: Any, weights: list[np.ndarray], dtype: Any) -> list[Any]:
        """`self.rnn` from the Keras layer's weights; the parameters it trains."""
        torch = self.torch
        kernel, recurrent, bias = weights
        self.rnn = tnn.LSTM(8, 32, batch_first=True, dtype=dtype)
        with torch.no_grad():
            self.rnn.weight_ih_l0.copy_(torch.from_numpy(kernel.T.copy()))
            self.rnn.weight_hh_l0.copy_(torch.from_numpy(recurrent.T.copy()))
            self.rnn.bias_ih_l0.copy_(torch.from_numpy(bias))
            self.rnn.bias_hh_l0.zero_()
        # Keras has one bias; PyTorch adds two, both trained: keep the second at zero
        self.rnn.bias_hh_l0.requires_grad_(False)
        return [p for p in self.rnn.parameters() if p.requires_grad]

    def step(self) -> None:
        x, y = self.data[self.i % len(self.data)]
        self.i += 1
        self.optimizer.zero_grad()
        out, _ = self.rnn(x)
        loss = self.torch.nn.functional.mse_loss(self.head(out[:, -1]), y)
        loss.backward()
        self.optimizer.step()
        self.losses.append(loss.item())


class TorchGRU(TorchLSTM):
    """nn.GRU(8, 32) + Linear(32, 1): Keras' gates z, r, h are PyTorch's r, z, n (rows), and
    Keras' bias rows (input, recurrent) PyTorch's bias_ih and bias_hh: the same cell."""

    def _copy(self, tnn: Any, weights: list[np.ndarray], dtype: Any) -> list[Any]:
        torch = self.torch
        kernel, recurrent, bias = weights
        self.rnn = tnn.GRU(8, 32, batch_first=True, dtype=dtype)

        def rows(w: np.ndarray) -> Any:  # Keras (in, [z|r|h]) -> PyTorch ([r|z|n], in)
            z, r, h = np.split(w, 3, axis=-1)
            return torch.from_numpy(np.concatenate([r, z, h], axis=-1).T.copy())

        with torch.no_grad():
            self.rnn.weight_ih_l0.copy_(rows(kernel))
            self.rnn.weight_hh_l0.copy_(rows(recurrent))
            self.rnn.bias_ih_l0.copy_(rows(bias[0]))
            self.rnn.bias_hh_l0.copy_(rows(bias[1]))
        return list(self.rnn.parameters())


# label: (model, batches, PyTorch's engine, target vs PyTorch, target of jit vs eager)
CASES: dict[str, tuple[Callable[[str], nn.Sequential], Callable[..., Any], Any, float,
                       float | None]] = {
    "LeNet train step": (lenet, image_batches, TorchLeNet, 1.5, 0.769),
    "LSTM(32) train step": (lstm, sequence_batches, TorchLSTM, 2.0, 0.769),
    "GRU(32) train step": (gru, sequence_batches, TorchGRU, 1.0, None),
}


def run(quick: bool = False) -> list[Row]:
    rows: list[Row] = []
    torch = torch_single_thread()
    blocks, steps = (1, 1) if quick else (15, 10)
    for label, (build, batches, torch_engine, target, jit_target) in CASES.items():
        data = batches(np.float32)
        ours = Chainrule(build("float32"), data)
        jitted = Chainrule(build("float32", True), data)  # type: ignore[call-arg]
        engines: dict[str, Callable[[], Any]] = {"chainrule": ours.step, "jit": jitted.step}
        if torch is not None:
            engines["torch"] = torch_engine(ours.model, data, torch).step
        timings = interleaved(engines, blocks=blocks, steps=steps, warmup=2, collect=False)
        theirs = timings.get("torch")
        row = ratio_row(NAME, f"{label} f32", timings["chainrule"].per_step,
                        None if theirs is None else theirs.per_step, "torch", fmt_time, target,
                        "torch not installed")
        row.note = noise(timings)
        rows.append(row)
        rows.append(ratio_row(NAME, f"{label} f32, jit_compile=True vs eager",
                              timings["jit"].per_step, timings["chainrule"].per_step, "eager",
                              fmt_time, jit_target, "?"))  # 0.769: 1.3x faster
        # same weights, same batches, as many steps: the same losses bit for bit
        rows.append(check_row(NAME, f"{label} f32, jit losses = eager losses",
                              jitted.losses == ours.losses, f"{len(jitted.losses)} steps"))
        eager_peak = peak_bytes(ours.step)
        rows.append(Row(NAME, f"{label} f32, peak memory", fmt_bytes(eager_peak)))
        # a plan frees each array after its last use, as the eager backward does
        rows.append(ratio_row(NAME, f"{label} f32, jit_compile=True peak memory vs eager",
                              peak_bytes(jitted.step), eager_peak, "eager", fmt_bytes, 1.0))
        if torch is not None:
            rows.append(_agreement(label, build, batches, torch_engine, torch, 3 if quick else 10))
    rows.append(_linear_in_time(quick))
    return rows


def _backward_per_step(steps: int, repeats: int) -> float:
    """CPU seconds of backward per timestep of an LSTM(32) loss over `steps` timesteps (min)."""
    model = nn.Sequential([nn.Input((steps, 8)), nn.layers.LSTM(32), nn.layers.Dense(1)])
    x = np.random.default_rng(3).standard_normal((BATCH, steps, 8)).astype(np.float32)
    best = float("inf")
    for _ in range(repeats):
        loss = (model(x) ** 2).mean()
        start = CLOCK()
        loss.backward()
        best = min(best, CLOCK() - start)
    return best / steps


def _linear_in_time(quick: bool) -> Row:
    """Backward of a T-step recurrence must stay O(T * step): the cost per timestep at T=200
    against T=25 (a full-size scatter per timestep would make it grow with T)."""
    short, long = (5, 20) if quick else (25, 200)
    repeats = 2 if quick else 7
    per_short, per_long = _backward_per_step(short, repeats), _backward_per_step(long, repeats)
    return ratio_row(NAME, f"LSTM(32) backward per timestep, T={long} vs T={short}", per_long,
                     per_short, f"T={short}", fmt_time, 1.5)


def _agreement(label: str, build: Callable[[str], nn.Sequential], batches: Callable[..., Any],
               torch_engine: Any, torch: Any, steps: int) -> Row:
    """float64 from the same weights: both sides must reach the same losses."""
    data = batches(np.float64)
    ours = Chainrule(build("float64"), data)
    theirs = torch_engine(ours.model, data, torch)
    for _ in range(steps):
        ours.step()
        theirs.step()
    worst = float(np.max(np.abs(np.array(ours.losses) - np.array(theirs.losses))))
    return check_row(NAME, f"{label} f64 loss agreement, {steps} steps", worst < 1e-9,
                     f"max |difference| {worst:.1e} (last loss {ours.losses[-1]:.6f})")


def profile_target(quick: bool = False) -> Callable[[], Any]:
    return Chainrule(lstm("float32"), sequence_batches(np.float32)).step
