"""Weight initializers with Keras' names, defaults and formulas, drawing from `nn.utils.rng()`.

An initializer is called as `init(shape, dtype=np.float32)` and returns a new ndarray.

>>> from nn.utils import set_random_seed
>>> set_random_seed(0)
>>> w = get("glorot_uniform")((3, 2))
>>> w.shape, w.dtype, bool(abs(w).max() <= (6 / (3 + 2)) ** 0.5)
((3, 2), dtype('float32'), True)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nn.registry import Registry
from nn.utils import rng

# the standard deviation of a unit normal truncated to [-2, 2]; dividing by it restores the
# requested variance after truncation (Keras' VarianceScaling constant)
TRUNCATED_STDDEV = 0.87962566103423978


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(f"an initializer expects a shape tuple, received {shape!r}") from None
    if not all(_is_count(d) for d in dims):
        raise ValueError(f"an initializer expects a shape of non-negative ints, received {shape!r}")
    return tuple(int(d) for d in dims)


def _is_count(d: Any) -> bool:
    return isinstance(d, (int, np.integer)) and not isinstance(d, bool) and bool(d >= 0)


def _dtype(dtype: Any) -> np.dtype:
    dtype = np.dtype(np.float32 if dtype is None else dtype)
    if dtype.kind != "f":
        raise TypeError(f"an initializer expects a float dtype, received {dtype}")
    return dtype


def compute_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) as Keras computes them: a Dense kernel is (inputs, units).

    >>> compute_fans((3, 5)), compute_fans((7,)), compute_fans((3, 3, 4, 8))
    ((3, 5), (7, 7), (36, 72))
    """
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = math.prod(shape[:-2])  # convolution kernels: (..., in_depth, out_depth)
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def truncated_normal(
    generator: np.random.Generator, shape: tuple[int, ...], mean: float, stddev: float
) -> np.ndarray:
    """Normal draws, each one outside two standard deviations redrawn (as Keras does).

    >>> values = truncated_normal(np.random.default_rng(0), (1000,), mean=1.0, stddev=0.5)
    >>> bool(abs(values - 1.0).max() <= 1.0), values.shape
    (True, (1000,))
    """
    values = generator.standard_normal(shape)
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = generator.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2.0
    return mean + stddev * values


registry: Registry[Any] = Registry("initializer")


class Initializer:
    """Base class: `__call__(shape, dtype)` returns a fresh array.

    `seed=None` draws from the global generator (`nn.utils.set_random_seed` fixes it); an
    int seed makes this initializer return the same values on every call, as in Keras.
    A custom initializer overrides `sample(shape)`; any callable `fn(shape, dtype)` works too.

    >>> class Arange(Initializer):
    ...     def sample(self, shape):
    ...         return np.arange(np.prod(shape)).reshape(shape)
    >>> Arange()((2, 2))
    array([[0., 1.],
           [2., 3.]], dtype=float32)
    """

    def __init__(self, seed: int | None = None) -> None:
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"{type(self).__name__} expects an int seed or None, received {seed!r}")
        self.seed = seed

    def _generator(self) -> np.random.Generator:
        return rng() if self.seed is None else np.random.default_rng(self.seed)

    def __call__(self, shape: Any, dtype: Any = np.float32) -> np.ndarray:
        shape, dtype = _shape(shape), _dtype(dtype)
        return np.asarray(self.sample(shape), dtype=dtype)

    def sample(self, shape: tuple[int, ...]) -> np.ndarray:
        """Draw the values for a checked `shape` (float64; `__call__` casts to the dtype).

        >>> RandomUniform(0.0, 1.0, seed=0).sample((2,)).dtype
        dtype('float64')
        """
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The initializer's arguments (what `repr` shows), as Keras' `get_config`.

        >>> RandomNormal(stddev=0.1, seed=1).get_config()
        {'mean': 0.0, 'stddev': 0.1, 'seed': 1}
        """
        return {"seed": self.seed}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


registry.base = Initializer


@registry.register("zeros")
class Zeros(Initializer):
    """All zeros.

    >>> Zeros()((2,))
    array([0., 0.], dtype=float32)
    """

    def sample(self, shape: tuple[int, ...]) -> np.ndarray:
        return np.zeros(shape)


@registry.register("ones")
class Ones(Initializer):
    """All ones.

    >>> Ones()((2,), dtype=np.float64)
    array([1., 1.])
    """

    def sample(self, shape: tuple[int, ...]) -> np.ndarray:
        return np.ones(shape)


@registry.register("constant")
class Constant(Initializer):
    """Every element equal to `value`.

    >>> Constant(0.5)((2,))
    array([0.5, 0.5], dtype=float32)
    """

    def __init__(self, value: float = 0.0) -> None:
        super().__init__()
        self.value = float(value)

    def sample(self, shape: tuple[int, ...]) -> np.ndarray:
        return np.full(shape, self.value)

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


@registry.register("random_normal")
class RandomNormal(Initializer):
    """Normal draws with Keras' defaults `mean=0.0, stddev=0.05`.

    >>> RandomNormal(seed=1)((2,)).dtype
    dtype('float32')
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        if stddev < 0:
            raise ValueError(f"RandomNormal expects stddev >= 0, received stddev={stddev}")
        self.mean, self.stddev = float(mean), float(stddev)

    def sample(self, shape: tuple[int, ...]) -> np.ndarray:
        return self._generator().normal(self.mean, self.stddev, size=shape)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


@registry.register("truncated_normal")
class TruncatedNormal(RandomNormal):
    """Normal draws redrawn until within two standard deviations of the mean.

    >>> w = TruncatedNormal(mean=0.0, stddev=1.0, seed=0)((1000,))
    >>> bool(abs(w).max() <= 2.0)
    True
    """

    def sample(self, shape: tuple[int, ...]) -> np.ndarray:
        return truncated_normal(self._generator(), shape, self.mean, self.stddev)


@registry.register("random_uniform", "uniform")  # Keras 3 aliases "uniform" too
class RandomUniform(Initializer):
    """Uniform draws in `[minval, maxval)`, Keras' defaults `-0.05, 0.05`.

    >>> bool(abs(RandomUniform(seed=1)((100,))).max() <= 0.05)
    True
    """

    def __init__(
        self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None
    ) -> None:
        super().__init__(seed)
        if maxval < minval:
            raise ValueError(
                f"RandomUniform expects minval <= maxval, received minval={minval}, maxval={maxval}"
            )
        self.minval, self.maxval = float(minval), float(maxval)

    def sample(self, shape: tuple[int, ...]) -> np.ndarray:
        return self._generator().uniform(self.minval, self.maxval, size=shape)

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


@registry.register("variance_scaling")
class VarianceScaling(Initializer):
    """Draws with variance `scale / n`, `n` being fan_in, fan_out or their mean (`mode`).

    `distribution` is "truncated_normal" (the stddev is corrected for the truncation),
    "untruncated_normal" or "uniform" (limit `sqrt(3 * scale / n)`).

    >>> VarianceScaling(2.0, "fan_in", "uniform").limit((6, 4)) == (3 * 2.0 / 6) ** 0.5
    True
    """

    MODES = ("fan_in", "fan_out", "fan_avg")
    DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
    ) -> None:
        super().__init__(seed)
        if not scale > 0:
            raise ValueError(f"VarianceScaling expects scale > 0, received scale={scale}")
        if mode not in self.MODES:
            raise ValueError(f"VarianceScaling expects mode in {self.MODES}, received {mode!r}")
        distribution = "truncated_normal" if distribution == "normal" else distribution
        if distribution not in self.DISTRIBUTIONS:
            raise ValueError(
                f"VarianceScaling expects distribution in {self.DISTRIBUTIONS}, "
                f"received {distribution!r}"
            )
        self.scale, self.mode, self.distribution = float(scale), mode, distribution

    def variance(self, shape: tuple[int, ...]) -> float:
        """`scale / n`: the variance of the drawn weights.

        >>> VarianceScaling(2.0, "fan_in").variance((8, 4))  # 2 / fan_in
        0.25
        """
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        return self.scale / max(1.0, n)

    def limit(self, shape: tuple[int, ...]) -> float:
        """The bound of the uniform distribution with this variance: `sqrt(3 * variance)`.

        >>> VarianceScaling(1.0, "fan_avg", "uniform").limit((4, 2))  # sqrt(3 / 3)
        1.0
        """
        return math.sqrt(3.0 * self.variance(shape))

    def sample(self, shape: tuple[int, ...]) -> np.ndarray:
        """Draws from `distribution` with variance `variance(shape)`.

        >>> w = VarianceScaling(1.0, "fan_in", "uniform", seed=0).sample((3, 1000))
        >>> bool(abs(w).max() <= 1.0)  # limit sqrt(3 * 1 / 3)
        True
        """
        generator = self._generator()
        if self.distribution == "uniform":
            limit = self.limit(shape)
            return generator.uniform(-limit, limit, size=shape)
        stddev = math.sqrt(self.variance(shape))
        if self.distribution == "untruncated_normal":
            return generator.normal(0.0, stddev, size=shape)
        return truncated_normal(generator, shape, 0.0, stddev / TRUNCATED_STDDEV)

    def get_config(self) -> dict[str, Any]:
        """`scale`, `mode`, `distribution` and `seed`.

        >>> VarianceScaling(2.0, "fan_out", "uniform").get_config()["mode"]
        'fan_out'
        """
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "seed": self.seed,
        }


class _Preset(VarianceScaling):
    """A VarianceScaling whose only argument is the seed."""

    preset: tuple[float, str, str]

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(*self.preset, seed=seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


@registry.register("glorot_uniform")
class GlorotUniform(_Preset):
    """Uniform in `[-limit, limit]`, `limit = sqrt(6 / (fan_in + fan_out))` (Dense's default).

    >>> limit = GlorotUniform().limit((3, 2))  # sqrt(6 / 5)
    >>> round(limit, 4), bool(abs(GlorotUniform(seed=0)((3, 2))).max() <= limit)
    (1.0954, True)
    """

    preset = (1.0, "fan_avg", "uniform")


@registry.register("glorot_normal")
class GlorotNormal(_Preset):
    """Truncated normal with variance `2 / (fan_in + fan_out)`.

    >>> GlorotNormal().variance((3, 5)), GlorotNormal(seed=0)((3, 5)).shape
    (0.25, (3, 5))
    """

    preset = (1.0, "fan_avg", "truncated_normal")


@registry.register("he_uniform")
class HeUniform(_Preset):
    """Uniform in `[-limit, limit]`, `limit = sqrt(6 / fan_in)` (for relu layers).

    >>> HeUniform().limit((6, 4)), bool(abs(HeUniform(seed=0)((6, 4))).max() <= 1.0)
    (1.0, True)
    """

    preset = (2.0, "fan_in", "uniform")


@registry.register("he_normal")
class HeNormal(_Preset):
    """Truncated normal with variance `2 / fan_in` (for relu layers).

    >>> HeNormal().variance((8, 4)), HeNormal(seed=0)((8, 4)).dtype
    (0.25, dtype('float32'))
    """

    preset = (2.0, "fan_in", "truncated_normal")


@registry.register("lecun_uniform")
class LecunUniform(_Preset):
    """Uniform in `[-limit, limit]`, `limit = sqrt(3 / fan_in)`.

    >>> LecunUniform().limit((3, 4)), bool(abs(LecunUniform(seed=0)((3, 4))).max() <= 1.0)
    (1.0, True)
    """

    preset = (1.0, "fan_in", "uniform")


@registry.register("lecun_normal")
class LecunNormal(_Preset):
    """Truncated normal with variance `1 / fan_in` (for selu layers).

    >>> LecunNormal().variance((4, 2)), LecunNormal(seed=0)((4, 2)).shape
    (0.25, (4, 2))
    """

    preset = (1.0, "fan_in", "truncated_normal")


@registry.register("orthogonal", "orthogonal_initializer")
class Orthogonal(Initializer):
    """`gain` times an orthogonal matrix (Keras' OrthogonalInitializer, the recurrent default).

    The QR decomposition of a normal (rows, columns) draw, rows the product of all axes but the
    last, with the signs of R's diagonal moved into Q so that Q is uniformly distributed; a
    wide matrix is drawn transposed and so has orthonormal rows, a tall one orthonormal columns.

    >>> w = Orthogonal(seed=0)((3, 3), dtype=np.float64)
    >>> np.allclose(w.T @ w, np.eye(3))
    True
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        super().__init__(seed)
        self.gain = float(gain)

    def sample(self, shape: tuple[int, ...]) -> np.ndarray:
        if len(shape) < 1:
            raise ValueError(f"Orthogonal expects a shape with an axis, received shape={shape}")
        # a 1-D shape is one row (Keras' formula; Keras itself refuses it): a unit vector
        rows, columns = math.prod(shape[:-1]), shape[-1]
        draws = self._generator().standard_normal((max(rows, columns), min(rows, columns)))
        q, r = np.linalg.qr(draws)
        q *= np.sign(np.diag(r))  # makes the decomposition unique: Q then Haar-distributed
        if rows < columns:
            q = q.T
        return self.gain * q.reshape(shape)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed}


def get(identifier: Any) -> Initializer:
    """An initializer from its name (an instance with Keras' defaults), its serialized
    dict (see `serialize`) or itself.

    >>> get("he_normal")
    HeNormal(seed=None)
    >>> get("HeNormal")
    HeNormal(seed=None)
    """
    return registry.get(identifier)


def serialize(initializer: Any) -> Any:
    """The registered name of an initializer with its class's defaults, else Keras'
    `{"class_name", "config"}` (so a seed or a stddev survives a saved model); `get` takes
    both back. Keras 3 always writes the dict form (keras/src/initializers/__init__.py).

    >>> serialize(GlorotUniform()), serialize(GlorotUniform(seed=3))
    ('glorot_uniform', {'class_name': 'GlorotUniform', 'config': {'seed': 3}})
    >>> get(serialize(RandomNormal(stddev=0.5)))
    RandomNormal(mean=0.0, stddev=0.5, seed=None)
    """
    return registry.serialize(initializer)
