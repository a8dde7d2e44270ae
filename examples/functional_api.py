"""The functional API: a two-input model with a shared layer and merge layers.

Given two points of the half-moons, is it the same moon? Both points go through ONE encoder
(a shared Dense layer: the same weights for both), and the head sees the two codes side by
side and their product:

    left, right = keras.Input(shape=(2,), name="left"), keras.Input(shape=(2,), name="right")
    encoder = keras.layers.Dense(16, activation="tanh", name="encoder")
    a, b = encoder(left), encoder(right)
    joined = keras.layers.concatenate([a, b, keras.layers.multiply([a, b])])
    hidden = keras.layers.Dense(16, activation="relu")(joined)
    same = keras.layers.Dense(1, activation="sigmoid", name="same")(hidden)
    model = keras.Model([left, right], same)
    model.fit([x_left, x_right], y, ...)

The script prints `summary()` (with Keras' "Connected to" column), trains, checks that the
config rebuilds the same model (bit-identical predictions once the weights are copied), and
writes the graph to out/functional_api.svg with `plot_model`.

Run it: `python examples/functional_api.py`
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import nn as keras
from moons import make_moons

OUT = Path("out")
EPOCHS = 40


def pairs(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`n` random pairs of moon points and 1.0 where both are on the same moon."""
    points, labels = make_moons(400, noise=0.1, seed=seed)
    rng = np.random.default_rng(seed)
    i, j = rng.integers(0, len(points), size=(2, n))
    return points[i], points[j], (labels[i] == labels[j]).astype(np.float64)


def build_model() -> keras.Model:
    keras.models.clear_session()
    left = keras.Input(shape=(2,), name="left")
    right = keras.Input(shape=(2,), name="right")
    # shared: both inputs go through the same weights
    encoder = keras.layers.Dense(16, activation="tanh", name="encoder")
    a, b = encoder(left), encoder(right)
    joined = keras.layers.concatenate([a, b, keras.layers.multiply([a, b])])
    hidden = keras.layers.Dense(16, activation="relu")(joined)
    same = keras.layers.Dense(1, activation="sigmoid", name="same")(hidden)
    return keras.Model([left, right], same, name="same_moon")


def main(epochs: int = EPOCHS, out_dir: Path | None = OUT) -> dict[str, Any]:
    keras.utils.set_random_seed(0)
    model = build_model()
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    print("\n".join(lines))
    x_left, x_right, y = pairs(512)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["acc"])
    history = model.fit({"left": x_left, "right": x_right}, y, epochs=epochs, batch_size=64,
                        validation_split=0.25, verbose=0)
    t_left, t_right, t_y = pairs(256, seed=1)
    _, acc = model.evaluate([t_left, t_right], t_y, verbose=0)
    print(f"after {epochs} epochs: loss {history.history['loss'][-1]:.3f}, "
          f"held-out accuracy {acc:.1%} (chance: {max(t_y.mean(), 1 - t_y.mean()):.1%})")

    copy = keras.Model.from_config(model.get_config())
    copy.set_weights(model.get_weights())
    same = np.array_equal(copy.predict([t_left, t_right], verbose=0),
                          model.predict([t_left, t_right], verbose=0))
    print(f"rebuilt from get_config(): {len(copy.layers)} layers, identical predictions: {same}")
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        keras.utils.plot_model(model, to_file=str(out_dir / "functional_api.svg"))
        print(f"wrote {out_dir / 'functional_api.svg'} (keras.utils.plot_model)")
    return {"model": model, "summary": lines, "history": history, "accuracy": acc,
            "identical": same}


if __name__ == "__main__":
    main()
