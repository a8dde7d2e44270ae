"""An LSTM forecasts the next value of a noisy sine wave from the 20 values before it.

    model = keras.Sequential([
        keras.layers.Input((20, 1)),
        keras.layers.LSTM(16),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")

Each window is cut from its own sine, `sin(omega * t + phase)` with a random angular
frequency (0.2 to 0.8 radians per step) and phase, plus Gaussian noise of 0.05
(`make_windows`, seeded). The target is the next noisy value. The naive forecast "the next
value is the last one" is off by the step the sine takes; the LSTM reads the wave's
frequency and phase from the window. Trained on 800 windows for 15 epochs (about 1 s), its
held-out MSE is under a tenth of the naive one (0.0068 vs 0.131 with the default seeds; the
noise of the target alone costs 0.0025).

The script prints `summary()` and both MSEs, and writes into out/: the loss curve
(forecast_loss.svg; also forecast_loss.png from `History.plot()` when matplotlib is
installed) and the graph of one 5-step sequence's loss through the trained LSTM
(forecast_graph.svg: the LSTM a frame around its input projection, the unstack along time,
and per step one `lstm_cell` node: `h @ recurrent_kernel` and the gates).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

import nn as keras
from autograd import Tensor, save_graph
from pictures import line_chart_svg

OUT = Path("out")
STEPS = 20
NOISE = 0.05


def make_windows(
    n: int, steps: int = STEPS, noise: float = NOISE, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """`n` windows of `steps` noisy sine values (float32, (n, steps, 1)) and the value that
    follows each (float32, (n, 1)).

    >>> x, y = make_windows(3, steps=4, noise=0.0)
    >>> x.shape, y.shape
    ((3, 4, 1), (3, 1))
    """
    if n < 1 or steps < 1:
        raise ValueError(
            f"make_windows expects n >= 1 and steps >= 1, received n={n}, steps={steps}"
        )
    if noise < 0:
        raise ValueError(f"make_windows expects noise >= 0, received {noise}")
    rng = np.random.default_rng(seed)
    omega = rng.uniform(0.2, 0.8, size=(n, 1))
    phase = rng.uniform(0.0, 2 * np.pi, size=(n, 1))
    wave = np.sin(omega * np.arange(steps + 1) + phase)
    wave += rng.normal(scale=noise, size=wave.shape)
    return wave[:, :steps, None].astype(np.float32), wave[:, steps:].astype(np.float32)


def naive_mse(x: np.ndarray, y: np.ndarray) -> float:
    """The mean squared error of repeating each window's last value.

    >>> naive_mse(np.array([[[1.0], [2.0]]]), np.array([[4.0]]))
    4.0
    """
    return float(np.mean((x[:, -1, :] - y) ** 2))


def build_model(steps: int = STEPS) -> keras.Sequential:
    keras.models.clear_session()  # the same layer names however often it is built
    return keras.Sequential([
        keras.layers.Input((steps, 1)),
        keras.layers.LSTM(16),
        keras.layers.Dense(1),
    ])


def train(
    n_train: int = 800, n_test: int = 300, epochs: int = 15, seed: int = 0
) -> dict[str, Any]:
    """Train on `n_train` windows; return the model, its History and both held-out MSEs."""
    x_train, y_train = make_windows(n_train, seed=seed)
    x_test, y_test = make_windows(n_test, seed=seed + 1)  # other sines: unseen waves
    keras.utils.set_random_seed(seed)
    model = build_model()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    started = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0,
                        validation_data=(x_test, y_test))
    seconds = time.perf_counter() - started
    return {"model": model, "history": history, "mse": model.evaluate(x_test, y_test, verbose=0),
            "naive_mse": naive_mse(x_test, y_test), "seconds": seconds,
            "x_test": x_test, "y_test": y_test}


def save_pictures(result: dict[str, Any], out_dir: Path = OUT, steps: int = 5) -> list[Path]:
    """The loss curves, and the graph of one `steps`-long sequence's loss through the
    trained weights (a copy of the model built for that length: an LSTM's weights do not
    depend on it)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    history = result["history"].history
    curves = {"loss": history["loss"], "val_loss": history["val_loss"]}
    files = [line_chart_svg(out_dir / "forecast_loss.svg", curves, "LSTM(16) sine forecast: mse")]
    try:
        import matplotlib

        matplotlib.use("Agg")  # no window: write the file only
    except ImportError:
        print("(for a matplotlib loss plot as well: pip install 'chainrule[plot]')")
    else:
        figure = result["history"].plot()[0].figure  # plot() returns the panels (Axes)
        figure.savefig(out_dir / "forecast_loss.png", dpi=100, bbox_inches="tight")
        files.append(out_dir / "forecast_loss.png")
    short = build_model(steps)
    short.build((None, steps, 1))
    short.set_weights(result["model"].get_weights())
    short.compile(loss="mse")
    sequence = Tensor(result["x_test"][:1, -steps:], name="sequence")
    loss = short.loss(result["y_test"][:1], short(sequence))
    loss.name = "loss"
    loss.backward()
    files.append(save_graph(loss, out_dir / "forecast_graph.svg", rankdir="TB"))
    return files


def main(
    n_train: int = 800, n_test: int = 300, epochs: int = 15, out_dir: Path | None = OUT
) -> dict[str, Any]:
    result = train(n_train, n_test, epochs)
    result["model"].summary()
    losses = result["history"].history["loss"]
    print(f"{epochs} epochs on {n_train} windows in {result['seconds']:.1f} s: "
          f"loss {losses[0]:.4f} -> {losses[-1]:.4f}")
    print(f"held-out mse on {n_test} new waves: LSTM {result['mse']:.4f}, "
          f"repeating the last value {result['naive_mse']:.4f} "
          f"({result['naive_mse'] / result['mse']:.1f}x better)")
    if out_dir is not None:
        result["files"] = save_pictures(result, out_dir)
        for path in result["files"]:
            print(f"wrote {path}")
    return result


if __name__ == "__main__":
    main()
