"""Function transforms in the style of JAX and HIPS autograd: grad, jacobian, hessian.

`grad(f)` is a new function computing df/dx. It takes and gives back the kind of number it
is given: a float gives a float, an ndarray an ndarray, a `Value` a `Value`, a `Tensor` a
`Tensor`. Transforms nest: `grad(grad(f))` is the second derivative. When an argument is a
`Value`/`Tensor` and the result depends on a variable of a differentiation in progress
outside the transform (that argument, if it requires grad, or a node `f` closes over) and
grad mode is on, the gradients are computed with `create_graph=True` and returned as nodes
of that outer graph, as JAX returns tracers. Floats and arrays always come back as plain
numbers: pass a `Tensor` to keep a gradient connected to the nodes `f` closes over.

>>> from autograd import grad
>>> f = lambda x: x ** 3
>>> grad(f)(2.0), grad(grad(f))(2.0), grad(grad(grad(f)))(2.0)
(12.0, 12.0, 6.0)
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, Sequence

import numpy as np

from autograd.engine import Function, Node, enable_grad, is_grad_enabled, run_backward
from autograd.tensor import Tensor, stack
from autograd.value import Value

Argnums = int | Sequence[int]


class Identity(Function):
    """The variable of a nested transform: a new node that is `x`, with `x` as its parent.

    Differentiating with respect to it, not `x` itself, gives the partial derivative for
    that argument even when `x` is also used elsewhere (another argument, a closure).

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> y = Identity.apply(x)
    >>> (y * y).backward()
    >>> y.op, y.data, x.grad
    ('identity', 2.0, 4.0)
    """

    __slots__ = ()
    name = "identity"

    def forward(self, a: Any) -> Any:
        return a

    def backward(self, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g,)


class _Arg:
    """One differentiated argument: the node `fn` sees, and how to give results back."""

    def __init__(self, x: Any, position: int, caller: str, outer: bool) -> None:
        self.position = position
        # an argument of a differentiation in progress: keep the path back to it
        self.nested = outer and isinstance(x, Node) and x.requires_grad
        if isinstance(x, Value):
            self.kind = "Value"
            self.node: Node = Identity.apply(x) if self.nested else Value(x._data)
        elif isinstance(x, Tensor):
            self.kind = "Tensor"
            self.node = Identity.apply(x) if self.nested else Tensor(x._data, requires_grad=True)
        elif isinstance(x, np.ndarray):
            self.kind = "ndarray"
            self.node = Tensor(x, requires_grad=True)
        elif isinstance(x, numbers.Real):
            self.kind = "float"
            self.node = Value(float(x))
        else:
            raise TypeError(
                f"{caller}: argument {position} must be a float, a numpy array, a Value or a "
                f"Tensor, received {type(x).__name__}: {x!r}"
            )

    def give_back(self, result: Any, connected: bool) -> Any:
        """`result` (a node, raw data, or None for zeros) in this argument's kind.

        A node connected to an outer differentiation is returned as it is (node kinds only).
        """
        if result is None:
            result = np.zeros(np.shape(self.node._data), dtype=np.asarray(self.node._data).dtype)
        if isinstance(result, Node):
            if connected and self.kind in ("Value", "Tensor"):
                return result
            result = result._data
        if self.kind == "float":
            return float(np.asarray(result).reshape(()))
        if self.kind == "ndarray":
            return np.array(result)
        if self.kind == "Value":
            return Value(float(np.asarray(result).reshape(())), requires_grad=False)
        return Tensor(np.array(result, dtype=self.node._data.dtype))


def _check_argnums(argnums: Any, caller: str) -> tuple[tuple[int, ...], bool]:
    """The argument positions as a tuple, and whether a single one was asked for."""
    problem = TypeError(
        f"{caller}: argnums must be an int or a tuple of ints, received {argnums!r}"
    )
    if isinstance(argnums, bool) or not isinstance(argnums, (int, tuple, list)):
        raise problem
    positions: tuple[Any, ...] = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not positions or not all(isinstance(p, int) and not isinstance(p, bool) for p in positions):
        raise problem
    return positions, isinstance(argnums, int)


def _prepare(
    args: tuple[Any, ...], argnums: Any, caller: str, outer: bool
) -> tuple[list[Any], list[_Arg], bool]:
    """The arguments to call fn with, one _Arg per entry of argnums, and whether one."""
    positions, single = _check_argnums(argnums, caller)
    call_args = list(args)
    made: dict[int, _Arg] = {}
    for p in positions:
        if not -len(args) <= p < len(args):
            raise ValueError(
                f"{caller}: argnums {argnums!r} refers to argument {p}, but the function was "
                f"called with {len(args)} positional argument(s)"
            )
        p %= len(args)
        if p not in made:
            made[p] = _Arg(args[p], p, caller, outer)
            call_args[p] = made[p].node
    return call_args, [made[p % len(args)] for p in positions], single


def _scalar_output(out: Any, caller: str) -> Any:
    if isinstance(out, Node):
        if np.size(out._data) != 1:
            raise ValueError(
                f"{caller}: fn must return a scalar (a Value or a single-element Tensor), "
                f"received a {type(out).__name__} of shape {np.shape(out._data)}; use "
                "autograd.jacobian for vector-valued functions"
            )
        return out
    if isinstance(out, numbers.Real) or (isinstance(out, np.ndarray) and out.size == 1):
        return out  # a constant: every gradient is zero
    raise TypeError(
        f"{caller}: fn must return a Value or a single-element Tensor, received "
        f"{type(out).__name__}: {out!r}"
    )


def _is_connected(out: Any, targets: list[_Arg], outer: bool) -> bool:
    """Whether out depends on a variable outside this transform (so results stay nodes)."""
    if not outer or not isinstance(out, Node) or not out.requires_grad:
        return False
    if any(t.nested for t in targets):
        return True
    if all(t.kind in ("float", "ndarray") for t in targets):
        return False  # plain numbers in, plain numbers out
    ours = {t.node for t in targets}
    seen, stack_ = {out}, [out]
    while stack_:  # iterative: deep graphs exceed the recursion limit
        node = stack_.pop()
        if node._fn is None:
            if node not in ours:
                return True  # a leaf that requires grad and is not ours: a closed-over node
            continue
        for parent in node._parents:
            if isinstance(parent, Node) and parent.requires_grad and parent not in seen:
                seen.add(parent)
                stack_.append(parent)
    return False


def _gradients(out: Any, targets: list[_Arg], connected: bool, seed: Any = None) -> dict[Node, Any]:
    """{target node: d out / d node} (missing when out does not depend on it)."""
    if not isinstance(out, Node) or not out.requires_grad:
        return {}
    found = run_backward(
        out, seed, retain_graph=True, create_graph=connected, inputs=[t.node for t in targets]
    )
    assert found is not None
    return found


def value_and_grad(fn: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """Like `grad`, but the new function returns `(fn(*args), gradient)`.

    The value comes back in the kind of the (first) differentiated argument too.

    >>> import numpy as np
    >>> from autograd import value_and_grad
    >>> value_and_grad(lambda x: (x * x).sum())(np.array([1.0, 2.0]))
    (array(5.), array([2., 4.]))
    """

    def value_and_gradient(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        outer = is_grad_enabled()
        with enable_grad():
            call_args, targets, single = _prepare(args, argnums, "value_and_grad", outer)
            out = _scalar_output(fn(*call_args, **kwargs), "value_and_grad")
            connected = _is_connected(out, targets, outer)
            found = _gradients(out, targets, connected)
            grads = tuple(t.give_back(found.get(t.node), connected) for t in targets)
            value = targets[0].give_back(out, connected)
        return value, grads[0] if single else grads

    value_and_gradient.__name__ = f"value_and_grad({getattr(fn, '__name__', 'fn')})"
    value_and_gradient.__doc__ = f"(fn(*args), gradient of fn) for fn = {fn!r}"
    return value_and_gradient


def grad(fn: Any, argnums: Any = 0, grad_outputs: Any = None, *, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> Any:
    """Two call forms, told apart by the first argument:

    - PyTorch's, `grad(outputs, inputs, grad_outputs=None, retain_graph=None,
      create_graph=False, allow_unused=False)` when `outputs` is a node (or a list of nodes):
      the gradients of the outputs (summed, each seeded by its `grad_outputs`) with respect to
      each of `inputs`, as a tuple; `.grad` is left untouched (see `_torch_grad`).
    - JAX's, `grad(fn, argnums=0)` when `fn` is a function: a function returning the gradient.

    >>> from autograd import Value
    >>> x = Value(3.0)
    >>> grad(x * x, [x])
    (6.0,)
    """
    if isinstance(fn, Node) or (
        isinstance(fn, (list, tuple)) and fn and all(isinstance(o, Node) for o in fn)
    ):
        return _torch_grad(fn, argnums, grad_outputs, retain_graph, create_graph, allow_unused)
    if grad_outputs is not None or retain_graph is not None or create_graph or allow_unused:
        raise TypeError(
            "grad(fn, argnums) is JAX's form: grad_outputs, retain_graph, create_graph and "
            f"allow_unused belong to PyTorch's grad(outputs, inputs, ...), received fn={fn!r}"
        )
    if not callable(fn):
        raise TypeError(
            "grad expects a function (JAX's grad(fn, argnums)) or a Value/Tensor output "
            f"(PyTorch's grad(outputs, inputs)), received {fn!r}"
        )
    return _jax_grad(fn, argnums)


def _torch_grad(outputs: Any, inputs: Any, grad_outputs: Any, retain_graph: bool | None,
                create_graph: bool, allow_unused: bool) -> tuple[Any, ...]:
    """`torch.autograd.grad`: d sum(outputs) / d each input, a tuple with one per input
    (None for an input no output depends on, with `allow_unused=True`).

    >>> from autograd import Tensor
    >>> a = Tensor([1.0, 2.0], requires_grad=True)
    >>> y = a * a
    >>> grad([y], [a], grad_outputs=[Tensor([1.0, 10.0])])
    (array([ 2., 40.]),)
    """
    outs = [outputs] if isinstance(outputs, Node) else list(outputs)
    ins = [inputs] if isinstance(inputs, Node) else list(inputs)
    if not ins or not all(isinstance(x, Node) for x in ins):
        raise TypeError(
            f"grad(outputs, inputs): inputs must be Values or Tensors, received {inputs!r}"
        )
    if grad_outputs is None:
        seeds: list[Any] = [None] * len(outs)
    elif isinstance(grad_outputs, (list, tuple)):
        seeds = list(grad_outputs)
    else:  # one output's seed given bare, as PyTorch accepts
        seeds = [grad_outputs]
    if len(seeds) != len(outs):
        raise ValueError(f"grad: {len(outs)} outputs but {len(seeds)} grad_outputs")
    keep = create_graph if retain_graph is None else retain_graph
    total: dict[Node, Any] = {}
    for k, (out, seed) in enumerate(zip(outs, seeds)):
        last = k == len(outs) - 1
        found = run_backward(out, seed, retain_graph=keep or not last, create_graph=create_graph,
                             inputs=ins) or {}
        for node, g in found.items():
            total[node] = g if node not in total else total[node] + g
    missing = [i for i, x in enumerate(ins) if x not in total]
    if missing and not allow_unused:
        raise RuntimeError(
            f"grad: input(s) {missing} are not used in the graph of the outputs; pass "
            "allow_unused=True to get None for them"
        )
    return tuple(total.get(x) for x in ins)


def _jax_grad(fn: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """The gradient of a scalar-valued `fn` with respect to argument(s) `argnums`.

    `argnums` is an int (one gradient) or a tuple (a tuple of gradients). Arguments may be
    floats, numpy arrays, `Value`s or `Tensor`s; each gradient comes back in the kind of its
    argument. An output with more than one element raises ValueError (see `jacobian`).
    `.grad` attributes are left untouched.

    >>> import numpy as np
    >>> from autograd import Tensor, grad
    >>> grad(lambda x: x.tanh())(0.0)
    1.0
    >>> dot = lambda x, w: (x * w).sum()
    >>> grad(dot, argnums=(0, 1))(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    (array([3., 4.]), array([1., 2.]))
    >>> grad(lambda t: (t ** 2).sum())(Tensor([1.0, -1.0]))
    Tensor([ 2., -2.])

    On a node that requires grad, the gradient is a node of the outer graph, so it can be
    differentiated again, e.g. by `backward()`:

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> g = grad(lambda v: v ** 3)(x)      # 3x**2 = 12, connected to x
    >>> g.data
    12.0
    >>> g.backward()
    >>> x.grad                             # d(3x**2)/dx = 6x
    12.0
    """
    value_and_gradient = value_and_grad(fn, argnums)

    def gradient(*args: Any, **kwargs: Any) -> Any:
        return value_and_gradient(*args, **kwargs)[1]

    gradient.__name__ = f"grad({getattr(fn, '__name__', 'fn')})"
    gradient.__doc__ = f"The gradient of {fn!r}"
    return gradient


def jacobian(fn: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """The Jacobian of `fn` (shape `out.shape + x.shape`): one backward per output element.

    >>> import numpy as np
    >>> from autograd import jacobian
    >>> jacobian(lambda x: x * x)(np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    >>> jacobian(lambda x: x.exp())(0.0)
    1.0
    """

    def jacobian_of(*args: Any, **kwargs: Any) -> Any:
        outer = is_grad_enabled()
        with enable_grad():
            call_args, targets, single = _prepare(args, argnums, "jacobian", outer)
            out = fn(*call_args, **kwargs)
            if not isinstance(out, Node):
                raise TypeError(
                    f"jacobian: fn must return a Value or a Tensor, received "
                    f"{type(out).__name__}: {out!r}"
                )
            connected = _is_connected(out, targets, outer)
            results = tuple(_jacobian_block(out, t, connected) for t in targets)
        return results[0] if single else results

    jacobian_of.__name__ = f"jacobian({getattr(fn, '__name__', 'fn')})"
    jacobian_of.__doc__ = f"The Jacobian of {fn!r}"
    return jacobian_of


def _jacobian_block(out: Node, target: _Arg, connected: bool) -> Any:
    """d out / d target, of shape out.shape + target.shape, in target's kind."""
    if not isinstance(out, Tensor):  # a Value: one derivative
        return target.give_back(_gradients(out, [target], connected).get(target.node), connected)
    if isinstance(target.node, Value):
        raise TypeError(
            f"jacobian: argument {target.position} is a scalar (differentiated as a Value) "
            f"but fn returned a Tensor of shape {out.shape}; a Value cannot flow into a Tensor"
        )
    out_shape, in_shape = out.shape, target.node._data.shape
    rows = []
    size = int(np.prod(out_shape, dtype=int))
    for i in range(size):
        seed = np.zeros(size, dtype=out._data.dtype)
        seed[i] = 1
        row = _gradients(out, [target], connected, seed.reshape(out_shape)).get(target.node)
        rows.append(np.zeros(in_shape, dtype=target.node._data.dtype) if row is None else row)
    shape = out_shape + in_shape
    if connected and target.kind == "Tensor":  # keep the rows' graphs for differentiation
        return stack([r if isinstance(r, Tensor) else Tensor(r) for r in rows]).reshape(shape)
    block = np.stack([r._data if isinstance(r, Node) else r for r in rows])
    return target.give_back(block.reshape(shape), connected)


def hessian(fn: Callable[..., Any], argnums: int = 0) -> Callable[..., Any]:
    """The matrix of second derivatives of a scalar `fn`: `jacobian(grad(fn))`.

    For an argument of shape `s` the result has shape `s + s`.

    >>> import numpy as np
    >>> from autograd import hessian
    >>> A = np.array([[1.0, 2.0], [0.0, 3.0]])
    >>> hessian(lambda x: x @ A @ x)(np.array([0.5, -1.0]))   # A + A.T
    array([[2., 2.],
           [2., 6.]])
    >>> hessian(lambda x: x.log())(2.0)                         # -1/x**2
    -0.25
    """
    if isinstance(argnums, bool) or not isinstance(argnums, int):
        raise TypeError(f"hessian: argnums must be an int, received {argnums!r}")
    second = jacobian(grad(fn, argnums), argnums)
    second.__name__ = f"hessian({getattr(fn, '__name__', 'fn')})"
    return second


# PyTorch's `torch.autograd.functional.vjp` / `jvp`, under the same module name
from autograd.products import jvp, vjp  # noqa: E402,F401
