"""Logistic regression written twice: gradients by hand, then by the engine's backward().

The data is the classic four-sample toy set whose label is the first input column:

    X = [[0,1,0], [1,0,0], [1,1,1], [0,1,1]],   y = [0, 1, 1, 0]

The model is `A = sigmoid(X @ W + b)` with loss binary cross-entropy
`L = -mean(y*log(A) + (1-y)*log(1-A))`. Differentiating by hand (with z = X @ W + b):

    dL/dz = (A - y) / N          the sigmoid's derivative A(1-A) cancels the log's 1/A
    dL/dW = X.T @ (A - y) / N    each weight collects its input times the error
    dL/db = mean(A - y)

The second version writes only the forward pass on Tensors (float64) and calls `backward()`;
both runs start from the same weights (`np.random.seed(1)`, `2*random((3,1)) - 1`, bias 0),
take 20 full-batch steps with learning rate 1, and agree to 1e-12.

Run it: `python examples/logistic_regression_from_scratch.py`
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

X = np.array([[0, 1, 0], [1, 0, 0], [1, 1, 1], [0, 1, 1]], dtype=np.float64)
Y = np.array([[0], [1], [1], [0]], dtype=np.float64)
LEARNING_RATE = 1.0
EPOCHS = 20


def initial_weights(seed: int = 1) -> tuple[np.ndarray, float]:
    """The tutorial's start: uniform weights in [-1, 1) and a zero bias."""
    np.random.seed(seed)
    return 2 * np.random.random((3, 1)) - 1, 0.0


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def train_by_hand(epochs: int = EPOCHS, lr: float = LEARNING_RATE) -> dict[str, Any]:
    """Full-batch gradient descent with the gradients derived by hand (numpy only)."""
    W, b = initial_weights()
    n = len(X)
    losses = []
    for _ in range(epochs):
        A = sigmoid(X @ W + b)
        losses.append(float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))))
        dz = A - Y  # dL/dz times N
        dW = X.T @ dz / n
        db = float(np.mean(dz))
        W = W - lr * dW
        b = b - lr * db
    return {"losses": losses, "W": W, "b": float(b)}


def train_with_engine(epochs: int = EPOCHS, lr: float = LEARNING_RATE) -> dict[str, Any]:
    """The same descent, but only the forward pass is written: backward() finds dW and db."""
    w0, b0 = initial_weights()
    W = Tensor(w0, requires_grad=True, name="W")
    b = Tensor(np.array(b0), requires_grad=True, name="b")
    x, y = Tensor(X), Tensor(Y)
    losses = []
    for _ in range(epochs):
        A = (x @ W + b).sigmoid()
        loss = -(y * A.log() + (1 - y) * (1 - A).log()).mean()
        losses.append(loss.item())
        W.grad, b.grad = None, None  # gradients accumulate: clear them before each backward
        loss.backward()
        W.data -= lr * W.grad  # update the leaves in place, outside the graph
        b.data -= lr * b.grad
    return {"losses": losses, "W": W.data.copy(), "b": float(b.data)}


def compare(epochs: int = EPOCHS) -> dict[str, Any]:
    """Both runs and their largest differences in loss, weights and bias."""
    hand, engine = train_by_hand(epochs), train_with_engine(epochs)
    return {
        "hand": hand,
        "engine": engine,
        "loss_diff": max(abs(a - b) for a, b in zip(hand["losses"], engine["losses"])),
        "weight_diff": float(np.max(np.abs(hand["W"] - engine["W"]))),
        "bias_diff": abs(hand["b"] - engine["b"]),
    }


def main(epochs: int = EPOCHS) -> dict[str, Any]:
    result = compare(epochs)
    hand, engine = result["hand"], result["engine"]
    print(f"{'epoch':>5}  {'loss (by hand)':>18}  {'loss (backward)':>18}")
    for i, (a, b) in enumerate(zip(hand["losses"], engine["losses"]), start=1):
        print(f"{i:>5}  {a:>18.15f}  {b:>18.15f}")
    print("weights by hand:   ", np.round(hand["W"].ravel(), 6), f"bias {hand['b']:.6f}")
    print("weights (backward):", np.round(engine["W"].ravel(), 6), f"bias {engine['b']:.6f}")
    worst = max(result["loss_diff"], result["weight_diff"], result["bias_diff"])
    assert worst < 1e-12, f"the two runs differ by {worst}"
    print(f"largest difference between the two runs: {worst:.1e} (< 1e-12)")
    A = sigmoid(X @ engine["W"] + engine["b"])
    print("predictions:", np.round(A.ravel(), 3), "targets:", Y.ravel())
    return result


if __name__ == "__main__":
    main()
