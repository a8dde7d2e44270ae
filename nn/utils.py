"""Helpers shared by the nn modules, starting with the global random generator."""

from __future__ import annotations

import random

import numpy as np

# ---------------------------------------------------------------------------------------
# Randomness: one global generator, so that one seed fixes every initial weight and shuffle

_RNG: np.random.Generator = np.random.default_rng()


def set_random_seed(seed: int) -> None:
    """Seed our generator (`rng()`), Python's `random` and `np.random`, as Keras does.

    The same seed gives the same initial weights, the same shuffles and so the same history.

    >>> set_random_seed(42)
    >>> a = rng().normal(size=3)
    >>> set_random_seed(42)
    >>> bool((rng().normal(size=3) == a).all())
    True
    """
    global _RNG
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"set_random_seed expects an int, received {seed!r}")
    if not 0 <= seed < 2**32:  # np.random.seed's range
        raise ValueError(f"set_random_seed expects 0 <= seed < 2**32, received {seed}")
    random.seed(int(seed))
    np.random.seed(int(seed))
    _RNG = np.random.default_rng(int(seed))


def rng() -> np.random.Generator:
    """The global generator every initializer, dropout mask and shuffle draws from.

    >>> isinstance(rng(), np.random.Generator)
    True
    """
    return _RNG
