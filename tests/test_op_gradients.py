"""Every entry of the op table, gradchecked and compared with numpy, for each node kind.

A new primitive without a table entry fails `test_every_primitive_has_a_table_entry`. The
property tests take any entry: tests/test_higher_order.py runs them on an op it declares.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from autograd import Function, Tensor, Value, engine, gradcheck, gradgradcheck, ops, optable
from autograd.engine import enable_grad, run_backward, walk
from autograd.optable import OPS, OpSpec, case_id, cases
from autograd.testing import op_inputs

CASES = cases(OPS)
IDS = [case_id(case) for case in CASES]
TENSOR_SPECS = [spec for spec in OPS if "tensor" in spec.kinds]

# ~100 cases: a third of the profile's examples each keeps the file fast; CHAINRULE_EXAMPLES scales it
FEW = max(10, settings().max_examples // 3)


@settings(max_examples=FEW)
@pytest.mark.parametrize(("spec", "kind"), CASES, ids=IDS)
@given(data=st.data())
def test_entry_matches_numpy_and_finite_differences(
    spec: OpSpec, kind: str, data: st.DataObject
) -> None:
    """The forward against `reference`, the gradients against central differences: one draw
    for both (drawing the arguments costs as much as the two checks together)."""
    args = data.draw(op_inputs(spec, kind), label="args")
    out = spec.fn(*args)
    expected = spec.reference(*[x.data for x in args])
    if kind == "value":
        assert type(out) is Value and type(out.data) is float
    else:
        assert type(out) is Tensor and out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-9, atol=1e-12)
    assert gradcheck(spec.fn, *args)


@settings(max_examples=max(5, FEW // 3))
@pytest.mark.parametrize("spec", TENSOR_SPECS, ids=[s.name for s in TENSOR_SPECS])
@given(data=st.data())
def test_float32_stays_float32(spec: OpSpec, data: st.DataObject) -> None:
    args = data.draw(op_inputs(spec, "tensor", dtype=np.float32), label="args")
    out = spec.fn(*args)
    assert out.dtype == np.float32
    out.backward(np.ones(out.shape, dtype=np.float32))
    for x in args:
        assert x.grad is not None and x.grad.dtype == np.float32 and x.grad.shape == x.data.shape


# ---------------------------------------------------------------------------------------
# Every primitive is exercised by the table


def _primitives() -> set[type[Function]]:
    """Every Function subclass defined in autograd.ops (the home of every primitive)."""
    found: set[type[Function]] = set()
    stack = list(Function.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__ == ops.__name__:
            found.add(cls)
    return found


def _ops_in(root: object) -> set[type[Function]]:
    return {type(node._fn) for node in walk(root) if node._fn is not None}  # type: ignore[arg-type]


def _one_example(strategy: st.SearchStrategy[Any]) -> Any:
    """A single generated example, never shrunk, the same on every run."""
    found = []

    @settings(max_examples=1, phases=[Phase.generate], database=None, derandomize=True)
    @given(strategy)
    def keep(example: Any) -> None:
        found.append(example)

    keep()
    return found[-1]


@pytest.mark.parametrize("cls", sorted(
    (c for c in _primitives() if c.gradient_form is not None), key=lambda c: c.__name__
))
def test_a_declared_gradient_form_is_what_backward_computes(cls: type[Function]) -> None:
    """The float loop computes a declared form itself: it must be backward's result, bit for
    bit (a -0.0 included)."""
    for g, a, b in [(1.5, 2.0, -3.0), (-0.0, 0.0, 2.5), (0.1, -0.0, 1e300), (-2.0, 0.3, -0.0)]:
        expected = cls().backward(g, cls().forward(a, b), a, b)
        if cls.gradient_form == engine.PASS_ON:
            declared = (g, g)
        else:
            assert cls.gradient_form == engine.CROSS, cls.gradient_form
            declared = (g * b, g * a)
        assert [repr(x) for x in declared] == [repr(x) for x in expected], (cls, g, a, b)


def test_an_op_subclass_with_its_own_backward_drops_the_inherited_form() -> None:
    class Scaled(ops.Mul):
        __slots__ = ()

        def backward(self, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
            return 2 * g * b, 2 * g * a

    assert ops.Mul.gradient_form is engine.CROSS and Scaled.gradient_form is None
    x, w = Value(3.0), Value(5.0)
    Scaled.apply(x, w).backward()
    assert (x.grad, w.grad) == (10.0, 6.0)


@pytest.mark.parametrize("cls", sorted(
    (c for c in _primitives() if "entries" in c.__dict__), key=lambda c: c.__name__
))
def test_the_entries_an_op_class_declares_run_that_op(cls: type[Function]) -> None:
    declared = optable.declared([cls])
    assert declared and {s.name for s in declared} <= {s.name for s in OPS}  # OPS holds them
    for spec in declared:
        kind = min(spec.kinds)
        assert cls in _ops_in(spec.fn(*_one_example(op_inputs(spec, kind)))), spec.name


def test_every_primitive_has_a_table_entry() -> None:
    seen: set[type[Function]] = set()
    for spec, kind in CASES:
        seen |= _ops_in(spec.fn(*_one_example(op_inputs(spec, kind))))

    # Scatter appears only in the gradient of indexing: differentiate that gradient
    x = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = (x[np.array([0, 2, 0])] ** 2).sum()
    y.backward(create_graph=True)
    assert x.grad is not None and x.grad.requires_grad
    seen |= _ops_in(x.grad)
    (x.grad * Tensor([1.0, 2.0, 3.0])).sum().backward()

    missing = {cls.__name__ for cls in _primitives() - seen}
    assert not missing, f"primitives with no entry in autograd.optable.OPS: {sorted(missing)}"


def test_second_derivative_through_indexing_uses_scatter() -> None:
    index = np.array([0, 2, 0])  # a repeat: element 0 is read twice
    w = Tensor([1.0, 2.0, 3.0])

    def grad_of_square_sum(t: Tensor) -> Tensor:
        with enable_grad():  # gradcheck's finite differences run under no_grad
            found = run_backward((t[index] ** 2).sum(), create_graph=True, inputs=[t])
        assert found is not None
        return (found[t] * w).sum()

    x = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    # d/dx sum(w * grad) with grad_j = 2 * count_j * x_j
    np.testing.assert_allclose(grad_of_square_sum(x).data, 1 * 2 * 2 * 0.5 + 3 * 2 * 1 * 2.0)
    assert gradcheck(grad_of_square_sum, x)


def test_gradcheck_copies_outputs_that_view_the_input() -> None:
    # reshape returns a view of the input; perturbing the input must not change a saved output
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert gradcheck(lambda t: t.reshape(-1), x)
    assert gradcheck(lambda t: t.T, x)


# ---------------------------------------------------------------------------------------
# Extreme inputs: no warnings (RuntimeWarning is an error) and the right limits


def test_sigmoid_saturates_without_overflow() -> None:
    for kind in (Value, lambda v: Tensor([v], requires_grad=True)):
        for v, limit in ((1000.0, 1.0), (-1000.0, 0.0)):
            x = kind(v)
            y = x.sigmoid()
            assert np.all(y.data == limit)
            (y if isinstance(y, Value) else y.sum()).backward()
            assert np.all(x.grad == 0.0)


@pytest.mark.parametrize("axis", [0, -1])
def test_softmax_of_huge_logits(axis: int) -> None:
    x = Tensor([[1e4, -1e4, 0.0], [-1e4, 0.0, 1e4], [0.0, 1e4, -1e4]], requires_grad=True)
    logp = x.log_softmax(axis=axis)
    top = x.data == 1e4
    assert np.all(logp.data[top] == 0.0)
    np.testing.assert_allclose(logp.data[~top], x.data[~top] - 1e4)
    p = x.softmax(axis=axis)
    np.testing.assert_array_equal(p.data, top.astype(float))
    (logp.sum() + (p * Tensor(np.arange(9.0).reshape(3, 3))).sum()).backward()
    assert np.all(np.isfinite(x.grad))
    # d/dx sum(log_softmax) = 1 - n * softmax: 1 - 3 at the winners, 1 elsewhere (p' is 0)
    np.testing.assert_allclose(x.grad, np.where(top, -2.0, 1.0))


def test_value_exp_overflows_to_inf_quietly() -> None:
    x = Value(1000.0)
    y = x.exp()
    assert y.data == math.inf
    y.backward()
    assert x.grad == math.inf
    assert Value(-1000.0).exp().data == 0.0


def test_extremes_raise_no_warning_even_when_warnings_are_ignored_elsewhere() -> None:
    # the pytest config turns RuntimeWarning into errors; check it explicitly here too
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Tensor([1000.0, -1000.0]).sigmoid()
        Tensor([1e4, -1e4]).log_softmax()
        Value(-1000.0).sigmoid()


def test_table_is_well_formed() -> None:
    assert len({spec.name for spec in OPS}) == len(OPS)
    for spec in OPS:
        assert spec.arity == len(spec.domains)
        if not spec.elementwise and spec.arity > 1:
            assert spec.shapes is not None, f"{spec.name} needs a shapes strategy"


def test_a_0d_tensor_reduces_over_axis_0_or_minus_1() -> None:
    # as in numpy and PyTorch; log_softmax's second derivative sums over its axis
    x = Tensor(1.5, requires_grad=True)
    for axis in (0, -1, (0, -1)):
        assert x.sum(axis=axis).data == 1.5 and x.max(axis=axis, keepdims=True).data == 1.5
    with pytest.raises(ValueError, match="out of bounds"):
        x.sum(axis=1)
    assert gradgradcheck(lambda t: (t * t).softmax(axis=0) + (t * t).log_softmax(axis=-1), x)


def test_the_max_pool_guard_finds_a_tie_in_any_channels_window() -> None:
    from autograd.optable import _pool_separated

    guard = _pool_separated(2, None, "valid")
    x = np.zeros((1, 2, 2, 2))
    x[0, :, :, 0] = [[1.0, 2.0], [3.0, 4.0]]
    x[0, :, :, 1] = [[5.0, 5.0], [1.0, 2.0]]  # channel 1's window holds a tie at its top
    assert not guard(x)
    x[0, 0, 1, 1] = 6.0
    assert guard(x)
