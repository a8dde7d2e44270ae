"""How long drawing a 10,000-node `Value` graph takes: `draw_graph` plus Graphviz's SVG render.

The target is under 10 seconds with the default `max_nodes` (the graph is collapsed first).
Run standalone: `python benchmarks/render.py`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from autograd import Value, draw_graph  # noqa: E402
from autograd.engine import walk  # noqa: E402

TARGET_SECONDS = 10.0


def build_value_graph(n_nodes: int = 10_000) -> Value:
    """A scalar graph of exactly `n_nodes` nodes: a sum of tanh(x_i * w_i), then scalings."""
    terms, rest = divmod(n_nodes - 1, 5)  # each term adds x, w, x*w, tanh, + : five nodes
    total = Value(0.0, label="start")
    for i in range(terms):
        x = Value(i / max(terms, 1), label=f"x{i}", requires_grad=False)
        w = Value(0.5, label=f"w{i}")
        total = total + (x * w).tanh()
    for _ in range(rest):
        total = total * 0.5
    return total


def bench_render_10k(runs: int = 3) -> dict:
    """Median seconds of `draw_graph` and of the SVG render over `runs` runs, after backward.

    Needs Graphviz's `dot` (raises `GraphvizNotFoundError` without it).
    """
    root = build_value_graph(10_000)
    root.backward()
    nodes = sum(1 for _ in walk(root))
    assert nodes == 10_000, f"the benchmark graph has {nodes} nodes, expected 10,000"
    draws, renders = [], []
    for _ in range(runs):
        start = time.perf_counter()
        graph = draw_graph(root)
        drawn = time.perf_counter()
        svg = graph.pipe(format="svg")
        renders.append(time.perf_counter() - drawn)
        draws.append(drawn - start)
    assert svg.lstrip().startswith(b"<?xml"), "Graphviz did not return SVG"
    totals = [d + r for d, r in zip(draws, renders)]
    return {
        "nodes": nodes,
        "runs": runs,
        "draw_seconds": median(draws),
        "render_seconds": median(renders),
        "seconds": median(totals),
        "target_seconds": TARGET_SECONDS,
        "dot_statements": graph.source.count("\n"),
    }


if __name__ == "__main__":
    result = bench_render_10k()
    print(
        f"draw_graph + SVG of a {result['nodes']:,}-node Value graph: {result['seconds']:.3f} s "
        f"(draw {result['draw_seconds']:.3f} s, dot {result['render_seconds']:.3f} s; "
        f"median of {result['runs']}; target < {result['target_seconds']:g} s)"
    )
