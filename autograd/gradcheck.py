"""Finite-difference gradient checking: the engine's answers against central differences."""

from __future__ import annotations

import functools
import warnings
from functools import partial
from typing import Any, Callable

import numpy as np

from autograd.engine import Function, Node, enable_grad, no_grad, run_backward, topological_order
from autograd.tensor import Tensor
from autograd.value import Value


class GradcheckError(AssertionError):
    """The engine's gradient disagrees with the finite-difference estimate.

    An `AssertionError`, so a failed `gradcheck` inside a test reads as a test failure.

    >>> from autograd import Function, GradcheckError, Value, gradcheck
    >>> class Square(Function):
    ...     __slots__ = ()
    ...     def forward(self, x):
    ...         return x * x
    ...     def backward(self, grad, out, x):
    ...         return (grad * x,)  # wrong: should be 2 * x
    >>> try:
    ...     gradcheck(Square.apply, Value(3.0))
    ... except GradcheckError as error:
    ...     print(str(error).splitlines()[0])
    Jacobian mismatch for output () with respect to input 0 at element ():
    """


def _inputs_to_check(inputs: tuple[Any, ...]) -> list[tuple[int, Node]]:
    return [(i, x) for i, x in enumerate(inputs) if isinstance(x, Node) and x.requires_grad]


def _flat_output(out: Any) -> np.ndarray:
    if isinstance(out, Node):
        out = out._data
    # a copy: an output may be a view of the input (reshape, transpose) that the next
    # perturbation would change under our feet
    return np.array(out, dtype=np.float64).reshape(-1)


def numerical_jacobian(
    fn: Callable[..., Any], inputs: tuple[Any, ...], node: Node, eps: float
) -> np.ndarray:
    """d out / d node by central differences: one column per element of `node`.

    `fn(*inputs)` is re-run with each element of `node` (one of `inputs`) moved by +-eps.

    >>> from autograd import Tensor
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> numerical_jacobian(lambda t: t * t, (x,), x, eps=1e-6).round(6)
    array([[2., 0.],
           [0., 4.]])
    """

    def column(original: Any, put: Callable[[Any], None]) -> np.ndarray:
        """Outputs' central difference as `put` sets the perturbed element to original +- eps."""
        put(original + eps)
        plus = _flat_output(fn(*inputs))
        put(original - eps)
        minus = _flat_output(fn(*inputs))
        put(original)
        return (plus - minus) / (2 * eps)

    columns = []
    with no_grad():
        if isinstance(node, Value):
            columns.append(column(node._data, lambda v: setattr(node, "data", v)))
        else:
            data = node._data  # element by element in C order, whatever its layout (a transpose)
            for k in np.ndindex(data.shape):
                columns.append(column(data[k], partial(data.__setitem__, k)))
    return np.stack(columns, axis=1) if columns else np.zeros((0, 0))


def analytical_jacobian(out: Node, nodes: list[Node]) -> list[np.ndarray]:
    """d out / d node from the engine, one backward pass per output element.

    >>> from autograd import Tensor
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> analytical_jacobian(x * x, [x])
    [array([[2., 0.],
           [0., 4.]])]
    """
    size = int(np.asarray(out._data).size)
    rows: list[list[np.ndarray]] = [[] for _ in nodes]
    for i in range(size):
        if isinstance(out, Value):
            seed: Any = 1.0
        else:
            seed = np.zeros(out._data.size, dtype=out._data.dtype)
            seed[i] = 1
            seed = seed.reshape(out._data.shape)
        found = run_backward(out, seed, retain_graph=True, inputs=nodes)
        assert found is not None
        for j, node in enumerate(nodes):
            grad = found.get(node)
            shape = np.shape(node._data)
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
    _check_inputs("gradcheck", inputs, eps)
    mismatch = _first_mismatch(fn, inputs, eps, atol, rtol)
    if mismatch is None:
        return True

    def local_check(op: Callable[..., Any], args: tuple[Any, ...]) -> str | None:
        found = _first_mismatch(op, args, eps, atol, rtol)
        return None if found is None else found.short()

    culprits, checked = _blame(fn, inputs, local_check, "local gradient")
    raise GradcheckError(mismatch.describe() + _blame_text(culprits, checked, "local gradient"))


def _check_inputs(caller: str, inputs: tuple[Any, ...], eps: float) -> None:
    checked = _inputs_to_check(inputs)
    if not checked:
        raise ValueError(f"{caller} needs at least one input that requires grad")
    for position, node in checked:
        if isinstance(node, Tensor) and node._data.dtype != np.float64:
            warnings.warn(
                f"{caller} input {position} has dtype {node._data.dtype}, not float64: "
                f"finite differences with eps={eps} will be inaccurate",
                stacklevel=3,
            )


class _Mismatch:
    """The first disagreeing Jacobian entry, and how many disagree."""

    def __init__(
        self, position: int, output: Any, element: Any, numeric: float, exact: float, bad: Any
    ) -> None:
        self.position, self.output, self.element = position, output, element
        self.numeric, self.exact = float(numeric), float(exact)
        self.count, self.size = int(bad.sum()), int(bad.size)

    def describe(self) -> str:
        return (
            f"Jacobian mismatch for output {self.output} with respect to input "
            f"{self.position} at element {self.element}:\n"
            f"  numerical:  {self.numeric!r}\n  analytical: {self.exact!r}\n"
            f"  ({self.count} of {self.size} Jacobian entries differ)"
        )

    def short(self) -> str:
        where = f" (output {self.output}, element {self.element})"
        if self.output == self.element == ():
            where = ""
        return (
            f"input {self.position}: numerical {self.numeric!r}, analytical {self.exact!r}{where}"
        )


def _first_mismatch(
    fn: Callable[..., Any], inputs: tuple[Any, ...], eps: float, atol: float, rtol: float
) -> _Mismatch | None:
    """The engine's Jacobian of fn against central differences: the first bad entry."""
    checked = _inputs_to_check(inputs)
    out = fn(*inputs)
    if not isinstance(out, Node):
        raise TypeError(f"gradcheck: fn must return a Value or a Tensor, received {out!r}")
    nodes = [node for _, node in checked]
    if not out.requires_grad:
        analytical = [np.zeros((_flat_output(out).size, np.size(n._data))) for n in nodes]
    else:
        analytical = analytical_jacobian(out, nodes)
    for (position, node), exact in zip(checked, analytical):
        numeric = numerical_jacobian(fn, inputs, node, eps)
        bad = ~np.isclose(exact, numeric, atol=atol, rtol=rtol, equal_nan=True)
        if bad.any():
            i, k = (int(v) for v in np.argwhere(bad)[0])
            return _Mismatch(
                position, _index(out, i), _index(node, k), numeric[i, k], exact[i, k], bad
            )
    return None


# ---------------------------------------------------------------------------------------
# Second derivatives


def gradgradcheck(
    fn: Callable[..., Any],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check second derivatives: `gradcheck` the gradients that `create_graph=True` computes.

    For each checked input j, g_j(*inputs) = d<v, fn(*inputs)>/d input_j is built with
    `create_graph=True` (v: a fixed random cotangent when fn's output has several elements)
    and its Jacobian compared with central differences of g_j. Returns True, or raises
    `GradcheckError` as `gradcheck` does, naming the op whose backward has a wrong derivative.

    >>> from autograd import Tensor, Value, gradgradcheck
    >>> gradgradcheck(lambda x, y: (x * y).tanh(), Value(0.3), Value(-1.2))
    True
    >>> gradgradcheck(lambda t: t.softmax(), Tensor([0.5, -1.0, 2.0], requires_grad=True))
    True
    """
    _check_inputs("gradgradcheck", inputs, eps)
    found = _second_mismatch(fn, inputs, eps, atol, rtol)
    if found is None:
        return True
    position, mismatch = found

    def local_check(op: Callable[..., Any], args: tuple[Any, ...]) -> str | None:
        bad = _second_mismatch(op, args, eps, atol, rtol)
        if bad is None:
            return None
        return f"gradient for input {bad[0]}, differentiated by {bad[1].short()}"

    what = "second derivative (the gradient of its backward)"
    culprits, checked = _blame(fn, inputs, local_check, what)
    if not culprits:  # then an op used *by* a backward formula may have a wrong gradient

        def first_order(op: Callable[..., Any], args: tuple[Any, ...]) -> str | None:
            found = _first_mismatch(op, args, eps, atol, rtol)
            return None if found is None else found.short()

        first = functools.partial(_first_gradient, fn, position, {})
        culprits, more = _blame(first, inputs, first_order, "local gradient")
        checked += more
    raise GradcheckError(
        f"Second-derivative mismatch in the gradient with respect to input {position} "
        f"(differentiated again):\n{mismatch.describe()}" + _blame_text(culprits, checked, what)
    )


def _second_mismatch(
    fn: Callable[..., Any], inputs: tuple[Any, ...], eps: float, atol: float, rtol: float
) -> tuple[int, _Mismatch] | None:
    cotangents: dict[tuple[int, ...], np.ndarray] = {}
    for position, _ in _inputs_to_check(inputs):
        first = functools.partial(_first_gradient, fn, position, cotangents)
        mismatch = _first_mismatch(first, inputs, eps, atol, rtol)
        if mismatch is not None:
            return position, mismatch
    return None


def _first_gradient(
    fn: Callable[..., Any],
    position: int,
    cotangents: dict[tuple[int, ...], np.ndarray],
    *inputs: Any,
) -> Node:
    """d<v, fn(*inputs)>/d inputs[position] as a node with a graph (create_graph=True)."""
    node = inputs[position]
    with enable_grad():  # numerical_jacobian calls us under no_grad()
        out = fn(*inputs)
        if not isinstance(out, Node):
            raise TypeError(f"gradgradcheck: fn must return a Value or a Tensor, received {out!r}")
        if isinstance(out, Tensor) and out._data.size != 1:
            if out.shape not in cotangents:  # fixed per shape: every call sees the same v
                rng = np.random.default_rng(0)
                cotangents[out.shape] = rng.standard_normal(out.shape).astype(out.dtype)
            out = (out * cotangents[out.shape]).sum()
        grad = None
        if out.requires_grad:
            found = run_backward(out, create_graph=True, inputs=[node])
            assert found is not None
            grad = found.get(node)
    if isinstance(grad, Node):
        return grad
    zero = np.zeros_like(node._data) if grad is None else grad
    return Value(float(zero), requires_grad=False) if isinstance(node, Value) else Tensor(zero)


# ---------------------------------------------------------------------------------------
# Blame: which op's local derivative is wrong


def _blame(
    fn: Callable[..., Any],
    inputs: tuple[Any, ...],
    local_check: Callable[[Callable[..., Any], tuple[Any, ...]], str | None],
    what: str,
    limit: int = 3,
) -> tuple[list[str], int]:
    """Re-run fn, then check each op on its recorded inputs alone.

    Returns a line for each op found wrong (at most `limit`) and how many ops were checked.
    """
    from autograd.anomaly import recording  # anomaly imports the engine only

    try:
        with recording() as record, enable_grad():
            out = fn(*inputs)
    except Exception:  # noqa: BLE001 - blame is a hint; the mismatch is the error
        return [], 0
    if not isinstance(out, Node) or not out.requires_grad:
        return [], 0
    lines: list[str] = []
    checked = 0
    for node in topological_order(out):
        if node._fn is None or node not in record.params:
            continue
        args = tuple(_fresh(p) for p in node._parents)
        if not _inputs_to_check(args):
            continue
        op = functools.partial(_reapply, type(node._fn), record.params[node])
        checked += 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                verdict = local_check(op, args)
        except Exception:  # noqa: BLE001 - an op that cannot run on copies is not blamed
            continue
        line = (
            f"\n  the {what} of op '{node.op}' (created {record.site_of(node)}) is wrong "
            f"for its {verdict}"
        )
        if verdict is not None and line not in lines:
            lines.append(line)
            if len(lines) == limit:
                break
    return lines, checked


def _blame_text(culprits: list[str], checked: int, what: str) -> str:
    if culprits:
        return "".join(culprits)
    if not checked:
        return ""
    return (
        f"\n  every op's {what} agrees with finite differences at its recorded inputs "
        f"({checked} ops checked): suspect a kink (relu, abs, max, clip) at the checked "
        "point, a function that is not deterministic, or one that reads .data or detach()es "
        "part of its computation"
    )


def _fresh(parent: Any) -> Any:
    """A float64 copy of an op's input: a new leaf if it required grad, else a constant."""
    if not isinstance(parent, Node):
        return parent
    if isinstance(parent, Value):
        return Value(parent._data, requires_grad=parent.requires_grad)
    return Tensor(np.array(parent._data, dtype=np.float64), requires_grad=parent.requires_grad)


def _reapply(cls: type[Function], params: dict[str, Any], *args: Any) -> Any:
    return cls.apply(*args, **params)


def _index(node: Any, flat: int) -> Any:
    shape = np.shape(node._data)
    return tuple(int(v) for v in np.unravel_index(flat, shape)) if shape else ()
