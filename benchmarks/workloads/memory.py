"""Workload 4: memory across training. RSS must stay flat; graphs must be freed without the GC."""

from __future__ import annotations

import gc
from typing import Any, Callable

import numpy as np

from benchmarks.workloads import scalar, tensor
from benchmarks.workloads.data import init_weights, moons
from benchmarks.workloads.harness import Row, check_row, fmt_bytes, optional, rss_bytes

NAME = "4 memory"
GROWTH_LIMIT = 2 << 20  # bytes of RSS growth tolerated after warm-up (allocator noise)


def rss_over_training(steps: int, every: int) -> list[int]:
    """RSS after every `every` steps of the small float32 digits MLP (chainrule)."""
    engine = tensor.Chainrule(init_weights(tensor.SMALL, np.float32),
                              tensor.small_data(np.float32), tensor.LR)
    samples = []
    for i in range(1, steps + 1):
        engine.step()
        if i % every == 0:
            samples.append(rss_bytes())
    return samples


def unreachable_after(step: Callable[[], Any]) -> int:
    """Objects that only the cyclic collector could free after one `step()`, above an empty step.

    With the collector off, a graph without reference cycles is freed by reference counting
    the moment the step returns, so `gc.collect()` afterwards finds nothing. Everything alive
    before the step is frozen out of the collector's sight, which only makes collecting fast.
    """
    was_enabled, was_frozen = gc.isenabled(), gc.get_freeze_count() > 0
    gc.disable()
    gc.collect()
    gc.freeze()
    try:
        baseline = gc.collect()  # an empty step: what the collector finds anyway
        step()
        return gc.collect() - baseline
    finally:
        if not was_frozen:  # a caller's freeze (the smoke test's) is left as it was
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def run(quick: bool = False) -> list[Row]:
    steps, every = (10, 5) if quick else (1000, 100)
    samples = rss_over_training(steps, every)
    first, last = samples[0], samples[-1]
    slope = float(np.polyfit(np.arange(len(samples)) * every, samples, 1)[0]) * 100
    growth = last - first
    rows = [
        Row(NAME, f"RSS growth, steps {every}..{steps} (digits f32)",
            f"{fmt_bytes(growth)} (slope {fmt_bytes(round(slope))}/100 steps)",
            f"RSS first {fmt_bytes(first)}, last {fmt_bytes(last)}", "",
            f"< {fmt_bytes(GROWTH_LIMIT)}", "PASS" if growth < GROWTH_LIMIT else "FAIL"),
    ]

    tensor_engine = tensor.Chainrule(init_weights(tensor.SMALL, np.float32),
                                     tensor.small_data(np.float32, 2), tensor.LR)
    tensor_engine.step()
    found = unreachable_after(tensor_engine.step)
    rows.append(check_row(NAME, "no reference cycles, Tensor step", found == 0,
                          f"gc.collect() found {found} objects"))

    points, labels = moons(10 if quick else 100)
    value_engine = scalar.Trainer(scalar.Value, points, labels)
    found = unreachable_after(value_engine.step)
    micrograd = optional("micrograd.engine")
    theirs = "n/a (micrograd not installed)"
    if micrograd is not None:
        theirs = f"micrograd {unreachable_after(scalar.Trainer(micrograd.Value, points, labels).step):,}"
    row = check_row(NAME, "no reference cycles, Value step", found == 0,
                    f"gc.collect() found {found} objects")
    row.baseline = theirs
    rows.append(row)
    return rows
