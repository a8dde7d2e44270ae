"""Context-local settings of the engine: grad mode (`no_grad`), `name_scope`, anomaly monitor.

Each is a `contextvars.ContextVar`, not a global: every thread and asyncio task sees its own.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any, ClassVar, NamedTuple, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Mode(NamedTuple):
    """Whether ops record the graph, the active `detect_anomaly()` monitor (or None), and
    whether a backward is running (a backward started inside it must set its scratch aside).

    One context variable holds all three, so an op reads its whole setting with one lookup,
    and the common setting is one shared object that the hot paths test by identity.
    """

    grad: bool
    monitor: Any
    backward: bool = False


PLAIN = Mode(True, None)  # recording on, no monitor: the setting of nearly every op
_OFF = Mode(False, None)  # no_grad()
_BACKWARD = Mode(False, None, True)  # inside backward without create_graph


def mode(grad: bool, monitor: Any, backward: bool = False) -> Mode:
    """The `Mode` with these settings; the shared instance for the common ones.

    >>> mode(True, None) is PLAIN, mode(False, None).grad, mode(False, None, True).backward
    (True, False, True)
    """
    if monitor is None:
        if not backward:
            return PLAIN if grad else _OFF
        if not grad:
            return _BACKWARD
    return Mode(grad, monitor, backward)


_new_mode = mode  # for set_grad_enabled, whose PyTorch parameter is also called `mode`

# A contextvar, not a global: each thread and each asyncio task sees its own setting.
_MODE: contextvars.ContextVar[Mode] = contextvars.ContextVar("autograd_mode", default=PLAIN)
# The setting in force, as a plain function: the hot paths call it once per op, and an imported
# `_MODE.get()` costs more (CPython 3.11 compiles a method call on an imported name as an
# attribute load plus a call).
current_mode: Callable[[], Mode] = _MODE.get


def current_monitor() -> Any:
    """The active anomaly monitor (see anomaly.py), or None.

    >>> current_monitor() is None
    True
    """
    return current_mode().monitor


def set_monitor(monitor: Any) -> contextvars.Token[Mode]:
    """Make `monitor` active in this context; pass the token to `_MODE.reset` to undo."""
    now = current_mode()
    return _MODE.set(mode(now.grad, monitor, now.backward))


# The name of the enclosing `name_scope` (e.g. an nn layer), recorded on each Tensor made in it.
_SCOPE: contextvars.ContextVar[str | None] = contextvars.ContextVar("scope", default=None)


def current_scope() -> str | None:
    """The name of the innermost enclosing `name_scope`, or None outside any.

    >>> with name_scope("encoder"):
    ...     print(current_scope())
    encoder
    >>> print(current_scope())
    None
    """
    return _SCOPE.get()


class name_scope:
    """Tag every Tensor produced inside with `name` (drawn as a cluster by `draw_graph`).

    >>> from autograd import Tensor, name_scope
    >>> with name_scope("dense (Dense)"):
    ...     y = Tensor([1.0], requires_grad=True) * 2
    >>> y.scope
    'dense (Dense)'
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._tokens: list[contextvars.Token[str | None]] = []

    def __enter__(self) -> None:
        self._tokens.append(_SCOPE.set(self.name))

    def __exit__(self, *exc: object) -> None:
        _SCOPE.reset(self._tokens.pop())


def is_grad_enabled() -> bool:
    """True unless inside `no_grad()` (PyTorch's `torch.is_grad_enabled`).

    >>> from autograd import is_grad_enabled, no_grad
    >>> with no_grad():
    ...     print(is_grad_enabled())
    False
    >>> is_grad_enabled()
    True
    """
    return current_mode().grad


class _GradMode:
    """Context manager (and decorator, `@no_grad()` or bare `@no_grad`) that sets whether ops
    record the graph."""

    enabled: ClassVar[bool]

    def __new__(cls, func: Any = None) -> Any:
        instance = super().__new__(cls)
        if func is None:
            return instance
        if not callable(func):
            raise TypeError(f"{cls.__name__} takes no argument, or a function to decorate; "
                            f"received {func!r}")
        _GradMode.__init__(instance)
        return instance(func)  # bare `@no_grad`: the decorated function

    def __init__(self, func: Any = None) -> None:
        self._tokens: list[contextvars.Token[Mode]] = []

    def __enter__(self) -> None:
        now = current_mode()
        self._tokens.append(_MODE.set(mode(self.enabled, now.monitor, now.backward)))

    def __exit__(self, *exc: object) -> None:
        _MODE.reset(self._tokens.pop())

    def __call__(self, func: F) -> F:
        import functools

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradMode):
    """Ops inside record nothing: results are constants that do not require grad.

    >>> from autograd import Value, no_grad
    >>> a = Value(2.0)
    >>> with no_grad():
    ...     b = a * a
    >>> b.requires_grad
    False
    """

    enabled = False


class inference_mode(no_grad):
    """PyTorch's `inference_mode()`: here the same as `no_grad()` (nothing is recorded; the
    engine has no separate view tracking to turn off). `inference_mode(False)` records.

    >>> from autograd import Value, inference_mode
    >>> with inference_mode():
    ...     b = Value(2.0) * 3
    >>> b.requires_grad
    False
    """

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):
            return super().__new__(cls, mode)
        if not isinstance(mode, bool):
            raise TypeError(f"inference_mode expects True or False, received {mode!r}")
        return super().__new__(cls) if mode else enable_grad()

    def __init__(self, mode: Any = True) -> None:
        super().__init__()


class set_grad_enabled:
    """Switch recording on or off (PyTorch's `torch.set_grad_enabled`): as a call it takes effect
    at once, as a context manager it also restores the previous mode on exit.

    >>> from autograd import Value, set_grad_enabled, is_grad_enabled
    >>> with set_grad_enabled(False):
    ...     b = Value(2.0) * 3
    >>> b.requires_grad, is_grad_enabled()
    (False, True)
    """

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled expects True or False, received {mode!r}")
        now = current_mode()
        self._token = _MODE.set(_new_mode(mode, now.monitor, now.backward))

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _MODE.reset(self._token)


class enable_grad(_GradMode):
    """Re-enable recording inside a `no_grad()` block (a context manager or a decorator).

    >>> from autograd import Value, enable_grad, no_grad
    >>> a = Value(2.0)
    >>> with no_grad():
    ...     with enable_grad():
    ...         b = a * a
    >>> b.requires_grad
    True
    """

    enabled = True
