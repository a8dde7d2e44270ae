"""`explain(output)`: the chain rule over a graph, one step per node, as text.

The steps walk backward from `output` in reverse topological order. Each step takes the
node's finished gradient (d output / d node), calls the node's op's own `backward` on raw data
(as the engine does: `needs` honoured, un-broadcast and cast by the engine's own `_fit_to`),
and records what it sends to each input: the local derivative (numbers, for elementwise
ops), its symbolic form (`1 - tanh(x)**2`) and the product. The gradients live in a dict: no
`.grad` of the graph is touched and the graph is not released, so the numbers agree with
`backward()` by construction.

>>> from autograd import Value
>>> w, b = Value(2.0, label="w"), Value(1.0, label="b")
>>> x = Value(3.0, label="x", requires_grad=False)
>>> y = w * x + b
>>> y.label = "y"
>>> steps = explain(y).steps
>>> [s.label for s in steps]
['y', 'b', '* n2', 'w']
>>> print(steps[2].describe())
dy/dw += dy/d(* n2) * b = 1.0000 * 3.0000 = 3.0000
>>> w.grad  # untouched
0.0
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from autograd import ops
from autograd.arrays import Slices
from autograd.backprop import _fit_to, topological_order
from autograd.engine import Function, Node, raw
from autograd.viz import _Collected, _num

_FEW = 4  # values of an array shown in the text; more are elided

__all__ = ["FORMS", "Contribution", "Explanation", "Step", "explain", "symbolic_form"]

# The local derivative of each op with respect to each of its inputs, as teaching text: one
# string for every input, or a tuple with one per input. `{name}` is filled from the op's
# saved state (its slots), e.g. Pow's exponent. `g` is the gradient arriving at the output.
FORMS: dict[type[Function], str | tuple[str, ...]] = {
    ops.Add: "1",
    ops.Mul: ("b", "a"),
    ops.Neg: "-1",
    ops.Pow: "p * x**(p-1)",
    ops.Power: ("b * a**(b-1)", "out * log(a)"),
    ops.Exp: "exp(x)",
    ops.Log: "1/x",
    ops.Tanh: "1 - tanh(x)**2",
    ops.Sigmoid: "out * (1 - out)",
    ops.Relu: "x > 0",
    ops.Abs: "sign(x)",
    ops.Clip: "lo <= x <= hi",
    ops.Where: ("cond", "not cond"),
    ops.Maximum: ("a >= b", "not a >= b"),
    ops.Minimum: ("a <= b", "not a <= b"),
    ops.MatMul: ("g @ b.T", "a.T @ g"),
    ops.Affine: ("g @ w.T", "x.T @ g", "g summed over the rows"),
    ops.Sum: "g spread back over shape {shape}",
    ops.Max: "g shared among the maxima",
    ops.BroadcastTo: "sum back to shape {shape}",
    ops.Reshape: "g reshaped back to shape {shape}",
    ops.Transpose: "g transposed back (axes {axes})",
    ops.Index: "g scattered back into shape {shape} at the index",
    ops.Scatter: "g read at the index",
    ops.Concatenate: "g's slice along axis {axis}",
    ops.LogSoftmax: "g - softmax(x) * sum(g)",
    ops.SoftmaxCrossEntropy: "softmax(logits) - one_hot(labels)",
    ops.Pad: "g's middle (the padding cut off)",
    ops.Windows: "g's windows added back where they were read",
    ops.Unwindows: "g's sliding windows",
    ops.Unstack: "g with the axis moved back",
    ops.Pick: "g in slice {index}, zeros elsewhere",
    ops.LSTMCell: ("the cell's gates backward, timestep {step}", "d(h, c)/d(h, c) of the cell",
                   "h.T @ dz"),
    ops.GRUCell: ("the cell's gates backward, timestep {step}", "g * z + d_inner @ kernel.T",
                  "h.T @ d_inner", "d_inner summed over the rows"),
}

# The constants a form names, filled from the op's saved state
_GIVEN: dict[type[Function], str] = {ops.Pow: "p = {exponent}", ops.Clip: "lo = {lo}, hi = {hi}"}

# Ops whose local derivative is one number per output element: backward of ones shows it.
_ELEMENTWISE = {ops.Add, ops.Mul, ops.Neg, ops.Pow, ops.Power, ops.Exp, ops.Log, ops.Tanh,
                ops.Sigmoid, ops.Relu, ops.Abs, ops.Clip, ops.Where, ops.Maximum, ops.Minimum}


class _State(dict):  # type: ignore[type-arg]
    """An op's saved state for `str.format_map`; what it lacks reads as '?'."""

    def __init__(self, fn: Function) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, key: str) -> str:
        return str(getattr(self.fn, key, "?"))


def symbolic_form(fn: Function, i: int) -> str:
    """The local derivative of `fn`'s output with respect to its input `i`, as text.

    >>> symbolic_form(ops.Tanh.shared, 0), symbolic_form(ops.Mul.shared, 1)
    ('1 - tanh(x)**2', 'a')
    """
    form = FORMS.get(type(fn))
    if form is None:  # a user's op: name it
        return f"d {fn.name}/d input {i}"
    text = form if isinstance(form, str) else form[i]
    return text.format_map(_State(fn)) if "{" in text else text


def _given(fn: Function) -> str | None:
    """The constants the op's form names (Pow's p), as text; None if it names none."""
    text = _GIVEN.get(type(fn))
    return None if text is None else text.format_map(_State(fn))


@dataclass
class Contribution:
    """What one step sends to one input: `product` is added to the input's gradient.

    `local` is the local derivative d node / d input (elementwise ops; None for the others,
    whose `form` says what backward does), `unbroadcast` the (before, after) shapes when the
    product was summed back to the input's shape.
    """

    input: Node
    node_id: str
    label: str
    form: str
    local: Any
    product: Any
    unbroadcast: tuple[tuple[int, ...], tuple[int, ...]] | None = None
    given: str | None = None  # the constants `form` names, e.g. "p = 2.0"


@dataclass
class Step:
    """One node's step: its finished gradient `grad` and what it sends to its `inputs`."""

    index: int
    node: Node
    node_id: str
    label: str
    op: str | None
    grad: Any
    inputs: list[Contribution] = field(default_factory=list)
    output_name: str = "L"

    def describe(self) -> str:
        """The step's arithmetic, one line per input (a leaf: its finished gradient).

        >>> from autograd import Value
        >>> a = Value(2.0, label="a")
        >>> print(explain(a * a).steps[0].describe())
        dL/da += dL/dL * b = 1.0000 * 2.0000 = 2.0000
        dL/da += dL/dL * a = 1.0000 * 2.0000 = 2.0000
        """
        d = f"d{self.output_name}/"
        me = d + _d(self.label) if self.index else f"{d}d{self.output_name}"
        if self.grad is None:
            return f"{me}: no gradient reaches this node"
        if not self.inputs:
            kind = "a leaf" if self.op is None else "its inputs receive none"
            return f"{me} = {_show(self.grad)} ({kind})"
        lines = []
        for c in self.inputs:
            head = f"{d}{_d(c.label)} += "
            if c.local is not None:
                form = f"({c.form})" if " " in c.form else c.form
                text = f"{head}{me} * {form} = {_show(self.grad)} * {_show(c.local)}"
            else:
                text = f"{head}{c.form} (g = {me} = {_show(self.grad)})"
            if c.unbroadcast is not None:
                before, after = c.unbroadcast
                text += f", summed back from shape {before} to {after}"
            text += f" = {_show(c.product)}"
            lines.append(text if c.given is None else f"{text}   [{c.given}]")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "node_id": self.node_id,
            "label": self.label,
            "op": self.op,
            "grad": _plain(self.grad),
            "grad_text": None if self.grad is None else _show(self.grad),
            "text": self.describe(),
            "inputs": [
                {
                    "node_id": c.node_id,
                    "label": c.label,
                    "form": c.form,
                    "given": c.given,
                    "local": _plain(c.local),
                    "product": _plain(c.product),
                    "unbroadcast": c.unbroadcast and [list(shape) for shape in c.unbroadcast],
                }
                for c in self.inputs
            ],
        }


class Explanation:
    """The steps of backward from `output`; `str()` is a table, `to_dict()` plain data."""

    def __init__(self, output: Node, steps: list[Step], grads: dict[Node, Any]) -> None:
        self.output = output
        self.steps = steps
        self._grads = grads

    def grad(self, node: Node) -> Any:
        """d output / d `node` as the steps found it (None if no gradient reached it)."""
        if node not in self._grads:
            raise ValueError(f"explain: node {node!r} is not in the graph of the output")
        return _dense(self._grads[node])

    def to_dict(self) -> dict[str, Any]:
        """JSON-able data: the output's id and label, and every step with its texts and ids."""
        root = self.steps[0]
        return {"output": {"node_id": root.node_id, "label": root.label},
                "output_name": root.output_name, "steps": [s.to_dict() for s in self.steps]}

    def __str__(self) -> str:
        root = self.steps[0]
        lines = [f"backward from {root.label} [{root.node_id}]: {len(self.steps)} steps",
                 f"{'step':>4}  {'id':<5} {'node':<14} {'op':<8} d{root.output_name}/dnode"]
        for s in self.steps:
            lines.append(f"{s.index:>4}  {s.node_id:<5} {s.label:<14} {s.op or '(leaf)':<8} "
                         f"{'none' if s.grad is None else _show(s.grad)}")
            lines.extend("          " + line for line in s.describe().split("\n") if s.inputs)
        return "\n".join(lines)

    def __repr__(self) -> str:
        root = self.steps[0]
        return f"<Explanation of {root.label} [{root.node_id}]: {len(self.steps)} steps>"

    def save(self, path: str | Path) -> Path:
        """Write a self-contained HTML page to step through the steps on the graph (previous
        and next buttons, arrow keys): see `autograd.explain_page`. Returns the path."""
        from autograd.explain_page import save_page  # draws with Graphviz when called

        return save_page(self, path)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in ("step", "id", "node", "op", "grad", "sends"))
        rows = []
        for s in self.steps:
            sends = "<br>".join(html.escape(line) for line in s.describe().split("\n"))
            cells = (str(s.index), s.node_id, s.label, s.op or "(leaf)",
                     "none" if s.grad is None else _show(s.grad))
            tds = "".join(f"<td>{html.escape(c)}</td>" for c in cells)
            rows.append(f'<tr data-node-id="{s.node_id}">{tds}<td>{sends}</td></tr>')
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def explain(output: Node, gradient: Any = None, *, accumulate: bool = False,
            retain_graph: bool | None = None) -> Explanation:
    """The chain rule from `output` back to every node that requires grad, step by step.

    `gradient` seeds it as in `backward` (needed for a non-scalar output). No `.grad` is
    changed and the graph is not released, unless `accumulate=True`: then the real
    `output.backward(gradient, retain_graph=retain_graph)` runs afterwards and fills `.grad`
    as it always does (releasing the graph unless `retain_graph`).

    >>> from autograd import Tensor
    >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="x")
    >>> b = Tensor([10.0, 20.0], requires_grad=True, name="b")
    >>> e = explain((x + b).sum())
    >>> e.grad(b), b.grad
    (array([2., 2.]), None)
    >>> e.steps[1].inputs[1].unbroadcast
    ((2, 2), (2,))
    """
    if not isinstance(output, Node):
        raise TypeError(f"explain expects a Value or a Tensor, received {type(output).__name__}: "
                        f"{output!r}")
    if not output.requires_grad:
        raise ValueError("explain: the output does not require grad (made from constants only, "
                         "under no_grad(), or by detach()): there is no gradient to explain")
    if getattr(output._fn, "plan", None) is not None:  # one node of a jit call: no steps
        raise ValueError(
            "explain: this is the one node of a jit call, whose plan keeps no intermediate "
            "nodes; explain the same step eagerly with jitted.explain(*args) (the plan gives "
            "the same numbers bit for bit)"
        )
    order = topological_order(output)
    for node in order:
        if node._fn is not None and node._fn.released:
            raise RuntimeError(f"explain: the buffers of op '{node.op}' were released by an "
                               "earlier backward(); pass retain_graph=True to it")
    ids = _Collected(output).index
    name = output.label or "L"
    grads: dict[Node, Any] = {node: None for node in order}
    grads[output] = raw(output._seed(gradient))
    steps = []
    for index, node in enumerate(reversed(order)):
        step = Step(index, node, f"n{ids[node]}", _label(node, ids), node.op or None,
                    _dense(grads[node]), output_name=name)
        if node._fn is not None and grads[node] is not None:
            step.inputs = _send(node, grads[node], grads, ids)
        steps.append(step)
    if accumulate:
        output.backward(gradient, retain_graph=retain_graph)
    return Explanation(output, steps, grads)


def _send(node: Node, g: Any, grads: dict[Node, Any], ids: dict[Node, int]) -> list[Contribution]:
    """Call the node's op's backward as the engine does; add each share into `grads`."""
    fn = node._fn
    assert fn is not None, "a leaf sends nothing"
    parents = node._parents
    takes = [isinstance(p, Node) and p.requires_grad for p in parents]
    args = [raw(p) for p in parents]
    shares = _backward(fn, g, node._data, args, takes)
    local: Any = [None] * len(parents)
    if type(fn) in _ELEMENTWISE:  # backward of ones: d node / d input, element by element
        ones = 1.0 if type(node._data) is float else np.ones_like(node._data)
        per_element = _backward(fn, ones, node._data, args, takes)
        local = [None if x is None else _dense(x) for x in per_element]
    sent = []
    for i, parent in enumerate(parents):
        share = shares[i]
        if not takes[i] or share is None:
            continue
        moved = None
        if node._broadcasts and (share.shape != parent._data.shape
                                 or share.dtype != parent._data.dtype):
            if share.shape != parent._data.shape:
                moved = (tuple(share.shape), tuple(parent._data.shape))
            share = _fit_to(share, parent)  # the engine's own un-broadcasting and cast
        held = grads[parent]
        grads[parent] = share if held is None else held + share
        sent.append(Contribution(parent, f"n{ids[parent]}", _label(parent, ids),
                                 symbolic_form(fn, i), local[i], _dense(share), moved,
                                 _given(fn)))
    return sent


def _backward(fn: Function, g: Any, out: Any, args: list[Any], takes: list[bool]) -> Any:
    if fn.wants_needs:
        return fn.backward(g, out, *args, needs=takes)
    return fn.backward(g, out, *args)


def _label(node: Node, ids: dict[Node, int]) -> str:
    """The node's label as draw_graph shows it, else its op (or 'leaf') and its id."""
    return node.label or f"{node.op or 'leaf'} n{ids[node]}"


def _d(label: str) -> str:
    return f"d({label})" if " " in label else f"d{label}"


def _dense(x: Any) -> Any:
    return x.dense() if isinstance(x, Slices) else x


def _show(x: Any) -> str:
    """A Value's number with 4 decimals; an array as its shape and a few values."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if not isinstance(x, np.ndarray):
        return _num(float(x))
    if x.ndim == 0:
        return _num(float(x))
    flat = x.ravel()
    values = ", ".join(f"{float(v):.4g}" for v in flat[:_FEW])
    more = ", …" if flat.size > _FEW else ""
    return f"{'×'.join(map(str, x.shape))} [{values}{more}]"


def _plain(x: Any) -> Any:
    """JSON-able: floats (non-finite as None) or nested lists of them."""
    if x is None:
        return None
    array = np.asarray(_dense(x), dtype=np.float64)
    if array.ndim == 0:
        value = float(array)
        return value if math.isfinite(value) else None
    if np.all(np.isfinite(array)):
        return array.tolist()
    return [_plain(part) for part in array]
