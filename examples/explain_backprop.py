"""Backward, step by step: `explain` walks the chain rule over two small graphs and writes a
page to step through each.

1. The house-price neuron: the mean squared error of `w * flats + b` over the seven houses of
   examples/house_prices.py (prices in units of 10,000). explain's dL/dw and dL/db equal the
   closed forms (2/n) * sum((w x + b - y) * x) and (2/n) * sum(w x + b - y).
2. A 2-2-1 tanh network on one point, every weight a `Value`.

Each writes `out/<name>_backward.html` (open it in a browser: the arrow keys move through the
steps) and prints the table `str(explain(...))` gives.

    python examples/explain_backprop.py
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from autograd import Value, explain
from house_prices import FLATS, PRICES

OUT = Path("out")


def house_neuron(w: float = 0.5, b: float = 0.0) -> tuple[Value, Value, Value]:
    """(loss, w, b): the mean squared error of `w * flats + b` against prices / 10,000."""
    weight, bias = Value(w, label="w"), Value(b, label="b")
    total = Value(0.0, label="sum")
    for x, y in zip(FLATS.tolist(), (PRICES / 10_000.0).tolist()):
        total = total + (weight * x + bias - y) ** 2
    loss = total * (1.0 / len(FLATS))
    loss.label = "L"
    return loss, weight, bias


def closed_form(w: float, b: float) -> tuple[float, float]:
    """dL/dw and dL/db of the house-price MSE, by the formula."""
    xs, ys = FLATS.tolist(), (PRICES / 10_000.0).tolist()
    residuals = [w * x + b - y for x, y in zip(xs, ys)]
    n = len(xs)
    return (2 / n * sum(r * x for r, x in zip(residuals, xs)), 2 / n * sum(residuals))


def tanh_net(seed: int = 1) -> Value:
    """A 2-2-1 network of tanh units on the point (0.5, -1.0), target 1: its squared error."""
    rng = random.Random(seed)
    x = [Value(0.5, label="x1", requires_grad=False), Value(-1.0, label="x2", requires_grad=False)]
    hidden = []
    for j in range(2):
        ws = [Value(rng.uniform(-1, 1), label=f"w{j + 1}{i + 1}") for i in range(2)]
        act = (ws[0] * x[0] + ws[1] * x[1] + Value(0.0, label=f"b{j + 1}")).tanh()
        act.label = f"h{j + 1}"
        hidden.append(act)
    vs = [Value(rng.uniform(-1, 1), label=f"v{j + 1}") for j in range(2)]
    out = (vs[0] * hidden[0] + vs[1] * hidden[1] + Value(0.0, label="c")).tanh()
    out.label = "o"
    loss = (out - 1.0) ** 2
    loss.label = "L"
    return loss


def main(out_dir: Path = OUT) -> dict[str, Any]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    loss, w, b = house_neuron()
    house = explain(loss)
    by_formula = closed_form(w.data, b.data)
    found = (house.grad(w), house.grad(b))
    print(f"house-price neuron: {len(house.steps)} steps; dL/dw = {found[0]:.6f}, dL/db = "
          f"{found[1]:.6f}; the formula: {by_formula[0]:.6f}, {by_formula[1]:.6f}")
    pages = [house.save(out_dir / "house_backward.html")]
    net = explain(tanh_net())
    print(f"\n2-2-1 tanh network: {len(net.steps)} steps; the table begins:")
    print("\n".join(str(net).split("\n")[:12]))
    pages.append(net.save(out_dir / "tanh_net_backward.html"))
    for page in pages:
        print(f"wrote {page} (open it in a browser; the arrow keys move through the steps)")
    return {"house": house, "net": net, "formula": by_formula, "found": found, "pages": pages}


if __name__ == "__main__":
    main()
