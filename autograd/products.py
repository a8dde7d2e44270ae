"""`vjp` and `jvp`: a Jacobian times a vector, without forming the Jacobian (PyTorch's).

`torch.autograd.functional.vjp(func, inputs, v)` gives `(func(inputs), v^T J)`; `jvp` gives
`(func(inputs), J v)`. Reverse mode makes `v^T J` one backward pass. `J v` is the double-vjp
trick PyTorch uses too: `u -> u^T J` is linear in `u`, so the gradient of `(u^T J) . v` with
respect to `u` is `J v`; two backward passes, the first with `create_graph=True`.

Inputs are Tensors (or arrays/lists, taken as float64 Tensors), one or a tuple, as PyTorch;
results come back in the same structure, detached unless `create_graph=True`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.engine import enable_grad, run_backward
from autograd.tensor import Tensor


def vjp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """`(func(*inputs), v^T J)`: PyTorch's `torch.autograd.functional.vjp`.

    `v` has the output's shape (it may be left out for a one-element output).

    >>> f = lambda x: x * x
    >>> out, g = vjp(f, Tensor([1.0, 2.0]), v=Tensor([1.0, 10.0]))
    >>> out, g
    (Tensor([1., 4.]), Tensor([ 2., 40.]))
    """
    single, xs = _variables(inputs, "vjp", create_graph)
    out = _call(func, xs, "vjp")
    seed = _vector(v, out._data.shape, "vjp", "the output")
    grads = run_backward(out, seed, retain_graph=create_graph, create_graph=create_graph,
                         inputs=xs) if out.requires_grad else {}
    found = _per_input(xs, grads or {}, strict, "vjp", create_graph)
    return _result(out, create_graph), found[0] if single else found


def jvp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """`(func(*inputs), J v)`: PyTorch's `torch.autograd.functional.jvp`.

    `v` has the inputs' shapes (a tuple for a tuple of inputs; it may be left out for one
    one-element input).

    >>> f = lambda x: x * x
    >>> out, d = jvp(f, Tensor([1.0, 2.0]), v=Tensor([1.0, 10.0]))
    >>> d  # J = diag(2x)
    Tensor([ 2., 40.])
    """
    single, xs = _variables(inputs, "jvp", True)
    vs = [v] if single else (list(v) if v is not None else [None] * len(xs))
    if len(vs) != len(xs):
        raise ValueError(f"jvp: {len(xs)} inputs but {len(vs)} vectors in v")
    tangents = [_vector(t, x._data.shape, "jvp", f"input {i}") for i, (x, t) in
                enumerate(zip(xs, vs))]
    out = _call(func, xs, "jvp")
    u = Tensor(np.zeros_like(out._data), requires_grad=True)  # the vjp's vector, a variable
    with enable_grad():
        grads = run_backward(out, u, create_graph=True, inputs=xs) if out.requires_grad else {}
        found = _per_input(xs, grads or {}, strict, "jvp", True)
        total = None
        for g, t in zip(found, tangents):
            if g.requires_grad:
                term = (g * t).sum()
                total = term if total is None else total + term
    if total is None:  # nothing depends on u: J is zero
        jv = Tensor(np.zeros_like(out._data))
    else:
        grads_u = run_backward(total, None, retain_graph=create_graph, create_graph=create_graph,
                             inputs=[u]) or {}
        got = grads_u.get(u)
        jv = Tensor(np.zeros_like(out._data)) if got is None else got
    if not isinstance(jv, Tensor):
        jv = Tensor(jv)
    return _result(out, create_graph), jv if create_graph else jv.detach()


def _variables(inputs: Any, caller: str, connected: bool) -> tuple[bool, list[Tensor]]:
    """(one input?, the leaves `func` is called on): fresh leaves that require grad."""
    single = not isinstance(inputs, (tuple, list))
    items = [inputs] if single else list(inputs)
    if not items:
        raise ValueError(f"{caller} needs at least one input, received {inputs!r}")
    xs = []
    for i, x in enumerate(items):
        if not isinstance(x, Tensor):
            if hasattr(x, "grad"):  # a Value
                raise TypeError(f"{caller} takes Tensors (as PyTorch), received {x!r} at {i}")
            x = Tensor(x, dtype=np.float64)
        # PyTorch differentiates with respect to the inputs themselves when create_graph is
        # set (the result stays connected to them); otherwise with respect to fresh copies
        xs.append(x if connected and x.requires_grad else Tensor(x._data, requires_grad=True))
    return single, xs


def _call(func: Callable[..., Any], xs: list[Tensor], caller: str) -> Tensor:
    with enable_grad():
        out = func(*xs)
    if not isinstance(out, Tensor):
        raise TypeError(
            f"{caller}: func must return a Tensor, received {type(out).__name__} ({out!r})"
        )
    return out


def _vector(v: Any, shape: tuple[int, ...], caller: str, what: str) -> Any:
    """`v` as an array of `shape` (ones for a one-element shape when left out)."""
    if v is None:
        if int(np.prod(shape)) != 1:
            raise ValueError(
                f"{caller}: v may be left out only when {what} has one element; it has "
                f"shape {shape}"
            )
        return np.ones(shape)
    array = v if isinstance(v, Tensor) else Tensor(v, dtype=np.float64)
    if array.shape != shape:
        raise ValueError(
            f"{caller}: v for {what} must have shape {shape}, received shape {array.shape}"
        )
    return array if array.requires_grad else array._data


def _per_input(
    xs: list[Tensor], grads: dict[Any, Any], strict: bool, caller: str, as_nodes: bool
) -> list[Any]:
    found = []
    for i, x in enumerate(xs):
        g = grads.get(x)
        if g is None:
            if strict:
                raise RuntimeError(
                    f"{caller}: the output does not depend on input {i} (strict=True); "
                    "strict=False gives zeros for it"
                )
            g = np.zeros_like(x._data)
        if not isinstance(g, Tensor):
            g = Tensor(g)
        found.append(g if as_nodes else g.detach())
    return found


def _result(out: Tensor, create_graph: bool) -> Tensor:
    return out if create_graph else out.detach()
