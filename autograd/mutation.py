"""Catch a tensor's data changed between the forward pass and backward (issue 16, item 1).

Backward reads each op's inputs, and sometimes its output, from the nodes themselves. So
`x.data[:] = 100` (or `w.data = new`, or an optimizer step) after the loss was computed and
before `loss.backward()` silently changes the gradient: the numbers no longer belong to the
forward pass that made the loss. PyTorch raises "modified by an inplace operation"; so do we.

How, at no cost on the hot paths: every access to `Tensor.data` or `Tensor.numpy()` from
outside the engine (a read may be a write: `t.data[:] = 0` writes through it) advances `CLOCK`
and stamps the tensor's `_touched`; each tensor stamps `_born` with the clock when it is made.
`backward()` compares one number: if the clock has not moved since the root was made, nothing
was touched. Otherwise `verify_unchanged` recomputes each op downstream of a tensor touched
after the op used it and compares with what the op recorded: equal numbers pass (a read, or a
write of the same values), different ones raise `RuntimeError` naming the tensor and the op.

Not seen: writes into an array obtained before the forward pass (`a = x.data`, forward, then
`a[:] = 0`), into the numpy array a tensor was made from, or into a raw array passed to an op
as a constant. `Value` holds an immutable float: its data cannot change under a graph.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd.backprop import topological_order
from autograd.engine import Node

# The clock every watched access advances (a list: one shared, mutable int)
CLOCK = [0]


def verify_unchanged(root: Any) -> None:
    """Raise RuntimeError if an op of `root`'s graph no longer matches its recorded output.

    >>> from autograd import Tensor
    >>> w, x = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0])
    >>> y = (w * x).sum()
    >>> x.data[:] = 100
    >>> verify_unchanged(y)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    RuntimeError: the data of a Tensor of shape (2,) was changed after op '*' used it ...
    """
    # id of a node whose data may differ from what its users recorded -> the tensors whose
    # touch it follows from (a view of a changed tensor changes with it)
    origins: dict[int, list[Any]] = {}
    for node in topological_order(root):
        fn = node._fn
        if fn is None:
            continue
        born = node._born  # type: ignore[attr-defined]
        culprits: list[Any] = []
        for p in node._parents:
            if isinstance(p, Node):
                if id(p) in origins:
                    culprits += origins[id(p)]
                elif getattr(p, "_touched", 0) > born or _constant_view(p):
                    culprits.append(p)
        if getattr(node, "_touched", 0) > born:
            culprits.append(node)
        if not culprits:
            continue
        origins[id(node)] = culprits
        if not _still_matches(node):
            raise RuntimeError(_message(node, culprits))


def _constant_view(node: Any) -> bool:
    """A leaf made by ops under no grad (a reshape of a constant) may view another tensor's
    array: a write there changes it unseen, so it is checked whenever the clock moved."""
    data = node._data
    return node._fn is None and isinstance(data, np.ndarray) and data.base is not None


def _still_matches(node: Any) -> bool:
    """True when the op, run again on its inputs as they are now, gives its recorded output."""
    fn = node._fn
    raws = [p._data if isinstance(p, Node) else p for p in node._parents]
    params = getattr(fn, "params", None) or {}
    try:
        # changed inputs may leave the op's domain (log of a negative): a warning there would
        # only repeat what the error below says
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            again = fn.forward(*raws, **params)
    except Exception:  # inputs changed beyond what the op accepts: certainly not the same
        return False
    recorded = node._data
    if not isinstance(again, np.ndarray) or not isinstance(recorded, np.ndarray):
        return bool(np.array_equal(again, recorded))
    nan_equal = again.dtype.kind in "fc" and recorded.dtype.kind in "fc"
    return bool(np.array_equal(again, recorded, equal_nan=nan_equal))


def _message(node: Any, culprits: list[Any]) -> str:
    def who(t: Any) -> str:
        name = f" '{t.label}'" if t.label else ""
        return f"a Tensor{name} of shape {t._data.shape}"

    unique = list({id(t): t for t in culprits}.values())
    changed = " and ".join(who(t) for t in unique)
    return (
        f"the data of {changed} was changed after op '{node.op}' used it in the forward pass "
        "(an in-place write such as x.data[...] = ..., x.data = ..., or an optimizer step): "
        "backward would mix old and new numbers and give a wrong gradient. Compute the "
        "forward pass again after changing the data, or change it after backward()."
    )
