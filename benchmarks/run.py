"""chainrule's benchmarks against micrograd, hand-written numpy and PyTorch: `make bench`.

    python benchmarks/run.py                  # everything; writes benchmarks/RESULTS.md
    python benchmarks/run.py scalar tensor    # only those workloads (RESULTS.md untouched)
    python benchmarks/run.py --quick          # tiny sizes: checks the harness, not the engine
    python benchmarks/run.py --profile tensor # cProfile of chainrule's steps, top 15 by tottime

Each workload runs in a fresh Python process (`--worker NAME`), so its figures do not depend on
what ran before it: the cyclic GC's cost grows with every object alive in the process (torch
alone brings hundreds of thousands), and memory freed by one workload stays in the process.
Exits 1 when a correctness check fails (losses disagree, float32 turned float64, leaked
reference cycles, a workload crashed); a missed speed target only prints FAIL.
"""

from __future__ import annotations

import os

# One BLAS thread for every engine, set before numpy (or torch) is first imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import cProfile  # noqa: E402
import dataclasses  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import pstats  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `benchmarks.workloads` from a checkout, however it is run

from benchmarks.workloads import harness, report  # noqa: E402
from benchmarks.workloads.harness import Row  # noqa: E402

# name -> "module:function(quick) -> list[Row]", imported only by the process that runs it
WORKLOADS: dict[str, str | Callable[[bool], list[Row]]] = {
    "scalar": "scalar:run",
    "tensor": "tensor:run",
    "deep": "deep:run",
    "memory": "memory:run",
    "render": "extras:render_rows",
    "fit": "extras:fit_rows",
    "layers": "layers:run",
}
# what --profile runs: a step function of chainrule's side, and how many steps
PROFILES = {"scalar": ("scalar:profile_target", 5), "tensor": ("tensor:profile_target", 500),
            "deep": ("deep:profile_target", 1), "layers": ("layers:profile_target", 20)}
MARKER = "@@rows@@"  # the worker's JSON rows follow this on stdout
RESULTS = ROOT / "benchmarks" / "RESULTS.md"


def _resolve(spec: str | Callable[..., object]) -> Callable[..., object]:
    if callable(spec):
        return spec
    module, function = spec.split(":")
    return getattr(importlib.import_module(f"benchmarks.workloads.{module}"), function)


def _in_process(name: str, quick: bool) -> list[Row]:
    return _resolve(WORKLOADS[name])(quick)  # type: ignore[return-value]


def _in_worker(name: str, quick: bool) -> list[Row]:
    """Run one workload in a fresh interpreter; its rows come back as JSON on stdout."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", name]
    done = subprocess.run(command + (["--quick"] if quick else []), stdout=subprocess.PIPE,
                          text=True, cwd=ROOT)
    head, marker, payload = done.stdout.partition(MARKER)
    sys.stdout.write(head)
    if done.returncode != 0 or not marker:
        raise RuntimeError(f"the worker exited with code {done.returncode} (its traceback is above)")
    return [Row(**fields) for fields in json.loads(payload)]


def run_workloads(names: list[str], quick: bool = False, isolate: bool = True) -> list[Row]:
    """Each workload's rows; a crashed workload becomes a fatal FAIL row, the others still run."""
    rows: list[Row] = []
    for name in names:
        start = time.perf_counter()
        try:
            found = _in_worker(name, quick) if isolate else _in_process(name, quick)
        except Exception as error:
            traceback.print_exc()
            found = [Row(name, "crashed", f"{type(error).__name__}: {error}"[:100],
                         status="FAIL", fatal=True)]
        print(f"[{name}: {time.perf_counter() - start:.1f} s]", file=sys.stderr, flush=True)
        for row in found:
            note = f"  [{row.note}]" if row.note else ""
            print(f"  {row.figure}: {row.chainrule}  {row.baseline}  {row.ratio}  {row.status}"
                  f"{note}", file=sys.stderr, flush=True)
        rows += found
    return rows


def profile(name: str, steps: int | None, top: int = 15) -> None:
    spec, default_steps = PROFILES[name]
    step = _resolve(spec)(False)
    step()  # warm-up: first-call costs are not what an optimiser needs to see
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps or default_steps):
        step()
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats("tottime")
    print(f"cProfile of chainrule, workload {name}, {steps or default_steps} steps, "
          f"top {top} by tottime:")
    stats.print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workloads", nargs="*", metavar="WORKLOAD",
                        help=f"any of: {' '.join(WORKLOADS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, 1-2 steps")
    parser.add_argument("--profile", choices=list(PROFILES), help="profile chainrule's side")
    parser.add_argument("--steps", type=int, help="steps to profile")
    parser.add_argument("--in-process", action="store_true",
                        help="run every workload in this process (faster start, shared heap)")
    parser.add_argument("--wall-clock", action="store_true",
                        help="time with the wall clock instead of this process's CPU time")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path,
                        help="write the Markdown results here (default: RESULTS.md on a full run)")
    args = parser.parse_args(argv)
    if args.wall_clock:
        os.environ["CHAINRULE_BENCH_CLOCK"] = "wall"  # inherited by the workers
        harness.CLOCK = time.perf_counter
    if args.worker:
        rows = _in_process(args.worker, args.quick)
        print(MARKER + json.dumps([dataclasses.asdict(row) for row in rows]))
        return 0
    if args.profile:
        profile(args.profile, args.steps)
        return 0

    unknown = [name for name in args.workloads if name not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload {', '.join(unknown)}; expected any of: {' '.join(WORKLOADS)}")
    names = [name for name in WORKLOADS if name in args.workloads] or list(WORKLOADS)
    start = time.perf_counter()
    rows = run_workloads(names, args.quick, isolate=not args.in_process)
    seconds = time.perf_counter() - start
    print()
    print(report.text_table(rows))
    failed = [row for row in rows if row.fatal]
    target = args.results or (RESULTS if names == list(WORKLOADS) and not args.quick else None)
    if target is not None:
        text = report.markdown(rows, report.context(ROOT), names, seconds)
        target.write_text(text)
        print(f"\nwrote {target}")
    print(f"\n{len(rows)} rows in {seconds:.0f} s; "
          f"{sum(r.status == 'PASS' for r in rows)} PASS, {sum(r.status == 'FAIL' for r in rows)} FAIL"
          + (f"; {len(failed)} failed correctness checks: "
             + "; ".join(f"{r.workload} {r.figure}" for r in failed) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
