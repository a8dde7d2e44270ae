"""A jit plan: the forward and backward functions written from a trace (see jit.py).

`write_plan(tracer, args, out)` turns the ops a `Tracer` recorded into Python source, one line
per op forward and one per gradient backward, in the eager engine's order (Kahn's order from
the root; a plain binary op's second input first), and compiles it. `Plan` holds the two
functions and what their guards compare.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from autograd.backprop import _keep
from autograd.graph import Function, Node
from autograd.plan_backward import fit, write_backward
from autograd.plan_release import release_dead
from autograd.tracing import Backward, Call, ClearGrad, Effect, Tracer


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
        # a step (backward() inside) has no backward of its own: forward(args, *parents) does
        # it all; `skip[0]` set makes it leave out its effects (jit's check against eager)
        self.backward: Callable[..., Any] | None = namespace.get("backward")
        self.skip: list[bool] | None = namespace.get("_SKIP")
        self.guards = [(leaf, _leaf_key(leaf)) for leaf in leaves]
        self.seen = [leaf._data for leaf in leaves]  # the arrays the guards were taken on
        self.trace_root: Node | None = None
        self.calls: list[Any] | None = None  # the latest results of its replayed calls
        # the class of its output node, and whether a call records it: fixed by the
        # signature (arguments' requires_grad) and the guards (the leaves')
        self.node_type: type[Node] | None = None
        self.records = False
        # a step's result: a node without a graph (or a tuple of them; None: it returned None)
        self.out_type: type[Node] | tuple[type[Node], ...] | None = None
        self.grad_holders: list[tuple[int | None, Any]] = []

    def holders(self, args: tuple[Any, ...]) -> list[Any]:
        """The nodes whose `.grad` this step writes, for a call on `args`."""
        return [n if i is None else args[i] for i, n in self.grad_holders]

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
    stepping = any(cls in (Backward, ClearGrad, Effect) for cls, *_r in tracer.steps)
    several = type(out) is tuple and out and all(isinstance(o, Node) for o in out)
    # a step may return None, or a tuple of nodes (a loss and the predictions)
    if not isinstance(out, Node) and not (stepping and (out is None or several)):
        raise Unplannable(f"it returned {type(out).__name__}, not a Tensor or a Value")
    if not tracer.steps:
        raise Unplannable("it applied no op")
    writer = _Writer(tracer, args)
    plan = writer.plan(out, stepping)
    # the trace's own graph: what draw_graph shows for the plan
    plan.trace_root = out[0] if several else out
    plan.out_type = tuple(map(type, out)) if several else type(out) if out is not None else None
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
        self.namespace: dict[str, Any] = {"_fit": fit, "_keep": _keep, "np": np}
        self.leaves: list[Node] = []
        self.consumed: set[int] = set()
        # whose `.grad` a step writes: (argument index, None) or (None, the node itself)
        self.holders: list[tuple[int | None, Any]] = []
        self.objects: dict[int, str] = {}  # id -> the name `obj` gave it (`keep` holds it)
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

    def plan(self, out: Any, stepping: bool) -> Plan:
        """`stepping`: a training step (a backward(), a cleared .grad or an effect inside)."""
        fwd: list[str] = []
        ops: list[str] = []
        step_of: dict[int, tuple[int, type[Function], tuple[Any, ...], str]] = {}
        for k, (cls, inputs, params, node) in enumerate(self.tracer.steps):
            if cls in (Backward, ClearGrad, Effect):
                fwd += self.step_lines(k, cls, inputs, params, step_of)
                ops.append(cls.name if cls is not Effect
                           else f"effect {getattr(inputs[0], '__qualname__', 'call')}")
                continue
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
        if type(out) is tuple:
            out_name = f"({', '.join(self.ref(o) for o in out)},)"
        else:
            out_name = self.ref(out) if out is not None else "None"
        saved = [f"v{k}" for k in range(len(self.tracer.steps))]
        saved += [f"f{k}" for k, (cls, *_r) in enumerate(self.tracer.steps)
                  if cls.shared is None and cls is not Call]
        parents = [f"P{i}" for i in range(len(self.args))] + [
            f"L{i}" for i in range(len(self.leaves))
        ]
        calls: list[Any] | None = None
        if any(cls is Call for cls, *_r in self.tracer.steps):
            self.namespace["_CALLS"] = calls = []
            fwd.insert(0, "    _CALLS.clear()")
        if stepping:  # one function: the forward, backward and updates in the traced order
            self.namespace["_SKIP"] = [False]
            source = "\n".join([f"def forward(_args, {', '.join(parents)}):",
                                 *release_dead(fwd, kept=out_name),
                                 f"    return {out_name}"]) + "\n"
        else:
            assert out is not None, "write_plan lets only a step return None"
            head = f"def forward({', '.join(parents)}):"
            fwd_src = "\n".join([head, *fwd, f"    return {out_name}, ({', '.join(saved)},)"])
            source = fwd_src + "\n\n" + self.backward_source(out, step_of, parents, saved) + "\n"
        plan = Plan(source, self.namespace, self.leaves, len(self.args), ops)
        plan.calls = calls
        plan.grad_holders = self.holders
        return plan

    def backward_source(self, out: Node, step_of: dict[int, Any], parents: list[str],
                        saved: list[str]) -> str:
        """The backward of a plan whose output's `backward()` comes later, as a node's."""
        body, grads, _order = write_backward(out, "g_out", step_of, self.ref, {})
        results = ", ".join(grads.get(id(p), "None") for p in self._parent_nodes())
        body = [f"    {', '.join(saved)}, = saved", *[f"    {line}" for line in body]]
        lines = [f"def backward(g_out, saved, {', '.join(parents)}):",
                 *release_dead(body, kept=results), f"    return ({results},)"]
        return "\n".join(lines)

    def step_lines(self, k: int, cls: Any, inputs: tuple[Any, ...], params: dict[str, Any],
                   step_of: dict[int, Any]) -> list[str]:
        """The forward's lines for a step that is no op: a backward(), a cleared .grad, an
        effect."""
        if cls is ClearGrad:
            holder = self.holder(inputs[0])
            return [] if holder is None else [f"    {holder}._grad = None"]
        if cls is Effect:
            return [self.effect_call(k, inputs[0], inputs[1:], params)]
        spent = [(node, node._fn) for node, _ in params["ops"]]
        for node, fn in params["ops"]:  # the graph as the backward found it
            node._fn = fn
        try:
            lines = self.backward_inline(inputs[0], params["seed"], step_of)
        finally:
            for node, fn in spent:
                node._fn = fn
        return [f"    {line}" for line in lines]

    def backward_inline(self, root: Any, seed: Any, step_of: dict[int, Any]) -> list[str]:
        """A `backward()` called inside the traced function: its lines, then each gradient
        kept as the engine keeps it (leaves only, in the order the engine pops them)."""
        if id(root) not in step_of:
            raise Unplannable("backward() was called on a result not made inside the function")
        if root._keeps_all_grads:
            raise Unplannable(
                f"backward() of a {type(root).__name__} keeps every node's .grad, which a plan "
                "has no nodes for; jit the loss alone and call backward() outside"
            )
        name = self.constant(seed)
        body, grads, order = write_backward(root, name, step_of, self.ref,
                                            self.tracer.grad_shapes)
        body.append(f"_D = {{id({name})}}")  # the engine's `delivered`: the seed is shared
        for node in order:
            var = grads.get(id(node))
            if var is None or node._fn is not None or not node.requires_grad:
                continue
            holder = self.holder(node)
            if holder is not None:
                body += [f"if {var} is not None:", f"    _keep({holder}, {var}, _D)"]
        return body

    def holder(self, node: Node) -> str | None:
        """The expression of the node object whose `.grad` a plan writes: an argument's, or
        a node reached by the trace (a weight: the guards keep it). None: a leaf made inside
        the function from an argument's array, which eager makes afresh on each call."""
        for i, x in enumerate(self.args):
            if x is node:
                if (i, None) not in self.holders:
                    self.holders.append((i, None))
                return f"_args[{i}]"
        name = self.names.get(id(node), "")
        if name.startswith("P"):
            return None
        if not any(n is node for _i, n in self.holders):
            self.holders.append((None, node))
        return self.obj(node)

    def obj(self, x: Any) -> str:
        """A namespace name for the object `x` itself (not its value), one per object."""
        name = self.objects.get(id(x))
        if name is None:
            name = self.objects[id(x)] = f"O{len(self.namespace)}"
            self.namespace[name] = x
            self.keep.append(x)
        return name

    def effect_call(self, k: int, fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
        """The line that makes an `effect` call again: on the same objects, but an argument
        of the step as this call's, and a node an op made as this call's value (a node
        without a graph: the backward is done)."""
        parts = [self.effect_arg(fn, x) for x in args]
        parts += [f"{n}={self.effect_arg(fn, v)}" for n, v in kwargs.items()]
        self.namespace[f"E{k}"] = fn
        return f"    if not _SKIP[0]: E{k}({', '.join(parts)})"

    def effect_arg(self, fn: Any, x: Any) -> str:
        for i, a in enumerate(self.args):
            if x is a:
                return f"_args[{i}]"
        name = self.names.get(id(x), "")
        if isinstance(x, Node) and name[:1] in ("v", "P"):  # an op's, or Tensor(argument)
            return f"{self.obj(type(x)._from_op)}({name}, None)"
        for item in x if isinstance(x, (list, tuple)) else ():
            inner = self.names.get(id(item), "")
            if inner[:1] in ("v", "P") or any(item is a for a in self.args):
                raise Unplannable(
                    f"{getattr(fn, '__qualname__', 'an effect')} received a "
                    f"{type(x).__name__} holding {type(item).__name__} {inner}: a value the "
                    "plan makes or takes per call cannot be frozen into the call (pass it "
                    "as an argument of its own)"
                )
        if name[:1] in ("v", "P"):  # an array an op made, or an argument's array
            raise Unplannable(
                f"{getattr(fn, '__qualname__', 'an effect')} received {type(x).__name__} "
                f"{name}: a value the plan makes per call (pass a Tensor, not its data)"
            )
        return self.obj(x)

    def _parent_nodes(self) -> list[Any]:
        return [*self.args, *self.leaves]


def _is_literal(x: Any) -> bool:
    if x is None or type(x) in (bool, int, str):
        return True
    if type(x) is float:
        return math.isfinite(x)  # repr(inf) and repr(nan) are not Python
    return type(x) is tuple and all(_is_literal(i) for i in x)
