"""Rows measured by modules of their own: graph rendering (issue 6) and `fit` overhead (issue 7).

`benchmarks/render.py: bench_render_10k(runs)` reports `seconds`, `draw_seconds`,
`render_seconds` and `target_seconds`; `benchmarks/fit_overhead.py: bench_fit_overhead(epochs)`
reports `fit_s`, `raw_s`, `ratio` and `target`. `quick` runs each once.
"""

from __future__ import annotations

from benchmarks.fit_overhead import bench_fit_overhead
from benchmarks.render import bench_render_10k, bench_render_cases
from benchmarks.workloads.harness import Row, fmt_time


def render_rows(quick: bool = False) -> list[Row]:
    result = bench_render_10k(runs=1) if quick else bench_render_10k()
    seconds, limit = result["seconds"], result["target_seconds"]
    split = f" (draw {fmt_time(result['draw_seconds'])}, dot {fmt_time(result['render_seconds'])})"
    status = "PASS" if seconds < limit else "FAIL"
    rows = [
        Row("5 render", "10k-node Value graph to SVG", fmt_time(seconds) + split,
            target=f"< {limit:g} s", status=status)
    ]  # fmt: skip
    for name, case in bench_render_cases().items():
        ok = case["seconds"] < case["target_seconds"] and not case["coarser"]
        note = " (fell back to a coarser picture)" if case["coarser"] else ""
        rows.append(Row("5 render", f"{name}: draw + dot", fmt_time(case["seconds"]) + note,
                        target=f"< {case['target_seconds']:g} s", status="PASS" if ok else "FAIL"))
    return rows


def fit_rows(quick: bool = False) -> list[Row]:
    result = bench_fit_overhead(epochs=1) if quick else bench_fit_overhead()
    ratio, limit = result["ratio"], result["target"]
    return [
        Row("6 fit overhead", "time/epoch, fit() vs raw engine loop", fmt_time(result["fit_s"]),
            f"raw loop {fmt_time(result['raw_s'])}", f"{ratio:.3f}", f"<= {limit:g}",
            "PASS" if ratio <= limit else "FAIL"),
        Row("6 fit overhead", "time/epoch, fit(epochs=1, jit_compile=True) vs raw loop on the jitted step",
            fmt_time(result["fit_jit_s"]), f"raw jit loop {fmt_time(result['raw_jit_s'])}",
            f"{result['jit_ratio']:.3f}", f"<= {result['jit_target']:g}",
            "PASS" if result["jit_ratio"] <= result["jit_target"] else "FAIL"),
        Row("6 fit overhead", f"time/epoch, fit(epochs={result['run_epochs']}, jit_compile=True)"
            " vs raw loop on the jitted step", fmt_time(result["fit_jit_run_s"]),
            f"raw jit loop {fmt_time(result['raw_jit_run_s'])}", f"{result['jit_run_ratio']:.3f}",
            f"<= {result['jit_target']:g}",
            "PASS" if result["jit_run_ratio"] <= result["jit_target"] else "FAIL"),
        Row("6 fit overhead", "time/epoch, fit() eager / fit(jit_compile=True)",
            fmt_time(result["fit_s"]), f"jit {fmt_time(result['fit_jit_s'])}",
            f"{result['jit_speedup']:.3f}"),
    ]  # fmt: skip
