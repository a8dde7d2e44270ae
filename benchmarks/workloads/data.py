"""The benchmarks' data: half-moons for the scalar MLP, digits (or same-shaped noise) for tensors."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np


def moons(n: int = 100, noise: float = 0.1, seed: int = 1) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles (sklearn's make_moons recipe), labels in {-1.0, 1.0}.

    Plain Python floats, not numpy scalars: both scalar engines then do float arithmetic
    (micrograd's demo feeds numpy float64s, which would slow micrograd down for no reason).
    """
    rng = np.random.default_rng(seed)
    outer, inner = n // 2, n - n // 2
    angles_out = np.linspace(0, np.pi, outer)
    angles_in = np.linspace(0, np.pi, inner)
    x = np.concatenate([np.cos(angles_out), 1 - np.cos(angles_in)])
    y = np.concatenate([np.sin(angles_out), 1 - np.sin(angles_in) - 0.5])
    points = np.stack([x, y], axis=1) + rng.normal(scale=noise, size=(n, 2))
    labels = np.concatenate([-np.ones(outer), np.ones(inner)])
    order = rng.permutation(n)
    return points[order].tolist(), labels[order].tolist()


def digits() -> tuple[np.ndarray, np.ndarray, str]:
    """scikit-learn's 8x8 digits scaled to [0, 1] (1797 x 64, float64) with integer labels.

    Read straight from the CSV that scikit-learn ships (what `load_digits` reads), because
    importing `sklearn.datasets` takes seconds. Without scikit-learn, uniform noise of the same
    shape and label range stands in (timings depend on shapes only); the third item says which.
    """
    spec = importlib.util.find_spec("sklearn")  # finds the package without importing it
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "datasets" / "data" / "digits.csv.gz"
        if path.exists():
            table = np.loadtxt(path, delimiter=",")
            return table[:, :-1] / 16.0, table[:, -1].astype(np.int64), "digits"
    rng = np.random.default_rng(0)
    return rng.random((1797, 64)), rng.integers(0, 10, 1797), "noise (scikit-learn missing)"


def batches(
    x: np.ndarray, y: np.ndarray, size: int, count: int, dtype: type, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """`count` minibatches (inputs, labels, one-hot labels), contiguous, fixed in advance.

    Every engine walks the same list, so all start from the same data; slicing and casting
    happen here, outside the timed steps.
    """
    rng = np.random.default_rng(seed)
    out = []
    order = rng.permutation(len(x))
    start = 0
    for _ in range(count):
        if start + size > len(order):
            order, start = rng.permutation(len(x)), 0
        idx = order[start:start + size]
        start += size
        onehot = np.zeros((size, 10), dtype=dtype)
        onehot[np.arange(size), y[idx]] = 1
        out.append((np.ascontiguousarray(x[idx], dtype=dtype), y[idx].copy(), onehot))
    return out


def init_weights(sizes: list[int], dtype: type, seed: int = 0) -> list[np.ndarray]:
    """He-normal weights and zero biases, [W1, b1, W2, b2, ...], the same for every engine."""
    rng = np.random.default_rng(seed)
    params: list[np.ndarray] = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        params.append((rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)).astype(dtype))
        params.append(np.zeros(fan_out, dtype=dtype))
    return params
