"""Rows measured by other modules: graph rendering and `fit` overhead, shown when importable.

`benchmarks/render.py: bench_render_10k() -> dict` reports `seconds` (and `draw_seconds`,
`render_seconds`, `target_seconds`); `benchmarks/fit_overhead.py: bench_fit_overhead() -> dict`
reports `ratio` (or `fit_seconds` and `raw_seconds`, and optionally `target_ratio`).
A module that is missing, or imports something not written yet, gives "n/a (not yet available)".
"""

from __future__ import annotations

import importlib
import inspect
import traceback
from typing import Any, Callable

from benchmarks.workloads.harness import Row, fmt_time

RENDER_TARGET_S = 10.0
FIT_TARGET_RATIO = 1.15


def _load(module: str, function: str) -> Callable[..., dict[str, Any]] | None:
    try:
        return getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError):
        return None


def _number(result: dict[str, Any], *keys: str) -> float | None:
    for key in keys:
        if isinstance(result.get(key), (int, float)):
            return float(result[key])
    return None


def _call(bench: Callable[..., dict[str, Any]], quick: bool) -> dict[str, Any]:
    """`bench()`, with a single repetition when `quick` (if it takes `runs` or `epochs`)."""
    parameters = inspect.signature(bench).parameters
    return bench(**{p: 1 for p in ("runs", "epochs") if quick and p in parameters})


def render(quick: bool = False) -> Row:
    name, figure = "5 render", "10k-node Value graph to SVG"
    bench = _load("benchmarks.render", "bench_render_10k")
    target = f"< {RENDER_TARGET_S:g} s"
    if bench is None:
        return Row(name, figure, "n/a (not yet available)", target=target, status="n/a")
    try:
        result = _call(bench, quick)
    except Exception as error:  # a broken helper shows in the table, the other rows still run
        traceback.print_exc()
        return Row(name, figure, f"error: {error!r}"[:80], target=target, status="FAIL")
    seconds = _number(result, "seconds", "total_seconds")
    limit = _number(result, "target_seconds") or RENDER_TARGET_S
    if seconds is None:
        return Row(name, figure, str(result)[:80], target=target, status="n/a")
    draw, dot = _number(result, "draw_seconds"), _number(result, "render_seconds")
    split = f" (draw {fmt_time(draw)}, dot {fmt_time(dot)})" if draw is not None and dot is not None else ""
    return Row(name, figure, fmt_time(seconds) + split, target=f"< {limit:g} s",
               status="PASS" if seconds < limit else "FAIL")


def fit_overhead(quick: bool = False) -> Row:
    name, figure = "6 fit overhead", "time/epoch, fit() vs raw engine loop"
    bench = _load("benchmarks.fit_overhead", "bench_fit_overhead")
    target = f"<= {FIT_TARGET_RATIO:g}"
    if bench is None:
        return Row(name, figure, "n/a (not yet available)", target=target, status="n/a")
    try:
        result = _call(bench, quick)
    except Exception as error:
        traceback.print_exc()
        return Row(name, figure, f"error: {error!r}"[:80], target=target, status="FAIL")
    fit = _number(result, "fit_seconds", "fit_s", "fit")
    raw = _number(result, "raw_seconds", "raw_s", "raw", "loop_seconds")
    ratio = _number(result, "ratio")
    if ratio is None and fit is not None and raw:
        ratio = fit / raw
    limit = _number(result, "target_ratio", "target") or FIT_TARGET_RATIO
    if ratio is None:
        return Row(name, figure, str(result)[:80], target=target, status="n/a")
    ours = fmt_time(fit) if fit is not None else ""
    base = f"raw loop {fmt_time(raw)}" if raw is not None else ""
    return Row(name, figure, ours, base, f"{ratio:.3f}", f"<= {limit:g}",
               "PASS" if ratio <= limit else "FAIL")


def render_rows(quick: bool = False) -> list[Row]:
    return [render(quick)]


def fit_rows(quick: bool = False) -> list[Row]:
    return [fit_overhead(quick)]
