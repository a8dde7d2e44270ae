"""Faster numpy for the shapes a small network runs on: cached constants, BLAS reductions.

numpy 2 runs `maximum(a, b)` and `a > b` through SIMD loops when both operands are arrays,
but not when one is a scalar (a 64x128 float32 relu: 1.4 us against 4.4 us for
`np.maximum(a, 0)`; a 512x1024 one: 63 against 200 us), and a column sum is faster as
`ones @ g` in BLAS than as `np.add.reduce(g, axis=0)` (64x128: 1.5 against 3.1 us). The
constants are read-only and kept per shape and dtype: a training loop asks for the same few.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

_CACHE_LIMIT = 256  # distinct constants; past it the cache starts over
_CACHE: dict[tuple[Any, ...], np.ndarray] = {}


def _constant(key: tuple[Any, ...], make: Callable[[], np.ndarray]) -> np.ndarray:
    """The read-only array `make()` builds, once per `key`."""
    array = _CACHE.get(key)
    if array is None:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        array = _CACHE[key] = make()
        array.flags.writeable = False
    return array


def zeros_like(a: np.ndarray) -> np.ndarray:
    """A read-only array of zeros with `a`'s shape and dtype, shared between calls.

    >>> z = zeros_like(np.ones((2, 3), np.float32))
    >>> z.shape, z.dtype, z.flags.writeable, z is zeros_like(np.ones((2, 3), np.float32))
    ((2, 3), dtype('float32'), False, True)
    """
    shape, dtype = a.shape, a.dtype
    return _constant(("zeros", shape, dtype), lambda: np.zeros(shape, dtype))


def ones(n: int, dtype: Any) -> np.ndarray:
    """A read-only vector of `n` ones of `dtype`, shared between calls.

    >>> ones(3, np.float64)
    array([1., 1., 1.])
    """
    return _constant(("ones", n, dtype), lambda: np.ones(n, dtype))


def row_starts(rows: int, width: int) -> np.ndarray:
    """Where each row starts in a flattened (rows, width) array: `arange(rows) * width`,
    read-only and shared between calls.

    >>> row_starts(3, 10)
    array([ 0, 10, 20])
    """
    return _constant(("starts", rows, width), lambda: np.arange(rows) * width)


def relu(a: np.ndarray) -> np.ndarray:
    """`np.maximum(a, 0)` through the two-array loop; NaN stays NaN.

    >>> relu(np.array([-1.0, 0.5, np.nan]))
    array([0. , 0.5, nan])
    """
    return np.maximum(a, zeros_like(a))


def positive(a: np.ndarray) -> np.ndarray:
    """`a > 0` as an array of `a`'s dtype (1 or 0): relu's gradient mask, ready to multiply
    without numpy's slow mixed bool-float loop.

    >>> positive(np.array([-1.0, 0.0, 2.0], np.float32))
    array([0., 0., 1.], dtype=float32)
    """
    return np.greater(a, zeros_like(a)).astype(a.dtype)


def row_max(a: np.ndarray) -> np.ndarray:
    """The largest entry of each row of a matrix, as a column (`a.max(axis=1, keepdims=True)`).

    numpy reduces a row of a few entries element by element but many rows at once with SIMD:
    for short rows (logits over a few classes) the transpose's column reduce is faster
    (64x10 float32: 1.7 against 4.1 us; 512x10: 3.5 against 26 us).

    >>> row_max(np.array([[1.0, 3.0], [-2.0, -5.0]]))
    array([[ 3.],
           [-2.]])
    """
    if a.ndim == 2 and a.shape[1] <= 32 and a.shape[0] >= 8:
        return np.maximum.reduce(a.T.copy(), axis=0)[:, None]  # type: ignore[no-any-return]
    return np.maximum.reduce(a, axis=-1, keepdims=True)  # type: ignore[no-any-return]


def row_sums(a: np.ndarray) -> np.ndarray:
    """The sum of each row of a matrix, as a column (`a.sum(axis=1, keepdims=True)`); for
    floats as one BLAS call.

    >>> row_sums(np.array([[1.0, 3.0], [-2.0, -5.0]]))
    array([[ 4.],
           [-7.]])
    """
    if a.ndim != 2 or a.dtype.kind != "f":
        return np.add.reduce(a, axis=-1, keepdims=True)  # type: ignore[no-any-return]
    return (a @ ones(a.shape[1], a.dtype))[:, None]  # type: ignore[no-any-return]


def column_sums(g: np.ndarray) -> np.ndarray:
    """`g.sum(axis=0)`; for a matrix of floats (a bias's gradient over a batch of rows) as
    one BLAS call.

    >>> column_sums(np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([4., 6.])
    """
    if g.ndim != 2 or g.dtype.kind != "f":  # BLAS: matrices of floats
        return np.add.reduce(g, axis=0)  # type: ignore[no-any-return]
    return ones(g.shape[0], g.dtype) @ g  # type: ignore[no-any-return]


def ids_below(ids: np.ndarray, bound: int) -> bool:
    """True when every integer in `ids` lies in [0, bound): one pass, since as unsigned a
    negative id is huge (the ufunc's reduce: no wrapper, no mask).

    >>> ids_below(np.array([0, 2, 1]), 3), ids_below(np.array([0, -1]), 3), ids_below(np.array([3]), 3)
    (True, False, False)
    """
    assert ids.dtype.kind in "iu", f"ids_below expects integers, received dtype {ids.dtype}"
    if not ids.size:
        return True
    unsigned = ids.astype(np.int64, copy=False).view(np.uint64)
    return bool(np.maximum.reduce(unsigned, axis=None) < bound)


class Slices:
    """A gradient known slice by slice along axis 0: what `unstack`'s parts hand back.

    The engine adds gradients with `+`; adding two `Slices` merges their slices (no array of
    the full shape is made), so the T parts of an unstacked sequence cost T small arrays, and
    unstack's backward stacks them once (`dense`). With anything else a `Slices` acts as the
    dense array it stands for (numpy's ufuncs included, through `__array_ufunc__`).

    >>> f64 = np.dtype(np.float64)
    >>> g = Slices({0: np.ones(2)}, (3, 2), f64) + Slices({2: np.ones(2)}, (3, 2), f64)
    >>> sorted(g.parts), g.dense().tolist()
    ([0, 2], [[1.0, 1.0], [0.0, 0.0], [1.0, 1.0]])
    >>> (np.ones((3, 2)) + g).tolist()
    [[2.0, 2.0], [1.0, 1.0], [2.0, 2.0]]
    """

    __slots__ = ("parts", "shape", "dtype")

    def __init__(self, parts: dict[int, Any], shape: tuple[int, ...], dtype: np.dtype) -> None:
        self.parts, self.shape, self.dtype = parts, shape, dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def dense(self, out: np.ndarray | None = None) -> np.ndarray:
        """The full array: zeros where no slice was given (written into `out` if given, which
        must be zeros of the right shape, e.g. a moved-axis view of a fresh array)."""
        if out is None:
            out = np.zeros(self.shape, self.dtype)
        for i, part in self.parts.items():
            out[i] = part
        return out

    def __add__(self, other: Any) -> Any:
        if isinstance(other, Slices):
            merged = dict(self.parts)
            for i, part in other.parts.items():
                held = merged.get(i)
                merged[i] = part if held is None else held + part
            return Slices(merged, self.shape, self.dtype)
        return self.dense() + other

    __radd__ = __add__

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        dense = self.dense()
        return dense if dtype is None else dense.astype(dtype)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        dense = [x.dense() if isinstance(x, Slices) else x for x in inputs]
        return getattr(ufunc, method)(*dense, **kwargs)

    def __repr__(self) -> str:
        return f"Slices(parts {sorted(self.parts)} of shape {self.shape})"


def reduce_kept(
    ufunc: np.ufunc, a: np.ndarray, axes: tuple[int, ...], dtype: Any = None
) -> np.ndarray:
    """`ufunc.reduce(a, axis=axes, keepdims=True)`; when the reduced axes hold few elements
    (a pooling window), a loop of two-array ufunc calls over their index combinations:
    numpy's reduce over short strided axes runs an inner loop per window (a 2x2 max-pool of
    a 32x24x24x6 batch: 0.2 ms this way against 1.5 ms for the max and the tie count).

    >>> a = np.arange(24.0).reshape(2, 3, 4)
    >>> np.array_equal(reduce_kept(np.maximum, a, (1,)), a.max(axis=1, keepdims=True))
    True
    >>> reduce_kept(np.add, a > 5, (0, 2), dtype=np.float32).ravel().tolist()
    [4.0, 6.0, 8.0]
    """
    sizes = [a.shape[i] for i in axes]
    if not axes or len(axes) == a.ndim or math.prod(sizes) > 16:
        return ufunc.reduce(a, axis=axes, keepdims=True, dtype=dtype)
    out = None
    key: list[Any] = [slice(None)] * a.ndim
    for index in itertools.product(*(range(n) for n in sizes)):
        for axis, i in zip(axes, index):
            key[axis] = slice(i, i + 1)
        part = a[tuple(key)]
        if out is None:
            out = part.astype(dtype or a.dtype)  # a copy: the loop writes into it
        else:
            ufunc(out, part, out=out)
    assert out is not None
    return out
