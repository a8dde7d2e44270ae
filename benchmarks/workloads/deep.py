"""Workload 3: a chain of a million `Value` links (`y = y * 1.0001`): build, backward, bytes."""

from __future__ import annotations

import gc
from typing import Any, Callable

from autograd import Value
from benchmarks.workloads.harness import (
    Row,
    fmt_time,
    optional,
    retained_bytes,
    timed,
)

NAME = "3 deep chain"
LINKS = 1_000_000
MICROGRAD_LINKS = 100_000  # micrograd's memory is measured on a shorter chain: it is slow


def chain(V: type, links: int) -> Any:
    """The root of `links` multiplications; 1.0001 ** 1e6 = e ** 100 stays finite."""
    y = V(1.0)
    for _ in range(links):
        y = y * 1.0001
    return y


def run(quick: bool = False) -> list[Row]:
    links = 10_000 if quick else LINKS
    label = f"{links:,} links"
    gc.collect()
    build_s, root = timed(lambda: chain(Value, links))
    backward_s, _ = timed(root.backward)
    holder = [root]
    del root
    free_s, _ = timed(holder.clear)  # drops the last reference: the whole chain is freed
    ours_bytes, root = retained_bytes(lambda: chain(Value, links))
    del root
    gc.collect()

    micrograd = optional("micrograd.engine")
    theirs = None
    if micrograd is not None:
        mg_links = 1_000 if quick else MICROGRAD_LINKS
        theirs_bytes, root = retained_bytes(lambda: chain(micrograd.Value, mg_links))
        theirs = theirs_bytes / mg_links
        del root
        gc.collect()

    ours = ours_bytes / links
    if theirs is None:
        baseline, ratio = "n/a (micrograd not installed)", "n/a"
    else:
        baseline = f"micrograd {theirs:.0f} B ({(1_000 if quick else MICROGRAD_LINKS):,} links)"
        ratio = f"{ours / theirs:.3f}"
    return [
        Row(NAME, f"build {label}, default GC", fmt_time(build_s)),
        Row(NAME, f"backward {label}", fmt_time(backward_s)),
        Row(NAME, f"free {label}", fmt_time(free_s)),
        Row(NAME, "bytes per link (tracemalloc)", f"{ours:.0f} B", baseline, ratio, "<= 200 B",
            "PASS" if ours <= 200 else "FAIL"),
    ]


def profile_target(quick: bool = False) -> Callable[[], Any]:
    links = 10_000 if quick else 200_000
    return lambda: chain(Value, links).backward()
