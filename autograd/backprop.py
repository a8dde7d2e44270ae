"""Backward: the chain rule over a recorded graph, and the un-broadcasting of gradients.

`count_uses` counts, on each node, the uses of it in the graph of the root; the loops then
visit a node once every use has passed its gradient on (Kahn's algorithm), call its op's
`backward`, and hand each input its share. `_backprop` is the fast loop (no create_graph, no
anomaly monitor, no `inputs=`), `_backprop_floats` the same for graphs of floats (`Value`),
`_backprop_general` everything else. Nothing here knows any math.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from autograd import arrays, graph, hooks
from autograd.graph import _MANY, _ONE, NO_GRAD, PASS_ON, Function, Node
from autograd.modes import _MODE, current_mode, mode


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
        a = node._a
        if b.__class__ is node_class:  # binary, on two nodes: most nodes, so tested first
            if a.__class__ is node_class or isinstance(a, Node):
                uses = a._n
                if uses:  # seen before, so it requires grad
                    a._n = uses + 1
                elif a.requires_grad:
                    push(a)
                    a._n = 1
            uses = b._n
            if uses:
                b._n = uses + 1
            elif b.requires_grad:
                push(b)
                b._n = 1
            continue
        if b is None:  # a leaf
            continue
        if b is _ONE:  # unary: its input is always a node
            if a.requires_grad:
                uses = a._n
                if not uses:
                    push(a)
                a._n = uses + 1
            continue
        if b is _MANY:
            parents = a
        else:  # binary with a constant, or with a node of another class
            parents = (a, b)
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
    if grad.shape[1:] == shape and type(grad) is np.ndarray:  # a bias added to rows
        return arrays.column_sums(grad)
    lead = grad.ndim - len(shape)
    stretched = tuple(i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1)
    if not stretched:  # only leading axes were added: one plain sum
        return grad.sum(axis=tuple(range(lead)))
    grad = grad.sum(axis=tuple(range(lead)) + stretched, keepdims=True)
    return grad.reshape(shape)


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
        if inputs is None and not create_graph and monitor is None and not hooks.HOOKS:
            if root._keeps_all_grads:  # Value: every node keeps .grad, nothing broadcasts
                _backprop_floats(root, seed, retain_graph)
            else:
                _backprop(root, seed, retain_graph)
            return None
        found: dict[Node, Any] = {}
        wanted = None if inputs is None else set(inputs)
        leads = None if wanted is None else set(_leading_to(topological_order(root), wanted))
        if monitor is not None:  # plain: what a jit trace can replay
            monitor.seed(root, seed, gradient is None and inputs is None and not create_graph)
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
    """Backward of a graph whose leaves (and retained nodes) keep `.grad` (`Tensor`), without
    create_graph, monitor or pruning: nearly every call, so inlined.

    A gradient whose shape or dtype (by identity: numpy's dtypes are shared objects; `_fit_to`
    compares them properly) is not its input's goes through `_fit_to`.

    Unary and binary ops (all but concatenate) take the unrolled path; each delivery adds the
    gradient into the input's `_g` and counts one of its uses down; an input whose last use
    has delivered is ready. A `Value` graph is all overhead, which this loop is written for:
    the delivery is written out once per input on purpose (a helper called per edge would add
    ~8 ms to the ~45 ms of a micrograd-demo step).
    """
    fn = root._fn
    if root._b is _MANY and fn is not None and fn.plain:
        if _one_op_on_leaves(root, fn, seed, retain_graph):
            return
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
            if g is not None and (fn is None or node._retains_grad()):  # a leaf, or asked to
                _keep(node, g, delivered)
            if fn is None:
                continue
            a, b = node._a, node._b
            if g is None or not fn.plain or b is _MANY:  # all but a plain unary or binary op
                _pass_on(node, fn, g, False, retain_graph, None, broadcasts, push)
            elif b is _ONE:
                (ga,) = fn.backward(g, node._data, a._data)
                uses = a._n
                if uses:
                    if ga is not None:
                        if broadcasts and (
                            ga.shape != a._data.shape or ga.dtype is not a._data.dtype
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
                ga, gb = fn.backward(g, node._data, a._data if a_node else a, b._data if b_node else b)
                uses = b._n if b_node else 0
                if uses:
                    if gb is not None:
                        if broadcasts and (
                            gb.shape != b._data.shape or gb.dtype is not b._data.dtype
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
                            ga.shape != a._data.shape or ga.dtype is not a._data.dtype
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


def _one_op_on_leaves(root: Node, fn: Function, seed: Any, retain_graph: bool) -> bool:
    """Backward of a graph that is one n-ary op on leaves (a jit plan's node, an `affine` of
    inputs and weights), without the walk: the same gradients, added in the same order,
    kept as `_backprop` keeps them. False (nothing done) when the graph is anything else."""
    parents = root._a
    for p in parents:
        if isinstance(p, Node) and p._fn is not None:
            return False
    grads = fn.backward(seed, root._data, *[p._data if isinstance(p, Node) else p for p in parents])
    found: dict[int, list[Any]] = {}  # id -> [leaf, gradient], in the order they first come
    broadcasts = root._broadcasts
    for parent, g in zip(parents, grads):
        if g is None or not isinstance(parent, Node) or not parent.requires_grad:
            continue
        if broadcasts and (g.shape != parent._data.shape or g.dtype is not parent._data.dtype):
            g = _fit_to(g, parent)
        entry = found.get(id(parent))
        if entry is None:
            found[id(parent)] = [parent, g]
        else:
            entry[1] = entry[1] + g
    if root._retains_grad():
        root._store_grad(seed, False)
    delivered = {id(seed)}
    for leaf, g in found.values():
        _keep(leaf, g, delivered)
    if not retain_graph:
        root._fn = fn.spent
    return True


def _backprop_floats(root: Node, seed: Any, retain_graph: bool) -> None:
    """`_backprop` for a graph of floats (`Value`, `_keeps_all_grads`): every node keeps
    `.grad`, nothing broadcasts, and most ops are `+` and `*`. The same steps with those cases
    only, because on floats the loop's own steps are the whole cost: `+` and `*` of two nodes
    (nearly every node) take the form their op declares (`Function.form`) without a call, and
    the first input, when this was its last use, is taken next with its gradient in hand (what
    pushing it last and popping it would do, without the list or its `_g`)."""
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
            while True:  # `node` with its gradient `g`, then (see the docstring) its first input
                fn = node._fn
                if g is None:  # no gradient reached it (an op returned None): count inputs down
                    if fn is not None:
                        _pass_on(node, fn, None, False, retain_graph, None, False, push)
                    break
                held = node.grad
                node.grad = g if held is NO_GRAD or held is None else held + g
                if fn is None:  # a leaf
                    break
                a, b = node._a, node._b
                form = fn.form  # None for a released op, as for any op without a declared form
                if (
                    form is not None
                    and a.__class__ is node_class
                    and ((b_node := b.__class__ is node_class) or not isinstance(b, Node))
                ):  # `b` a node or a constant (`y * 1.0001`)
                    if form is PASS_ON:
                        ga = gb = g
                    else:  # CROSS, the other form
                        ga = g * (b._data if b_node else b)
                        gb = g * a._data
                    uses = b._n if b_node else 0
                    if uses:
                        held = b._g
                        b._g = gb if held is None else held + gb
                        b._n = uses - 1
                        if uses == 1:
                            push(b)
                    if not retain_graph:
                        node._fn = fn.spent
                    uses = a._n
                    if uses == 1:  # its last use: `a` is next
                        held = a._g
                        if held is not None:
                            ga = held + ga
                            a._g = None
                        a._n = 0
                        node, g = a, ga
                        continue
                    if uses:
                        held = a._g
                        a._g = ga if held is None else held + ga
                        a._n = uses - 1
                    break
                if not fn.plain:  # released, or it wants `needs`: the general steps
                    _pass_on(node, fn, g, False, retain_graph, None, False, push)
                elif b is _ONE:
                    (ga,) = fn.backward(g, node._data, a._data)
                    uses = a._n
                    if uses:
                        held = a._g
                        a._g = ga if held is None else held + ga
                        a._n = uses - 1
                        if uses == 1:
                            push(a)
                elif a.__class__ is node_class and (
                    (b_node := b.__class__ is node_class) or not isinstance(b, Node)
                ):  # binary without a declared form, `b` a node or a constant
                    ga, gb = fn.backward(g, node._data, a._data, b._data if b_node else b)
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
                break
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
                if hooks.HOOKS:
                    grad = hooks.run(node, grad)
                if wanted is not None:
                    if node in wanted:
                        found[node] = grad
                elif keep_all:
                    held = node.grad
                    node.grad = grad if held is NO_GRAD or held is None else held + grad
                elif node._retains_grad():
                    _keep(node, grad, delivered)
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


def _keep(node: Node, grad: Any, delivered: set[int]) -> None:
    """Store a finished gradient in `node.grad`; it may keep the array itself only if no other
    node was handed the same one (`a + b` hands its gradient to both inputs)."""
    key = id(grad)
    fresh = key not in delivered
    delivered.add(key)
    node._store_grad(grad, fresh)


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
    b = node._b
    parents = node._a if b is _MANY else node._parents  # n-ary (affine) first: most calls
    # an input takes part when it is a node of this backward's graph (a use left to count)
    takes = [p._n > 0 if isinstance(p, Node) else False for p in parents]
    grads: Sequence[Any] = ()
    if grad is not None:
        if fn.released:
            raise _released_error(node)
        if monitor is not None:
            monitor.backward_started(node)
        if create_graph:
            out, args = node, parents
        else:
            out, args = node._data, [p._data if isinstance(p, Node) else p for p in parents]
        if fn.wants_needs:
            grads = fn.backward(grad, out, *args, needs=takes)
        else:
            grads = fn.backward(grad, out, *args)
        if monitor is not None:
            monitor.backward_done(node, grads, retain_graph)
    for i in delivery_order(fn, b, len(parents)):
        if not takes[i]:
            continue
        parent = parents[i]
        g = grads[i] if grads else None
        if g is not None:
            # dtypes by identity (numpy's are shared objects); `_fit_to` compares properly
            if broadcasts and (g.shape != parent._data.shape or g.dtype is not parent._data.dtype):
                g = _fit_to(g, parent)
            held = parent._g
            parent._g = g if held is None else held + g
        uses = parent._n
        parent._n = uses - 1
        if uses == 1:
            push(parent)


_SECOND_FIRST = (1, 0)


def delivery_order(fn: Function, b: Any, n: int) -> Sequence[int]:
    """The order an op's inputs are handed their gradients: a plain binary op's second input
    first (the fast paths' order, written out in `_backprop`), any other op's in order. Every
    path keeps it: the same pushes, so the same order of additions (a monitor or a jit plan
    changes no number)."""
    return _SECOND_FIRST if n == 2 and b is not _MANY and fn.plain else range(n)


def _leading_to(order: list[Node], wanted: set[Node]) -> list[Node]:
    """The nodes of `order` (parents first) that are wanted or depend on a wanted node."""
    leads: set[Node] = set()
    for node in order:
        if node in wanted or any(isinstance(p, Node) and p in leads for p in node._parents):
            leads.add(node)
    return [node for node in order if node in leads]


def _fit_to(grad: Any, node: Node) -> Any:
    """Sum a gradient back to the node's shape and give it the node's dtype."""
    shape = node._data.shape
    if grad.shape != shape:
        grad = sum_to_shape(grad, shape)
    dtype = node._data.dtype
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


graph.BACKWARD[:] = [backward]  # what Node.backward calls (graph.py cannot import this module)
