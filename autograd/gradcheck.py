"""Finite-difference gradient checking: the engine's answers against central differences."""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from autograd.engine import Node, no_grad, run_backward
from autograd.tensor import Tensor
from autograd.value import Value


class GradcheckError(AssertionError):
    """The engine's gradient disagrees with the finite-difference estimate."""


def _inputs_to_check(inputs: tuple[Any, ...]) -> list[tuple[int, Node]]:
    return [(i, x) for i, x in enumerate(inputs) if isinstance(x, Node) and x.requires_grad]


def _flat_output(out: Any) -> np.ndarray:
    if isinstance(out, Node):
        out = out.data
    return np.asarray(out, dtype=np.float64).reshape(-1)


def numerical_jacobian(
    fn: Callable[..., Any], inputs: tuple[Any, ...], node: Node, eps: float
) -> np.ndarray:
    """d out / d node by central differences: one column per element of `node`."""
    columns = []
    with no_grad():
        if isinstance(node, Value):
            original = node.data
            node.data = original + eps
            plus = _flat_output(fn(*inputs))
            node.data = original - eps
            minus = _flat_output(fn(*inputs))
            node.data = original
            columns.append((plus - minus) / (2 * eps))
        else:
            flat = node.data.reshape(-1)  # a view: writing it perturbs the input
            assert np.shares_memory(flat, node.data), "gradcheck needs a contiguous input"
            for k in range(flat.size):
                original = flat[k]
                flat[k] = original + eps
                plus = _flat_output(fn(*inputs))
                flat[k] = original - eps
                minus = _flat_output(fn(*inputs))
                flat[k] = original
                columns.append((plus - minus) / (2 * eps))
    return np.stack(columns, axis=1) if columns else np.zeros((0, 0))


def analytical_jacobian(out: Node, nodes: list[Node]) -> list[np.ndarray]:
    """d out / d node from the engine, one backward pass per output element."""
    size = int(np.asarray(out.data).size)
    rows: list[list[np.ndarray]] = [[] for _ in nodes]
    for i in range(size):
        if isinstance(out, Value):
            seed: Any = 1.0
        else:
            seed = np.zeros(out.data.size, dtype=out.data.dtype)
            seed[i] = 1
            seed = seed.reshape(out.data.shape)
        found = run_backward(out, seed, retain_graph=True, inputs=nodes)
        assert found is not None
        for j, node in enumerate(nodes):
            grad = found.get(node)
            shape = np.shape(node.data)
            rows[j].append(np.zeros(shape).reshape(-1) if grad is None else _flat_output(grad))
    return [np.stack(r, axis=0) for r in rows]


def gradcheck(
    fn: Callable[..., Any],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Compare the engine's full Jacobian of `fn(*inputs)` with central differences.

    Inputs that are nodes requiring grad are checked; anything else is passed through.
    Returns True, or raises `GradcheckError` naming the output element, the input, the
    element index and both values.

    >>> from autograd import Tensor, gradcheck
    >>> x = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    >>> gradcheck(lambda t: (t * t).tanh(), x)
    True
    """
    checked = _inputs_to_check(inputs)
    if not checked:
        raise ValueError("gradcheck needs at least one input that requires grad")
    for position, node in checked:
        if isinstance(node, Tensor) and node.data.dtype != np.float64:
            warnings.warn(
                f"gradcheck input {position} has dtype {node.data.dtype}, not float64: "
                f"finite differences with eps={eps} will be inaccurate",
                stacklevel=2,
            )
    out = fn(*inputs)
    if not isinstance(out, Node):
        raise TypeError(f"gradcheck: fn must return a Value or a Tensor, received {out!r}")
    nodes = [node for _, node in checked]
    if not out.requires_grad:
        analytical = [np.zeros((_flat_output(out).size, np.size(n.data))) for n in nodes]
    else:
        analytical = analytical_jacobian(out, nodes)
    for (position, node), exact in zip(checked, analytical):
        numeric = numerical_jacobian(fn, inputs, node, eps)
        bad = ~np.isclose(exact, numeric, atol=atol, rtol=rtol, equal_nan=True)
        if bad.any():
            i, k = (int(v) for v in np.argwhere(bad)[0])
            raise GradcheckError(
                f"Jacobian mismatch for output {_index(out, i)} with respect to input "
                f"{position} at element {_index(node, k)}:\n"
                f"  numerical:  {numeric[i, k]!r}\n  analytical: {exact[i, k]!r}\n"
                f"  ({int(bad.sum())} of {bad.size} Jacobian entries differ)"
            )
    return True


def _index(node: Any, flat: int) -> Any:
    shape = np.shape(node.data)
    return tuple(int(v) for v in np.unravel_index(flat, shape)) if shape else ()
