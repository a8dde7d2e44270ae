"""`autograd.jit` on micrograd's demo: a Value network traced once, then replayed as one plan.

A 2-16-16-1 network of `Value`s (micrograd's MLP) learns two moons with a hinge loss, the
step micrograd's README trains. Eagerly every step builds ~16,000 nodes (40 points here) and
walks them back; under `jit(loss)` the first call records the ops, later calls run one
generated function forward and one backward, with no node per op. The losses are the same
bit for bit. The script prints both step times and writes the plan of a smaller function,
`jit_plan.svg` (what `draw_graph` of a jitted call shows).

Run it: `python examples/jit_speedup.py`
"""

from __future__ import annotations

import itertools
import random
import time
from pathlib import Path
from typing import Any

import numpy as np

from autograd import Value, jit, save_graph

OUT = Path("out")


def moons(n: int, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    """Two interleaved half circles, labels -1 and +1 (generated with numpy alone)."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper, np.cos(t), 1 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    points = np.stack([x, y], axis=1) + rng.normal(0, 0.1, (n, 2))
    return points.tolist(), np.where(upper, -1.0, 1.0).tolist()


class MLP:
    """micrograd's MLP: layers of neurons, tanh inside, linear at the end."""

    def __init__(self, sizes: list[int], seed: int = 1) -> None:
        rand = random.Random(seed)
        self.layers = [
            [([Value(rand.uniform(-1, 1)) for _ in range(n_in)], Value(0.0)) for _ in range(n_out)]
            for n_in, n_out in itertools.pairwise(sizes)
        ]

    @property
    def params(self) -> list[Value]:
        return [p for layer in self.layers for w, b in layer for p in (*w, b)]

    def __call__(self, x: list[Any]) -> Any:
        for k, layer in enumerate(self.layers):
            last = k == len(self.layers) - 1
            out = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
            x = out if last else [v.tanh() for v in out]
        return x[0]


def train(steps: int, use_jit: bool, points: list[list[float]],
          labels: list[float]) -> dict[str, Any]:
    model = MLP([2, 16, 16, 1])

    def loss() -> Value:
        scores = [model([Value(a) for a in row]) for row in points]
        data = sum((1 + -y * s).relu() for y, s in zip(labels, scores)) * (1.0 / len(points))
        return data + 1e-4 * sum(p * p for p in model.params)

    step = jit(loss) if use_jit else loss
    losses, times = [], []
    for k in range(steps):
        start = time.perf_counter()
        total = step()
        for p in model.params:
            p.grad = 0.0
        total.backward()
        for p in model.params:
            p.data -= (1.0 - 0.9 * k / steps) * p.grad  # micrograd's decaying rate
        times.append(time.perf_counter() - start)
        losses.append(total.data)
    return {"losses": losses, "times": times, "op": total.op}


def main(steps: int = 12, points: int = 40, out_dir: Path | None = OUT) -> dict[str, Any]:
    data, labels = moons(points)
    eager = train(steps, False, data, labels)
    jitted = train(steps, True, data, labels)
    same = eager["losses"] == jitted["losses"]
    # the first jit call traces (an eager step, then the plan is written); the second is
    # checked against an eager run; the later ones are the plan alone
    eager_ms = 1e3 * float(np.median(eager["times"][2:]))
    jit_ms = 1e3 * float(np.median(jitted["times"][2:]))
    print(f"micrograd's demo network, {points} moons, {steps} steps of SGD:")
    print(f"  eager step {eager_ms:.1f} ms, jit step {jit_ms:.1f} ms "
          f"({eager_ms / jit_ms:.1f}x faster; the trace took {1e3 * jitted['times'][0]:.0f} ms)")
    print(f"  loss {eager['losses'][0]:.4f} -> {eager['losses'][-1]:.4f}; "
          f"the same bit for bit under jit: {same} (last step's op: {jitted['op']!r})")
    files = []
    if out_dir is not None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        w = Value(0.5, label="w")
        neuron = jit(lambda x: (w * x + 1.0).tanh())
        neuron(Value(2.0, label="x"))
        path = save_graph(neuron(Value(3.0, label="x")), Path(out_dir) / "jit_plan.svg")
        files.append(path)
        print(f"wrote {path} (draw_graph of a jitted call shows its plan)")
    return {"same": same, "eager_ms": eager_ms, "jit_ms": jit_ms, "files": files}


if __name__ == "__main__":
    main()
