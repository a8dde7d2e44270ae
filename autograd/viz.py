"""Draw the graph behind a `Value` or `Tensor` with Graphviz.

`draw_graph(root)` returns a `graphviz.Digraph` (Jupyter shows it inline); `save_graph(root,
"graph.svg")` writes a file. As in micrograd's picture of a neuron, every node is a box
(label, data, grad) and the op that produced it is a small ellipse between it and its inputs.
Graphs larger than `max_nodes`, or with one node feeding more than 24 others (Graphviz lays
such fans out slowly), are collapsed in three steps, each only if still too big:
chains of single-input elementwise ops become one op, each `name_scope` becomes one box,
and the nodes farthest from the output become one "… N more nodes" box. A caption says what
was collapsed. `LEGEND` says what each colour and shape means.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import warnings
from collections import Counter, deque
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import graphviz
import numpy as np

from autograd.engine import Node

__all__ = ["LEGEND", "Graph", "GraphvizNotFoundError", "draw_graph", "save_graph"]

LEGEND: dict[str, str] = {
    "parameter": "blue box: a leaf that requires grad (a weight that training changes)",
    "input": "grey box: a leaf that does not require grad (data fed in)",
    "intermediate": "white box: the result of an op",
    "output": "amber box with a thick border: the node the graph was drawn from",
    "op": "green ellipse: the op (+, *, tanh, @, ...) from its inputs to its result",
    "constant": "small dashed box, grey text: a plain number or array used by an op (no grad)",
    "collapsed": "violet dashed shape: many nodes drawn as one (a chain of ops, a scope, "
    "or '… N more nodes'); the caption below the graph counts them",
    "highlight": "red border: a node passed in highlight=",
    "cluster": "grey frame: a name_scope (e.g. a layer) or a group passed in clusters=",
    "stub": "small dashed box: another use of a leaf used many times (its full box is drawn "
    "once, at its first use)",
}

_FONT = "Helvetica,Arial,sans-serif"
_FAN_OUT = 24  # boxes one box may feed before the picture is collapsed (see _Layout._too_big)
_KIND_STYLE: dict[str, dict[str, str]] = {
    "parameter": {"fillcolor": "#dbeafe", "color": "#2563eb"},
    "input": {"fillcolor": "#e5e7eb", "color": "#6b7280"},
    "intermediate": {"fillcolor": "#ffffff", "color": "#94a3b8"},
    "output": {"fillcolor": "#fde68a", "color": "#b45309", "penwidth": "2.5"},
    "op": {
        "shape": "ellipse",
        "fillcolor": "#dcfce7",
        "color": "#16a34a",
        "fontsize": "11",
        "margin": "0.04,0.02",
        "height": "0.3",
        "width": "0.35",
    },
    "constant": {
        "style": "rounded,dashed,filled",
        "fillcolor": "#ffffff",
        "color": "#9ca3af",
        "fontcolor": "#4b5563",
        "fontsize": "9",
        "height": "0.25",
        "margin": "0.05,0.02",
    },
    "collapsed": {"style": "rounded,dashed,filled", "fillcolor": "#f3e8ff", "color": "#7c3aed"},
    "stub": {
        "style": "rounded,dashed,filled",
        "fillcolor": "#dbeafe",
        "color": "#2563eb",
        "fontsize": "9",
        "height": "0.22",
        "margin": "0.04,0.01",
    },
}
_GRAD_COLOR = "#b91c1c"
_TABLE = '<table border="0" cellborder="0" cellspacing="0" cellpadding="3">'
_HIGHLIGHT = {"color": "#dc2626", "penwidth": "3"}
_CLUSTER = {
    "style": "rounded,filled",
    "fillcolor": "#f8fafc",
    "color": "#cbd5e1",
    "fontname": _FONT,
    "fontsize": "11",
    "fontcolor": "#334155",
    "labeljust": "l",
}
_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}
_SMALL_TENSOR = 6  # tensors up to this many elements show their values, larger a summary
_INSTALL = (
    "Graphviz's `dot` program was not found on PATH, so the graph cannot be rendered. "
    "Install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), `sudo dnf install "
    "graphviz` (Fedora), `brew install graphviz` (macOS), `conda install -c conda-forge "
    "graphviz`, or `winget install graphviz` (Windows); see https://graphviz.org/download/. "
    "Without it the DOT text is still available as `graph.source`, and "
    "save_graph(root, 'graph.dot') works."
)


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """Rendering needs Graphviz's `dot` program; the message says how to install it.

    A `RuntimeError` (through graphviz's `ExecutableNotFound`).

    >>> str(GraphvizNotFoundError()).split(",")[0]
    "Graphviz's `dot` program was not found on PATH"
    """

    def __init__(self, message: str = _INSTALL) -> None:
        RuntimeError.__init__(self, message)  # skip ExecutableNotFound's own message


class Graph(graphviz.Digraph):
    """A `graphviz.Digraph` whose rendering explains how to install Graphviz if it is missing.

    `draw_graph` returns one: it shows itself in Jupyter, `.source` is the DOT text, and
    `.pipe(format="svg")` / `.render(...)` run `dot`.

    >>> from autograd import Value, draw_graph
    >>> graph = draw_graph(Value(2.0, label="a") * 3)
    >>> isinstance(graph, Graph), "a" in graph.source
    (True, True)
    """

    # set by draw_graph: draws the same graph coarser, with a note saying why
    coarser: Callable[[str], Graph] | None = None
    layout_timeout: float | None = None

    def pipe(self, format: str | None = None, *args: Any, **kwargs: Any) -> Any:
        """Run `dot` (as graphviz's `pipe`); a picture whose layout takes longer than
        `layout_timeout` seconds is stopped and drawn coarser instead (see `draw_graph`)."""
        fmt = format or self.format
        plain = set(kwargs) <= {"encoding", "quiet"} and not args and fmt in _LAID_OUT
        if self.coarser is None or self.layout_timeout is None or not plain:
            try:
                return super().pipe(format, *args, **kwargs)
            except graphviz.ExecutableNotFound as error:
                raise GraphvizNotFoundError() from error
        data = _laid_out(self.source, fmt, self.layout_timeout)
        if data is None:  # over the budget: a coarser picture, which says so in its caption
            note = f"dot took over {self.layout_timeout:g} s on the full picture"
            return self.coarser(note).pipe(format, **kwargs)
        encoding = kwargs.get("encoding")
        return data.decode(encoding) if encoding else data

    def render(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound as error:
            raise GraphvizNotFoundError() from error


# ---------------------------------------------------------------------------------------
# Public API


# Past this many boxes, `dot`'s layout takes minutes (10,000 nodes: over ten)
_SLOW_LAYOUT = 2000
_LAID_OUT = {"svg", "png", "pdf", "jpg", "jpeg", "gif"}  # formats `dot` lays out


def _laid_out(source: str, fmt: str, timeout: float) -> bytes | None:
    """`dot -T<fmt>` of `source`, or None when it ran longer than `timeout` seconds."""
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizNotFoundError()
    try:
        done = subprocess.run([dot, f"-T{fmt}"], input=source.encode("utf-8"),
                              capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        raise RuntimeError(f"dot failed (exit {done.returncode}): {done.stderr.decode()[:500]}")
    return done.stdout


def draw_graph(
    root: Node,
    *,
    rankdir: str = "LR",
    show_data: bool = True,
    show_grad: bool = True,
    max_nodes: int | None = 300,
    highlight: Iterable[Node] | None = None,
    clusters: Mapping[str, Iterable[Node]] | None = None,
    layout_timeout: float | None = 10.0,
) -> Graph:
    """The graph that produced `root`, as a `graphviz.Digraph` (shown inline in Jupyter).

    `max_nodes` bounds how many boxes are drawn (`None`: draw every node); a larger graph is
    collapsed (see the module docstring) and a caption says what was collapsed. The root,
    `highlight`ed nodes (drawn with a red border) and the nodes in `clusters` (a dict of
    title -> nodes, each group drawn in one frame) are never collapsed. Tensors made inside
    `name_scope(...)` are framed by their scope automatically. `LEGEND` explains the colours.
    Rendering it (`save_graph`, `.pipe`, a notebook's display) never hangs: a layout that takes
    `dot` longer than `layout_timeout` seconds is stopped and the graph drawn again with a
    quarter of the boxes, down to two, each time saying so in the caption (None: no limit).

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b
    >>> c.backward()
    >>> graph = draw_graph(c)
    >>> "data 2.0000" in graph.source and "grad -3.0000" in graph.source
    True
    """
    if not isinstance(root, Node):
        raise TypeError(
            f"draw_graph expects a Value or a Tensor, received {type(root).__name__}: {root!r}"
        )
    plan = getattr(root._fn, "plan", None)  # the one node of a jit call: draw its plan
    if plan is not None and plan.trace_root is not None:
        return draw_plan(plan, rankdir=rankdir, show_data=show_data, show_grad=show_grad,
                         max_nodes=max_nodes, highlight=highlight, clusters=clusters,
                         layout_timeout=layout_timeout)
    return _draw(root, rankdir, show_data, show_grad, max_nodes, highlight, clusters,
                 layout_timeout, [])


def draw_plan(plan: Any, **options: Any) -> Graph:
    """A `jit` plan drawn as the graph its trace recorded, captioned as a plan (the values
    shown are the trace's: the replays keep no nodes). Options as `draw_graph`'s."""
    steps = [op for op in plan.ops if op == "backward" or op.startswith("effect ")]
    if steps:  # a training step: its backward() and updates run inside the plan
        n_ops = sum(op not in steps and op != "clear grad" for op in plan.ops)
        note = (f"a jit plan of {n_ops} ops, then "
                f"{', '.join(dict.fromkeys(steps))}, replayed as one call per step; drawn "
                "as traced (values from the trace)")
    else:
        note = (f"a jit plan of {len(plan.ops)} ops, replayed as one node per call; drawn "
                "as traced (values from the trace)")
    defaults = {"rankdir": "LR", "show_data": True, "show_grad": True, "max_nodes": 300,
                "highlight": None, "clusters": None, "layout_timeout": 10.0}
    unknown = set(options) - set(defaults)
    if unknown:
        raise TypeError(f"draw_plan got unexpected option(s) {sorted(unknown)}")
    o = {**defaults, **options}
    return _draw(plan.trace_root, o["rankdir"], o["show_data"], o["show_grad"], o["max_nodes"],
                 o["highlight"], o["clusters"], o["layout_timeout"], [note])


def _draw(root: Node, rankdir: str, show_data: bool, show_grad: bool, max_nodes: int | None,
          highlight: Iterable[Node] | None, clusters: Mapping[str, Iterable[Node]] | None,
          layout_timeout: float | None, notes: list[str]) -> Graph:
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(
            f"draw_graph: rankdir must be 'LR', 'RL', 'TB' or 'BT', received {rankdir!r}"
        )
    if max_nodes is not None and (
        isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 2
    ):
        raise ValueError(
            f"draw_graph: max_nodes must be an int >= 2 or None, received {max_nodes!r}"
        )
    collected = _Collected(root)
    if max_nodes is None and len(collected.nodes) > _SLOW_LAYOUT:
        warnings.warn(
            f"draw_graph(max_nodes=None) draws all {len(collected.nodes):,} nodes: Graphviz's "
            "layout of a graph this size can take many minutes (the default max_nodes=300 "
            "collapses it and renders in well under a second)",
            stacklevel=2,
        )
    if layout_timeout is not None and not layout_timeout > 0:
        raise ValueError(
            f"draw_graph: layout_timeout must be a positive number of seconds or None, "
            f"received {layout_timeout!r}"
        )
    marked = collected.indices(highlight or (), "highlight")
    groups = _user_groups(collected, clusters)
    return _drawn(collected, rankdir, show_data, show_grad, max_nodes, marked, groups,
                  layout_timeout, notes)


def _drawn(g: _Collected, rankdir: str, show_data: bool, show_grad: bool, max_nodes: int | None,
           marked: set[int], groups: dict[int, str], layout_timeout: float | None,
           notes: list[str]) -> Graph:
    """The picture with at most `max_nodes` boxes; `notes` (why it is coarser) go first in
    its caption. Its `coarser` draws it again with a quarter of the boxes."""
    layout = _Layout(g, keep={g.root} | marked | set(groups), limit=max_nodes)
    layout.notes[:0] = notes
    graph = _Drawer(g, layout, rankdir, show_data, show_grad, marked, groups).graph
    limit = len(g.nodes) if max_nodes is None else max_nodes
    if limit > 2:
        def coarser(note: str) -> Graph:
            fewer = max(2, limit // 4)
            why = f"{note}: drawn again with max_nodes={fewer}"
            return _drawn(g, rankdir, show_data, show_grad, fewer, marked, groups,
                          layout_timeout, notes + [why])

        graph.coarser = coarser
    graph.layout_timeout = layout_timeout
    return graph


def save_graph(root: Node, path: str | Path, **draw_kwargs: Any) -> Path:
    """Draw `root`'s graph and write it to `path`; the suffix picks the format.

    `.svg`, `.png` and `.pdf` need Graphviz's `dot` program; `.dot` (the source) does not.
    Keyword arguments go to `draw_graph`. Returns the path written.

    >>> import tempfile, pathlib
    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = save_graph(x * x, pathlib.Path(tmp) / "square.dot")
    ...     out.read_text().startswith("digraph")
    True
    """
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"save_graph: cannot tell the format of {str(path)!r} from its suffix "
            f"{path.suffix!r}; expected one of {', '.join(sorted(_FORMATS))}"
        )
    graph = draw_graph(root, **draw_kwargs)
    if fmt == "dot":
        path.write_text(graph.source, encoding="utf-8")
    else:
        if fmt == "png":
            graph.graph_attr["dpi"] = "144"  # the default 96 dpi blurs the small text
        path.write_bytes(graph.pipe(format=fmt))
    return path


# ---------------------------------------------------------------------------------------
# The graph as lists: nodes in topological order, parents as indices


class _Collected:
    """Every node reachable from `root` (parents first, root last) and who uses whom."""

    def __init__(self, root: Node) -> None:
        nodes: list[Node] = []
        index: dict[Node, int] = {}
        seen: set[Node] = set()
        # iterative depth-first search: deep graphs exceed the recursion limit
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                index[node] = len(nodes)
                nodes.append(node)
                continue
            if node in seen:
                continue
            seen.add(node)
            stack.append((node, True))
            for parent in reversed(node._parents):  # reversed: the first input is drawn first
                if isinstance(parent, Node) and parent not in seen:
                    stack.append((parent, False))
        self.nodes = nodes
        self.index = index
        self.root = len(nodes) - 1
        self.parents = [[index[p] for p in n._parents if isinstance(p, Node)] for n in nodes]
        self.uses = [0] * len(nodes)  # how many times each node is an input
        self.consumer = [-1] * len(nodes)  # the last node that used it
        for i, parents in enumerate(self.parents):
            for p in parents:
                self.uses[p] += 1
                self.consumer[p] = i

    def indices(self, nodes: Iterable[Node], what: str) -> set[int]:
        found = set()
        for node in nodes:
            shown = repr(node) if len(repr(node)) < 80 else repr(node)[:77] + "..."
            if not isinstance(node, Node):
                raise TypeError(f"draw_graph: {what} expects nodes, received {shown}")
            if node not in self.index:
                raise ValueError(f"draw_graph: {what} node {shown} is not in the graph of root")
            found.add(self.index[node])
        return found

    def scope(self, i: int) -> str | None:
        return getattr(self.nodes[i], "scope", None)


def _user_groups(
    collected: _Collected, clusters: Mapping[str, Iterable[Node]] | None
) -> dict[int, str]:
    if clusters is None:
        return {}
    if not isinstance(clusters, Mapping):
        raise TypeError(
            f"draw_graph: clusters expects a dict of name -> nodes, received {clusters!r}"
        )
    groups: dict[int, str] = {}
    for name, members in clusters.items():
        for i in collected.indices(members, f"clusters[{name!r}]"):
            groups.setdefault(i, str(name))
    return groups


# ---------------------------------------------------------------------------------------
# Collapsing: which box each node is drawn in


class _Layout:
    """`owner[i]`: the index of the node whose box shows node i (itself unless collapsed into
    a chain), or the key of a collapsed box ("scope:<name>", "more")."""

    def __init__(self, g: _Collected, keep: set[int], limit: int | None) -> None:
        n = len(g.nodes)
        self.owner: list[int | str] = list(range(n))
        self.chains: dict[int, list[int]] = {}  # chain end -> its nodes, first to last
        self.notes: list[str] = []
        if limit is None or not self._too_big(g, limit):
            return
        self._collapse_chains(g, keep)
        if self._too_big(g, limit):
            self._collapse_scopes(g, keep)
        if self._items() > limit:
            self._cut_far(g, keep, limit)
        self._describe(n)

    def _items(self) -> int:
        return len(set(self.owner))

    def _too_big(self, g: _Collected, limit: int) -> bool:
        """More boxes than `limit`, or one box feeding more than `_FAN_OUT` others: dot's layout
        time grows steeply with such fans (a 100-step LSTM's 115 nodes, its weights and its
        unstacked input each feeding 100 cells, took dot over 25 s; as one scope, 0.03 s)."""
        if self._items() > limit:
            return True
        consumers: dict[int | str, set[int | str]] = {}
        for i, parents in enumerate(g.parents):
            for p in parents:
                if not _stubbed(g, p):  # a stubbed leaf makes no fan (see _Drawer._link)
                    consumers.setdefault(self.owner[p], set()).add(self.owner[i])
        return any(len(c) > _FAN_OUT for c in consumers.values())

    def _collapse_chains(self, g: _Collected, keep: set[int]) -> None:
        def absorbable(i: int) -> bool:
            # a node disappears into its only consumer when that consumer is elementwise on it
            c = g.consumer[i]
            return (
                g.uses[i] == 1
                and i not in keep
                and g.nodes[i]._fn is not None
                and g.parents[c] == [i]
                and np.shape(g.nodes[c]._data) == np.shape(g.nodes[i]._data)
                and g.scope(c) == g.scope(i)
            )

        for c, parents in enumerate(g.parents):  # topological: a chain grows at its end
            if len(parents) == 1 and absorbable(parents[0]):
                members = self.chains.pop(parents[0], None) or [parents[0]]
                members.append(c)
                self.chains[c] = members
        for end, members in self.chains.items():
            for m in members[:-1]:
                self.owner[m] = end

    def _collapse_scopes(self, g: _Collected, keep: set[int]) -> None:
        for i in range(len(g.nodes)):
            owner, scope = self.owner[i], g.scope(i)
            if scope is not None and i not in keep and owner not in keep:
                self.owner[i] = "scope:" + scope

    def _cut_far(self, g: _Collected, keep: set[int], limit: int) -> None:
        inputs: dict[int | str, list[int | str]] = {}
        for i, parents in enumerate(g.parents):
            here = self.owner[i]
            inputs.setdefault(here, []).extend(self.owner[p] for p in parents)
        # breadth-first from the output: the nodes nearest it stay
        start = self.owner[g.root]
        kept: set[int | str] = {start} | {self.owner[i] for i in keep}
        order, queue = [start], deque([start])
        while queue and len(order) < limit - 1:
            for item in inputs.get(queue.popleft(), ()):
                if item not in kept and len(order) < limit - 1:
                    kept.add(item)
                    order.append(item)
                    queue.append(item)
        self.owner = [o if o in kept else "more" for o in self.owner]

    def _describe(self, n: int) -> None:
        drawn = sum(1 for i, o in enumerate(self.owner) if o == i)
        if drawn == n:
            return
        in_chains = sum(1 for i, o in enumerate(self.owner) if isinstance(o, int) and o != i)
        chains = sum(1 for end in self.chains if self.owner[end] == end)
        scopes = Counter(o for o in self.owner if isinstance(o, str) and o != "more")
        far = self.owner.count("more")
        parts = []
        if chains:
            hidden = _count(in_chains, "node")
            parts.append(f"{_count(chains, 'chain')} of elementwise ops ({hidden})")
        if scopes:
            inside = _count(sum(scopes.values()), "node")
            parts.append(f"{_count(len(scopes), 'scope')} ({inside})")
        if far:
            parts.append(f"{_count(far, 'node')} farthest from the output (… more nodes)")
        self.notes = [
            f"collapsed {n - drawn:,} of {n:,} nodes: {', '.join(parts)}",
            "draw_graph(..., max_nodes=None) draws every node",
        ]


# ---------------------------------------------------------------------------------------
# Drawing


class _Drawer:
    def __init__(
        self,
        g: _Collected,
        layout: _Layout,
        rankdir: str,
        show_data: bool,
        show_grad: bool,
        marked: set[int],
        groups: dict[int, str],
    ) -> None:
        self.g, self.layout, self.marked, self.groups = g, layout, marked, groups
        self.show_data, self.show_grad = show_data, show_grad
        self.graph = Graph(
            name="autograd",
            graph_attr={
                "rankdir": rankdir,
                "fontname": _FONT,
                "fontsize": "11",
                "nodesep": "0.18",
                "ranksep": "0.3",
                "bgcolor": "white",
                "pad": "0.15",
            },
            node_attr={
                "fontname": _FONT,
                "fontsize": "10",
                "shape": "box",
                "style": "rounded,filled",
                "penwidth": "1.2",
                "margin": "0.06,0.03",
                "height": "0.3",
            },
            edge_attr={"color": "#64748b", "arrowsize": "0.6", "penwidth": "1"},
        )
        self.frames: dict[tuple[str, str], graphviz.Digraph] = {}
        self.box_ids: dict[str, str] = {}
        self.edges: list[tuple[str, str]] = []
        self.stubs: dict[int, int] = {}  # a stubbed leaf -> how many of its uses were drawn
        self._draw()

    def _draw(self) -> None:
        owner = self.layout.owner
        members: dict[str, list[int]] = {}
        for i, o in enumerate(owner):
            if isinstance(o, str):
                members.setdefault(o, []).append(i)
        for key in members:
            self.box_ids[key] = "more" if key == "more" else f"scope{len(self.box_ids)}"
        for key, inside in members.items():  # boxes first: they hold the farthest inputs
            self._box(key, inside)
        for i in range(len(self.g.nodes)):
            if owner[i] == i:
                self._node(i)
        self.graph.body.extend(f"\t{tail} -> {head}\n" for tail, head in self.edges)
        for frame in self.frames.values():
            self.graph.subgraph(frame)
        if self.layout.notes:
            # set last, so that the clusters above do not inherit it as their label
            self.graph.attr(
                label="".join(line + "\\l" for line in self.layout.notes),  # \l: left-aligned
                labelloc="b",
                labeljust="l",
                fontcolor="#7c3aed",
            )

    def _source(self, i: int) -> str:
        o = self.layout.owner[i]
        return f"n{o}" if isinstance(o, int) else self.box_ids[o]

    def _container(self, i: int) -> graphviz.Digraph:
        group, scope = self.groups.get(i), self.g.scope(i)
        key = ("user", group) if group is not None else ("scope", scope) if scope else None
        if key is None:
            return self.graph
        if key not in self.frames:
            self.frames[key] = graphviz.Digraph(
                name=f"cluster_{len(self.frames)}", graph_attr={"label": key[1], **_CLUSTER}
            )
        return self.frames[key]

    def _node(self, i: int) -> None:
        g, node = self.g, self.g.nodes[i]
        kind = "output" if i == g.root else _kind(node)
        style = {**_KIND_STYLE[kind], **(_HIGHLIGHT if i in self.marked else {})}
        frame = self._container(i)
        label = _node_label(node, self.show_data, self.show_grad)
        if _stubbed(g, i):  # drawn once: say how often it is used (the stubs name the rest)
            uses = f'<vr/><td><font color="#2563eb">used {g.uses[i]:,}×</font></td></tr>'
            label = label.replace("</tr>", uses, 1)
        _add(frame, f"n{i}", label, style)
        if node._fn is None:
            return
        chain = self.layout.chains.get(i)
        op = f"n{i}_op"
        if chain is None:
            _add(frame, op, node.op, _KIND_STYLE["op"])
            for j, parent in enumerate(node._parents):
                if not isinstance(parent, Node):
                    const = f"n{i}_c{j}"
                    _add(frame, const, _constant_label(parent), _KIND_STYLE["constant"])
                    self.edges.append((const, op))
            self._link(g.parents[i], op)
        else:
            label = _chain_label([g.nodes[m].op for m in chain])
            _add(frame, op, label, {**_KIND_STYLE["op"], "style": "dashed,filled"})
            self._link(g.parents[chain[0]], op)
        self.edges.append((op, f"n{i}"))

    def _link(self, parents: list[int], head: str) -> None:
        """An edge per input (`a + a` gets two), but one from each collapsed box; a leaf used
        more than `_FAN_OUT` times keeps its first edge and is named by a small stub at each
        other use: long edges from one node to many are what dot lays out slowly."""
        from_boxes: set[str] = set()
        for p in parents:
            tail = self._source(p)
            if self.layout.owner[p] != p:
                if tail in from_boxes:
                    continue
                from_boxes.add(tail)
            elif _stubbed(self.g, p):
                drawn = self.stubs[p] = self.stubs.get(p, 0) + 1
                if drawn > 1:
                    stub = f"{tail}_use{drawn}"
                    _add(self.graph, stub, _stub_label(self.g.nodes[p], self.g.uses[p]),
                         _KIND_STYLE["stub"])
                    tail = stub
            self.edges.append((tail, head))

    def _box(self, key: str, inside: list[int]) -> None:
        g, box = self.g, self.box_ids[key]
        if key == "more":
            label = f"… {len(inside):,} more " + ("node" if len(inside) == 1 else "nodes")
        else:
            label = _scope_label(key[len("scope:") :], [g.nodes[i] for i in inside])
        _add(self.graph, box, label, _KIND_STYLE["collapsed"])
        tails = {self._source(p) for i in inside for p in g.parents[i]} - {box}
        self.edges.extend((tail, box) for tail in sorted(tails))


def _add(graph: graphviz.Digraph, name: str, label: str, style: Mapping[str, str]) -> None:
    """Append one node statement. Written directly rather than with `graph.node()`, whose
    per-attribute quoting took most of the time on graphs of 1e5 nodes."""
    text = label if label.startswith("<") and label.endswith(">") else _quote(label)
    attrs = " ".join(f"{key}={_quote(value)}" for key, value in style.items())
    graph.body.append(f"\t{name} [label={text} {attrs}]\n")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------------------------------
# Labels


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _kind(node: Node) -> str:
    if node._fn is not None:
        return "intermediate"
    return "parameter" if node.requires_grad else "input"


def _num(x: float) -> str:
    """Four decimals as micrograd prints them; scientific notation when that would mislead."""
    if not np.isfinite(x) or x == 0 or 1e-4 <= abs(x) < 1e6:
        return f"{x:.4f}"
    return f"{x:.3e}"


def _array(a: Any) -> str:
    """Small arrays in full, larger ones as min / mean / max."""
    a = np.asarray(a)
    if a.ndim == 0:
        return _num(float(a))
    if a.size <= _SMALL_TENSOR:
        return np.array2string(
            a, separator=", ", formatter={"float_kind": lambda v: f"{v:.4g}"}, max_line_width=60
        )
    with np.errstate(all="ignore"):  # inf - inf in the mean is nan, not a warning
        lo, mean, hi = a.min(), a.mean(dtype=np.float64), a.max()
    return f"min {lo:.4g} · mean {mean:.4g} · max {hi:.4g}"


def _raw(x: Any) -> Any:
    return x._data if isinstance(x, Node) else x  # a grad is a node under create_graph


def _cell(text: str, color: str | None = None, **attrs: str) -> str:
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
    body = html.escape(text).replace("\n", '<br align="left"/>')
    if color:
        body = f'<font color="{color}">{body}</font>'
    return f"<td{extra}>{body}</td>"


def _stubbed(g: _Collected, i: int) -> bool:
    """A leaf used by so many ops that its other uses are drawn as stubs."""
    return g.uses[i] > _FAN_OUT and g.nodes[i]._fn is None


def _stub_label(node: Node, uses: int) -> str:
    name = node.label or getattr(node, "name", None) or "leaf"
    return f"{html.escape(str(name))} (used {uses:,}×)"


def _node_label(node: Node, show_data: bool, show_grad: bool) -> str:
    grad = _raw(node.grad)
    if not isinstance(node._data, np.ndarray):  # a Value: one row, as in micrograd
        cells = [f"<td><b>{html.escape(node.label)}</b></td>"] if node.label else []
        if show_data:
            cells.append(_cell(f"data {_num(float(node._data))}"))
        if show_grad and grad is not None and node.requires_grad:
            cells.append(_cell(f"grad {_num(float(grad))}", color=_GRAD_COLOR))
        row = "<vr/>".join(cells) or "<td> </td>"
        return f"<{_TABLE}<tr>{row}</tr></table>>"
    data = node._data
    head = f"<b>{html.escape(node.label)}</b>  " if node.label else ""
    shape = "×".join(str(d) for d in data.shape) or "scalar"
    rows = [f'<td align="left">{head}<font color="#475569">{shape} {data.dtype}</font></td>']
    if show_data:
        rows.append(_cell(f"data {_array(data)}", align="left", balign="left"))
    if show_grad and grad is not None:
        rows.append(_cell(f"grad {_array(grad)}", _GRAD_COLOR, align="left", balign="left"))
    body = "<hr/>".join(f"<tr>{r}</tr>" for r in rows)
    return f"<{_TABLE}{body}</table>>"


def _constant_label(value: Any) -> str:
    a = np.asarray(value)
    if a.size <= _SMALL_TENSOR:
        return f"{float(a):.4g}" if a.ndim == 0 else _array(a)
    return f"const {'×'.join(map(str, a.shape))} {a.dtype}"


def _chain_label(ops: list[str]) -> str:
    """'tanh → * → + (3 ops)'; repeats as 'tanh ×50', long chains elided in the middle."""
    runs: list[list[Any]] = []
    for op in ops:
        if runs and runs[-1][0] == op:
            runs[-1][1] += 1
        else:
            runs.append([op, 1])
    parts = [op if count == 1 else f"{op} ×{count:,}" for op, count in runs]
    if len(parts) > 5:
        parts = parts[:2] + ["…"] + parts[-2:]
    return f"{' → '.join(parts)} ({len(ops):,} ops)"


def _scope_label(scope: str, nodes: list[Node]) -> str:
    ops = Counter(n.op for n in nodes if n._fn is not None)
    params = [n for n in nodes if n._fn is None and n.requires_grad]
    lines = [f"<b>{html.escape(scope)}</b>", f"{_count(len(nodes), 'node')} collapsed"]
    if ops:
        top = ", ".join(op for op, _ in ops.most_common(4)) + (", …" if len(ops) > 4 else "")
        lines.append(html.escape(f"{_count(sum(ops.values()), 'op')}: {top}"))
    if params:
        size = sum(int(np.size(n._data)) for n in params)
        lines.append(f"{_count(len(params), 'parameter')} ({_count(size, 'value')})")
    return "<" + "<br/>".join(lines) + ">"
