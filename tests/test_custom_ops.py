"""A user's own `Function`, PyTorch style: with or without `__slots__`, state saved on `self`,
correct under `python -O` too (issue 17, item 9): no user-facing rule is an `assert`."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from autograd import Function, Tensor, Value, gradcheck

SCALE = '''
from autograd import Function, Value

class Scale(Function):  # no __slots__: state on self, as torch.autograd.Function's ctx
    def forward(self, x, k):
        self.k = k
        return x * k

    def backward(self, g, out, x):
        return (g * self.k,)

x = Value(1.5)
y = Scale.apply(x, k=2.0) + Scale.apply(x, k=3.0) * Scale.apply(x, k=4.0)
y.backward()
print(x.grad, y.data)
'''


def _run(flags: list[str]) -> str:
    done = subprocess.run([sys.executable, *flags, "-c", SCALE], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("flags", [[], ["-O"]], ids=["plain", "python -O"])
def test_an_op_without_slots_keeps_each_calls_state(flags: list[str]) -> None:
    # y = 2x + (3x)(4x): dy/dx = 2 + 24x = 38 at x = 1.5 (a shared instance would reuse k = 4)
    assert _run(flags) == f"{2 + 24 * 1.5} {2 * 1.5 + 12 * 1.5 ** 2}"


def test_an_op_with_state_in_slots_and_one_without_state_both_work() -> None:
    class Cube(Function):
        __slots__ = ()

        def forward(self, x: Any) -> Any:
            return x**3

        def backward(self, g: Any, out: Any, x: Any) -> tuple[Any]:
            return (g * 3 * x**2,)

    class Shift(Function):
        __slots__ = ("by",)

        def forward(self, x: Any, by: float) -> Any:
            self.by = by
            return x + by

        def backward(self, g: Any, out: Any, x: Any) -> tuple[Any]:
            return (g,)

    assert Cube.shared is not None and Shift.shared is None
    t = Tensor([1.0, 2.0], requires_grad=True)
    (Cube.apply(Shift.apply(t, by=1.0)) + Shift.apply(t, by=5.0)).sum().backward()
    assert t.grad.tolist() == [3 * 2.0**2 + 1, 3 * 3.0**2 + 1]


def test_apply_without_a_node_says_so() -> None:
    class Twice(Function):
        def forward(self, x: Any) -> Any:
            return 2 * x

        def backward(self, g: Any, out: Any, x: Any) -> tuple[Any]:
            return (2 * g,)

    needs = r"twice.apply needs at least one Value or Tensor.*\(3.0,\)"
    with pytest.raises(TypeError, match=needs):
        Twice.apply(3.0)
    assert Twice.apply(Value(3.0)).data == 6.0


def test_gradcheck_takes_a_transposed_input() -> None:
    x = Tensor(np.arange(6.0).reshape(2, 3).T, requires_grad=True)  # not C-contiguous
    weights = Tensor(np.arange(6.0).reshape(3, 2))
    assert gradcheck(lambda t: (t * t * weights).sum(), x)  # it raised AssertionError
