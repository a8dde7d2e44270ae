"""The results table, as text for the terminal and as Markdown for RESULTS.md, with its context."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import time
from importlib import metadata
from pathlib import Path

from benchmarks.workloads import harness
from benchmarks.workloads.harness import Row

COLUMNS = ("workload", "figure", "chainrule", "baseline", "ratio", "target", "status")
HEADERS = ("workload", "figure", "chainrule", "baseline", "ratio", "target", "PASS/FAIL")


def cells(row: Row) -> list[str]:
    return [str(getattr(row, column)) for column in COLUMNS]


def text_table(rows: list[Row]) -> str:
    lines = [list(HEADERS)] + [cells(row) for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADERS))]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
        if n == 0:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join(out)


def markdown_table(rows: list[Row]) -> str:
    out = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for row in rows:
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells(row)) + " |")
    return "\n".join(out)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git_revision(root: Path) -> str:
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "autograd", "nn"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}{' + uncommitted engine changes' if dirty else ''}" if head else "unknown"


def context(root: Path) -> dict[str, str]:
    """Machine, versions and date: what a reader needs to compare two RESULTS.md files."""
    import numpy as np

    return {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "machine": f"{cpu_model()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": f"{np.__version__} (BLAS threads: {os.environ.get('OPENBLAS_NUM_THREADS', '?')}"
        f"{_blas_kernels()})",
        "torch": _version("torch"),
        "micrograd": _version("micrograd"),
        "scikit-learn": _version("scikit-learn"),
        "chainrule": f"{_version('chainrule')} (git {_git_revision(root)})",
        "clock": "wall clock" if harness.CLOCK is time.perf_counter
        else "CPU time of the process (time.process_time)",
    }


def _blas_kernels() -> str:
    """The kernels OpenBLAS runs (threadpoolctl, which scikit-learn brings), and the
    environment's OPENBLAS_CORETYPE if it forces them: matmul is most of a tensor step, and
    a machine may pin older kernels (seen here: Haswell on an AVX-512 EPYC, about half the
    sgemm speed of SkylakeX's), which moves every ratio against torch's own kernels."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return ""
    cores = {i.get("architecture") for i in threadpool_info() if i.get("user_api") == "blas"}
    chosen = ", ".join(sorted(c for c in cores if c))
    forced = os.environ.get("OPENBLAS_CORETYPE")
    return f", kernels: {chosen}" + (f" (OPENBLAS_CORETYPE={forced})" if forced else "")


def markdown(rows: list[Row], info: dict[str, str], selected: list[str], seconds: float) -> str:
    facts = "\n".join(f"- {key}: {value}" for key, value in info.items())
    notes = "\n".join(f"- {row.workload}, {row.figure}: {row.note}" for row in rows if row.note)
    return f"""# Benchmark results

Written by `make bench` (`.venv/bin/python benchmarks/run.py`); see `benchmarks/README.md` for
what each workload measures and how. Times are medians over blocks of steps, with the engines
interleaved in the same run; ratios are chainrule / baseline (lower is better for chainrule).
A missed speed target prints FAIL but does not fail the run; a failed correctness check does.

{facts}
- workloads: {' '.join(selected)} (whole run {seconds:.0f} s)

{markdown_table(rows)}

Timing noise (a block is several steps; the figure is the median of the blocks' means):

{notes or "- none recorded"}
"""
