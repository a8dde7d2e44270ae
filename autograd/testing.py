"""Hypothesis strategies for property-testing gradients in your own tests.

Import it as `autograd.testing` (it needs hypothesis, a dev dependency; `import autograd`
does not load it):

>>> from hypothesis import given, settings
>>> from autograd.testing import assert_gradients_match, graphs, values
>>> @settings(max_examples=10)
... @given(values())
... def test_cube(x):
...     assert_gradients_match(lambda v: v**3 - 2 * v, x)
>>> test_cube()
>>> @settings(max_examples=10)
... @given(graphs("tensor", max_ops=6))
... def test_random_expressions(graph):
...     fn, inputs = graph
...     assert_gradients_match(fn, *inputs)
>>> test_random_expressions()
"""

from __future__ import annotations

from typing import Any, Callable, Literal, Sequence, cast

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd.engine import Node, no_grad
from autograd.gradcheck import GradcheckError, gradcheck
from autograd.optable import OPS, Domain, OpSpec, by_name
from autograd.tensor import Tensor
from autograd.value import Value

__all__ = [
    "Domain",
    "Graph",
    "OpSpec",
    "assert_gradients_match",
    "broadcastable_shapes",
    "graphs",
    "op_inputs",
    "tensors",
    "values",
]

MAX_SIDE = 4
# the grid `distinct` ops draw from: exact in float16/32/64 and 1/16 apart, so no near-ties
_GRID = st.integers(-48, 48).map(lambda k: k / 16)


def values(domain: Domain | None = None) -> st.SearchStrategy[Value]:
    """`Value`s that require grad, with data drawn from `domain` (default [-3, 3]).

    >>> from autograd.optable import Domain
    >>> from hypothesis import given
    >>> @given(values(Domain(0.1, 5.0)))
    ... def test_positive(x):
    ...     assert x.requires_grad and 0.1 <= x.data <= 5.0
    >>> test_positive()
    """
    domain = Domain() if domain is None else _domain(domain)
    return domain.elements().map(Value)


def tensors(
    shape: int | tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] | None = None,
    dtype: Any = np.float64,
    elements: Domain | st.SearchStrategy[float] | None = None,
    requires_grad: bool = True,
    unique: bool = False,
) -> st.SearchStrategy[Tensor]:
    """`Tensor`s of a float `dtype` with a fixed or drawn `shape` (default: up to 3-D, sides 1-4).

    `elements` is a `Domain` or a strategy of floats (default: the domain [-3, 3]).

    >>> import numpy as np
    >>> from hypothesis import given
    >>> @given(tensors((2, 3), dtype=np.float32))
    ... def test_shape(t):
    ...     assert t.shape == (2, 3) and t.dtype == np.float32 and t.requires_grad
    >>> test_shape()
    """
    kind = np.dtype(dtype)
    if kind.kind != "f":
        raise TypeError(f"tensors() expects a float dtype, received {dtype!r} ({kind})")
    if shape is None:
        shape = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=MAX_SIDE)
    if elements is None or isinstance(elements, Domain):
        width = cast(Literal[16, 32, 64], 8 * kind.itemsize)
        elements = (elements or Domain()).elements(width=width)
    return hnp.arrays(kind, shape, elements=elements, unique=unique).map(
        lambda a: Tensor(a, requires_grad=requires_grad)
    )


def broadcastable_shapes(
    n: int, *, min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = MAX_SIDE
) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Tuples of `n` shapes that broadcast together (numpy rules).

    >>> import numpy as np
    >>> from hypothesis import given
    >>> @given(broadcastable_shapes(3))
    ... def test_broadcast(shapes):
    ...     assert len(shapes) == 3
    ...     np.broadcast_shapes(*shapes)
    >>> test_broadcast()
    """
    if n < 1:
        raise ValueError(f"broadcastable_shapes expects n >= 1, received n={n}")
    return hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    ).map(lambda r: tuple(r.input_shapes))


def op_inputs(
    spec: OpSpec, kind: str = "tensor", dtype: Any = np.float64
) -> st.SearchStrategy[tuple[Node, ...]]:
    """Arguments for one table entry, each inside the entry's domain (and guard).

    >>> from hypothesis import given
    >>> from autograd.optable import by_name
    >>> log = by_name("log")
    >>> @given(op_inputs(log, "value"))
    ... def test_log(args):
    ...     assert_gradients_match(log.fn, *args)
    >>> test_log()
    """
    _check_kind(kind, spec)
    if kind == "value":
        return st.tuples(*[values(d) for d in spec.domains]).filter(lambda xs: spec.admits(*xs))
    if spec.shapes is not None:
        shapes = spec.shapes()
    elif spec.elementwise:
        shapes = broadcastable_shapes(spec.arity)
    else:
        single = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=MAX_SIDE)
        shapes = st.tuples(*[single] * spec.arity).filter(lambda s: spec.fits(*s))

    @st.composite
    def draw_inputs(draw: Any) -> tuple[Node, ...]:
        drawn = draw(shapes)
        unique = spec.distinct and spec.arity == 1
        args = tuple(
            draw(tensors(shape, dtype, _GRID if spec.distinct else domain, unique=unique))
            for shape, domain in zip(drawn, spec.domains)
        )
        assume(spec.admits(*args))
        return args

    return draw_inputs()


def assert_gradients_match(fn: Callable[..., Any], *inputs: Any, **tolerances: float) -> None:
    """Assert that the engine's gradients of `fn(*inputs)` match central differences.

    `tolerances` are gradcheck's `eps`, `atol` and `rtol`. Raises AssertionError carrying
    gradcheck's message (which output, which input, both values).

    >>> from autograd import Value
    >>> assert_gradients_match(lambda a, b: a * b + a.exp(), Value(0.5), Value(-2.0))
    """
    try:
        gradcheck(fn, *inputs, **tolerances)
    except GradcheckError as error:
        raise AssertionError(f"gradients of {fn!r} do not match:\n{error}") from None


# ---------------------------------------------------------------------------------------
# Random computation graphs

LIMIT = 100.0  # every intermediate value stays within +-LIMIT: central differences stay accurate
MAX_SIZE = 64  # and every intermediate tensor this small, so gradcheck stays fast


class Graph:
    """A recorded expression DAG: `graph(*inputs)` replays it on any inputs of the same shapes.

    `steps` holds (op, argument indices) pairs; index i < n_inputs is input i, later indices
    are earlier steps. Nodes no later step consumes ("sinks") are folded into the output
    (`out + sink.mean()`), so every node's gradient is checked. `graphs()` draws them.

    >>> from autograd import Value
    >>> from autograd.optable import by_name
    >>> graph = Graph("value", 1, [(by_name("exp"), (0,)), (by_name("mul"), (1, 0))], [()] * 3)
    >>> graph
    graph_2_ops(x0):
        v0 = exp(x0)
        v1 = v0 * x0
        return v1
    >>> graph(Value(1.0)).data == Value(1.0).exp().data
    True
    """

    def __init__(
        self,
        kind: str,
        n_inputs: int,
        steps: Sequence[tuple[OpSpec, tuple[int, ...]]],
        shapes: Sequence[tuple[int, ...]],
    ) -> None:
        self.kind = kind
        self.n_inputs = n_inputs
        self.steps = tuple(steps)
        self.shapes = tuple(shapes)  # of every node, inputs first (() for a Value)
        used = {i for _, args in self.steps for i in args}
        last = n_inputs + len(self.steps) - 1
        self.sinks = tuple(i for i in range(last) if i not in used)
        self.__name__ = f"graph_{len(self.steps)}_ops"

    def __call__(self, *inputs: Any) -> Any:
        if len(inputs) != self.n_inputs:
            raise TypeError(f"{self.__name__} takes {self.n_inputs} inputs, received {len(inputs)}")
        nodes = list(inputs)
        for spec, args in self.steps:
            nodes.append(spec.fn(*[nodes[i] for i in args]))
        out = nodes[-1]
        for i in self.sinks:
            out = out + (nodes[i] if self.kind == "value" else nodes[i].mean())
        return out

    # -- structure, for tests that check the generator itself ------------------------------
    @property
    def n_ops(self) -> int:
        """The number of ops (steps), not counting the folding of sinks into the output.

        >>> from autograd.optable import by_name
        >>> Graph("value", 1, [(by_name("exp"), (0,)), (by_name("tanh"), (1,))], [()] * 3).n_ops
        2
        """
        return len(self.steps)

    @property
    def depth(self) -> int:
        """Ops on the longest path from an input to any node (the longest chain).

        >>> from autograd.optable import by_name
        >>> exp, add = by_name("exp"), by_name("add")
        >>> Graph("value", 1, [(exp, (0,)), (exp, (1,)), (add, (0, 0))], [()] * 4).depth
        2
        """
        depth = [0] * self.n_inputs
        for _, args in self.steps:
            depth.append(1 + max(depth[i] for i in args))
        return max(depth)

    @property
    def has_reuse(self) -> bool:
        """Some node feeds two or more ops (or one op twice).

        >>> from autograd.optable import by_name
        >>> Graph("value", 1, [(by_name("add"), (0, 0))], [()] * 2).has_reuse
        True
        """
        uses: dict[int, int] = {}
        for _, args in self.steps:
            for i in args:
                uses[i] = uses.get(i, 0) + 1
        return any(n > 1 for n in uses.values())

    @property
    def has_diamond(self) -> bool:
        """Some op combines two different nodes that share an ancestor.

        >>> from autograd.optable import by_name
        >>> steps = [(by_name("exp"), (0,)), (by_name("tanh"), (0,)), (by_name("mul"), (1, 2))]
        >>> Graph("value", 1, steps, [()] * 4).has_diamond  # exp(x) * tanh(x)
        True
        """
        ancestors = [1 << i for i in range(self.n_inputs)]  # bit sets, each node included
        found = False
        for k, (_, args) in enumerate(self.steps):
            parents = sorted(set(args))
            if len(parents) > 1 and ancestors[parents[0]] & ancestors[parents[1]]:
                found = True
            mine = 1 << (self.n_inputs + k)
            for i in parents:
                mine |= ancestors[i]
            ancestors.append(mine)
        return found

    @property
    def broadcasts(self) -> bool:
        """Some elementwise op combines arguments of different shapes.

        >>> from autograd.optable import by_name
        >>> Graph("tensor", 2, [(by_name("add"), (0, 1))], [(2, 3), (3,), (2, 3)]).broadcasts
        True
        """
        return any(
            spec.elementwise and len({self.shapes[i] for i in args}) > 1 for spec, args in self.steps
        )

    def __repr__(self) -> str:
        names = [f"x{i}" for i in range(self.n_inputs)] + [f"v{k}" for k in range(len(self.steps))]
        header = ", ".join(
            names[i] + (f": {self.shapes[i]}" if self.kind == "tensor" else "")
            for i in range(self.n_inputs)
        )
        lines = [f"{self.__name__}({header}):"]
        for k, (spec, args) in enumerate(self.steps):
            lines.append(f"    v{k} = {spec.format(*[names[i] for i in args])}")
        sinks = "".join(
            f" + {names[i]}" if self.kind == "value" else f" + {names[i]}.mean()" for i in self.sinks
        )
        lines.append(f"    return {names[-1]}{sinks}")
        return "\n".join(lines)


def graphs(
    kind: str = "tensor",
    *,
    min_ops: int = 1,
    max_ops: int = 24,
    max_inputs: int = 3,
    ops: Sequence[OpSpec] = OPS,
    dtype: Any = np.float64,
    domain: Domain | None = None,
) -> st.SearchStrategy[tuple[Graph, tuple[Node, ...]]]:
    """Pairs `(fn, inputs)`: a random expression DAG over the ops of the table and its inputs.

    Graphs mix `ops` (those that accept `kind`), reuse nodes, form diamonds, sometimes chain
    20+ ops, and (for tensors) broadcast. Every op's arguments lie in its domain at the drawn
    inputs, and every intermediate value stays within +-100. `fn` is a `Graph`: it replays
    the recipe on whatever inputs it gets, and its repr shows the expression. A failing graph
    shrinks to a small one, because hypothesis shrinks the recipe. Every op of the table has
    a second derivative (zero for relu, abs, clip, max away from their kinks), so graphs also
    serve `gradgradcheck`.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(graphs("value", max_ops=8))
    ... def test_values(graph):
    ...     fn, inputs = graph
    ...     assert 1 <= fn.n_ops <= 8
    ...     assert_gradients_match(fn, *inputs)
    >>> test_values()
    """
    if kind not in ("value", "tensor"):
        raise ValueError(f"graphs expects kind 'value' or 'tensor', received {kind!r}")
    if not 1 <= min_ops <= max_ops:
        raise ValueError(f"graphs expects 1 <= min_ops <= max_ops, received {min_ops}, {max_ops}")
    if max_inputs < 1:
        raise ValueError(f"graphs expects max_inputs >= 1, received {max_inputs}")
    # ops of one or two arguments: affine's three are drawn by op_inputs, not combined here
    families = _families(
        spec for spec in ops if kind in spec.kinds and spec.arity <= 2 and spec.composable
    )
    if not families:
        raise ValueError(f"graphs: none of the {len(ops)} ops given accepts kind {kind!r}")
    domain = Domain() if domain is None else _domain(domain)
    fallbacks = (by_name("tanh"), by_name("neg"))

    # A step's wish: (family, variant, and for each argument a pick: below 10 the newest node
    # that fits, else one of the 6 newest). Drawn up front as lists, before the arrays, so
    # that hypothesis shrinks a graph by deleting steps; nested lists make recipes of 20+
    # steps common enough.
    wish = st.tuples(st.integers(0, len(families) - 1), st.integers(0, 31),
                     st.integers(0, 15), st.integers(0, 15))
    blocks = st.lists(st.lists(wish, min_size=1, max_size=3), min_size=1,
                      max_size=max(1, -(-max_ops // 2)))

    @st.composite
    def build(draw: Any) -> tuple[Graph, tuple[Node, ...]]:
        # sizes and structure first: hypothesis draws later choices smaller on average
        n_inputs = draw(st.integers(1, max_inputs))
        shapes: tuple[tuple[int, ...], ...] = ()
        if kind == "tensor":  # 0-d nodes still arise (reductions) and broadcast against the rest
            shapes = draw(broadcastable_shapes(n_inputs, min_dims=1, max_side=3))
        chain = draw(st.integers(0, 2)) == 2  # one graph in three: every op extends the newest
        wishes = [w for block in draw(blocks) for w in block][:max_ops]
        if len(wishes) < min_ops:
            missing = min_ops - len(wishes)
            wishes += draw(st.lists(wish, min_size=missing, max_size=missing))
        if kind == "value":
            inputs: tuple[Node, ...] = tuple(draw(values(domain)) for _ in range(n_inputs))
        else:
            inputs = tuple(draw(tensors(s, dtype, domain)) for s in shapes)
        builder = _Builder(kind, inputs, chain)
        for family, variant, *picks in wishes:
            # an op none of whose candidate arguments fit: try the next families, then a safe op
            if not any(
                builder.try_op(_variant(families[(family + k) % len(families)], variant), picks)
                for k in range(3)
            ):
                builder.fallback(fallbacks)
        return builder.graph(), inputs

    return build()


def _variant(variants: list[OpSpec], index: int) -> OpSpec:
    return variants[index % len(variants)]


class _Builder:
    """Grows a graph step by step, evaluating each node (without recording) to check domains."""

    def __init__(self, kind: str, inputs: tuple[Node, ...], chain: bool) -> None:
        self.kind, self.chain = kind, chain
        with no_grad():
            self.nodes = [x.detach() for x in inputs]
        self.steps: list[tuple[OpSpec, tuple[int, ...]]] = []
        self._inside: dict[tuple[int, Domain], bool] = {}

    def shape(self, i: int) -> tuple[int, ...]:
        return np.shape(self.nodes[i]._data)

    def inside(self, i: int, domain: Domain) -> bool:
        key = (i, domain)
        if key not in self._inside:
            self._inside[key] = domain.contains(self.nodes[i])
        return self._inside[key]

    def pick(self, candidates: list[int], which: int) -> int | None:
        """A node among `candidates` (most recent first), usually the most recent one."""
        if not candidates:
            return None
        return candidates[0] if which < 10 else candidates[(which - 10) % len(candidates)]

    def try_op(self, spec: OpSpec, picks: Sequence[int]) -> bool:
        newest = len(self.nodes) - 1
        recent = range(newest, -1, -1)
        # a chain's ops all extend the newest node; other graphs reach back now and then
        first = self.pick(
            [i for i in (range(newest, newest - 1, -1) if self.chain else recent)
             if self.inside(i, spec.domains[0])
             and (spec.arity > 1 or spec.fits(self.shape(i)) and spec.admits(self.nodes[i]))],
            picks[0],
        )
        if first is None:
            return False
        args = [first]
        if spec.arity == 2:
            second = self.pick(
                [i for i in recent if self.inside(i, spec.domains[1])
                 and spec.fits(self.shape(first), self.shape(i))
                 and spec.admits(self.nodes[first], self.nodes[i])],
                picks[1],
            )
            if second is None:
                return False
            args.append(second)
        return self.record(spec, tuple(args))

    def fallback(self, fallbacks: Sequence[OpSpec]) -> None:
        newest = len(self.nodes) - 1
        for spec in fallbacks:
            if spec.admits(self.nodes[newest]) and self.record(spec, (newest,)):
                return
        raise AssertionError(f"no fallback op accepts {self.nodes[newest]!r}")

    def record(self, spec: OpSpec, args: tuple[int, ...]) -> bool:
        with no_grad():
            out = spec.fn(*[self.nodes[i] for i in args])
        data = np.asarray(out._data)
        if data.size > MAX_SIZE or data.ndim > 4 or not np.all(np.abs(data) <= LIMIT):
            return False
        self.nodes.append(out)
        self.steps.append((spec, args))
        return True

    def graph(self) -> Graph:
        return Graph(self.kind, len(self.nodes) - len(self.steps), self.steps,
                     [self.shape(i) for i in range(len(self.nodes))])


def _families(specs: Any) -> list[list[OpSpec]]:
    """Entries grouped by family, so that the 16 variants of `sum` are drawn as often as `exp`.

    Variants sharing one `fn` (the matmul forms) count once.
    """
    groups: dict[str, list[OpSpec]] = {}
    seen: set[int] = set()
    for spec in specs:
        if id(spec.fn) not in seen:
            seen.add(id(spec.fn))
            groups.setdefault(spec.family, []).append(spec)
    return list(groups.values())


def _domain(domain: Any) -> Domain:
    if not isinstance(domain, Domain):
        raise TypeError(f"expected an autograd.optable.Domain, received {domain!r}")
    return domain


def _check_kind(kind: str, spec: OpSpec) -> None:
    if kind not in ("value", "tensor"):
        raise ValueError(f"kind must be 'value' or 'tensor', received {kind!r}")
    if kind not in spec.kinds:
        raise ValueError(f"op {spec.name!r} accepts {sorted(spec.kinds)}, received kind {kind!r}")
