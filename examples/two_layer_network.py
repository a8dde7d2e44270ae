"""A 2-3-1 network (tanh hidden layer, sigmoid output) learns two interleaving half-moons.

    model = keras.Sequential([
        keras.layers.Dense(3, activation="tanh", input_shape=(2,)),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["acc"])
    model.fit(X, y, epochs=900)

The script prints `summary()` and the final accuracy, and writes into out/: the decision
boundary (moons_boundary.png, drawn with numpy alone) and the loss curve (moons_loss.svg;
also moons_loss.png from `History.plot()` when matplotlib is installed).

Keras' default SGD (learning rate 0.01) is slow: after 900 epochs the boundary is still
almost a straight line (about 87% accuracy, what a linear model gets). `learning_rate=0.5`
bends it around the moons (about 97%): `python examples/two_layer_network.py --lr 0.5`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

import nn as keras
from moons import make_moons
from pictures import decision_boundary, line_chart_svg, write_png

OUT = Path("out")
EPOCHS = 900


def build_model() -> keras.Sequential:
    keras.models.clear_session()  # the model is named 'sequential' however often it is built
    return keras.Sequential([
        keras.layers.Dense(3, activation="tanh", input_shape=(2,)),
        keras.layers.Dense(1, activation="sigmoid"),
    ])


def optimizer_for(learning_rate: float | None) -> Any:
    """The string 'sgd' (Keras' defaults) unless a learning rate is given."""
    return "sgd" if learning_rate is None else keras.optimizers.SGD(learning_rate=learning_rate)


def train(epochs: int = EPOCHS, learning_rate: float | None = None, seed: int = 0) -> dict[str, Any]:
    """Train on 200 moon points; return the model, its History, the data and the accuracy."""
    X, y = make_moons(200, noise=0.2, seed=0)
    keras.utils.set_random_seed(seed)  # the same initial weights and shuffles every run
    model = build_model()
    model.compile(optimizer=optimizer_for(learning_rate), loss="binary_crossentropy", metrics=["acc"])
    history = model.fit(X, y, epochs=epochs, verbose=0)
    loss, accuracy = model.evaluate(X, y, verbose=0)
    return {"model": model, "history": history, "X": X, "y": y, "loss": loss, "accuracy": accuracy}


def save_pictures(result: dict[str, Any], out_dir: Path = OUT, prefix: str = "moons") -> list[Path]:
    """The decision boundary (PNG) and the loss curve (SVG, plus PNG with matplotlib)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    model, history = result["model"], result["history"]

    def probability(points: np.ndarray) -> np.ndarray:
        return model.predict(points, batch_size=4096, verbose=0)

    image = decision_boundary(probability, result["X"], result["y"])
    files = [write_png(out_dir / f"{prefix}_boundary.png", image)]
    curves = {"loss": history.history["loss"], "accuracy": history.history["acc"]}
    files.append(line_chart_svg(out_dir / f"{prefix}_loss.svg", curves, "2-3-1 network on two moons"))
    try:
        import matplotlib

        matplotlib.use("Agg")  # no window: write the file only
    except ImportError:
        print("(for a matplotlib loss plot as well: pip install 'chainrule[plot]')")
    else:
        figure = history.plot()[0].figure  # plot() returns the panels (Axes)
        figure.savefig(out_dir / f"{prefix}_loss.png", dpi=100, bbox_inches="tight")
        files.append(out_dir / f"{prefix}_loss.png")
    return files


def main(epochs: int = EPOCHS, learning_rate: float | None = None, out_dir: Path | None = OUT) -> dict[str, Any]:
    result = train(epochs, learning_rate)
    result["model"].summary()
    history = result["history"].history
    optimizer = "sgd (learning rate 0.01)" if learning_rate is None else f"SGD(learning_rate={learning_rate})"
    print(f"{epochs} epochs with {optimizer}: loss {history['loss'][0]:.4f} -> {history['loss'][-1]:.4f}")
    print(f"final accuracy on the 200 points: {result['accuracy']:.3f}")
    if out_dir is not None:
        result["files"] = save_pictures(result, out_dir)
        for path in result["files"]:
            print(f"wrote {path}")
    return result


if __name__ == "__main__":
    lr = float(sys.argv[sys.argv.index("--lr") + 1]) if "--lr" in sys.argv else None
    main(learning_rate=lr)
