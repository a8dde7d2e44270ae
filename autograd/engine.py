"""The reverse-mode core shared by `Value` and `Tensor`: nodes, functions, ordering, backward.

Nothing here knows any math. An op (see `ops.py`) computes raw numbers; the engine records
which nodes it came from, orders the graph, applies each op's local backward in reverse
topological order, accumulates, and sums broadcast gradients back to each input's shape.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import numpy as np

from autograd.modes import (  # noqa: F401  (re-exported: the engine's public names)
    _MODE,
    _SCOPE,
    PLAIN,
    current_mode,
    current_scope,
    enable_grad,
    is_grad_enabled,
    mode,
    name_scope,
    no_grad,
)

# How a node holds its inputs without a tuple per node (one object less for the cycle
# collector to scan, 56 bytes less per node): `_a` and `_b` are the two inputs of a binary op;
# a unary op has `_b = _ONE`, an n-ary op keeps a tuple in `_a` with `_b = _MANY`, a leaf None.
_ONE = object()
_MANY = object()

# The 0.0 a Value's .grad starts at, one object: backward stores a node's first gradient as it
# is (as PyTorch does, a -0.0 stays -0.0) instead of allocating 0.0 + g; a 0.0 the user sets
# is added to, as any other number.
NO_GRAD = 0.0


def link(inputs: tuple[Any, ...]) -> tuple[Any, Any]:
    """The (`_a`, `_b`) pair that stores `inputs`: two as they are, one or many tagged.

    >>> link((1.0, 2.0))
    (1.0, 2.0)
    >>> link((1.0,))[1] is _ONE, link((1.0, 2.0, 3.0))[1] is _MANY
    (True, True)
    """
    if len(inputs) == 2:
        return inputs
    if len(inputs) == 1:
        return inputs[0], _ONE
    return inputs, _MANY


class Node:
    """A value in the graph. `Value` and `Tensor` subclass it; the engine only sees this.

    `_fn` is the op that produced the node (None for a leaf) and `_parents` its inputs: other
    nodes, or raw constants (floats, arrays) that never receive a gradient.

    >>> from autograd import Node, Value
    >>> y = Value(2.0) * 3
    >>> isinstance(y, Node), y.op, y.is_leaf
    (True, '*', False)
    """

    # backward's scratch, None and 0 outside it: `_g` the gradient collected so far, `_n` how
    # many uses of this node (edges from nodes in the graph) have yet to pass theirs on
    __slots__ = ("_a", "_b", "_fn", "_g", "_n", "data", "grad", "label", "requires_grad")

    data: Any
    grad: Any
    requires_grad: bool
    label: str | None
    _fn: Function | None
    _a: Any
    _b: Any
    _g: Any
    _n: int

    @property
    def _parents(self) -> tuple[Any, ...]:
        """The inputs of the op that produced this node: nodes or raw constants (a leaf: ()).

        >>> from autograd import Value
        >>> a = Value(2.0, label="a")
        >>> (a * 3.0).parents, a.parents
        ((Value(data=2.0, grad=0.0, label='a'), 3.0), ())
        """
        b = self._b
        if b is None:
            return ()
        if b is _ONE:
            return (self._a,)
        if b is _MANY:
            return self._a  # type: ignore[no-any-return]
        return (self._a, b)

    parents = _parents

    # Subclass policy, read by the engine.
    _broadcasts: ClassVar[bool] = False  # gradients may need summing back to the input's shape
    _keeps_all_grads: ClassVar[bool] = False  # every node keeps .grad (micrograd) or only leaves
    _scalar_loop: ClassVar[bool] = False  # backward may take the loop for floats

    # -- hooks each node type provides ---------------------------------------------------
    @classmethod
    def _from_op(cls, data: Any, fn: Function | None, a: Any = None, b: Any = None) -> Node:
        """A node holding `data`; recorded (inputs `a`, `b` as `link` stores them) if `fn`."""
        raise NotImplementedError

    def _seed(self, gradient: Any) -> Any:
        """The starting gradient of backward, checked against this node's shape."""
        raise NotImplementedError

    def _store_grad(self, grad: Any, fresh: bool) -> None:
        """Accumulate a finished gradient into `.grad`; `fresh`: no other node holds `grad`."""
        raise NotImplementedError

    def _retains_grad(self) -> bool:
        return self._keeps_all_grads or self._fn is None

    # -- the PyTorch-style API -----------------------------------------------------------
    @property
    def is_leaf(self) -> bool:
        """True for nodes not produced by a recorded op: inputs, weights, and results made
        under `no_grad()` or from constants only (as PyTorch's `is_leaf`).

        >>> from autograd import Tensor
        >>> w = Tensor([1.0], requires_grad=True)
        >>> w.is_leaf, (w * 2).is_leaf, (Tensor([1.0]) * 2).is_leaf
        (True, False, True)
        """
        return self._fn is None

    @property
    def op(self) -> str:
        """Name of the op that produced this node ('' for a leaf), as `draw_graph` shows it.

        >>> from autograd import Value
        >>> x = Value(2.0)
        >>> (x * x).op, x.exp().op, repr(x.op)
        ('*', 'exp', "''")
        """
        return "" if self._fn is None else self._fn.name

    def backward(
        self,
        gradient: Any = None,
        *,
        retain_graph: bool | None = None,
        create_graph: bool = False,
    ) -> None:
        """Apply the chain rule from this node back to every leaf that requires grad.

        Gradients *accumulate* into `.grad`, as in PyTorch: call `zero_grad()` (or set
        `.grad = None`) between steps. The graph's saved buffers are released afterwards
        unless `retain_graph=True` (which defaults to `create_graph`).

        With `create_graph=True` the backward pass is itself built out of engine ops, so each
        `.grad` is a `Value`/`Tensor` node with a graph of its own, differentiable again:

        >>> from autograd import Value
        >>> x = Value(3.0)
        >>> (x ** 3).backward(create_graph=True)
        >>> g = x.grad          # 3x**2, a node
        >>> g.data, g.requires_grad
        (27.0, True)
        >>> x.grad = 0.0        # keep only the second derivative
        >>> g.backward()
        >>> x.grad              # 6x
        18.0
        """
        backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph)

    def detach(self) -> Node:
        """The same data as a new leaf that does not require grad (data is shared).

        >>> from autograd import Value
        >>> y = Value(2.0) * 3
        >>> d = y.detach()
        >>> d.data, d.requires_grad, d.is_leaf
        (6.0, False, True)
        """
        raise NotImplementedError


class Function:
    """A differentiable primitive. Subclasses define `forward` and `backward` once.

    `forward(*raw_inputs)` computes on raw floats or ndarrays and may save what backward needs
    on `self`. `backward(grad, out, *inputs)` returns one gradient per input (None where there
    is none). It is called with raw numbers normally and with nodes under `create_graph`, so
    formulas are written with operators and the helpers in `ops.py` that accept both.

    An op whose subclass declares no slots keeps no state, so one shared instance serves
    every application; a stateful op gets a fresh instance each time. This is PyTorch's
    `torch.autograd.Function` with the instance as `ctx`. A user-defined op:

    >>> from autograd import Function, Tensor, Value
    >>> class Cube(Function):
    ...     __slots__ = ()  # required; empty: no saved state
    ...     def forward(self, x):
    ...         return x ** 3
    ...     def backward(self, grad, out, x):
    ...         return (grad * 3 * x ** 2,)
    >>> x = Value(2.0)
    >>> y = Cube.apply(x)
    >>> y.backward()
    >>> y.data, y.op, x.grad
    (8.0, 'cube', 12.0)
    >>> t = Tensor([1.0, 2.0], requires_grad=True)
    >>> Cube.apply(t).sum().backward()
    >>> t.grad
    array([ 3., 12.])
    """

    # `plain`: backward may be called as is (not released, no `needs`); `spent`: what replaces
    # this op in its node once backward released it. Slots, not class attributes: the engine
    # reads both per node, and a slot reads faster.
    __slots__ = ("released", "plain", "spent")

    name: ClassVar[str] = "op"
    # True: backward also gets `needs`, one bool per input, to skip work nobody will use
    wants_needs: ClassVar[bool] = False
    shared: ClassVar[Function | None] = None
    # what a node keeps after backward released it: the op's class and name, no buffers
    shared_released: ClassVar[Function]

    def __init__(self) -> None:
        self.released = False
        self.plain = not self.wants_needs
        self.spent = type(self).shared_released

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # every op declares __slots__: no per-instance __dict__, and "no slots" means stateless
        assert "__slots__" in cls.__dict__, f"{cls.__name__} must declare __slots__"
        if "name" not in cls.__dict__:
            cls.name = cls.__name__.lower()
        # released in place of the node's own op: dropping the instance frees its buffers
        spent = cls.shared_released = cls.__new__(cls)
        spent.released, spent.plain, spent.spent = True, False, spent
        own = set(Function.__slots__)
        state = [s for k in cls.__mro__ for s in k.__dict__.get("__slots__", ()) if s not in own]
        cls.shared = cls() if not state and cls.__dict__.get("forward") else None

    def forward(self, *inputs: Any) -> Any:
        """Compute the output from raw inputs (floats or ndarrays); save state on `self`.

        Keyword parameters passed to `apply` arrive here too (e.g. `axis=`).

        >>> from autograd.ops import Exp
        >>> Exp().forward(0.0)
        1.0
        """
        raise NotImplementedError

    def backward(self, grad: Any, out: Any, *inputs: Any, **options: Any) -> Sequence[Any]:
        """One gradient per input (None for none), from the output's `grad`, the output `out`
        and the inputs: raw data normally, nodes under `backward(create_graph=True)`.

        >>> from autograd.ops import Mul
        >>> Mul().backward(1.0, 6.0, 2.0, 3.0)  # d(a*b)/da = b, d(a*b)/db = a
        (3.0, 2.0)
        """
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> Any:
        """Run forward on raw data; record a node when grad is on and an input needs it.

        Inputs may mix nodes and raw constants; keyword parameters go to `forward`.

        >>> from autograd import Tensor
        >>> from autograd.ops import Sum
        >>> Sum.apply(Tensor([[1.0, 2.0]], requires_grad=True), axis=1)
        Tensor([3.], requires_grad=True)
        """
        fn = cls.shared or cls()
        raws = []
        node_type: type[Node] | None = None
        needs_grad = False
        for x in inputs:
            if isinstance(x, Node):
                raws.append(x.data)
                node_type = x.__class__
                if x.requires_grad:
                    needs_grad = True
            else:
                raws.append(x)
        assert node_type is not None, f"{cls.name} applied to no node: {inputs!r}"
        try:
            out = fn.forward(*raws, **params) if params else fn.forward(*raws)
        except ValueError as error:
            raise _shape_error(fn, raws, error) from None
        state = current_mode()
        if needs_grad and state.grad:
            a, b = link(inputs)
            node = node_type._from_op(out, fn, a, b)
        else:
            node = node_type._from_op(out, None)
        if state.monitor is not None:
            state.monitor.forward(cls, inputs, params, node)
        return node


def _shape_error(fn: Function, raws: Sequence[Any], error: ValueError) -> ValueError:
    """numpy's shape complaints, restated with the op and every input's shape."""
    text = str(error)
    if not any(word in text for word in ("broadcast", "shape", "mismatch", "must match")):
        return error  # an op's own domain error (e.g. pow of a negative base) says enough
    shapes = " and ".join(str(getattr(r, "shape", "()")) for r in raws)
    return ValueError(f"{fn.name}: incompatible shapes {shapes}: {text}")


# The hot paths: a stateless op on one node, or on a node and a node-or-constant. Same result
# as `Function.apply`, about three times faster on a `Value`, where per-op overhead is all
# there is.


def shared(op: type[Function]) -> Function:
    """The one instance of a stateless op, for the hot paths below.

    >>> from autograd.ops import Add
    >>> shared(Add) is shared(Add)
    True
    """
    assert op.shared is not None, f"{op.__name__} keeps state: use {op.__name__}.apply"
    return op.shared


def apply_unary(fn: Function, a: Any) -> Any:
    """`type(fn).apply(a)` for a shared stateless op and one node, faster.

    >>> from autograd import Value
    >>> from autograd.ops import Neg
    >>> apply_unary(shared(Neg), Value(2.0)).data
    -2.0
    """
    data = fn.forward(a.data)
    state = current_mode()
    if state is PLAIN:
        return a._from_op(data, fn, a, _ONE) if a.requires_grad else a._from_op(data, None)
    node = (
        a._from_op(data, fn, a, _ONE) if a.requires_grad and state.grad else a._from_op(data, None)
    )
    if state.monitor is not None:
        state.monitor.forward(type(fn), (a,), {}, node)
    return node


def apply_binary(fn: Function, a: Any, b: Any) -> Any:
    """`type(fn).apply(a, b)` for a shared stateless op, node `a`, node-or-constant `b`, faster.

    >>> from autograd import Value
    >>> from autograd.ops import Add
    >>> apply_binary(shared(Add), Value(2.0), 3.0).data
    5.0
    """
    if isinstance(b, Node):
        x, y = a.data, b.data
        needs_grad = a.requires_grad or b.requires_grad
    else:
        x, y = a.data, b
        needs_grad = a.requires_grad
    try:
        data = fn.forward(x, y)
    except ValueError as error:
        raise _shape_error(fn, (x, y), error) from None
    state = current_mode()
    if state is PLAIN:
        return a._from_op(data, fn, a, b) if needs_grad else a._from_op(data, None)
    node = a._from_op(data, fn, a, b) if needs_grad and state.grad else a._from_op(data, None)
    if state.monitor is not None:
        state.monitor.forward(type(fn), (a, b), {}, node)
    return node


def apply_ternary(fn: Function, a: Node, b: Node, c: Node) -> Any:
    """`type(fn).apply(a, b, c)` for a shared stateless op on three nodes of one class
    (`affine`, a dense layer, runs once per layer per batch), faster.

    >>> from autograd import Tensor
    >>> from autograd.ops import Affine
    >>> x, w = Tensor([[1.0, 2.0]]), Tensor([[1.0], [1.0]], requires_grad=True)
    >>> apply_ternary(shared(Affine), x, w, Tensor([0.5])).data
    array([[3.5]])
    """
    if current_mode() is not PLAIN:
        return type(fn).apply(a, b, c)
    try:
        data = fn.forward(a.data, b.data, c.data)
    except ValueError as error:
        raise _shape_error(fn, (a.data, b.data, c.data), error) from None
    if a.requires_grad or b.requires_grad or c.requires_grad:
        return a._from_op(data, fn, (a, b, c), _MANY)
    return a._from_op(data, None)


# ---------------------------------------------------------------------------------------
# Ordering and backward


def count_uses(root: Node) -> None:
    """Set each node's `_n` to its number of uses in `root`'s graph: edges that reach it from
    nodes of the graph. Only nodes that require grad are counted (and visited).

    Backward then visits a node once every use has passed its gradient on (Kahn's algorithm):
    the count lives on the node, so there is no seen-set, no dict and no order list to build
    (measured: backward of micrograd's demo 49 -> 27 ms against a depth-first order).
    Iterative: deep graphs exceed Python's recursion limit.

    >>> from autograd import Value
    >>> a = Value(2.0)
    >>> b = a * a + a
    >>> count_uses(b)
    >>> a._n
    3
    >>> _clear(b)
    """
    stack = [root]
    push, pop = stack.append, stack.pop
    node_class = root.__class__
    while stack:
        node = pop()
        b = node._b
        if b is None:  # a leaf
            continue
        a = node._a
        if b is _ONE:  # unary: its input is always a node
            if a.requires_grad:
                uses = a._n
                if not uses:
                    push(a)
                a._n = uses + 1
            continue
        if b is _MANY:
            parents = a
        else:  # binary, unrolled: most nodes (a constant is never a node of another class)
            if (a.__class__ is node_class or isinstance(a, Node)) and a.requires_grad:
                uses = a._n
                if not uses:  # first seen
                    push(a)
                a._n = uses + 1
            if (b.__class__ is node_class or isinstance(b, Node)) and b.requires_grad:
                uses = b._n
                if not uses:
                    push(b)
                b._n = uses + 1
            continue
        for parent in parents:
            if isinstance(parent, Node) and parent.requires_grad:
                uses = parent._n
                if not uses:
                    push(parent)
                parent._n = uses + 1


def _clear(root: Node) -> None:
    """Reset backward's scratch on every node of the graph (after an error stopped it)."""
    for node in walk(root):
        node._g = None
        node._n = 0


def topological_order(root: Node) -> list[Node]:
    """Nodes that require grad, each after all of its parents (leaves first).

    >>> from autograd import Value
    >>> a = Value(2.0, label="a")
    >>> c = a * 3 + a
    >>> [node.label or node.op for node in topological_order(c)]
    ['a', '*', '+']
    """
    order: list[Node] = []
    try:
        count_uses(root)
        ready = [root]
        while ready:
            node = ready.pop()
            order.append(node)
            for parent in node._parents:
                if isinstance(parent, Node) and parent._n:
                    parent._n -= 1
                    if not parent._n:
                        ready.append(parent)
    except BaseException:
        _clear(root)
        raise
    order.reverse()
    return order


def walk(root: Node) -> Iterator[Node]:
    """Every node reachable from `root` (including leaves that do not require grad), each
    once, in no particular order; raw constants are skipped.

    >>> from autograd import Value
    >>> a = Value(2.0, label="a")
    >>> c = a * 3 + a
    >>> sorted(node.label or node.op for node in walk(c))
    ['*', '+', 'a']
    """
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
    """Undo broadcasting: sum `grad` over the axes that broadcasting added or stretched.

    >>> import numpy as np
    >>> sum_to_shape(np.ones((4, 3)), (3,))  # a bias added to 4 rows
    array([4., 4., 4.])
    >>> sum_to_shape(np.ones((4, 2, 3)), (2, 1)).tolist()
    [[12.0], [12.0]]
    """
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    stretched = tuple(i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1)
    if not stretched:  # only leading axes were added (a bias): one plain sum
        if lead == 1 and type(grad) is np.ndarray:
            return np.add.reduce(grad, axis=0)  # the ufunc itself: ndarray.sum's wrapper costs more
        return grad.sum(axis=tuple(range(lead)))
    grad = grad.sum(axis=tuple(range(lead)) + stretched, keepdims=True)
    return grad.reshape(shape)


def raw(x: Any) -> Any:
    """The data behind a node, or `x` itself.

    >>> from autograd import Value
    >>> raw(Value(2.0)), raw(3.0)
    (2.0, 3.0)
    """
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
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Sequence[Node] | None = None,
) -> dict[Node, Any] | None:
    """The chain rule over the graph of `root`.

    With `inputs`, return {input: gradient} and leave every `.grad` untouched (the functional
    API); ops that do not lead to an input are not differentiated. Otherwise accumulate into
    `.grad` of leaves (and of every `Value` node). `retain_graph` defaults to `create_graph`:
    the gradients' graph refers to the forward graph's nodes.

    >>> from autograd import Value
    >>> x, w = Value(3.0), Value(2.0)
    >>> grads = run_backward(x * w, inputs=[x])
    >>> grads[x], x.grad  # returned, not accumulated
    (2.0, 0.0)
    """
    if retain_graph is None:
        retain_graph = create_graph
    if not root.requires_grad:
        raise RuntimeError(
            f"backward() on a {type(root).__name__} that does not require grad: it was made "
            "from constants only, under no_grad(), or by detach()."
        )
    if root._fn is not None and root._fn.released:
        raise _released_error(root)  # before anything, .grad included, is touched
    seed = root._seed(gradient)
    if create_graph and not isinstance(seed, Node):
        seed = root._from_op(seed, None)  # a constant: the seed is not a variable
    state = current_mode()
    monitor = state.monitor
    # a backward inside a backward (an op's backward calling grad() under create_graph) works
    # on nodes the outer one may be using: their scratch is put aside and given back after
    outer = _set_aside(root) if state.backward else None
    token = _MODE.set(mode(create_graph, monitor, True))
    try:
        if inputs is None and not create_graph and monitor is None:
            if root.__class__._scalar_loop:
                _backprop_floats(root, seed, retain_graph)
            else:
                _backprop(root, seed, retain_graph)
            return None
        found: dict[Node, Any] = {}
        wanted = None if inputs is None else set(inputs)
        leads = None if wanted is None else set(_leading_to(topological_order(root), wanted))
        if monitor is not None:
            monitor.seed(root, seed)
        _backprop_general(root, seed, retain_graph, create_graph, wanted, leads, found, monitor)
        return found if inputs is not None else None
    finally:
        _MODE.reset(token)
        if outer:
            for node, g, n in outer:
                node._g, node._n = g, n


def _set_aside(root: Node) -> list[tuple[Node, Any, int]]:
    """Take the outer backward's scratch off the nodes of `root`'s graph, to give back later."""
    held = []
    for node in walk(root):
        if node._n or node._g is not None:
            held.append((node, node._g, node._n))
            node._g, node._n = None, 0
    return held


def _backprop(root: Node, seed: Any, retain_graph: bool) -> None:
    """Backward without create_graph, monitor or pruning: nearly every call, so inlined.

    A gradient whose shape or dtype (by identity: numpy's dtypes are shared objects; `_fit_to`
    compares them properly) is not its input's goes through `_fit_to`.

    Unary and binary ops (all but concatenate) take the unrolled path; each delivery adds the
    gradient into the input's `_g` and counts one of its uses down; an input whose last use
    has delivered is ready. A `Value` graph is all overhead, which this loop is written for:
    the delivery is written out once per input on purpose (a helper called per edge would add
    ~8 ms to the ~45 ms of a micrograd-demo step).
    """
    keep_all = root._keeps_all_grads  # every Value keeps .grad; a Tensor only leaves/retained
    broadcasts = root._broadcasts
    delivered = {id(seed)}  # arrays handed out to several nodes: never keep them as a .grad
    ready = [root]
    push, pop = ready.append, ready.pop
    node_class = root.__class__
    try:
        count_uses(root)
        root._g = seed
        while ready:
            node = pop()
            g = node._g
            node._g = None
            fn = node._fn
            if g is not None:
                if keep_all:
                    held = node.grad
                    node.grad = g if held is NO_GRAD or held is None else held + g
                elif fn is None or node._retains_grad():  # a leaf, or asked to
                    # the same array may reach several nodes (`a + b` hands g to both)
                    fresh = id(g) not in delivered
                    delivered.add(id(g))
                    node._store_grad(g, fresh)
            if fn is None:
                continue
            a, b = node._a, node._b
            if g is None or not fn.plain or b is _MANY:  # all but a plain unary or binary op
                if g is None or fn.released:
                    _pass_on(node, fn, g, False, retain_graph, None, broadcasts, push)
                else:  # any number of inputs, or `needs`: one loop
                    parents = a if b is _MANY else (a,) if b is _ONE else (a, b)
                    takes = [isinstance(p, Node) and p._n > 0 for p in parents]
                    args = [p.data if isinstance(p, Node) else p for p in parents]
                    if fn.wants_needs:
                        grads = fn.backward(g, node.data, *args, needs=takes)
                    else:
                        grads = fn.backward(g, node.data, *args)
                    for parent, gp, takes_part in zip(parents, grads, takes):
                        if takes_part:
                            if gp is not None:
                                if broadcasts and (
                                    gp.shape != parent.data.shape
                                    or gp.dtype is not parent.data.dtype
                                ):
                                    gp = _fit_to(gp, parent)
                                held = parent._g
                                parent._g = gp if held is None else held + gp
                            uses = parent._n
                            parent._n = uses - 1
                            if uses == 1:
                                push(parent)
            elif b is _ONE:
                (ga,) = fn.backward(g, node.data, a.data)
                uses = a._n
                if uses:
                    if ga is not None:
                        if broadcasts and (
                            ga.shape != a.data.shape or ga.dtype is not a.data.dtype
                        ):
                            ga = _fit_to(ga, a)
                        held = a._g
                        a._g = ga if held is None else held + ga
                    a._n = uses - 1
                    if uses == 1:
                        push(a)
            else:  # binary; a constant input (never a node of another class) gets nothing
                a_node = a.__class__ is node_class or isinstance(a, Node)
                b_node = b.__class__ is node_class or isinstance(b, Node)
                ga, gb = fn.backward(g, node.data, a.data if a_node else a, b.data if b_node else b)
                uses = b._n if b_node else 0
                if uses:
                    if gb is not None:
                        if broadcasts and (
                            gb.shape != b.data.shape or gb.dtype is not b.data.dtype
                        ):
                            gb = _fit_to(gb, b)
                        held = b._g
                        b._g = gb if held is None else held + gb
                    b._n = uses - 1
                    if uses == 1:
                        push(b)
                uses = a._n if a_node else 0
                if uses:
                    if ga is not None:
                        if broadcasts and (
                            ga.shape != a.data.shape or ga.dtype is not a.data.dtype
                        ):
                            ga = _fit_to(ga, a)
                        held = a._g
                        a._g = ga if held is None else held + ga
                    a._n = uses - 1
                    if uses == 1:
                        push(a)
            if not retain_graph:
                node._fn = fn.spent
    except BaseException:
        _clear(root)  # leave no half-collected gradient or count behind for the next call
        raise


def _backprop_floats(root: Node, seed: Any, retain_graph: bool) -> None:
    """`_backprop` for a graph of floats (`Value`): every node keeps `.grad`, nothing
    broadcasts, and most ops are `+` and `*`. The same steps with those cases only, because
    on floats the loop's own steps are the whole cost (micrograd's demo: ~2 ms of ~30)."""
    ready = [root]
    push, pop = ready.append, ready.pop
    node_class = root.__class__
    try:
        count_uses(root)
        root._g = seed
        while ready:
            node = pop()
            g = node._g
            node._g = None
            fn = node._fn
            if g is None or fn is not None and not fn.plain:  # the general steps
                if g is not None:
                    held = node.grad
                    node.grad = g if held is NO_GRAD or held is None else held + g
                if fn is not None:
                    _pass_on(node, fn, g, False, retain_graph, None, False, push)
                    if not retain_graph and g is not None:
                        node._fn = fn.spent
                continue
            held = node.grad
            node.grad = g if held is NO_GRAD or held is None else held + g
            if fn is None:
                continue
            a, b = node._a, node._b
            if b is _ONE:
                (ga,) = fn.backward(g, node.data, a.data)
                uses = a._n
                if uses:
                    held = a._g
                    a._g = ga if held is None else held + ga
                    a._n = uses - 1
                    if uses == 1:
                        push(a)
            elif a.__class__ is node_class and (
                b.__class__ is node_class or not isinstance(b, Node)
            ):  # binary, `b` a node or a constant (`y * 1.0001`)
                b_node = b.__class__ is node_class
                ga, gb = fn.backward(g, node.data, a.data, b.data if b_node else b)
                uses = b._n if b_node else 0
                if uses:
                    held = b._g
                    b._g = gb if held is None else held + gb
                    b._n = uses - 1
                    if uses == 1:
                        push(b)
                uses = a._n
                if uses:
                    held = a._g
                    a._g = ga if held is None else held + ga
                    a._n = uses - 1
                    if uses == 1:
                        push(a)
            else:  # an input of another node class, or a constant first
                _pass_on(node, fn, g, False, retain_graph, None, False, push)
            if not retain_graph:
                node._fn = fn.spent
    except BaseException:
        _clear(root)
        raise


def _backprop_general(
    root: Node,
    seed: Any,
    retain_graph: bool,
    create_graph: bool,
    wanted: set[Node] | None,
    leads: set[Node] | None,
    found: dict[Node, Any],
    monitor: Any,
) -> None:
    """Backward with create_graph, an anomaly monitor, or `inputs` (then `.grad` is not
    touched and only the nodes in `leads`, those leading to `wanted`, are differentiated)."""
    keep_all = root._keeps_all_grads and wanted is None
    broadcasts = root._broadcasts
    delivered = {id(seed)}
    ready = [root]
    try:
        count_uses(root)
        root._g = seed
        while ready:
            node = ready.pop()
            grad = node._g
            node._g = None
            if grad is not None:
                if wanted is not None:
                    if node in wanted:
                        found[node] = grad
                elif keep_all:
                    held = node.grad
                    node.grad = grad if held is NO_GRAD or held is None else held + grad
                elif node._retains_grad():
                    fresh = id(grad) not in delivered
                    delivered.add(id(grad))
                    node._store_grad(grad, fresh)
            fn = node._fn
            if fn is None:
                continue
            if leads is not None and node not in leads:
                grad = None  # leads to no wanted input: only count its uses down
            _pass_on(node, fn, grad, create_graph, retain_graph, monitor, broadcasts, ready.append)
            if not retain_graph and grad is not None:
                node._fn = fn.spent
    except BaseException:
        _clear(root)
        raise


def _pass_on(
    node: Node,
    fn: Function,
    grad: Any,
    create_graph: bool,
    retain_graph: bool,
    monitor: Any,
    broadcasts: bool,
    push: Any,
) -> None:
    """Apply `fn`'s backward (unless `grad` is None) and hand each input its gradient; count
    each input's use down and `push` the inputs whose last use this was. Any number of
    inputs, `needs`, create_graph, a monitor: the general form of `_backprop`'s fast paths."""
    parents = node._parents
    # an input takes part when it is a node of this backward's graph (a use left to count)
    takes = [isinstance(p, Node) and p._n > 0 for p in parents]
    grads: Sequence[Any] = ()
    if grad is not None:
        if fn.released:
            raise _released_error(node)
        if monitor is not None:
            monitor.backward_started(node)
        out = node if create_graph else node.data
        args = parents if create_graph else [raw(p) for p in parents]
        if fn.wants_needs:
            grads = fn.backward(grad, out, *args, needs=takes)
        else:
            grads = fn.backward(grad, out, *args)
        if monitor is not None:
            monitor.backward_done(node, grads, retain_graph)
    for parent, g, takes_part in zip(parents, grads or [None] * len(parents), takes):
        if not takes_part:
            continue
        if g is not None:
            if broadcasts and (g.shape != parent.data.shape or g.dtype != parent.data.dtype):
                g = _fit_to(g, parent)
            held = parent._g
            parent._g = g if held is None else held + g
        uses = parent._n
        parent._n = uses - 1
        if uses == 1:
            push(parent)


def _leading_to(order: list[Node], wanted: set[Node]) -> list[Node]:
    """The nodes of `order` (parents first) that are wanted or depend on a wanted node."""
    leads: set[Node] = set()
    for node in order:
        if node in wanted or any(isinstance(p, Node) and p in leads for p in node._parents):
            leads.add(node)
    return [node for node in order if node in leads]


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
    root: Node,
    gradient: Any = None,
    *,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """`root.backward(...)` as a function (as `torch.autograd.backward`).

    >>> from autograd import Tensor, backward
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> backward(x * x, gradient=[1.0, 1.0])  # a non-scalar root needs a gradient
    >>> x.grad
    array([2., 4.])
    """
    run_backward(root, gradient, retain_graph=retain_graph, create_graph=create_graph)
