"""Keras' progress bar: `7/7 [==============================] - 0s 2ms/step - loss: 0.6840`.

On a terminal the bar redraws itself in place with carriage returns, at most every `interval`
seconds so that drawing costs nothing next to training. In a Jupyter notebook it is one output
updated in place through an IPython display handle (a notebook keeps every carriage-returned
redraw as text). Anywhere else (a log file, a pipe, pytest's capture) only the final line is
printed, as Keras does.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, Sequence


def is_live() -> bool:
    """True when stdout redraws a line in place: a terminal or a Jupyter kernel.

    >>> import io, contextlib
    >>> with contextlib.redirect_stdout(io.StringIO()):  # a plain stream: no redraws
    ...     live = is_live()
    >>> live == ("PYCHARM_HOSTED" in os.environ)  # so False here
    True
    """
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty()) or in_notebook() or "PYCHARM_HOSTED" in os.environ


def in_notebook() -> bool:
    """True inside a Jupyter kernel: ipykernel loaded, stdout not a terminal, a kernel running.

    ipykernel imported is not enough: Jupyter clients (nbclient) import it too. IPython is only
    looked up in `sys.modules`, never imported: it is not a dependency.

    >>> in_notebook()  # pytest runs no kernel
    False
    """
    isatty = getattr(sys.stdout, "isatty", None)
    if "ipykernel" not in sys.modules or (isatty and isatty()):
        return False
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) is not None


class _Cell:
    """One notebook output that shows the bar's latest line (an IPython display handle)."""

    def __init__(self) -> None:
        self.handle: Any = None

    def show(self, line: str) -> None:
        from IPython.display import display  # loaded already: we are in its kernel

        bundle = {"text/plain": line}
        if self.handle is None:
            self.handle = display(bundle, raw=True, display_id=True)
        else:
            self.handle.update(bundle, raw=True)


def format_value(value: float) -> str:
    """Four decimals, or scientific notation for tiny values (as Keras prints metrics).

    >>> format_value(0.123456), format_value(0.00001234), format_value(float("nan"))
    ('0.1235', '1.2340e-05', 'nan')
    """
    return f"{value:.4f}" if abs(value) > 1e-3 or value != value else f"{value:.4e}"


def format_logs(values: Sequence[tuple[str, float]]) -> str:
    """The ` - name: value` tail of a progress line.

    >>> format_logs([("loss", 0.25), ("acc", 0.9)])
    ' - loss: 0.2500 - acc: 0.9000'
    """
    return "".join(f" - {name}: {format_value(float(v))}" for name, v in values)


def format_rate(seconds: float, unit: str) -> str:
    """A duration per unit in s, ms or us, as Keras prints it.

    >>> format_rate(2.0, "epoch"), format_rate(0.0042, "step"), format_rate(3e-5, "step")
    ('2s/epoch', '4ms/step', '30us/step')
    """
    if seconds >= 1:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


class Progbar:
    """A progress bar over `target` steps.

    >>> bar = Progbar(2, live=False)
    >>> bar.update(1, [("loss", 0.5)])          # not live: nothing until the end
    >>> bar.update(2, [("loss", 0.25)])          # doctest: +ELLIPSIS
    2/2 [==============================] - 0s ...step - loss: 0.2500
    """

    def __init__(
        self,
        target: int,
        width: int = 30,
        interval: float = 0.05,
        unit_name: str = "step",
        live: bool | None = None,
    ) -> None:
        self.target = max(int(target), 1)
        self.width = width
        self.interval = interval
        self.unit_name = unit_name
        self.live = is_live() if live is None else live
        self._cell = _Cell() if self.live and in_notebook() else None
        self._start = time.perf_counter()
        self._last_draw = 0.0
        self._drawn_width = 0

    def bar(self, current: int) -> str:
        """The `3/7 [====>.....]` part for `current` steps done.

        >>> Progbar(4, width=8, live=False).bar(2)
        '2/4 [===>....]'
        """
        digits = len(str(self.target))
        done = int(self.width * current / self.target)
        arrow = ("=" * (done - 1) + (">" if current < self.target else "=")) if done > 0 else ""
        return f"{current:>{digits}}/{self.target} [{arrow}{'.' * (self.width - done)}]"

    def update(
        self, current: int, values: Sequence[tuple[str, float]] = (), finalize: bool | None = None
    ) -> None:
        """Show `current` steps done; `values` are (name, value) pairs, already averaged.

        Live, it redraws in place (at most every `interval` s); otherwise only the last step
        (or `finalize=True`) prints a line.

        >>> bar = Progbar(3, live=False)
        >>> bar.update(1, [("loss", 0.5)])  # not live: nothing yet
        >>> bar.update(3, [("loss", 0.25)])  # doctest: +ELLIPSIS
        3/3 [==============================] - 0s ...step - loss: 0.2500
        """
        if finalize is None:
            finalize = current >= self.target
        now = time.perf_counter()
        if not finalize and (not self.live or now - self._last_draw < self.interval):
            return
        self._last_draw = now
        elapsed = now - self._start
        if finalize:
            per_step = elapsed / max(current, 1)
            info = f" - {elapsed:.0f}s {format_rate(per_step, self.unit_name)}"
        else:
            eta = elapsed / max(current, 1) * (self.target - current)
            info = f" - ETA: {eta:.0f}s"
        line = self.bar(current) + info + format_logs(values)
        if self._cell is not None:
            self._cell.show(line)
            return
        if self.live:
            padding = " " * max(self._drawn_width - len(line), 0)  # erase a longer old line
            sys.stdout.write("\r" + line + padding + ("\n" if finalize else ""))
            self._drawn_width = len(line)
        else:
            sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def summary_line(self, current: int, values: Sequence[tuple[str, float]]) -> str:
        """verbose=2's one line per epoch: `7/7 - 0s - loss: 0.6840 - 5ms/epoch - 1ms/step`.

        >>> Progbar(7, live=False).summary_line(7, [("loss", 0.684)])  # doctest: +ELLIPSIS
        '7/7 - 0s - loss: 0.6840 - ...s/epoch - ...s/step'
        """
        elapsed = time.perf_counter() - self._start
        return (
            f"{current}/{self.target} - {elapsed:.0f}s{format_logs(values)}"
            f" - {format_rate(elapsed, 'epoch')} - {format_rate(elapsed / max(current, 1), 'step')}"
        )


def print_line(text: str) -> None:
    """Write one line to stdout and flush it (so it shows at once, even in a pipe).

    >>> print_line("Epoch 1/3")
    Epoch 1/3
    """
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


__all__: list[Any] = [
    "Progbar", "format_logs", "format_value", "in_notebook", "is_live", "print_line"
]
