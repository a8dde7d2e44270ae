"""Two interleaving half-moons: a small 2-D data set no straight line separates.

The same idea as scikit-learn's `make_moons`, written with numpy so the examples need
nothing else: class 0 is the upper half circle around (0, 0), class 1 the lower half circle
around (1, 0.5), and Gaussian noise blurs both.

>>> X, y = make_moons(200, noise=0.2, seed=0)
>>> X.shape, y.shape, int(y.sum())
((200, 2), (200,), 100)
"""

from __future__ import annotations

import numpy as np


def make_moons(n_samples: int = 200, noise: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n_samples` points (float64, shape (n, 2)) and their 0/1 labels (float64, shape (n,))."""
    if n_samples < 2:
        raise ValueError(f"make_moons expects n_samples >= 2, received {n_samples}")
    if noise < 0:
        raise ValueError(f"make_moons expects noise >= 0, received {noise}")
    rng = np.random.default_rng(seed)
    n0 = n_samples // 2
    n1 = n_samples - n0
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    X = np.concatenate([upper, lower]) + rng.normal(scale=noise, size=(n_samples, 2))
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    order = rng.permutation(n_samples)  # mixed classes, as a real data set would come
    return X[order], y[order]
