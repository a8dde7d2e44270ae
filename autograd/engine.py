"""The reverse-mode core shared by `Value` and `Tensor`: nodes, functions, ordering, backward.

Nothing here knows any math. An op (see `ops.py`) computes raw numbers; the engine records
which nodes it came from, orders the graph, applies each op's local backward in reverse
topological order, accumulates, and sums broadcast gradients back to each input's shape.
"""

from __future__ import annotations

import contextvars
from typing import Any, Callable, ClassVar, Iterator, Sequence, TypeVar

# A contextvar, not a global: each thread and each asyncio task sees its own setting.
_GRAD_ENABLED: contextvars.ContextVar[bool] = contextvars.ContextVar("grad_enabled", default=True)

F = TypeVar("F", bound=Callable[..., Any])


# The name of the enclosing `name_scope` (e.g. an nn layer), recorded on each Tensor made in it.
_SCOPE: contextvars.ContextVar[str | None] = contextvars.ContextVar("scope", default=None)


def current_scope() -> str | None:
    return _SCOPE.get()


class name_scope:
    """Tag every Tensor produced inside with `name` (drawn as a cluster by `draw_graph`).

    >>> from autograd import Tensor, name_scope
    >>> with name_scope("dense (Dense)"):
    ...     y = Tensor([1.0], requires_grad=True) * 2
    >>> y.scope
    'dense (Dense)'
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._tokens: list[contextvars.Token[str | None]] = []

    def __enter__(self) -> None:
        self._tokens.append(_SCOPE.set(self.name))

    def __exit__(self, *exc: object) -> None:
        _SCOPE.reset(self._tokens.pop())


def is_grad_enabled() -> bool:
    """True unless inside `no_grad()`."""
    return _GRAD_ENABLED.get()


class _GradMode:
    """Context manager (and decorator) that sets whether ops record the graph."""

    enabled: ClassVar[bool]

    def __init__(self) -> None:
        self._tokens: list[contextvars.Token[bool]] = []

    def __enter__(self) -> None:
        self._tokens.append(_GRAD_ENABLED.set(self.enabled))

    def __exit__(self, *exc: object) -> None:
        _GRAD_ENABLED.reset(self._tokens.pop())

    def __call__(self, func: F) -> F:
        import functools

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradMode):
    """Ops inside record nothing: results are constants that do not require grad.

    >>> from autograd import Value, no_grad
    >>> a = Value(2.0)
    >>> with no_grad():
    ...     b = a * a
    >>> b.requires_grad
    False
    """

    enabled = False


class enable_grad(_GradMode):
    """Re-enable recording inside a `no_grad()` block."""

    enabled = True


class Node:
    """A value in the graph. `Value` and `Tensor` subclass it; the engine only sees this.

    `_fn` is the op that produced the node (None for a leaf) and `_parents` its inputs: other
    nodes, or raw constants (floats, arrays) that never receive a gradient.
    """

    __slots__ = ("data", "grad", "requires_grad", "label", "_fn", "_parents")

    data: Any
    grad: Any
    requires_grad: bool
    label: str | None
    _fn: Function | None
    _parents: tuple[Any, ...]

    # Subclass policy, read by the engine.
    _broadcasts: ClassVar[bool] = False  # gradients may need summing back to the input's shape
    _keeps_all_grads: ClassVar[bool] = False  # every node keeps .grad (micrograd) or only leaves

    # -- hooks each node type provides ---------------------------------------------------
    @classmethod
    def _from_op(cls, data: Any, fn: Function, parents: tuple[Any, ...]) -> Node:
        raise NotImplementedError

    def _seed(self, gradient: Any) -> Any:
        """The starting gradient of backward, checked against this node's shape."""
        raise NotImplementedError

    def _store_grad(self, grad: Any) -> None:
        """Accumulate a finished gradient into `.grad`."""
        raise NotImplementedError

    def _retains_grad(self) -> bool:
        return self._keeps_all_grads or self._fn is None

    # -- the PyTorch-style API -----------------------------------------------------------
    @property
    def is_leaf(self) -> bool:
        """True for nodes not produced by a recorded op."""
        return self._fn is None

    @property
    def op(self) -> str:
        """Name of the op that produced this node ('' for a leaf)."""
        return "" if self._fn is None else self._fn.name

    def backward(
        self, gradient: Any = None, *, retain_graph: bool = False, create_graph: bool = False
    ) -> None:
        """Apply the chain rule from this node back to every leaf that requires grad.

        Gradients *accumulate* into `.grad`, as in PyTorch: call `zero_grad()` (or set
        `.grad = None`) between steps. The graph's saved buffers are released afterwards
        unless `retain_graph=True`; with `create_graph=True` the gradients are themselves
        nodes that can be differentiated again.
        """
        backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph)

    def detach(self) -> Node:
        """The same data as a new leaf that does not require grad (data is shared)."""
        raise NotImplementedError


class Function:
    """A differentiable primitive. Subclasses define `forward` and `backward` once.

    `forward(*raw_inputs)` computes on raw floats or ndarrays and may save what backward needs
    on `self`. `backward(grad, out, *inputs)` returns one gradient per input (None where there
    is none). It is called with raw numbers normally and with nodes under `create_graph`, so
    formulas are written with operators and the helpers in `ops.py` that accept both.

    An op whose subclass declares no slots keeps no state, so one shared instance serves
    every application; a stateful op gets a fresh instance each time.
    """

    __slots__ = ("released",)

    name: ClassVar[str] = "op"
    # True: backward also gets `needs`, one bool per input, to skip work nobody will use
    wants_needs: ClassVar[bool] = False
    shared: ClassVar[Function | None] = None
    shared_released: ClassVar[Function | None] = None

    def __init__(self) -> None:
        self.released = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # every op declares __slots__: no per-instance __dict__, and "no slots" means stateless
        assert "__slots__" in cls.__dict__, f"{cls.__name__} must declare __slots__"
        if "name" not in cls.__dict__:
            cls.name = cls.__name__.lower()
        if not cls.__dict__.get("__slots__", ()) and cls.__dict__.get("forward"):
            cls.shared = cls()
            cls.shared_released = cls()
            cls.shared_released.released = True
        else:
            cls.shared = None

    def forward(self, *inputs: Any) -> Any:
        raise NotImplementedError

    def backward(self, grad: Any, out: Any, *inputs: Any) -> Sequence[Any]:
        raise NotImplementedError

    def release(self) -> Function:
        """Drop saved buffers; return the op object that stays in the graph for display."""
        shared_released = type(self).shared_released
        if shared_released is not None:
            return shared_released
        for klass in type(self).__mro__:
            for slot in klass.__dict__.get("__slots__", ()):
                if slot != "released":
                    setattr(self, slot, None)
        self.released = True
        return self

    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> Any:
        """Run forward on raw data; record a node when grad is on and an input needs it."""
        fn = cls.shared if cls.shared is not None else cls()
        raws = []
        node_type: type[Node] | None = None
        needs_grad = False
        for x in inputs:
            if isinstance(x, Node):
                raws.append(x.data)
                node_type = type(x)
                needs_grad = needs_grad or x.requires_grad
            else:
                raws.append(x)
        assert node_type is not None, f"{cls.name} applied to no node: {inputs!r}"
        try:
            out = fn.forward(*raws, **params)
        except ValueError as error:
            shapes = " and ".join(str(getattr(r, "shape", "()")) for r in raws)
            raise ValueError(f"{cls.name}: incompatible shapes {shapes}: {error}") from None
        if needs_grad and _GRAD_ENABLED.get():
            return node_type._from_op(out, fn, inputs)
        return node_type._from_op(out, None, ())  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------
# Ordering and backward


def topological_order(root: Node) -> list[Node]:
    """Nodes that require grad, each after all of its parents (leaves first).

    Iterative depth-first search: deep graphs exceed Python's recursion limit. A node is
    marked seen when it is expanded, not when pushed, so a node reached again through a
    longer path is still finished before everything that depends on it.
    """
    order: list[Node] = []
    seen: set[Node] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    push, pop, append, mark = stack.append, stack.pop, order.append, seen.add
    while stack:
        node, expanded = pop()
        if expanded:
            append(node)
            continue
        if node in seen:
            continue
        mark(node)
        push((node, True))
        for parent in node._parents:
            if isinstance(parent, Node) and parent.requires_grad and parent not in seen:
                push((parent, False))
    return order


def walk(root: Node) -> Iterator[Node]:
    """Every node reachable from `root` (including constants-free leaves), each once."""
    seen: set[Node] = {root}
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        for parent in node._parents:
            if isinstance(parent, Node) and parent not in seen:
                seen.add(parent)
                stack.append(parent)


def sum_to_shape(grad: Any, shape: tuple[int, ...]) -> Any:
    """Undo broadcasting: sum `grad` over the axes that broadcasting added or stretched."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    stretched = tuple(i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1)
    grad = grad.sum(axis=tuple(range(lead)) + stretched, keepdims=True)
    return grad.reshape(shape)


def raw(x: Any) -> Any:
    """The data behind a node, or `x` itself."""
    return x.data if isinstance(x, Node) else x


def _released_error(node: Node) -> RuntimeError:
    return RuntimeError(
        f"backward through the graph a second time: the buffers of op '{node.op}' were "
        "released by the first backward(). Pass retain_graph=True to the first call."
    )


def run_backward(
    root: Node,
    gradient: Any = None,
    *,
    retain_graph: bool = False,
    create_graph: bool = False,
    inputs: Sequence[Node] | None = None,
) -> dict[Node, Any] | None:
    """The chain rule over the graph of `root`.

    With `inputs`, return {input: gradient} and leave every `.grad` untouched (the functional
    API); otherwise accumulate into `.grad` of leaves (and of every `Value` node).
    """
    if not root.requires_grad:
        raise RuntimeError(
            f"backward() on a {type(root).__name__} that does not require grad: it was made "
            "from constants only, under no_grad(), or by detach()."
        )
    seed = root._seed(gradient)
    if create_graph and not isinstance(seed, Node):
        seed = type(root)(seed)
    order = topological_order(root)
    wanted = None if inputs is None else set(inputs)
    found: dict[Node, Any] = {}
    pending: dict[Node, Any] = {root: seed}
    token = _GRAD_ENABLED.set(create_graph)
    try:
        for node in reversed(order):
            grad = pending.pop(node, None)
            if grad is None:
                continue
            if wanted is None:
                if node._retains_grad():
                    node._store_grad(grad)
            elif node in wanted:
                found[node] = grad
            fn = node._fn
            if fn is None:
                continue
            if fn.released:
                raise _released_error(node)
            parents = node._parents
            args = parents if create_graph else [raw(p) for p in parents]
            if fn.wants_needs:
                needs = [isinstance(p, Node) and p.requires_grad for p in parents]
                grads = fn.backward(grad, node if create_graph else node.data, *args, needs=needs)
            else:
                grads = fn.backward(grad, node if create_graph else node.data, *args)
            for parent, g in zip(parents, grads):
                if g is None or not isinstance(parent, Node) or not parent.requires_grad:
                    continue
                if parent._broadcasts:
                    g = _fit_to(g, parent)
                previous = pending.get(parent)
                pending[parent] = g if previous is None else previous + g
            if not retain_graph:
                node._fn = fn.release()
    finally:
        _GRAD_ENABLED.reset(token)
    return found if inputs is not None else None


def _fit_to(grad: Any, node: Node) -> Any:
    """Sum a gradient back to the node's shape and give it the node's dtype."""
    shape = node.data.shape
    if grad.shape != shape:
        grad = sum_to_shape(grad, shape)
    dtype = node.data.dtype
    if getattr(grad, "dtype", dtype) != dtype and not isinstance(grad, Node):
        grad = grad.astype(dtype)
    return grad


def backward(
    root: Node, gradient: Any = None, *, retain_graph: bool = False, create_graph: bool = False
) -> None:
    """`root.backward(...)` as a function."""
    run_backward(root, gradient, retain_graph=retain_graph, create_graph=create_graph)
