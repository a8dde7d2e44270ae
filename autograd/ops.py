"""Every differentiable primitive, declared once, for floats (`Value`) and ndarrays (`Tensor`).

A primitive's `forward` runs on raw data. Its `backward(g, out, *inputs)` returns one gradient
per input and is written with operators and the helpers below (`exp`, `log`, `power`, ...),
which accept raw data *or* nodes: called with raw data it is a plain numpy/math formula,
called with nodes under `backward(create_graph=True)` it records a differentiable graph.
Everything else (`-`, `/`, `sqrt`, `mean`, `softmax`, `maximum`, ...) is a composition of these.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.engine import Function, Node, raw, sum_to_shape

# ---------------------------------------------------------------------------------------
# Helpers that accept raw data or nodes


def exp(x: Any) -> Any:
    if isinstance(x, Node):
        return Exp.apply(x)
    if type(x) is float:
        try:
            return math.exp(x)
        except OverflowError:  # numpy's answer, without numpy's cost on a float
            return math.inf
    return np.exp(x)


def log(x: Any) -> Any:
    if isinstance(x, Node):
        return Log.apply(x)
    if type(x) is float:
        if x > 0.0:
            return math.log(x)
        if x == 0.0:
            return -math.inf
        raise ValueError(f"log expects a positive input, received {x!r}")
    return np.log(x)


def _is_integer(p: Any) -> bool:
    return bool(np.all(np.mod(p, 1) == 0))


def power(x: Any, p: Any) -> Any:
    """`x ** p`; raw data, or nodes (a node exponent is `Power`, a constant one `Pow`)."""
    if isinstance(p, Node):
        return Power.apply(x, p)
    if isinstance(x, Node):
        return Pow.apply(x, exponent=p)
    if type(x) is float:
        if x < 0.0 and not float(p).is_integer():
            raise ValueError(
                f"pow: a negative base {x!r} with the non-integer exponent {p!r} has no real value"
            )
        try:
            return x**p
        except ZeroDivisionError:  # 0.0 ** -1: the limit, as numpy gives it
            return math.inf
        except OverflowError:
            return math.inf
    if not _is_integer(p) and np.any(x < 0):
        raise ValueError(
            f"pow: negative base elements (min {float(np.min(x))}) with the non-integer "
            f"exponent {np.asarray(p).tolist()} have no real value"
        )
    with np.errstate(divide="ignore"):
        return np.power(x, p)


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    if isinstance(x, Node):
        return BroadcastTo.apply(x, shape=shape)
    out = np.empty(shape, dtype=x.dtype)  # 3x faster than np.broadcast_to's Python wrapper
    out[...] = x
    return out


def getitem(x: Any, key: Any) -> Any:
    if isinstance(x, Node):
        return Index.apply(x, key=key)
    return x[key]


def scatter(x: Any, key: Any, shape: tuple[int, ...]) -> Any:
    """A zero array of `shape` with `x` added at `key` (repeated indices accumulate)."""
    if isinstance(x, Node):
        return Scatter.apply(x, key=key, shape=shape)
    out = np.zeros(shape, dtype=x.dtype)
    if _is_basic(key):
        out[key] = x  # basic indexing never repeats an element
    else:
        np.add.at(out, key, x)
    return out


def _is_basic(key: Any) -> bool:
    parts = key if isinstance(key, tuple) else (key,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, slice)) for p in parts)


# ---------------------------------------------------------------------------------------
# Elementwise primitives (Value and Tensor)


class Add(Function):
    __slots__ = ()
    name = "+"

    def forward(self, a: Any, b: Any) -> Any:
        return a + b

    def backward(self, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        return g, g


class Mul(Function):
    __slots__ = ()
    name = "*"

    def forward(self, a: Any, b: Any) -> Any:
        return a * b

    def backward(self, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        return g * b, g * a


class Neg(Function):
    __slots__ = ()
    name = "neg"

    def forward(self, a: Any) -> Any:
        return -a

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (-g,)


class Pow(Function):
    """`x ** p` with a constant exponent; a node exponent is `exp(p * log(x))`."""

    __slots__ = ("exponent",)
    name = "**"

    def forward(self, a: Any, exponent: Any) -> Any:
        self.exponent = exponent
        return power(a, exponent)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        p = self.exponent
        return (g * p * power(a, p - 1),)


class Power(Function):
    """`a ** b` with a node exponent. d/db is `out * log(a)`: it needs a positive base."""

    __slots__ = ()
    name = "**"
    wants_needs = True

    def forward(self, a: Any, b: Any) -> Any:
        return power(a, b)

    def backward(self, g: Any, out: Any, a: Any, b: Any, needs: list[bool]) -> tuple[Any, Any]:
        ga = g * b * power(a, b - 1) if needs[0] else None
        gb = None
        if needs[1]:
            if np.any(raw(a) <= 0):
                raise ValueError(
                    "pow: the gradient with respect to the exponent, base ** exponent * "
                    f"log(base), needs a positive base; received base {raw(a)!r}"
                )
            gb = g * out * log(a)
        return ga, gb


class Exp(Function):
    __slots__ = ()

    def forward(self, a: Any) -> Any:
        return exp(a)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g * out,)


class Log(Function):
    __slots__ = ()

    def forward(self, a: Any) -> Any:
        return log(a)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g / a,)


class Tanh(Function):
    __slots__ = ()

    def forward(self, a: Any) -> Any:
        return math.tanh(a) if type(a) is float else np.tanh(a)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g * (1 - out * out),)


class Sigmoid(Function):
    """1 / (1 + e^-x), computed from e^-|x| so that no input overflows."""

    __slots__ = ()

    def forward(self, a: Any) -> Any:
        if type(a) is float:
            if a >= 0.0:
                return 1.0 / (1.0 + math.exp(-a))
            e = math.exp(a)
            return e / (1.0 + e)
        e = np.exp(-np.abs(a))
        return np.where(a >= 0, 1 / (1 + e), e / (1 + e))

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g * out * (1 - out),)


class Relu(Function):
    __slots__ = ()

    def forward(self, a: Any) -> Any:
        if type(a) is float:
            return a if a > 0.0 else 0.0
        return np.maximum(a, 0)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g * (raw(a) > 0),)


class Abs(Function):
    __slots__ = ()

    def forward(self, a: Any) -> Any:
        return abs(a)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        a = raw(a)
        sign = float((a > 0) - (a < 0)) if type(a) is float else np.sign(a)
        return (g * sign,)


class Clip(Function):
    __slots__ = ("lo", "hi")

    def forward(self, a: Any, lo: float | None, hi: float | None) -> Any:
        self.lo, self.hi = lo, hi
        return np.clip(a, lo, hi)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        a = raw(a)
        inside = np.ones(a.shape, dtype=bool)
        if self.lo is not None:
            inside &= a >= self.lo
        if self.hi is not None:
            inside &= a <= self.hi
        return (g * inside,)


class Where(Function):
    """`cond ? a : b` elementwise, with a constant boolean `cond`."""

    __slots__ = ("cond",)

    def forward(self, a: Any, b: Any, cond: Any) -> Any:
        self.cond = cond
        return np.where(cond, a, b)

    def backward(self, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        return g * self.cond, g * ~self.cond


# ---------------------------------------------------------------------------------------
# Linear algebra, reductions and shape (Tensor)


class MatMul(Function):
    __slots__ = ()
    name = "@"
    wants_needs = True

    def forward(self, a: Any, b: Any) -> Any:
        return np.matmul(a, b)

    def backward(self, g: Any, out: Any, a: Any, b: Any, needs: list[bool]) -> tuple[Any, Any]:
        a_vec, b_vec = raw(a).ndim == 1, raw(b).ndim == 1
        if a_vec and b_vec:  # dot product: g is a scalar
            return g * b, g * a
        # Treat vectors as matrices so that one pair of formulas serves every case; the engine
        # then sums any broadcast batch dimensions back to each input's shape.
        a2 = a.reshape(1, -1) if a_vec else a
        b2 = b.reshape(-1, 1) if b_vec else b
        if a_vec:
            g = g.reshape(g.shape[:-1] + (1, g.shape[-1]))
        if b_vec:
            g = g.reshape(g.shape + (1,))
        ga = gb = None
        if needs[0]:
            ga = g @ b2.swapaxes(-1, -2)
            ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:]) if a_vec else ga
        if needs[1]:
            gb = a2.swapaxes(-1, -2) @ g
            gb = gb.reshape(gb.shape[:-1]) if b_vec else gb
        return ga, gb


def _axes(axis: int | tuple[int, ...] | None, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    # a 0-d array takes axis 0 or -1, as in numpy and PyTorch: reducing over it is a no-op
    # (log_softmax(axis=0) of a 0-d tensor needs this in its second derivative)
    bound = max(ndim, 1)
    for ax in axes:
        if not -bound <= ax < bound:
            raise ValueError(f"axis {ax} is out of bounds for an array of dimension {ndim}")
    return () if ndim == 0 else tuple(sorted(ax % ndim for ax in axes))


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Sum(Function):
    __slots__ = ("shape", "kept")

    def forward(self, a: Any, axis: Any = None, keepdims: bool = False) -> Any:
        axes = _axes(axis, a.ndim)
        self.shape, self.kept = a.shape, _kept_shape(a.shape, axes)
        return a.sum(axis=axes, keepdims=keepdims)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (broadcast_to(g.reshape(self.kept), self.shape),)


class Max(Function):
    """Largest element along axes; tied elements share the gradient evenly."""

    __slots__ = ("shape", "kept", "share")

    def forward(self, a: Any, axis: Any = None, keepdims: bool = False) -> Any:
        axes = _axes(axis, a.ndim)
        if a.size == 0:
            raise ValueError(f"max of an empty array of shape {a.shape}")
        top = a.max(axis=axes, keepdims=True)
        hit = a == top
        self.shape, self.kept = a.shape, _kept_shape(a.shape, axes)
        self.share = hit / hit.sum(axis=axes, keepdims=True).astype(a.dtype)
        return top if keepdims else top.reshape([n for i, n in enumerate(a.shape) if i not in axes])

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (broadcast_to(g.reshape(self.kept), self.shape) * self.share,)


class BroadcastTo(Function):
    __slots__ = ("shape",)
    name = "broadcast_to"

    def forward(self, a: Any, shape: tuple[int, ...]) -> Any:
        self.shape = a.shape
        return np.broadcast_to(a, shape)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (sum_to_shape(g, self.shape),)


class Reshape(Function):
    __slots__ = ("shape",)

    def forward(self, a: Any, shape: tuple[int, ...]) -> Any:
        self.shape = a.shape
        return a.reshape(shape)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g.reshape(self.shape),)


class Transpose(Function):
    __slots__ = ("axes",)

    def forward(self, a: Any, axes: tuple[int, ...] | None) -> Any:
        self.axes = axes
        return np.transpose(a, axes)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        inverse = None if self.axes is None else tuple(np.argsort(self.axes))
        return (g.transpose(inverse),)


class Index(Function):
    __slots__ = ("key", "shape")
    name = "getitem"

    def forward(self, a: Any, key: Any) -> Any:
        self.key, self.shape = key, a.shape
        return a[key]

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (scatter(g, self.key, self.shape),)


class Scatter(Function):
    """The adjoint of indexing: needed so that indexing has a second derivative."""

    __slots__ = ("key",)

    def forward(self, a: Any, key: Any, shape: tuple[int, ...]) -> Any:
        self.key = key
        return scatter(a, key, shape)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (getitem(g, self.key),)


class Concatenate(Function):
    __slots__ = ("axis", "bounds")

    def forward(self, *arrays: Any, axis: int = 0) -> Any:
        out = np.concatenate(arrays, axis=axis)
        self.axis = axis % out.ndim
        ends = np.cumsum([x.shape[self.axis] for x in arrays])
        self.bounds = list(zip([0, *ends[:-1]], ends))
        return out

    def backward(self, g: Any, out: Any, *arrays: Any) -> tuple[Any, ...]:
        lead = (slice(None),) * self.axis
        return tuple(getitem(g, lead + (slice(int(s), int(e)),)) for s, e in self.bounds)


class LogSoftmax(Function):
    """x - logsumexp(x), shifted by the max so that no exponent overflows."""

    __slots__ = ("axis",)

    def forward(self, a: Any, axis: int = -1) -> Any:
        self.axis = axis
        shifted = a - a.max(axis=axis, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g - exp(out) * g.sum(axis=self.axis, keepdims=True),)


class SoftmaxCrossEntropy(Function):
    """-log(softmax(logits)[label]) for each row: classification's loss, fused for stability
    and speed (its gradient is simply softmax - one_hot)."""

    __slots__ = ("rows", "labels", "probs")
    name = "softmax_cross_entropy"

    def forward(self, logits: Any, labels: Any) -> Any:
        classes = logits.shape[-1]
        flat = logits.reshape(-1, classes)
        self.rows, self.labels = np.arange(flat.shape[0]), labels.reshape(-1)
        shifted = flat - flat.max(axis=1, keepdims=True)
        exps = np.exp(shifted)
        sums = exps.sum(axis=1, keepdims=True)
        self.probs = exps / sums
        losses = np.log(sums[:, 0]) - shifted[self.rows, self.labels]
        return losses.reshape(logits.shape[:-1])

    def backward(self, g: Any, out: Any, logits: Any) -> tuple[Any]:
        shape = raw(logits).shape
        if isinstance(logits, Node):  # create_graph: softmax as nodes, the one-hot a constant
            one_hot = np.zeros((self.rows.size, shape[-1]), dtype=logits.data.dtype)
            one_hot[self.rows, self.labels] = 1
            probs = exp(LogSoftmax.apply(logits, axis=-1))
            return ((probs - one_hot.reshape(shape)) * g.reshape(g.shape + (1,)),)
        g = g.reshape(-1, 1)
        grad = self.probs * g
        grad[self.rows, self.labels] -= g[:, 0]
        return (grad.reshape(shape),)
