"""Operators and elementwise math shared by `Value` and `Tensor`, written once.

Each method lifts the other operand with the node type's `_lift` (a float for `Value`, an
array of the tensor's dtype for `Tensor`) and applies a primitive from `ops.py`. Subtraction,
division, `sqrt` and powers with a node exponent are compositions, so they need no backward.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import ops
from autograd.engine import Node, apply_binary, apply_unary, raw, shared
from autograd.tracing import replayed, watching

# The shared instances of the stateless primitives, for the hot paths.
_ADD, _MUL, _NEG = shared(ops.Add), shared(ops.Mul), shared(ops.Neg)
_EXP, _LOG, _TANH = shared(ops.Exp), shared(ops.Log), shared(ops.Tanh)
_SIGMOID, _RELU, _ABS = shared(ops.Sigmoid), shared(ops.Relu), shared(ops.Abs)


@replayed
def _negative(a: np.ndarray) -> np.ndarray:
    return -a


@replayed
def _reciprocal(a: np.ndarray) -> np.ndarray:
    return ops.power(a, -1)  # type: ignore[no-any-return]


def _watched(other: Any) -> bool:
    """True for an array operand while jit traces or checks a plan: `x - a` and `x / a`
    negate or invert `a` first, which a plan must redo on each call's array (a replayed
    call; numpy's own `-a` would be frozen at the trace's). The graph is the eager one."""
    return isinstance(other, np.ndarray) and other.ndim > 0 and watching()


class Arithmetic:
    """Mixin: everything a `Value` and a `Tensor` compute the same way.

    `+ - * /` and `**` take a node or a plain number on either side (`2 - x`, `1 / x`); for a
    `Tensor` also an array, broadcast as numpy does. `-x`, `abs(x)` and comparisons (on the
    data, not differentiable) work too.

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> y = 3 * x - 1 / x + (x - 4) / 2
    >>> y.backward()
    >>> y.data, x.grad
    (4.5, 3.75)
    """

    __slots__ = ()
    # numpy defers to our reflected operators instead of converting us: `ndarray * node`.
    __array_ufunc__ = None

    data: Any

    def _lift(self, other: Any) -> Any:
        """A node of this type unchanged, else raw data of a matching kind (or TypeError)."""
        raise NotImplementedError

    # -- + - * / ---------------------------------------------------------------------------
    # The node always goes first: + and * commute, and the hot path wants a node there.
    def __add__(self, other: Any) -> Any:
        if other.__class__ is not self.__class__:
            other = self._lift(other)
        return apply_binary(_ADD, self, other)

    __radd__ = __add__

    def __sub__(self, other: Any) -> Any:
        if other.__class__ is not self.__class__:
            other = self._lift(other)
        if isinstance(other, Node):
            return apply_binary(_ADD, self, apply_unary(_NEG, other))
        return apply_binary(_ADD, self, _negative(other) if _watched(other) else -other)

    def __rsub__(self, other: Any) -> Any:
        return apply_binary(_ADD, apply_unary(_NEG, self), self._lift(other))

    def __mul__(self, other: Any) -> Any:
        if other.__class__ is not self.__class__:
            other = self._lift(other)
        return apply_binary(_MUL, self, other)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Any:
        other = self._lift(other)
        if isinstance(other, Node):
            return apply_binary(_MUL, self, ops.Pow.apply(other, exponent=-1))
        # a constant divisor folds into one multiply (by inf for 0, as numpy divides)
        return apply_binary(_MUL, self, _reciprocal(other) if _watched(other)
                            else ops.power(other, -1))

    def __rtruediv__(self, other: Any) -> Any:
        return apply_binary(_MUL, ops.Pow.apply(self, exponent=-1), self._lift(other))

    def __neg__(self) -> Any:
        return apply_unary(_NEG, self)

    def __pos__(self) -> Any:
        return self

    # -- powers ----------------------------------------------------------------------------
    def __pow__(self, exponent: Any) -> Any:
        """`self ** exponent`; a negative base needs an integer exponent (no complex results).

        The exponent may be a number or a node (then it gets a gradient too, `log(base) * out`).

        >>> from autograd import Value
        >>> base, exponent = Value(2.0), Value(3.0)
        >>> (base ** exponent).backward()
        >>> base.grad, round(exponent.grad, 4), (Value(-2.0) ** 3).data
        (12.0, 5.5452, -8.0)
        """
        exponent = self._lift(exponent)
        if not isinstance(exponent, Node):
            return ops.Pow.apply(self, exponent=exponent)
        return ops.Power.apply(self, exponent)

    def __rpow__(self, base: Any) -> Any:
        return ops.Power.apply(self._lift(base), self)

    # -- elementwise functions -------------------------------------------------------------
    def exp(self) -> Any:
        """e ** self, elementwise; its gradient is the output itself.

        >>> from autograd import Value
        >>> x = Value(1.0)
        >>> x.exp().backward()
        >>> round(x.grad, 4)
        2.7183
        """
        return apply_unary(_EXP, self)

    def log(self) -> Any:
        """Natural logarithm, elementwise (-inf at 0, nan below, as numpy); gradient 1/x.

        >>> from autograd import Value
        >>> x = Value(2.0)
        >>> x.log().backward()
        >>> x.grad
        0.5
        """
        return apply_unary(_LOG, self)

    def tanh(self) -> Any:
        """Hyperbolic tangent, elementwise; gradient 1 - tanh(x)**2.

        >>> from autograd import Value
        >>> x = Value(0.5)
        >>> y = x.tanh()
        >>> y.backward()
        >>> round(y.data, 4), round(x.grad, 4)
        (0.4621, 0.7864)
        """
        return apply_unary(_TANH, self)

    def sigmoid(self) -> Any:
        """1 / (1 + e**-x), stable for any input: sigmoid(-1000) is 0.0, sigmoid(1000) is 1.0.

        >>> from autograd import Tensor
        >>> Tensor([-1000.0, 0.0, 1000.0]).sigmoid()
        Tensor([0. , 0.5, 1. ])
        """
        return apply_unary(_SIGMOID, self)

    def relu(self) -> Any:
        """max(x, 0), elementwise; the gradient is 1 where x > 0, else 0 (also at 0).

        >>> from autograd import Tensor
        >>> x = Tensor([-1.0, 0.0, 2.0], requires_grad=True)
        >>> x.relu().sum().backward()
        >>> x.relu(), x.grad
        (Tensor([0., 0., 2.], requires_grad=True), array([0., 0., 1.]))
        """
        return apply_unary(_RELU, self)

    def abs(self) -> Any:
        """|x|, elementwise (also `abs(x)`); the gradient is sign(x).

        >>> from autograd import Tensor
        >>> x = Tensor([-3.0, 2.0], requires_grad=True)
        >>> abs(x).sum().backward()
        >>> x.abs(), x.grad
        (Tensor([3., 2.], requires_grad=True), array([-1.,  1.]))
        """
        return apply_unary(_ABS, self)

    def __abs__(self) -> Any:
        return apply_unary(_ABS, self)

    def sqrt(self) -> Any:
        """Square root, elementwise: `self ** 0.5`.

        >>> from autograd import Tensor
        >>> x = Tensor([1.0, 4.0], requires_grad=True)
        >>> x.sqrt().sum().backward()
        >>> x.sqrt(), x.grad
        (Tensor([1., 2.], requires_grad=True), array([0.5 , 0.25]))
        """
        return ops.Pow.apply(self, exponent=0.5)

    # -- comparisons look at the data and are not differentiable ---------------------------
    def __lt__(self, other: Any) -> Any:
        return self.data < raw(other)

    def __le__(self, other: Any) -> Any:
        return self.data <= raw(other)

    def __gt__(self, other: Any) -> Any:
        return self.data > raw(other)

    def __ge__(self, other: Any) -> Any:
        return self.data >= raw(other)
