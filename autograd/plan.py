"""A jit plan: the forward and backward functions written from a trace (see jit.py).

`write_plan(tracer, args, out)` turns the ops a `Tracer` recorded into Python source, one line
per op forward and one per gradient backward, in the eager engine's order (Kahn's order from
the root; a plain binary op's second input first), and compiles it. `Plan` holds the two
functions and what their guards compare.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.backprop import count_uses, sum_to_shape, walk
from autograd.graph import _MANY, CROSS, PASS_ON, Function, Node
from autograd.tracing import Call, Tracer


class Plan:
    """The generated forward and backward of one trace, with what they need."""

    def __init__(self, source: str, namespace: dict[str, Any], leaves: list[Node],
                 n_args: int, ops: list[str]) -> None:
        self.source = source
        self.leaves = leaves  # the nodes fn reached that are not arguments (weights, ...)
        self.n_args = n_args
        self.ops = ops  # each step's op name, in order (what draw_graph shows)
        exec(compile(source, "<jit plan>", "exec"), namespace)  # noqa: S102 (our own code)
        self.forward = namespace["forward"]
        self.backward = namespace["backward"]
        self.guards = [(leaf, _leaf_key(leaf)) for leaf in leaves]
        self.seen = [leaf._data for leaf in leaves]  # the arrays the guards were taken on
        self.trace_root: Node | None = None
        self.calls: list[Any] | None = None  # the latest results of its replayed calls
        # the class of its output node, and whether a call records it: fixed by the
        # signature (arguments' requires_grad) and the guards (the leaves')
        self.node_type: type[Node] | None = None
        self.records = False

    def leaves_hold(self) -> bool:
        """True while every leaf keeps its shape, dtype and requires_grad. The same array
        object as before (an optimizer updates in place) holds by itself: checked first."""
        for (leaf, key), seen in zip(self.guards, self.seen):
            data = leaf._data
            if data is not seen or leaf.requires_grad is not key[-1]:
                if _leaf_key(leaf) != key:
                    return False
        return True


def _leaf_key(node: Node) -> Any:
    data = node._data
    if isinstance(data, np.ndarray):
        return (data.shape, data.dtype, node.requires_grad)
    return (type(data), node.requires_grad)


class Unplannable(Exception):
    """Why a trace cannot become a plan (jit then falls back to eager)."""


# -- writing the plan ----------------------------------------------------------------------
def write_plan(tracer: Tracer, args: tuple[Any, ...], out: Any) -> Plan:
    """The plan of a finished trace of `fn(*args)` that returned `out`, or Unplannable
    saying why there is none."""
    if tracer.problems:
        what, where = tracer.problems[0]
        raise Unplannable(f"{what} at {where}")
    if not isinstance(out, Node):
        raise Unplannable(f"it returned {type(out).__name__}, not a Tensor or a Value")
    if not tracer.steps:
        raise Unplannable("it applied no op")
    writer = _Writer(tracer, args)
    plan = writer.plan(out)
    plan.trace_root = out  # the trace's own graph: what draw_graph shows for the plan
    nodes = [p for p in (*args, *plan.leaves) if isinstance(p, Node)]
    if nodes and all(type(p) is type(nodes[0]) for p in nodes):
        plan.node_type = type(nodes[0])
        plan.records = any(p.requires_grad for p in nodes)
    return plan


class _Writer:
    """Turns a trace into the source of `forward` and `backward`."""

    def __init__(self, tracer: Tracer, args: tuple[Any, ...]) -> None:
        self.tracer = tracer
        self.args = args
        self.names: dict[int, str] = {}  # id(node or wired array) -> variable name
        self.keep: list[Any] = []  # what the ids refer to: kept alive while writing
        self.namespace: dict[str, Any] = {"_fit": _fit, "np": np}
        self.leaves: list[Node] = []
        self.consumed: set[int] = set()
        for i, x in enumerate(args):
            self.names[id(x)] = f"P{i}"
            self.keep.append(x)
            if isinstance(x, Node):  # its array too: a leaf made from it (detach) is wired
                self.names.setdefault(id(x._data), f"P{i}")

    def constant(self, value: Any) -> str:
        key = id(value)
        name = self.names.get(key)
        if name is None:
            read = self.tracer.reads.get(key)
            if read is not None:  # the array a `.data` read handed out: that tensor's slot
                self.consumed.add(key)
                return self.node_name(read[0])
            name = self.names[key] = f"K{len(self.namespace)}"
            self.namespace[name] = value
            self.keep.append(value)
        if name.startswith("P"):
            self.consumed.add(key)
        return name

    def node_name(self, node: Node) -> str:
        name = self.names.get(id(node))
        if name is None and node._fn is None:  # a leaf holding an argument's array (Tensor(x))
            name = self.names.get(id(node._data))
            if name is not None and name[0] in "Pv":
                self.consumed.add(id(node._data))
                self.names[id(node)] = name
                return name
            name = None
        if name is None:  # a node made before the call (a weight) or a constant inside
            name = self.names[id(node)] = f"L{len(self.leaves)}"
            self.leaves.append(node)
            self.keep.append(node)
        return name

    def _name_arrays(self, value: Any, name: str) -> None:
        """Name each array a replayed call returned (in tuples and lists too), so that an op
        receiving one reads the fresh one."""
        if isinstance(value, np.ndarray):
            self.names[id(value)] = name
            self.keep.append(value)
        elif isinstance(value, (tuple, list)):
            for i, item in enumerate(value):
                self._name_arrays(item, f"{name}[{i}]")

    def literal(self, x: Any) -> str:
        """Source for a keyword parameter: its repr when that rebuilds it exactly."""
        if _is_literal(x):
            return repr(x)
        return self.ref(x)

    def ref(self, x: Any) -> str:
        return self.node_name(x) if isinstance(x, Node) else self.constant(x)

    def plan(self, out: Node) -> Plan:
        fwd: list[str] = []
        ops: list[str] = []
        step_of: dict[int, tuple[int, type[Function], tuple[Any, ...], str]] = {}
        for k, (cls, inputs, params, node) in enumerate(self.tracer.steps):
            if cls is Call:  # a replayed Python call: run again, its arrays wired by identity
                fn, *call_args = inputs
                self.namespace[f"F{k}"] = fn
                fwd.append(f"    v{k} = F{k}({', '.join(self.ref(x) for x in call_args)})")
                fwd.append(f"    _CALLS.append(v{k})")  # for the check against eager
                self._name_arrays(node, f"v{k}")
                ops.append(f"call {getattr(fn, '__name__', 'fn')}")
                continue
            if id(node) in self.names and self.names[id(node)].startswith("P"):
                raise Unplannable(f"op '{cls.name}' returned one of the arguments")
            refs = [self.ref(x) for x in inputs]
            kw = "".join(f", {k_}={self.literal(v)}" for k_, v in params.items())
            if cls.shared is not None:
                inst = f"S{k}"
                self.namespace[inst] = cls.shared
                fwd.append(f"    v{k} = {inst}.forward({', '.join(refs)}{kw})")
            else:
                inst = f"f{k}"
                self.namespace[f"C{k}"] = cls
                fwd.append(f"    {inst} = C{k}()")
                fwd.append(f"    v{k} = {inst}.forward({', '.join(refs)}{kw})")
            self.names[id(node)] = f"v{k}"
            self.names.setdefault(id(node._data), f"v{k}")  # for a leaf made of it (detach)
            self.keep.append(node)
            step_of[id(node)] = (k, cls, inputs, inst)
            ops.append(cls.name)
        for key, (_t, _a, what, where) in self.tracer.reads.items():
            if key not in self.consumed:
                raise Unplannable(f"{what} at {where} handed numbers to Python")
        for i, x in enumerate(self.args):
            if isinstance(x, np.ndarray) and id(x) not in self.consumed:
                raise Unplannable(
                    f"argument {i} (an array) reached no op as it was passed; pass a Tensor, "
                    "or do the numpy work on it before calling"
                )
        out_name = self.ref(out)
        saved = [f"v{k}" for k in range(len(self.tracer.steps))]
        saved += [f"f{k}" for k, (cls, *_r) in enumerate(self.tracer.steps)
                  if cls.shared is None and cls is not Call]
        parents = [f"P{i}" for i in range(len(self.args))] + [
            f"L{i}" for i in range(len(self.leaves))
        ]
        head = f"def forward({', '.join(parents)}):"
        calls: list[Any] | None = None
        if any(cls is Call for cls, *_r in self.tracer.steps):
            self.namespace["_CALLS"] = calls = []
            fwd.insert(0, "    _CALLS.clear()")
        fwd_src = "\n".join([head, *fwd, f"    return {out_name}, ({', '.join(saved)},)"])
        bwd_src = self.backward_source(out, step_of, parents, saved)
        plan = Plan(fwd_src + "\n\n" + bwd_src + "\n", self.namespace, self.leaves,
                    len(self.args), ops)
        plan.calls = calls
        return plan

    def backward_source(self, out: Node, step_of: dict[int, Any], parents: list[str],
                        saved: list[str]) -> str:
        """The backward, visiting nodes and adding gradients in the eager engine's order."""
        lines = [f"def backward(g_out, saved, {', '.join(parents)}):",
                 f"    {', '.join(saved)}, = saved"]
        grads: dict[int, str] = {id(out): "g_out"}
        floats = not out._broadcasts
        count_uses(out)
        try:
            order = _kahn(out)
        finally:
            for node in walk(out):
                node._n = 0
        for node, targets in order:
            step = step_of.get(id(node))
            g = grads.get(id(node))
            if step is None or g is None or not targets:
                continue
            k, cls, inputs, inst = step
            form = node._fn.form if node._fn is not None else None
            args = [self.ref(x) for x in inputs]
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
                name = self.ref(parent)
                var, incoming = f"g_{name}", local[i]
                if floats:
                    body.append(f"{var} = {incoming}" if id(parent) not in grads
                                else f"{var} = {var} + {incoming}")
                elif id(parent) not in grads:
                    body.append(f"{var} = _fit({incoming}, {name})")
                else:  # the engine adds a gradient that is not None: held + new
                    body.append(f"if {incoming} is not None:")
                    body.append(f"    {var} = _fit({incoming}, {name}) if {var} is None "
                                f"else {var} + _fit({incoming}, {name})")
                grads[id(parent)] = var
            if floats:
                lines += [f"    {line}" for line in body]
            else:  # an op may hand None to an input: the engine then skips its backward
                lines.append(f"    if {g} is not None:")
                lines += [f"        {line}" for line in body]
        if not floats:  # a block skipped for a None gradient leaves its variables None
            names = sorted({v for v in grads.values() if v != "g_out"})
            if names:
                lines.insert(2, f"    {' = '.join(names)} = None")
        results = ", ".join(grads.get(id(p), "None") for p in self._parent_nodes())
        lines.append(f"    return ({results},)")
        return "\n".join(lines)

    def _parent_nodes(self) -> list[Any]:
        return [*self.args, *self.leaves]


def _is_literal(x: Any) -> bool:
    if x is None or type(x) in (bool, int, str):
        return True
    if type(x) is float:
        return math.isfinite(x)  # repr(inf) and repr(nan) are not Python
    return type(x) is tuple and all(_is_literal(i) for i in x)


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
    """Indices of the inputs backward hands a gradient to, in the engine's order: a plain
    binary op gives its second input first; every other op goes in order."""
    fn = node._fn
    if fn is None:
        return []
    parents = node._parents
    takes = [i for i, p in enumerate(parents) if isinstance(p, Node) and p._n > 0]
    if len(parents) == 2 and node._b is not _MANY and fn.plain:
        return takes[::-1]
    return takes


def _fit(grad: Any, like: Any) -> Any:
    """A gradient summed back to its input's shape and given its dtype (`_fit_to`)."""
    if grad is None:
        return grad  # `like`: an ndarray or a numpy scalar (a 0-d result), both have shapes
    if grad.shape != like.shape:
        grad = sum_to_shape(grad, like.shape)
    if grad.dtype is not like.dtype and grad.dtype != like.dtype:
        grad = grad.astype(like.dtype)
    return grad
