"""`Value`: one float in the graph, micrograd's scalar with the engine behind it."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

from autograd import ops
from autograd.arithmetic import Arithmetic
from autograd.engine import NO_GRAD, Function, Node, apply_binary, shared
from autograd.modes import PLAIN, current_mode
from autograd.tracing import ACTIVE as _TRACING
from autograd.tracing import note

_new = object.__new__


def _as_float(data: Any, what: str = "Value") -> float:
    if isinstance(data, numbers.Real):  # int, float, bool and numpy's real scalars
        return float(data)
    if isinstance(data, Node):  # a Tensor: copying its number would cut its graph
        raise TypeError(
            f"{what} expects a real number or a Value, received a {type(data).__name__} "
            f"({data!r}): no op links it to a Value, so its gradient would be lost; use "
            "Value(t.item()) for a constant"
        )
    if getattr(data, "shape", None) == () and getattr(data, "dtype", None) is not None:
        if data.dtype.kind in "biuf":  # a 0-d numpy array
            return float(data)
    raise TypeError(
        f"{what} expects a real number or a Value, received {data!r} (type {type(data).__name__})"
    )


def _operator(fn: Function) -> Callable[[Value, Any], Value]:
    """The method `a + b` (or `a * b`, ...) of a Value: `apply_binary(fn, a, b)`, the node
    built right here.

    On floats an op's arithmetic is nothing and the engine's generic path (two more calls, a
    second look at the mode) is most of its cost: this builds the node in the operator call
    itself (micrograd's demo, forward: 29 -> 14 ms). Grad off, an anomaly monitor, or a right
    operand of a Value subclass take the generic path; the node has the left operand's class.

    >>> mul = _operator(shared(ops.Mul))
    >>> a = Value(2.0)
    >>> mul(a, 3.0), mul(a, a).parents
    (Value(data=6.0, grad=0.0), (Value(data=2.0, grad=0.0), Value(data=2.0, grad=0.0)))
    """
    forward = fn.forward

    def method(a: Value, b: Any) -> Value:
        if b.__class__ is Value:
            y = b._data
            needs_grad = a.requires_grad or b.requires_grad
        else:
            if b.__class__ is not float:
                b = a._lift(b)
                if isinstance(b, Node):  # a subclass of Value
                    return apply_binary(fn, a, b)  # type: ignore[no-any-return]
            y = b
            needs_grad = a.requires_grad
        if current_mode() is not PLAIN:
            return apply_binary(fn, a, b)  # type: ignore[no-any-return]
        node = _new(a.__class__)  # a subclass of Value keeps its class
        node._data = forward(a._data, y)
        node.grad = NO_GRAD
        node.label = None
        node._g = None
        node._n = 0
        if needs_grad:
            node.requires_grad = True
            node._fn = fn
            node._a = a
            node._b = b
        else:
            node.requires_grad = False
            node._fn = node._a = node._b = None
        return node

    method.__name__ = f"__{type(fn).__name__.lower()}__"
    return method


class Value(Arithmetic, Node):
    """A scalar that records the operations applied to it.

    Every node keeps its `.grad` after `backward()` (as in micrograd), so a whole expression
    can be inspected or drawn.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + a ** 2
    >>> c.backward()
    >>> c.data, a.grad, b.grad
    (-2.0, 1.0, 2.0)
    """

    __slots__ = ()
    _keeps_all_grads = True

    def __init__(self, data: Any, label: str | None = None, requires_grad: bool = True) -> None:
        if isinstance(data, Value):
            data = data._data
        self._data = _as_float(data)
        self.grad = NO_GRAD
        self.requires_grad = requires_grad
        self.label = label
        self._fn = None
        self._a = self._b = None
        self._g = None
        self._n = 0

    @classmethod
    def _from_op(cls, data: Any, fn: Function | None, a: Any = None, b: Any = None) -> Value:
        node = cls.__new__(cls)
        node._data = data
        node.grad = NO_GRAD
        node.requires_grad = fn is not None
        node.label = None
        node._fn = fn
        node._a = a
        node._b = b
        node._g = None
        node._n = 0
        return node

    # `+` and `*` are nearly every node of a scalar graph: each built in one call
    __add__ = __radd__ = _operator(shared(ops.Add))
    __mul__ = __rmul__ = _operator(shared(ops.Mul))

    def _lift(self, other: Any) -> Any:
        if isinstance(other, Value):
            return other
        if type(other) is float:
            return other
        return _as_float(other, what="Value arithmetic")

    def _seed(self, gradient: Any) -> Any:
        if gradient is None:
            return 1.0
        if isinstance(gradient, Value):
            return gradient
        return _as_float(gradient, what="Value.backward(gradient)")

    def _store_grad(self, grad: Any, fresh: bool = True) -> None:
        self.grad = grad if self.grad is None else self.grad + grad

    def zero_grad(self) -> None:
        """Set `.grad` back to 0.0 (gradients accumulate across backward calls otherwise).

        >>> x = Value(3.0)
        >>> (x * x).backward()
        >>> x.grad
        6.0
        >>> x.zero_grad()
        >>> x.grad
        0.0
        """
        self.grad = NO_GRAD

    def detach(self) -> Value:
        """The same number as a new leaf that does not require grad: gradients stop there.

        >>> x = Value(3.0)
        >>> (x * x.detach()).backward()  # d/dx of x * c is c
        >>> x.grad
        3.0
        """
        return Value(self._data, label=self.label, requires_grad=False)

    @property
    def data(self) -> float:
        """The number itself. Assigning it (micrograd's update, `p.data -= lr * p.grad`)
        takes any real number and refuses anything else at once.

        >>> v = Value(2.0)
        >>> v.data -= 0.5
        >>> v.data
        1.5
        >>> v.data = "abc"
        Traceback (most recent call last):
        ...
        TypeError: Value.data expects a real number or a Value, received 'abc' (type str)
        """
        if _TRACING[0]:
            note("a read of Value.data")
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = _as_float(value, "Value.data")

    def item(self) -> float:
        """The number as a Python float (also `float(v)`), as PyTorch's `item()`.

        >>> (Value(2.0) * 3).item()
        6.0
        """
        return self._data

    def __float__(self) -> float:
        return self._data

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        grad = self.grad if not isinstance(self.grad, Node) else self.grad._data
        return f"Value(data={self._data!r}, grad={grad!r}{label})"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> Any:
        """Jupyter shows the repr and, for a node an op made, its graph as inline SVG.

        >>> Value(2.0)._repr_mimebundle_()  # a leaf is one box: its repr is enough
        {'text/plain': 'Value(data=2.0, grad=0.0)'}
        """
        from autograd.display import node_bundle  # a notebook's concern, loaded on first use

        return node_bundle(self, include, exclude)
