"""The benchmark harness cannot rot: every workload runs at tiny sizes, and run.py's table and
exit code behave. No timing is asserted; baselines (micrograd, torch, scikit-learn) are optional.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.workloads import harness, scalar  # noqa: E402
from benchmarks.workloads.harness import Row  # noqa: E402

STATUSES = {"PASS", "FAIL", "n/a", ""}


@pytest.fixture(scope="module")
def bench() -> Iterator[Any]:
    """benchmarks/run.py as a module; its one-BLAS-thread settings are undone afterwards.

    The objects alive now (pytest, hypothesis, ...) are frozen out of the cyclic collector's
    sight: the harness collects between blocks, and that is slow over a test session's heap.
    """
    saved = dict(os.environ)
    gc.collect()
    gc.freeze()
    try:
        yield importlib.import_module("benchmarks.run")
    finally:
        gc.unfreeze()
        os.environ.clear()
        os.environ.update(saved)


@pytest.mark.parametrize("name", ["scalar", "tensor", "deep", "memory", "render", "fit"])
def test_workload_runs_quick(bench: Any, name: str) -> None:
    rows = bench.run_workloads([name], quick=True, isolate=False)
    assert rows, f"{name} produced no rows"
    for row in rows:
        assert isinstance(row, Row)
        assert row.status in STATUSES, row
        assert not row.fatal, f"correctness check failed: {row}"
        assert row.chainrule, f"empty figure: {row}"


def test_main_prints_table_and_writes_results(bench: Any, tmp_path: Path, capfd: Any) -> None:
    # the default path: the workload runs in a worker process and sends its rows back
    results = tmp_path / "RESULTS.md"
    assert bench.main(["fit", "--quick", "--results", str(results)]) == 0
    printed = capfd.readouterr().out
    assert "PASS/FAIL" in printed and "6 fit overhead" in printed
    text = results.read_text()
    assert "| workload | figure | chainrule |" in text
    for fact in ("machine:", "python:", "numpy:", "torch:", "micrograd:", "chainrule:", "date:"):
        assert fact in text, f"RESULTS.md lacks {fact}"


def test_failed_correctness_check_exits_nonzero(bench: Any, monkeypatch: Any) -> None:
    broken = [harness.check_row("x", "loss agrees", False, "1.0 vs 2.0")]
    monkeypatch.setitem(bench.WORKLOADS, "fit", lambda quick: broken)
    assert bench.main(["fit", "--quick", "--in-process"]) == 1


def test_crashed_workload_is_a_fatal_row(bench: Any, monkeypatch: Any) -> None:
    def crash(quick: bool) -> list[Row]:
        raise ValueError("boom")

    monkeypatch.setitem(bench.WORKLOADS, "fit", crash)
    rows = bench.run_workloads(["fit"], quick=True, isolate=False)
    assert [(r.status, r.fatal) for r in rows] == [("FAIL", True)]
    assert "boom" in rows[0].chainrule


def test_missed_speed_target_is_not_fatal() -> None:
    row = harness.ratio_row("w", "time", 2.0, 1.0, "numpy", harness.fmt_time, 1.3)
    assert (row.ratio, row.status, row.fatal) == ("2.000", "FAIL", False)
    missing = harness.ratio_row("w", "time", 2.0, None, "torch", harness.fmt_time, 0.6)
    assert missing.status == "n/a" and missing.baseline.startswith("n/a")


def test_unknown_workload_is_refused(bench: Any) -> None:
    with pytest.raises(SystemExit):
        bench.main(["no-such-workload"])


def test_scalar_loss_disagreement_fails() -> None:
    assert scalar._agreement([0.5, 0.25], [0.5, 0.25]).status == "PASS"
    row = scalar._agreement([0.5, 0.25], [0.5, 0.26])
    assert row.status == "FAIL" and row.fatal


def test_interleaved_times_every_engine_per_block() -> None:
    calls = {"a": 0, "b": 0}

    def step(name: str) -> Any:
        return lambda: calls.__setitem__(name, calls[name] + 1)

    timings = harness.interleaved({"a": step("a"), "b": step("b")}, blocks=3, steps=2,
                                  warmup=1, block_warmup=1, collect=False)
    assert calls == {"a": 1 + 3 * 3, "b": 1 + 3 * 3}
    assert all(len(t.blocks) == 3 and t.per_step >= 0 for t in timings.values())
