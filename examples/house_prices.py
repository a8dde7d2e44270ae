"""The "hello world" of Keras: one neuron learns house prices from the number of flats.

A house with 1 flat costs 10,000, with 2 flats 20,000, ... with 7 flats 70,000. One Dense
unit (`price = flats * weight + bias`) is fitted with SGD (learning rate 0.01) on the mean
squared error for 500 epochs and asked the price of 10 flats: about 100,000.

Raw prices or scaled? This runs the tutorial unchanged, on raw prices, and it converges:
full-batch gradient descent on a linear model is stable while the learning rate is below
2 / (largest eigenvalue of the loss's Hessian), and that Hessian,
2 * [[mean(x**2), mean(x)], [mean(x), 1]] = 2 * [[20, 4], [4, 1]], depends on the inputs x
only (largest eigenvalue 41.6, so any rate below 0.048 works). Scaling the prices changes
only how big the numbers are: the loss starts near 10**9 and the weight must travel to 10,000.
In units of 10,000 the same run learns weight ~1 and bias ~0, which is easier to read; both
runs are printed.

The script also draws the graph of the single neuron, `theta0 + theta1 * x`, after one
backward pass, to out/house_neuron.svg: d price / d theta1 = x and d price / d theta0 = 1.

Run it: `python examples/house_prices.py`
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import nn as keras
from autograd import Tensor, save_graph

OUT = Path("out")
EPOCHS = 500
FLATS = np.arange(1.0, 8.0)  # 1 ... 7
PRICES = 10_000.0 * FLATS  # 10,000 ... 70,000


def train(epochs: int = EPOCHS, unit: float = 1.0, seed: int = 0) -> dict[str, Any]:
    """Fit one Dense unit to the prices divided by `unit`; the prediction is scaled back."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.layers.Dense(units=1, input_shape=[1])])
    model.compile(optimizer="sgd", loss="mean_squared_error")
    history = model.fit(FLATS, PRICES / unit, epochs=epochs, verbose=0)
    kernel, bias_array = model.get_weights()
    weight, bias = float(kernel[0, 0]), float(bias_array[0])
    output = float(model.predict(np.array([10.0]), verbose=0)[0, 0])
    return {
        "model": model,
        "history": history,
        "unit": unit,
        "weight": weight,
        "bias": bias,
        "prediction": output * unit,  # a price again
        "by_hand": (10.0 * weight + bias) * unit,  # input * weight + bias, with plain floats
    }


def neuron_graph(weight: float, bias: float, x: float = 10.0) -> dict[str, Tensor]:
    """The same neuron as an explicit graph, `theta0 + theta1 * x`, after backward."""
    theta1 = Tensor(np.array(weight), requires_grad=True, name="theta1 (weight)")
    theta0 = Tensor(np.array(bias), requires_grad=True, name="theta0 (bias)")
    flats = Tensor(np.array(x), name="x (flats)")
    product = theta1 * flats
    price = theta0 + product
    price.name = "price"
    product.retain_grad()  # a Tensor keeps .grad on leaves only unless asked
    price.retain_grad()
    price.backward()
    return {"price": price, "theta1": theta1, "theta0": theta0, "x": flats}


def _report(result: dict[str, Any], what: str) -> None:
    losses = result["history"].history["loss"]
    unit = result["unit"]
    scale = "" if unit == 1 else f" * {unit:,.0f}"
    print(f"{what}: loss {losses[0]:,.4g} -> {losses[-1]:,.4g} after {len(losses)} epochs")
    print(f"  learned weight {result['weight']:,.6g} and bias {result['bias']:,.6g}")
    print(f"  predicted price for 10 flats: {result['prediction']:,.0f}")
    print(
        f"  input * weight + bias = (10 * {result['weight']:,.6g} + {result['bias']:,.6g}){scale}"
        f" = {result['by_hand']:,.0f}"
    )


def main(epochs: int = EPOCHS, out_dir: Path | None = OUT) -> dict[str, Any]:
    raw = train(epochs)
    _report(raw, "raw prices (the tutorial as written)")
    scaled = train(epochs, unit=10_000.0)
    _report(scaled, "prices in units of 10,000")
    result: dict[str, Any] = {"raw": raw, "scaled": scaled}
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        nodes = neuron_graph(raw["weight"], raw["bias"])
        result["files"] = [save_graph(nodes["price"], out_dir / "house_neuron.svg")]
        print(f"wrote {result['files'][0]} (d price / d theta1 = x = 10, d price / d theta0 = 1)")
    return result


if __name__ == "__main__":
    main()
