"""Your own gradient property tests, in a few lines each, with `autograd.testing`.

Each test draws many inputs with hypothesis and checks the engine's gradients against
central differences (`assert_gradients_match` wraps `gradcheck`). When one fails, hypothesis
shrinks it to the smallest failing input and prints it.

Run them: `python -m pytest examples/property_test.py`, or `python examples/property_test.py`.
They need the test extras (pytest, hypothesis): pip install -e '.[dev]'.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings

from autograd import Tensor, Value
from autograd.testing import Graph, assert_gradients_match, graphs, tensors, values


def swish(x: Any) -> Any:
    """A function of your own, written with engine ops: x * sigmoid(x)."""
    return x * x.sigmoid()


def mse(pred: Tensor, target: Tensor) -> Tensor:
    """A loss of your own; `pred - target` broadcasts a (3, 1) target over 4 columns."""
    return ((pred - target) ** 2).mean()


@settings(max_examples=25, deadline=None)
@given(values())
def test_swish_on_values(x: Value) -> None:
    assert_gradients_match(swish, x)


@settings(max_examples=25, deadline=None)
@given(tensors((3, 4)), tensors((3, 1)))
def test_mse_broadcast_gradients(pred: Tensor, target: Tensor) -> None:
    # the target's gradient must be summed back over the 4 broadcast columns
    assert_gradients_match(mse, pred, target)


@settings(max_examples=25, deadline=None)
@given(tensors((2, 5)))
def test_softmax_rows_sum_to_one_and_gradients_match(x: Tensor) -> None:
    assert np.allclose(x.softmax(axis=-1).data.sum(axis=-1), 1.0)
    assert_gradients_match(lambda t: (t.softmax(axis=-1) * Tensor(np.arange(5.0))).sum(), x)


@settings(max_examples=25, deadline=None)
@given(graphs("tensor", max_ops=8))
def test_random_expressions(graph: tuple[Graph, tuple[Tensor, ...]]) -> None:
    # whole random programs: reused nodes, diamonds, broadcasting, reductions
    fn, inputs = graph
    assert_gradients_match(fn, *inputs)


TESTS = [
    test_swish_on_values,
    test_mse_broadcast_gradients,
    test_softmax_rows_sum_to_one_and_gradients_match,
    test_random_expressions,
]


def main() -> int:
    """Run every test here without pytest; return how many passed."""
    for test in TESTS:
        test()
        print(f"passed {test.__name__}")
    return len(TESTS)


if __name__ == "__main__":
    main()
