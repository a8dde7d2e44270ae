"""What every workload shares: result rows, interleaved timing, memory probes, optional imports.

A workload module exposes `run(quick: bool = False) -> list[Row]` and, where it makes sense,
`profile_target(quick: bool = False) -> Callable[[], object]` (the chainrule side only, for
`run.py --profile`). `quick` shrinks every size and step count so the smoke test runs in seconds.
"""

from __future__ import annotations

import gc
import importlib
import os
import time
import tracemalloc
from dataclasses import dataclass, field
from statistics import median
from typing import Any, Callable


class CorrectnessError(AssertionError):
    """A benchmark's engines disagree (loss, dtype, leaked cycles): the numbers mean nothing."""


@dataclass
class Row:
    """One line of the results table; `status` is PASS, FAIL, n/a or '' (information only)."""

    workload: str
    figure: str
    chainrule: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    status: str = ""
    fatal: bool = False  # a failed correctness check: run.py exits non-zero
    note: str = ""


def fmt_time(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} us"


def fmt_bytes(n: float) -> str:
    if abs(n) >= 1 << 20:
        return f"{n / (1 << 20):.1f} MiB"
    if abs(n) >= 1 << 10:
        return f"{n / (1 << 10):.1f} KiB"
    return f"{n:.0f} B"


def ratio_row(
    workload: str,
    figure: str,
    ours: float,
    base: float | None,
    base_name: str,
    fmt: Callable[[float], str],
    max_ratio: float | None,
    missing: str = "",
) -> Row:
    """A chainrule/baseline comparison; PASS when the ratio is at most `max_ratio`."""
    target = f"<= {max_ratio:g}" if max_ratio is not None else ""
    if base is None:
        return Row(workload, figure, fmt(ours), f"n/a ({missing or base_name + ' missing'})",
                   "n/a", target, "n/a" if max_ratio is not None else "")
    ratio = ours / base
    status = "" if max_ratio is None else ("PASS" if ratio <= max_ratio else "FAIL")
    return Row(workload, figure, fmt(ours), f"{base_name} {fmt(base)}", f"{ratio:.3f}",
               target, status)


def check_row(workload: str, figure: str, ok: bool, detail: str, fatal: bool = True) -> Row:
    """A correctness check: PASS, or FAIL that (when `fatal`) makes run.py exit non-zero."""
    return Row(workload, figure, detail, target="must hold", status="PASS" if ok else "FAIL",
               fatal=fatal and not ok)


# ---------------------------------------------------------------------------------------
# Timing

# CPU time of this process: robust to other processes on a shared machine (see interleaved);
# run.py --wall-clock sets CHAINRULE_BENCH_CLOCK=wall
CLOCK = time.perf_counter if os.environ.get("CHAINRULE_BENCH_CLOCK") == "wall" else time.process_time


@dataclass
class Timing:
    """Seconds per step: the median over blocks of each block's mean, plus every block."""

    per_step: float
    blocks: list[float] = field(default_factory=list)

    @property
    def spread(self) -> float:
        """Relative spread of the blocks (max - min) / median: how noisy the machine was."""
        return (max(self.blocks) - min(self.blocks)) / self.per_step if self.blocks else 0.0


def noise(timings: dict[str, Timing]) -> str:
    """How many blocks each median is over and how far they spread, for RESULTS.md's notes."""
    return "; ".join(f"{name} {len(t.blocks)} blocks, spread {t.spread:.0%}"
                     for name, t in timings.items())


def interleaved(
    engines: dict[str, Callable[[], Any]],
    *,
    blocks: int,
    steps: int,
    warmup: int = 1,
    block_warmup: int = 0,
    gc_enabled: bool = True,
    collect: bool = True,
) -> dict[str, Timing]:
    """Time each engine's `step()` in blocks of `steps`, alternating engines block by block.

    The machine is shared and noisy, so engines take turns (ABC, CBA, ABC, ...) and each
    suffers the same slow patches. A block's mean, not each step, is the sample, so the
    periodic cost of Python's cyclic garbage collector is spread over the steps that cause it.
    The clock is the process's CPU time (user + system), not the wall clock: on a shared
    machine a process that is descheduled for a while is not charged for it, while everything
    it does itself (allocation, page faults, collection) still counts; every engine runs on one
    thread, so CPU time is elapsed time on an idle machine. Garbage is collected between
    blocks, untimed, so one engine's garbage is never charged
    to another; `block_warmup` untimed steps then open each block, so that an engine whose
    graphs are freed only by the collector (micrograd's closures make cycles) is timed with
    the backlog of garbage it carries in a real training loop. Engines that leave no cyclic
    garbage may pass `collect=False`: a full collection over a heap holding torch and
    scikit-learn costs more than a block of small steps.
    """
    names = list(engines)
    samples: dict[str, list[float]] = {name: [] for name in names}
    was_enabled = gc.isenabled()
    try:
        for name in names:
            _set_gc(gc_enabled)
            for _ in range(warmup):
                engines[name]()
        for b in range(blocks):
            for name in names if b % 2 == 0 else reversed(names):
                step = engines[name]
                if collect:
                    gc.collect()
                _set_gc(gc_enabled)
                for _ in range(block_warmup):
                    step()
                start = CLOCK()
                for _ in range(steps):
                    step()
                samples[name].append((CLOCK() - start) / steps)
                gc.disable()
    finally:
        gc.collect()
        _set_gc(was_enabled)
    return {name: Timing(median(s), s) for name, s in samples.items()}


def _set_gc(enabled: bool) -> None:
    if enabled:
        gc.enable()
    else:
        gc.disable()


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """CPU seconds that `fn()` took, and its result."""
    start = CLOCK()
    result = fn()
    return CLOCK() - start, result


# ---------------------------------------------------------------------------------------
# Memory


def peak_bytes(fn: Callable[[], Any]) -> int:
    """Peak memory traced by tracemalloc while `fn` runs, above what was allocated before."""
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return peak - before


def retained_bytes(build: Callable[[], Any]) -> tuple[int, Any]:
    """Memory still traced after `build()` returns (the object it returns is kept alive)."""
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        kept = build()
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return after - before, kept


def rss_bytes() -> int:
    """Resident set size of this process, from /proc (Linux) or getrusage's peak elsewhere."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# ---------------------------------------------------------------------------------------
# Optional baselines


def optional(module: str) -> Any | None:
    """The module, or None when it is not installed (baselines are optional)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def torch_single_thread() -> Any | None:
    """torch limited to one thread (as numpy's BLAS is), or None when it is not installed."""
    torch = optional("torch")
    if torch is None:
        return None
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # only settable before torch's first parallel work
        pass
    return torch
