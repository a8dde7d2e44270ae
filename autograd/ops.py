"""Every differentiable primitive, declared once, for floats (`Value`) and ndarrays (`Tensor`).

A primitive's `forward` runs on raw data. Its `backward(g, out, *inputs)` returns one gradient
per input and is written with operators and the helpers below (`exp`, `log`, `power`, ...),
which accept raw data *or* nodes: called with raw data it is a plain numpy/math formula,
called with nodes under `backward(create_graph=True)` it records a differentiable graph.
Everything else (`-`, `/`, `sqrt`, `mean`, `softmax`, ...) is a composition of these.

An op is declared in one place: its class here, and in the class its rows of the op table,
`entries(t)` (`t` is `autograd.optable`, the table's domains and helpers; called once, when
the table is built, never on a hot path). Each row says how the tests sample the op and what
numpy computes instead; from the rows alone the op is gradchecked to first and second order,
compared with numpy for both node kinds, and composed into random graphs (see optable.py).
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd import arrays
from autograd.engine import CROSS, PASS_ON, Function, Node, raw, sum_to_shape

if TYPE_CHECKING:  # the op table imports this module: its entries are built lazily
    from autograd.optable import OpSpec

# ---------------------------------------------------------------------------------------
# Helpers that accept raw data or nodes


def exp(x: Any) -> Any:
    """e ** x on a float, an ndarray or a node (then recorded as `Exp`); overflow gives inf.

    >>> from autograd import Value
    >>> exp(0.0), exp(1000.0), exp(Value(0.0)).op
    (1.0, inf, 'exp')
    """
    if isinstance(x, Node):
        return Exp.apply(x)
    if type(x) is float:
        try:
            return math.exp(x)
        except OverflowError:  # numpy's answer, without numpy's cost on a float
            return math.inf
    with np.errstate(over="ignore"):  # inf is the float's answer too: no warning on either
        return np.exp(x)


def log(x: Any) -> Any:
    """Natural log of a float, an ndarray or a node (recorded as `Log`), numpy's answers on
    both: log(0.0) is -inf, silently (the exact limit); nan stays nan; below 0 the answer is
    nan with numpy's "invalid value" RuntimeWarning, which `detect_anomaly` turns into an
    error naming the op (`sqrt` of a negative raises ValueError instead: see `power`).

    >>> from autograd import Value
    >>> log(1.0), log(0.0), log(np.array([0.0, np.nan])), log(Value(1.0)).op
    (0.0, -inf, array([-inf,  nan]), 'log')
    """
    if isinstance(x, Node):
        return Log.apply(x)
    if type(x) is float:
        if x > 0.0:
            return math.log(x)
        if x == 0.0:
            return -math.inf
        return float(np.log(np.float64(x)))  # nan, and below 0 numpy's warning, as on arrays
    with np.errstate(divide="ignore"):
        return np.log(x)


def divide(a: Any, b: Any) -> Any:
    """`a / b`; dividing by 0 gives numpy's signed inf on floats too (no ZeroDivisionError),
    and on arrays without numpy's warning: 1/0 is the exact limit. 0/0 keeps numpy's warning.

    >>> divide(1.0, 0.0), divide(1.0, -0.0), divide(np.array([2.0]), np.array([0.0]))
    (inf, -inf, array([inf]))
    """
    if isinstance(a, Node) or isinstance(b, Node):
        return a / b
    if type(a) is float and type(b) is float:
        try:
            return a / b
        except ZeroDivisionError:
            return float(_quiet(np.divide, np.float64(a), b))
    return _quiet(np.divide, a, b)


def _quiet(ufunc: Any, a: Any, b: Any) -> Any:
    """A ufunc whose overflow or division by 0 is the exact answer (inf): no warning."""
    with np.errstate(divide="ignore", over="ignore"):
        return ufunc(a, b)


def _is_integer(p: Any) -> bool:
    with np.errstate(invalid="ignore"):  # inf % 1 is nan: not an integer
        return bool(np.all(np.mod(p, 1) == 0))


def power(x: Any, p: Any) -> Any:
    """`x ** p`; raw data, or nodes (a node exponent is `Power`, a constant one `Pow`).

    A negative base with a non-integer exponent raises ValueError; 0.0 ** -1 is inf and an
    overflow is a signed inf, on floats as numpy gives them, without numpy's warning.

    >>> from autograd import Value
    >>> power(2.0, 3), power(-0.0, -1), power(-10.0, 401), power(Value(2.0), Value(3.0)).data
    (8.0, -inf, -inf, 8.0)
    """
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
        except (ZeroDivisionError, OverflowError):  # 0.0 ** -1, 10.0 ** 400: numpy's limit
            return float(_quiet(np.power, np.float64(x), p))
    if not _is_integer(p) and np.any(x < 0):
        raise ValueError(
            f"pow: negative base elements (min {float(np.min(x))}) with the non-integer "
            f"exponent {np.asarray(p).tolist()} have no real value"
        )
    return _quiet(np.power, x, p)


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    """`x` repeated to `shape` (a new array, or a `BroadcastTo` node).

    >>> broadcast_to(np.array([1.0, 2.0]), (2, 2))
    array([[1., 2.],
           [1., 2.]])
    """
    if isinstance(x, Node):
        return BroadcastTo.apply(x, shape=shape)
    out = np.empty(shape, dtype=x.dtype)  # 3x faster than np.broadcast_to's Python wrapper
    out[...] = x
    return out


def getitem(x: Any, key: Any) -> Any:
    """`x[key]` on an ndarray, or an `Index` node.

    >>> from autograd import Tensor
    >>> getitem(np.arange(4.0), 1), getitem(Tensor([1.0, 2.0], requires_grad=True), 0).op
    (np.float64(1.0), 'getitem')
    """
    if isinstance(x, Node):
        return Index.apply(x, key=key)
    return x[key]


def scatter(x: Any, key: Any, shape: tuple[int, ...]) -> Any:
    """A zero array of `shape` with `x` added at `key` (repeated indices accumulate).

    >>> scatter(np.array([1.0, 2.0]), np.array([0, 0]), (3,))
    array([3., 0., 0.])
    """
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
    """`a + b`; the gradient reaches both inputs unchanged (summed back if broadcast).

    >>> from autograd import Tensor
    >>> a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    >>> (a + b).sum().backward()
    >>> a.grad, b.grad
    (array([1., 1.]), array([2.]))
    """

    __slots__ = ()
    name = "+"
    gradient_form = PASS_ON
    # the builtin itself: no Python frame per call, which is most of the cost on a float
    forward = staticmethod(operator.add)  # type: ignore[assignment]

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (
            t.binary("add", lambda a, b: a + b, np.add, (t.ANY, t.ANY), expr="{0} + {1}"),
            t.unary("radd", lambda a: 2.0 + a, lambda a: 2.0 + a, t.ANY, expr="2.0 + {0}"),
        )

    def backward(self, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        return g, g


class Mul(Function):
    """`a * b`; each input's gradient is the other input times the output's.

    >>> from autograd import Value
    >>> a, b = Value(2.0), Value(5.0)
    >>> (a * b).backward()
    >>> a.grad, b.grad
    (5.0, 2.0)
    """

    __slots__ = ()
    name = "*"
    gradient_form = CROSS
    forward = staticmethod(operator.mul)  # type: ignore[assignment]

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (
            t.binary("mul", lambda a, b: a * b, np.multiply, (t.MODERATE, t.MODERATE),
                     expr="{0} * {1}"),
            t.unary("rmul", lambda a: -1.5 * a, lambda a: -1.5 * a, t.ANY, expr="-1.5 * {0}"),
        )

    def backward(self, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        return g * b, g * a


class Neg(Function):
    """`-a` (subtraction is `a + (-b)`).

    >>> from autograd import Value
    >>> a = Value(2.0)
    >>> (-a).backward()
    >>> (-a).op, a.grad
    ('neg', -1.0)
    """

    __slots__ = ()
    name = "neg"

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (t.unary("neg", lambda a: -a, np.negative, t.ANY, expr="-{0}"),)

    def forward(self, a: Any) -> Any:
        return -a

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (-g,)


class Pow(Function):
    """`x ** p` with a constant exponent; a node exponent is `exp(p * log(x))`.

    >>> from autograd import Value
    >>> x = Value(3.0)
    >>> (x ** 2).backward()
    >>> x.grad
    6.0
    """

    __slots__ = ("exponent",)
    name = "**"

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (
            t.unary("pow2", lambda a: a**2, lambda a: np.power(a, 2), t.MODERATE, expr="{0} ** 2"),
            t.unary("pow3", lambda a: a**3, lambda a: np.power(a, 3), t.Domain(-5.0, 5.0),
                    expr="{0} ** 3"),
            t.unary("pow0.5", lambda a: a**0.5, lambda a: np.power(a, 0.5), t.POSITIVE,
                    expr="{0} ** 0.5"),
            t.unary("pow-1", lambda a: a**-1, lambda a: np.power(a, -1.0), t.NONZERO,
                    expr="{0} ** -1"),
            t.unary("pow-2", lambda a: a**-2, lambda a: np.power(a, -2.0), t.NONZERO,
                    expr="{0} ** -2"),
            t.unary("sqrt", lambda a: a.sqrt(), np.sqrt, t.POSITIVE),
        )

    def forward(self, a: Any, exponent: Any) -> Any:
        self.exponent = exponent
        return power(a, exponent)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        p = self.exponent
        return (g * p * power(a, p - 1),)


class Power(Function):
    """`a ** b` with a node exponent. d/db is `out * log(a)`: it needs a positive base.

    >>> from autograd import Value
    >>> a, b = Value(2.0), Value(3.0)
    >>> (a ** b).backward()
    >>> a.grad, round(b.grad, 4)  # b * a ** (b - 1), a ** b * log(a)
    (12.0, 5.5452)
    """

    __slots__ = ()
    name = "**"
    wants_needs = True

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (
            t.binary("pow", lambda a, b: a**b, np.power, (t.Domain(0.1, 10.0), t.Domain(-2.0, 2.0)),
                     expr="{0} ** {1}"),
            t.unary("rpow", lambda a: 2.0**a, lambda a: np.power(2.0, a), t.MODERATE,
                    expr="2.0 ** {0}"),
        )

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
    """`e ** a`; its gradient is the output itself.

    >>> from autograd import Value
    >>> a = Value(0.0)
    >>> a.exp().backward()
    >>> a.grad
    1.0
    """

    __slots__ = ()

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (t.unary("exp", lambda a: a.exp(), np.exp, t.Domain(-5.0, 5.0)),)

    def forward(self, a: Any) -> Any:
        return exp(a)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g * out,)


class Log(Function):
    """Natural log; gradient `1 / a`.

    >>> from autograd import Value
    >>> a = Value(4.0)
    >>> a.log().backward()
    >>> a.grad
    0.25
    """

    __slots__ = ()

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (t.unary("log", lambda a: a.log(), np.log, t.Domain(0.05, 100.0)),)

    def forward(self, a: Any) -> Any:
        return log(a)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (divide(g, a),)  # at 0: inf on a float too, not ZeroDivisionError


class Tanh(Function):
    """Hyperbolic tangent; gradient `1 - out ** 2`.

    >>> from autograd import Value
    >>> a = Value(0.0)
    >>> a.tanh().backward()
    >>> a.grad
    1.0
    """

    __slots__ = ()

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (t.unary("tanh", lambda a: a.tanh(), np.tanh, t.MODERATE),)

    def forward(self, a: Any) -> Any:
        return math.tanh(a) if type(a) is float else np.tanh(a)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g * (1 - out * out),)


class Sigmoid(Function):
    """1 / (1 + e^-x): e^-x may overflow to inf (x < -88 in float32), and 1 / inf is the exact
    limit 0, so the overflow is expected and silenced; small outputs keep their relative
    precision (1 / (1 + e^40) = 4.2e-18). Three passes: 6 us at 32x128 float32, against 14 us
    for the e^-|x| and `where` form it replaces.

    >>> from autograd import Tensor
    >>> x = Tensor([-1000.0, 0.0], requires_grad=True)
    >>> x.sigmoid().sum().backward()  # gradient out * (1 - out)
    >>> x.grad
    array([0.  , 0.25])
    """

    __slots__ = ()

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (t.unary("sigmoid", lambda a: a.sigmoid(), t.np_sigmoid, t.Domain(-20.0, 20.0)),)

    def forward(self, a: Any) -> Any:
        if type(a) is float:
            if a >= 0.0:
                return 1.0 / (1.0 + math.exp(-a))
            e = math.exp(a)
            return e / (1.0 + e)
        with np.errstate(over="ignore"):
            e = np.exp(-a)
        if type(e) is not np.ndarray:  # a 0-d input gives a numpy scalar
            return 1 / (1 + e)
        e += 1
        return np.reciprocal(e, out=e)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g * out * (1 - out),)


class Relu(Function):
    """`max(a, 0)`; the gradient passes where `a > 0` only.

    >>> from autograd import Tensor
    >>> x = Tensor([-1.0, 0.0, 3.0], requires_grad=True)
    >>> x.relu().sum().backward()
    >>> x.grad
    array([0., 0., 1.])
    """

    __slots__ = ()

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (t.unary("relu", lambda a: a.relu(), lambda a: np.maximum(a, 0.0), t.KINK),)

    def forward(self, a: Any) -> Any:
        if type(a) is float:
            # not max(0.0, a): that is 0.0 at nan, where the array path keeps nan
            return 0.0 if a <= 0.0 else a  # noqa: FURB136
        return arrays.relu(a)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        x = raw(a)
        return (g * (arrays.positive(x) if type(x) is np.ndarray else x > 0),)


class Abs(Function):
    """`|a|`; gradient `sign(a)` (0 at 0).

    >>> from autograd import Value
    >>> a = Value(-2.0)
    >>> a.abs().backward()
    >>> a.grad
    -1.0
    """

    __slots__ = ()

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (t.unary("abs", lambda a: a.abs(), np.abs, t.KINK),)

    def forward(self, a: Any) -> Any:
        return abs(a)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        a = raw(a)
        if type(a) is not float:
            return (g * np.sign(a),)
        sign = a if math.isnan(a) else float((a > 0) - (a < 0))  # sign(nan) is nan, as numpy's
        return (g * sign,)


class Clip(Function):
    """`a` limited to [lo, hi] (either may be None); gradient 1 inside, 0 where clipped.

    >>> from autograd import Tensor
    >>> x = Tensor([-1.0, 0.5, 2.0], requires_grad=True)
    >>> Clip.apply(x, lo=0.0, hi=1.0).sum().backward()
    >>> x.grad
    array([0., 1., 0.])
    """

    __slots__ = ("lo", "hi")

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (t.unary("clip", lambda a: a.clip(-1.0, 1.0), lambda a: np.clip(a, -1.0, 1.0),
                        t.Domain(-3.0, 3.0, avoid=(-1.0, 1.0)), t.TENSOR, expr="{0}.clip(-1, 1)"),)

    def forward(self, a: Any, lo: float | None, hi: float | None) -> Any:
        self.lo, self.hi = lo, hi
        return np.clip(a, lo, hi)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        a = raw(a)
        inside = True  # where the input passed through; array bounds may broadcast it wider
        if self.lo is not None:
            inside = inside & (a >= self.lo)
        if self.hi is not None:
            inside = inside & (a <= self.hi)
        return (g * inside,)


class Where(Function):
    """`cond ? a : b` elementwise, with a constant boolean `cond`.

    >>> from autograd import Tensor
    >>> a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([5.0, 6.0], requires_grad=True)
    >>> Where.apply(a, b, cond=np.array([True, False])).sum().backward()
    >>> a.grad, b.grad
    (array([1., 0.]), array([0., 1.]))
    """

    __slots__ = ("cond",)

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (t.binary("where", lambda a, b: t.where(t.condition_for(a.shape, b.shape), a, b),
                         lambda a, b: np.where(t.condition_for(a.shape, b.shape), a, b),
                         (t.ANY, t.ANY), t.TENSOR, expr="where(cond, {0}, {1})"),)

    def forward(self, a: Any, b: Any, cond: Any) -> Any:
        self.cond = cond
        return np.where(cond, a, b)

    def backward(self, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        return g * self.cond, g * ~self.cond


class Maximum(Function):
    """Elementwise larger of `a` and `b`; a tie (and a NaN, which compares false) picks
    `a`'s side as `np.where(a >= b, a, b)` does, and the gradient goes to the input picked.

    A primitive, not `where` with a condition computed in numpy: the choice is then part of
    the graph, so a jit plan replays it and a change of the data under it is seen.

    >>> from autograd import Tensor
    >>> a = Tensor([1.0, 5.0], requires_grad=True)
    >>> Maximum.apply(a, 3.0).sum().backward()
    >>> a.grad
    array([0., 1.])
    """

    __slots__ = ()
    picks_a = staticmethod(np.greater_equal)  # where `a` is the answer

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (t.binary("maximum", t.maximum, np.maximum, (t.ANY, t.ANY), t.TENSOR,
                         distinct=True, guard=t.apart, expr="maximum({0}, {1})"),)

    def forward(self, a: Any, b: Any) -> Any:
        return np.where(self.picks_a(a, b), a, b)

    def backward(self, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        picked = self.picks_a(raw(a), raw(b))
        return g * picked, g * ~picked


class Minimum(Maximum):
    """Elementwise smaller of `a` and `b`: `np.where(a <= b, a, b)`, as `Maximum`.

    >>> from autograd import Tensor
    >>> Minimum.apply(Tensor([1.0, 5.0]), Tensor([3.0, 3.0])).data
    array([1., 3.])
    """

    __slots__ = ()
    picks_a = staticmethod(np.less_equal)

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (t.binary("minimum", t.minimum, np.minimum, (t.ANY, t.ANY), t.TENSOR,
                         distinct=True, guard=t.apart, expr="minimum({0}, {1})"),)


# ---------------------------------------------------------------------------------------
# Linear algebra, reductions and shape (Tensor)


class MatMul(Function):
    """`a @ b` (numpy's matmul: vectors, matrices, batches); grads `g @ b.T` and `a.T @ g`.

    >>> from autograd import Tensor
    >>> a = Tensor([[1.0, 2.0]], requires_grad=True)
    >>> b = Tensor([[3.0], [4.0]], requires_grad=True)
    >>> (a @ b).sum().backward()
    >>> a.grad, b.grad.ravel()
    (array([[3., 4.]]), array([1., 2.]))
    """

    __slots__ = ()
    name = "@"
    wants_needs = True

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return tuple(
            t.binary(f"matmul[{form}]", operator.matmul, np.matmul, (t.MODERATE, t.MODERATE),
                     t.TENSOR, expr="{0} @ {1}", elementwise=False, shapes=t.matmul_shapes(form))
            for form in ("2d@2d", "1d@2d", "2d@1d", "1d@1d", "3d@2d", "3d@3d")
        )

    def forward(self, a: Any, b: Any) -> Any:
        return np.matmul(a, b)

    def backward(self, g: Any, out: Any, a: Any, b: Any, needs: list[bool]) -> tuple[Any, Any]:
        return _matmul_grads(g, a, b, needs[0], needs[1])


def _matmul_grads(g: Any, a: Any, b: Any, need_a: bool, need_b: bool) -> tuple[Any, Any]:
    """The gradients of `a @ b` given the output's `g` (None where not needed)."""
    if a.ndim == 2 and b.ndim == 2:  # the common case, first: a layer's weights
        return (g @ b.T if need_a else None, a.T @ g if need_b else None)
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
    if need_a:
        ga = g @ b2.swapaxes(-1, -2)
        ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:]) if a_vec else ga
    if need_b:
        gb = a2.swapaxes(-1, -2) @ g
        gb = gb.reshape(gb.shape[:-1]) if b_vec else gb
    return ga, gb


class Affine(Function):
    """`x @ w + b` as one node: a dense layer's whole forward, fused for speed (one node
    instead of two; the gradients are matmul's and, for `b`, the output's, summed back).

    >>> from autograd import Tensor
    >>> x = Tensor([[1.0, 2.0]], requires_grad=True)
    >>> w = Tensor([[3.0], [4.0]], requires_grad=True)
    >>> b = Tensor([0.5], requires_grad=True)
    >>> y = Affine.apply(x, w, b)
    >>> y.sum().backward()
    >>> y.data, x.grad, b.grad
    (array([[11.5]]), array([[3., 4.]]), array([1.]))
    """

    __slots__ = ()
    wants_needs = True

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (t.OpSpec("affine", t.affine, 3, (t.MODERATE,) * 3, t.TENSOR,
                         lambda x, w, b: np.matmul(x, w) + b, elementwise=False,
                         shapes=t.affine_shapes, expr="affine({0}, {1}, {2})"),)

    def forward(self, x: Any, w: Any, b: Any) -> Any:
        out = np.matmul(x, w)
        if out.ndim and b.shape == out.shape[-1:] and b.dtype is out.dtype:
            out += b  # the usual bias: added in place, one array less
            return out
        return out + b

    def backward(
        self, g: Any, out: Any, x: Any, w: Any, b: Any, needs: list[bool]
    ) -> tuple[Any, Any, Any]:
        gx, gw = _matmul_grads(g, x, w, needs[0], needs[1])
        if not needs[2]:
            return gx, gw, None
        if b.ndim == 1 and g.ndim == 2:  # a bias over rows: its gradient is the column sums
            return gx, gw, Sum.apply(g, axis=0) if isinstance(g, Node) else arrays.column_sums(g)
        return gx, gw, g  # any other broadcast: the engine sums back to b's shape


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
    """Sum over `axis` (None: all); the gradient is spread back to every summed element.

    >>> from autograd import Tensor
    >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> (Sum.apply(x, axis=0) * Tensor([1.0, 10.0])).sum().backward()
    >>> x.grad
    array([[ 1., 10.],
           [ 1., 10.]])
    """

    __slots__ = ("shape", "kept")

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return t.reductions("sum", np.sum)  # mean is a composition: its entries are in optable

    def forward(self, a: Any, axis: Any = None, keepdims: bool = False) -> Any:
        axes = _axes(axis, a.ndim)
        self.shape, self.kept = a.shape, _kept_shape(a.shape, axes)
        return a.sum(axis=axes, keepdims=keepdims)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (broadcast_to(g.reshape(self.kept), self.shape),)


class Max(Function):
    """Largest element along axes; tied elements share the gradient evenly.

    >>> from autograd import Tensor
    >>> x = Tensor([[1.0, 5.0], [7.0, 7.0]], requires_grad=True)
    >>> Max.apply(x, axis=1).sum().backward()
    >>> x.grad
    array([[0. , 1. ],
           [0.5, 0.5]])
    """

    __slots__ = ("kept", "hit", "inv")

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return t.reductions("max", np.max)  # min is -max(-x): its entries are in optable

    def forward(self, a: Any, axis: Any = None, keepdims: bool = False) -> Any:
        axes = _axes(axis, a.ndim)
        if a.size == 0:
            raise ValueError(f"max of an empty array of shape {a.shape}")
        top = arrays.reduce_kept(np.maximum, a, axes)
        self.hit = a == top
        self.kept = _kept_shape(a.shape, axes)
        # each window's share, 1 / its number of maxima, kept small: no full-size division;
        # counted in bytes (a pooling window's few), as adding bools into floats is 3x slower
        ties = arrays.reduce_kept(np.add, self.hit.view(np.uint8), axes)
        self.inv = 1 / ties.astype(a.dtype)
        return top if keepdims else top.reshape([n for i, n in enumerate(a.shape) if i not in axes])

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        # the mask has the input's shape: the product broadcasts g back (summed back if a node)
        return ((g.reshape(self.kept) * self.inv) * self.hit,)


class BroadcastTo(Function):
    """`a` repeated to `shape` as numpy broadcasts; the gradient is summed back.

    >>> from autograd import Tensor
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> BroadcastTo.apply(x, shape=(3, 2)).sum().backward()
    >>> x.grad
    array([3., 3.])
    """

    __slots__ = ("shape",)
    name = "broadcast_to"

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (t.shape_op("broadcast_to", lambda a: a.broadcast_to(t.grown(a.shape)),
                           lambda a: np.broadcast_to(a, t.grown(a.shape)),
                           "{0}.broadcast_to(grown)"),)

    def forward(self, a: Any, shape: tuple[int, ...]) -> Any:
        self.shape = a.shape
        return np.broadcast_to(a, shape)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (sum_to_shape(g, self.shape),)


class Reshape(Function):
    """`a` in a new shape; the gradient is reshaped back.

    >>> from autograd import Tensor
    >>> x = Tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    >>> y = Reshape.apply(x, shape=(2, 2))
    >>> y.shape, y.op
    ((2, 2), 'reshape')
    """

    __slots__ = ("shape",)

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (
            t.shape_op("reshape(-1)", lambda a: a.reshape(-1), lambda a: a.reshape(-1),
                       "{0}.reshape(-1)"),
            t.shape_op("reshape(reversed)", lambda a: a.reshape(a.shape[::-1]),
                       lambda a: a.reshape(a.shape[::-1]), "{0}.reshape(reversed)"),
        )

    def forward(self, a: Any, shape: tuple[int, ...]) -> Any:
        self.shape = a.shape
        return a.reshape(shape)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g.reshape(self.shape),)


class Transpose(Function):
    """Axes permuted (`None`: reversed); the gradient is permuted back.

    >>> from autograd import Tensor
    >>> x = Tensor(np.zeros((2, 3, 4)), requires_grad=True)
    >>> Transpose.apply(x, axes=(2, 0, 1)).shape
    (4, 2, 3)
    """

    __slots__ = ("axes",)

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (
            t.shape_op("transpose(rotated)", lambda a: a.transpose(t.rotated(a.ndim)),
                       lambda a: np.transpose(a, t.rotated(a.ndim)), "{0}.transpose(rotated)"),
            t.shape_op("T", lambda a: a.T, lambda a: a.T, "{0}.T"),
            t.shape_op("swapaxes(0,-1)", lambda a: a.swapaxes(0, -1),
                       lambda a: np.swapaxes(a, 0, -1), "{0}.swapaxes(0, -1)"),
        )

    def forward(self, a: Any, axes: tuple[int, ...] | None) -> Any:
        self.axes = axes
        return np.transpose(a, axes)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        inverse = None if self.axes is None else tuple(np.argsort(self.axes))
        return (g.transpose(inverse),)


class Index(Function):
    """`a[key]` (basic or advanced numpy indexing); the gradient is scattered back, added
    up where an index repeats.

    >>> from autograd import Tensor
    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> Index.apply(x, key=np.array([2, 2, 0])).sum().backward()
    >>> x.grad
    array([1., 0., 2.])
    """

    __slots__ = ("key", "shape")
    name = "getitem"

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (
            t.shape_op("getitem[1:]", lambda a: a[1:], lambda a: a[1:], "{0}[1:]"),
            t.shape_op("getitem[::-1,:2]", lambda a: a[::-1, :2], lambda a: a[::-1, :2],
                       "{0}[::-1, :2]"),
            t.shape_op("getitem[-1]", lambda a: a[-1], lambda a: a[-1], "{0}[-1]"),
            t.shape_op("getitem[repeats]", lambda a: a[t.REPEATS], lambda a: a[t.REPEATS],
                       "{0}[[0, -1, 0]]"),
            t.shape_op("getitem[:,repeats]", lambda a: a[:, t.REPEATS], lambda a: a[:, t.REPEATS],
                       "{0}[:, [0, -1, 0]]"),
            t.shape_op("getitem[pairs]", lambda a: a[t.REPEATS, t.PARTNERS],
                       lambda a: a[t.REPEATS, t.PARTNERS], "{0}[[0, -1, 0], [-1, 0, -1]]"),
            t.shape_op("getitem[mask]", lambda a: a[t.mask_for(a.shape)],
                       lambda a: a[t.mask_for(a.shape)], "{0}[mask]"),
        )

    def forward(self, a: Any, key: Any) -> Any:
        self.key, self.shape = key, a.shape
        return a[key]

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (scatter(g, self.key, self.shape),)


class Scatter(Function):
    """The adjoint of indexing: needed so that indexing has a second derivative.

    >>> from autograd import Tensor
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> Scatter.apply(x, key=np.array([0, 0]), shape=(3,))
    Tensor([3., 0., 0.], requires_grad=True)
    """

    __slots__ = ("key",)
    # no entries: every getitem entry's second derivative runs it (tests/test_higher_order.py)

    def forward(self, a: Any, key: Any, shape: tuple[int, ...]) -> Any:
        self.key = key
        return scatter(a, key, shape)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (getitem(g, self.key),)


class Concatenate(Function):
    """Inputs joined along `axis`; each input's gradient is its slice of the output's.

    >>> from autograd import Tensor
    >>> a, b = Tensor([1.0], requires_grad=True), Tensor([2.0, 3.0], requires_grad=True)
    >>> (Concatenate.apply(a, b, axis=0) * Tensor([1.0, 2.0, 3.0])).sum().backward()
    >>> a.grad, b.grad
    (array([1.]), array([2., 3.]))
    """

    __slots__ = ("axis", "bounds")

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (
            t.binary("concatenate(axis=0)", lambda a, b: t.concatenate([a, b], axis=0),
                     lambda a, b: np.concatenate([a, b], axis=0), (t.ANY, t.ANY), t.TENSOR,
                     expr="concatenate([{0}, {1}], axis=0)", elementwise=False,
                     shapes=t.concat_shapes(0, 2)),
            t.binary("concatenate([a,b,a],axis=-1)",
                     lambda a, b: t.concatenate([a, b, a], axis=-1),
                     lambda a, b: np.concatenate([a, b, a], axis=-1), (t.ANY, t.ANY), t.TENSOR,
                     expr="concatenate([{0}, {1}, {0}], axis=-1)", elementwise=False,
                     shapes=t.concat_shapes(-1, 2)),
        )

    def forward(self, *arrays: Any, axis: int = 0) -> Any:
        out = np.concatenate(arrays, axis=axis)
        self.axis = axis % out.ndim
        ends = np.cumsum([x.shape[self.axis] for x in arrays])
        self.bounds = list(zip([0, *ends[:-1]], ends))
        return out

    def backward(self, g: Any, out: Any, *arrays: Any) -> tuple[Any, ...]:
        lead = (slice(None),) * self.axis
        return tuple(getitem(g, lead + (slice(int(s), int(e)),)) for s, e in self.bounds)


def _shifted_exps(a: Any, axis: int) -> tuple[Any, Any, Any]:
    """`a - max(a)`, its exponentials and their sum along `axis` (kept): the max shift keeps
    every exponent <= 0, so nothing overflows."""
    rows = a.ndim == 2 and axis in (1, -1)  # logits, a row per sample: the faster row reduces
    # else the ufuncs' own reduce: ndarray.max/.sum add a Python wrapper per call
    shifted = a - (arrays.row_max(a) if rows else np.maximum.reduce(a, axis=axis, keepdims=True))
    exps = np.exp(shifted)
    sums = arrays.row_sums(exps) if rows else np.add.reduce(exps, axis=axis, keepdims=True)
    return shifted, exps, sums


class LogSoftmax(Function):
    """x - logsumexp(x), shifted by the max so that no exponent overflows.

    >>> from autograd import Tensor
    >>> LogSoftmax.apply(Tensor([[0.0, 0.0], [0.0, 1000.0]]), axis=-1).data.round(4).tolist()
    [[-0.6931, -0.6931], [-1000.0, 0.0]]
    """

    __slots__ = ("axis",)

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return tuple(
            t.shape_op(f"log_softmax(axis={axis})",
                       functools.partial(t.Tensor.log_softmax, axis=axis),
                       functools.partial(t.np_log_softmax, axis=axis),
                       f"{{0}}.log_softmax(axis={axis})", t.Domain(-50.0, 50.0))
            for axis in (0, -1)
        )

    def forward(self, a: Any, axis: int = -1) -> Any:
        self.axis = axis
        shifted, _, sums = _shifted_exps(a, axis)
        return shifted - np.log(sums)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g - exp(out) * g.sum(axis=self.axis, keepdims=True),)


class SoftmaxCrossEntropy(Function):
    """-log(softmax(logits)[label]) for each row: classification's loss, fused for stability
    and speed (its gradient is simply softmax - one_hot). `reduction` "mean" or "sum" folds
    the average or total over the rows into the same node (as PyTorch's `cross_entropy`).

    >>> from autograd import Tensor
    >>> logits = Tensor([[0.0, 0.0]], requires_grad=True)
    >>> SoftmaxCrossEntropy.apply(logits, labels=np.array([1])).sum().backward()
    >>> logits.grad
    array([[ 0.5, -0.5]])
    """

    # `picks`: where each row's label sits in the flattened (rows, classes) logits
    __slots__ = ("picks", "probs", "scale")
    name = "softmax_cross_entropy"

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        logits = t.Domain(-50.0, 50.0)
        return (
            t.shape_op("softmax_cross_entropy",
                       lambda a: t.softmax_cross_entropy(a, t.labels_for(a.shape)),
                       t.np_cross_entropy, "softmax_cross_entropy({0}, labels)", logits),
            *(t.shape_op(f"softmax_cross_entropy({reduction})",
                         functools.partial(t.reduced_cross_entropy, reduction=reduction),
                         functools.partial(t.np_reduced_cross_entropy, reduction=reduction),
                         f"softmax_cross_entropy({{0}}, labels, reduction={reduction!r})", logits)
              for reduction in ("mean", "sum")),
        )

    def forward(self, logits: Any, labels: Any, reduction: str = "none") -> Any:
        classes = logits.shape[-1]
        flat = logits.reshape(-1, classes)
        # flat positions: one take instead of numpy's slower two-array fancy indexing
        self.picks = picks = arrays.row_starts(flat.shape[0], classes) + labels.reshape(-1)
        shifted, exps, sums = _shifted_exps(flat, 1)
        exps /= sums
        self.probs = exps
        losses = np.log(sums[:, 0]) - shifted.ravel().take(picks)
        # the factor each row's loss enters the result with; None: one result per row
        if reduction == "none":
            self.scale = None
        else:
            self.scale = 1.0 / max(len(losses), 1) if reduction == "mean" else 1.0
        if self.scale is None:
            return losses.reshape(logits.shape[:-1])
        return np.asarray(np.add.reduce(losses) * self.scale, dtype=logits.dtype)

    def backward(self, g: Any, out: Any, logits: Any) -> tuple[Any]:
        shape = raw(logits).shape
        scale = self.scale
        if isinstance(logits, Node):  # create_graph: softmax as nodes, the one-hot a constant
            one_hot = np.zeros(shape, dtype=raw(logits).dtype)
            one_hot.ravel()[self.picks] = 1
            probs = exp(LogSoftmax.apply(logits, axis=-1))
            weight = g.reshape(shape[:-1] + (1,)) if scale is None else g * scale
            return ((probs - one_hot) * weight,)
        if scale is None:  # one factor per row
            rows = g.reshape(-1, 1)
            grad = np.multiply(self.probs, rows, order="C")  # C order: ravel() is a view
            grad.ravel()[self.picks] -= rows[:, 0]
        else:  # one factor for all (a float: cheaper than a 0-d array)
            factor = float(g) * scale
            grad = np.multiply(self.probs, factor, order="C")
            grad.ravel()[self.picks] -= factor
        return (grad.reshape(shape),)


# ---------------------------------------------------------------------------------------
# Movement ops for convolution, pooling and recurrence (Tensor): padding, sliding windows
# and their adjoint, and unstacking along an axis. Convolution and pooling are compositions
# of these (autograd/convolution.py), so their gradients come from primitives tested here.


def window_view(a: np.ndarray, window: tuple[int, ...], strides: tuple[int, ...],
                dilation: tuple[int, ...]) -> np.ndarray:
    """A read-only strided view of `a` (batch, *spatial, channels) as
    (batch, *out, *window, channels): no copy (im2col copies only when reshaped).

    >>> window_view(np.arange(5.0).reshape(1, 5, 1), (2,), (2,), (1,))[0, :, :, 0].tolist()
    [[0.0, 1.0], [2.0, 3.0]]
    """
    spatial = a.shape[1:-1]
    out = tuple((n - (k - 1) * d - 1) // s + 1
                for n, k, s, d in zip(spatial, window, strides, dilation))
    steps = a.strides[1:-1]
    shape = (a.shape[0], *out, *window, a.shape[-1])
    strides_ = (a.strides[0], *(st * s for st, s in zip(steps, strides)),
                *(st * d for st, d in zip(steps, dilation)), a.strides[-1])
    return np.lib.stride_tricks.as_strided(a, shape, strides_, writeable=False)


def windows(x: Any, window: tuple[int, ...], strides: tuple[int, ...],
            dilation: tuple[int, ...]) -> Any:
    """Sliding windows of an ndarray (a view) or a node (a `Windows` node)."""
    if isinstance(x, Node):
        return Windows.apply(x, window=window, strides=strides, dilation=dilation)
    return window_view(x, window, strides, dilation)


def unwindows(g: Any, shape: tuple[int, ...], window: tuple[int, ...], strides: tuple[int, ...],
              dilation: tuple[int, ...]) -> Any:
    """The adjoint of `windows`: every window's values added back where it was read, one
    strided slice-add per kernel offset (kh * kw adds of the output's size, no `np.add.at`).

    >>> unwindows(np.ones((1, 2, 2, 1)), (1, 3, 1), (2,), (1,), (1,))[0, :, 0].tolist()
    [1.0, 2.0, 1.0]
    """
    if isinstance(g, Node):
        return Unwindows.apply(g, shape=shape, window=window, strides=strides, dilation=dilation)
    out = np.zeros(shape, dtype=g.dtype)
    rank = len(window)
    sizes = g.shape[1 : 1 + rank]
    # kernel offsets first, in one copy: each slice-add then reads a contiguous block (half
    # the time of reading g's strided windows: 0.44 against 0.83 ms for 25 offsets of 32x8x8x6)
    by_offset = np.moveaxis(g, tuple(range(1 + rank, 1 + 2 * rank)), tuple(range(rank)))
    by_offset = np.ascontiguousarray(by_offset)
    for offsets in itertools.product(*(range(k) for k in window)):
        at = tuple(slice(o * d, o * d + s * (n - 1) + 1, s)
                   for o, d, s, n in zip(offsets, dilation, strides, sizes))
        out[(slice(None),) + at] += by_offset[offsets]
    return out


class Pad(Function):
    """`a` surrounded by a constant (`widths`: one (before, after) pair per axis, as
    `np.pad`); the gradient is the middle, sliced back out.

    >>> from autograd import Tensor
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> y = Pad.apply(x, widths=((1, 2),))
    >>> (y * Tensor([5.0, 1.0, 2.0, 5.0, 5.0])).sum().backward()
    >>> y.data.tolist(), x.grad
    ([0.0, 1.0, 2.0, 0.0, 0.0], array([1., 2.]))
    """

    __slots__ = ("key",)

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return (
            t.shape_op("pad", lambda a: t.pad(a, t.pad_widths(a.ndim)),
                       lambda a: np.pad(a, t.pad_widths(a.ndim)), "pad({0})"),
            t.shape_op("pad(value=-1.5)", lambda a: t.pad(a, t.pad_widths(a.ndim), value=-1.5),
                       lambda a: np.pad(a, t.pad_widths(a.ndim), constant_values=-1.5),
                       "pad({0}, value=-1.5)"),
        )

    def forward(self, a: Any, widths: tuple[tuple[int, int], ...], value: float = 0.0) -> Any:
        shape = tuple(n + lo + hi for n, (lo, hi) in zip(a.shape, widths))
        self.key = tuple(slice(lo, lo + n) for n, (lo, _) in zip(a.shape, widths))
        out = np.full(shape, value, dtype=a.dtype)  # faster than np.pad's general machinery
        out[self.key] = a
        return out

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (getitem(g, self.key),)


class Windows(Function):
    """Sliding windows (batch, *spatial, channels) -> (batch, *out, *window, channels), with
    strides and dilation: im2col as a strided view. The gradient adds each window back.

    >>> from autograd import Tensor
    >>> x = Tensor(np.arange(4.0).reshape(1, 4, 1), requires_grad=True)
    >>> w = Windows.apply(x, window=(2,), strides=(1,), dilation=(1,))
    >>> w.sum().backward()
    >>> w.shape, x.grad[0, :, 0].tolist()  # the middle elements sit in two windows
    ((1, 3, 2, 1), [1.0, 2.0, 2.0, 1.0])
    """

    __slots__ = ("shape", "window", "strides", "dilation")

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return t.windowed(
            "sliding_windows", t.windows_of, t.np_windows_of,
            lambda k, s, d: t.image_shapes(1, (k - 1) * d + 1), ((2, 1, 1), (2, 2, 1), (2, 1, 2)))

    def forward(self, a: Any, window: tuple[int, ...], strides: tuple[int, ...],
                dilation: tuple[int, ...]) -> Any:
        self.shape, self.window, self.strides, self.dilation = a.shape, window, strides, dilation
        return window_view(a, window, strides, dilation)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (unwindows(g, self.shape, self.window, self.strides, self.dilation),)


class Unwindows(Function):
    """The adjoint of `Windows` (col2im): windows added back into an array of `shape`.
    Backward is `Windows` again; it is a primitive so that windows have a second derivative.

    >>> from autograd import Tensor
    >>> g = Tensor(np.ones((1, 3, 2, 1)), requires_grad=True)
    >>> Unwindows.apply(g, shape=(1, 4, 1), window=(2,), strides=(1,), dilation=(1,)).data[0, :, 0]
    array([1., 2., 2., 1.])
    """

    __slots__ = ("window", "strides", "dilation")

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return t.windowed(
            "unwindows", t.unwindows_of, t.np_unwindows_of, t.windowed_shapes,
            ((2, 2, 1), (2, 1, 2)))

    def forward(self, g: Any, shape: tuple[int, ...], window: tuple[int, ...],
                strides: tuple[int, ...], dilation: tuple[int, ...]) -> Any:
        self.window, self.strides, self.dilation = window, strides, dilation
        return unwindows(g, shape, window, strides, dilation)

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (windows(g, self.window, self.strides, self.dilation),)


class Unstack(Function):
    """`a` with `axis` moved to the front, to be taken apart by `Pick`: the parts' gradients
    arrive as `arrays.Slices` and are stacked once here, so backward over T parts is
    O(T * part) (indexing each part would scatter a full-size array per part).

    >>> from autograd import Tensor
    >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> u = Unstack.apply(x, axis=1)
    >>> (Pick.apply(u, index=1) * 10).sum().backward()
    >>> x.grad
    array([[ 0., 10.],
           [ 0., 10.]])
    """

    __slots__ = ("axis", "shape")
    name = "unstack"

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        specs = []  # through `unstack`, which takes the parts apart with `Pick`
        for axis, every in ((0, 1), (-1, 2)):
            name = f"unstack(axis={axis})" + ("[::2]" if every == 2 else "")
            specs.append(t.unary(
                name, functools.partial(t.parts_weighted, axis=axis, every=every),
                functools.partial(t.np_parts_weighted, axis=axis, every=every), t.ANY, t.TENSOR,
                expr=f"weighted sum of {name}({{0}})", elementwise=False))
        return tuple(specs)

    def forward(self, a: Any, axis: int) -> Any:
        self.axis, self.shape = axis, a.shape
        if axis == 0:
            return a
        return a.transpose((axis, *range(axis), *range(axis + 1, a.ndim)))  # np.moveaxis, faster

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        axis, ndim = self.axis, len(self.shape)
        back = (*range(1, axis + 1), 0, *range(axis + 1, ndim))  # the inverse permutation
        if isinstance(g, arrays.Slices):
            grad = np.zeros(self.shape, dtype=g.dtype)
            moved = (axis, *range(axis), *range(axis + 1, ndim))
            g.dense(grad if axis == 0 else grad.transpose(moved))
            return (grad,)  # written through the view: C order kept
        return (g if axis == 0 else g.transpose(back),)


class Pick(Function):
    """Part `index` of an `Unstack` node; its gradient is that one slice (`arrays.Slices`),
    or under create_graph a scatter node.

    >>> from autograd import Tensor
    >>> u = Unstack.apply(Tensor([[1.0, 2.0], [3.0, 4.0]]), axis=0)
    >>> Pick.apply(u, index=1)
    Tensor([3., 4.])
    """

    __slots__ = ("index", "shape")
    # no entries: Unstack's run it (`unstack` takes the parts apart with Pick)

    def forward(self, a: Any, index: int) -> Any:
        self.index, self.shape = index, a.shape
        return a[index]

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        if isinstance(g, Node):
            return (scatter(g, self.index, self.shape),)
        return (arrays.Slices({self.index: g}, self.shape, g.dtype),)


# ---------------------------------------------------------------------------------------
# A fused recurrent cell (Tensor): justified by speed, see LSTMCell


def _gate_constants(units: int, dtype: np.dtype) -> np.ndarray:
    """Rows `k`, `1 - k`, `k * k`, per column of the gates (i, f, c, o): `k` is 1/2 on the
    sigmoid gates, 1 on the tanh gate, so `tanh(z * k) * k + (1 - k)` is sigmoid(z) =
    tanh(z / 2) / 2 + 1/2 or tanh(z) (one tanh serves all four gates), and the gates'
    derivative is `(1 - t^2) * k^2`."""
    def make() -> np.ndarray:
        k = np.full((4, units), 0.5, dtype=dtype)
        k[2] = 1.0
        k = k.reshape(-1)
        return np.stack([k, 1 - k, k * k])

    return arrays._constant(("lstm gates", units, dtype), make)


class LSTMCell(Function):
    """Timestep `step` of Keras' LSTM: `seq` is an `Unstack` node of the input's projection
    (T, batch, 4 * units; bias included, gates i, f, c, o in Keras' order), `hc` the states
    stacked (2, batch, units), `kernel` the recurrent kernel (units, 4 * units). With
    `z = seq[step] + h @ kernel`: `c' = sigmoid(f) * c + sigmoid(i) * tanh(g)`,
    `h' = sigmoid(o) * tanh(c')`, returned stacked as (h', c'). One node per timestep instead of
    fourteen (an LSTM(32) train step over 20 steps: see benchmarks/README.md); the gradient is
    the cell's textbook backward, and `seq` gets only its timestep's slice (an
    `arrays.Slices`, stacked once by `Unstack`), so T steps cost O(T * step).

    >>> from autograd import Tensor
    >>> seq = Unstack.apply(Tensor(np.zeros((1, 1, 4)), requires_grad=True), axis=0)
    >>> hc = LSTMCell.apply(seq, Tensor([[[0.0]], [[1.0]]]), Tensor(np.ones((1, 4))), step=0)
    >>> hc.data.ravel().tolist()  # c' = 0.5 * 1 + 0.5 * 0, h' = 0.5 * tanh(0.5)
    [0.23105857863000487, 0.5]
    """

    __slots__ = ("step", "tanh_z", "gates", "tanh_c")
    name = "lstm_cell"
    wants_needs = True

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return t.recurrent_cell("lstm_cell", t.lstm_step, 3, t.np_lstm_step, t.cell_shapes)

    def forward(self, seq: Any, hc: Any, kernel: Any, step: int) -> Any:
        self.step = step
        u = hc.shape[-1]
        k, shift, _slope = _gate_constants(u, seq.dtype)
        z = hc[0] @ kernel
        z += seq[step]
        z *= k
        self.tanh_z = t = np.tanh(z, out=z)
        self.gates = gates = t * k
        gates += shift
        out = np.empty(hc.shape, dtype=hc.dtype)
        new_c = out[1]
        np.multiply(gates[:, u : 2 * u], hc[1], out=new_c)  # f * c + i * g
        new_c += gates[:, :u] * gates[:, 2 * u : 3 * u]
        self.tanh_c = tanh_c = np.tanh(new_c)
        np.multiply(gates[:, 3 * u :], tanh_c, out=out[0])
        return out

    def backward(self, g: Any, out: Any, seq: Any, hc: Any, kernel: Any,
                 needs: list[bool]) -> tuple[Any, Any, Any]:
        if isinstance(g, (np.ndarray, arrays.Slices)):
            return self._backward_arrays(g, seq, hc, kernel, needs)
        units, step = raw(hc).shape[-1], self.step
        k = _gate_constants(units, raw(seq).dtype)[0]
        h, c = hc[0], hc[1]
        # create_graph: the forward again, on nodes, then the formula of `_backward_arrays`
        t = Tanh.apply((getitem(seq, step) + h @ kernel) * k)
        gates = t * k + (1 - k)
        i, f, gate, o = (gates[:, j * units : (j + 1) * units] for j in range(4))
        tanh_c = Tanh.apply(f * c + i * gate)
        join: Any = lambda *parts, axis: Concatenate.apply(*parts, axis=axis)  # noqa: E731
        dh, dc = g[0], g[1]
        dc = dc + dh * o * (1 - tanh_c * tanh_c)
        # d gate / d z: sigmoid (1 - t^2) / 4, tanh 1 - t^2; both are (1 - t^2) * k^2
        dz = join(dc * gate, dc * c, dc * i, dh * tanh_c, axis=-1) * ((1 - t * t) * (k * k))
        dseq = scatter(dz, step, raw(seq).shape) if needs[0] else None
        dhc = None
        if needs[1]:
            new_shape = (1,) + raw(c).shape
            dhc = join((dz @ kernel.T).reshape(new_shape), (dc * f).reshape(new_shape), axis=0)
        return dseq, dhc, h.T @ dz if needs[2] else None

    def _backward_arrays(self, g: Any, seq: np.ndarray, hc: np.ndarray, kernel: np.ndarray,
                         needs: list[bool]) -> tuple[Any, Any, Any]:
        """The cell's backward on arrays, each product written where it goes (no joins)."""
        if isinstance(g, arrays.Slices):  # only the unstacked final states used it
            g = g.dense()
        u, dtype = hc.shape[-1], seq.dtype
        t, gates, tanh_c = self.tanh_z, self.gates, self.tanh_c
        h, c, dh = hc[0], hc[1], g[0]
        slope = tanh_c * tanh_c  # dc + dh * o * (1 - tanh_c^2), in that order
        np.subtract(1, slope, out=slope)
        dc = dh * gates[:, 3 * u :]
        dc *= slope
        dc += g[1]
        dz = np.empty(gates.shape, dtype)  # dc * g, dc * c, dc * i, dh * tanh_c
        np.multiply(dc, gates[:, 2 * u : 3 * u], out=dz[:, :u])
        np.multiply(dc, c, out=dz[:, u : 2 * u])
        np.multiply(dc, gates[:, :u], out=dz[:, 2 * u : 3 * u])
        np.multiply(dh, tanh_c, out=dz[:, 3 * u :])
        d_gates = t * t  # d gate / d z: sigmoid (1 - t^2) / 4, tanh 1 - t^2; both (1 - t^2) k^2
        np.subtract(1, d_gates, out=d_gates)
        d_gates *= _gate_constants(u, dtype)[2]
        dz *= d_gates
        dseq = arrays.Slices({self.step: dz}, seq.shape, dtype) if needs[0] else None
        dhc = None
        if needs[1]:
            dhc = np.empty(hc.shape, dtype)
            np.matmul(dz, kernel.T, out=dhc[0])
            np.multiply(dc, gates[:, u : 2 * u], out=dhc[1])
        return dseq, dhc, h.T @ dz if needs[2] else None


class GRUCell(Function):
    """Timestep `step` of Keras' GRU with `reset_after=True` (Keras 3's default), gates z, r,
    h: `seq` is an `Unstack` node of the input's projection (T, batch, 3 * units; its bias
    included), `h` the state (batch, units), `kernel` the recurrent kernel (units, 3 * units),
    `bias` the recurrent bias (3 * units,). With `inner = h @ kernel + bias` and
    `x = seq[step]`: `z, r = sigmoid(x[:, :2u] + inner[:, :2u])`,
    `hh = tanh(x[:, 2u:] + r * inner[:, 2u:])`, and the new state `hh + z * (h - hh)` (Keras'
    `z * h + (1 - z) * hh`). One node per timestep instead of about sixteen, as `LSTMCell`; the
    sigmoid is `tanh(a / 2) / 2 + 1/2`, finite at any input.

    >>> from autograd import Tensor
    >>> seq = Unstack.apply(Tensor(np.zeros((1, 1, 3))), axis=0)
    >>> one = Tensor([[1.0]])
    >>> GRUCell.apply(seq, one, Tensor(np.zeros((1, 3))), Tensor(np.zeros(3)), step=0).item()
    0.5
    """

    __slots__ = ("step", "zr", "hh", "inner_h")
    name = "gru_cell"
    wants_needs = True

    @staticmethod
    def entries(t: Any) -> tuple[OpSpec, ...]:
        return t.recurrent_cell("gru_cell", t.gru_step, 4, t.np_gru_step, t.gru_cell_shapes)

    def forward(self, seq: Any, h: Any, kernel: Any, bias: Any, step: int) -> Any:
        self.step = step
        u, x = h.shape[-1], seq[step]
        inner = h @ kernel
        inner += bias
        a = x[:, : 2 * u] + inner[:, : 2 * u]
        a *= 0.5
        self.zr = zr = np.tanh(a, out=a)
        zr *= 0.5
        zr += 0.5
        self.inner_h = inner_h = inner[:, 2 * u :]
        n = zr[:, u:] * inner_h
        n += x[:, 2 * u :]
        self.hh = hh = np.tanh(n, out=n)
        out = h - hh
        out *= zr[:, :u]
        out += hh
        return out

    def backward(self, g: Any, out: Any, seq: Any, h: Any, kernel: Any, bias: Any,
                 needs: list[bool]) -> tuple[Any, Any, Any, Any]:
        u, step = raw(h).shape[-1], self.step
        if isinstance(g, Node):  # create_graph: the forward again, on nodes, then the formula
            x = getitem(seq, step)
            inner = h @ kernel + bias
            zr = Tanh.apply((x[:, : 2 * u] + inner[:, : 2 * u]) * 0.5) * 0.5 + 0.5
            inner_h = inner[:, 2 * u :]
            hh = Tanh.apply(x[:, 2 * u :] + zr[:, u:] * inner_h)
            join: Any = lambda *parts: Concatenate.apply(*parts, axis=-1)  # noqa: E731
        else:
            if isinstance(g, arrays.Slices):  # only the unstacked final state used it
                g = g.dense()
            zr, hh, inner_h = self.zr, self.hh, self.inner_h
            join = lambda *parts: np.concatenate(parts, axis=-1)  # noqa: E731
        z, r = zr[:, :u], zr[:, u:]
        d_n = g * (1 - z) * (1 - hh * hh)  # through hh = tanh(n)
        d_zr = join(g * (h - hh), d_n * inner_h) * (zr * (1 - zr))  # sigmoid' = s (1 - s)
        d_inner = join(d_zr, d_n * r)
        dseq = None
        if needs[0]:
            dx = join(d_zr, d_n)
            shape = raw(seq).shape
            dseq = (scatter(dx, step, shape) if isinstance(dx, Node)
                    else arrays.Slices({step: dx}, shape, dx.dtype))
        dh = g * z + d_inner @ kernel.T if needs[1] else None
        dkernel = h.T @ d_inner if needs[2] else None
        dbias = None
        if needs[3]:
            dbias = (Sum.apply(d_inner, axis=0) if isinstance(d_inner, Node)
                     else arrays.column_sums(d_inner))
        return dseq, dh, dkernel, dbias
