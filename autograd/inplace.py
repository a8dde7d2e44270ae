"""`t += x` and the other in-place operators of `Tensor` (issue 17, item 7).

Python turns `t += x` into `t = t + x` when a class has no `__iadd__`: on a weight that
requires grad this silently swapped the leaf for a new node, and its gradient was lost. The
rules, PyTorch's where they can be (https://pytorch.org/docs/stable/notes/autograd.html,
"In-place operations with autograd"):

- a leaf that requires grad, while grad is recorded: RuntimeError (PyTorch's rule), saying
  to write `t = t + x` or to update it under `no_grad()`;
- nothing to record (grad off, or neither side requires grad): the array is changed in place,
  keeping the tensor (a weight stays the same leaf), and the change is watched like a write
  to `.data`: a graph that saved the old numbers raises in backward;
- a result that needs recording (a node of a graph, or a constant plus a weight): a new node,
  `t = t + x`. PyTorch records an in-place op instead; a new node gives the same gradients
  and leaves the old node intact for graphs that used it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.engine import Node
from autograd.modes import is_grad_enabled
from autograd.mutation import CLOCK
from autograd.tracing import ACTIVE, note


def in_place(symbol: str, ufunc: np.ufunc, operator: Callable[[Any, Any], Any]) -> Any:
    """The method `t <symbol> x` (e.g. `+=`) built from `ufunc` and the out-of-place operator.

    >>> from autograd import Tensor, no_grad
    >>> w = Tensor([1.0, 2.0], requires_grad=True)
    >>> with no_grad():
    ...     w -= 0.5
    >>> w, w.is_leaf
    (Tensor([0.5, 1.5], requires_grad=True), True)
    >>> w += 1.0
    Traceback (most recent call last):
    ...
    RuntimeError: w += ...: w is a leaf that requires grad, ...
    """

    def method(self: Any, other: Any) -> Any:
        grad_on = is_grad_enabled()
        if grad_on and self.requires_grad and self._fn is None:
            raise RuntimeError(
                f"w {symbol} ...: w is a leaf that requires grad, and changing it in place "
                f"would lose its gradient (PyTorch refuses it too). Write w = w {symbol[0]} ... "
                f"for a new node, or update the weight under `with no_grad(): w {symbol} ...`"
            )
        records = grad_on and (
            self.requires_grad or (isinstance(other, Node) and other.requires_grad)
        )
        if records:
            return operator(self, other)
        if ACTIVE[0]:
            note(f"an in-place {symbol}")
        value = other._data if isinstance(other, Node) else other
        data = self._data
        try:
            ufunc(data, value, out=data, casting="same_kind")
        except (TypeError, ValueError) as error:
            shape = np.shape(value)
            raise ValueError(
                f"Tensor {symbol}: cannot update an array of shape {data.shape} and dtype "
                f"{data.dtype} in place with {type(value).__name__} of shape {shape}: {error}"
            ) from None
        CLOCK[0] = self._touched = CLOCK[0] + 1  # watched as a write to .data
        return self

    method.__name__ = f"__i{ufunc.__name__}__"
    return method
