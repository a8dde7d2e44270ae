"""Every public differentiable operation, declared once as data.

The table drives the property tests and the `graphs()` strategy in `autograd.testing`,
which builds random expressions out of these entries. Each entry says where its arguments
are smooth (`Domain`), which node kinds it accepts, and how numpy computes the same thing.

Adding a primitive is one edit: its class in `ops.py`, whose `entries(t)` returns its rows
(built with this module's `unary`, `binary`, `shape_op`, domains and helpers, passed as `t`:
ops.py cannot import this module, which imports it); `declared()` collects them. Rows of
compositions (ops built out of primitives in arithmetic.py, tensor.py, convolution.py) are
listed here. From an entry alone, for each node kind in `kinds` (`cases()`):
- tests/test_op_gradients.py gradchecks it (first derivatives against central differences),
  compares its forward with `reference`, checks float32 stays float32, and fails when a
  primitive of `ops.py` appears in no entry;
- tests/test_higher_order.py gradgradchecks it (second derivatives, the gradient built with
  create_graph=True, against central differences of that gradient), unless the entry says
  why its backward is `once_differentiable`; then the test checks that this is still true;
- `graphs()` composes it with the other entries into random expressions (`composable`).
Kinks and ties are not a reason to skip: the domain (`Domain.avoid`) and `guard` keep the
sampled arguments where the op is smooth, so every entry has a second derivative there.

>>> from autograd.optable import OPS, by_name
>>> exp = by_name("exp")
>>> exp.domains[0].contains(1.0), exp.domains[0].contains(50.0)
(True, False)
>>> len({spec.name for spec in OPS}) == len(OPS)
True
"""

from __future__ import annotations

import functools
import sys
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Literal

import numpy as np

# F401: ops.py's entries call the public functions through this module (`t.where`)
from autograd import ops
from autograd.convolution import (  # noqa: F401
    _padding_widths,
    as_tuple,
    avg_pool,
    conv,
    max_pool,
    pad,
    sliding_windows,
    unstack,
)
from autograd.engine import Function, raw
from autograd.tensor import (  # noqa: F401
    Tensor,
    affine,
    concatenate,
    maximum,
    minimum,
    softmax_cross_entropy,
    stack,
    where,
)

if TYPE_CHECKING:  # hypothesis is a dev dependency: never imported by `import autograd`
    from hypothesis.strategies import SearchStrategy

BOTH = frozenset({"value", "tensor"})
TENSOR = frozenset({"tensor"})


@dataclass(frozen=True)
class Domain:
    """Where an argument is smooth: [lo, hi] minus `gap` around each kink or pole in `avoid`.

    >>> Domain(-3.0, 3.0, avoid=(0.0,)).contains(0.05)
    False
    >>> Domain(0.1, 10.0).contains(np.array([0.5, 2.0]))
    True
    """

    lo: float = -3.0
    hi: float = 3.0
    avoid: tuple[float, ...] = ()
    gap: float = 0.1

    def contains(self, x: Any) -> bool:
        """True when every element of `x` (a float, array or node) lies in the domain.

        >>> Domain(0.0, 1.0).contains(0.5), Domain(0.0, 1.0).contains(np.array([0.5, 2.0]))
        (True, False)
        """
        x = raw(x)
        if type(x) is float:  # the fast path: Value graphs check every node
            return self.lo <= x <= self.hi and all(abs(x - p) >= self.gap for p in self.avoid)
        a = np.asarray(x, dtype=np.float64)
        if not (np.all(a >= self.lo) and np.all(a <= self.hi)):  # NaN fails here too
            return False
        return all(not np.any(np.abs(a - p) < self.gap) for p in self.avoid)

    def elements(self, width: Literal[16, 32, 64] = 64) -> SearchStrategy[float]:
        """A hypothesis strategy of floats in the domain (representable at `width` bits).

        >>> from hypothesis import find
        >>> find(Domain(0.5, 2.0).elements(width=32), lambda x: x > 1.0)  # the simplest
        2.0
        """
        from hypothesis import strategies as st

        lo, hi = self.lo, self.hi
        if width < 64:  # narrow floats need bounds they can represent exactly: round inwards
            kind = {16: np.float16, 32: np.float32}[width]
            lo = float(np.nextafter(kind(lo), kind(np.inf)) if kind(lo) < lo else kind(lo))
            hi = float(np.nextafter(kind(hi), kind(-np.inf)) if kind(hi) > hi else kind(hi))
        floats = st.floats(lo, hi, width=width, allow_nan=False, allow_infinity=False)
        return floats.filter(self.contains) if self.avoid else floats


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity, so specs key caches cheaply
class OpSpec:
    """One differentiable operation as the tests and `graphs()` see it.

    `fn` takes nodes (the same call serves `Value` and `Tensor` where `kinds` has both);
    `reference` computes the same result with numpy on raw data. `elementwise` ops accept
    any mutually broadcastable argument shapes; the others accept the shapes for which
    `reference` succeeds (`fits`), and their tests draw shapes from `shapes()`. `guard`
    is an extra condition on the raw arguments (e.g. no ties for max), and `distinct` asks
    the tests to draw well-separated elements so the guard rarely rejects.

    >>> spec = by_name("log")
    >>> spec.arity, spec.domains[0].lo, spec.format("x")
    (1, 0.05, 'log(x)')
    """

    name: str
    fn: Callable[..., Any]
    arity: int
    domains: tuple[Domain, ...]
    kinds: frozenset[str]
    reference: Callable[..., Any]
    elementwise: bool = True
    shapes: Callable[[], SearchStrategy[tuple[tuple[int, ...], ...]]] | None = None
    distinct: bool = False
    guard: Callable[..., bool] | None = None
    expr: str = ""  # display template, e.g. "{0} + {1}"; default name({0}, {1})
    # drawn by `graphs()`: not the ops that need a (batch, *spatial, channels) input
    composable: bool = True
    # why backward is right to first order only (as PyTorch's `once_differentiable`): its
    # second derivative is then not checked against central differences; '' when it is
    once_differentiable: str = ""

    def __post_init__(self) -> None:
        assert len(self.domains) == self.arity, f"{self.name}: one domain per argument"
        assert self.kinds and self.kinds <= BOTH, f"{self.name}: kinds {set(self.kinds)}"

    def admits(self, *args: Any) -> bool:
        """True when the arguments (nodes or raw data) lie where the op is smooth.

        >>> by_name("log").admits(np.array([1.0, 2.0])), by_name("log").admits(np.array([-1.0]))
        (True, False)
        """
        if not all(d.contains(a) for d, a in zip(self.domains, args)):
            return False
        return self.guard is None or bool(self.guard(*[raw(a) for a in args]))

    @property
    def family(self) -> str:
        """The op without its parameters: 'sum' for 'sum(axis=0)', 'matmul' for 'matmul[1d@1d]'.

        >>> by_name("sum(axis=0)").family, by_name("matmul[1d@1d]").family
        ('sum', 'matmul')
        """
        return self.name.split("(")[0].split("[")[0]

    def fits(self, *shapes: tuple[int, ...]) -> bool:
        """True when the op accepts arguments of these shapes (and gives a non-empty result).

        >>> matmul = by_name("matmul[2d@2d]")
        >>> matmul.fits((2, 3), (3, 4)), matmul.fits((2, 3), (2, 3))
        (True, False)
        """
        return _fits(self, tuple(tuple(s) for s in shapes))

    def format(self, *args: str) -> str:
        """The op applied to argument names, for displaying an expression.

        >>> by_name("mul").format("a", "b"), by_name("exp").format("x")
        ('a * b', 'exp(x)')
        """
        template = self.expr or f"{self.name}({', '.join('{%d}' % i for i in range(self.arity))})"
        return template.format(*args)


@functools.lru_cache(maxsize=8192)
def _fits(spec: OpSpec, shapes: tuple[tuple[int, ...], ...]) -> bool:
    if spec.elementwise:
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            return False
        return True
    try:
        with np.errstate(all="ignore"):
            out = spec.reference(*[np.ones(s) for s in shapes])
    except (ValueError, IndexError, TypeError):
        return False
    return int(np.size(out)) > 0


# ---------------------------------------------------------------------------------------
# Domains

ANY = Domain(-1e3, 1e3)  # linear ops: smooth everywhere, bounded only to keep values moderate
MODERATE = Domain(-10.0, 10.0)
NONZERO = Domain(-10.0, 10.0, avoid=(0.0,), gap=0.2)  # poles of 1/x and 1/x**2
POSITIVE = Domain(0.1, 100.0)
KINK = Domain(-100.0, 100.0, avoid=(0.0,))  # relu, abs


# ---------------------------------------------------------------------------------------
# Fixed "random" constants, derived from the shape so that a replayed fn sees the same ones


def _bits(shape: tuple[int, ...], salt: str) -> np.ndarray:
    seed = zlib.crc32(f"{salt}{tuple(shape)}".encode())
    bits = np.random.default_rng(seed).random(shape) < 0.5
    if bits.size:
        bits.flat[0] = True  # never an empty selection
    return np.asarray(bits)


def mask_for(shape: tuple[int, ...]) -> np.ndarray:
    """The boolean mask the `getitem[mask]` entry indexes with (at least one True).

    >>> mask = mask_for((2, 3))
    >>> mask.shape, mask.dtype, bool(mask.any())
    ((2, 3), dtype('bool'), True)
    """
    return _bits(shape, "mask")


def condition_for(*shapes: tuple[int, ...]) -> np.ndarray:
    """The boolean condition the `where` entry uses for arguments of these shapes.

    >>> condition_for((2, 1), (3,)).shape  # the broadcast shape
    (2, 3)
    """
    return _bits(np.broadcast_shapes(*shapes), "where")


def labels_for(shape: tuple[int, ...]) -> np.ndarray:
    """The class labels the `softmax_cross_entropy` entry uses for logits of `shape`.

    >>> labels = labels_for((4, 3))
    >>> labels.shape, bool(((labels >= 0) & (labels < 3)).all())
    ((4,), True)
    """
    seed = zlib.crc32(f"labels{tuple(shape)}".encode())
    return np.random.default_rng(seed).integers(0, shape[-1], size=shape[:-1])


REPEATS = np.array([0, -1, 0])  # an integer index with a repeat: gradients must accumulate
PARTNERS = np.array([-1, 0, -1])  # with REPEATS: the element (0, -1) is read twice


def rotated(ndim: int) -> tuple[int, ...]:
    return (*range(1, ndim), 0)


def grown(shape: tuple[int, ...]) -> tuple[int, ...]:
    return (2, *(3 if n == 1 else n for n in shape))


def np_log_softmax(a: np.ndarray, axis: int) -> np.ndarray:
    # the textbook formula, unshifted: fine for |a| <= 50 (e**50 is far from overflow)
    return a - np.log(np.exp(a).sum(axis=axis, keepdims=True))


def np_softmax(a: np.ndarray, axis: int) -> np.ndarray:
    return np.exp(a) / np.exp(a).sum(axis=axis, keepdims=True)


def np_cross_entropy(a: np.ndarray) -> np.ndarray:
    picked = np.take_along_axis(np_log_softmax(a, -1), labels_for(a.shape)[..., None], axis=-1)
    return -picked[..., 0]


def reduced_cross_entropy(a: Any, reduction: str) -> Any:
    return softmax_cross_entropy(a, labels_for(a.shape), reduction=reduction)


def np_reduced_cross_entropy(a: np.ndarray, reduction: str) -> Any:
    losses = np_cross_entropy(a)
    return losses.mean() if reduction == "mean" else losses.sum()


def separated(axis: Any, gap: float = 0.05) -> Callable[[np.ndarray], bool]:
    """Guard for max/min: the top two and bottom two along `axis` differ by >= gap."""

    def guard(a: np.ndarray) -> bool:
        a = np.asarray(a)
        if a.ndim == 0:  # a single element has no rival
            return True
        axes = tuple(range(a.ndim)) if axis is None else axis if isinstance(axis, tuple) else (axis,)
        axes = tuple(sorted({ax % max(a.ndim, 1) for ax in axes}))
        rows = np.moveaxis(a, axes, tuple(range(a.ndim - len(axes), a.ndim)))
        rows = np.sort(rows.reshape(rows.shape[: a.ndim - len(axes)] + (-1,)), axis=-1)
        if rows.shape[-1] < 2:
            return True
        return bool(
            np.all(rows[..., -1] - rows[..., -2] >= gap) and np.all(rows[..., 1] - rows[..., 0] >= gap)
        )

    return guard


def apart(a: Any, b: Any, gap: float = 0.05) -> bool:
    return bool(np.all(np.abs(np.asarray(a) - np.asarray(b)) >= gap))


# ---------------------------------------------------------------------------------------
# Argument shapes for the ops that are not elementwise (hypothesis imported lazily)


def matmul_shapes(form: str) -> Callable[[], SearchStrategy[Any]]:
    def strategy() -> SearchStrategy[Any]:
        from hypothesis import strategies as st

        n = st.integers(1, 4)
        if form == "2d@2d":
            return st.tuples(n, n, n).map(lambda t: ((t[0], t[1]), (t[1], t[2])))
        if form == "1d@2d":
            return st.tuples(n, n).map(lambda t: ((t[0],), (t[0], t[1])))
        if form == "2d@1d":
            return st.tuples(n, n).map(lambda t: ((t[0], t[1]), (t[1],)))
        if form == "1d@1d":
            return n.map(lambda k: ((k,), (k,)))
        if form == "3d@2d":
            return st.tuples(n, n, n, n).map(lambda t: ((t[0], t[1], t[2]), (t[2], t[3])))
        assert form == "3d@3d", form  # batch dimensions broadcast: (b, n, k) @ (1, k, m)
        return st.tuples(n, n, n, n, st.booleans()).map(_batched)

    return strategy


def affine_shapes() -> SearchStrategy[Any]:
    """x (rows, k) or (k,) or (batch, rows, k), w (k, m), and a bias that broadcasts against
    the product: (m,), (1, m) or a scalar."""
    from hypothesis import strategies as st

    n = st.integers(1, 4)
    x = st.sampled_from(["2d", "1d", "3d"])
    bias = st.sampled_from(["row", "column", "scalar"])

    def build(t: tuple[int, int, int, str, str]) -> tuple[tuple[int, ...], ...]:
        rows, k, m, form, kind = t
        xs = {"2d": (rows, k), "1d": (k,), "3d": (2, rows, k)}[form]
        b = {"row": (m,), "column": (1, m), "scalar": ()}[kind]
        return xs, (k, m), b

    return st.tuples(n, n, n, x, bias).map(build)


def _batched(t: tuple[int, int, int, int, bool]) -> tuple[tuple[int, ...], ...]:
    b, n, k, m, left = t
    return ((b, n, k), (1, k, m)) if left else ((1, n, k), (b, k, m))


def concat_shapes(axis: int, copies: int) -> Callable[[], SearchStrategy[Any]]:
    def strategy() -> SearchStrategy[Any]:
        from hypothesis import strategies as st
        from hypothesis.extra.numpy import array_shapes

        def pair(t: tuple[tuple[int, ...], int]) -> tuple[tuple[int, ...], ...]:
            shape, k = t
            other = list(shape)
            other[axis] = k
            return (shape, tuple(other))[:copies]

        return st.tuples(array_shapes(min_dims=1, max_dims=3, max_side=4), st.integers(1, 4)).map(pair)

    return strategy


def same_shapes() -> SearchStrategy[Any]:
    from hypothesis.extra.numpy import array_shapes

    return array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4).map(lambda s: (s, s))


# ---------------------------------------------------------------------------------------
# Building entries: what an op's `entries(t)` in ops.py calls (`t` is this module)


def unary(name: str, fn: Callable[..., Any], ref: Callable[..., Any], domain: Domain = MODERATE,
          kinds: frozenset[str] = BOTH, expr: str = "", **kw: Any) -> OpSpec:
    """An entry of one argument (both node kinds unless `kinds` says otherwise).

    >>> unary("exp", lambda a: a.exp(), np.exp, Domain(-5.0, 5.0)).format("x")
    'exp(x)'
    """
    return OpSpec(name, fn, 1, (domain,), kinds, ref, expr=expr, **kw)


def binary(name: str, fn: Callable[..., Any], ref: Callable[..., Any],
           domains: tuple[Domain, Domain], kinds: frozenset[str] = BOTH, expr: str = "",
           **kw: Any) -> OpSpec:
    """An entry of two arguments, one domain each.

    >>> binary("mul", lambda a, b: a * b, np.multiply, (ANY, ANY), expr="{0} * {1}").arity
    2
    """
    return OpSpec(name, fn, 2, domains, kinds, ref, expr=expr, **kw)


def shape_op(name: str, fn: Callable[..., Any], ref: Callable[..., Any], expr: str,
             domain: Domain = ANY) -> OpSpec:
    """A Tensor entry of one argument whose result has its own shape (not elementwise).

    >>> shape_op("T", lambda a: a.T, lambda a: a.T, "{0}.T").elementwise
    False
    """
    return unary(name, fn, ref, domain, TENSOR, expr=expr, elementwise=False)


def np_sigmoid(a: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-a))


def _reduce(ref: Callable[..., Any], a: np.ndarray, axis: Any, keepdims: bool) -> Any:
    # a 0-d array takes axis 0 or -1 (numpy's rule for an int axis, which the engine follows
    # for tuples too); numpy refuses the tuple, so reduce over nothing
    if a.ndim == 0 and axis is not None:
        axis = ()
    return ref(a, axis=axis, keepdims=keepdims)


def reductions(op: str, ref: Callable[..., Any]) -> tuple[OpSpec, ...]:
    """`Tensor.<op>` over every kind of axis (None, 0, -1, (0, -1)), with and without keepdims;
    max and min draw distinct elements and guard against ties.

    >>> [spec.name for spec in reductions("sum", np.sum)][:3]
    ['sum(axis=None)', 'sum(axis=None,keepdims=True)', 'sum(axis=0)']
    """
    specs = []
    distinct = op in ("max", "min")
    for axis in (None, 0, -1, (0, -1)):
        for keepdims in (False, True):
            args = f"axis={axis!r}".replace(" ", "") + (",keepdims=True" if keepdims else "")
            specs.append(
                unary(f"{op}({args})",
                      functools.partial(getattr(Tensor, op), axis=axis, keepdims=keepdims),
                      functools.partial(_reduce, ref, axis=axis, keepdims=keepdims), ANY, TENSOR,
                      expr=f"{{0}}.{op}({args})", elementwise=False, distinct=distinct,
                      guard=separated(axis) if distinct else None)
            )
    return tuple(specs)


def declared(classes: Any) -> tuple[OpSpec, ...]:
    """The entries the op classes among `classes` declare (their `entries(t)`, called with this
    module), in order: ops.py's primitives, or the ops a test module declares.

    >>> [spec.name for spec in declared([ops.Exp, ops.Scatter, ops.Log])]
    ['exp', 'log']
    """
    table = sys.modules[__name__]
    found: list[OpSpec] = []
    for cls in classes:
        if isinstance(cls, type) and issubclass(cls, Function) and "entries" in cls.__dict__:
            found.extend(cls.entries(table))  # type: ignore[attr-defined]
    return tuple(found)


# ---------------------------------------------------------------------------------------
# Compositions: ops built out of the primitives (in arithmetic.py, tensor.py, convolution.py)

_COMPOSED = (
    binary("sub", lambda a, b: a - b, np.subtract, (ANY, ANY), expr="{0} - {1}"),
    unary("rsub", lambda a: 1 - a, lambda a: 1 - a, ANY, expr="1 - {0}"),
    binary("div", lambda a, b: a / b, np.divide, (MODERATE, NONZERO), expr="{0} / {1}"),
    unary("rdiv", lambda a: 2.0 / a, lambda a: 2.0 / a, NONZERO, expr="2.0 / {0}"),
    *reductions("mean", np.mean),
    *reductions("min", np.min),
    *(shape_op(f"softmax(axis={axis})", functools.partial(Tensor.softmax, axis=axis),
               functools.partial(np_softmax, axis=axis), f"{{0}}.softmax(axis={axis})",
               Domain(-50.0, 50.0))
      for axis in (0, -1)),
    binary("stack(axis=0)", lambda a, b: stack([a, b], axis=0),
           lambda a, b: np.stack([a, b], axis=0), (ANY, ANY), TENSOR,
           expr="stack([{0}, {1}], axis=0)", elementwise=False, shapes=same_shapes),
    binary("stack(axis=-1)", lambda a, b: stack([a, b], axis=-1),
           lambda a, b: np.stack([a, b], axis=-1), (ANY, ANY), TENSOR,
           expr="stack([{0}, {1}], axis=-1)", elementwise=False, shapes=same_shapes),
)


# ---------------------------------------------------------------------------------------
# Convolution, pooling and unstacking: numpy references written with plain loops


def pad_widths(ndim: int) -> list[tuple[int, int]]:
    return [(i % 2, 1 + i % 3 // 2) for i in range(ndim)]


def _np_windows(a: np.ndarray, window: tuple[int, ...], strides: tuple[int, ...],
                dilation: tuple[int, ...]) -> np.ndarray:
    """(batch, *out, *window, channels), one output position at a time."""
    spatial = a.shape[1:-1]
    if len(spatial) != len(window):
        raise ValueError(f"windows of rank {len(window)} need a {len(window) + 2}-D input")
    out = [(n - (k - 1) * d - 1) // s + 1 for n, k, s, d in zip(spatial, window, strides, dilation)]
    if min(out) < 1:
        raise ValueError("the window is larger than the input")
    result = np.zeros((a.shape[0], *out, *window, a.shape[-1]))
    for pos in np.ndindex(*out):
        for off in np.ndindex(*window):
            at = tuple(p * s + o * d for p, o, s, d in zip(pos, off, strides, dilation))
            result[(slice(None),) + pos + off] = a[(slice(None),) + at]
    return result


def _np_unwindows(g: np.ndarray, shape: tuple[int, ...], window: tuple[int, ...],
                  strides: tuple[int, ...], dilation: tuple[int, ...]) -> np.ndarray:
    rank = len(window)
    result = np.zeros(shape)
    for pos in np.ndindex(*g.shape[1 : 1 + rank]):
        for off in np.ndindex(*window):
            at = tuple(p * s + o * d for p, o, s, d in zip(pos, off, strides, dilation))
            result[(slice(None),) + at] += g[(slice(None),) + pos + off]
    return result


def _np_conv(x: np.ndarray, kernel: np.ndarray, strides: Any, padding: str, dilation: Any,
             bias: Any = None) -> np.ndarray:
    rank = kernel.ndim - 2
    window = kernel.shape[:rank]
    s, d = as_tuple(strides, rank, "strides"), as_tuple(dilation, rank, "dilation")
    widths = _padding_widths(Tensor(x), padding, window, s, d)
    cols = _np_windows(np.pad(x, [(0, 0), *widths, (0, 0)]), window, s, d)
    out = np.tensordot(cols, kernel, axes=rank + 1)
    return out if bias is None else out + bias


def _np_pool(x: np.ndarray, pool: int, strides: int | None, padding: str, kind: str) -> np.ndarray:
    rank = x.ndim - 2
    window, steps = (pool,) * rank, (strides or pool,) * rank
    widths = _padding_widths(Tensor(x), padding, window, steps, (1,) * rank)
    fill = -np.inf if kind == "max" else np.nan  # nan marks padding, left out of the mean
    cols = _np_windows(np.pad(x, [(0, 0), *widths, (0, 0)], constant_values=fill), window, steps,
                       (1,) * rank)
    axes = tuple(range(1 + rank, 1 + 2 * rank))
    return cols.max(axis=axes) if kind == "max" else np.nanmean(cols, axis=axes)


def _pool_separated(pool: int, strides: int | None, padding: str) -> Callable[[np.ndarray], bool]:
    """Guard for max pooling: each window's top two elements differ by >= 0.05."""

    def guard(a: np.ndarray) -> bool:
        if a.ndim < 3:
            return False
        rank = a.ndim - 2
        window, steps = (pool,) * rank, (strides or pool,) * rank
        widths = _padding_widths(Tensor(a), padding, window, steps, (1,) * rank)
        padded = np.pad(a, [(0, 0), *widths, (0, 0)], constant_values=-1e9)
        cols = _np_windows(padded, window, steps, (1,) * rank)
        by_window = np.moveaxis(cols, -1, 1 + rank)  # (batch, *out, channels, *window)
        flat = np.sort(by_window.reshape(*cols.shape[: 1 + rank], cols.shape[-1], -1))
        return bool(np.all(flat[..., -1] - flat[..., -2] >= 0.05)) if flat.shape[-1] > 1 else True

    return guard


def image_shapes(
    arity: int, kernel: int = 2, dilation: int = 1
) -> Callable[[], SearchStrategy[Any]]:
    """(batch, *spatial, channels) of rank 1 or 2, and for arity 2 a kernel (*window, channels,
    filters) no larger than the input; arity 3 adds a bias (filters,)."""

    def strategy() -> SearchStrategy[Any]:
        from hypothesis import strategies as st

        def build(t: tuple[int, int, int, int, int, int, int]) -> tuple[tuple[int, ...], ...]:
            rank, n, h, w, c, k, f = t
            spatial = (h, w)[:rank]
            x = (n, *spatial, c)
            if arity == 1:
                return (x,)
            window = tuple(min(k, (s - 1) // dilation + 1) for s in spatial)  # fits unpadded
            return ((x, (*window, c, f)) + (((f,),) if arity == 3 else ()))

        side = st.integers(kernel + 1, kernel + 3)
        return st.tuples(st.integers(1, 2), st.integers(1, 2), side, side, st.integers(1, 2),
                         st.integers(1, 3), st.integers(1, 2)).map(build)

    return strategy


def windowed_shapes(window: int, strides: int, dilation: int) -> Callable[[], SearchStrategy[Any]]:
    """What `Windows` outputs: (batch, *out, *window, channels), for its adjoint's entry."""

    def strategy() -> SearchStrategy[Any]:
        from hypothesis import strategies as st

        def build(t: tuple[int, int, int, int]) -> tuple[tuple[int, ...], ...]:
            rank, n, o, c = t
            return ((n, *(o,) * rank, *(window,) * rank, c),)

        return st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(1, 3),
                         st.integers(1, 2)).map(build)

    return strategy


def _unwindowed(g: Any, window: int, strides: int, dilation: int) -> Any:
    """(shape, window, strides, dilation) of the input whose windows `g` holds."""
    rank = (g.ndim - 2) // 2
    sizes = ((o - 1) * strides + (window - 1) * dilation + 1 for o in g.shape[1 : 1 + rank])
    shape = (g.shape[0], *sizes, g.shape[-1])
    return shape, (window,) * rank, (strides,) * rank, (dilation,) * rank


def windowed(name: str, fn: Callable[..., Any], ref: Callable[..., Any],
             shapes: Callable[[int, int, int], Any],
             settings: tuple[tuple[int, int, int], ...]) -> tuple[OpSpec, ...]:
    """One Tensor entry per (window, strides, dilation) in `settings`: `fn(a, k, s, d)`."""
    return tuple(
        unary(f"{name}(k={k},s={s},d={d})", functools.partial(fn, k=k, s=s, d=d),
              functools.partial(ref, k=k, s=s, d=d), ANY, TENSOR,
              expr=f"{name}({{0}}, {k}, strides={s}, dilation={d})", elementwise=False,
              shapes=shapes(k, s, d), composable=False)
        for k, s, d in settings
    )


def windows_of(a: Any, k: int, s: int, d: int) -> Any:
    return sliding_windows(a, k, strides=s, dilation=d)


def unwindows_of(g: Any, k: int, s: int, d: int) -> Any:
    shape, window, strides, dilation = _unwindowed(g, k, s, d)
    return ops.Unwindows.apply(g, shape=shape, window=window, strides=strides, dilation=dilation)


def np_unwindows_of(g: np.ndarray, k: int, s: int, d: int) -> np.ndarray:
    return _np_unwindows(g, *_unwindowed(g, k, s, d))


def np_windows_of(a: np.ndarray, k: int, s: int, d: int) -> np.ndarray:
    rank = a.ndim - 2
    return _np_windows(a, (k,) * rank, (s,) * rank, (d,) * rank)


def parts_weighted(a: Any, axis: int, every: int) -> Any:
    parts = unstack(a, axis=axis)
    out = parts[0] * 1.0
    for i in range(every, len(parts), every):
        out = out + parts[i] * (i + 1.0)
    return out


def np_parts_weighted(a: np.ndarray, axis: int, every: int) -> np.ndarray:
    moved = np.moveaxis(a, axis, 0)
    weights = np.array([i + 1.0 if i % every == 0 else 0.0 for i in range(len(moved))])
    return np.tensordot(weights, moved, axes=1)


def lstm_step(seq: Any, hc: Any, kernel: Any) -> Any:
    """The middle timestep of an unstacked sequence through `LSTMCell` (the others unused)."""
    return ops.LSTMCell.apply(ops.Unstack.apply(seq, axis=0), hc, kernel, step=seq.shape[0] // 2)


def np_lstm_step(seq: np.ndarray, hc: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    i, f, g, o = np.split(seq[seq.shape[0] // 2] + hc[0] @ kernel, 4, axis=-1)
    new_c = np_sigmoid(f) * hc[1] + np_sigmoid(i) * np.tanh(g)
    return np.stack([np_sigmoid(o) * np.tanh(new_c), new_c])


def recurrent_cell(name: str, fn: Callable[..., Any], arity: int, reference: Callable[..., Any],
                   shapes: Callable[[], SearchStrategy[Any]]) -> tuple[OpSpec, ...]:
    """The entry of a fused recurrent cell: its middle timestep of an unstacked sequence,
    every input of moderate size, checked on the shapes `shapes()` draws."""
    args = ", ".join("{%d}" % i for i in range(1, arity))
    return (OpSpec(name, fn, arity, (MODERATE,) * arity, TENSOR, reference,
                   expr=f"{name}(unstack({{0}})[T // 2], {args})", elementwise=False,
                   shapes=shapes, composable=False),)


def gru_step(seq: Any, h: Any, kernel: Any, bias: Any) -> Any:
    """The middle timestep of an unstacked sequence through `GRUCell` (the others unused)."""
    return ops.GRUCell.apply(ops.Unstack.apply(seq, axis=0), h, kernel, bias,
                             step=seq.shape[0] // 2)


def np_gru_step(seq: np.ndarray, h: np.ndarray, kernel: np.ndarray,
                bias: np.ndarray) -> np.ndarray:
    """Keras' GRU step (reset_after=True) written from its equations."""
    x_z, x_r, x_h = np.split(seq[seq.shape[0] // 2], 3, axis=-1)
    i_z, i_r, i_h = np.split(h @ kernel + bias, 3, axis=-1)
    z, r = np_sigmoid(x_z + i_z), np_sigmoid(x_r + i_r)
    hh = np.tanh(x_h + r * i_h)
    return z * h + (1 - z) * hh


def gru_cell_shapes() -> SearchStrategy[Any]:
    """seq (T, batch, 3 * units), h (batch, units), kernel (units, 3 * units), bias."""
    from hypothesis import strategies as st

    return st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)).map(
        lambda t: ((t[0], t[1], 3 * t[2]), (t[1], t[2]), (t[2], 3 * t[2]), (3 * t[2],)))


def cell_shapes() -> SearchStrategy[Any]:
    """seq (T, batch, 4 * units), states (2, batch, units), kernel (units, 4 * units)."""
    from hypothesis import strategies as st

    return st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)).map(
        lambda t: ((t[0], t[1], 4 * t[2]), (2, t[1], t[2]), (t[2], 4 * t[2])))


def _convolutions() -> tuple[OpSpec, ...]:
    specs: list[OpSpec] = []
    for padding, s, d in (("valid", 1, 1), ("same", 2, 1), ("valid", 1, 2), ("same", 1, 2)):
        name = f"conv({padding},s={s},d={d})"
        specs.append(binary(
            name, functools.partial(lambda x, k, p, s, d: conv(x, k, s, p, d), p=padding, s=s, d=d),
            functools.partial(lambda x, k, p, s, d: _np_conv(x, k, s, p, d), p=padding, s=s, d=d),
            (MODERATE, MODERATE), TENSOR, expr=f"{name}({{0}}, {{1}})", elementwise=False,
            shapes=image_shapes(2, dilation=d), composable=False))
    specs.append(binary(
        "conv(causal,d=2)", lambda x, k: conv(x, k, padding="causal", dilation=2),
        lambda x, k: _np_conv(x, k, 1, "causal", 2), (MODERATE, MODERATE), TENSOR,
        expr="conv({0}, {1}, padding='causal', dilation=2)", elementwise=False,
        shapes=lambda: image_shapes(2, dilation=2)().filter(lambda s: len(s[0]) == 3),
        composable=False))
    specs.append(OpSpec(
        "conv(same,bias)", lambda x, k, b: conv(x, k, padding="same", bias=b), 3,
        (MODERATE, MODERATE, MODERATE), TENSOR, lambda x, k, b: _np_conv(x, k, 1, "same", 1, b),
        expr="conv({0}, {1}, padding='same', bias={2})", elementwise=False,
        shapes=image_shapes(3), composable=False))
    for kind, fn in (("max", max_pool), ("avg", avg_pool)):
        for pool, strides, padding in ((2, None, "valid"), (3, 2, "same"), (2, 1, "valid")):
            name = f"{kind}_pool({pool},s={strides},{padding})"
            specs.append(unary(
                name, functools.partial(lambda a, f, p, s, pd: f(a, p, s, pd), f=fn, p=pool,
                                        s=strides, pd=padding),
                functools.partial(_np_pool, pool=pool, strides=strides, padding=padding, kind=kind),
                ANY, TENSOR, expr=f"{name}({{0}})", elementwise=False,
                distinct=kind == "max", shapes=image_shapes(1, pool),
                guard=_pool_separated(pool, strides, padding) if kind == "max" else None,
                composable=False))
    return tuple(specs)


# Every primitive's entries (declared under its class in ops.py), then the compositions'
OPS: tuple[OpSpec, ...] = declared(vars(ops).values()) + _COMPOSED + _convolutions()


def cases(table: tuple[OpSpec, ...] = OPS) -> list[tuple[OpSpec, str]]:
    """(entry, node kind) pairs: what each property test runs once, in table order.

    >>> [(spec.name, kind) for spec, kind in cases((by_name("exp"), by_name("clip")))]
    [('exp', 'tensor'), ('exp', 'value'), ('clip', 'tensor')]
    """
    return [(spec, kind) for spec in table for kind in sorted(spec.kinds)]


def case_id(case: tuple[OpSpec, str]) -> str:
    """A pytest id for a case: 'exp-value'.

    >>> case_id((by_name("exp"), "value"))
    'exp-value'
    """
    return f"{case[0].name}-{case[1]}"


def by_name(name: str) -> OpSpec:
    """The table entry called `name` (ValueError listing the known names otherwise).

    >>> by_name("tanh").name
    'tanh'
    """
    for spec in OPS:
        if spec.name == name:
            return spec
    raise ValueError(f"no op named {name!r} in the table; known: {[s.name for s in OPS]}")
