"""The 2-3-1 moons network trained by an explicit loop over the engine, next to `fit`.

`fit` hides nothing: each of its steps is the five lines in `train_by_hand` below,

    out = model(Tensor(x_batch), training=True)    # forward: records the graph
    loss = loss_fn(y_batch, out)                   # one more node on top
    optimizer.zero_grad(weights)                   # gradients accumulate: clear them
    loss.backward()                                # the chain rule fills every w.grad
    optimizer.step(weights)                        # w -= learning_rate * w.grad

With the same seed, the loop draws the same initial weights and the same shuffled
mini-batches as `fit` (both take them from `nn.utils.rng()`), so the two runs end with the
same weights and the same per-epoch losses.

Run it: `python examples/custom_training_loop.py`
"""

from __future__ import annotations

from typing import Any

import numpy as np

import nn as keras
from autograd import Tensor
from moons import make_moons
from two_layer_network import build_model

EPOCHS = 100
BATCH_SIZE = 32


def data() -> tuple[np.ndarray, np.ndarray]:
    """The moons as float32 (the model's dtype), targets as a column, as `fit` prepares them."""
    X, y = make_moons(200, noise=0.2, seed=0)
    return X.astype(np.float32), y.reshape(-1, 1).astype(np.float32)


def train_with_fit(epochs: int = EPOCHS, seed: int = 0) -> dict[str, Any]:
    X, y = data()
    keras.utils.set_random_seed(seed)
    model = build_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    history = model.fit(X, y, epochs=epochs, batch_size=BATCH_SIZE, verbose=0)
    return {"losses": history.history["loss"], "weights": model.get_weights()}


def train_by_hand(epochs: int = EPOCHS, seed: int = 0) -> dict[str, Any]:
    X, y = data()
    keras.utils.set_random_seed(seed)
    model = build_model()  # draws the initial weights from the seeded generator
    loss_fn = keras.losses.BinaryCrossentropy()
    optimizer = keras.optimizers.SGD()  # learning rate 0.01, as 'sgd'
    weights = model.trainable_weights
    n = len(X)
    losses = []
    for _ in range(epochs):
        order = keras.utils.rng().permutation(n)  # a new shuffle each epoch, as fit does
        total = 0.0
        for start in range(0, n, BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            out = model(Tensor(X[batch]), training=True)
            loss = loss_fn(y[batch], out)
            optimizer.zero_grad(weights)
            loss.backward()
            optimizer.step(weights)
            total += loss.item() * len(batch)
        losses.append(total / n)  # the epoch's loss: the mean over samples, as fit reports it
    return {"losses": losses, "weights": model.get_weights()}


def compare(epochs: int = EPOCHS) -> dict[str, Any]:
    fit, loop = train_with_fit(epochs), train_by_hand(epochs)
    loss_diff = max(abs(a - b) for a, b in zip(fit["losses"], loop["losses"]))
    weight_diff = max(float(np.max(np.abs(a - b))) for a, b in zip(fit["weights"], loop["weights"]))
    return {"fit": fit, "loop": loop, "loss_diff": loss_diff, "weight_diff": weight_diff}


def main(epochs: int = EPOCHS) -> dict[str, Any]:
    result = compare(epochs)
    fit, loop = result["fit"], result["loop"]
    print(f"{'epoch':>5}  {'loss with fit':>14}  {'loss by hand':>14}")
    for epoch in sorted({1, 2, epochs // 2, epochs}):
        print(f"{epoch:>5}  {fit['losses'][epoch - 1]:>14.8f}  {loop['losses'][epoch - 1]:>14.8f}")
    print(f"largest difference in the per-epoch losses: {result['loss_diff']:.1e}")
    print(f"largest difference in the final weights:    {result['weight_diff']:.1e}")
    assert result["loss_diff"] < 1e-6 and result["weight_diff"] < 1e-6, result
    print("the explicit loop and fit() trained the same network")
    return result


if __name__ == "__main__":
    main()
