"""Workload 2: an MLP on digits with `Tensor`, against hand-written numpy and PyTorch (1 thread).

One step = forward + backward + SGD update (softmax cross-entropy, mean over the batch).
Each engine is written as its users write it: chainrule with its fused primitives
`affine(h, W, b)` (what `nn.Dense` runs) and `softmax_cross_entropy(z, labels,
reduction="mean")` (torch's `F.cross_entropy`); torch with `h @ W + b` and `F.cross_entropy`;
numpy by hand with the textbook gradient `(softmax - onehot) / batch`. The three agree to
rounding (checked below).
"""

from __future__ import annotations

import sys
from typing import Any, Callable

import numpy as np

import nn
from autograd import Tensor, affine, jit, ops, softmax_cross_entropy
from benchmarks.workloads.data import batches, digits, init_weights
from benchmarks.workloads.harness import (
    Row,
    check_row,
    fmt_time,
    interleaved,
    noise,
    ratio_row,
    torch_single_thread,
)

NAME = "2 tensor MLP"
SMALL = [64, 128, 64, 10]
LARGE = [64, 1024, 1024, 10]
LR = 0.1
LR_LARGE = 0.01  # random labels and wide layers: a smaller step keeps the loss finite

Batch = tuple[np.ndarray, np.ndarray, np.ndarray]


class Engine:
    """A model on one engine that walks a fixed list of minibatches, one per `step()`."""

    def __init__(self, weights: list[np.ndarray], data: list[Batch], lr: float) -> None:
        self.data, self.lr, self.i = data, lr, 0
        self.losses: list[float] = []

    def next_batch(self) -> int:
        i = self.i
        self.i = (i + 1) % len(self.data)
        return i


class Chainrule(Engine):
    def __init__(self, weights: list[np.ndarray], data: list[Batch], lr: float) -> None:
        super().__init__(weights, data, lr)
        self.params = [Tensor(w.copy(), requires_grad=True) for w in weights]
        self.inputs = [(Tensor(x), labels) for x, labels, _ in data]

    def forward(self, x: Tensor, labels: np.ndarray) -> tuple[Tensor, list[Tensor]]:
        activations = []
        h = x
        last = len(self.params) // 2 - 1
        for layer in range(last + 1):
            h = affine(h, self.params[2 * layer], self.params[2 * layer + 1])
            if layer < last:
                h = h.relu()
            activations.append(h)
        return softmax_cross_entropy(h, labels, reduction="mean"), activations

    def step(self) -> Tensor:
        x, labels = self.inputs[self.next_batch()]
        loss, _ = self.forward(x, labels)
        for p in self.params:
            p.grad = None
        loss.backward()
        lr = self.lr
        for p in self.params:
            p.data -= lr * p.grad
        self.losses.append(float(loss.data))
        return loss


class Jitted(Chainrule):
    """The whole chainrule step under `autograd.jit`: forward, `zero_grad`, `backward()` and
    nn's SGD `step` (an effect the plan calls again) traced once, then replayed as one plan."""

    def __init__(self, weights: list[np.ndarray], data: list[Batch], lr: float) -> None:
        super().__init__(weights, data, lr)
        self.optimizer = nn.optimizers.SGD(learning_rate=lr)
        self.traced = jit(self.train_step)

    def train_step(self, x: Tensor, labels: np.ndarray) -> Tensor:
        loss, _ = self.forward(x, labels)
        self.optimizer.zero_grad(self.params)
        loss.backward()
        self.optimizer.step(self.params)
        return loss

    def step(self) -> Tensor:
        x, labels = self.inputs[self.next_batch()]
        loss = self.traced(x, labels)
        self.losses.append(loss.item())
        return loss


class OpsAlone(Engine):
    """chainrule's own ops with no engine: each op's `forward` and `backward` called by hand,
    in the order backward would call them. What is left of a chainrule step without nodes,
    recording or the backward loop: the numpy work, so chainrule / this is the engine's cost."""

    def __init__(self, weights: list[np.ndarray], data: list[Batch], lr: float) -> None:
        super().__init__(weights, data, lr)
        self.params = [w.copy() for w in weights]
        self.seed = np.ones((), weights[0].dtype)

    def step(self) -> None:
        x, labels, _ = self.data[self.next_batch()]
        params, affine, relu = self.params, ops.Affine.shared, ops.Relu.shared
        assert affine is not None and relu is not None
        last = len(params) // 2 - 1
        inputs, pre = [x], []
        h = x
        for layer in range(last + 1):
            z = affine.forward(h, params[2 * layer], params[2 * layer + 1])
            pre.append(z)
            h = relu.forward(z) if layer < last else z
            inputs.append(h)
        loss_op = ops.SoftmaxCrossEntropy()
        loss = loss_op.forward(h, labels, "mean")
        (g,) = loss_op.backward(self.seed, loss, h)
        for layer in range(last, -1, -1):
            w, b = params[2 * layer], params[2 * layer + 1]
            gx, gw, gb = affine.backward(
                g, None, inputs[layer], w, b, needs=[layer > 0, True, True]
            )
            if layer > 0:
                (g,) = relu.backward(gx, inputs[layer], pre[layer - 1])
            w -= self.lr * gw
            b -= self.lr * gb
        self.losses.append(float(loss))


class Numpy(Engine):
    """The same network by hand: forward, the analytic backward, SGD."""

    def __init__(self, weights: list[np.ndarray], data: list[Batch], lr: float) -> None:
        super().__init__(weights, data, lr)
        self.params = [w.copy() for w in weights]

    def step(self) -> None:
        x, _, onehot = self.data[self.next_batch()]
        params = self.params
        last = len(params) // 2 - 1
        inputs, pre = [x], []
        h = x
        for layer in range(last + 1):
            z = h @ params[2 * layer] + params[2 * layer + 1]
            pre.append(z)
            h = np.maximum(z, 0) if layer < last else z
            inputs.append(h)
        shifted = h - h.max(axis=1, keepdims=True)
        exps = np.exp(shifted)
        sums = exps.sum(axis=1, keepdims=True)
        logp = shifted - np.log(sums)
        n = len(x)
        self.losses.append(float((logp * onehot).sum() * (-1.0 / n)))
        g = (exps / sums - onehot) * (1.0 / n)
        for layer in range(last, -1, -1):
            gw, gb = inputs[layer].T @ g, g.sum(axis=0)
            if layer > 0:
                g = (g @ params[2 * layer].T) * (pre[layer - 1] > 0)
            params[2 * layer] -= self.lr * gw
            params[2 * layer + 1] -= self.lr * gb


class Torch(Engine):
    def __init__(self, weights: list[np.ndarray], data: list[Batch], lr: float, torch: Any) -> None:
        super().__init__(weights, data, lr)
        self.torch = torch
        self.F = torch.nn.functional
        self.params = [torch.tensor(w, requires_grad=True) for w in weights]
        self.inputs = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y, _ in data]

    def step(self) -> None:
        x, y = self.inputs[self.next_batch()]
        params = self.params
        last = len(params) // 2 - 1
        h = x
        for layer in range(last + 1):
            h = h @ params[2 * layer] + params[2 * layer + 1]
            if layer < last:
                h = self.torch.relu(h)
        loss = self.F.cross_entropy(h, y)
        for p in params:
            p.grad = None
        loss.backward()
        with self.torch.no_grad():
            for p in params:
                p.add_(p.grad, alpha=-self.lr)
        self.losses.append(loss.item())


def small_data(dtype: type, count: int = 28) -> list[Batch]:
    x, y, _ = digits()
    return batches(x, y, 64, count, dtype)


def large_data(count: int = 2) -> list[Batch]:
    rng = np.random.default_rng(1)
    return batches(
        rng.random((512 * count, 64)), rng.integers(0, 10, 512 * count), 512, count, np.float32
    )


def engines(sizes: list[int], data: list[Batch], dtype: type, lr: float) -> dict[str, Any]:
    weights = init_weights(sizes, dtype)
    found: dict[str, Any] = {
        "chainrule": Chainrule(weights, data, lr),
        "numpy": Numpy(weights, data, lr),
        "ops alone": OpsAlone(weights, data, lr),
        "jit": Jitted(weights, data, lr),
    }
    torch = torch_single_thread()
    if torch is not None:
        found["torch"] = Torch(weights, data, lr, torch)
    return found


def compare(
    workload: str,
    label: str,
    timings: dict[str, Any],
    targets: dict[str, float | None],
    ours: str = "chainrule",
    note: bool = True,
) -> list[Row]:
    mine = timings[ours].per_step
    rows = []
    for base, target in targets.items():
        theirs = timings.get(base)
        rows.append(
            ratio_row(
                workload,
                f"{label} vs {base}",
                mine,
                None if theirs is None else theirs.per_step,
                base,
                fmt_time,
                target,
                f"{base} not installed",
            )
        )
    if note:
        rows[0].note = noise(timings)
    return rows


def run(quick: bool = False) -> list[Row]:
    rows: list[Row] = []
    blocks, steps = (1, 2) if quick else (60, 25)  # many short blocks: a steadier median
    for dtype, targets in (
        (np.float32, {"numpy": 1.3, "torch": 0.6}),
        (np.float64, {"numpy": None, "torch": None}),
    ):
        found = engines(SMALL, small_data(dtype), dtype, LR)
        timings = interleaved(
            {k: e.step for k, e in found.items()},
            blocks=blocks,
            steps=steps,
            warmup=2,
            collect=False,
        )
        rows += compare(NAME, f"small {np.dtype(dtype).name}, time/step", timings, targets)
        rows += compare(NAME, f"small {np.dtype(dtype).name}, jit time/step", timings,
                        {"numpy": 1.0, "torch": 0.5}, ours="jit", note=False)
        if dtype is np.float32:  # what the engine costs, and what its numpy work alone would give
            rows += compare(
                NAME, "small float32, time/step", timings, {"ops alone": None}, note=False
            )
            rows += compare(
                NAME,
                "small float32, ops alone",
                timings,
                {"numpy": None, "torch": None},
                ours="ops alone",
                note=False,
            )

    found = engines(SMALL if quick else LARGE, large_data(), np.float32, LR_LARGE)
    timings = interleaved(
        {k: e.step for k, e in found.items()},
        blocks=1 if quick else 12,
        steps=1 if quick else 3,
        warmup=1 if quick else 3,  # the jit's trace and its checks against eager: untimed
        collect=False,
    )
    rows += compare(NAME, "large float32, time/step", timings, {"numpy": 1.05, "torch": None})
    rows += compare(NAME, "large float32, jit time/step", timings, {"numpy": 1.02}, ours="jit",
                    note=False)
    source = digits()[2]
    if source != "digits":
        rows.append(Row(NAME, "data", source))
    rows.append(_loss_agreement(5 if quick else 50))
    rows.append(_float32_stays())
    return rows


def _loss_agreement(steps: int) -> Row:
    """float64, same weights and batches: every engine must reach the same loss."""
    found = engines(SMALL, small_data(np.float64), np.float64, LR)
    for engine in found.values():
        for _ in range(steps):
            engine.step()
    ours = found["chainrule"].losses[-1]
    others = {name: e.losses[-1] for name, e in found.items() if name != "chainrule"}
    ok = all(np.isclose(ours, theirs, rtol=1e-6, atol=0) for theirs in others.values())
    ok = ok and np.isfinite(ours)
    detail = f"after {steps} steps: chainrule {ours:.9f}, " + ", ".join(
        f"{name} {value:.9f}" for name, value in others.items()
    )
    if not ok:
        print(f"tensor: losses disagree: {detail}", file=sys.stderr)
    return check_row(NAME, "loss agrees, float64 (rtol 1e-6)", ok, detail)


def _float32_stays() -> Row:
    """After a float32 step every weight, grad, activation (and its grad) and the loss is float32."""
    engine = Chainrule(init_weights(SMALL, np.float32), small_data(np.float32, 2), LR)
    x, labels = engine.inputs[0]
    loss, activations = engine.forward(x, labels)
    for a in (loss, *activations):
        a.retain_grad()
    loss.backward()
    for p in engine.params:
        p.data -= LR * p.grad
    named = [("loss", loss.data), ("loss grad", loss.grad)]
    named += [(f"activation {i}", a.data) for i, a in enumerate(activations)]
    named += [(f"activation {i} grad", a.grad) for i, a in enumerate(activations)]
    named += [(f"param {i}", p.data) for i, p in enumerate(engine.params)]
    named += [(f"param {i} grad", p.grad) for i, p in enumerate(engine.params)]
    wrong = [
        f"{name}: {getattr(v, 'dtype', type(v).__name__)}"
        for name, v in named
        if getattr(v, "dtype", None) != np.float32
    ]
    if wrong:
        print("tensor: not float32 after a float32 step: " + "; ".join(wrong), file=sys.stderr)
    detail = f"{len(named)} arrays float32" if not wrong else "; ".join(wrong)
    return check_row(NAME, "float32 end to end", not wrong, detail)


def profile_target(quick: bool = False) -> Callable[[], Any]:
    return Chainrule(init_weights(SMALL, np.float32), small_data(np.float32), LR).step
