"""How long drawing big graphs takes: `draw_graph` plus Graphviz's `dot` laying out the SVG.

The 10,000-node `Value` graph, and issue 15's four cases: a 10k-node chain reusing 50 weight
leaves, a 5,000-term sum of products, a 100-step LSTM's loss and a 3-layer MLP's tensor graph.
Targets: under 10 seconds (the MLP: 5) with the default `max_nodes`, and the picture drawn
without falling back to a coarser one. Run standalone: `python benchmarks/render.py`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import numpy as np  # noqa: E402

import nn  # noqa: E402
from autograd import Node, Value, draw_graph  # noqa: E402
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


def shared_leaf_chain() -> Node:
    """10,000 nodes: `x = x * w[i % 50] + 0.001`, each of 50 weights used 200 times."""
    weights = [Value(0.01 * (i + 1), label=f"w{i}") for i in range(50)]
    x = Value(0.5, label="x")
    for i in range(5000):
        x = x * weights[i % 50] + 0.001
    return x


def sum_of_products(terms: int = 5000) -> Node:
    a = [Value(0.001 * i, label=f"a{i}") for i in range(terms)]
    b = [Value(0.2, label=f"b{i}") for i in range(terms)]
    total = a[0] * b[0]
    for i in range(1, terms):
        total = total + a[i] * b[i]
    return total


def lstm_loss(steps: int = 100) -> Node:
    model = nn.Sequential([nn.Input((steps, 3)), nn.layers.LSTM(8), nn.layers.Dense(1)])
    x = np.random.default_rng(0).random((2, steps, 3)).astype(np.float32)
    return (model(x) ** 2).mean()


def mlp_loss() -> Node:
    model = nn.Sequential([nn.Input((8,)), nn.layers.Dense(16, activation="relu"),
                           nn.layers.Dense(16, activation="relu"), nn.layers.Dense(3)])
    loss = nn.losses.SparseCategoricalCrossentropy(from_logits=True)
    x = np.random.default_rng(0).random((4, 8)).astype(np.float32)
    return loss(np.array([0, 1, 2, 0]), model(x))


# name -> (builder, target seconds for draw + layout)
CASES = {
    "10k-node chain reusing 50 leaves": (shared_leaf_chain, 10.0),
    "5,000-term sum of products": (sum_of_products, 10.0),
    "100-step LSTM loss": (lstm_loss, 10.0),
    "3-layer MLP tensor graph": (mlp_loss, 5.0),
}


def bench_render_cases() -> dict[str, dict]:
    """Per case: seconds of draw_graph + `dot` to SVG (wall clock), and whether the layout ran
    over draw_graph's budget and was drawn coarser (it must not)."""
    results = {}
    for name, (build, target) in CASES.items():
        root = build()
        root.backward()
        start = time.perf_counter()
        svg = draw_graph(root).pipe(format="svg").decode()
        results[name] = {"seconds": time.perf_counter() - start, "target_seconds": target,
                         "coarser": "drawn again with max_nodes" in svg}
    return results


if __name__ == "__main__":
    result = bench_render_10k()
    print(
        f"draw_graph + SVG of a {result['nodes']:,}-node Value graph: {result['seconds']:.3f} s "
        f"(draw {result['draw_seconds']:.3f} s, dot {result['render_seconds']:.3f} s; "
        f"median of {result['runs']}; target < {result['target_seconds']:g} s)"
    )
