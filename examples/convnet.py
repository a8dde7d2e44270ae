"""A small convnet tells strokes apart in 12x12 images it draws itself.

    model = keras.Sequential([
        keras.layers.Input((12, 12, 1)),
        keras.layers.Conv2D(8, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(16, 3, activation="relu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(4),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])

The four classes are a horizontal bar, a vertical bar, a diagonal (either way) and a plus,
each at a random place, length, thickness and brightness, on Gaussian noise (`make_strokes`,
seeded). Trained on 600 images for 12 epochs (under a second), the model classifies at least 95%
of 300 held-out images correctly (0.997 with the default seeds).

The script prints `summary()` and the held-out accuracy, and writes into out/: the graph of
one training step's loss on two images (convnet_graph.svg: each conv and pool layer a frame,
the im2col windows, reshape and matmul inside), the layer diagram (convnet_model.svg) and
the README's picture of one Conv2D and one MaxPooling2D on a 5x5 image (conv_pool.svg).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

import nn as keras
from autograd import Tensor, save_graph

OUT = Path("out")
SIZE = 12
CLASSES = ("horizontal", "vertical", "diagonal", "plus")


def _stroke(rng: np.random.Generator, kind: str) -> np.ndarray:
    """One clean image (SIZE, SIZE) of brightness 0..1 with a stroke of `kind`."""
    image = np.zeros((SIZE, SIZE))
    length = int(rng.integers(6, SIZE + 1))
    width = int(rng.integers(1, 3))
    brightness = rng.uniform(0.6, 1.0)
    top, left = (int(rng.integers(0, SIZE - n + 1)) for n in (length, length))
    # a bar anywhere across the square; a plus's two bars cross in its middle
    across = (length - width) // 2 if kind == "plus" else int(rng.integers(0, length - width + 1))
    if kind in ("horizontal", "plus"):
        image[top + across : top + across + width, left : left + length] = brightness
    if kind in ("vertical", "plus"):
        image[top : top + length, left + across : left + across + width] = brightness
    if kind == "diagonal":
        steps = np.arange(length)
        cols = left + (steps if rng.random() < 0.5 else steps[::-1])  # "\" or "/"
        for w in range(width):
            image[np.clip(top + steps + w, 0, SIZE - 1), cols] = brightness
    return image


def make_strokes(n: int, noise: float = 0.15, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n` images (float32, shape (n, 12, 12, 1)) and their class ids 0..3 (int64, balanced).

    >>> x, y = make_strokes(8, seed=1)
    >>> x.shape, x.dtype, sorted(np.bincount(y).tolist())
    ((8, 12, 12, 1), dtype('float32'), [2, 2, 2, 2])
    """
    if n < 1:
        raise ValueError(f"make_strokes expects n >= 1, received {n}")
    if noise < 0:
        raise ValueError(f"make_strokes expects noise >= 0, received {noise}")
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % len(CLASSES))
    images = np.stack([_stroke(rng, CLASSES[label]) for label in labels])
    images += rng.normal(scale=noise, size=images.shape)
    return images[..., None].astype(np.float32), labels.astype(np.int64)


def build_model() -> keras.Sequential:
    keras.models.clear_session()  # the same layer names however often it is built
    return keras.Sequential([
        keras.layers.Input((SIZE, SIZE, 1)),
        keras.layers.Conv2D(8, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(16, 3, activation="relu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(len(CLASSES)),
    ])


def train(
    n_train: int = 600, n_test: int = 300, epochs: int = 12, seed: int = 0
) -> dict[str, Any]:
    """Train on `n_train` images; return the model, its History and the held-out accuracy."""
    x_train, y_train = make_strokes(n_train, seed=seed)
    x_test, y_test = make_strokes(n_test, seed=seed + 1)  # another seed: unseen images
    keras.utils.set_random_seed(seed)
    model = build_model()
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    started = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0)
    seconds = time.perf_counter() - started
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    return {"model": model, "history": history, "test_loss": loss, "accuracy": accuracy,
            "seconds": seconds, "x_test": x_test, "y_test": y_test}


def save_pictures(
    model: keras.Sequential, x: np.ndarray, y: np.ndarray, out_dir: Path = OUT
) -> list[Path]:
    """The graph of one step's loss on the images `x` (after backward) and the layer diagram."""
    out_dir.mkdir(parents=True, exist_ok=True)
    # requires_grad: the first layer's windows are recorded too, and the pixels get a gradient
    images = Tensor(x, requires_grad=True, name="images")
    loss = model.loss(y, model(images, training=True))
    loss.name = "loss"
    loss.backward()
    files = [save_graph(loss, out_dir / "convnet_graph.svg", rankdir="TB")]
    model_file = out_dir / "convnet_model.svg"
    keras.utils.plot_model(model, to_file=str(model_file), show_shapes=True)
    return files + [model_file]


def conv_pool_graph(out_dir: Path = OUT) -> Path:
    """The README's picture: a Conv2D(2, 2) and a MaxPooling2D on one 5x5 image, after the
    backward of their sum: windows (im2col), reshape, one affine, then the pool's max."""
    out_dir.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(0)
    keras.models.clear_session()
    ramp = np.linspace(0.0, 1.0, 25, dtype=np.float32).reshape(1, 5, 5, 1)
    image = Tensor(ramp, requires_grad=True, name="image")
    loss = keras.layers.MaxPooling2D()(keras.layers.Conv2D(2, 2)(image)).sum()
    loss.name = "loss"
    loss.backward()
    return save_graph(loss, out_dir / "conv_pool.svg")


def main(
    n_train: int = 600, n_test: int = 300, epochs: int = 12, out_dir: Path | None = OUT
) -> dict[str, Any]:
    result = train(n_train, n_test, epochs)
    result["model"].summary()
    losses = result["history"].history["loss"]
    print(f"{epochs} epochs on {n_train} images in {result['seconds']:.1f} s: "
          f"loss {losses[0]:.4f} -> {losses[-1]:.4f}")
    print(f"held-out accuracy on {n_test} new images: {result['accuracy']:.3f}")
    if out_dir is not None:
        two = slice(0, 2)  # two images keep the graph small enough to read
        result["files"] = save_pictures(
            result["model"], result["x_test"][two], result["y_test"][two], out_dir
        ) + [conv_pool_graph(out_dir)]
        for path in result["files"]:
            print(f"wrote {path}")
    return result


if __name__ == "__main__":
    main()
