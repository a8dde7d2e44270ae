"""Workload 1: micrograd's own demo (MLP 2-16-16-1 on 100 half-moon points), both engines.

The model is written once, generic over the `Value` class (micrograd's nn.py, re-implemented),
so chainrule and micrograd build exactly the same expression graph with plain operators.
"""

from __future__ import annotations

import random
import sys
from typing import Any, Callable

from autograd import Value, jit
from autograd.engine import walk
from benchmarks.workloads.data import moons
from benchmarks.workloads.harness import (
    Row,
    check_row,
    fmt_bytes,
    fmt_time,
    interleaved,
    noise,
    optional,
    peak_bytes,
    ratio_row,
)

NAME = "1 scalar MLP"
LR = 0.05
ALPHA = 1e-4


class Neuron:
    def __init__(self, V: type, weights: list[float], nonlin: bool) -> None:
        self.w = [V(w) for w in weights]
        self.b = V(0.0)
        self.nonlin = nonlin

    def __call__(self, x: list[Any]) -> Any:
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act


class MLP:
    """micrograd's MLP: relu hidden layers, a linear output neuron."""

    def __init__(self, V: type, sizes: list[int], seed: int = 1337) -> None:
        rng = random.Random(seed)  # the same weights for both engines
        self.layers = [
            [Neuron(V, [rng.uniform(-1, 1) for _ in range(nin)], nonlin=i < len(sizes) - 2)
             for _ in range(nout)]
            for i, (nin, nout) in enumerate(zip(sizes, sizes[1:]))
        ]
        self.params = [p for layer in self.layers for n in layer for p in (*n.w, n.b)]

    def __call__(self, x: list[Any]) -> Any:
        for layer in self.layers:
            x = [n(x) for n in layer]
        return x[0]


class Trainer:
    """One engine's model and data; `step()` is forward + zero grads + backward + SGD update."""

    def __init__(self, V: type, points: list[list[float]], labels: list[float]) -> None:
        self.V = V
        self.model = MLP(V, [2, 16, 16, 1])
        self.points, self.labels = points, labels
        self.losses: list[float] = []

    def loss(self) -> Any:
        V = self.V
        inputs = [[V(a) for a in row] for row in self.points]  # the demo: list(map(Value, xrow))
        scores = [self.model(x) for x in inputs]
        losses = [(1 + -yi * score).relu() for yi, score in zip(self.labels, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in self.model.params)
        return data_loss + reg_loss

    def update(self, total: Any) -> None:
        params = self.model.params
        for p in params:
            p.grad = 0.0
        total.backward()
        for p in params:
            p.data -= LR * p.grad
        self.losses.append(float(total.data))

    def step(self) -> None:
        self.update(self.loss())


class JitTrainer(Trainer):
    """`Trainer` with its loss under `autograd.jit`: the micrograd demo's ~45,000 ops traced
    once, then replayed as one plan per step (no Value per op for the collector to scan)."""

    def __init__(self, V: type, points: list[list[float]], labels: list[float]) -> None:
        super().__init__(V, points, labels)
        self.traced = jit(self.loss)

    def step(self) -> None:
        self.update(self.traced())


def _big_heap() -> str:
    """Import what a notebook user has imported (torch, scikit-learn): a heap of ~10^5-10^6
    objects that every full collection of the cycle collector traverses."""
    loaded = [name for name in ("torch", "sklearn.linear_model") if optional(name) is not None]
    return " + ".join(name.split(".")[0] for name in loaded) or "nothing"


def count_nodes(root: Any) -> int:
    """Nodes reachable from `root`, in either engine (iterative: graphs are deep)."""
    if hasattr(root, "_parents"):
        return sum(1 for _ in walk(root))
    seen, stack = {id(root)}, [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def _count_and_step(trainer: Trainer) -> int:
    """Nodes in one step's graph. A function, so that the graph dies with its frame: a graph
    left alive (micrograd's holds ~450,000 objects) would make every later full collection
    of the cycle collector traverse it, charging the engine timed next for it."""
    total = trainer.loss()
    count = count_nodes(total)
    trainer.update(total)
    return count


def run(quick: bool = False) -> list[Row]:
    points, labels = moons(8 if quick else 100)
    ours = Trainer(Value, points, labels)
    engines: dict[str, Callable[[], None]] = {"chainrule": ours.step}
    mg_engine = optional("micrograd.engine")
    theirs = None
    if mg_engine is not None:
        # micrograd orders its graph recursively; the demo's graph is a few hundred deep
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))
        theirs = Trainer(mg_engine.Value, points, labels)
        engines["micrograd"] = theirs.step

    nodes: dict[str, float] = {}
    peaks: dict[str, float] = {}
    for name, trainer in (("chainrule", ours), ("micrograd", theirs)):
        if trainer is not None:
            nodes[name] = _count_and_step(trainer)
            peaks[name] = peak_bytes(trainer.step)

    # collection off first: the default-GC blocks leave a heap churned by micrograd's ~450,000
    # collected objects a step, which slows whichever engine allocates after them (measured:
    # chainrule's GC-off step 49 -> 57 ms when timed after them; micrograd's barely moves)
    off = interleaved(engines, blocks=1 if quick else 16, steps=1 if quick else 2,
                      gc_enabled=False)
    # default GC: one untimed step opens each block, so micrograd carries its usual garbage
    # (micrograd takes ~2 s a step here: this is most of the workload's time)
    default = interleaved(engines, blocks=1 if quick else 4, steps=1 if quick else 2,
                          block_warmup=0 if quick else 1, gc_enabled=True)

    def theirs_(figures: dict[str, Any]) -> Any:
        value = figures.get("micrograd")
        return getattr(value, "per_step", value)

    missing = "micrograd not installed"
    rows = [
        ratio_row(NAME, "time/step, default GC", default["chainrule"].per_step, theirs_(default),
                  "micrograd", fmt_time, 0.10, missing),
        ratio_row(NAME, "time/step, GC off", off["chainrule"].per_step, theirs_(off),
                  "micrograd", fmt_time, 0.5, missing),
        ratio_row(NAME, "nodes/step", nodes["chainrule"], theirs_(nodes), "micrograd",
                  lambda n: f"{n:,.0f}", None, missing),
        ratio_row(NAME, "peak memory/step (tracemalloc)", peaks["chainrule"], theirs_(peaks),
                  "micrograd", fmt_bytes, None, missing),
    ]
    rows[0].note, rows[1].note = noise(default), noise(off)
    if theirs is not None:
        rows.append(_agreement(ours.losses, theirs.losses))
    return rows + _jit_rows(points, labels, theirs, quick)


def _jit_rows(points: list[list[float]], labels: list[float], theirs: Any, quick: bool) -> list[Row]:
    """The same step under jit, in a process that has imported torch and scikit-learn."""
    jitted = JitTrainer(Value, points, labels)
    eager = Trainer(Value, points, labels)
    for _ in range(3):  # the trace, the checked step, one replay: each equals the eager step
        jitted.step()
        eager.step()
    same = jitted.losses == eager.losses and jitted.traced.eager_because is None
    heap = _big_heap()
    engines: dict[str, Callable[[], None]] = {"jit": jitted.step}
    if theirs is not None:
        engines["micrograd"] = theirs.step
    off = interleaved(engines, blocks=1 if quick else 8, steps=1 if quick else 2,
                      gc_enabled=False)
    default = interleaved(engines, blocks=1 if quick else 2, steps=1,
                          block_warmup=0 if quick else 1, gc_enabled=True)
    missing = "micrograd not installed"
    mg_default = default["micrograd"].per_step if theirs is not None else None
    mg_off = off["micrograd"].per_step if theirs is not None else None
    rows = [
        ratio_row(NAME, f"jit time/step, default GC, {heap} imported", default["jit"].per_step,
                  mg_default, "micrograd", fmt_time, 0.08, missing),
        ratio_row(NAME, f"jit time/step, GC off, {heap} imported", off["jit"].per_step, mg_off,
                  "micrograd", fmt_time, 0.4, missing),
        check_row(NAME, "jit losses = eager losses (bit for bit)", same,
                  f"{len(jitted.losses)} steps, last {jitted.losses[-1]!r}"),
    ]
    rows[0].note, rows[1].note = noise(default), noise(off)
    return rows


def _agreement(ours: list[float], theirs: list[float]) -> Row:
    """Same weights, same data, same number of steps: the losses must match to rounding."""
    ok = len(ours) == len(theirs) and all(
        abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1e-12) for a, b in zip(ours, theirs)
    )
    detail = f"{len(ours)} steps, last loss {ours[-1]:.6f} vs micrograd {theirs[-1]:.6f}"
    if not ok:
        print(f"scalar: losses disagree:\n  chainrule {ours}\n  micrograd {theirs}",
              file=sys.stderr)
    return check_row(NAME, "loss = micrograd's (rtol 1e-6)", ok, detail)


def profile_target(quick: bool = False) -> Callable[[], None]:
    points, labels = moons(20 if quick else 100)
    return Trainer(Value, points, labels).step

