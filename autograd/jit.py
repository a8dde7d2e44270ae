"""`jit(fn)`: trace a function of Tensors or Values once, then replay it as one flat plan.

The first call runs `fn` eagerly under a tracer that records every op. From that record
`jit` writes two plain Python functions: the forward, one line per op (`v7 = f3.forward(v2,
v5)`), and the backward, one line per gradient in exactly the order the eager engine adds
them, so results are the same bit for bit, float32 and float64 alike (the same numpy calls in
the same order). Later calls run the plan as a single node of the
graph (op `jit`, its inputs the arguments and the leaves `fn` reached, such as a model's
weights): `loss.backward()` runs the plan's backward and gradients land in the same `.grad`
slots as before. No Node objects, no topological sort, nothing for the cycle collector.
Each array is let go after its last use (plan_release.py), as the eager backward lets go of
them (peak memory of a LeNet step: 0.80 of eager's, an LSTM's 0.99); results are fresh arrays,
not preallocated buffers (numpy writing into an `out=` buffer measured no faster at these
sizes: benchmarks/README.md).

A whole training step can be one plan: when `fn` calls `loss.backward()` itself (plain: no
`gradient=`, `inputs=` or `create_graph`), clears `.grad` (`t.grad = None`, `zero_grad()`)
and updates weights through an `effect` (nn's `Optimizer.step` and `apply_gradients` are
effects), the plan runs the forward, the backward with each gradient stored in its `.grad`
as the engine stores it, and calls the effect again with the same objects (the optimizer,
the list of weights). Its result is then a node without a graph (the step is done). A step
called under `no_grad()` or anomaly detection runs eagerly.

The plan is replayed while its guards hold, checked on every call:
- each argument has the shape, dtype and `requires_grad` it had (a Tensor, or an array,
  which reaches the ops as it is), and every other argument is equal (ints, strings, None:
  they may steer Python code); the leaves `fn` reached keep their shape, dtype and
  `requires_grad` (their current data is used, so optimizer steps are seen).
A change makes `jit` trace again for the new signature (each is cached). Python numbers and
raw arrays that `fn` reads from outside (a closure, a global) are frozen into the plan at the
trace, as JAX's jit freezes them: pass what varies as an argument (a float argument retraces
when its value changes; a Tensor argument does not). So are the leaves it reached: their data
is read afresh each call, but a leaf replaced by another Tensor object is not seen; call
`jitted.retrace()` after such a change (nn's jit_compile does this itself). What the plan
cannot see makes `jit` run `fn` eagerly from then on, with one warning that says why:
- Python reading numbers out of a tensor while tracing (`.data`, `.numpy()`, `item()`,
  comparisons: a branch could go another way), writing into one, reading or assigning
  `.grad` (other than clearing it), a `backward()` with a gradient, `inputs=`,
  `create_graph=True` or gradient hooks, an effect given a tensor made inside `fn`, or
  drawing random numbers through `nn`'s generator (a mask would be frozen);
- an array argument that reaches no op as it was passed (numpy work on it would be frozen);
- a check on the second call, and until a call whose arguments or leaves hold other data
  passes (an optimizer step changes the weights) or three calls on the same data have: the
  plan's result is compared with an eager run's, and any difference (a constant the plan
  froze) falls back the same way.
`jit(fn, strict=True)` raises instead of falling back.
Not supported: `backward(create_graph=True)` through a plan (RuntimeError saying so).
Intermediate results are not nodes: only the output and the inputs keep `.grad`.

>>> from autograd import Tensor
>>> w = Tensor([1.0, 2.0], requires_grad=True)
>>> step = jit(lambda x: (w * x).tanh().sum())
>>> for x in ([1.0, 1.0], [0.5, 0.0], [2.0, 1.0]):
...     w.grad = None
...     loss = step(Tensor(x))
...     loss.backward()
>>> loss.op, w.grad.round(6).tolist()  # the third call ran the plan
('jit', [0.141302, 0.070651])
"""

from __future__ import annotations

import functools
import gc
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.graph import _MANY, Function, Node
from autograd.modes import _MODE, PLAIN, current_mode, mode
from autograd.plan import Plan, Unplannable, write_plan
from autograd.tracing import ACTIVE, REPLAYING, Tracer

# checks against eager a plan passes on the trace's own data before it is trusted anyway
PROBATION = 3


class UntraceableError(RuntimeError):
    """Raised by `jit(fn, strict=True)` where the default falls back to eager."""


class Traced(Function):
    """One call of a plan as one node: forward runs the plan, backward its gradients."""

    __slots__ = ("plan", "saved")
    name = "jit"

    def forward(self, *parents: Any, plan: Plan) -> Any:  # type: ignore[override]
        self.plan = plan
        paused = _pause_collector()
        try:
            out, self.saved = plan.forward(*parents)
        finally:
            if paused:
                gc.enable()
        return out

    def backward(self, grad: Any, out: Any, *parents: Any) -> Any:
        if isinstance(grad, Node):
            raise RuntimeError(
                "backward(create_graph=True) through a jit plan is not supported: call the "
                "function eagerly (jitted.eager(...)) to differentiate twice"
            )
        assert self.plan.backward is not None, "only a step's plan has no backward"
        paused = _pause_collector()
        try:
            return self.plan.backward(grad, self.saved, *parents)
        finally:
            if paused:
                gc.enable()


_OTHER_PATH = object()  # an eager run that made more replayed calls than its trace


def _pause_collector() -> bool:
    """Switch the cycle collector off while a plan runs (True if this call did).

    A plan makes only acyclic garbage (tuples of numbers, op instances), which reference
    counting frees at once: the collector has nothing to find there. Left on, a Value plan's
    tens of thousands of small tuples would start a collection every 700 of them, each
    traversing the whole heap's young objects and, every so often, all of it (in a process
    that imported torch: 2/3 of a micrograd step's time). Other threads' cycles are not
    lost, only collected once it is back on."""
    if gc.isenabled():
        gc.disable()
        return True
    return False


def _static(kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Keyword arguments as part of a plan's key: fixed values, compared by value."""
    for name, value in kwargs.items():
        if isinstance(value, (Node, np.ndarray)):
            raise TypeError(
                f"jit: keyword arguments are fixed per plan (as JAX's static arguments); pass "
                f"Tensors and arrays positionally, received {name}={type(value).__name__}"
            )
    items = tuple(sorted(kwargs.items()))
    try:
        hash(items)
    except TypeError:
        raise TypeError(
            f"jit: keyword arguments must be hashable (numbers, strings, tuples), received "
            f"{kwargs!r}"
        ) from None
    return ("keywords", items)


def _arg_key(x: Any) -> Any:
    # dtypes compare by kind, size and byte order: the dtype itself is the key
    if isinstance(x, Node):
        data = x._data
        if data.__class__ is np.ndarray:
            return ("node", type(x), data.shape, data.dtype, x.requires_grad)
        return ("node", type(x), x.requires_grad)
    if isinstance(x, np.ndarray):
        return ("array", x.shape, x.dtype)
    if isinstance(x, (int, float, str, bool, type(None), tuple, frozenset)):
        return ("value", type(x), x)
    return ("object", type(x), id(x))


class jit:
    """Trace `fn` on its first call, replay the plan after (see the module's docstring).

    `strict=True` raises `UntraceableError` instead of falling back to eager. A decorator,
    bare or called: `@jit`, `@jit(strict=True)`. Keyword arguments are fixed per plan (JAX's
    static arguments): each set of values gets its own trace; Tensors and arrays go
    positionally.

    >>> from autograd import Tensor
    >>> @jit(strict=True)
    ... def scaled(x, *, factor=2.0):
    ...     return (x * factor).sum()
    >>> scaled(Tensor([1.0, 2.0])).item(), scaled(Tensor([1.0, 2.0]), factor=3.0).item()
    (6.0, 9.0)
    """

    def __new__(cls, fn: Any = None, strict: bool = False) -> Any:
        if fn is None:  # @jit(strict=True): the decorator itself
            return functools.partial(cls, strict=strict)
        return super().__new__(cls)

    def __init__(self, fn: Callable[..., Any], strict: bool = False) -> None:
        if not callable(fn):
            raise TypeError(f"jit expects a function, received {fn!r}")
        functools.update_wrapper(self, fn)
        self.fn, self.strict = fn, strict
        self.plans: dict[tuple[Any, ...], Plan] = {}
        # key -> the data of the trace's arguments and leaves, while its plan is on probation
        self.checking: dict[tuple[Any, ...], list[Any]] = {}
        self.eager_because: str | None = None
        self.traces = 0

    def retrace(self) -> None:
        """Forget every plan: the next call traces again (after replacing a leaf object, or
        changing a number `fn` reads from outside).

        >>> from autograd import Tensor
        >>> w = Tensor([1.0], requires_grad=True)
        >>> holder = {"w": w}
        >>> f = jit(lambda x: (holder["w"] * x).sum())
        >>> _ = f(Tensor([2.0]))
        >>> holder["w"] = Tensor([5.0], requires_grad=True)
        >>> f.retrace()
        >>> f(Tensor([2.0])).item()
        10.0
        """
        self.plans.clear()
        self.checking.clear()

    def eager(self, *args: Any, **kwargs: Any) -> Any:
        """Run `fn` as it is, without the plan."""
        return self.fn(*args, **kwargs)

    def explain(self, *args: Any, gradient: Any = None, **kwargs: Any) -> Any:
        """`autograd.explain` of this step on these arguments, run eagerly (a plan keeps no
        intermediate nodes to explain; its numbers are the eager ones, bit for bit).

        >>> from autograd import Tensor
        >>> w = Tensor([2.0], requires_grad=True, name="w")
        >>> step = jit(lambda x: (w * x).sum())
        >>> step.explain(Tensor([3.0])).grad(w)
        array([3.])
        """
        from autograd.explain import explain  # explaining is explain.py's; loaded when asked

        return explain(self.fn(*args, **kwargs), gradient)

    def draw_graph(self, **options: Any) -> Any:
        """The latest plan as `autograd.draw_graph` draws it: the graph its trace recorded
        (the values shown are the trace's), captioned as a plan.

        >>> from autograd import Tensor
        >>> square = jit(lambda x: (x * x).sum())
        >>> _ = square(Tensor([1.0, 2.0], requires_grad=True))
        >>> "a jit plan of 2 ops" in square.draw_graph().source
        True
        """
        from autograd.viz import draw_plan  # drawing is viz's; loaded when asked for

        if not self.plans:
            raise ValueError(f"jit({getattr(self.fn, '__name__', 'fn')}) has no plan yet: call it")
        return draw_plan(list(self.plans.values())[-1], **options)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.eager_because is not None:
            return self.fn(*args, **kwargs)
        key = tuple([_arg_key(x) for x in args])
        if kwargs:
            key += (_static(kwargs),)
        plan = self.plans.get(key)
        if plan is None or not plan.leaves_hold():
            return self._trace(key, args, kwargs)
        traced_with = self.checking.get(key)
        if plan.skip is not None:  # a training step
            if current_mode() is not PLAIN:  # traced with grad on: no_grad, anomaly: eager
                return self.fn(*args, **kwargs)
            if traced_with is not None:
                return self._check_step(key, plan, args, kwargs, traced_with)
            return self._run_step(plan, args)
        out = self._run(plan, args)
        if traced_with is not None:
            return self._check(key, plan, args, kwargs, out, traced_with)
        return out

    def _run(self, plan: Plan, args: tuple[Any, ...]) -> Any:
        """`Traced.apply(*args, *leaves, plan=plan)`, the node built here in the usual mode
        (the generic apply's checks, done once at the trace, are a tenth of a small step)."""
        if current_mode() is not PLAIN or plan.node_type is None:
            return Traced.apply(*args, *plan.leaves, plan=plan)
        parents = (*args, *plan.leaves)
        fn = Traced()
        out = fn.forward(*[p._data if isinstance(p, Node) else p for p in parents], plan=plan)
        if not plan.records:
            return plan.node_type._from_op(out, None)
        fn.params = {"plan": plan}  # as apply keeps them (mutation.py runs forward again)
        return plan.node_type._from_op(out, fn, parents, _MANY)

    def _run_step(self, plan: Plan, args: tuple[Any, ...]) -> Any:
        """A step's plan: forward, backward, updates; its result a node without a graph."""
        arrays = [a._data if isinstance(a, Node) else a for a in args]
        arrays += [leaf._data for leaf in plan.leaves]
        paused = _pause_collector()
        try:
            out = plan.forward(args, *arrays)
        finally:
            if paused:
                gc.enable()
        kind = plan.out_type
        if kind is None:  # the step returned None
            return None
        if isinstance(kind, tuple):
            return tuple([t._from_op(v, None) for t, v in zip(kind, out)])
        return kind._from_op(out, None)

    def _check_step(self, key: tuple[Any, ...], plan: Plan, args: tuple[Any, ...],
                    kwargs: dict[str, Any], traced_with: list[Any]) -> Any:
        """`_check` for a step: the plan runs without its effects (an optimizer's update),
        its loss and gradients are put aside, then the eager step runs for real and both
        are compared; the eager step's result is returned (its updates are the ones made)."""
        holders = plan.holders(args)
        before = [h._grad for h in holders]
        assert plan.skip is not None, "a step's plan has its skip flag"
        plan.skip[0] = True
        try:
            out = self._run_step(plan, args)
        finally:
            plan.skip[0] = False
        planned = [h._grad for h in holders]
        for h, g in zip(holders, before):
            h._grad = g
        expected = self._eager_replaying(plan, args, kwargs)
        if expected is _OTHER_PATH:
            self._give_up("its eager run took another path than the trace")
            return self.fn(*args, **kwargs)
        if not _same_result(out, expected) or not all(
            _same_result(g, h._grad) for g, h in zip(planned, holders)
        ):
            self._give_up("its loss or gradients differed from an eager run's (a number "
                          "computed in Python or numpy, or a random draw, was frozen into the "
                          "plan)")
            return expected
        self._passed(key, plan, args, traced_with)
        return expected

    def _eager_replaying(self, plan: Plan, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """`fn` run eagerly, taking the plan's replayed calls (a mask drawn twice would
        differ); `_OTHER_PATH` if it made more of them than the trace."""
        token = REPLAYING.set(list(plan.calls) if plan.calls is not None else None)
        try:
            return self.fn(*args, **kwargs)
        except IndexError:
            return _OTHER_PATH
        finally:
            REPLAYING.reset(token)

    # -- tracing ---------------------------------------------------------------------------
    def _trace(self, key: tuple[Any, ...], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        tracer = Tracer()
        now = current_mode()
        token = _MODE.set(mode(now.grad, tracer, now.backward))
        ACTIVE[0] += 1
        try:
            out = self.fn(*args, **kwargs)
        finally:
            ACTIVE[0] -= 1
            _MODE.reset(token)
        self.traces += 1
        try:
            plan = write_plan(tracer, args, out)
        except Unplannable as why:
            self._give_up(str(why))
            return out
        self.plans[key] = plan
        self.checking[key] = [_snapshot(x) for x in (*args, *plan.leaves)]
        return out

    def _check(self, key: tuple[Any, ...], plan: Plan, args: tuple[Any, ...],
               kwargs: dict[str, Any], out: Any, traced_with: list[Any]) -> Any:
        """Compare the plan with an eager run until arguments unlike the trace's pass. The
        eager run reuses the plan's replayed calls (a mask drawn twice would differ)."""
        expected = self._eager_replaying(plan, args, kwargs)
        if expected is _OTHER_PATH:
            self._give_up("its eager run took another path than the trace")
            return self.fn(*args, **kwargs)
        same = _same_result(out, expected)
        if not same:
            self._give_up("its result differed from an eager run's (a number computed in "
                          "Python or numpy, or a random draw, was frozen into the plan)")
            return expected
        self._passed(key, plan, args, traced_with)
        return out

    def _passed(self, key: tuple[Any, ...], plan: Plan, args: tuple[Any, ...],
                traced_with: list[Any]) -> None:
        """Count a passed check; trust the plan once it passed on data unlike the trace's."""
        now = (*args, *plan.leaves)  # the weights count: an optimizer step changes them
        traced_with.append(None)  # one more check passed (the list's tail counts them)
        if len(traced_with) - len(now) >= PROBATION or any(
            not _same_data(x, old) for x, old in zip(now, traced_with)
        ):
            # checked on data the trace did not see, or often enough on the same data (where a
            # constant made from that data is right anyway): trusted
            del self.checking[key]

    def _give_up(self, reason: str) -> None:
        name = getattr(self.fn, "__name__", "fn")
        message = f"jit({name}): {reason}; running it eagerly from now on"
        if self.strict:
            raise UntraceableError(message)
        self.eager_because = reason
        self.plans.clear()
        warnings.warn(message, RuntimeWarning, stacklevel=3)


def _snapshot(x: Any) -> Any:
    data = x._data if isinstance(x, Node) else x
    return data.copy() if isinstance(data, np.ndarray) else data


def _same_data(x: Any, old: Any) -> bool:
    data = x._data if isinstance(x, Node) else x
    if isinstance(data, np.ndarray) or isinstance(old, np.ndarray):
        return bool(np.array_equal(data, old, equal_nan=True))
    return bool(data == old)


def _same_result(a: Any, b: Any) -> bool:
    if type(a) is tuple or type(b) is tuple:  # a step's several results
        return (type(a) is tuple and type(b) is tuple and len(a) == len(b)
                and all(map(_same_result, a, b)))
    if a is None or b is None:
        return a is b
    x = a._data if isinstance(a, Node) else a
    y = b._data if isinstance(b, Node) else b
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        return bool(np.array_equal(x, y, equal_nan=True))
    return bool(x == y or (math.isnan(x) and math.isnan(y)))  # floats: NaN equals NaN here
