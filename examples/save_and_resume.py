"""Save a model mid-training with `model.save("m.keras")`, load it, and carry on.

A `.keras` file holds the architecture, the weights, the compile settings and the optimizer's
state (Adam's moments and step count), so training resumes exactly where it stopped:

    model.fit(x, y, epochs=10)
    model.save("out/moons.keras")
    model = keras.models.load_model("out/moons.keras")
    model.fit(x, y, epochs=10)   # the same weights as one fit of 20 epochs, bit for bit

The script trains a small classifier on the half-moons both ways and compares the weights;
then it loads the file once more with compile=False (for prediction only).

Run it: `python examples/save_and_resume.py`
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import nn as keras
from moons import make_moons

OUT = Path("out")
EPOCHS = 10


def build_model() -> keras.Sequential:
    model = keras.Sequential([
        keras.layers.Dense(16, activation="relu", input_shape=(2,)),
        keras.layers.Dropout(0.2, seed=1),
        keras.layers.Dense(1, activation="sigmoid"),
    ], name="moons")
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="binary_crossentropy",
                  metrics=["acc"])
    return model


def main(epochs: int = EPOCHS, out_dir: Path = OUT) -> dict[str, Any]:
    x, y = make_moons(256, noise=0.15, seed=0)
    keras.utils.set_random_seed(0)
    straight = build_model()
    straight.fit(x, y, epochs=2 * epochs, batch_size=32, verbose=0)

    keras.utils.set_random_seed(0)
    model = build_model()
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "moons.keras"
    model.save(str(path))
    resumed = keras.models.load_model(path)
    history = resumed.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    identical = all(
        np.array_equal(a, b) for a, b in zip(resumed.get_weights(), straight.get_weights())
    )
    print(f"saved {path} ({path.stat().st_size:,} bytes) after {epochs} epochs; resumed for "
          f"{epochs} more: accuracy {history.history['acc'][-1]:.1%}")
    print(f"weights identical to one uninterrupted fit of {2 * epochs} epochs: {identical}")

    frozen = keras.models.load_model(path, compile=False)  # for prediction only
    same = np.array_equal(frozen.predict(x, verbose=0), model.predict(x, verbose=0))
    print(f"loaded without compiling: compiled={frozen.compiled}, same predictions: {same}")
    return {"identical": identical, "same_predictions": same, "path": path,
            "accuracy": history.history["acc"][-1]}


if __name__ == "__main__":
    main()
