"""`detect_anomaly()`: a NaN or Inf raises at the op that made it, not later as a NaN loss.

Inside the block every op's output and every gradient an op's backward returns is checked;
the first non-finite number raises `AnomalyError` naming the op and the line of user code
that created it. Outside the block the engine reads one context variable per op and per
backward call, and does nothing else.

The same monitor, with checks off, records each op's creation site and keyword parameters
while `gradcheck` re-runs a function to find the op whose local gradient is wrong.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import numpy as np

from autograd.engine import Function, Node
from autograd.modes import _MODE, current_monitor, set_monitor

F = TypeVar("F", bound=Callable[..., Any])

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
# sites kept for backward's error messages; the oldest are dropped beyond this many nodes
_MAX_SITES = 200_000


class AnomalyError(FloatingPointError):
    """A NaN or Inf appeared in the forward or backward pass under `detect_anomaly()`.

    A `FloatingPointError`, so code that already catches numpy's floating-point errors
    catches it too.

    >>> from autograd import AnomalyError, Tensor, detect_anomaly
    >>> try:
    ...     with detect_anomaly():
    ...         Tensor([0.0], requires_grad=True).log()
    ... except AnomalyError as error:
    ...     print(str(error).split(";")[0])
    op 'log' produced -inf (at index (0,)) in the forward pass
    """


def is_anomaly_enabled() -> bool:
    """True inside `detect_anomaly()` (PyTorch's `torch.is_anomaly_enabled`).

    >>> from autograd import detect_anomaly, is_anomaly_enabled
    >>> with detect_anomaly():
    ...     print(is_anomaly_enabled())
    True
    >>> is_anomaly_enabled()
    False
    """
    monitor = current_monitor()
    return monitor is not None and monitor.check


class detect_anomaly:
    """Raise `AnomalyError` at the first op whose output or gradient holds a NaN or Inf.

    The error names the op, the file and line of your code that created it, and whether
    the op made the bad number itself or received it (e.g. from a leaf that already held
    NaN). numpy's floating-point warnings are silenced inside the block: every op result
    is checked instead. Works as a decorator too. The setting is per thread (a context
    variable). Each recorded node's site is kept until backward releases the node or the
    block ends, so keep the block around one step, not a whole training run.

    >>> from autograd import Tensor, detect_anomaly
    >>> x = Tensor([1.0, 0.0, 4.0], requires_grad=True)
    >>> with detect_anomaly():  # doctest: +ELLIPSIS
    ...     y = x.log().sum()
    Traceback (most recent call last):
    ...
    autograd.anomaly.AnomalyError: op 'log' produced -inf (at index (1,)) in the forward pass; created at <doctest ...>:2
      its inputs were finite: this op made the non-finite value
      input 0 there: 0.0
    """

    def __init__(self) -> None:
        self._entered: list[tuple[Any, Any]] = []

    def __enter__(self) -> None:
        quiet = np.errstate(all="ignore")  # our error names the op; numpy's warning would not
        quiet.__enter__()
        self._entered.append((set_monitor(_Monitor(check=True)), quiet))

    def __exit__(self, *exc: object) -> None:
        token, quiet = self._entered.pop()
        _MODE.reset(token)
        quiet.__exit__(*exc)

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


@contextlib.contextmanager
def recording() -> Iterator[_Monitor]:
    """Record every op's creation site and keyword parameters (no checks): for gradcheck.

    >>> from autograd import Tensor
    >>> with recording() as monitor:
    ...     y = Tensor([[1.0, 2.0]], requires_grad=True).sum(axis=1)
    >>> monitor.params[y]
    {'axis': 1, 'keepdims': False}
    """
    monitor = _Monitor(check=False, keep_params=True)
    token = set_monitor(monitor)
    try:
        yield monitor
    finally:
        _MODE.reset(token)


# ---------------------------------------------------------------------------------------
# Where an op was created


_in_package: dict[str, bool] = {}


def _site() -> tuple[str, int, str] | None:
    """(file, line, function) of the innermost frame outside the autograd package."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        inside = _in_package.get(name)
        if inside is None:
            inside = _in_package[name] = os.path.abspath(name).startswith(_PACKAGE)
        if not inside:
            return name, frame.f_lineno, frame.f_code.co_name
        frame = frame.f_back  # type: ignore[assignment]
    return None


def format_site(site: tuple[str, int, str] | None) -> str:
    """'path/to/file.py:12 in f', relative to the working directory when inside it.

    >>> format_site(("/tmp/model.py", 12, "loss")), format_site(("<stdin>", 3, "<module>"))
    ('/tmp/model.py:12 in loss', '<stdin>:3')
    """
    if site is None:
        return "an unknown place"
    name, line, function = site
    if os.path.isabs(name):
        relative = os.path.relpath(name)
        name = name if relative.startswith("..") else relative
    where = f"{name}:{line}"
    return where if function == "<module>" else f"{where} in {function}"


# ---------------------------------------------------------------------------------------
# Finding and describing non-finite numbers


def _first_bad(data: Any) -> tuple[Any, Any] | None:
    """(index, value) of the first NaN/Inf in `data`, or None when all is finite."""
    if type(data) is float:
        return None if math.isfinite(data) else ((), data)
    array = np.asarray(data)
    if array.dtype.kind not in "fc":
        return None
    finite = np.isfinite(array)
    if finite.all():
        return None
    index = tuple(int(i) for i in np.argwhere(~finite)[0])
    return index, array[index].item()


def _describe(value: Any, where: Any) -> str:
    return f"{value!r}" + (f" (at index {where})" if where != () else "")


def _value_at(data: Any, like: Any, where: Any) -> str | None:
    """The element of `data` at `where`, an index into `like`, when they line up elementwise."""
    shape = np.shape(data)
    if shape == ():
        return repr(float(data))
    if shape != np.shape(like._data if isinstance(like, Node) else like):
        return None
    return repr(np.asarray(data)[where].item())


class _Monitor:
    """The engine's hook object while anomaly mode (or gradcheck's recording) is on."""

    def __init__(self, check: bool, keep_params: bool = False) -> None:
        self.check = check
        self.keep_params = keep_params
        # node -> (user code site, the node whose backward was running when it was made)
        self.sites: dict[Node, tuple[tuple[str, int, str] | None, Node | None]] = {}
        self.params: dict[Node, dict[str, Any]] = {}
        self.running: Node | None = None  # whose backward is running (create_graph ops)

    def site_of(self, node: Node) -> str:
        """'at file.py:12 in f' (and in which op's backward), for a recorded node."""
        if node not in self.sites:
            return "outside detect_anomaly() (its site was not recorded)"
        return self._origin(*self.sites[node])

    def _origin(self, site: tuple[str, int, str] | None, during: Node | None) -> str:
        if during is None:
            return f"at {format_site(site)}"
        # made by a create_graph backward formula: the op it belongs to says more than the
        # line that called backward()
        return (
            f"by the backward of op '{during.op}' (which was created {self.site_of(during)}), "
            f"run from {format_site(site)}"
        )

    # -- forward ---------------------------------------------------------------------------
    def forward(
        self, cls: type[Function], inputs: tuple[Any, ...], params: dict, node: Node
    ) -> None:
        site = _site()
        if node._fn is not None:
            self.sites[node] = (site, self.running)
            if self.keep_params:
                self.params[node] = dict(params)
            elif len(self.sites) > _MAX_SITES:
                del self.sites[next(iter(self.sites))]
        if self.check:
            bad = _first_bad(node._data)
            if bad is not None:
                raise AnomalyError(self._forward_message(cls, inputs, node, bad, site))

    def _forward_message(
        self,
        cls: type[Function],
        inputs: tuple[Any, ...],
        node: Node,
        bad: tuple[Any, Any],
        site: Any,
    ) -> str:
        where, value = bad
        first = (
            f"op '{cls.name}' produced {_describe(value, where)} in the forward pass; "
            f"created {self._origin(site, self.running)}"
        )
        lines = [first]
        culprits = []
        from_data = False  # a leaf or a constant: nothing upstream to blame
        for i, x in enumerate(inputs):
            found = _first_bad(x._data if isinstance(x, Node) else x)
            if found is None:
                continue
            at, v = found
            if not isinstance(x, Node):
                what, from_data = f"a constant ({type(x).__name__})", True
            elif x._fn is None:
                label = f" {x.label!r}" if x.label else ""
                what, from_data = f"a leaf {type(x).__name__}{label} (made by no op)", True
            else:
                what = f"the output of op '{x.op}' created {self.site_of(x)}"
            culprits.append(f"  its input {i} is {what} and already holds {_describe(v, at)}")
        if culprits:
            lines += culprits
            if from_data:
                lines.append("  check the data that input was built from")
        else:
            lines.append("  its inputs were finite: this op made the non-finite value")
            for i, x in enumerate(inputs):
                there = _value_at(x._data if isinstance(x, Node) else x, node._data, where)
                if there is not None:
                    lines.append(f"  input {i} there: {there}")
        return "\n".join(lines)

    # -- backward --------------------------------------------------------------------------
    def seed(self, root: Node, seed: Any, plain: bool = True) -> None:
        self.running = None  # a backward that raised earlier in the block did not reset it
        if self.check:
            bad = _first_bad(seed._data if isinstance(seed, Node) else seed)
            if bad is not None:
                raise AnomalyError(
                    f"backward() was given a gradient holding {_describe(bad[1], bad[0])}"
                )

    def backward_started(self, node: Node) -> None:
        self.running = node

    def backward_done(self, node: Node, grads: Any, retain_graph: bool) -> None:
        self.running = None
        if self.check:
            for i, (parent, g) in enumerate(zip(node._parents, grads)):
                if g is None or not isinstance(parent, Node) or not parent.requires_grad:
                    continue
                bad = _first_bad(g._data if isinstance(g, Node) else g)
                if bad is not None:
                    raise AnomalyError(self._backward_message(node, i, parent, g, bad))
        if not retain_graph and not self.keep_params:
            self.sites.pop(node, None)  # released: its backward cannot run again

    def _backward_message(
        self, node: Node, i: int, parent: Node, g: Any, bad: tuple[Any, Any]
    ) -> str:
        where, value = bad
        value_there = _value_at(parent._data, g, where)
        there = "" if value_there is None else f"\n  input {i} there: {value_there}"
        return (
            f"the backward of op '{node.op}' returned {_describe(value, where)} as the "
            f"gradient for its input {i}; the op was created {self.site_of(node)}{there}"
        )
