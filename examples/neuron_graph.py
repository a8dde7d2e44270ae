"""One neuron, micrograd-style: `o = tanh(x1*w1 + x2*w2 + b)` built from `Value`s.

After `o.backward()` every node holds its gradient (Values keep .grad on every node, as in
micrograd), so the whole chain rule can be read off the picture written to out/neuron.svg.
The gradients are then checked against the chain rule worked out by hand:

    do/dn  = 1 - tanh(n)**2            (n = x1*w1 + x2*w2 + b)
    do/dw1 = do/dn * x1,   do/dx1 = do/dn * w1
    do/dw2 = do/dn * x2,   do/dx2 = do/dn * w2,   do/db = do/dn

Run it: `python examples/neuron_graph.py`
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from autograd import Value, save_graph

OUT = Path("out")
# micrograd's numbers: b is chosen so that n = 0.8814, tanh(n) = 0.7071 and do/dn = 0.5
INPUTS = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}


def build_neuron() -> tuple[Value, dict[str, Value]]:
    """The neuron's output `o` and its named nodes, before backward."""
    leaves = {name: Value(data, label=name) for name, data in INPUTS.items()}
    x1w1 = leaves["x1"] * leaves["w1"]
    x1w1.label = "x1*w1"
    x2w2 = leaves["x2"] * leaves["w2"]
    x2w2.label = "x2*w2"
    s = x1w1 + x2w2
    s.label = "x1*w1 + x2*w2"
    n = s + leaves["b"]
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, {**leaves, "x1*w1": x1w1, "x2*w2": x2w2, "x1*w1 + x2*w2": s, "n": n, "o": o}


def by_hand() -> dict[str, float]:
    """The same gradients from the chain rule written out with plain floats."""
    x1, x2, w1, w2, b = (INPUTS[k] for k in ("x1", "x2", "w1", "w2", "b"))
    n = x1 * w1 + x2 * w2 + b
    do_dn = 1.0 - math.tanh(n) ** 2  # d tanh(n)/dn
    # a sum passes its gradient unchanged to each input; a product swaps in the other factor
    return {
        "o": 1.0,
        "n": do_dn,
        "b": do_dn,
        "x1*w1 + x2*w2": do_dn,
        "x1*w1": do_dn,
        "x2*w2": do_dn,
        "x1": do_dn * w1,
        "w1": do_dn * x1,
        "x2": do_dn * w2,
        "w2": do_dn * x2,
    }


def run(out_dir: Path | None = OUT, formats: tuple[str, ...] = ("svg", "png")) -> dict[str, Any]:
    """Build the neuron, run backward, draw it; return the output, the grads and the files."""
    o, nodes = build_neuron()
    o.backward()
    grads = {name: node.grad for name, node in nodes.items()}
    files = []
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        files = [save_graph(o, out_dir / f"neuron.{fmt}") for fmt in formats]
    return {"output": o.data, "grads": grads, "expected": by_hand(), "files": files}


def main(out_dir: Path | None = OUT) -> dict[str, Any]:
    result = run(out_dir)
    grads, expected = result["grads"], result["expected"]
    print(f"o = tanh(x1*w1 + x2*w2 + b) = {result['output']:.4f}")
    print(f"{'node':>15}  {'grad (backward)':>16}  {'grad (by hand)':>15}")
    for name in ("x1", "w1", "x2", "w2", "b", "n", "o"):
        print(f"{name:>15}  {grads[name]:>16.6f}  {expected[name]:>15.6f}")
    worst = max(abs(grads[k] - expected[k]) for k in expected)
    assert worst < 1e-12, f"backward disagrees with the hand-derived chain rule by {worst}"
    print(f"backward() matches the hand-derived chain rule (largest difference {worst:.1e})")
    for path in result["files"]:
        print(f"wrote {path}")
    return result


if __name__ == "__main__":
    main()
