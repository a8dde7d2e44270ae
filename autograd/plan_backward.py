"""The backward half of a jit plan: lines that add each gradient in the eager engine's order.

`write_backward` visits a traced graph in exactly the order `backward()` pops its nodes
(Kahn's order from the root, with the uses counted as the engine counts them) and writes one
line per op's backward and one per gradient delivered, so the plan's numbers are the eager
ones bit for bit. Where the trace ran the backward itself (a step that calls `backward()`),
the gradients' shapes are known: a delivery is summed back or cast only where the engine had
to (the guards keep every shape).
"""

from __future__ import annotations

from typing import Any, Callable

from autograd.backprop import count_uses, delivery_order, sum_to_shape, walk
from autograd.graph import CROSS, PASS_ON, Node


def write_backward(root: Node, seed: str, steps: dict[int, Any], ref: Callable[[Any], str],
                   grad_shapes: dict[int, list[Any]]) -> tuple[list[str], dict[int, str],
                                                                list[Node]]:
    """The body lines of `root`'s backward seeded by the variable `seed`; the variable each
    node's gradient ends in, by id; and the nodes in the order the engine pops them.

    `steps[id(node)]` is `(k, op class, inputs, instance name)` of each node an op made;
    `ref(x)` is the variable holding an input's value."""
    lines: list[str] = []
    grads: dict[int, str] = {id(root): seed}
    floats = not root._broadcasts
    count_uses(root)
    try:
        order = _kahn(root)
    finally:
        for node in walk(root):
            node._n = 0
    for node, targets in order:
        step = steps.get(id(node))
        g = grads.get(id(node))
        if step is None or g is None or not targets:
            continue
        k, cls, inputs, inst = step
        form = node._fn.form if node._fn is not None else None
        args = [ref(x) for x in inputs]
        known = grad_shapes.get(id(node))
        body: list[str] = []
        if floats and form is PASS_ON:
            local = [g, g]
        elif floats and form is CROSS:  # each product written where it is added: fewer lines
            local = [f"{g} * {args[1]}", f"{g} * {args[0]}"]
        else:
            needs = ""
            if cls.wants_needs:
                mask = [i in targets for i in range(len(inputs))]
                needs = f", needs={mask!r}"
            local = [f"g{k}_{i}" for i in range(len(inputs))]
            body.append(
                f"{', '.join(local)}, = {inst}.backward({g}, v{k}, {', '.join(args)}{needs})"
            )
        for i in targets:
            parent = inputs[i]
            name = ref(parent)
            var, incoming = f"g_{name}", local[i]
            fitted = incoming if _fits(known, i, parent) else f"_fit({incoming}, {name})"
            if floats:
                body.append(f"{var} = {incoming}" if id(parent) not in grads
                            else f"{var} = {var} + {incoming}")
            elif id(parent) not in grads:
                body.append(f"{var} = {fitted}")
            else:  # the engine adds a gradient that is not None: held + new
                body.append(f"if {incoming} is not None:")
                body.append(f"    {var} = {fitted} if {var} is None else {var} + {fitted}")
            grads[id(parent)] = var
        if floats:
            lines += body
        else:  # an op may hand None to an input: the engine then skips its backward
            lines.append(f"if {g} is not None:")
            lines += [f"    {line}" for line in body]
    if not floats:  # a block skipped for a None gradient leaves its variables None
        names = sorted({v for v in grads.values() if v != seed})
        if names:
            lines.insert(0, f"{' = '.join(names)} = None")
    return lines, grads, [node for node, _ in order]


def _fits(known: list[Any] | None, i: int, parent: Any) -> bool:
    """True when the trace saw input `i`'s gradient come out with the input's own shape and
    dtype (so the engine neither summed nor cast it)."""
    if known is None or i >= len(known) or known[i] is None:
        return False
    shape, dtype = known[i]
    data = parent._data
    return bool(shape == data.shape and dtype == data.dtype)


def _kahn(root: Node) -> list[tuple[Node, list[int]]]:
    """Each node in the order the eager backward pops it, with the inputs it hands a
    gradient to in the order it hands them (uses counted by `count_uses` beforehand)."""
    order = []
    ready = [root]
    while ready:
        node = ready.pop()
        targets = _delivery_order(node)
        order.append((node, targets))
        parents = node._parents
        for i in targets:
            parent = parents[i]
            parent._n -= 1
            if not parent._n:
                ready.append(parent)
    return order


def _delivery_order(node: Node) -> list[int]:
    """Indices of the inputs backward hands a gradient to, in the engine's order."""
    fn = node._fn
    if fn is None:
        return []
    parents = node._parents
    return [i for i in delivery_order(fn, node._b, len(parents))
            if isinstance(parents[i], Node) and parents[i]._n > 0]


def fit(grad: Any, like: Any) -> Any:
    """A gradient summed back to its input's shape and given its dtype (`_fit_to`)."""
    if grad is None:
        return grad  # `like`: an ndarray or a numpy scalar (a 0-d result), both have shapes
    if grad.shape != like.shape:
        grad = sum_to_shape(grad, like.shape)
    if grad.dtype is not like.dtype and grad.dtype != like.dtype:
        grad = grad.astype(like.dtype)
    return grad
