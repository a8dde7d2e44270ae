"""`node.register_hook(fn)`: see or replace a node's gradient during backward (PyTorch's).

`fn(grad)` runs once the node's whole gradient is known, before it is stored in `.grad` (a
leaf) or passed on to the node's inputs (an op's result); a non-None return replaces it. The
hooks live here, keyed by the node's id, and leave with the node (a weak reference), so a node
with no hook costs nothing: backward takes its general path only while some hook exists.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

# id(node) -> (a weak reference to the node, its hooks in registration order)
HOOKS: dict[int, tuple[weakref.ref[Any], list[Callable[[Any], Any]]]] = {}


class RemovableHandle:
    """What `register_hook` returns: `remove()` takes the hook off again (PyTorch's handle).

    >>> from autograd import Tensor
    >>> w = Tensor([1.0, 2.0], requires_grad=True)
    >>> handle = w.register_hook(lambda g: g * 10)
    >>> (w * w).sum().backward()
    >>> w.grad
    array([20., 40.])
    >>> handle.remove()
    >>> w.grad = None
    >>> (w * w).sum().backward()
    >>> w.grad
    array([2., 4.])
    """

    def __init__(self, key: int, hook: Callable[[Any], Any]) -> None:
        self._key, self._hook = key, hook

    def remove(self) -> None:
        entry = HOOKS.get(self._key)
        if entry is not None and self._hook in entry[1]:
            entry[1].remove(self._hook)
            if not entry[1]:
                del HOOKS[self._key]


def register(node: Any, hook: Callable[[Any], Any]) -> RemovableHandle:
    """Add `hook` to `node` (see `Node.register_hook`)."""
    if not callable(hook):
        raise TypeError(f"register_hook expects a function of the gradient, received {hook!r}")
    if not node.requires_grad:
        raise RuntimeError(
            "register_hook on a node that does not require grad: no gradient will reach it "
            "(make the leaf with requires_grad=True, or hook a result of an op on one)"
        )
    from autograd.tracing import ACTIVE, note  # tracing imports this module's importer

    if ACTIVE[0] and node._fn is not None:  # a jit plan keeps no intermediate node to hook
        note("register_hook on a result inside the traced function")
    key = id(node)
    entry = HOOKS.get(key)
    if entry is None or entry[0]() is not node:
        entry = HOOKS[key] = (weakref.ref(node, lambda _: HOOKS.pop(key, None)), [])
    entry[1].append(hook)
    return RemovableHandle(key, hook)


def run(node: Any, grad: Any) -> Any:
    """`grad` after every hook of `node` has seen it (each may replace it)."""
    entry = HOOKS.get(id(node))
    if entry is None or entry[0]() is not node:
        return grad
    for hook in list(entry[1]):
        result = hook(grad)
        if result is not None:
            if getattr(result, "shape", ()) != getattr(grad, "shape", ()):
                raise ValueError(
                    f"a hook of {type(node).__name__} (shape {getattr(grad, 'shape', ())}) "
                    f"returned a gradient of shape {getattr(result, 'shape', ())}; it must "
                    "return one of the same shape, or None to keep the gradient"
                )
            grad = result
    return grad
