"""The graph's two kinds of object: `Node` (a value, and the op and inputs it came from) and
`Function` (a differentiable primitive: forward, backward, and recording one application).

Both the engine (recording, the hot paths) and backprop.py (backward) import them from here;
nothing here imports either, so the two never import each other. `autograd.engine` re-exports
every name, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from autograd import hooks
from autograd.modes import current_mode

# `backprop.backward`, put here by backprop.py when it is imported (see Node.backward)
BACKWARD: list[Any] = []

# How a node holds its inputs without a tuple per node (one object less for the cycle
# collector to scan, 56 bytes less per node): `_a` and `_b` are the two inputs of a binary op;
# a unary op has `_b = _ONE`, an n-ary op keeps a tuple in `_a` with `_b = _MANY`, a leaf None.
_ONE = object()
_MANY = object()

# The 0.0 a Value's .grad starts at, one object: backward stores a node's first gradient as it
# is (as PyTorch does, a -0.0 stays -0.0) instead of allocating 0.0 + g; a 0.0 the user sets
# is added to, as any other number.
NO_GRAD = 0.0

# The forms of backward an op may declare (`Function.gradient_form`): the float loop computes
# a declared form itself instead of calling backward (the call was a third of a float node's
# backward). `backward` stays the definition; test_op_gradients checks each declaration
# against it.
PASS_ON = "pass on"  # d/da = d/db = 1: both inputs get the output's gradient (`a + b`)
CROSS = "cross"  # d/da = b, d/db = a: each input gets the gradient times the other (`a * b`)


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
    # many uses of this node (edges from nodes in the graph) have yet to pass theirs on.
    # `__weakref__`: nodes can be weakly referenced (caches, tools watching a graph). Free: its
    # 8 bytes fill pymalloc's 16-byte rounding (a Value takes 112 bytes of memory either way,
    # though tracemalloc counts 8 more), and the scalar benchmark did not move (issue 16, 14)
    # `_data`: the raw float or array. Users reach it through each class's `data` property
    # (checked, and watched on Tensor: see mutation.py); the engine reads the slot itself
    __slots__ = (
        "__weakref__", "_a", "_b", "_data", "_fn", "_g", "_n", "grad", "label", "requires_grad"
    )

    _data: Any
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
    def grad_fn(self) -> Function | None:
        """The op that produced this node (None for a leaf), as PyTorch's `grad_fn`.

        >>> from autograd import Value
        >>> x = Value(2.0)
        >>> (x * 3).grad_fn.name, x.grad_fn is None
        ('*', True)
        """
        return self._fn

    def requires_grad_(self, requires_grad: bool = True) -> Node:
        """Set `requires_grad` on a leaf in place and return it (PyTorch's `requires_grad_`);
        a result of an op takes it from its inputs, so changing it raises RuntimeError.

        >>> from autograd import Tensor
        >>> w = Tensor([1.0]).requires_grad_()
        >>> w.requires_grad
        True
        """
        if not isinstance(requires_grad, bool):
            raise TypeError(f"requires_grad_ expects True or False, received {requires_grad!r}")
        if self._fn is not None:
            raise RuntimeError(
                "requires_grad_ can only change a leaf (a result of an op requires grad when its "
                "inputs do): call it on the inputs, or use .detach() for a constant copy"
            )
        self.requires_grad = requires_grad
        return self

    def register_hook(self, hook: Any) -> Any:
        """Call `hook(grad)` with this node's gradient during backward, before it is stored
        (a leaf) or passed on (a result of an op); a non-None return replaces it. Returns a
        handle whose `remove()` takes the hook off (PyTorch's `register_hook`).

        >>> from autograd import Tensor
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> h = w * 3
        >>> seen = []
        >>> _ = h.register_hook(lambda g: seen.append(g.copy()))
        >>> _ = w.register_hook(lambda g: g.clip(max=4.0))  # clip the leaf's gradient
        >>> (h * h).sum().backward()
        >>> seen[0], w.grad  # d/dh = 2h, then d/dw = 3 * 2h = [18, 36], clipped
        (array([ 6., 12.]), array([4., 4.]))
        """
        return hooks.register(self, hook)

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
        # backprop.py imports this module, so this one cannot import it: backprop registers
        # its `backward` here when it loads (an import per call cost 0.6 us)
        BACKWARD[0](self, gradient, retain_graph=retain_graph, create_graph=create_graph)

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
    ...     __slots__ = ()  # optional: empty slots say "no saved state" (one shared instance)
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
    # this op in its node once backward released it (itself, once released); `form`: the
    # class's `gradient_form`. Slots, not class attributes: the engine reads them per node,
    # and a slot reads faster. `params`: the keyword parameters of `apply` (a stateful op's),
    # kept so that mutation.py can run forward again to check nothing changed under it.
    __slots__ = ("form", "params", "plain", "spent")
    form: str | None
    params: dict[str, Any]
    plain: bool
    spent: Function

    name: ClassVar[str] = "op"
    # True: backward also gets `needs`, one bool per input, to skip work nobody will use
    wants_needs: ClassVar[bool] = False
    shared: ClassVar[Function | None] = None
    # what a node keeps after backward released it: the op's class and name, no buffers
    shared_released: ClassVar[Function]
    # PASS_ON or CROSS when backward is that form (binary ops only), else None
    gradient_form: ClassVar[str | None] = None

    def __init__(self) -> None:
        self.plain = not self.wants_needs
        self.spent = type(self).shared_released
        self.form = self.gradient_form if self.plain else None

    @property
    def released(self) -> bool:
        """True for the op a node keeps after backward released it (its buffers are gone).

        >>> from autograd.ops import Exp
        >>> Exp.shared.released, Exp.shared_released.released
        (False, True)
        """
        return self.spent is self

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # an op that declares empty __slots__ keeps no state: one shared instance serves every
        # call. Without __slots__ (a user's op, PyTorch style) instances have a __dict__ and may
        # keep state on self, so each call gets a fresh one (a shared one would mix two calls'
        # saved values: a wrong gradient)
        stateless_by_declaration = all(
            "__slots__" in k.__dict__ for k in cls.__mro__ if k is not object
        )
        if "name" not in cls.__dict__:
            cls.name = cls.__name__.lower()
        if "backward" in cls.__dict__ and "gradient_form" not in cls.__dict__:
            cls.gradient_form = None  # a subclass's own backward: the inherited form is not it
        # released in place of the node's own op: dropping the instance frees its buffers
        spent = cls.shared_released = cls.__new__(cls)
        spent.plain, spent.spent, spent.form = False, spent, None
        own = set(Function.__slots__)
        state = [s for k in cls.__mro__ for s in k.__dict__.get("__slots__", ()) if s not in own]
        shareable = stateless_by_declaration and not state and cls.__dict__.get("forward")
        cls.shared = cls() if shareable else None

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
                raws.append(x._data)
                node_type = x.__class__
                if x.requires_grad:
                    needs_grad = True
            else:
                raws.append(x)
        if node_type is None:
            raise TypeError(
                f"{cls.name}.apply needs at least one Value or Tensor among its inputs, received "
                f"{inputs!r}"
            )
        try:
            out = fn.forward(*raws, **params) if params else fn.forward(*raws)
        except ValueError as error:
            raise _shape_error(fn, raws, error) from None
        state = current_mode()
        if needs_grad and state.grad:
            if params and fn is not cls.shared:
                fn.params = params
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
